# tests/unit.mk: cmocka unit tests of the Kafka layer (framing, headers,
# correlation, histogram, JSON writer, options, session).  Frames they use
# are copied from real captures into tests/real_frames.h (listed in the
# SOURCES of the tests that include it, so that it is distributed).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_correlation
TESTS += tests/test_correlation
tests_test_correlation_SOURCES = tests/test_correlation.c
tests_test_correlation_CFLAGS = $(TEST_CFLAGS)
tests_test_correlation_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_histogram
TESTS += tests/test_histogram
tests_test_histogram_SOURCES = tests/test_histogram.c
tests_test_histogram_CFLAGS = $(TEST_CFLAGS)
tests_test_histogram_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_framing
TESTS += tests/test_framing
tests_test_framing_SOURCES = tests/test_framing.c tests/real_frames.h
tests_test_framing_CFLAGS = $(TEST_CFLAGS)
tests_test_framing_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_frame_header
TESTS += tests/test_frame_header
tests_test_frame_header_SOURCES = tests/test_frame_header.c tests/real_frames.h
tests_test_frame_header_CFLAGS = $(TEST_CFLAGS)
tests_test_frame_header_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_session
TESTS += tests/test_session
tests_test_session_SOURCES = tests/test_session.c tests/real_frames.h
tests_test_session_CFLAGS = $(TEST_CFLAGS)
tests_test_session_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_json_writer
TESTS += tests/test_json_writer
tests_test_json_writer_SOURCES = tests/test_json_writer.c
tests_test_json_writer_CFLAGS = $(TEST_CFLAGS)
tests_test_json_writer_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_options
TESTS += tests/test_options
tests_test_options_SOURCES = tests/test_options.c
tests_test_options_CFLAGS = $(TEST_CFLAGS)
tests_test_options_LDADD = $(TEST_LDADD)
endif
