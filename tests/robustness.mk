# tests/robustness.mk: hostile-input checks run by make check: the whole
# pipeline under valgrind on every capture, and segmentation invariance
# (the report does not change when the captures' TCP streams are cut one
# byte per segment, reordered or retransmitted with other boundaries).
TESTS += tests/test_valgrind.sh tests/test_segmentation.py
EXTRA_DIST += tests/test_valgrind.sh tests/test_segmentation.py \
	tests/segment_rewrite.py tests/pcapio.py
