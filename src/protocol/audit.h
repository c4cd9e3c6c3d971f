/*
 * The verifier's side of the protocol (docs/design.md §5, docs/audit.md):
 *
 *   challenge  the verifier, after the commitment is fixed, draws one
 *              contiguous range of transformer blocks per budget and the
 *              hidden states to open (each range's input and output, the
 *              embedding output and the final states);
 *   respond    the prover answers with slice openings of those layers;
 *   audit      the verifier checks the openings, re-executes each range on
 *              its own copy of the model, and checks that every generated
 *              token follows from the committed final states.
 *
 * Numbering: hidden state i (0..L) is the Hugging Face output_hidden_states
 * entry (0 the embedding output, L after the final norm); block b (1..L)
 * maps hidden state b − 1 to hidden state b.  A range [a, b] re-executes
 * blocks a..b from hidden state a − 1 and compares hidden state b.
 */
#ifndef TC_PROTOCOL_AUDIT_H
#define TC_PROTOCOL_AUDIT_H

#include "pst/pst.h"
#include "tensor/quantize.h"
#include "util/util.h"

#define TC_AUDIT_MAX_RANGES 16                         /* budgets per challenge */
#define TC_AUDIT_MAX_OPEN (2 * TC_AUDIT_MAX_RANGES + 2) /* layers opened */

typedef enum tc_policy {
    TC_POLICY_WEIGHTED,   /* default: half uniform, half perturb-and-optimise */
    TC_POLICY_EXACT,      /* the MV-BCS optimum (deterministic, reference) */
    TC_POLICY_UNIFORM     /* one maximal window per budget, uniformly */
} tc_policy;

const char *tc_policy_name(tc_policy p);
bool tc_policy_from_name(tc_policy *p, const char *name);

/* What a challenge chooses among: the L transformer blocks, their costs
 * (parameters, as in `select optimize`) and significance scores. */
typedef struct tc_audit_blocks {
    size_t L;
    uint64_t *cost;          /* (L) */
    double *significance;    /* (L) */
} tc_audit_blocks;
void tc_audit_blocks_free(tc_audit_blocks *b);
/* Costs and significance from the model's ESD scores (tc_select), or from
 * a scores file (`select scores --out`) when scores_path is not NULL. */
tc_status tc_audit_blocks_from_model(tc_error *err, tc_audit_blocks *b, const char *model_dir,
                                     const char *scores_path, int n_threads) TC_MUST_CHECK;

typedef struct tc_challenge {
    /* what it binds to (hex) */
    char commitment[65], srs_id[65], model_digest[65], receipt_digest[65];
    char nonce[65];
    tc_policy policy;
    bool is_public;          /* ranges derived by Fiat–Shamir from the above */
    bool seeded;             /* drawn from a test seed: predictable */
    size_t L;
    size_t M;
    uint64_t budgets[TC_AUDIT_MAX_RANGES];
    int first[TC_AUDIT_MAX_RANGES], last[TC_AUDIT_MAX_RANGES]; /* blocks; 0, 0: none */
    double *coverage;        /* (L) P(block re-executed in one challenge) */
    double *coverage_uniform;/* (L) the same under the uniform policy */
    double coverage_stderr;  /* largest standard error of coverage[] (0: exact) */
    size_t n_open;
    int open_layers[TC_AUDIT_MAX_OPEN]; /* hidden-state indices, ascending */
} tc_challenge;
void tc_challenge_free(tc_challenge *c);

/* Per-block coverage probabilities of a policy for these budgets:
 * uniform and exact are exact; weighted is ½·uniform + ½·(perturb and
 * optimise, estimated from `samples` draws of a fixed-seed generator), so
 * every block's probability is at least half of uniform's by construction.
 * cov and cov_uniform are (L); *stderr_ the estimate's largest standard
 * error. */
tc_status tc_policy_coverage(tc_error *err, double *cov, double *cov_uniform, double *stderr_,
                             const tc_audit_blocks *b, const uint64_t *budgets, size_t M,
                             tc_policy policy, size_t samples) TC_MUST_CHECK;

/* Draws the ranges of one challenge from a 32-byte seed (the caller's OS
 * randomness, a test seed, or the public derivation), sets the open list
 * and the coverage.  The binding fields (commitment, ...) and the nonce are
 * the caller's. */
tc_status tc_challenge_draw(tc_error *err, tc_challenge *ch, const tc_audit_blocks *b,
                            const uint64_t *budgets, size_t M, tc_policy policy,
                            const uint8_t seed[32]) TC_MUST_CHECK;

/* The public (Fiat–Shamir) seed: SHA-256 over a label and the commitment,
 * SRS id, model digest and receipt digest (each 32 bytes). */
void tc_challenge_public_seed(uint8_t seed[32], const tc_challenge *ch);

/* challenge.json (docs/formats.md). */
tc_status tc_challenge_to_json(tc_error *err, char **json, const tc_challenge *ch) TC_MUST_CHECK;
tc_status tc_challenge_read(tc_error *err, tc_challenge *ch, const char *path) TC_MUST_CHECK;

/* ------------------------------------------------------------- respond */

typedef struct tc_respond_opts {
    const char *run_dir;
    const char *srs_path;        /* NULL: run_dir/srs.tcs */
    const tc_pst_srs *srs;       /* or an SRS already loaded (then srs_path is unused) */
    const char *challenge_path;
    const char *out_path;
    int n_threads;
} tc_respond_opts;

