# src/findings.mk: the findings, the labels the reports share, and their
# unit tests.
libkafkatap_a_SOURCES += \
	src/findings.c src/findings.h \
	src/report_labels.c src/report_labels.h

if HAVE_CMOCKA
check_PROGRAMS += tests/test_findings
TESTS += tests/test_findings
tests_test_findings_SOURCES = tests/test_findings.c
tests_test_findings_CFLAGS = $(TEST_CFLAGS)
tests_test_findings_LDADD = $(TEST_LDADD)
endif
