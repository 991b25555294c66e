# tests/: end-to-end checks run by `make check`, each against an independent
# source: tshark's decode, the generators' ground truth, the golden outputs.
TESTS += tests/test_tshark_agreement.py \
	tests/test_mock_truth.py \
	tests/test_golden.sh \
	tests/test_topic_ids.py \
	tests/test_kafka_captures.py
EXTRA_DIST += tests/test_tshark_agreement.py tests/test_mock_truth.py tests/test_topic_ids.py \
	tests/test_golden.sh tests/golden
