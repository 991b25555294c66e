# dissectors/: Kafka protocol decoding (owned by the schema/walker work).
#
# kafka_apis_gen.c and kafka_schema_gen.[ch] are generated from the schema in
# dissectors/schema/ (plus dissectors/schema-legacy/ for the old versions that
# Kafka 4 removed) by tools/gen-kafka-tables.py and committed; run
# `make regen-kafka-tables` after changing the schema or the generator.
# `make check` runs dissectors/check-gen.sh, which fails if regenerating
# would change the committed files.

libkafkatap_a_SOURCES += \
	dissectors/cursor.h \
	dissectors/kafka_apis.h \
	dissectors/kafka_apis_gen.c \
	dissectors/kafka_schema.h \
	dissectors/kafka_schema_gen.h \
	dissectors/kafka_schema_gen.c \
	dissectors/kafka_walk.h \
	dissectors/kafka_walk.c \
	dissectors/kafka_records.h \
	dissectors/kafka_records.c

KT_GEN_SCHEMA_ARGS = --legacy $(top_srcdir)/dissectors/schema-legacy \
	$(top_srcdir)/dissectors/schema $(top_srcdir)/dissectors/schema/errors.tsv

regen-kafka-tables:
	python3 $(top_srcdir)/tools/gen-kafka-tables.py $(KT_GEN_SCHEMA_ARGS) \
		$(top_srcdir)/dissectors

.PHONY: regen-kafka-tables

EXTRA_DIST += tools/gen-kafka-tables.py dissectors/check-gen.sh \
	dissectors/schema dissectors/schema-legacy dissectors/README.md \
	tests/data/SOURCES.md

TESTS += dissectors/check-gen.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/test_cursor
TESTS += tests/test_cursor
tests_test_cursor_SOURCES = tests/test_cursor.c
tests_test_cursor_CFLAGS = $(TEST_CFLAGS)
tests_test_cursor_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_walk
TESTS += tests/test_walk
tests_test_walk_SOURCES = tests/test_walk.c
tests_test_walk_CFLAGS = $(TEST_CFLAGS)
tests_test_walk_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/test_records
TESTS += tests/test_records
tests_test_records_SOURCES = tests/test_records.c
tests_test_records_CFLAGS = $(TEST_CFLAGS)
tests_test_records_LDADD = $(TEST_LDADD)
endif
