# dissectors/: Kafka protocol decoding (owned by the schema/walker work).
#
# kafka_ids_gen.h, kafka_apis_gen.c and kafka_schema_gen.[ch] are generated from the schema in
# dissectors/schema/ (plus dissectors/schema-legacy/ for the old versions that
# Kafka 4 removed) by tools/gen-kafka-tables.py and committed; run
# `make regen-kafka-tables` after changing the schema or the generator.
# `make check` runs dissectors/check-gen.sh, which fails if regenerating
# would change the committed files.

libkafkatap_a_SOURCES += \
	dissectors/kafka_apis.h \
	dissectors/kafka_ids_gen.h \
	dissectors/kafka_apis_gen.c \
	dissectors/kafka_names.c dissectors/kafka_names.h \
	dissectors/kafka_schema.h \
	dissectors/kafka_schema_gen.h \
	dissectors/kafka_schema_gen.c \
	dissectors/kafka_walk.h \
	dissectors/kafka_walk.c \
	dissectors/kafka_records.h \
	dissectors/kafka_records.c \
	dissectors/kafka_frame_header.c dissectors/kafka_frame_header.h

KT_GEN_SCHEMA_ARGS = --legacy $(top_srcdir)/dissectors/schema-legacy \
	$(top_srcdir)/dissectors/schema $(top_srcdir)/dissectors/schema/errors.tsv

regen-kafka-tables:
	python3 $(top_srcdir)/tools/gen-kafka-tables.py $(KT_GEN_SCHEMA_ARGS) \
		$(top_srcdir)/dissectors

.PHONY: regen-kafka-tables

EXTRA_DIST += tools/gen-kafka-tables.py dissectors/check-gen.sh \
	dissectors/schema dissectors/schema-legacy dissectors/README.md \
	tests/data/SOURCES.md
