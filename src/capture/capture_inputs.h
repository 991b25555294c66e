/* capture_inputs.h - the list of capture files that -r reads as one
 * stream: file names and globs expanded, files ordered by the time of
 * their first packet (not by name), gaps and overlaps between consecutive
 * files found. */
#ifndef KT_CAPTURE_INPUTS_H
#define KT_CAPTURE_INPUTS_H

#include <stddef.h>
#include <stdint.h>
#include "capture/capture.h"

/* Expands each of the n names: an existing path is taken as it is; a name
 * with glob characters (* ? [) that names no file is expanded (its matches
 * in name order), and one matching nothing is an error.  "-" (standard
 * input) is only accepted alone.  On success *out holds *nout entries with
 * only path and size set (free with kt_inputs_free); on failure returns -1
 * with one line in err. */
int kt_inputs_expand(const char *const *names, size_t n, kt_input_file **out,
                     size_t *nout, char *err, size_t errlen);

/* Orders the files by first_ts_us, a file without packets last, ties in
 * the order given (stable). */
void kt_inputs_order(kt_input_file *f, size_t n);

/* Records in f[i] how its first packet (first_ts_us) lies against the last
 * packet of the last earlier file that had packets: later by more than
 * gap_us is KT_GAP_LATE, earlier is KT_GAP_OVERLAP.  Returns f[i].gap. */
int kt_inputs_check_gap(kt_input_file *f, size_t i, uint64_t gap_us);

void kt_inputs_free(kt_input_file *f, size_t n);

#endif
