# bugpath.mk — `make test-bugpath`: the issue-4 "done when" path as a test.
# In the `make bugs` build, with the up-to-date check removed from
# RequestVote (`--bug no-uptodate-check`), a sweep finds a failing seed, its
# replay file reproduces the same trace hash, and shrink produces a smaller
# schedule that still fails. First, the core's unit tests in the bugs build:
# every test the normal build runs, plus tests/core/test_raft_bugs.c (compiled
# only with -DRAFT_BUGS), which checks that each catalogue switch makes the
# mistake it names.

.PHONY: test-bugpath

BUGPATH_SEEDS ?= 1-2000

test-bugpath: ## a bugs build with no bug on takes the correct path
	@$(MAKE) --no-print-directory bugs
	@$(MAKE) --no-print-directory BUILD=build/bugs XCFLAGS=-DRAFT_BUGS build/bugs/test_core
	@build/bugs/test_core --jobs 2
	@BUGPATH_SEEDS=$(BUGPATH_SEEDS) tests/cli/bug_path.sh build/bugs/raftsim
