# determinism.mk — `make determinism`: the same trace hash for every library
# scenario at a fixed seed under gcc -O0, gcc -O2 (LTO), clang -O2, ASan+UBSan
# and the profile-guided build of `make pgo`, and the bug-catalogue build
# (-DRAFT_BUGS) with no bug switched on: a bug switch must never change the
# path taken while it is off.
# Each build gets its own folder so they never share objects.

DET_SEED ?= 1
DET_ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
DET_BINS = build/det-gcc-O0/raftsim build/det-gcc-O2/raftsim build/det-clang-O2/raftsim \
           build/det-asan/raftsim build/pgo/raftsim build/det-bugs/raftsim

determinism: ## same trace hashes under gcc -O0/-O2, clang, ASan, PGO and the bugs build
	@$(MAKE) --no-print-directory BUILD=build/det-gcc-O0 CC=gcc OPT=-O0 \
	    build/det-gcc-O0/raftsim
	@$(MAKE) --no-print-directory BUILD=build/det-gcc-O2 CC=gcc OPT=-O2 \
	    build/det-gcc-O2/raftsim
	@$(MAKE) --no-print-directory BUILD=build/det-clang-O2 CC=clang OPT=-O2 \
	    build/det-clang-O2/raftsim
	@$(MAKE) --no-print-directory BUILD=build/det-asan CC=gcc OPT=-O1 \
	    XCFLAGS="$(DET_ASAN_FLAGS)" build/det-asan/raftsim
	@$(MAKE) --no-print-directory BUILD=build/det-bugs CC=gcc OPT=-O2 \
	    XCFLAGS=-DRAFT_BUGS build/det-bugs/raftsim
	@$(MAKE) --no-print-directory pgo
	@ASAN_OPTIONS=detect_leaks=1 tools/check-determinism.sh $(DET_SEED) $(DET_BINS)
