# tests/robustness.mk: hostile-input checks run by make check: the whole
# pipeline under valgrind on every capture, and segmentation invariance
# (the report does not change when the captures' TCP streams are cut one
# byte per segment, reordered or retransmitted with other boundaries).
TESTS += tests/test_valgrind.sh tests/test_segmentation.py
EXTRA_DIST += tests/test_valgrind.sh tests/test_segmentation.py \
	tests/segment_rewrite.py tests/pcapio.py

# tests/test_limits: limits across all connections (total out-of-order
# budget of the reassembler).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_limits
TESTS += tests/test_limits
tests_test_limits_SOURCES = tests/test_limits.c
tests_test_limits_CFLAGS = $(TEST_CFLAGS)
tests_test_limits_LDADD = $(TEST_LDADD)
endif
