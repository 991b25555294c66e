# fuzz/fuzz.mk - fuzz targets (libFuzzer), their replay programs and the
# regression inputs they found.
#
#   ./configure CC=clang --enable-fuzz     (a build of its own: everything
#       compiled with libFuzzer coverage and ASan + UBSan)
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="fuzz_frame ..."]
#       builds the targets fuzz/fuzz_NAME and runs each for FUZZ_SECONDS
#       from a copy of its seed corpus (fuzz/corpus/NAME/, copied to
#       fuzz/run/corpus-NAME/); its log is fuzz/run/fuzz_NAME.log, crash,
#       leak and timeout files land in fuzz/artifacts/.
#   fuzz/replay_NAME FILE|DIR...   (built by make check in every build)
#       runs the same target code on files without libFuzzer: a crash file
#       reproduces there (configure --enable-sanitizers for ASan/UBSan).
# make check replays every seed and every input under tests/data/regression/
# (fuzz/test_regressions.sh).

FUZZ_SECONDS = 60
FUZZ_TARGETS = fuzz_frame fuzz_records fuzz_pipeline
FUZZ_RUN_FLAGS = -rss_limit_mb=2048 -timeout=10 -max_len=65536

if ENABLE_FUZZ
noinst_PROGRAMS = fuzz/fuzz_frame fuzz/fuzz_records fuzz/fuzz_pipeline
fuzz_fuzz_frame_SOURCES = fuzz/fuzz_frame.c
fuzz_fuzz_records_SOURCES = fuzz/fuzz_records.c
fuzz_fuzz_pipeline_SOURCES = fuzz/fuzz_pipeline.c
fuzz_fuzz_frame_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_records_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_pipeline_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
fuzz_fuzz_frame_LDADD = $(KT_LIBS)
fuzz_fuzz_records_LDADD = $(KT_LIBS)
fuzz_fuzz_pipeline_LDADD = $(KT_LIBS)

fuzz: $(noinst_PROGRAMS)
	@mkdir -p fuzz/artifacts fuzz/run
	@status=0; for t in $(FUZZ_TARGETS); do \
	  n=`echo $$t | sed 's/^fuzz_//'`; \
	  rm -rf fuzz/run/corpus-$$n; mkdir -p fuzz/run/corpus-$$n; \
	  cp $(top_srcdir)/fuzz/corpus/$$n/* fuzz/run/corpus-$$n/ 2>/dev/null; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  if ASAN_OPTIONS=detect_leaks=1 fuzz/$$t $(FUZZ_RUN_FLAGS) \
	      -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=fuzz/artifacts/$$t- \
	      fuzz/run/corpus-$$n >fuzz/run/$$t.log 2>&1; then \
	    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' fuzz/run/$$t.log; \
	    tail -n 3 fuzz/run/$$t.log | grep -E '^(#|Done)' || true; \
	  else \
	    status=1; echo "fuzz: $$t FAILED (fuzz/run/$$t.log):"; \
	    grep -A 30 -E 'ERROR|SUMMARY|runtime error' fuzz/run/$$t.log | head -n 60; \
	    ls fuzz/artifacts/; \
	  fi; \
	done; exit $$status
else
fuzz:
	@echo "make fuzz: configure with CC=clang --enable-fuzz (a build of its own)" >&2
	@exit 1
endif

clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz/run

.PHONY: fuzz clean-fuzz

# Replay programs: the target code with replay_main.c instead of libFuzzer.
check_PROGRAMS += fuzz/replay_frame fuzz/replay_records fuzz/replay_pipeline
fuzz_replay_frame_SOURCES = fuzz/fuzz_frame.c fuzz/replay_main.c
fuzz_replay_records_SOURCES = fuzz/fuzz_records.c fuzz/replay_main.c
fuzz_replay_pipeline_SOURCES = fuzz/fuzz_pipeline.c fuzz/replay_main.c

EXTRA_DIST += fuzz/test_regressions.sh fuzz/corpus fuzz/make-corpus.py \
	fuzz/README.md tests/data/regression
