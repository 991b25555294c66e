# src/common/: what every stage shares: the bounds-checked cursor over
# packet bytes, anomaly counters, keyed hashing, the keyed table (and the
# index under it), string interning, endpoints, the JSON writer and UTC
# time text.
libkafkatap_a_SOURCES += \
	src/common/cursor.h \
	src/common/anomaly.c src/common/anomaly.h \
	src/common/siphash.c src/common/siphash.h \
	src/common/keyed_index.c src/common/keyed_index.h \
	src/common/table.c src/common/table.h \
	src/common/intern.c src/common/intern.h \
	src/common/endpoint.c src/common/endpoint.h \
	src/common/memcap.h \
	src/common/escape.c src/common/escape.h \
	src/common/utc.c src/common/utc.h \
	src/common/json_writer.c src/common/json_writer.h
