# tests/partition.mk: acceptance of the per topic-partition statistics, each
# against an independent source: the generators' ground truth and the Kafka
# broker's end offsets (test_partition_truth.py, with hand-decoded
# expectations for the third-party captures), tshark's own Kafka dissector
# (test_partition_tshark.py).  Included from Makefile.am.
TESTS += tests/test_partition_truth.py tests/test_partition_tshark.py
EXTRA_DIST += tests/test_partition_truth.py tests/test_partition_tshark.py \
	tests/data/third-party/expected-partitions.json
