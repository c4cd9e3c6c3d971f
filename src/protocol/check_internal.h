/* Shared by the files that check a run folder (check.c, check_receipt.c,
 * check_files.c, check_model.c); not part of the module's interface. */
#ifndef TC_PROTOCOL_CHECK_INTERNAL_H
#define TC_PROTOCOL_CHECK_INTERNAL_H

#include "protocol/check.h"

#include "model/engine.h"
#include "pst/pst.h"
#include "tensor/layout.h"
#include "tensor/npy.h"
#include "tensor/quantize.h"
#include "util/json.h"

typedef struct tc_checker {
    const tc_check_opts *o;
    tc_check_result *res;
} tc_checker;

/* One check's line: counted, and failed when !ok. */
void tc_check_report(tc_checker *c, bool ok, const char *fmt, ...) TC_PRINTF(3, 4);
/* An informative line: not a check, never a failure. */
void tc_check_note(tc_checker *c, const char *line);

/* The receipt's fields, validated once (docs/formats.md "receipt.json");
 * the strings point into root. */
typedef struct tc_run_receipt {
    json_t *root;
    const char *commitment, *srs_id, *srs_origin, *srs_seed, *srs_command, *prompt, *text;
    const char *model_dir, *model_digest, *model_type;
    json_t *layout, *quant;
    int32_t *tokens;
    size_t n_tokens, n_prompt;
    bool deterministic;
    bool dequantized_inputs;     /* "block_inputs": "dequantized" */
    bool from_challenges;        /* "openings": "challenges" (run --no-open) */
    tc_sampler sampling;
} tc_run_receipt;

/* check_receipt.c: reads and validates receipt.json (TC_EFORMAT naming the
 * field when it is malformed); free releases what read filled. */
tc_status tc_run_receipt_read(tc_error *err, tc_run_receipt *r, const char *path) TC_MUST_CHECK;
void tc_run_receipt_free(tc_run_receipt *r);

/* check_files.c: the run folder's files against the receipt, the SRS and
 * the grid.  Each reports its checks; the status says only whether the file
 * could be read. */
/* proofs.json: *n_items counts the openings and slices, levels[j] is set
 * for each slice level j (vk.json must embed it). */
tc_status tc_check_proofs_file(tc_error *err, tc_checker *c, const tc_pst_srs *srs,
                               const tc_g1_affine *commitment, const int64_t *grid,
                               const char *path, size_t *n_items, bool *levels) TC_MUST_CHECK;
/* The receipt's SRS claims: origin, srs_seed and srs_setup_command. */
void tc_check_srs_claims(tc_checker *c, const tc_run_receipt *r, const tc_pst_srs *srs,
                         const char *srs_path);
tc_status tc_check_vk_file(tc_error *err, tc_checker *c, const tc_pst_srs *srs, const char *path,
                           const bool *slice_levels) TC_MUST_CHECK;
/* hidden_states.npy into *hs (left empty when it has not the layout's
 * shape), quantized and laid out, against the grid. */
tc_status tc_check_hidden_file(tc_error *err, tc_checker *c, const tc_layout *lay,
                               const tc_quant_params *q, const int64_t *grid, const char *path,
                               tc_npy *hs) TC_MUST_CHECK;
/* stats.json; *vocab receives its vocab_size. */
tc_status tc_check_stats_file(tc_error *err, tc_checker *c, const tc_run_receipt *r,
                              const tc_npy *hs, const char *path, json_int_t *vocab) TC_MUST_CHECK;
tc_status tc_check_results_file(tc_error *err, tc_checker *c, const char *path, size_t n_items,
                                size_t n_values, size_t grid_size) TC_MUST_CHECK;

/* check_model.c: re-executes the model over the receipt's tokens: digest,
 * type, tokenization, sampling, hidden states against the grid, and the
 * tokens from the committed final states. */
tc_status tc_check_model_run(tc_error *err, tc_checker *c, const tc_run_receipt *r,
                             const char *model_dir, const tc_layout *lay, const tc_quant_params *q,
                             const int64_t *grid, json_int_t stats_vocab) TC_MUST_CHECK;

#endif
