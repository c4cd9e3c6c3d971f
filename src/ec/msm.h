/*
 * Multi-scalar multiplication on BN254: Σ k_i·P_i.
 *
 * G1 MSM is Pippenger's bucket method (Pippenger 1976; Bernstein et al.,
 * "Faster batch forgery identification", 2012, §4) with
 *   - signed (Booth) window digits d ∈ [−2^(c−1), 2^(c−1)], so one window
 *     needs only 2^(c−1) buckets (the sign picks ±P_i);
 *   - bucket accumulation in batch-affine form: a queue of independent
 *     affine additions that share one field inversion (Montgomery's trick),
 *     additions to a bucket already in the queue deferred to the next round,
 *     and extended-Jacobian (XYZZ) buckets as overflow when the same bucket
 *     is hit many times (Aztec barretenberg, gnark-crypto);
 *   - the running-sum reduction Σ_b b·B_b = Σ_b (Σ_{b'≥b} B_b');
 *   - the window size c chosen from n, the largest scalar bit length present
 *     and the thread count by a time model calibrated with forced windows,
 *     one per batch-addition kernel (docs/msm.md).
 * Scalars come in three kinds: canonical Fr (Montgomery tc_fr, up to 254
 * bits), and signed 64-/128-bit integers, where a negative k contributes
 * |k|·(−P) with no reduction mod r (commitments to activations, docs/design.md §3.2).
 *
 * Threads: the work splits into (window, point range) tasks; each task's
 * window sum lands in its own slot and the slots are combined in a fixed
 * order, and the result is returned normalised (Z = 1 or infinity), so the
 * output bytes do not depend on n_threads.
 *
 * No allocation inside the MSM: the caller passes scratch of at least
 * tc_msm_g1_scratch_size() bytes.  Setup helpers (tables) do allocate and
 * say so.  Bases must be valid G1 points (on the curve; affine, with
 * `infinity` set for the point at infinity) — validate at the edge.
 */
#ifndef TC_EC_MSM_H
#define TC_EC_MSM_H

#include <stddef.h>
#include <stdint.h>

#include "tensorcommit.h"
#include "ec/curve.h"

typedef signed __int128 tc_i128;

typedef enum tc_scalar_kind {
    TC_SCALAR_FR = 0,    /* const tc_fr *: canonical field elements */
    TC_SCALAR_I64 = 1,   /* const int64_t *: signed, negative negates the base */
    TC_SCALAR_I128 = 2,  /* const tc_i128 *: signed, likewise */
} tc_scalar_kind;

/* A view of n scalars of one kind (not owned). */
typedef struct tc_scalars {
    tc_scalar_kind kind;
    union {
        const tc_fr *fr;      /* (n) */
        const int64_t *i64;   /* (n) */
        const tc_i128 *i128;  /* (n) */
    } v;
} tc_scalars;

static inline tc_scalars tc_scalars_fr(const tc_fr *v) { tc_scalars s = {TC_SCALAR_FR, {.fr = v}}; return s; }
static inline tc_scalars tc_scalars_i64(const int64_t *v) { tc_scalars s = {TC_SCALAR_I64, {.i64 = v}}; return s; }
static inline tc_scalars tc_scalars_i128(const tc_i128 *v) { tc_scalars s = {TC_SCALAR_I128, {.i128 = v}}; return s; }

#define TC_MSM_MAX_WINDOW 17u
#define TC_MSM_MAX_THREADS 256u

typedef struct tc_msm_opts {
    unsigned n_threads;   /* ≥ 1; 0 means 1 */
    unsigned window;      /* 0: automatic; else force c in 1..TC_MSM_MAX_WINDOW.
                           * Table MSM: nonzero forces the table (its own c)
                           * whenever it covers the scalars */
} tc_msm_opts;

/* Bytes of scratch tc_msm_g1_var needs for n scalars of this kind with these
 * options (NULL: one thread, automatic window).  Covers every window the
 * automatic choice can pick for this n, whatever the scalars' bit lengths.
 * Returns 0 only on size overflow. */
size_t tc_msm_g1_scratch_size(size_t n, tc_scalar_kind kind, const tc_msm_opts *opts);

/* out = Σ_{i<n} k_i·bases[i], normalised (Z = 1, or infinity).
 * bases: (n) valid G1 points; scalars: (n) of one kind; n = 0 gives
 * infinity.  scratch: ≥ tc_msm_g1_scratch_size(n, kind, opts) bytes, any
 * alignment; it must not overlap the inputs.  n_threads above
 * TC_MSM_MAX_THREADS is clamped.  Errors: TC_EARG for a scratch too small,
 * a window out of range, an unknown scalar kind, NULL inputs with n > 0.
 * Cost: about (⌊b/c⌋ + 1)·(n + 2^c) group additions for b-bit scalars. */
