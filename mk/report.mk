# mk/report.mk — the classroom reports (issue 5).
#
#   make report [QUICK=1] [STUDY=name]   run the studies, plot them, write reports/out/index.html
#   make report-check [REPORT_OUT=dir]    test the plots (reports/check_plots.py), then load
#                                         the page in headless Chromium and screenshot it
#   make test-report                      QUICK report twice into $(BUILD)/report-quick (never
#                                         reports/out): files valid, plots pass check_plots,
#                                         CSVs identical
#
# Study drivers are C programs (tools/study/study_<name>.c) that use the
# simulator library directly, so the CSVs do not depend on any CLI format.

# A QUICK report goes to $(BUILD)/report-quick, never over the full report.
REPORT_OUT     ?= $(if $(filter-out 0,$(QUICK)),$(BUILD)/report-quick,reports/out)
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

report: ## classroom plots in reports/out/ (QUICK=1: in build/report-quick; STUDY=name)
	@tools/install-deps.sh report
	@$(MAKE) --no-print-directory study-bins $(if $(QUICK),,raftd $(RAFTSIM))
	@BUILD=$(BUILD) QUICK=$(QUICK) REPORT_OUT=$(REPORT_OUT) REPORT_JOBS=$(REPORT_JOBS) \
	    reports/run.sh $(if $(STUDY),$(STUDY),$(REPORT_STUDIES))

report-check: ## test the report's plots (check_plots.py) and load its page in Chromium
	@tools/install-deps.sh report browser
	@/usr/bin/python3 reports/check_plots.py $(REPORT_OUT)
	@reports/check-browser.sh $(REPORT_OUT)

test-report: ## the QUICK report in build/report-quick, built and verified (make test)
	@BUILD=$(BUILD) tests/report/check_quick.sh
