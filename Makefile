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
SIM_SRC   = $(wildcard sim/world/*.c sim/scenario/*.c)
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

.PHONY: all run test check test-layering test-purity test-units test-scenarios asan bugs determinism bench report \
        report-check fuzz bugcheck clean deps help tests-bin test-help FORCE

all: $(RAFTSIM) ## build raftsim (build/raftsim)

help: ## every target, with what it does (this list)
	@awk -F':[^#]*## ' '/^[a-zA-Z0-9_-]+:.*## /{printf "make %-20s %s\n", $$1, $$2}' \
	    Makefile $(sort $(wildcard mk/*.mk))

# The compiler, its flags and the link flags of this build folder, recorded so
# that a change to any of them rebuilds every object (the file is rewritten
# only when its text changes, so an unchanged build stays up to date).
FLAGS_STAMP = $(BUILD)/.flags
FLAGS_NOW   = $(CC) $(ALLCFLAGS) / $(XLDFLAGS) $(LDLIBS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@
FORCE:

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

# Each archive is written afresh, so the object of a deleted source is never
# linked from an old copy.
$(CORE_LIB): $(call obj,$(CORE_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(SIM_LIB): $(call obj,$(SIM_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(RAFTSIM): $(call obj,$(CLI_SRC)) $(SIM_LIB) $(CORE_LIB)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ $(LDLIBS)

# ---- tests (Criterion) ----
deps: ## install the test dependencies (tools/install-deps.sh)
	@tools/install-deps.sh test

$(BUILD)/test_core: $(call obj,$(TCORE_SRC)) $(CORE_LIB) | deps
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/test_sim: $(call obj,$(TSIM_SRC)) $(SIM_LIB) $(CORE_LIB) | deps
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/test_cli: $(call obj,$(TCLI_SRC)) $(SIM_LIB) $(CORE_LIB) | deps $(RAFTSIM)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XLDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

# Test objects need Criterion's headers before they compile.
$(call obj,$(TCORE_SRC) $(TSIM_SRC) $(TCLI_SRC)): | deps

tests-bin: $(TESTS) $(RAFTSIM) ## build the test binaries and raftsim

# RAFTSIM_BIN tells the CLI tests which binary to drive.
# Every binary runs, whatever the one before it did; the failures are listed
# at the end.
test-units: tests-bin ## every Criterion test binary (core, sim, cli)
	@failed=""; for t in $(TESTS); do \
	    echo "== $$t"; RAFTSIM_BIN=$(abspath $(RAFTSIM)) $$t --jobs 2 || failed="$$failed $$t"; \
	done; [ -z "$$failed" ] || { echo "test-units: FAILED:$$failed" >&2; exit 1; }

# Every scenario in the library (and every shrunk regression) must pass its
# expectations with no violation, for a few seeds each.
SCENARIO_SEEDS ?= 1-100
test-scenarios: $(RAFTSIM) ## every library scenario, regression and swarm for SCENARIO_SEEDS seeds
	@tools/run-scenarios.sh $(RAFTSIM) $(SCENARIO_SEEDS)

# The purity check reads the library's symbol tables, which LTO objects do not
# fill with the calls GCC treats as builtins (printf, memcpy, ...): check a
# plain build of core/.
PURITY_LIB = $(if $(LTO),$(BUILD)/purity/libraftcore.a,$(CORE_LIB))
test-purity: $(CORE_LIB) ## core/ calls no clock, file, socket, thread or global randomness
	@$(if $(LTO),$(MAKE) --no-print-directory -s BUILD=$(BUILD)/purity LTO= $(PURITY_LIB))
	@tools/check-core-purity.sh $(PURITY_LIB)

# The layers of docs/ARCHITECTURE.md: every #include goes down a floor
# (core/ below sim/world/ below sim/scenario/ below tools/), core/ uses only
# pure C standard headers, and the calls between the files of core/ and of
# sim/world/ go down their order (read from the objects' symbol tables).
test-layering: $(CORE_LIB) $(SIM_LIB) ## includes follow docs/ARCHITECTURE.md's floors, calls the files' order
	@tools/check-layering.sh
	@tools/check-calls.sh $(BUILD)

# check: what every build variant must pass (the sanitizer build runs this).
# Every stage runs even when one before it failed; the failed ones are
# listed at the end.
CHECK_STAGES = test-help test-layering test-purity test-units test-scenarios
check: deps tests-bin ## the tests every build variant must pass (make test runs these)
	@failed=""; for t in $(CHECK_STAGES); do \
	    $(MAKE) --no-print-directory $$t || failed="$$failed $$t"; done; \
	[ -z "$$failed" ] || { echo "check: FAILED:$$failed" >&2; exit 1; }

# Every target in Makefile and mk/*.mk says what it does in make help.
test-help: ## every make target has a line in make help
	@tools/check-make-help.sh Makefile $(sort $(wildcard mk/*.mk))

# test: check, plus the quick classroom report (plots are built and verified)
# and the real-network daemon's tests; every stage runs, failures listed last.
TEST_STAGES = check test-report test-raftd test-view
test: ## install test dependencies, build, run every test and scenario
	@failed=""; for t in $(TEST_STAGES); do \
	    $(MAKE) --no-print-directory $$t || failed="$$failed $$t"; done; \
	[ -z "$$failed" ] || { echo "make test: FAILED:$$failed" >&2; exit 1; }

run: $(RAFTSIM) ## build raftsim and run the default scenario (SCENARIO=file)
	$(RAFTSIM) run $(SCENARIO)

asan: ## make check under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan)
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    SCENARIO_SEEDS=1-5 check

bugs: ## test-only build with the bug catalogue (build/bugs/raftsim)
	@$(MAKE) --no-print-directory BUILD=build/bugs XCFLAGS=-DRAFT_BUGS build/bugs/raftsim

clean: ## remove build/ and reports/out/
	rm -rf build reports/out

include $(wildcard mk/*.mk)

-include $(shell find build -name '*.d' 2>/dev/null)
