/* rules.h - what a family of finding rules (findings_*.c) is given: a
 * list to add its findings to, and the small helpers they all write with.
 * Internal to src/findings/; the rest of the program sees findings.h only.
 *
 * A rule adds a finding with kt_finding_add() (NULL when out of memory:
 * then it adds nothing more), names its subject and writes its summary
 * with kt_subject()/kt_summary() (cut to the fixed buffers, always
 * terminated), and cites its numbers with kt_finding_metric() (at most
 * KT_FINDING_MAX_METRICS; more are dropped).  The weight is how far the
 * rule's main number is past its threshold: findings of one severity are
 * ordered by it, most first. */
#ifndef KT_FINDINGS_RULES_H
#define KT_FINDINGS_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "findings/findings.h"

typedef struct kt_finding_entry {
    kt_finding f;
    double weight;               /* main number over its threshold */
} kt_finding_entry;

typedef struct kt_finding_list {
    kt_finding_entry *e;
    size_t n, cap;
} kt_finding_list;

kt_finding *kt_finding_add(kt_finding_list *l, const char *kind, int severity, double weight);
void kt_finding_metric(kt_finding *f, const char *key, double v);
/* Formats into buf (always terminated, cut when full); _append adds to
 * what buf holds. */
void kt_finding_put(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kt_finding_append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define kt_subject(f, ...) kt_finding_put((f)->subject, sizeof (f)->subject, __VA_ARGS__)
#define kt_summary(f, ...) kt_finding_put((f)->summary, sizeof (f)->summary, __VA_ARGS__)

/* The median of v[0..n) (sorts v); 0 when n is 0. */
double kt_median(double *v, size_t n);
static inline double kt_ms_of(uint64_t us) { return (double)us / 1000.0; }
static inline double kt_frac(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0;
}

/* The families of rules, run in this order by kt_findings_compute(). */
void kt_rules_load(kt_finding_list *l, const kt_findings_input *in);     /* findings_load.c */
void kt_rules_latency(kt_finding_list *l, const kt_findings_input *in);  /* findings_latency.c */
void kt_rules_errors(kt_finding_list *l, const kt_findings_input *in);   /* findings_errors.c */
void kt_rules_capture(kt_finding_list *l, const kt_findings_input *in);  /* findings_capture.c */
void kt_rules_clients(kt_finding_list *l, const kt_findings_input *in);  /* findings_clients.c */
void kt_rules_batching(kt_finding_list *l, const kt_findings_input *in); /* findings_batching.c */
void kt_rules_txn(kt_finding_list *l, const kt_findings_input *in);      /* findings_txn.c */
void kt_rules_replication(kt_finding_list *l, const kt_findings_input *in); /* findings_replication.c */
void kt_rules_queueing(kt_finding_list *l, const kt_findings_input *in); /* findings_queueing.c */
void kt_rules_acks(kt_finding_list *l, const kt_findings_input *in);     /* findings_acks.c */
void kt_rules_availability(kt_finding_list *l, const kt_findings_input *in); /* findings_availability.c */

#endif
