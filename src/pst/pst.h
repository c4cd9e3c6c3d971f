/*
 * PST tensor commitment (multivariate KZG over BN254), docs/design.md §3.2–3.3.
 *
 * A tensor T of shape (n_0, …, n_{m−1}) in C order is the table of values of
 * the unique polynomial f with deg_{x_i} f < n_i on the grid
 * D_0 × … × D_{m−1}, D_i = {0, …, n_i − 1}.  The commitment is [f(t)]₁ for
 * secret trapdoors t; an opening at z is y = f(z) with m proof points
 * π_i = [q_i(t_i, …, t_{m−1})]₁ where
 *     f_0 = f,  f_{i+1}(rest) = f_i(z_i, rest),
 *     q_i(x_i, rest) = (f_i(x_i, rest) − f_{i+1}(rest)) / (x_i − z_i).
 * Every polynomial is handled through its values on a suffix grid
 * (Lagrange form); the monomial form exists only as an export.
 *
 * Layers:
 *   - scalars (poly.c): Lagrange values and derivatives, folding, the
 *     quotient recursion, evaluation, interpolation to monomials;
 *   - keys (srs.c, srs_file.c): Lagrange keys at every level, the optional
 *     monomial key, the verification key, the SRS file;
 *   - commit.c, open.c, verify.c, proof.c (encodings and JSON).
 */
#ifndef TC_PST_PST_H
#define TC_PST_PST_H

#include "ec/curve.h"
#include "ec/field.h"
#include "ec/msm.h"
#include "util/util.h"

#define TC_PST_MAX_VARS 24   /* m ≤ 24 */
#define TC_PST_MAX_N 16      /* 1 ≤ n_i ≤ 16 */

typedef struct tc_pst_shape {
    int m;                          /* number of variables, 1..24 */
    uint32_t n[TC_PST_MAX_VARS];    /* n_i, 1..16; entries ≥ m are 0 */
} tc_pst_shape;

/* Checks 1 ≤ m ≤ 24, 1 ≤ n_i ≤ 16 and that the grid size fits a size_t. */
tc_status tc_pst_shape_check(tc_error *err, const tc_pst_shape *s) TC_MUST_CHECK;
/* Π_{i≥j} n_i: the size of the suffix grid at level j (1 at j = m). */
size_t tc_pst_suffix_size(const tc_pst_shape *s, int j);
bool tc_pst_shape_eq(const tc_pst_shape *a, const tc_pst_shape *b);
/* "6x6x6" style text for messages (out: at least 24·3 bytes). */
void tc_pst_shape_str(char *out, size_t cap, const tc_pst_shape *s);
/* Parses "6,6,6" into a shape; false on anything malformed. */
bool tc_pst_shape_parse(tc_pst_shape *s, const char *text);

/* Parses "z0,z1,.." (decimal field elements < r) into z; the count in *n.
 * False on anything malformed, on more than max entries or a value ≥ r. */
bool tc_pst_parse_fr_list(tc_fr *z, int *n, int max, const char *text);
/* A flat tensor of `count` values fits shape s (its grid size); else TC_EARG
 * naming both sizes. */
tc_status tc_pst_check_count(tc_error *err, const tc_pst_shape *s, size_t count) TC_MUST_CHECK;
/* Checks that an array of this shape holds a tensor for the SRS shape s:
 * the same dimensions, or (for m > 8, as files from before .npy grids of
 * up to 32 axes were read and written) a flat array of the grid's size.  Messages name `name`. */
tc_status tc_pst_check_tensor_shape(tc_error *err, const tc_pst_shape *s, int ndim,
                                    const int64_t *dims, const char *name) TC_MUST_CHECK;

/* ------------------------------------------------------------ scalars */

/* λ_j(x) = Π_{k≠j} (x − k)/(j − k) on D = {0..n−1} for j < n, and, when
 * dlam is not NULL, the derivatives λ'_j(x).  O(n³) field products. */
void tc_pst_lagrange(tc_fr *lam /* (n) */, tc_fr *dlam /* (n) or NULL */,
                     uint32_t n, const tc_fr *x);
/* True when z is a grid point of D = {0..n−1}; *u receives it. */
bool tc_pst_grid_index(uint32_t *u, const tc_fr *z, uint32_t n);

