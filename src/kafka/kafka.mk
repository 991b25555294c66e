# src/kafka/: the Kafka session of each connection: framing, detection,
# correlation of requests with responses, the details each exchange carries
# (topic-partitions, records, errors), the topic names and ids, and the
# connection summaries for the report.
libkafkatap_a_SOURCES += \
	src/kafka/exchange.h \
	src/kafka/client_role.c src/kafka/client_role.h \
	src/kafka/kafka_framing.c src/kafka/kafka_framing.h \
	src/kafka/kafka_detect.c src/kafka/kafka_detect.h \
	src/kafka/kafka_session.c src/kafka/kafka_session.h \
	src/kafka/kafka_connections.c src/kafka/kafka_connections.h \
	src/kafka/correlation.c src/kafka/correlation.h \
	src/kafka/queue_clock.c src/kafka/queue_clock.h \
	src/kafka/message_detail.c src/kafka/message_detail.h \
	src/kafka/response_summary.c src/kafka/response_summary.h \
	src/kafka/topics.c src/kafka/topics.h \
	src/kafka/tls_detect.c src/kafka/tls_detect.h \
	src/kafka/tls_brokers.c src/kafka/tls_brokers.h
