# src/report/: the outputs: the report model built once per report, the
# summary report rendered from it as text or JSON, and the per-request
# event log.
libkafkatap_a_SOURCES += \
	src/report/json_labels.h \
	src/report/report_model.c src/report/report_model.h \
	src/report/report_delivery.c src/report/report_delivery.h \
	src/report/report_replication.c src/report/report_replication.h \
	src/report/report_acks.c src/report/report_acks.h \
	src/report/report_split.c src/report/report_split.h \
	src/report/report.h src/report/report_text.c src/report/report_json.c \
	src/report/report_inputs.c src/report/report_inputs.h \
	src/report/report_timeline.c src/report/report_timeline.h \
	src/report/report_timeline_out.c src/report/report_timeline_out.h \
	src/report/report_batching.c src/report/report_batching.h \
	src/report/report_prometheus.c src/report/report_prometheus.h \
	src/report/report_txn.c src/report/report_txn.h \
	src/report/event_log.c src/report/event_log.h