/* out[r] = Σ_u w[u]·in[u·rest + r]: the value at z of the leading variable
 * when w = λ(z).  out must not alias in. */
void tc_pst_fold(tc_fr *out /* (rest) */, const tc_fr *in /* (n, rest) */,
                 uint32_t n, size_t rest, const tc_fr *w /* (n) */);

/* One step of the opening recursion (docs/design.md §3.2) on the values of f_i on
 * D_i × rest:
 *   fnext[r]  = f_i(z, r)                            = Σ_u λ_u(z)·f[u, r]
 *   q[u, r]   = (f[u, r] − fnext[r]) / (u − z)       for u ≠ z
 *   q[z, r]   = Σ_u λ'_u(z)·f[u, r]                  when z ∈ D_i.
 * q and fnext must not alias f.  Columns split over n_threads. */
void tc_pst_quotient_step(tc_fr *q /* (n, rest) */, tc_fr *fnext /* (rest) */,
                          const tc_fr *f /* (n, rest) */, uint32_t n, size_t rest,
                          const tc_fr *z, int n_threads);

/* f(z) for the tensor of values `vals` (C order over the shape). */
tc_status tc_pst_eval(tc_error *err, tc_fr *y, const tc_pst_shape *s,
                      const tc_fr *vals, const tc_fr *z /* (m) */) TC_MUST_CHECK;

/* The quotient values Q_0..Q_{j−1} (q[i] has tc_pst_suffix_size(s, i)
 * entries, caller-allocated) and the remaining slice F_j (suffix size j)
 * of an opening at the first j coordinates of z.  j = m gives y = fj[0]. */
tc_status tc_pst_open_scalars(tc_error *err, tc_fr **q, tc_fr *fj, const tc_pst_shape *s,
                              const tc_fr *vals, const tc_fr *z, int j) TC_MUST_CHECK;

/* Monomial coefficients c[a] (C order over exponent tuples a_i < n_i) of the
 * polynomial with values `vals`: the per-axis inverse Vandermonde matrix
 * applied along each axis.  coef may alias vals.  O(N·Σ n_i) products. */
tc_status tc_pst_interpolate(tc_error *err, tc_fr *coef, const tc_fr *vals,
                             const tc_pst_shape *s, int n_threads) TC_MUST_CHECK;
/* coef_of_lagrange[a·n + u] = coefficient of x^a in λ_u(x) on {0..n−1}. */
void tc_pst_lagrange_monomials(tc_fr *mat /* (n, n) */, uint32_t n);

/* The research code's coefficients.json:
 *   {"dims": [n_0, ...], "degree_bound": max n_i, "coefficients": ["…", …]}
 * with decimal strings in C order.  *json is malloc'd, NUL-terminated. */
tc_status tc_pst_coefficients_json(tc_error *err, char **json, const tc_pst_shape *s,
                                   const tc_fr *coef) TC_MUST_CHECK;

/* --------------------------------------------------------- utilities */

/* Runs fn(ctx, lo, hi) over [0, count) split into n_threads contiguous
 * ranges (the calling thread takes the first).  Output written by each range
 * must be disjoint, so results never depend on n_threads. */
typedef void (*tc_pst_range_fn)(void *ctx, size_t lo, size_t hi);
void tc_pst_parallel(int n_threads, size_t count, tc_pst_range_fn fn, void *ctx);

/* Progress callback: stage name and a fraction in [0, 1]. */
typedef void (*tc_pst_progress_fn)(void *ctx, const char *stage, double frac);

/* ---------------------------------------------------------------- keys */

typedef enum tc_pst_origin {
    TC_PST_ORIGIN_RANDOM = 1,     /* trapdoors from the OS, wiped */
    TC_PST_ORIGIN_SEEDED = 2,     /* trapdoors derived from a seed: testing only */
    TC_PST_ORIGIN_EXPLICIT = 3,   /* trapdoors given by the caller: testing only */
    TC_PST_ORIGIN_CEREMONY = 4,   /* from a multi-party ceremony (not produced here) */
} tc_pst_origin;

