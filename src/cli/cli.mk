# src/cli/: the command line: options, and main wiring the stages together.
libkafkatap_a_SOURCES += src/cli/options.c src/cli/options.h
kafkatap_SOURCES = src/cli/main.c src/cli/privileges.c src/cli/privileges.h
kafkatap_LDADD = $(KT_LIBS)
