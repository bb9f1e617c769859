# bench.mk — `make bench`: the standard-workload benchmark (issue 7), median
# of 5 runs, printed as a table and written to $(BUILD)/bench.csv.
BENCH_SIM = $(BUILD)/bench_sim
BENCH_RUNS ?= 5

$(BENCH_SIM): tools/bench/bench_sim.c $(SIM_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(XCFLAGS) -D_POSIX_C_SOURCE=200809L $(XLDFLAGS) -o $@ $^ $(LDLIBS)

bench: $(BENCH_SIM)
	$(BENCH_SIM) --runs $(BENCH_RUNS) --csv $(BUILD)/bench.csv
