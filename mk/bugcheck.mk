# bugcheck.mk — `make bugcheck` (issues 6 and 15): every bug in the catalogue
# must be caught by a seed sweep within BUGCHECK_SEEDS seeds and shrunk, and
# every shrunk file must fail with its bug and pass without it (the correct
# core); the same swarm scenarios must stay clean with the correct core for
# BUGCHECK_CLEAN seeds.
#   make bugcheck                          (1,000 seeds per bug, 200 clean)
#   make bugcheck BUGCHECK_CLEAN=1-100000  (the long clean run)
#   make bugcheck BUGCHECK_KEEP=DIR        (keep the shrunk files in DIR)

BUGCHECK_SEEDS ?= 1000
BUGCHECK_CLEAN ?= 1-200

.PHONY: bugcheck
bugcheck: $(RAFTSIM) ## every catalogue bug caught by a seed sweep, shrunk, verified both ways
	@$(MAKE) --no-print-directory bugs
	@BUGCHECK_KEEP=$(BUGCHECK_KEEP) tools/bugcheck.sh build/bugs/raftsim $(RAFTSIM) \
	    $(BUGCHECK_SEEDS) $(BUGCHECK_CLEAN)
