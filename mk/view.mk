# mk/view.mk — the trace schema and the run viewer (issue 19).
#
#   make test-view     the trace schema test, then the viewer's browser test
#
# The viewer page (tools/view/*.js, *.css, *.html) is compiled into the
# raftsim binary as a generated header, so `raftsim view` needs no files at
# run time and the page needs no network.

.PHONY: test-view test-trace-schema

VIEW_ASSETS = $(BUILD)/gen/view_assets.h
$(VIEW_ASSETS): tools/view/viewer.html tools/view/viewer.css tools/view/viewer.js tools/view/embed.sh
	@mkdir -p $(dir $@)
	tools/view/embed.sh $@
$(BUILD)/tools/raftsim/cmd_view.o: $(VIEW_ASSETS)
$(BUILD)/tools/raftsim/cmd_view.o: override XCFLAGS += -I$(BUILD)/gen

test-trace-schema: $(RAFTSIM) ## the trace carries header, ids, groups, terms, end line; tracing keeps the hash
	@RAFTSIM=$(abspath $(RAFTSIM)) python3 tests/view/test_trace_schema.py

# The browser test: pages of five library scenarios, a failing replay (the
# catalogue bug commit-old-term, so it needs `make bugs`) and a run of over
# 10^5 events, loaded in headless Chromium; screenshots in $(BUILD)/view-test.
test-view: test-trace-schema ## the run viewer in headless Chromium: 5 scenarios, a violation, 10^5 events (part of make test)
	@tools/install-deps.sh browser
	@$(MAKE) --no-print-directory bugs
	@RAFTSIM=$(abspath $(RAFTSIM)) RAFTSIM_BUGS=$(abspath build/bugs/raftsim) \
	    VIEW_TEST_OUT=$(abspath $(BUILD)/view-test) python3 tests/view/test_viewer.py
