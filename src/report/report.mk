# src/report/: the outputs: the report model built once per report, the
# summary report rendered from it as text, JSON or an HTML page with
# plots, and the per-request event log.
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
	src/report/report_html.c src/report/report_html.h \
	src/report/html_plot.c src/report/html_plot.h \
	src/report/report_prometheus.c src/report/report_prometheus.h \
	src/report/report_txn.c src/report/report_txn.h \
	src/report/report_merge_json.c src/report/report_merge_json.h \
	src/report/report_partition_json.c src/report/report_partition_json.h \
	src/report/report_tls.c src/report/report_tls.h \
	src/report/event_log.c src/report/event_log.h
# kafkatap merge: --json reports read back (jansson) and added up; linked
# into kafkatap only (src/cli/cli.mk).
kt_merge_sources = \
	src/report/report_load.c src/report/report_load.h \
	src/report/report_merge.c src/report/report_merge.h
