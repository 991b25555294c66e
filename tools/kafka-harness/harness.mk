# tools/kafka-harness/: recording the real Apache Kafka captures (pcaps/kafka/)
# and checking them. `make pcaps-kafka` needs Java 17+, Maven (Maven Central),
# tcpdump, python3 and root (for tcpdump); `make check-kafka-captures` needs only
# python3 and tshark. Included from Makefile.am.
KAFKA_HARNESS_FILES = \
	tools/kafka-harness/README.md tools/kafka-harness/pom.xml \
	tools/kafka-harness/env.sh tools/kafka-harness/cluster.sh \
	tools/kafka-harness/clients.sh tools/kafka-harness/scenarios.sh \
	tools/kafka-harness/record.sh tools/kafka-harness/make-truth.py \
	tools/kafka-harness/extract-schema.sh \
	tools/kafka-harness/java/BrokerTruth.java tools/kafka-harness/java/ErrorsDump.java \
	tools/kafka-harness/java/DeliveryCounter.java \
	tools/kafka-harness/java/TxnProducer.java \
	tests/kafkawire.py tests/test_kafka_captures.py \
	$(KAFKA_CAPTURES:=.pcap) $(KAFKA_CAPTURES:=.truth.json)
KAFKA_CAPTURES = pcaps/kafka/codecs pcaps/kafka/group-classic-rebalance \
	pcaps/kafka/group-consumer-protocol pcaps/kafka/quota-throttle \
	pcaps/kafka/topic-deleted pcaps/kafka/broker-failure pcaps/kafka/skew \
	pcaps/kafka/client-failures pcaps/kafka/sasl \
	pcaps/kafka/transactions pcaps/kafka/replication-lag \
	pcaps/kafka/slow-follower-acks pcaps/kafka/batching
EXTRA_DIST += $(KAFKA_HARNESS_FILES)

# Record every scenario again (SCENARIOS="a b" for some), replacing pcaps/kafka/.
pcaps-kafka:
	$(top_srcdir)/tools/kafka-harness/record.sh $(SCENARIOS)

# Refresh dissectors/schema/ from the harness's Kafka version.
schema-kafka:
	$(top_srcdir)/tools/kafka-harness/extract-schema.sh $(top_srcdir)/dissectors/schema

check-kafka-captures:
	python3 $(top_srcdir)/tests/test_kafka_captures.py --versions

# For an optional CI job with Maven: record every scenario into a temporary
# folder (the committed captures stay as they are) and check the result.
check-kafka-recorder:
	d=$$(mktemp -d) && PCAP_DIR=$$d/pcaps $(top_srcdir)/tools/kafka-harness/record.sh \
	  && python3 $(top_srcdir)/tests/test_kafka_captures.py --pcaps $$d/pcaps; \
	rc=$$?; rm -rf "$$d"; exit $$rc

.PHONY: pcaps-kafka schema-kafka check-kafka-captures check-kafka-recorder