const char *tc_pst_origin_name(tc_pst_origin o);   /* "random", …; "?" otherwise */
/* The origin called `name` (exactly one of the four names); false otherwise. */
bool tc_pst_origin_from_name(tc_pst_origin *o, const char *name);
/* Seeded or explicit trapdoors: whoever knows them can forge proofs, so a
 * verification against such a key proves nothing to a third party. */
bool tc_pst_origin_is_testing(tc_pst_origin o);
/* The warning every verification with a testing key prints (one line). */
#define TC_PST_TESTING_WARNING                                                       \
    "WARNING: the key's origin is %s (testing only): whoever knows its seed or "   \
    "trapdoors can forge any proof, so this verification proves nothing"


/* The verification key: [1]₁, [1]₂ and [t_i]₂ (docs/design.md §3.2).  `prep` holds
 * m + 1 tc_g2_prepared (ec/pairing.h): [1]₂ then −[t_i]₂, the fixed G2 sides
 * of the verification equation; built by tc_pst_vk_prepare (loading and
 * setup do it) and freed by tc_pst_vk_free. */
typedef struct tc_pst_vk {
    tc_pst_shape shape;
    tc_g1_affine g1;
    tc_g2_affine g2;
    tc_g2_affine tau[TC_PST_MAX_VARS];
    void *prep;                     /* owned; NULL until prepared */
} tc_pst_vk;

/* Fills vk->prep; idempotent. */
tc_status tc_pst_vk_prepare(tc_error *err, tc_pst_vk *vk) TC_MUST_CHECK;
void tc_pst_vk_free(tc_pst_vk *vk);        /* frees prep only; NULL-safe */

/* A structured reference string for one shape.  Invariants: level j of the
 * Lagrange key (ck + level_off[j], tc_pst_suffix_size(shape, j) points)
 * holds [Π_{i≥j} λ_{i,b_i}(t_i)]₁ in C order over (b_j..b_{m−1}); level m
 * is the single point [1]₁.  Immutable once built or loaded. */
typedef struct tc_pst_srs {
    tc_pst_shape shape;
    tc_pst_origin origin;
    size_t level_off[TC_PST_MAX_VARS + 1];
    size_t n_points;                /* Σ_j suffix sizes: points in ck */
    tc_g1_affine *ck;               /* (n_points) all levels, owned */
    tc_g1_affine *mk;               /* (N) [Π t_i^{a_i}]₁ in C order, or NULL */
    tc_pst_vk vk;
    uint8_t id[32];                 /* SHA-256 of the SRS file content */
} tc_pst_srs;

static inline const tc_g1_affine *tc_pst_srs_level(const tc_pst_srs *s, int j)
{
    return s->ck + s->level_off[j];
}

typedef struct tc_pst_setup_opts {
    int n_threads;                  /* ≥ 1 */
    bool monomial;                  /* also produce the monomial key */
    tc_pst_progress_fn progress;    /* may be NULL */
    void *progress_ctx;
} tc_pst_setup_opts;

/* Builds the SRS from explicit trapdoors t (m of them).  Level 0 costs one
 * fixed-base batch multiplication of N scalars; level j+1 is the sum of
 * level j over its first coordinate (Σ_u λ_{j,u} = 1).  srs->id is set by
 * tc_pst_srs_encode/tc_pst_srs_write.  The trapdoor copies made here are
 * wiped before returning. */
tc_status tc_pst_setup(tc_error *err, tc_pst_srs *srs, const tc_pst_shape *shape,
                       const tc_fr *t, tc_pst_origin origin,
                       const tc_pst_setup_opts *opts) TC_MUST_CHECK;
/* Trapdoors from the OS random source (wiped after use). */
tc_status tc_pst_setup_random(tc_error *err, tc_pst_srs *srs, const tc_pst_shape *shape,
                              const tc_pst_setup_opts *opts) TC_MUST_CHECK;
/* Trapdoors t_i = SHA-256("tensorcommit pst trapdoor" ‖ seed ‖ le32(i) ‖ 0x00)
 * ‖ SHA-256(… ‖ 0x01), 64 bytes little-endian reduced mod r (docs/pst.md).  For tests only: anyone with
 * the seed can forge proofs.  Origin "seeded". */
tc_status tc_pst_setup_seeded(tc_error *err, tc_pst_srs *srs, const tc_pst_shape *shape,
                              const uint8_t *seed, size_t seed_len,
                              const tc_pst_setup_opts *opts) TC_MUST_CHECK;
