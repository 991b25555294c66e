# src/stats/: exchanges in, counters and latency histograms per API, broker,
# client id and topic-partition out.
libkafkatap_a_SOURCES += \
	src/stats/histogram.c src/stats/histogram.h \
	src/stats/labels.c src/stats/labels.h \
	src/stats/stats.c src/stats/stats.h \
	src/stats/queue_split.c src/stats/queue_split.h \
	src/stats/partition_stats.c src/stats/partition_stats.h \
	src/stats/client_partition_stats.c src/stats/client_partition_stats.h \
	src/stats/timeline.c src/stats/timeline.h \
	src/stats/batch_stats.c src/stats/batch_stats.h \
	src/stats/txn_stats.c src/stats/txn_stats.h \
	src/stats/replication_stats.c src/stats/replication_stats.h \
	src/stats/acks_wait.c src/stats/acks_wait.h
libkafkatap_a_SOURCES += \
	src/stats/agg_merge.c \
	src/stats/conn_stats.c src/stats/conn_stats.h
