# src/stats/: exchanges in, counters and latency histograms per API, broker,
# client id and topic-partition out.
libkafkatap_a_SOURCES += \
	src/stats/histogram.c src/stats/histogram.h \
	src/stats/labels.c src/stats/labels.h \
	src/stats/stats.c src/stats/stats.h \
	src/stats/partition_stats.c src/stats/partition_stats.h
libkafkatap_a_SOURCES += \
	src/stats/agg_merge.c \
	src/stats/conn_stats.c src/stats/conn_stats.h
