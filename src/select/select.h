/* Layer selection: heavy-tailed ESD significance scores and the exact
 * multi-verifier budgeted contiguous selection (MV-BCS).
 *
 * Specification: docs/layer-selection.md (section numbers below refer to it).
 *
 *   weights ─► eigenvalues of WᵀW (§3) ─► power-law fit, metric (§4-5)
 *           ─► pruning ratio, significance (§6) ─► MV-BCS ranges (§7)
 *
 * Nothing here prints.  Bad input returns a status with a message naming the
 * file or field; a power-law fit that does not exist (too few eigenvalues, a
 * constant tail) is a result (tc_esd_fit.ok = false), not an error.
 */
#ifndef TC_SELECT_H
#define TC_SELECT_H

#include "tensorcommit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ ESD fits (§4) */

typedef enum tc_esd_mode {
    TC_ESD_FULL,      /* every xmin candidate (WeightWatcher's default alpha) */
    TC_ESD_XMIN_MID,  /* the single candidate floor(N/2) */
    TC_ESD_XMIN_PEAK  /* histogram-peak window (AlphaPruning's default) */
} tc_esd_mode;

typedef enum tc_select_metric {
    TC_METRIC_ALPHA_PEAK, /* xmin_peak, filter_zeros = false (default) */
    TC_METRIC_ALPHA_MID,  /* xmin_mid,  filter_zeros = false */
    TC_METRIC_ALPHA       /* full,      filter_zeros = true  */
} tc_select_metric;

#define TC_ESD_PEAK_BINS 100
#define TC_ESD_EVALS_THRESH 1e-5

typedef struct tc_esd_fit {
    bool ok;
    const char *reason;     /* static text when !ok, else NULL */
    double alpha;           /* 1 + n / S_i (Hill MLE, §4.2) */
    double xmin;            /* λ_i */
    double D;               /* KS distance of the winning candidate */
    size_t xmin_index;      /* i, into the prepared ascending list */
    size_t n_tail;          /* N - i */
    size_t num_evals;       /* N after filtering (§4.1) */
    size_t num_candidates;  /* size of the candidate set (§4.4) */
    /* xmin_peak only (zero otherwise) */
    double peak;            /* left edge of the first fullest bin */
    int peak_bin;
    double xmin_range_lo;   /* log10(0.95 * peak), kept as specified */
    double xmin_range_hi;   /* 1.5 * peak */
} tc_esd_fit;

/* Fits a power law to the tail of the eigenvalues (any order; finite and
 * >= 0, else TC_EFORMAT).  Cost O(N log N + N * candidates); allocates O(N). */
tc_status tc_esd_fit_run(tc_error *err, tc_esd_fit *fit, const double *evals,
                         size_t n, tc_esd_mode mode, bool filter_zeros) TC_MUST_CHECK;

/* The fit mode and filter of a metric (§5 table). */
tc_esd_mode tc_select_metric_mode(tc_select_metric m);
bool tc_select_metric_filter_zeros(tc_select_metric m);
const char *tc_select_metric_name(tc_select_metric m);
bool tc_select_metric_parse(tc_select_metric *m, const char *name);

/* Shorthand: the fit for a metric. */
tc_status tc_esd_fit_metric(tc_error *err, tc_esd_fit *fit, const double *evals,
                            size_t n, tc_select_metric m) TC_MUST_CHECK;

/* Norm metrics on the full unfiltered list (§5).  Logs of 0 are -inf. */
typedef struct tc_esd_norms {
    double spectral_norm;      /* λ_max */
    double norm;               /* Σ λ (ascending, sequential) */
    double log_norm;           /* log10 Σ λ */
    double log_spectral_norm;  /* log10 λ_max */
    double stable_rank;        /* Σ λ / λ_max */
} tc_esd_norms;

/* evals must be valid as for tc_esd_fit_run (n may be 0: all zeros). */
tc_status tc_esd_norms_compute(tc_error *err, tc_esd_norms *out, const double *evals,
                               size_t n) TC_MUST_CHECK;
/* alpha_hat = alpha * log10(λ_max). */
double tc_esd_alpha_hat(double alpha, double lambda_max);
/* log10 Σ λ^alpha over the list in the given order. */
double tc_esd_log_alpha_norm(const double *evals, size_t n, double alpha);

