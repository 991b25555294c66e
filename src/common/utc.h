/* utc.h - capture times (microseconds since the epoch) written as UTC text,
 * the three forms the reports use.  Each always terminates buf (cut to
 * len). */
#ifndef KT_UTC_H
#define KT_UTC_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-29 10:15:22" */
void kt_utc_date_time(char *buf, size_t len, uint64_t us);
/* "2026-11-29T10:15:22.455101Z" (ISO 8601, microseconds) */
void kt_utc_iso(char *buf, size_t len, uint64_t us);
/* "10:15:22.455" with ms set, else "10:15:22" */
void kt_utc_clock(char *buf, size_t len, uint64_t us, int ms);

#endif
