# src/report/: the outputs: the summary report as text or JSON, and the
# per-request event log.
libkafkatap_a_SOURCES += \
	src/report/names.c src/report/names.h \
	src/report/report_labels.c src/report/report_labels.h \
	src/report/report.h src/report/report_text.c src/report/report_json.c \
	src/report/report_connections.c \
	src/report/event_log.c src/report/event_log.h