/* ----------------------------------------------------- eigenvalues (§3) */

typedef enum tc_eig_method {
    TC_EIG_SVD,   /* dgesdd singular values squared (default, §3 as written) */
    TC_EIG_GRAM   /* dsyrk Gram matrix on the smaller side + dsyevd: ~3x faster */
} tc_eig_method;

const char *tc_eig_method_name(tc_eig_method m);
bool tc_eig_method_parse(tc_eig_method *m, const char *name);

/* Eigenvalues of WᵀW for a (rows, cols) row-major matrix, ascending;
 * evals receives min(rows, cols) values.  w is overwritten.
 * Cost O(rows·cols·min(rows,cols)).
 *
 * TC_EIG_SVD: the squared singular values (LAPACK dgesdd, double), with the
 * numerical-rank filter σ <= σ_max·max(rows,cols)·2⁻⁵² → 0 (§3 step 3).
 * TC_EIG_GRAM: G = WᵀW or WWᵀ (whichever is smaller, BLAS dsyrk) and its
 * eigenvalues (LAPACK dsyevd).  Its absolute error is about
 * eps·λ_max·max(rows,cols), so the rank filter works at that level:
 * λ <= λ_max·max(rows,cols)·2⁻⁵² → 0 (negative rounding noise included).
 * The two agree to ~1e-13·λ_max; they differ only on matrices whose
 * eigenvalues go below ~1e-13·λ_max, which trained weights do not have. */
tc_status tc_esd_eigenvalues_with(tc_error *err, double *evals, double *w /* (rows, cols) */,
                                  size_t rows, size_t cols, tc_eig_method method) TC_MUST_CHECK;

/* tc_esd_eigenvalues_with(..., TC_EIG_SVD). */
tc_status tc_esd_eigenvalues(tc_error *err, double *evals, double *w /* (rows, cols) */,
                             size_t rows, size_t cols) TC_MUST_CHECK;

/* ------------------------------------- ratios and significance (§6) */

typedef enum tc_select_mapping { TC_MAP_BLOCK_WISE, TC_MAP_LAYER_WISE } tc_select_mapping;

const char *tc_select_mapping_name(tc_select_mapping m);
bool tc_select_mapping_parse(tc_select_mapping *m, const char *name);

typedef struct tc_select_map_params {
    double sparsity;            /* S in [0, 1] (default 0.7) */
    double epsilon;             /* ε in [0, 1] (default 0.3) */
    tc_select_mapping mapping;  /* default block_wise */
    bool clamp;                 /* clamp ratios to [0, 1] (default true) */
    size_t num_blocks;          /* L must be a multiple of it */
} tc_select_map_params;

void tc_select_map_params_default(tc_select_map_params *p, size_t num_blocks);

/* Metric → pruning ratio → significance (§6 steps 1-5).  ratios and
 * significance receive L values each; they may not alias the inputs. */
tc_status tc_select_map(tc_error *err, double *ratios, double *significance,
                        const double *metrics, const uint64_t *num_parameters,
                        size_t L, const tc_select_map_params *p) TC_MUST_CHECK;

/* ------------------------------------------------------------- MV-BCS (§7) */

#define TC_MVBCS_MAX_VERIFIERS 16
/* Largest DP table the solver allocates (G, choices): 13 bytes per cell. */
#define TC_MVBCS_MAX_TABLE_BYTES ((size_t)4 << 30)

/* One verifier's interval, 0-based inclusive; {-1, -1} when empty. */
typedef struct tc_mvbcs_range {
    int64_t start, end;
} tc_mvbcs_range;

/* Exact solver (§7.3): the subset DP with one sliding-window deque per
 * (verifier set, verifier), canonical tie-breaking (§7.4).  values: L finite
 * numbers >= 0; costs: L integers > 0; budgets: M integers >= 0.  At most 16
 * verifiers whose budget reaches the cheapest unit (the rest are always
 * empty).  Writes *optimum = G[full][L] and M ranges.  Time O(2^M·M·L),
 * memory about 13·2^M·L bytes (TC_EUNSUPPORTED above
 * TC_MVBCS_MAX_TABLE_BYTES). */