#define TC_PST_MAX_SEED 128
void tc_pst_seed_trapdoors(tc_fr *t, int m, const uint8_t *seed, size_t seed_len);
void tc_pst_srs_free(tc_pst_srs *srs);     /* NULL-safe, leaves *srs zeroed */

/* SRS file (docs/formats.md): magic, version, shape, origin, vk, every
 * Lagrange level, the optional monomial key, SHA-256 of all that.  Encode
 * sets srs->id. */
tc_status tc_pst_srs_encode(tc_error *err, uint8_t **buf, size_t *len,
                            tc_pst_srs *srs) TC_MUST_CHECK;
tc_status tc_pst_srs_write(tc_error *err, const char *path, tc_pst_srs *srs) TC_MUST_CHECK;
/* Maps the file, checks the digest, the header and that every point is a
 * canonical curve point; srs->id is the digest.  n_threads for decoding. */
tc_status tc_pst_srs_load(tc_error *err, tc_pst_srs *srs, const char *path,
                          int n_threads) TC_MUST_CHECK;
tc_status tc_pst_srs_decode(tc_error *err, tc_pst_srs *srs, const uint8_t *buf, size_t len,
                            const char *name, int n_threads) TC_MUST_CHECK;
/* Structural check with random linear combinations (verify.c): every level
 * is the sum of the one below over its first coordinate, level 0 is
 * consistent with the verification key (e(ck_j[u, ·] combos, [1]₂) against
 * [t_j]₂), and the monomial key, if present, matches.  *ok false with the
 * reason in err->msg when a check fails; status ≠ TC_OK only on failures to
 * compute (memory). */
tc_status tc_pst_srs_check(tc_error *err, bool *ok, const tc_pst_srs *srs,
                           int n_threads) TC_MUST_CHECK;

/* ------------------------------------------------------- commit, open */

/* C = Σ_b vals[b]·ck_0[b] = [f(t)]₁ (small-scalar MSM for int64 values). */
tc_status tc_pst_commit_i64(tc_error *err, tc_g1 *c, const tc_pst_srs *srs,
                            const int64_t *vals /* (N) */, size_t count,
                            int n_threads) TC_MUST_CHECK;
tc_status tc_pst_commit_fr(tc_error *err, tc_g1 *c, const tc_pst_srs *srs,
                           const tc_fr *vals /* (N) */, size_t count,
                           int n_threads) TC_MUST_CHECK;
/* C = Σ_a coef[a]·mk[a]: needs the monomial key. */
tc_status tc_pst_commit_monomial(tc_error *err, tc_g1 *c, const tc_pst_srs *srs,
                                 const tc_fr *coef /* (N) */, size_t count,
                                 int n_threads) TC_MUST_CHECK;
/* Σ_b vals[b]·keys[b] for any level's keys (slice commitments C_g). */
tc_status tc_pst_msm_var(tc_error *err, tc_g1 *out, const tc_g1_affine *keys, tc_scalars sc,
                         size_t count, int n_threads) TC_MUST_CHECK;
tc_status tc_pst_msm_fr_var(tc_error *err, tc_g1 *out, const tc_g1_affine *keys,
                            const tc_fr *vals, size_t count, int n_threads) TC_MUST_CHECK;
tc_status tc_pst_msm_i64_var(tc_error *err, tc_g1 *out, const tc_g1_affine *keys,
                             const int64_t *vals, size_t count, int n_threads) TC_MUST_CHECK;

/* An opening of the committed polynomial at z (m coordinates). */
typedef struct tc_pst_opening {
    int m;
    tc_fr z[TC_PST_MAX_VARS];
    tc_fr y;
    tc_g1_affine pi[TC_PST_MAX_VARS];
} tc_pst_opening;

/* A slice opening: the first j coordinates fixed to z, the values of the
 * remaining slice revealed (suffix grid at level j, C order). */
typedef struct tc_pst_slice {
    int j;
    tc_fr z[TC_PST_MAX_VARS];
    size_t count;                   /* tc_pst_suffix_size(shape, j) */
    tc_fr *values;                  /* (count), owned */
    tc_g1_affine pi[TC_PST_MAX_VARS];
} tc_pst_slice;
void tc_pst_slice_free(tc_pst_slice *s);   /* frees values; NULL-safe */

