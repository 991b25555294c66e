# src/cli/: the command line: options, and main wiring the stages together.
libkafkatap_a_SOURCES += src/cli/options.c src/cli/options.h
# Dropping privileges, and the --prometheus endpoint (libmicrohttpd), are
# linked into kafkatap only.
kafkatap_SOURCES = src/cli/main.c src/cli/privileges.c src/cli/privileges.h \
	src/cli/time_window.c src/cli/time_window.h \
	src/cli/report_file.c src/cli/report_file.h \
	src/cli/prometheus_server.c src/cli/prometheus_server.h \
	src/cli/merge_main.c src/cli/merge_main.h $(kt_merge_sources)
kafkatap_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS)
kafkatap_LDADD = $(KT_LIBS) $(MHD_LIBS) $(JANSSON_LIBS)