tc_status tc_mvbcs_solve(tc_error *err, double *optimum, tc_mvbcs_range *assignment,
                         const double *values, const uint64_t *costs, size_t L,
                         const uint64_t *budgets, size_t M) TC_MUST_CHECK;

/* Exhaustive reference (§7.6 brute_force): every verifier takes nothing or
 * any feasible interval, pairwise disjoint; only an admissible bound prunes.
 * Exponential: for tests (L <= 64).  Returns one optimal assignment (not
 * necessarily the canonical one). */
tc_status tc_mvbcs_solve_ref(tc_error *err, double *optimum, tc_mvbcs_range *assignment,
                             const double *values, const uint64_t *costs, size_t L,
                             const uint64_t *budgets, size_t M) TC_MUST_CHECK;

/* Checks an assignment: M ranges, each empty or inside [0, L), within its
 * budget, pairwise disjoint.  On success *value is the covered value summed
 * left to right over the units; an infeasible assignment is TC_EFORMAT. */
tc_status tc_mvbcs_check(tc_error *err, double *value, const tc_mvbcs_range *assignment,
                         const double *values, const uint64_t *costs, size_t L,
                         const uint64_t *budgets, size_t M) TC_MUST_CHECK;

/* An MV-BCS instance file: an object with "values" (numbers >= 0), "costs"
 * (integers > 0, as many), "budgets" (integers >= 0; integral reals such as
 * 1e15 accepted); "L"/"M" are checked when present.  A file with "cases"
 * (the vectors' layout) needs case_id to pick one by "id"; one with
 * "matrices" (stories260K_fits.json) picks by "name". */
typedef struct tc_mvbcs_instance {
    size_t L, M;
    double *values;     /* (L) */
    uint64_t *costs;    /* (L) */
    uint64_t *budgets;  /* (M) */
} tc_mvbcs_instance;

tc_status tc_mvbcs_instance_read(tc_error *err, tc_mvbcs_instance *inst, const char *path,
                                 const char *case_id) TC_MUST_CHECK;
void tc_mvbcs_instance_free(tc_mvbcs_instance *inst);

/* An eigenvalue file for `fit`: a JSON array of numbers, or an object with
 * "eigenvalues", or a file with "cases" and case_id as above.  Values must
 * be finite and >= 0.  *evals is malloc'ed (*n may be 0). */
tc_status tc_select_eigenvalues_read(tc_error *err, double **evals, size_t *n,
                                     const char *path, const char *case_id) TC_MUST_CHECK;

/* ---------------------------------------------------- scores (§2, §8.1) */

typedef struct tc_select_layer {
    char name[96];            /* "<block>.<path>", e.g. "0.self_attn.q_proj" */
    uint64_t num_parameters;  /* element count of the weight (the cost) */
    uint64_t shape[2];        /* as stored: Linear [out, in], Conv1D [in, out] */
    size_t block_index;
    double metric_value;      /* raw metric (filled with the mean if the fit failed) */
    bool fit_ok;
    double pruning_ratio;
    double significance;      /* 1 - pruning_ratio */
} tc_select_layer;

typedef struct tc_select_block {
    size_t start_layer, end_layer;  /* inclusive */
    uint64_t total_parameters;
    double sum_significance;        /* the MV-BCS value of the block */
    double avg_significance, avg_pruning_ratio;
} tc_select_block;

typedef struct tc_select_scores {
    char model_name[256];
    char model_type[32];
    char model_sha256[65];   /* "" when unknown */
    tc_select_metric metric;
    tc_select_map_params map;
    size_t num_layers;       /* prunable matrices */
    tc_select_layer *layers; /* (num_layers) */
    tc_select_block *blocks; /* (map.num_blocks) */
} tc_select_scores;

void tc_select_scores_init(tc_select_scores *s);
void tc_select_scores_free(tc_select_scores *s);   /* NULL-safe */

/* Called after each matrix (under a lock, from whichever thread finished
 * it): done of total matrices, the one just finished named. */
typedef void (*tc_select_progress_fn)(void *ctx, size_t done, size_t total,
                                      const char *name);

/* Loads prunable matrix `index` into w (rows, cols) as double.  Called from
 * worker threads concurrently: must be thread-safe. */
