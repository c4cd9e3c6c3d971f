/*
 * tensorcommit — commitments to the hidden states of language models.
 *
 * The public API (docs/api.md).  Every fallible call returns a tc_status; a
 * tc_error, when the caller passes one (it may be NULL), receives a one-line
 * message naming the file, field, tensor or offset at fault.  Handles are
 * opaque.  Nothing here prints, exits or aborts on bad input: a NULL handle
 * or output pointer, or a shape that does not match, is TC_EARG.  Accessors
 * that return no status (tc_srs_id, tc_proof_n_openings, …) need valid
 * handles and outputs.
 *
 * Conventions:
 *   - Argument order: error, outputs, inputs; a length right after its array.
 *   - A grid is an int64 tensor in C order with dims[0..ndim−1]; a grid of
 *     shape (n_0, …, n_{m−1}) needs an SRS of that shape (1 ≤ m ≤ 24,
 *     1 ≤ n_i ≤ 16).
 *   - Functions named *_var run in time that depends on their inputs: they
 *     treat grids, points and proofs as public data.  Trapdoors (setup) are
 *     handled in constant time and wiped.
 *   - Global state: only the one-time CPU feature detection, done on first
 *     use and safe to race (every thread computes the same answer).
 *   - Threads: n_threads ≥ 1 is explicit; results never depend on it.
 *     tc_srs, tc_vk and a finished tc_proof are immutable and may be shared
 *     by any number of threads; a tc_proof being filled by tc_proof_open_*
 *     belongs to one thread.
 *   - Memory: *_free accepts NULL; text and buffers the library returns are
 *     released with tc_free.
 */
#ifndef TENSORCOMMIT_H
#define TENSORCOMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TC_MUST_CHECK __attribute__((warn_unused_result))
#else
#define TC_MUST_CHECK
#endif

/* ------------------------------------------------------------------ status */

typedef enum tc_status {
    TC_OK = 0,
    TC_EARG,          /* the caller broke a precondition */
    TC_EFORMAT,       /* input is malformed: a file, an encoding, a value */
    TC_ENOMEM,        /* an allocation failed */
    TC_EIO,           /* reading or writing a file failed */
    TC_EUNSUPPORTED,  /* well-formed, but not something this build handles */
    TC_EINTERNAL      /* a bug: an invariant did not hold */
} tc_status;

/* A static English name for the status; never NULL. */
const char *tc_strerror(tc_status s);

/* Detail for the last failure of a call that took it.  `msg` is always a
 * NUL-terminated line without a trailing newline. */
typedef struct tc_error {
    tc_status status;
    char msg[512];
} tc_error;

/* Version string of the library, e.g. "0.1.0". */
const char *tc_version(void);

/* Releases text or a buffer returned by the library; NULL-safe. */
void tc_free(void *p);

/* ----------------------------------------------------------------- scalars */

#define TC_MAX_DIMS 24      /* axes of a grid */
#define TC_MAX_EXTENT 16    /* points per axis */

/* An element of the BN254 scalar field Fr (r ≈ 2^254): 32 bytes, canonical
 * little-endian (value < r).  Grid values v are the field elements v mod r. */
typedef struct tc_scalar {
    uint8_t bytes[32];
} tc_scalar;

/* Out: *out = v mod r (a negative v is r − |v|). */
void tc_scalar_from_i64(tc_scalar *out, int64_t v);
/* Returns TC_OK, or TC_EFORMAT unless text is a decimal number below r.
 * Out: *out. */
tc_status tc_scalar_from_dec(tc_error *err, tc_scalar *out, const char *text) TC_MUST_CHECK;
/* Out: out, the decimal value (at most 77 digits and a NUL).  Returns
 * TC_EFORMAT when a is not canonical (≥ r). */
tc_status tc_scalar_to_dec(tc_error *err, char out[80], const tc_scalar *a) TC_MUST_CHECK;

/* ----------------------------------------------------------- commitments */

/* A commitment: one compressed G1 point (32 bytes, arkworks layout).  The
 * bytes are checked (canonical, on the curve) wherever one is used. */
typedef struct tc_commitment {
    uint8_t bytes[32];
} tc_commitment;

/* Out: hex, 64 lower-case hex characters and a NUL. */
void tc_commitment_to_hex(char hex[65], const tc_commitment *c);
/* Returns TC_OK, or TC_EFORMAT when hex is not 64 hex characters or not a
 * valid compressed point.  Out: *c. */
tc_status tc_commitment_from_hex(tc_error *err, tc_commitment *c, const char *hex) TC_MUST_CHECK;

/* ------------------------------------------------------------------ SRS */

/* A structured reference string for one grid shape: the commitment keys,
 * the trapdoors never kept.  Immutable; shareable between threads. */
