/* report_file.c - replacing a report file atomically (see report_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli/report_file.h"

int kt_report_file_open(kt_report_file *f, const char *path, int quiet, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->quiet = quiet;
    f->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (f->fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    f->path = strdup(path);
    if (!f->path) {
        close(f->fd);
        f->fd = -1;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *data, size_t len, off_t at)
{
    while (len) {
        ssize_t w = pwrite(fd, data, len, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        len -= (size_t)w;
        at += w;
    }
    return 0;
}

static int rewrite_in_place(kt_report_file *f, const char *data, size_t len, char *err,
                            size_t errlen)
{
    if (write_all(f->fd, data, len, 0) < 0 || ftruncate(f->fd, (off_t)len) < 0) {
        snprintf(err, errlen, "cannot write %s: %s", f->path, strerror(errno));
        return -1;
    }
    return 0;
}

int kt_report_file_write(kt_report_file *f, const char *data, size_t len, char *err,
                         size_t errlen)
{
    size_t n = strlen(f->path);
    char *tmp;
    int fd, e, bad;
    struct stat st;

    if (f->in_place) {
        /* the notice once a reader could catch a rewrite half done */
        if (f->writes++ == 1 && !f->quiet)
            fprintf(stderr, "kafkatap: cannot create a temporary file next to %s (%s): "
                            "rewriting it in place\n", f->path, strerror(f->why));
        return rewrite_in_place(f, data, len, err, errlen);
    }
    tmp = malloc(n + 8);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(tmp, f->path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    fd = mkstemp(tmp);
    if (fd < 0) {
        e = errno;
        free(tmp);
        if (f->fd >= 0 && (e == EACCES || e == EPERM || e == EROFS)) {
            f->in_place = 1;
            f->why = e;
            return kt_report_file_write(f, data, len, err, errlen);
        }
        snprintf(err, errlen, "cannot write next to %s: %s", f->path, strerror(e));
        return -1;
    }
    /* the permissions the file got when created (the umask applied) */
    if ((f->fd >= 0 && fstat(f->fd, &st) == 0) || stat(f->path, &st) == 0)
        (void)fchmod(fd, st.st_mode & 07777);
    else
        (void)fchmod(fd, 0644);
    bad = write_all(fd, data, len, 0) < 0;
    e = errno;
    if (close(fd) < 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(tmp, f->path) < 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(tmp);
        free(tmp);
        snprintf(err, errlen, "cannot write %s: %s", f->path, strerror(e));
        return -1;
    }
    free(tmp);
    f->writes++;
    if (f->fd >= 0) {           /* replaced: the file opened at the start is gone */
        close(f->fd);
        f->fd = -1;
    }
    return 0;
}

void kt_report_file_close(kt_report_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    free(f->path);
    f->path = NULL;
}
