/*
 * The prover's main job (docs/design.md §5, `tensorcommit run`): generate, capture
 * every layer's hidden states, quantize, lay out, commit, open a few random
 * grid points and one layer slice, verify them, and cross-check every opened
 * value against the grid.  Writes a run folder (docs/formats.md):
 *   receipt.json     commitment, SRS id, model digest, tokens, prompt, text,
 *                    layout, quantization, tool version
 *   grid.npy         the committed integers (int64, grid shape)
 *   layout.json      grid ↔ (layer, token, hidden)
 *   quantization.json
 *   commitment.txt   the commitment, 64 hex characters and a newline
 *   proofs.json      the openings (tensorcommit verify reads it)
 *   results.json     artefact sizes, stage timings, all_proofs_verified,
 *                    all_ground_truth_matched
 *   stats.json, hidden_states.npy, tokens.npy   (the capture)
 *   srs.tcs, vk.json the SRS used (a seeded one unless --srs was given)
 * Deterministic runs round each block's input to the dequantized committed
 * values (tc_audit_round; receipt "block_inputs": "dequantized"), so that
 * an audit re-executes block ranges from opened values bit for bit.
 */
#ifndef TC_PROTOCOL_RUN_H
#define TC_PROTOCOL_RUN_H

#include "tensor/layout.h"
#include "tensor/quantize.h"
#include "util/util.h"

/* The receipt.json version run writes and verify --run reads. */
#define TC_RECEIPT_VERSION 2

typedef struct tc_run_opts {
    const char *model_dir;
    const char *prompt;
    size_t max_new_tokens;
    float temperature;            /* 0: greedy */
    int top_k;
    float top_p;
    const char *srs_path;         /* NULL: a seeded SRS for the grid's shape */
    const struct tc_pst_srs *srs; /* or an SRS already loaded (used, not freed) */
    struct tc_model *model;       /* or the model_dir's model and tokenizer already */
    struct tc_tok *tok;           /*   loaded (used, not freed; NULL: load them) */
    size_t token_capacity;        /* structured layout: pad the token axis as for
                                     this many tokens (0: the run's own count) */
    tc_quant_params quant;
    tc_layout_kind layout;
    size_t num_queries;           /* random grid points to open */
    bool no_open;                 /* commit only: no openings, no proofs.json
                                     (openings come from challenges) */
    uint64_t seed;                /* sampling, flat padding, query points, seeded SRS */
    int n_threads;
    bool deterministic;
    const char *out_dir;          /* absent or empty, or a run folder with force */
    bool force;                   /* replace the run already in out_dir */
    /* progress and notes for a person (may be NULL): one line each */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} tc_run_opts;

typedef struct tc_run_summary {
    size_t n_prompt, n_tokens;    /* prompt and total sequence length */
    size_t n_values;              /* real values (L+1)·T·H */
    size_t grid_size;
    int grid_vars;
    char commitment_hex[65];
    char text[512];               /* the generated text (cut at 511 bytes) */
    char srs_id_hex[65];
    bool srs_seeded;              /* run made a seeded SRS (no --srs) */
    bool srs_testing;             /* the SRS's origin is seeded or explicit */
    const char *srs_origin;       /* its origin's name (static) */
    size_t n_openings, n_verified, n_matched;
    /* seconds per stage, file writing excluded (it is t_write) */
    double t_load, t_generate, t_capture, t_quantize, t_layout, t_setup, t_commit, t_open, t_verify;
    double t_write;
    bool all_verified, all_matched;
} tc_run_summary;

void tc_run_opts_default(tc_run_opts *o);

/* The receipt's "environment" (src/protocol/environment.c): the build
 * (version, git commit, type, flags, compiler), CPU features, the kernels
 * in use (field multiplication, MSM batch addition, BLAS and its core),
 * n_threads and the UTC time now.  A new JSON object (jansson). */
struct json_t;
struct json_t *tc_run_environment(int n_threads);

/* The setup command that remakes a seeded run's SRS file byte for byte
 * (receipt "srs_setup_command"), for the grid shape n[0..m) and the seed
 * as hex (receipt "srs_seed"). */
void tc_run_srs_setup_command(char *out, size_t cap, const uint32_t *n, int m,
                              const char *seed_hex);

/* Runs everything.  The run is built in a hidden sibling of out_dir and
 * renamed into place at the end, so out_dir holds the complete new run after
 * TC_OK and is left as it was after a failure (run.c: "the run folder").
 * A non-empty out_dir is refused unless o->force, which replaces a folder
 * holding only run files; parent folders are created. */
tc_status tc_run(tc_error *err, tc_run_summary *sum, const tc_run_opts *o) TC_MUST_CHECK;

/* The receipt's model digest (src/protocol/digest.c, docs/formats.md "Model
 * digest"): SHA-256 over the sorted list of (name, length, SHA-256) of
 * config.json, generation_config.json, tokenizer.json,
 * model.safetensors.index.json (those present) and every *.safetensors. */
tc_status tc_model_digest(tc_error *err, uint8_t out[32], const char *model_dir) TC_MUST_CHECK;

#endif