typedef struct tc_srs tc_srs;

/* Setup with trapdoors from the operating system's random source.
 * Returns TC_EARG on a bad shape, TC_ENOMEM, TC_EIO if no randomness.
 * Args: dims (ndim) the grid shape; n_threads ≥ 1.
 * Out: *out, a new SRS (free with tc_srs_free); NULL on failure. */
tc_status tc_srs_setup(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim,
                       int n_threads) TC_MUST_CHECK;
/* The same with trapdoors derived from seed (seed_len 1..128 bytes).  For
 * tests only: whoever knows the seed can forge proofs (origin "seeded"). */
tc_status tc_srs_setup_seeded(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim,
                              const uint8_t *seed, size_t seed_len,
                              int n_threads) TC_MUST_CHECK;
/* The same with the given trapdoors t (ndim of them, canonical).  For tests
 * only (origin "explicit"). */
tc_status tc_srs_setup_trapdoors(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim,
                                 const tc_scalar *t, int n_threads) TC_MUST_CHECK;
/* Loads an SRS file (srs.tcs): digest, header and every point checked.
 * Returns TC_EIO or TC_EFORMAT naming path.  Out: *out, NULL on failure. */
tc_status tc_srs_load(tc_error *err, tc_srs **out, const char *path,
                      int n_threads) TC_MUST_CHECK;
/* Writes the SRS file atomically.  Returns TC_EIO naming path. */
tc_status tc_srs_save(tc_error *err, const tc_srs *srs, const char *path) TC_MUST_CHECK;
/* Out: id, the SHA-256 of the SRS file's content (what receipts cite). */
void tc_srs_id(uint8_t id[32], const tc_srs *srs);
/* Out: hex, the id as 64 lower-case hex characters and a NUL. */
void tc_srs_id_hex(char hex[65], const tc_srs *srs);
/* Returns ndim; dims (TC_MAX_DIMS) receives the shape. */
int tc_srs_shape(uint32_t dims[TC_MAX_DIMS], const tc_srs *srs);
/* True when the trapdoors came from a seed or the caller: a proof checked
 * against such a key proves nothing to a third party. */
bool tc_srs_is_testing(const tc_srs *srs);
/* Structural check with random linear combinations: every key level agrees
 * with the one below and with the verification key.  Returns a status ≠
 * TC_OK only when it cannot compute.  Out: *ok, false with the reason in
 * err when a check fails. */
tc_status tc_srs_check_var(tc_error *err, bool *ok, const tc_srs *srs,
                           int n_threads) TC_MUST_CHECK;
void tc_srs_free(tc_srs *srs);

/* ------------------------------------------------------- verification key */

/* What a verifier needs: [1]₁, [1]₂, [t_i]₂, and optionally the Lagrange keys
 * of levels J..m−1, which slices fixing J or more coordinates need.
 * Immutable; shareable between threads. */
typedef struct tc_vk tc_vk;

/* Extracts the key from srs.  Args: slice_level 0 for no Lagrange keys, or
 * J in 1..ndim to embed levels J..ndim−1.  Returns TC_EARG on a bad level.
 * Out: *out, NULL on failure. */
tc_status tc_vk_from_srs(tc_error *err, tc_vk **out, const tc_srs *srs,
                         int slice_level) TC_MUST_CHECK;
/* Loads vk.json or a binary .tcv (told apart by its magic).  Embedded keys
 * are checked against [1]₂ and [t_i]₂; a key whose levels fail is
 * TC_EFORMAT.  Out: *out, NULL on failure. */
tc_status tc_vk_load(tc_error *err, tc_vk **out, const char *path, int n_threads) TC_MUST_CHECK;
/* Writes vk.json (binary false) or .tcv (binary true) atomically. */
tc_status tc_vk_save(tc_error *err, const tc_vk *vk, const char *path,
                     bool binary) TC_MUST_CHECK;
/* Returns the smallest embedded slice level J, or 0 when none is. */
int tc_vk_slice_level(const tc_vk *vk);
/* Returns ndim; dims (TC_MAX_DIMS) receives the shape. */
int tc_vk_shape(uint32_t dims[TC_MAX_DIMS], const tc_vk *vk);
/* Out: id, the SRS id the key was extracted from. */
void tc_vk_srs_id(uint8_t id[32], const tc_vk *vk);
bool tc_vk_is_testing(const tc_vk *vk);
void tc_vk_free(tc_vk *vk);

/* --------------------------------------------------------------- grids */

/* Commits to grid (C order over dims, ndim axes), which must have the SRS's
 * shape.  Returns TC_EARG on a shape mismatch.  Out: *c. */
