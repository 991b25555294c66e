/* replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput on files, so
 * that a crash file found by libFuzzer reproduces in an ordinary build (gcc,
 * optionally with the sanitizers) and the regression inputs run in
 * `make check`.  Arguments are files or directories (every regular file in
 * a directory, one level); each is read whole into an exactly sized heap
 * buffer.  Exits 0 when every input ran, 1 when one could not be read, 2
 * with no arguments.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nb;
            cap = cap ? cap * 2 : 65536;
            nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    {
        /* exact size, so that reading one byte too far is caught */
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
            free(buf);
            return -1;
        }
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int i, bad = 0, ran = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            if (!d) {
                perror(argv[i]);
                bad = 1;
                continue;
            }
            while ((e = readdir(d)) != NULL) {
                char p[4096];
                struct stat fs;
                snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
                if (stat(p, &fs) == 0 && S_ISREG(fs.st_mode)) {
                    if (run_file(p) < 0)
                        bad = 1;
                    else
                        ran++;
                }
            }
            closedir(d);
        } else if (run_file(argv[i]) < 0) {
            bad = 1;
        } else {
            ran++;
        }
    }
    fprintf(stderr, "%s: %d inputs ran\n", argv[0], ran);
    return bad;
}
