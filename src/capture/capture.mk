# src/capture/: packets in (libpcap files, pcapng, stdin, live), link, IP
# and TCP headers decoded, IPv4 fragments reassembled.
libkafkatap_a_SOURCES += \
	src/capture/capture.c src/capture/capture.h \
	src/capture/decode_link.c src/capture/decode_link.h \
	src/capture/ip_defrag.c src/capture/ip_defrag.h