tc_status tc_commit_var(tc_error *err, tc_commitment *c, const tc_srs *srs,
                        const int64_t *grid, const uint32_t *dims, int ndim,
                        int n_threads) TC_MUST_CHECK;
/* The value at z (ndim field elements) of the polynomial whose values on the
 * grid are `grid`.  Out: *y. */
tc_status tc_grid_eval_var(tc_error *err, tc_scalar *y, const int64_t *grid,
                           const uint32_t *dims, int ndim, const tc_scalar *z) TC_MUST_CHECK;
/* Quantizes n floats with the decimal rule: v = round(x·10^s) half to even,
 * s = scale_factor − floor(scale_factor·quantize/100), computed exactly on
 * the binary value of x; |v| ≤ 2^max_bits − 1 (1..63).  NaN, infinity or an
 * overflow is TC_EFORMAT naming the position.  Out: out (n). */
tc_status tc_quantize_decimal(tc_error *err, int64_t *out, const float *x, size_t n,
                              int scale_factor, int quantize, int max_bits) TC_MUST_CHECK;
/* The binary rule: v = round(x·2^k), k in −1074..1074. */
tc_status tc_quantize_binary(tc_error *err, int64_t *out, const float *x, size_t n, int k,
                             int max_bits) TC_MUST_CHECK;

/* ---------------------------------------------------------------- proofs */

/* A proof: a commitment and any number of openings (a point z and the value
 * y = f(z)) and slices (the first J coordinates fixed, the remaining values
 * revealed).  Filled by one thread, then immutable. */
typedef struct tc_proof tc_proof;

/* A new proof with no openings, for commitment c to a grid of the SRS's
 * shape.  Out: *out, NULL on failure. */
tc_status tc_proof_new(tc_error *err, tc_proof **out, const tc_srs *srs,
                       const tc_commitment *c) TC_MUST_CHECK;
/* Appends k openings of grid at grid points: point (k, ndim) indices, each
 * below its axis's extent.  The grid must be the one committed to (else the
 * proof is rejected).  Returns TC_EARG on a shape or index out of range. */
tc_status tc_proof_open_grid_var(tc_error *err, tc_proof *p, const tc_srs *srs,
                                 const int64_t *grid, const uint32_t *dims, int ndim,
                                 const uint32_t *point, size_t k, int n_threads) TC_MUST_CHECK;
/* Appends k openings at field points z (k, ndim). */
tc_status tc_proof_open_field_var(tc_error *err, tc_proof *p, const tc_srs *srs,
                                  const int64_t *grid, const uint32_t *dims, int ndim,
                                  const tc_scalar *z, size_t k, int n_threads) TC_MUST_CHECK;
/* Appends the slice with the first j coordinates (1 ≤ j ≤ ndim) fixed to
 * prefix (j field elements). */
tc_status tc_proof_open_slice_var(tc_error *err, tc_proof *p, const tc_srs *srs,
                                  const int64_t *grid, const uint32_t *dims, int ndim,
                                  const tc_scalar *prefix, int j, int n_threads) TC_MUST_CHECK;
/* Out: *c, the proof's commitment. */
void tc_proof_commitment(tc_commitment *c, const tc_proof *p);
size_t tc_proof_n_openings(const tc_proof *p);
size_t tc_proof_n_slices(const tc_proof *p);
/* Out: z (ndim) and *y of opening i.  Returns TC_EARG when i is out of range,
 * TC_EFORMAT when that opening was malformed in the decoded input. */
tc_status tc_proof_opening(tc_error *err, tc_scalar *z, tc_scalar *y, const tc_proof *p,
                           size_t i) TC_MUST_CHECK;

/* proof.json (docs/formats.md).  Out: *json, NUL-terminated (tc_free). */
tc_status tc_proof_to_json(tc_error *err, char **json, const tc_proof *p) TC_MUST_CHECK;
/* Parses proof.json.  A malformed document is TC_EFORMAT; a point that does
 * not decode is kept as that item's fault, which verification rejects.
 * Out: *out, NULL on failure. */
tc_status tc_proof_from_json(tc_error *err, tc_proof **out, const char *json,
                             size_t len) TC_MUST_CHECK;
/* The compact binary encoding (docs/api.md): compressed points and 32-byte
 * scalars.  Out: *buf, *len (tc_free). */
tc_status tc_proof_to_bytes(tc_error *err, uint8_t **buf, size_t *len,
                            const tc_proof *p) TC_MUST_CHECK;
/* Strict: any malformed field, scalar ≥ r or invalid point is TC_EFORMAT. */
tc_status tc_proof_from_bytes(tc_error *err, tc_proof **out, const uint8_t *buf,
                              size_t len) TC_MUST_CHECK;
