# raftsim — build, test and study a deterministic Raft simulator.
#
#   make run        build raftsim and run the default scenario
#   make test       install test dependencies, build, run every test and scenario
#   make asan       the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make help       every target
#
# Build variants live in their own folders (build/, build/asan, build/bugs, ...)
# so switching between them never mixes objects.

CC       ?= cc
BUILD    ?= build
OPT      ?= -O2
# Link-time optimisation for optimised gcc builds: about 5% fewer
# instructions per simulated event (callgrind, bench/callgrind.txt). Off for
# clang and for -O0/-O1 (sanitizer, debugging) builds; LTO= turns it off.
LTO      ?= $(if $(filter -O2 -O3,$(OPT)),$(if $(findstring clang,$(CC)),,-flto=auto))
CFLAGS   ?= $(OPT) $(LTO) -g
XCFLAGS  ?=
XLDFLAGS ?=
WARN      = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
ALLCFLAGS = $(WARN) $(CFLAGS) $(XCFLAGS) -D_POSIX_C_SOURCE=200809L -MMD -MP
LDLIBS    = -lm

CORE_SRC  = $(wildcard core/*.c)
SIM_SRC   = $(wildcard sim/*.c)
CLI_SRC   = $(wildcard tools/raftsim/*.c)
TCORE_SRC = $(wildcard tests/core/*.c)
TSIM_SRC  = $(wildcard tests/sim/*.c)
TCLI_SRC  = $(wildcard tests/cli/*.c)

# Archives of LTO objects need the plugin-aware archiver.
ifneq ($(LTO),)
AR = gcc-ar
endif

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

CORE_LIB = $(BUILD)/libraftcore.a
SIM_LIB  = $(BUILD)/libraftsim.a
RAFTSIM  = $(BUILD)/raftsim
TESTS    = $(BUILD)/test_core $(BUILD)/test_sim $(BUILD)/test_cli

# The default scenario that `make run` plays.
SCENARIO ?= scenarios/default.scn

.PHONY: all run test check test-purity test-units test-scenarios asan bugs determinism bench report \
        report-check fuzz bugcheck clean deps help tests-bin

all: $(RAFTSIM)

help:
	@sed -n 's/^#   //p' Makefile; \
	echo "make all          build raftsim (build/raftsim)"; \
	echo "make bugs         test-only build with the bug catalogue (build/bugs/raftsim)"; \
	echo "make determinism  same trace hashes under gcc -O0/-O2, clang, ASan, PGO"; \
	echo "make bench        benchmarks (table + CSV); bench-callgrind: instruction counts"; \
	echo "make pgo          profile-guided build/pgo/raftsim for long sweeps; bench-pgo"; \
	echo "make bugcheck     every catalogue bug caught by a seed sweep, then shrunk"; \
	echo "make fuzz         libFuzzer targets (FUZZ_SECONDS=N)"; \
	echo "make asan-sweep   chaos sweep under ASan+UBSan; make valgrind: memcheck run"; \
	echo "make report       classroom plots in reports/out/ (QUICK=1, STUDY=name)"; \
	echo "make raftd        the real-network daemon and client (build/raftd, build/raftctl)"; \
	echo "make cluster      3 raftd nodes on 127.0.0.1 (data in build/cluster/); cluster-stop"; \
	echo "make clean        remove build/ and reports/out/"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

$(CORE_LIB): $(call obj,$(CORE_SRC))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(SIM_LIB): $(call obj,$(SIM_SRC))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(RAFTSIM): $(call obj,$(CLI_SRC)) $(SIM_LIB) $(CORE_LIB)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

# ---- tests (Criterion) ----
deps:
	@tools/install-deps.sh test

$(BUILD)/test_core: $(call obj,$(TCORE_SRC)) $(CORE_LIB) | deps
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/test_sim: $(call obj,$(TSIM_SRC)) $(SIM_LIB) $(CORE_LIB) | deps
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/test_cli: $(call obj,$(TCLI_SRC)) $(SIM_LIB) $(CORE_LIB) | deps $(RAFTSIM)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

# Test objects need Criterion's headers before they compile.
$(call obj,$(TCORE_SRC) $(TSIM_SRC) $(TCLI_SRC)): | deps

tests-bin: $(TESTS) $(RAFTSIM)

# RAFTSIM_BIN tells the CLI tests which binary to drive.
test-units: tests-bin
	@set -e; for t in $(TESTS); do \
	    echo "== $$t"; RAFTSIM_BIN=$(abspath $(RAFTSIM)) $$t --jobs 2; done

# Every scenario in the library (and every shrunk regression) must pass its
# expectations with no violation, for a few seeds each.
SCENARIO_SEEDS ?= 1-100
test-scenarios: $(RAFTSIM)
	@tools/run-scenarios.sh $(RAFTSIM) $(SCENARIO_SEEDS)

# The purity check reads the library's symbol tables, which LTO objects do not
# fill with the calls GCC treats as builtins (printf, memcpy, ...): check a
# plain build of core/.
PURITY_LIB = $(if $(LTO),$(BUILD)/purity/libraftcore.a,$(CORE_LIB))
test-purity: $(CORE_LIB)
	@$(if $(LTO),$(MAKE) --no-print-directory -s BUILD=$(BUILD)/purity LTO= $(PURITY_LIB))
	@tools/check-core-purity.sh $(PURITY_LIB)

# check: what every build variant must pass (the sanitizer build runs this).
check: deps tests-bin
	@$(MAKE) --no-print-directory test-purity
	@$(MAKE) --no-print-directory test-units
	@$(MAKE) --no-print-directory test-scenarios

# test: check, plus the quick classroom report (plots are built and verified).
test: check
	@$(MAKE) --no-print-directory test-report
	@$(MAKE) --no-print-directory test-raftd

run: $(RAFTSIM)
	$(RAFTSIM) run $(SCENARIO)

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    SCENARIO_SEEDS=1-5 check

bugs:
	@$(MAKE) --no-print-directory BUILD=build/bugs XCFLAGS=-DRAFT_BUGS build/bugs/raftsim

clean:
	rm -rf build reports/out

include $(wildcard mk/*.mk)

-include $(shell find build -name '*.d' 2>/dev/null)