/* Opens the layers the challenge asks for, as slices of the run's grid,
 * and writes response.json.  Refuses a challenge for another commitment. */
tc_status tc_respond(tc_error *err, const tc_respond_opts *o) TC_MUST_CHECK;

/* response.json (docs/formats.md): one slice opening per opened layer, all
 * at the level that fixes the layer axis; values as int64 little-endian,
 * base64. */
typedef struct tc_response {
    char commitment[65], nonce[65], challenge_digest[65];
    tc_pst_shape shape;
    int level;                              /* variables of the layer axis */
    size_t n;
    int layers[TC_AUDIT_MAX_OPEN];
    int64_t *values[TC_AUDIT_MAX_OPEN];     /* (count) each, owned */
    tc_pst_slice slices[TC_AUDIT_MAX_OPEN]; /* values as field elements, owned */
    char fault[TC_AUDIT_MAX_OPEN][TC_PST_FAULT_LEN]; /* "" when well formed */
} tc_response;
void tc_response_free(tc_response *r);
tc_status tc_response_to_json(tc_error *err, char **json, const tc_response *r) TC_MUST_CHECK;
/* A malformed file is TC_EFORMAT; a proof point that does not decode is
 * recorded in fault[] (the audit rejects it). */
tc_status tc_response_read(tc_error *err, tc_response *r, const char *path) TC_MUST_CHECK;

/* The verifier's cache (audit_cache.c: what is remembered and why that is
 * sound).  key_checked: whether this exact key file passed the level check
 * before; key_remember records that it did.  model_digest: the folder's
 * digest, from the cache when no file changed (*from_cache), else computed
 * and remembered. */
tc_status tc_audit_cache_key_checked(tc_error *err, bool *checked, const char *cache,
                                     const char *vk_path) TC_MUST_CHECK;
tc_status tc_audit_cache_key_remember(tc_error *err, const char *cache,
                                      const char *vk_path) TC_MUST_CHECK;
tc_status tc_audit_cache_model_digest(tc_error *err, uint8_t digest[32], bool *from_cache,
                                      const char *cache, const char *model_dir) TC_MUST_CHECK;

/* --------------------------------------------------------------- audit */

typedef struct tc_audit_opts {
    const char *receipt_path, *vk_path, *model_dir, *challenge_path, *response_path;
    double tolerance;            /* largest |x − x'| per value (hidden-state units);
                                    < 0: exact for runs whose blocks read the
                                    committed values, else TC_AUDIT_DEFAULT_REL_TOL
                                    of the largest |value| of each range's output */
    const char *cache_dir;       /* NULL, or a folder remembering checked keys and
                                    model digests between audits (audit_cache.c) */
    double max_step;             /* largest quantization step accepted (hidden-state
                                    units); <= 0: TC_AUDIT_DEFAULT_MAX_STEP */
    int n_threads;
    /* one line per check for a person (may be NULL) */
    void (*report)(void *ctx, bool ok, const char *name, const char *line);
    void *report_ctx;
} tc_audit_opts;

/* Default tolerance of the BLAS mode, relative to the largest |value| of
 * the layer compared: honest runs measured 1.4e-6 at most (1 and 2 threads,
 * f32 and bf16 weights, native and portable builds; docs/audit.md). */
#define TC_AUDIT_DEFAULT_REL_TOL 2e-5

/* Largest quantization step an audit accepts by default: 10^-6 (`run`'s
 * default is 10^-8, decimal rule with s = 8). */
#define TC_AUDIT_DEFAULT_MAX_STEP 1e-6

typedef struct tc_audit_result {
    bool accept;
    char first_failure[64];      /* name of the first failing check, "" */
    void *report_json;           /* json_t * (new reference): the full report */
} tc_audit_result;

/* Status ≠ TC_OK: an input could not be read (the file is named); else the
 * verdict is res->accept.  The caller json_decref's res->report_json. */
tc_status tc_audit(tc_error *err, tc_audit_result *res, const tc_audit_opts *o) TC_MUST_CHECK;

/* Check 4: every generated token tokens[n_prompt..T) follows from the
 * final hidden states h (T, dim), the dequantized committed values: at
 * temperature 0 the token is the argmax of head(h[p − 1]) (lowest id on
 * ties); where `exact` is false (the prover's logits may differ in the
 * last bits) a larger logit is allowed within the bound quantization and
 * float rounding put on the difference of two logits (docs/audit.md).
 * With sampling the seeded sampler is replayed.  A stop token before the
 * last position is counted in stops_inside. */
typedef struct tc_token_check {
    size_t generated, wrong, first_wrong, near_ties, stops_inside;
    double smallest_margin;      /* INFINITY when nothing was compared */
    bool greedy;
} tc_token_check;
typedef struct tc_session tc_session;
typedef struct tc_sampler tc_sampler;
tc_status tc_check_tokens(tc_error *err, tc_token_check *res, tc_session *s,
                          const tc_quant_params *q, bool exact, const tc_sampler *smp,
                          const int32_t *tokens, size_t T, size_t n_prompt,
                          const float *h) TC_MUST_CHECK;
/* The check's lines for a person, through out(ctx, ok, line). */
void tc_token_check_lines(const tc_token_check *r, bool exact,
                          void (*out)(void *ctx, bool ok, const char *line), void *ctx);

/* Block-boundary rounding for tc_engine_opts.round: x ← dequantize(quantize(x))
 * under the quantization params in ctx (values that do not quantize are
 * left as they are; quantizing them later fails with a message). */
void tc_audit_round(void *ctx, float *x, size_t n);

#endif
