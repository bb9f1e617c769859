# mk/report.mk — the classroom reports (issue 5).
#
#   make report [QUICK=1] [STUDY=name]   run the studies, plot them, write reports/out/index.html
#   make report-check                     load the page in headless Chromium, screenshot it
#   make test-report                      QUICK report twice: files valid, CSVs identical
#
# Study drivers are C programs (tools/study/study_<name>.c) that use the
# simulator library directly, so the CSVs do not depend on any CLI format.

REPORT_OUT     ?= reports/out
REPORT_STUDIES  = election latency throughput availability compaction prevote spacetime \
                  heatmap scale reality
STUDY          ?=
QUICK          ?=
REPORT_JOBS    ?= 2

STUDY_SRC  = $(wildcard tools/study/study_*.c)
STUDY_BINS = $(patsubst tools/study/study_%.c,$(BUILD)/study_%,$(STUDY_SRC))
STUDY_OBJS = $(call obj,$(STUDY_SRC) tools/study/study.c)

.PHONY: report report-check test-report study-bins
.SECONDARY: $(STUDY_OBJS)

$(BUILD)/study_%: $(BUILD)/tools/study/study_%.o $(BUILD)/tools/study/study.o \
                  $(SIM_LIB) $(CORE_LIB)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

study-bins: $(STUDY_BINS) ## build the study drivers

report: ## classroom plots in reports/out/ (QUICK=1, STUDY=name)
	@tools/install-deps.sh report
	@$(MAKE) --no-print-directory study-bins $(if $(QUICK),,raftd $(RAFTSIM))
	@BUILD=$(BUILD) QUICK=$(QUICK) REPORT_OUT=$(REPORT_OUT) REPORT_JOBS=$(REPORT_JOBS) \
	    reports/run.sh $(if $(STUDY),$(STUDY),$(REPORT_STUDIES))

report-check: ## build the report and verify its plots
	@tools/install-deps.sh browser
	@reports/check-browser.sh $(REPORT_OUT)

test-report: ## the QUICK report, built and verified (part of make test)
	@BUILD=$(BUILD) tests/report/check_quick.sh
