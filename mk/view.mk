# mk/view.mk — the trace schema and the run viewer (issue 19).
#
#   make test-view     the trace schema test, then the viewer's browser test
#
# The viewer page (tools/view/*.js, *.css, *.html) is compiled into the
# raftsim binary as a generated header, so `raftsim view` needs no files at
# run time and the page needs no network.

.PHONY: test-view test-trace-schema

test-trace-schema: $(RAFTSIM)
	@RAFTSIM=$(abspath $(RAFTSIM)) python3 tests/view/test_trace_schema.py

test-view: test-trace-schema
