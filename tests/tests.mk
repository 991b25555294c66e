# tests/tests.mk: every test `make check` runs, registered here and nowhere
# else.  A cmocka test is one name: its source is tests/NAME.c, linked with
# the library and cmocka (LDADD and AM_CFLAGS in Makefile.am).  Script tests
# find the program through KAFKATAP and the sources through srcdir.

# Unit tests (cmocka), stage by stage.  Frames they use are copied from real
# captures into tests/real_frames.h.
KT_UNIT_TESTS = \
	tests/test_cursor \
	tests/test_decode_link \
	tests/test_reassembly \
	tests/test_limits \
	tests/test_framing \
	tests/test_frame_header \
	tests/test_walk \
	tests/test_records \
	tests/test_correlation \
	tests/test_queue_clock \
	tests/test_session \
	tests/test_histogram \
	tests/test_timeline \
	tests/test_table \
	tests/test_client_partitions \
	tests/test_memcap \
	tests/test_findings \
	tests/test_findings_replication \
	tests/test_acks_wait \
	tests/test_report_model \
	tests/test_json_writer \
	tests/test_escape \
	tests/test_options \
	tests/test_report_prometheus \
	tests/test_txn_stats
if HAVE_CMOCKA
check_PROGRAMS += $(KT_UNIT_TESTS)
TESTS += $(KT_UNIT_TESTS)
endif
EXTRA_DIST += tests/real_frames.h

# Generated protocol tables: regenerating them changes nothing.
TESTS += dissectors/check-gen.sh

# Every packet byte is read through the cursor: no bytes assembled by hand
# outside src/common/cursor.h (the script lists the few excused files and
# why).
TESTS += tests/check-raw-reads.sh
EXTRA_DIST += tests/check-raw-reads.sh

# Capture -> reassembly against tshark's TCP streams: test_streams_dump
# prints per-direction byte counts that test_streams_tshark.sh compares.
check_PROGRAMS += tests/test_streams_dump
TESTS += tests/test_streams_tshark.sh

# End to end, each against an independent source: tshark's decode, the
# generators' ground truth, the Kafka broker's end offsets, golden outputs.
TESTS += tests/test_tshark_agreement.py \
	tests/test_mock_truth.py \
	tests/test_golden.sh \
	tests/test_topic_ids.py \
	tests/test_kafka_captures.py \
	tests/test_partition_truth.py \
	tests/test_partition_tshark.py

# Hostile input: valgrind over every capture, segmentation invariance, and
# every fuzz seed and regression input replayed.
TESTS += tests/test_valgrind.sh tests/test_segmentation.py \
	fuzz/test_regressions.sh

EXTRA_DIST += tests/test_streams_tshark.sh tests/data/third-party \
	tests/data/synthetic.pcap tests/data/make-synthetic.py \
	tests/test_tshark_agreement.py tests/test_mock_truth.py \
	tests/test_topic_ids.py tests/test_golden.sh tests/golden \
	tests/test_partition_truth.py tests/test_partition_tshark.py \
	tests/data/third-party/expected-partitions.json \
	tests/test_valgrind.sh tests/test_segmentation.py \
	tests/segment_rewrite.py tests/pcapio.py

# Packet loss: seeded lossy replays of pcaps/load.pcap and its mid-stream
# slice against tshark's truth (a lost packet costs only what it touches).
TESTS += tests/test_loss.py
EXTRA_DIST += tests/test_loss.py tests/loss_truth.py

# The --prometheus endpoint: its exposition text (unit test above, checked
# by promtool when installed), and end to end, scraped by a real Prometheus
# server and queried through its HTTP API against the captures' truth.
TESTS += tests/test_prometheus.py
EXTRA_DIST += tests/test_prometheus.py

# The load-skew and absolute-latency findings against the mock captures'
# ground truth (shares of produced records, injected RTTs).
TESTS += tests/test_findings_truth.py
EXTRA_DIST += tests/test_findings_truth.py
TESTS += tests/test_timeline_truth.py
EXTRA_DIST += tests/test_timeline_truth.py

