/*
 * Self-test of an installed build: known answers embedded in the source
 * (`tensorcommit selftest`; its timings are the command's, cli/selftest_timing.c).
 *
 * The known answers are literal values copied from the known-answer vectors
 * (tests/vectors/bn254_basic.json and pst.json, produced by an independent
 * implementation), so the check needs no data files: field products,
 * inverses and square roots, G1 and G2 scalar multiplication (compressed
 * bytes), the pairing value, a pairing-product check, strict decoding
 * rejections, a PST setup, commitment, opening and verification, the
 * rejection of tampered openings, and an exact quantization tie.
 */
#ifndef TC_PROTOCOL_SELFTEST_H
#define TC_PROTOCOL_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

typedef struct tc_selftest_opts {
    int n_threads;              /* ≥ 1 (MSM, PST); 0 means 1 */
    /* one call per known answer, in a fixed order; `detail` names the
     * vector and, on failure, what differed */
    void (*check)(void *ctx, bool ok, const char *name, const char *detail);
    void *ctx;
} tc_selftest_opts;

/* The names of the known answers, in the order they are reported
 * (NULL-terminated), for callers that want to list or count them. */
extern const char *const tc_selftest_names[];

/* Runs every known answer and reports each through opts->check.
 * *n_failed receives the number that failed.  Status ≠ TC_OK only when the
 * checks could not run at all (memory); a wrong answer is a failure, not an
 * error. */
tc_status tc_selftest_known_answers(tc_error *err, size_t *n_failed,
                                    const tc_selftest_opts *opts) TC_MUST_CHECK;

#endif
