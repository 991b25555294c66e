/* report_file.h - a report written to a file (--html), replaced whole at
 * every report so that a reader never sees half of one.
 *
 * kt_report_file_open() runs before privileges are dropped: it creates the
 * file (or opens the one there), so a path that cannot be written fails at
 * once, and keeps it open.  Each kt_report_file_write() writes the new
 * contents into a temporary file next to it (PATH.XXXXXX, with the
 * file's permissions) and renames it over PATH.  When no temporary file
 * can be created there (the directory is not writable by the -Z user once
 * root's privileges are dropped), the file kept open is rewritten in place
 * instead (one write, then truncated to its length), and from the second
 * report on a notice says so once on standard error. */
#ifndef KT_REPORT_FILE_H
#define KT_REPORT_FILE_H

#include <stddef.h>

typedef struct kt_report_file {
    char *path;
    int fd;                 /* the file opened at the start, -1 once replaced */
    int in_place;           /* rewriting fd: no temporary file could be made */
    int why;                /* errno of the temporary file, in place */
    unsigned writes;        /* reports written */
    int quiet;              /* no notice */
} kt_report_file;

/* 0, or -1 with a message in err. */
int kt_report_file_open(kt_report_file *f, const char *path, int quiet, char *err, size_t errlen);
int kt_report_file_write(kt_report_file *f, const char *data, size_t len, char *err,
                         size_t errlen);
void kt_report_file_close(kt_report_file *f);

#endif