tc_status tc_msm_g1_var(tc_error *err, tc_g1 *out, const tc_g1_affine *bases,
                        tc_scalars scalars, size_t n, const tc_msm_opts *opts,
                        void *scratch, size_t scratch_size) TC_MUST_CHECK;

/* The window the automatic choice takes for n scalars of at most `bits`
 * bits on n_threads threads (exposed for tests and the benchmark): a pure
 * function of these and of the batch-addition kernel in use. */
unsigned tc_msm_g1_window(size_t n, unsigned bits, unsigned n_threads);
/* The same for a given kernel: ifma true for the AVX-512 IFMA batch
 * addition, false for the scalar one (TC_NO_IFMA=1 or no IFMA). */
unsigned tc_msm_g1_window_kernel(size_t n, unsigned bits, unsigned n_threads, bool ifma);

/* Whether tc_msm_g1_var uses the AVX-512 IFMA batch addition in this process. */
bool tc_msm_uses_ifma(void);

/* Same sum by double-and-add per term (tc_g1_mul_ref) and Jacobian
 * additions: the slow reference, for tests. */
void tc_msm_g1_ref(tc_g1 *out, const tc_g1_affine *bases, tc_scalars scalars, size_t n);

/* ---- fixed bases: precomputed shifted copies ---------------------------- */

/* For fixed bases (the SRS), pts[w·n + i] = 2^(c·w)·bases[i] for
 * w < n_windows: an MSM whose scalars fit in c·n_windows − 1 bits then
 * needs no doublings, and all windows share one set of buckets.
 * Immutable after init; shareable between threads. */
typedef struct tc_msm_table {
    size_t n;              /* number of bases */
    unsigned c;            /* window bits */
    unsigned n_windows;    /* shifted copies per base */
    tc_g1_affine *pts;     /* (n_windows, n) */
} tc_msm_table;

/* Scalars of up to max_bits bits use the table alone; bytes it occupies. */
size_t tc_msm_table_bytes(size_t n, unsigned c, unsigned max_bits);
/* A window for a table over n bases serving scalars of max_bits bits. */
unsigned tc_msm_table_window(size_t n, unsigned max_bits);
/* Builds the table (allocates; setup-time).  c in 1..TC_MSM_MAX_WINDOW,
 * max_bits in 1..254.  On failure t is left empty (pts NULL). */
tc_status tc_msm_table_init(tc_error *err, tc_msm_table *t, const tc_g1_affine *bases,
                            size_t n, unsigned c, unsigned max_bits,
                            unsigned n_threads) TC_MUST_CHECK;
void tc_msm_table_free(tc_msm_table *t);   /* NULL-safe, idempotent */

/* Scratch for tc_msm_g1_table_var with n scalars (n ≤ t->n); opts as below. */
size_t tc_msm_g1_table_scratch_size(const tc_msm_table *t, size_t n, tc_scalar_kind kind,
                                    const tc_msm_opts *opts);
/* out = Σ_{i<n} k_i·bases[i] using the table (n ≤ t->n: a prefix of the
 * bases).  Scalars wider than the table covers, or so narrow that the
 * plain MSM with its own window is modelled faster, go to the plain MSM
 * over the table's first copy (the bases), with the same scratch
 * (a nonzero opts->window keeps the table for every covered scalar).
 * Same contract as tc_msm_g1_var otherwise. */
tc_status tc_msm_g1_table_var(tc_error *err, tc_g1 *out, const tc_msm_table *t,
                              tc_scalars scalars, size_t n, const tc_msm_opts *opts,
                              void *scratch, size_t scratch_size) TC_MUST_CHECK;

/* ---- fixed-base batch generation (setup) --------------------------------- */

/* out[i] = k[i]·base for i < n, affine.  A windowed table of signed
 * multiples of base (about 2^(c−1)·⌈255/c⌉ points) is built once, then
 * every output is a sum of ⌈255/c⌉ table points, done as batch-affine
 * rounds (one inversion per chunk and round).  Allocates the table and
 * per-thread buffers (setup-time); 0 < n_threads. */
tc_status tc_g1_fixed_base_batch_var(tc_error *err, tc_g1_affine *out, const tc_g1_affine *base,
                                     const tc_fr *k, size_t n, unsigned n_threads) TC_MUST_CHECK;

/* ---- G2 ---------------------------------------------------------------- */

/* Scratch for tc_msm_g2_var over n terms (any alignment). */
size_t tc_msm_g2_scratch_size(size_t n);
/* out = Σ k_i·bases[i] in G2 (Jacobian buckets, unsigned windows, one
 * thread): for the verification key and ceremony-sized inputs. */
tc_status tc_msm_g2_var(tc_error *err, tc_g2 *out, const tc_g2_affine *bases, const tc_fr *k,
                        size_t n, void *scratch, size_t scratch_size) TC_MUST_CHECK;

#endif
