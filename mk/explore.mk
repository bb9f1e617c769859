# explore.mk — swarm testing of the whole fault x feature space (issue 16).
#   make explore                          long run of the default space, one
#                                         shard per core (resumable: rerun it)
#   make explore EXPLORE_SEEDS=1-200000   the range (default 1-20000)
#   make test-explore                     the short budgeted run of make test
# Results, replay files of failures and the coverage CSV: build/explore/.

EXPLORE_SPACE ?= scenarios/explore/default.scn
EXPLORE_SEEDS ?= 1-20000
EXPLORE_OUT   ?= build/explore
EXPLORE_JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
# The short run: a few seconds of seeds, every one checked for determinism.
EXPLORE_CI_SEEDS ?= 1-30

.PHONY: explore test-explore
explore: $(RAFTSIM) ## long swarm run of the explore space, a shard per core (EXPLORE_SEEDS)
	@set -e; n=$(EXPLORE_JOBS); pids=""; \
	for i in $$(seq 1 $$n); do \
	    nice $(RAFTSIM) explore $(EXPLORE_SPACE) --seeds $(EXPLORE_SEEDS) --shard $$i/$$n -j 1 \
	        --out $(EXPLORE_OUT) >$(EXPLORE_OUT)-shard$$i.log 2>&1 & pids="$$pids $$!"; \
	done; \
	mkdir -p $(EXPLORE_OUT); rc=0; for p in $$pids; do wait $$p || rc=1; done; \
	$(RAFTSIM) explore --merge $(EXPLORE_OUT)/*.results; exit $$rc

test-explore: $(RAFTSIM) ## short explore run with determinism checked (part of make check)
	@d=$$(mktemp -d "$${TMPDIR:-/tmp}/raftsim-explore.XXXXXX"); \
	if $(RAFTSIM) explore $(EXPLORE_SPACE) --seeds $(EXPLORE_CI_SEEDS) -j 2 \
	    --check-determinism --out $$d/out >$$d/log 2>&1; then \
	    echo "PASS  explore $(EXPLORE_SPACE)  (seeds $(EXPLORE_CI_SEEDS), determinism checked)"; \
	    rm -rf $$d; \
	else \
	    echo "FAIL  explore $(EXPLORE_SPACE)  (replay files and log in $$d)"; \
	    grep -E '^(FAIL|raftsim|.*error)' $$d/log | head -n 6; exit 1; \
	fi

CHECK_STAGES += test-explore