typedef tc_status (*tc_select_load_fn)(void *ctx, tc_error *err, double *w,
                                       size_t index);

typedef struct tc_select_options {
    tc_select_metric metric;
    tc_select_map_params map;      /* num_blocks is set by the model */
    int n_threads;                 /* >= 1 */
    tc_eig_method eig;             /* TC_EIG_SVD (default) or TC_EIG_GRAM */
    tc_select_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} tc_select_options;

void tc_select_options_default(tc_select_options *o);

/* The core of scoring: s->layers[] must hold names, shapes, block indices
 * and num_parameters; s->map.num_blocks must be set.  Computes every
 * matrix's eigenvalues and fit on n_threads threads (results combined in
 * layer order: identical for any thread count), fills failed fits with the
 * mean (§5), maps to ratios and significance (§6), and aggregates blocks. */
tc_status tc_select_scores_compute(tc_error *err, tc_select_scores *s,
                                   tc_select_load_fn load, void *load_ctx,
                                   const tc_select_options *o) TC_MUST_CHECK;

/* Scores for a Hugging Face model folder (config.json + safetensors):
 * llama, mistral, qwen2, qwen3, opt and gpt2 layouts (§2). */
tc_status tc_select_scores_from_model(tc_error *err, tc_select_scores *s,
                                      const char *model_dir,
                                      const tc_select_options *o) TC_MUST_CHECK;

/* Recomputes ratios, significance and blocks from the layers' metric
 * values (used by scores_compute; exposed for tests). */
tc_status tc_select_scores_finish(tc_error *err, tc_select_scores *s) TC_MUST_CHECK;

/* Block aggregation (§6): cost = Σ num_parameters, value = Σ significance
 * in layer order, averages over layers_per_block.  Replaces s->blocks. */
tc_status tc_select_scores_blocks(tc_error *err, tc_select_scores *s) TC_MUST_CHECK;

/* The scores JSON (§8.1), serialised; *json is malloc'ed, NUL-terminated. */
tc_status tc_select_scores_to_json(tc_error *err, char **json,
                                   const tc_select_scores *s) TC_MUST_CHECK;

/* Reads a scores file (ours or the original tool's): needs
 * layers[].significance_score and num_parameters; names, block indices and
 * block structure are taken when present.  `path` names the file in errors. */
tc_status tc_select_scores_read(tc_error *err, tc_select_scores *s,
                                const char *path) TC_MUST_CHECK;

/* ------------------------------------------------------ plan (§8.2-8.3) */

typedef enum tc_select_unit { TC_UNIT_BLOCK, TC_UNIT_MATRIX } tc_select_unit;

typedef struct tc_select_plan {
    tc_select_unit unit;
    size_t L;                  /* units */
    double *values;            /* (L) */
    uint64_t *costs;           /* (L) */
    char (*names)[96];         /* (L) */
    size_t M;
    uint64_t *budgets;         /* (M) */
    tc_mvbcs_range *assignment;/* (M) */
    double optimum;            /* G[full][L] */
    double computed;           /* covered value, left to right */
} tc_select_plan;

void tc_select_plan_init(tc_select_plan *p);
void tc_select_plan_free(tc_select_plan *p);

/* Builds the units from scores at the given granularity and solves. */
tc_status tc_select_plan_solve(tc_error *err, tc_select_plan *p,
                               const tc_select_scores *s, tc_select_unit unit,
                               const uint64_t *budgets, size_t M) TC_MUST_CHECK;

/* The selection output (§8.3).  scores_file is recorded as given. */
tc_status tc_select_plan_to_json(tc_error *err, char **json, const tc_select_plan *p,
                                 const tc_select_scores *s,
                                 const char *scores_file) TC_MUST_CHECK;

/* Chart: per-unit significance bars, each verifier's range shaded, and a
 * legend with its budget use.  PNG through cairo, written atomically. */
tc_status tc_select_plot_png(tc_error *err, const char *path,
                             const tc_select_plan *p, const char *title) TC_MUST_CHECK;
/* The same PNG in memory (*png malloc'd), to write with other files. */
tc_status tc_select_plot_png_encode(tc_error *err, uint8_t **png, size_t *png_len,
                                    const tc_select_plan *p, const char *title) TC_MUST_CHECK;

#endif
