# fuzz.mk — libFuzzer targets (issue 6).
#
#   make fuzz              build every tests/fuzz/fuzz_*.c and fuzz each for FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="msg logbuf"
#   make fuzz-check        replay each target's seed corpus once (quick regression run)
#   make fuzz-corpus       regenerate the seed corpora of msg and logbuf
#
# Every tests/fuzz/fuzz_<name>.c becomes build/fuzz/fuzz_<name>, linked with the core and
# sim libraries built with coverage instrumentation, so a new target (e.g. fuzz_scenario.c)
# is picked up by dropping the file in. Seeds: tests/fuzz/corpus/<name>/ (read only) plus
# FUZZ_SEEDS_<name> (e.g. FUZZ_SEEDS_scenario = scenarios); new inputs go to
# build/fuzz/corpus/<name>/, crashes to build/fuzz/artifacts/. A crash input belongs in
# tests/fuzz/corpus/<name>/ once fixed, so fuzz-check keeps it as a regression test.

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build/fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L $(FUZZ_SAN)
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_ALL      = $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BINS     = $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_LIBS     = $(FUZZ_BUILD)/libraftsim.a $(FUZZ_BUILD)/libraftcore.a
FUZZ_SEEDS_scenario ?= $(wildcard scenarios)

.PHONY: fuzz fuzz-bins fuzz-libs fuzz-check fuzz-corpus fuzz-deps

fuzz-deps: ## install clang and libFuzzer
	@tools/install-deps.sh fuzz

# The libraries, instrumented for coverage (fuzzer-no-link), in their own folder.
fuzz-libs: | fuzz-deps ## the libraries instrumented for fuzzing (build/fuzz)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT=-O1 \
	    XCFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_LIBS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c fuzz-libs
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIBS) $(LDLIBS)

fuzz-bins: $(FUZZ_BINS) ## build every libFuzzer target

# -rss_limit_mb guards against inputs that make a target allocate without bound.
fuzz: fuzz-bins ## run every libFuzzer target for FUZZ_SECONDS
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts; \
	    echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	    seeds=""; [ -d tests/fuzz/corpus/$$t ] && seeds=tests/fuzz/corpus/$$t; \
	    case $$t in scenario) seeds="$$seeds $(FUZZ_SEEDS_scenario)";; esac; \
	    $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -rss_limit_mb=2048 -timeout=10 \
	        -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
	        $(FUZZ_BUILD)/corpus/$$t $$seeds; \
	done

fuzz-check: fuzz-bins ## replay every fuzz target's seed corpus once
	@set -e; for t in $(FUZZ_TARGETS); do \
	    [ -d tests/fuzz/corpus/$$t ] || continue; \
	    echo "== fuzz_$$t: seed corpus"; \
	    $(FUZZ_BUILD)/fuzz_$$t -runs=0 tests/fuzz/corpus/$$t; \
	done

fuzz-corpus: ## regenerate the msg and logbuf seed corpora
	@mkdir -p $(FUZZ_BUILD) tests/fuzz/corpus/msg tests/fuzz/corpus/logbuf
	$(CC) $(WARN) -O1 -D_POSIX_C_SOURCE=200809L -o $(FUZZ_BUILD)/mkcorpus \
	    tests/fuzz/mkcorpus.c core/msg.c core/chunks.c $(wildcard core/logbuf*.c)
	$(FUZZ_BUILD)/mkcorpus tests/fuzz/corpus