/* Opens the int64 tensor vals at k points z (k·m coordinates).  Grid
 * coordinates keep small scalars (docs/design.md §3.2, last paragraph); points that
 * share leading coordinates share the folded tensors.  Cost per point
 * about one commitment when z is on the grid, one full-width MSM otherwise. */
tc_status tc_pst_open(tc_error *err, tc_pst_opening *out /* (k) */, const tc_pst_srs *srs,
                      const int64_t *vals, size_t count, const tc_fr *z /* (k, m) */,
                      size_t k, int n_threads) TC_MUST_CHECK;
/* Slice opening at the first j coordinates (1 ≤ j ≤ m). */
tc_status tc_pst_open_slice(tc_error *err, tc_pst_slice *out, const tc_pst_srs *srs,
                            const int64_t *vals, size_t count, const tc_fr *z /* (j) */,
                            int j, int n_threads) TC_MUST_CHECK;

/* ------------------------------------------------------------- verify */

/* e(C − y·[1]₁ + Σ z_i·π_i, [1]₂) = Π e(π_i, [t_i]₂) with the prepared vk,
 * m + 1 Miller loops and one final exponentiation.  Status: usable input
 * (shapes agree); *ok: the equation holds. */
tc_status tc_pst_verify(tc_error *err, bool *ok, const tc_pst_vk *vk, const tc_g1_affine *c,
                        const tc_pst_opening *o) TC_MUST_CHECK;
/* Slice: C_g = Σ values·keys (keys: level j of the Lagrange key) replaces
 * y·[1]₁, and only π_0..π_{j−1} appear. */
tc_status tc_pst_verify_slice(tc_error *err, bool *ok, const tc_pst_vk *vk,
                              const tc_g1_affine *keys /* (count) */, const tc_g1_affine *c,
                              const tc_pst_slice *s) TC_MUST_CHECK;
/* k openings (commitments c[i]) folded with random weights from the OS:
 * still m + 1 Miller loops.  *ok is true only when all hold (with
 * probability ≥ 1 − 2^−128 over the weights otherwise). */
tc_status tc_pst_verify_batch(tc_error *err, bool *ok, const tc_pst_vk *vk,
                              const tc_g1_affine *c /* (k) */, const tc_pst_opening *o /* (k) */,
                              size_t k, int n_threads) TC_MUST_CHECK;

/* k slices of the commitment c, all at the same level j (keys: level j of
 * the Lagrange key), folded with random weights from the OS: j + 1 Miller
 * loops.  vals_i64, when not NULL, holds the k slices' values as int64
 * (equal to s[q].values): the level's MSMs then run on small scalars (k of
 * them) instead of one full-width MSM.  *ok is true only when all hold
 * (with probability ≥ 1 − 2^−128 over the weights otherwise). */
tc_status tc_pst_verify_slices_batch(tc_error *err, bool *ok, const tc_pst_vk *vk,
                                     const tc_g1_affine *keys /* (count) */,
                                     const tc_g1_affine *c, const tc_pst_slice *s /* (k) */,
                                     size_t k, const int64_t *const *vals_i64,
                                     int n_threads) TC_MUST_CHECK;

/* --------------------------------------------------- encodings, JSON */

/* Compressed G1 (32 bytes, arkworks) as 64 lower-case hex characters. */
void tc_pst_point_hex(char out[65], const tc_g1_affine *p);
/* Parses a hex point; false with a reason ("not 64 hex characters", or the
 * decoder's fault) in why[160]. */
bool tc_pst_point_from_hex(tc_g1_affine *p, const char *hex, char why[160]);

#define TC_PST_FAULT_LEN 160

/* proof.json (docs/formats.md): {"commitment", "shape", "openings": [{"point",
 * "value", "proof"}], "slices": [{"prefix", "values", "proof"}]}. */
typedef struct tc_pst_proof_file {
    tc_pst_shape shape;
    char commitment_hex[65];
    tc_g1_affine commitment;
    char commitment_fault[TC_PST_FAULT_LEN];  /* "" when it decoded */
    size_t n_open, n_slice;
    tc_pst_opening *open;                     /* (n_open) */
    char (*open_fault)[TC_PST_FAULT_LEN];     /* (n_open) "" when well formed */
    tc_pst_slice *slice;                      /* (n_slice) */
    char (*slice_fault)[TC_PST_FAULT_LEN];    /* (n_slice) */
} tc_pst_proof_file;

