# src/findings/: the statistics judged: what an expert would point at.
# findings.c runs the families of rules (findings_*.c, rules.h).
libkafkatap_a_SOURCES += \
	src/findings/findings.c src/findings/findings.h \
	src/findings/rules.h src/findings/finding_list.c \
	src/findings/findings_load.c src/findings/findings_latency.c \
	src/findings/findings_errors.c src/findings/findings_capture.c \
	src/findings/findings_clients.c \
	src/findings/findings_batching.c \
	src/findings/findings_txn.c \
	src/findings/findings_replication.c \
	src/findings/findings_queueing.c \
	src/findings/findings_acks.c \
	src/findings/findings_availability.c
