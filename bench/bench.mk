# bench/bench.mk - `make bench`: peak RSS and packets per second of kafkatap
# on generated hostile and large captures (bench/README.md has the targets).
# Inputs (about 1.1 GB) are generated once into BENCH_DIR.  Not run by make
# check.  Then the live benchmarks (bench/live.py: root, tcpreplay).
BENCH_DIR = bench/data
BENCH_ONLY =

bench: kafkatap$(EXEEXT)
	python3 $(top_srcdir)/bench/run.py --kafkatap ./kafkatap$(EXEEXT) \
		--data $(BENCH_DIR) --srcdir $(top_srcdir) \
		$(if $(BENCH_ONLY),--only $(BENCH_ONLY))
	python3 $(top_srcdir)/bench/live.py --kafkatap ./kafkatap$(EXEEXT) \
		--srcdir $(top_srcdir)

# Only the live benchmarks (root: a network namespace, tcpreplay).
bench-live: kafkatap$(EXEEXT)
	python3 $(top_srcdir)/bench/live.py --kafkatap ./kafkatap$(EXEEXT) \
		--srcdir $(top_srcdir)

clean-bench:
	rm -rf $(BENCH_DIR)

.PHONY: bench bench-live clean-bench
EXTRA_DIST += bench/run.py bench/gen-inputs.py bench/live.py bench/README.md