# Queue wait and service time against tshark's frame times and the
# max.in.flight / broker RTT the recorder set (inflight-5 vs inflight-1).
TESTS += tests/test_queueing_truth.py
EXTRA_DIST += tests/test_queueing_truth.py

# The --html page in headless Chromium: well formed, self-contained, the
# --json report's findings, the plots there after load, no console message,
# a screenshot that is not blank; wire text escaped (skips without Chromium).
TESTS += tests/test_html.py
EXTRA_DIST += tests/test_html.py

# Per-client delivery and the client findings against the clients' own
# delivery callbacks and login metrics (real Kafka) and librdkafka's
# delivery reports and injected errors (mock).
TESTS += tests/test_client_truth.py
EXTRA_DIST += tests/test_client_truth.py

# Codecs and tiny_batches against the real-broker producers' configuration and reports.
TESTS += tests/test_batching_truth.py
EXTRA_DIST += tests/test_batching_truth.py

# The transactions against the transactional producers' own counts
# (pcaps/kafka/transactions.truth.json)
TESTS += tests/test_txn_truth.py
EXTRA_DIST += tests/test_txn_truth.py

# Replication: follower Fetch apart from consumers, replication rows and
# findings, against the recorder's freeze times, the broker's end offsets,
# tshark's request headers and the independent decoder's replica ids.
TESTS += tests/test_replication_truth.py
EXTRA_DIST += tests/test_replication_truth.py

# TLS on broker ports (a real OpenSSL capture) counted as TLS, no anomalies;
# no TLS in any plaintext capture.
TESTS += tests/test_tls.py
EXTRA_DIST += tests/test_tls.py

# Which follower acks=all Produce waited for and slow_follower_acks, against
# the node the recorder slowed and when, the broker's end offsets and the
# independent decoder's own matching of writes to follower fetches.
TESTS += tests/test_acks_truth.py
EXTRA_DIST += tests/test_acks_truth.py

# Live capture and tcpdump's conventions: -c/-w/--duration against the
# input read by tests/pcapio.py; as root on lo, signals end an idle capture
# within a second with a report, SIGUSR1 reports, and /proc shows the
# process unprivileged while it parses; each -I report counts only its
# interval's requests, against the sender's own bursts (the live ones skip
# when not root).
TESTS += tests/test_count_write.py tests/test_live_signals.py \
	tests/test_live_windows.py
EXTRA_DIST += tests/test_count_write.py tests/test_live_signals.py \
	tests/test_live_windows.py

# A lossy copy of pcaps/produce-multi.pcap (tools/pcap-loss.py --fraction
# 0.01 --seed 3; its .loss.json lists what was dropped) for the golden cases
# of the capture_loss finding.
EXTRA_DIST += tests/data/loss

# Several capture files as one stream (editcap -c pieces give the whole
# file's report; a piece shifted by editcap -t is a reported gap; mixed link
# types; clear errors) and the --since/--until window against the requests
# tshark decodes in it.
TESTS += tests/test_multifile.py
EXTRA_DIST += tests/test_multifile.py

# README.md's example outputs, run again: each example line must still be
# what kafkatap prints.
TESTS += tests/test_readme.py
EXTRA_DIST += tests/test_readme.py

# kafkatap merge: two broker hosts' reports merged = the whole capture's,
# connections seen at both ends once, bad input rejected (tshark splits).
TESTS += tests/test_merge.py
EXTRA_DIST += tests/test_merge.py

# tcpdump's rotation of -w (-C, -G, -W): pieces against capinfos, tshark,
# mergecap and tcpdump's own pieces; names by the packets' time; the ring;
# the files created as the -Z user; live -G on lo as root.
TESTS += tests/test_rotate.py
EXTRA_DIST += tests/test_rotate.py

# Every capture under pcaps/ (and its truth file) is in the tarball, so that
# make distcheck's tests find their inputs.
TESTS += tests/check-dist-captures.py
EXTRA_DIST += tests/check-dist-captures.py

# Every flag of --help (and of kafkatap merge --help) has its entry in the
# man page.
TESTS += tests/check-man-flags.py
EXTRA_DIST += tests/check-man-flags.py
