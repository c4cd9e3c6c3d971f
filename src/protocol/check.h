/*
 * Re-checking a run folder (`tensorcommit verify --run RUNDIR`): every
 * artefact is re-read and tied back to the receipt (docs/formats.md "Run
 * folder" lists what each check covers and what is informative).
 *   - receipt.json: every field present, of its type and allowed values,
 *     no unknown field (otherwise TC_EFORMAT: unreadable input);
 *   - commitment.txt, proofs.json, quantization.json and layout.json agree
 *     with receipt.json; the SRS's trailing digest is the receipt's SRS id,
 *     its origin the receipt's srs_origin, and a recorded srs_seed gives its
 *     trapdoors and srs_setup_command;
 *   - vk.json is the SRS's verification key, id, origin and Lagrange levels;
 *   - grid.npy has the layout's shape and commits to the receipt's
 *     commitment; hidden_states.npy, quantized with the receipt's rule and
 *     laid out with layout.json, is grid.npy value for value;
 *   - every opening and slice in proofs.json verifies, and its value is the
 *     grid's value there;
 *   - tokens.npy holds the receipt's tokens; stats.json's fields are the
 *     receipt's and its per-layer min/max/mean those of hidden_states.npy;
 *     results.json's verdicts and counts are verify's own;
 *   - with the model (the receipt's model folder or --model): the model
 *     digest (config, tokenizer, weights) is the receipt's, so are the model
 *     type and vocabulary; the prompt tokenizes to the receipt's prompt
 *     tokens and the generated tokens decode to its text; the receipt's
 *     sampler, replayed on one forward pass's logits, chooses every
 *     generated token; and the hidden states of that pass, quantized with
 *     the receipt's parameters, reproduce the committed grid within the
 *     tolerance.
 * Each check is reported as a line, each informative part as a note; the
 * run holds when no check fails.
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
    /* informative lines (what is not checked, and why); may be NULL */
    void (*note)(void *ctx, const char *line);
} tc_check_opts;

typedef struct tc_check_result {
    size_t n_checks, n_failed;
    double max_diff;            /* re-execution: largest difference (units of x) */
    bool model_checked;
    bool srs_from_run;          /* the SRS was the run folder's own (no --srs):
                                   binding only as far as it is trusted */
    bool srs_testing;           /* the SRS's origin is seeded or explicit:
                                   whoever knows the trapdoors can forge */
    const char *srs_origin;     /* the SRS's origin name (static), or NULL */
} tc_check_result;

/* Status: whether the folder could be read at all (TC_EIO/TC_EFORMAT with
 * the file named when a needed file is missing or malformed); the verdict is
 * res->n_failed == 0. */
tc_status tc_run_check(tc_error *err, tc_check_result *res, const tc_check_opts *o) TC_MUST_CHECK;

#endif