void tc_proof_free(tc_proof *p);

/* -------------------------------------------------------------- verify */

/* Checks every opening and slice of p against vk.  Returns TC_OK when the
 * input was usable; TC_EARG when the shapes differ or a slice needs a key
 * level vk does not hold.  Out: *ok (set false first), true only when all
 * hold; the reason for the first rejected item in err. */
tc_status tc_proof_verify_var(tc_error *err, bool *ok, const tc_vk *vk,
                              const tc_proof *p) TC_MUST_CHECK;
/* The same for k proofs at once (random weights from the OS fold all
 * openings into one pairing check).  *ok is true only when all hold. */
tc_status tc_proof_verify_batch_var(tc_error *err, bool *ok, const tc_vk *vk,
                                    const tc_proof *const *p, size_t k,
                                    int n_threads) TC_MUST_CHECK;

/* ----------------------------------------------------------------- model */

/* A language model loaded from a Hugging Face folder (config.json,
 * generation_config.json, *.safetensors; docs/engine.md).  Immutable after
 * loading; shareable between threads (each call below runs its own
 * session).  With deterministic true the fixed-order kernels give the same
 * bits for any n_threads and x86-64 machine (same build).  Hidden states
 * follow output_hidden_states: index 0 the embedding output, index i the
 * output of block i − 1, index L the final norm of block L − 1's output. */
typedef struct tc_model tc_model;

/* Out: *out, NULL on failure (TC_EIO / TC_EFORMAT naming the file). */
tc_status tc_model_load(tc_error *err, tc_model **out, const char *dir) TC_MUST_CHECK;
void tc_model_free(tc_model *m);
/* Out: the block count L, the hidden width, the vocabulary size and the
 * position limit; any pointer may be NULL. */
void tc_model_dims(const tc_model *m, int *n_layers, size_t *dim, size_t *vocab,
                   size_t *max_pos);
/* Generates up to max_new tokens after the prompt (n_prompt ≥ 1), stopping
 * after an end-of-text token (kept).  temperature 0 is greedy; otherwise
 * sampling drawn from seed.  Out: out (n_prompt + max_new) the prompt and
 * the new tokens, *n_out their count. */
tc_status tc_model_generate(tc_error *err, int32_t *out, size_t *n_out, const tc_model *m,
                            const int32_t *prompt, size_t n_prompt, size_t max_new,
                            float temperature, uint64_t seed, int n_threads,
                            bool deterministic) TC_MUST_CHECK;
/* One forward pass over tokens (T) from position 0.  Token ids outside the
 * vocabulary are TC_EARG.  Out: hidden (L + 1, T, dim). */
tc_status tc_model_capture(tc_error *err, float *hidden, const tc_model *m,
                           const int32_t *tokens, size_t T, int n_threads,
                           bool deterministic) TC_MUST_CHECK;
/* Runs blocks first..last (0 ≤ first ≤ last < L) on h_in (T, dim), the
 * hidden states entering block `first`.  Out: out (last − first + 1, T,
 * dim), hidden states first + 1 .. last + 1: the same bits as a capture. */
tc_status tc_model_run_blocks(tc_error *err, float *out, const tc_model *m, const float *h_in,
                              size_t T, int first, int last, int n_threads,
                              bool deterministic) TC_MUST_CHECK;

/* ------------------------------------------------------------- tokenizer */

/* A tokenizer.json (byte-level BPE, as Hugging Face tokenizers).
 * Immutable; shareable between threads. */
typedef struct tc_tokenizer tc_tokenizer;

/* path: a tokenizer.json or a folder holding one.  Out: *out, NULL on
 * failure. */
tc_status tc_tokenizer_load(tc_error *err, tc_tokenizer **out, const char *path) TC_MUST_CHECK;
/* Encodes len bytes of UTF-8 text; add_special adds the post-processor's
 * tokens (e.g. BOS).  Out: *ids (tc_free; not NULL even when *n_ids is 0). */
tc_status tc_tokenizer_encode(tc_error *err, uint32_t **ids, size_t *n_ids,
                              const tc_tokenizer *tok, const char *text, size_t len,
                              bool add_special) TC_MUST_CHECK;
/* Decodes ids; unknown ids are skipped, skip_special drops special tokens.
 * Out: *text (tc_free), NUL-terminated, *len without the NUL. */
tc_status tc_tokenizer_decode(tc_error *err, char **text, size_t *len, const tc_tokenizer *tok,
                              const uint32_t *ids, size_t n_ids, bool skip_special) TC_MUST_CHECK;
void tc_tokenizer_free(tc_tokenizer *tok);

#ifdef __cplusplus
}
#endif
#endif /* TENSORCOMMIT_H */