/* Encodes a proof file into a malloc'd NUL-terminated JSON text. */
tc_status tc_pst_proof_encode(tc_error *err, char **json, const tc_pst_shape *shape,
                              const tc_g1_affine *commitment, const tc_pst_opening *open,
                              size_t n_open, const tc_pst_slice *slice,
                              size_t n_slice) TC_MUST_CHECK;
/* Parses proof.json.  Unreadable JSON, a missing or mistyped field, a
 * coordinate or value that is not a decimal below r, a bad shape, or a
 * file with no openings and no slices are
 * TC_EFORMAT (err names `name`).  A point that does not decode or a proof
 * of the wrong length is recorded as that item's fault: the verifier
 * rejects it with the reason. */
tc_status tc_pst_proof_decode(tc_error *err, tc_pst_proof_file *pf, const char *text,
                              size_t len, const char *name) TC_MUST_CHECK;
void tc_pst_proof_file_free(tc_pst_proof_file *pf);

/* vk.json: {"shape", "srs_id", "origin", "g1", "g2", "tau_g2": [...],
 * "slice_levels": {"j": [compressed points of level j], ...}}. */
typedef struct tc_pst_vk_file {
    tc_pst_vk vk;
    uint8_t srs_id[32];
    tc_pst_origin origin;            /* "origin": one of the four names */
    tc_g1_affine *levels[TC_PST_MAX_VARS + 1]; /* level j keys or NULL, owned */
} tc_pst_vk_file;
/* Embeds every level from J = min(levels) up to m − 1 (level m is [1]₁, the
 * "g1" field), so that tc_pst_vk_check_levels can check level J against
 * the levels above it.  Levels outside 1..m are TC_EARG. */
tc_status tc_pst_vk_encode(tc_error *err, char **json, const tc_pst_srs *srs,
                           const int *levels, int n_levels) TC_MUST_CHECK;
/* Parses vk.json (the points must decode; nothing ties the embedded levels
 * to the verification key yet: see tc_pst_vk_check_levels). */
tc_status tc_pst_vk_decode(tc_error *err, tc_pst_vk_file *vf, const char *text, size_t len,
                           const char *name) TC_MUST_CHECK;
/* The structural check of tc_pst_srs_check, restricted to the embedded
 * levels J..m (J the smallest embedded level; level m is vk.g1 unless the
 * file holds it): level sums and Lagrange ratios against [1]₂ and [t_j]₂,
 * with fresh 128-bit weights from the OS.  Passing forces every embedded
 * level to be the true Lagrange key of the verification key.  *ok false
 * with the reason in err->msg when a check fails, or when level J is
 * embedded without every level above it (the older format); true when no
 * level is embedded.  Status ≠ TC_OK only on failures to compute. */
tc_status tc_pst_vk_check_levels(tc_error *err, bool *ok, const tc_pst_vk_file *vf,
                                 int n_threads) TC_MUST_CHECK;
void tc_pst_vk_file_free(tc_pst_vk_file *vf);

/* The binary verification key (*.tcv, docs/formats.md): the key and levels
 * J..m−1 as uncompressed points, a trailing SHA-256.  Decoding checks the
 * digest and that every point is on its curve (G2 in the subgroup); the
 * levels still need tc_pst_vk_check_levels. */
bool tc_pst_vk_bin_is(const uint8_t *buf, size_t len);
tc_status tc_pst_vk_bin_encode(tc_error *err, uint8_t **buf, size_t *len, const tc_pst_srs *srs,
                               int J) TC_MUST_CHECK;
tc_status tc_pst_vk_bin_decode(tc_error *err, tc_pst_vk_file *vf, const uint8_t *buf, size_t len,
                               const char *name, int n_threads) TC_MUST_CHECK;
/* Either form, told apart by the binary magic; the file is memory-mapped. */
tc_status tc_pst_vk_file_load(tc_error *err, tc_pst_vk_file *vf, const char *path,
                              int n_threads) TC_MUST_CHECK;

#endif
