# src/capture/: packets in (libpcap files, pcapng, stdin, live), link, IP
# and TCP headers decoded, IPv4 fragments reassembled.
libkafkatap_a_SOURCES += \
	src/capture/capture.c src/capture/capture.h \
	src/capture/capture_inputs.c src/capture/capture_inputs.h \
	src/capture/capture_writer.c src/capture/capture_writer.h \
	src/capture/progress.c src/capture/progress.h \
	src/capture/time_bound.c src/capture/time_bound.h \
	src/capture/decode_link.c src/capture/decode_link.h \
	src/capture/ip_defrag.c src/capture/ip_defrag.h
