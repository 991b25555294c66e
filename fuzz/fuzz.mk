# fuzz/fuzz.mk - fuzz targets (libFuzzer, clang), their replay programs and
# the regression inputs they found.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="fuzz_frame ..."]
#       builds each target with clang -fsanitize=fuzzer,address,undefined
#       (in fuzz/build/, apart from the gcc build) and runs it for
#       FUZZ_SECONDS from a copy of its seed corpus (fuzz/corpus/NAME/);
#       crash, leak and timeout files land in fuzz/artifacts/.
#   fuzz/replay_NAME FILE|DIR...   (built by make check, plain $(CC))
#       runs the same target code on files without libFuzzer: a crash file
#       reproduces there (configure --enable-sanitizers for ASan/UBSan).
# make check replays every seed and every input under tests/data/regression/
# (fuzz/test_regressions.sh).

FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_TARGETS = fuzz_frame fuzz_records fuzz_pipeline
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
	-I$(top_builddir) -I$(top_srcdir)/src -I$(top_srcdir)
FUZZ_RUN_FLAGS = -rss_limit_mb=2048 -timeout=10 -max_len=65536
FUZZ_LIBS = $(PCAP_LIBS) $(NIDS_LIBS) $(Z_LIBS) $(LIBS)

# The library, compiled once with clang for the fuzzers.
fuzz/build/libkt.a: $(libkafkatap_a_SOURCES) config.h
	@mkdir -p fuzz/build/obj
	@rm -f $@
	@for f in $(libkafkatap_a_SOURCES); do \
	  case $$f in *.c) ;; *) continue ;; esac; \
	  o=fuzz/build/obj/`echo $$f | tr / _ | sed 's/\.c$$/.o/'`; \
	  echo "  FUZZCC   $$f"; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c \
	    $(top_srcdir)/$$f -o $$o || exit 1; \
	done
	$(AM_V_at)$(AR) cr $@ fuzz/build/obj/*.o

fuzz-build: fuzz/build/libkt.a
	@for t in $(FUZZ_TARGETS); do \
	  echo "  FUZZLD   fuzz/build/$$t"; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	    $(top_srcdir)/fuzz/$$t.c fuzz/build/libkt.a $(FUZZ_LIBS) \
	    -o fuzz/build/$$t || exit 1; \
	done

fuzz: fuzz-build
	@mkdir -p fuzz/artifacts
	@status=0; for t in $(FUZZ_TARGETS); do \
	  n=`echo $$t | sed 's/^fuzz_//'`; \
	  rm -rf fuzz/build/corpus-$$n; mkdir -p fuzz/build/corpus-$$n; \
	  cp $(top_srcdir)/fuzz/corpus/$$n/* fuzz/build/corpus-$$n/ 2>/dev/null; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  if ASAN_OPTIONS=detect_leaks=1 fuzz/build/$$t $(FUZZ_RUN_FLAGS) \
	      -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=fuzz/artifacts/$$t- \
	      fuzz/build/corpus-$$n >fuzz/build/$$t.log 2>&1; then \
	    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' fuzz/build/$$t.log; \
	    tail -n 3 fuzz/build/$$t.log | grep -E '^(#|Done)' || true; \
	  else \
	    status=1; echo "fuzz: $$t FAILED (fuzz/build/$$t.log):"; \
	    grep -A 30 -E 'ERROR|SUMMARY|runtime error' fuzz/build/$$t.log | head -n 60; \
	    ls fuzz/artifacts/; \
	  fi; \
	done; exit $$status

clean-fuzz:
	rm -rf fuzz/build

.PHONY: fuzz fuzz-build clean-fuzz

# Replay programs: the target code with replay_main.c instead of libFuzzer.
check_PROGRAMS += fuzz/replay_frame fuzz/replay_records fuzz/replay_pipeline
fuzz_replay_frame_SOURCES = fuzz/fuzz_frame.c fuzz/replay_main.c
fuzz_replay_records_SOURCES = fuzz/fuzz_records.c fuzz/replay_main.c
fuzz_replay_pipeline_SOURCES = fuzz/fuzz_pipeline.c fuzz/replay_main.c

EXTRA_DIST += fuzz/test_regressions.sh fuzz/corpus fuzz/make-corpus.py \
	fuzz/README.md tests/data/regression
