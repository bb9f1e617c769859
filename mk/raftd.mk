# raftd.mk — the networked daemon (tools/raftd), its client (tools/raftctl),
# their tests and a local 3-node cluster on 127.0.0.1.
#
#   make raftd          build build/raftd and build/raftctl
#   make test-raftd     store unit tests + real-cluster tests (part of `make test`)
#   make cluster        start 3 nodes on 127.0.0.1 (data in build/cluster/)
#   make cluster-stop   stop them
#   make bench-raftd    appends/s and latency on loopback beside raftsim's prediction

RAFTD_COMMON_SRC = tools/raftd/bytes.c tools/raftd/conn.c tools/raftd/client_proto.c
RAFTD_STORE_SRC  = tools/raftd/crc32c.c tools/raftd/rlog.c $(wildcard tools/raftd/store*.c)
RAFTD_SRC        = $(filter-out $(RAFTD_COMMON_SRC) $(RAFTD_STORE_SRC),$(wildcard tools/raftd/*.c))
RAFTCTL_SRC      = $(wildcard tools/raftctl/*.c)
TRAFTD_SRC       = $(wildcard tests/raftd/test_*.c)

RAFTD    = $(BUILD)/raftd
RAFTCTL  = $(BUILD)/raftctl
RAFTRELAY = $(BUILD)/raftrelay
HISTCHECK = $(BUILD)/raftd_histcheck
TRAFTD   = $(BUILD)/test_raftd_store
CLUSTER_DIR ?= build/cluster

.PHONY: raftd test-raftd test-raftd-units test-raftd-cluster cluster cluster-stop bench-raftd

raftd: $(RAFTD) $(RAFTCTL) $(RAFTRELAY) ## the real-network daemon, client and relay (build/raftd, raftctl)

$(RAFTD): $(call obj,$(RAFTD_SRC) $(RAFTD_COMMON_SRC) $(RAFTD_STORE_SRC)) $(CORE_LIB)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

$(RAFTCTL): $(call obj,$(RAFTCTL_SRC) $(RAFTD_COMMON_SRC))
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

$(TRAFTD): $(call obj,$(TRAFTD_SRC) $(RAFTD_STORE_SRC) tools/raftd/bytes.c tools/raftd/client_ack.c \
                    tools/raftd/client_inlog.c) $(CORE_LIB) | deps
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(call obj,$(TRAFTD_SRC)): | deps

test-raftd-units: $(TRAFTD) ## raftd's unit tests (storage, acknowledgements, retries in the log)
	@echo "== $(TRAFTD)"; $(TRAFTD) --jobs 2

# Every test starts its own cluster on its own loopback ports and kills it.
test-raftd-cluster: $(RAFTD) $(RAFTCTL) $(RAFTRELAY) $(HISTCHECK) ## real 3-node clusters on 127.0.0.1 under faults
	@RAFTRELAY=$(abspath $(RAFTRELAY)) HISTCHECK=$(abspath $(HISTCHECK)) tests/raftd/cluster_test.sh $(abspath $(RAFTD)) \
	    $(abspath $(RAFTCTL)) $(abspath $(BUILD))/raftd-tests

test-raftd: test-raftd-units test-raftd-cluster ## raftd's unit and cluster tests

cluster: $(RAFTD) $(RAFTCTL) ## 3 raftd nodes on 127.0.0.1 (data in build/cluster/)
	@tools/raftd/cluster.sh start $(abspath $(RAFTD)) $(abspath $(RAFTCTL)) $(abspath $(CLUSTER_DIR))

cluster-stop: ## stop the cluster that make cluster started
	@tools/raftd/cluster.sh stop - - $(abspath $(CLUSTER_DIR))

# Appends/s and latency percentiles on loopback, beside raftsim's prediction
# for the same workload with the measured latency and fsync (not a test).
# `make bench` runs it too (issue 20: the simulation-vs-reality table).
BENCH_SECONDS ?= 5
bench: bench-raftd
bench-raftd: $(RAFTD) $(RAFTCTL) $(RAFTSIM) ## appends/s and latency of a real cluster beside the simulation
	@tools/raftd/bench.sh $(abspath $(RAFTD)) $(abspath $(RAFTCTL)) $(abspath $(RAFTSIM)) \
	    $(abspath $(BUILD))/raftd-bench $(BENCH_SECONDS)

$(HISTCHECK): $(call obj,tests/raftd/histcheck.c) $(SIM_LIB) $(CORE_LIB)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

$(RAFTRELAY): $(call obj,tools/raftrelay/relay.c tools/raftd/conn.c tools/raftd/bytes.c)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)
