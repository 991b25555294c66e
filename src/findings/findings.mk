# src/findings/: the statistics judged: what an expert would point at.
libkafkatap_a_SOURCES += \
	src/findings/findings.c src/findings/findings.h
