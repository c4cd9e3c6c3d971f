/* Timings of the core operations (`tensorcommit selftest`): field product
 * and inverse, G1 scalar multiplication, the pairing and a pairing product,
 * a 2^14-point MSM, and a PST setup, commitment, opening and verification.
 * Medians over a few repetitions, under a second on the 2-core reference
 * machine with one thread. */
#ifndef TC_CLI_SELFTEST_TIMING_H
#define TC_CLI_SELFTEST_TIMING_H

#include "util/util.h"

/* One timed operation: seconds per operation over `reps` repetitions. */
typedef struct cli_timing {
    const char *name;           /* "fp_mul", "pairing", … */
    const char *what;           /* a short description of one operation */
    double median, min, max;    /* seconds per operation */
    int reps;
} cli_timing;

typedef void (*cli_timing_fn)(void *ctx, const cli_timing *t);

/* Times each operation on n_threads threads (MSM, PST; ≤ 0 means 1) and
 * reports it through emit.  Each result is checked before it is timed; a
 * wrong result is TC_EINTERNAL. */
tc_status cli_selftest_timings(tc_error *err, int n_threads, cli_timing_fn emit,
                               void *ctx) TC_MUST_CHECK;

#endif
