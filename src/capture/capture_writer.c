/* capture_writer.c - the -w savefile and its rotation (-C, -G, -W), with
 * tcpdump's meaning and file names (see capture_writer.h). */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "capture/capture_writer.h"

struct kt_writer {
    kt_writer_config cfg;
    pcap_t *dead;               /* the link type and snap length written */
    pcap_dumper_t *d;           /* the current file, or NULL */
    char name[PATH_MAX];        /* its name */
    int64_t period_s;           /* -G: when the current period began */
    uint32_t index;             /* -C: the current file's number in it */
    uint64_t periods;           /* -G: periods ended (tcpdump's count) */
    uint64_t files;             /* files created */
    int width;                  /* digits of the -C number (-W: of N-1) */
    int limit;                  /* -G -W: the limit was reached */
    int started;                /* kt_writer_start succeeded */
};

static int rotates(const kt_writer *w)
{
    return w->cfg.file_size || w->cfg.rotate_s;
}

/* Digits of n - 1: -W 10 numbers files 0-9, -W 11 00-10 (as tcpdump). */
static int digits_below(uint32_t n)
{
    int d = 0;
    for (n = n ? n - 1 : 0; n; n /= 10)
        d++;
    return d;
}

/* The name of file `index` of the period beginning at period_s.  -1 with
 * err when it does not fit. */
static int make_name(const kt_writer *w, uint32_t index, int64_t period_s,
                     char *out, size_t len, char *err, size_t errlen)
{
    char base[PATH_MAX];
    int n;

    if (w->cfg.rotate_s) {
        time_t t = (time_t)period_s;
        struct tm tm;
        if (!localtime_r(&t, &tm) || strftime(base, sizeof base, w->cfg.path, &tm) == 0) {
            snprintf(err, errlen, "cannot format the -w name %s", w->cfg.path);
            return -1;
        }
    } else {
        n = snprintf(base, sizeof base, "%s", w->cfg.path);
        if (n < 0 || (size_t)n >= sizeof base)
            goto too_long;
    }
    if (w->cfg.file_size && (index || w->width))
        n = snprintf(out, len, "%s%0*u", base, w->width, (unsigned)index);
    else
        n = snprintf(out, len, "%s", base);
    if (n >= 0 && (size_t)n < len)
        return 0;
too_long:
    snprintf(err, errlen, "the -w name %s is too long", w->cfg.path);
    return -1;
}

/* " (kafkatap runs as nobody now)": why a rotated file may not be created
 * where the first one could have been. */
static void user_hint(char *buf, size_t len)
{
    struct passwd *pw = getpwuid(geteuid());
    if (pw)
        snprintf(buf, len, " (kafkatap runs as %s now, see -Z)", pw->pw_name);
    else
        snprintf(buf, len, " (kafkatap runs as uid %u now, see -Z)", (unsigned)geteuid());
}

static int open_current(kt_writer *w, char *err, size_t errlen)
{
    char hint[128] = "";

    if (make_name(w, w->index, w->period_s, w->name, sizeof w->name, err, errlen) < 0)
        return -1;
    w->d = pcap_dump_open(w->dead, w->name);
    if (!w->d) {
        if (rotates(w) && (errno == EACCES || errno == EPERM))
            user_hint(hint, sizeof hint);
        snprintf(err, errlen, "cannot write %s%s", pcap_geterr(w->dead), hint);
        return -1;
    }
    w->files++;
    return 0;
}

static void close_current(kt_writer *w)
{
    if (!w->d)
        return;
    if (pcap_dump_flush(w->d) < 0 || ferror(pcap_dump_file(w->d)))
        fprintf(stderr, "kafkatap: warning: error writing %s: %s\n", w->name,
                strerror(errno));
    pcap_dump_close(w->d);
    w->d = NULL;
}

