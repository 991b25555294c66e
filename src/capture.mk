# src/: capture -> link/IP/TCP decode -> IPv4 defrag -> TCP reassembly.
libkafkatap_a_SOURCES += \
	src/capture.c src/capture.h \
	src/decode_link.c src/decode_link.h \
	src/ip_defrag.c src/ip_defrag.h \
	src/endpoint.c src/endpoint.h \
	src/tcp_reassembly.c src/tcp_reassembly.h

# tests/test_streams_dump: capture -> reassembly on one file, per-direction
# byte counts on stdout; tests/test_streams_tshark.sh compares them with
# tshark's view of the same capture.
check_PROGRAMS += tests/test_streams_dump
tests_test_streams_dump_SOURCES = tests/test_streams_dump.c
tests_test_streams_dump_LDADD = $(KT_LIBS)
TESTS += tests/test_streams_tshark.sh
EXTRA_DIST += tests/test_streams_tshark.sh tests/data/third-party \
	tests/data/synthetic.pcap tests/data/make-synthetic.py

if HAVE_CMOCKA
check_PROGRAMS += tests/test_reassembly tests/test_decode_link
TESTS += tests/test_reassembly tests/test_decode_link
tests_test_reassembly_SOURCES = tests/test_reassembly.c
tests_test_reassembly_CFLAGS = $(TEST_CFLAGS)
tests_test_reassembly_LDADD = $(TEST_LDADD)
tests_test_decode_link_SOURCES = tests/test_decode_link.c
tests_test_decode_link_CFLAGS = $(TEST_CFLAGS)
tests_test_decode_link_LDADD = $(TEST_LDADD)
endif
