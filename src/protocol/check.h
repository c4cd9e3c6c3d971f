/*
 * Re-checking a run folder (`tensorcommit verify --run RUNDIR`): every
 * artefact is re-read and tied back to the receipt.
 *   - commitment.txt, proofs.json, quantization.json and layout.json agree
 *     with receipt.json; the SRS's digest is the receipt's SRS id;
 *   - grid.npy has the layout's shape and commits to the receipt's
 *     commitment (a changed grid value changes the commitment);
 *   - every opening and slice in proofs.json verifies, and its value is the
 *     grid's value there;
 *   - tokens.npy, when present, holds the receipt's tokens;
 *   - with the model (the receipt's model folder or --model): the weight
 *     files' digest is the receipt's; the prompt tokenizes to the receipt's
 *     prompt tokens and the generated tokens decode to its text; and one
 *     forward pass over the receipt's tokens, quantized with the receipt's
 *     parameters, reproduces the committed grid within the tolerance.
 * Each check is reported as a line; the run holds when none fails.
 */
#ifndef TC_PROTOCOL_CHECK_H
#define TC_PROTOCOL_CHECK_H

#include "util/util.h"

typedef struct tc_check_opts {
    const char *run_dir;
    const char *srs_path;       /* NULL: run_dir/srs.tcs */
    const char *model_dir;      /* NULL: the receipt's model_dir, when it exists */
    bool skip_model;            /* do not re-execute or hash the model */
    double tolerance;           /* largest |x − x'| accepted on re-execution,
                                   in the hidden states' units; < 0: exact in
                                   deterministic runs, 1e-4 otherwise */
    int n_threads;
    /* one line per check: ok, and a message */
    void (*report)(void *ctx, bool ok, const char *line);
    void *report_ctx;
} tc_check_opts;

typedef struct tc_check_result {
    size_t n_checks, n_failed;
    double max_diff;            /* re-execution: largest difference (units of x) */
    bool model_checked;
    bool srs_from_run;          /* the SRS was the run folder's own (no --srs):
                                   binding only as far as it is trusted */
} tc_check_result;

/* Status: whether the folder could be read at all (TC_EIO/TC_EFORMAT with
 * the file named when a needed file is missing or malformed); the verdict is
 * res->n_failed == 0. */
tc_status tc_run_check(tc_error *err, tc_check_result *res, const tc_check_opts *o) TC_MUST_CHECK;

#endif
