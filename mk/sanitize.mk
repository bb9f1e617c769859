# sanitize.mk — the testbed checking itself (issue 6).
#   make asan-sweep   a chaos sweep with the ASan+UBSan build (ASAN_SWEEP_SEEDS, default 1-1000)
#   make valgrind     one scenario under valgrind memcheck: no error, no leak

ASAN_SWEEP_SEEDS ?= 1-1000
VALGRIND_SCENARIO ?= scenarios/default.scn

.PHONY: asan-sweep valgrind

asan-sweep: ## chaos sweep under ASan+UBSan (ASAN_SWEEP_SEEDS)
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    XCFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    build/asan/raftsim
	@out=$$(mktemp -d); \
	build/asan/raftsim sweep scenarios/chaos.scn --seeds $(ASAN_SWEEP_SEEDS) --out $$out; \
	rc=$$?; rm -rf $$out; exit $$rc

valgrind: $(RAFTSIM) ## memcheck run of the default scenarios
	@tools/install-deps.sh valgrind
	valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
	    --errors-for-leak-kinds=all $(RAFTSIM) run $(VALGRIND_SCENARIO) -q
