# src/: framing -> correlation -> statistics -> output, and the CLI.
libkafkatap_a_SOURCES += \
	src/anomaly.c src/anomaly.h \
	src/siphash.c src/siphash.h \
	src/intern.c src/intern.h \
	src/histogram.c src/histogram.h \
	src/json_writer.c src/json_writer.h \
	src/kafka_framing.c src/kafka_framing.h \
	src/correlation.c src/correlation.h \
	src/exchange.h \
	src/kafka_session.c src/kafka_session.h \
	src/response_summary.c src/response_summary.h \
	src/topics.c src/topics.h \
	src/message_detail.c src/message_detail.h \
	src/partition_stats.c src/partition_stats.h \
	src/keyed_index.c src/keyed_index.h \
	src/stats.c src/stats.h \
	src/names.c src/names.h \
	src/event_log.c src/event_log.h \
	src/report.h src/report_text.c src/report_json.c src/report_connections.c \
	src/options.c src/options.h \
	dissectors/kafka_frame_header.c dissectors/kafka_frame_header.h