kt_writer *kt_writer_open(const kt_writer_config *cfg, int linktype, int snaplen,
                          char *err, size_t errlen)
{
    kt_writer *w = calloc(1, sizeof *w);

    if (!w || !(w->dead = pcap_open_dead(linktype, snaplen))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->cfg = *cfg;
    if (cfg->file_size && cfg->file_count)
        w->width = digits_below(cfg->file_count);
    if (cfg->rotate_s) {
        tzset();                /* strftime's local time, read while we may */
        if (!strchr(cfg->path, '%') && !cfg->quiet)
            fprintf(stderr, "kafkatap: warning: -G and no strftime format in "
                    "the -w name: each new file replaces the last one\n");
    }
    if (!rotates(w) && open_current(w, err, errlen) < 0) {
        kt_writer_close(w, -1);
        return NULL;
    }
    return w;
}

/* The directory of name ("." when none). */
static void dir_of(const char *name, char *out, size_t len)
{
    const char *slash = strrchr(name, '/');
    if (!slash)
        snprintf(out, len, ".");
    else if (slash == name)
        snprintf(out, len, "/");
    else
        snprintf(out, len, "%.*s", (int)(slash - name), name);
}

int kt_writer_start(kt_writer *w, int64_t now_s, char *err, size_t errlen)
{
    char name[PATH_MAX], dir[PATH_MAX], hint[128];

    if (!rotates(w) || w->d)
        return 0;
    if (now_s >= 0) {
        w->period_s = now_s;
        if (open_current(w, err, errlen) < 0)
            return -1;
        w->started = 1;
        return 0;
    }
    /* files with -G: the first name waits for the first packet's time */
    if (make_name(w, 0, (int64_t)time(NULL), name, sizeof name, err, errlen) < 0)
        return -1;
    dir_of(name, dir, sizeof dir);
    if (access(dir, W_OK | X_OK) < 0) {
        int e = errno;
        user_hint(hint, sizeof hint);
        snprintf(err, errlen, "cannot write in %s: %s%s", dir, strerror(e),
                 e == EACCES ? hint : "");
        return -1;
    }
    w->started = 1;
    return 0;
}

enum kt_write_result kt_writer_packet(kt_writer *w, const struct pcap_pkthdr *h,
                                      const u_char *data, int64_t now_s,
                                      char *err, size_t errlen)
{
    if (w->limit)
        return KT_WRITE_LIMIT;
    if (!w->d) {                /* files with -G: the first packet names it */
        w->period_s = now_s;
        if (open_current(w, err, errlen) < 0)
            return KT_WRITE_ERROR;
    } else if (w->cfg.rotate_s && now_s - w->period_s >= (int64_t)w->cfg.rotate_s) {
        close_current(w);
        w->periods++;
        if (!w->cfg.file_size && w->cfg.file_count && w->periods >= w->cfg.file_count) {
            w->limit = 1;
            if (!w->cfg.quiet)
                fprintf(stderr, "kafkatap: maximum file limit reached: %u (-W)\n",
                        (unsigned)w->cfg.file_count);
            return KT_WRITE_LIMIT;
        }
        w->period_s = now_s;
        w->index = 0;
        if (open_current(w, err, errlen) < 0)
            return KT_WRITE_ERROR;
    }
    /* -C: checked before writing, so a file ends at most one packet past
     * the limit */
    if (w->cfg.file_size && pcap_dump_ftell64(w->d) > (int64_t)w->cfg.file_size) {
        close_current(w);
        w->index++;
        if (w->cfg.file_count && w->index >= w->cfg.file_count)
            w->index = 0;
        if (open_current(w, err, errlen) < 0)
            return KT_WRITE_ERROR;
    }
    pcap_dump((u_char *)w->d, h, data);
    return KT_WRITE_OK;
}

uint64_t kt_writer_files(const kt_writer *w)
{
    return w->files;
}

void kt_writer_close(kt_writer *w, int64_t now_s)
{
    char err[PATH_MAX + 128];

    if (!w)
        return;
    if (w->started && !w->files && !w->d && now_s >= 0) {
        w->period_s = now_s;    /* no packet: still leave an (empty) file */
        if (open_current(w, err, sizeof err) < 0)
            fprintf(stderr, "kafkatap: %s\n", err);
    }
    close_current(w);
    pcap_close(w->dead);
    free(w);
}
