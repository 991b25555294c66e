# src/report/: the outputs: the report model built once per report, the
# summary report rendered from it as text or JSON, and the per-request
# event log.
libkafkatap_a_SOURCES += \
	src/report/json_labels.h \
	src/report/report_model.c src/report/report_model.h \
	src/report/report.h src/report/report_text.c src/report/report_json.c \
	src/report/report_prometheus.c src/report/report_prometheus.h \
	src/report/report_tls.c src/report/report_tls.h \
	src/report/event_log.c src/report/event_log.h
