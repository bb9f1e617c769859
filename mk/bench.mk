# bench.mk — `make bench`: the seven benchmarks of issue 7 (never part of
# `make test`). Medians of several runs, all checks on; a table on stdout and
# $(BUILD)/bench.csv. BENCH_QUICK=1 for a smoke run (about a minute);
# BENCH_ARGS for more options (e.g. BENCH_ARGS="--only standard,h2h").
# `make bench-callgrind` regenerates bench/callgrind.txt (instruction counts,
# committed so regressions show in review) and prints the change.
BENCH_SIM  = $(BUILD)/bench_sim
BENCH_SRC  = $(wildcard tools/bench/*.c)
# Benchmark 7's reference, canonical/raft (Debian's libraft-dev), linked with
# its static library (its faster form here). Only `make bench` builds it.
BENCH_REF  = $(BUILD)/bench_ref_canonical
BENCH_ARGS ?=
CALLGRIND_SECONDS ?= 5

.PHONY: bench bench-callgrind

$(BENCH_SIM): $(BENCH_SRC) tools/bench/bench.h tools/bench/bench_main.h $(SIM_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(XCFLAGS) -D_POSIX_C_SOURCE=200809L $(XLDFLAGS) -o $@ \
	    $(BENCH_SRC) $(SIM_LIB) $(CORE_LIB) $(LDLIBS)

$(BENCH_REF): tools/bench/reference/canonical_h2h.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(OPT) -D_POSIX_C_SOURCE=200809L $$(pkg-config --cflags raft) -o $@ $< \
	    "$$(pkg-config --variable=libdir raft)/libraft.a"

bench: $(BENCH_SIM) $(RAFTSIM) ## benchmarks in turns with the reference (table + CSV)
	@tools/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BENCH_REF)
	$(BENCH_SIM) --csv $(BUILD)/bench.csv --raftsim $(RAFTSIM) --reference $(BENCH_REF) \
	    $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-callgrind

bench-callgrind: $(BENCH_SIM) $(RAFTSIM) ## instruction counts of the benchmark runs (bench/callgrind.txt)
	@tools/install-deps.sh valgrind
	@tools/bench/callgrind.sh $(BENCH_SIM) bench/callgrind.txt $(CALLGRIND_SECONDS) $(RAFTSIM)
