/* capture_inputs.c - the capture files of one -r stream: names and globs
 * expanded, time order, gaps between files (see capture_inputs.h). */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/capture_inputs.h"

typedef struct list {
    kt_input_file *f;
    size_t n, cap;
} list;

static int add(list *l, const char *path)
{
    struct stat sb;
    kt_input_file *f;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        f = realloc(l->f, cap * sizeof *f);
        if (!f)
            return -1;
        l->f = f;
        l->cap = cap;
    }
    f = &l->f[l->n];
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!(f->path = strdup(path)))
        return -1;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        f->size = (uint64_t)sb.st_size;
    l->n++;
    return 0;
}

int kt_inputs_expand(const char *const *names, size_t n, kt_input_file **out,
                     size_t *nout, char *err, size_t errlen)
{
    list l = { NULL, 0, 0 };
    struct stat sb;
    size_t i, k;

    for (i = 0; i < n; i++) {
        const char *name = names[i];
        glob_t g;
        int rc;

        if (strcmp(name, "-") == 0 && n > 1) {
            snprintf(err, errlen, "standard input (-r -) cannot be read with other files");
            goto fail;
        }
        if (stat(name, &sb) == 0 || !strpbrk(name, "*?[")) {
            if (add(&l, name) < 0)
                goto oom;
            continue;
        }
        rc = glob(name, 0, NULL, &g);
        if (rc == GLOB_NOMATCH) {
            snprintf(err, errlen, "no file matches %s", name);
            goto fail;
        }
        if (rc != 0) {
            snprintf(err, errlen, "cannot expand %s: %s", name,
                     rc == GLOB_NOSPACE ? "out of memory" : "read error");
            goto fail;
        }
        for (k = 0; k < g.gl_pathc; k++)
            if (add(&l, g.gl_pathv[k]) < 0) {
                globfree(&g);
                goto oom;
            }
        globfree(&g);
    }
    *out = l.f;
    *nout = l.n;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
fail:
    kt_inputs_free(l.f, l.n);
    return -1;
}

/* qsort is not stable: the order given breaks ties through the index
 * kept in gap_after until the gaps are computed. */
static int by_first_packet(const void *pa, const void *pb)
{
    const kt_input_file *a = pa, *b = pb;
    if (a->has_packets != b->has_packets)
        return a->has_packets ? -1 : 1;
    if (a->has_packets && a->first_ts_us != b->first_ts_us)
        return a->first_ts_us < b->first_ts_us ? -1 : 1;
    return a->gap_after < b->gap_after ? -1 : a->gap_after > b->gap_after;
}

void kt_inputs_order(kt_input_file *f, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        f[i].gap_after = i;
    qsort(f, n, sizeof *f, by_first_packet);
    for (i = 0; i < n; i++)
        f[i].gap_after = 0;
}

int kt_inputs_check_gap(kt_input_file *f, size_t i, uint64_t gap_us)
{
    size_t p = i;

    f[i].gap = KT_GAP_NONE;
    f[i].gap_us = 0;
    while (p > 0 && !f[p - 1].packets)
        p--;
    if (p == 0 || !f[i].has_packets)
        return KT_GAP_NONE;
    p--;
    f[i].gap_after = p;
    f[i].gap_us = (int64_t)(f[i].first_ts_us - f[p].last_ts_us);
    if (f[i].first_ts_us < f[p].last_ts_us)
        f[i].gap = KT_GAP_OVERLAP;
    else if (f[i].first_ts_us - f[p].last_ts_us > gap_us)
        f[i].gap = KT_GAP_LATE;
    return f[i].gap;
}

void kt_inputs_free(kt_input_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        if (f[i].fd >= 0)
            close(f[i].fd);
    }
    free(f);
}
