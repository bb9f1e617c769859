# pgo.mk — `make pgo`: raftsim and bench_sim built with gcc's profile-guided
# optimisation, for long sweeps and benchmarks. Same trace hashes as every
# other build (`make determinism` includes build/pgo/raftsim); about 7% fewer
# instructions per simulated event than the default build.
#   make pgo          build/pgo/raftsim and build/pgo/bench_sim
#   make bench-pgo    the benchmarks of `make bench` with them
# The training runs are the scenario library (one seed each), never the
# benchmark workloads themselves. gcc looks for each object's profile next to
# the object, so the three steps share one folder: build instrumented, train,
# then delete the objects and build them again using the profiles.
PGO_BUILD = build/pgo
PGO_USE   = -fprofile-use -fprofile-partial-training -Wno-missing-profile

.PHONY: pgo bench-pgo

pgo: ## profile-guided build/pgo/raftsim for long sweeps
	@rm -rf $(PGO_BUILD)
	@$(MAKE) --no-print-directory -s BUILD=$(PGO_BUILD) CC=gcc XCFLAGS=-fprofile-generate \
	    XLDFLAGS=-fprofile-generate $(PGO_BUILD)/raftsim
	@for f in scenarios/*.scn; do $(PGO_BUILD)/raftsim run $$f --seed 1 -q >/dev/null 2>&1; \
	    test $$? -le 1 || { echo "pgo: training run $$f failed" >&2; exit 1; }; done
	@find $(PGO_BUILD) -name '*.o' -delete
	@rm -f $(PGO_BUILD)/*.a $(PGO_BUILD)/raftsim
	@$(MAKE) --no-print-directory -s BUILD=$(PGO_BUILD) CC=gcc XCFLAGS="$(PGO_USE)" \
	    $(PGO_BUILD)/raftsim $(PGO_BUILD)/bench_sim
	@echo "pgo: $(PGO_BUILD)/raftsim and $(PGO_BUILD)/bench_sim"

bench-pgo: pgo ## the benchmarks with the profile-guided build
	@tools/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BENCH_REF)
	$(PGO_BUILD)/bench_sim --csv $(PGO_BUILD)/bench.csv --raftsim $(PGO_BUILD)/raftsim \
	    --reference $(BENCH_REF) $(BENCH_ARGS)
