# src/reassembly/: TCP segments in, ordered byte streams per direction out.
libkafkatap_a_SOURCES += \
	src/reassembly/tcp_reassembly.c src/reassembly/tcp_reassembly.h
