/* Shared forward-pass kernels.  Every function here is deterministic: the
 * same inputs give the same bits on any x86-64 machine for the same build
 * (plain IEEE operations in a fixed order, no contraction, no libm calls on
 * the hot path), except tc_matvec_fast, which uses FMA and is for the
 * default (non-deterministic) decoding path only. */
#ifndef TC_MODEL_KERNELS_H
#define TC_MODEL_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* exp(x) to within about 1 ulp, from +, -, * and a power-of-two scaling
 * only, so the result never depends on which libm variant the machine picks.
 * exp(-inf) = 0, large x gives +inf, NaN propagates. */
float tc_vec_exp(float x);

/* x[i] = tc_vec_exp(x[i]) for i < n: the same bits as the scalar function (the
 * SIMD version performs the same IEEE operations lane by lane). */
void tc_vec_exp_inplace(float *x, size_t n);

/* Sum of x[0..n) in tc_vec_dot_det's lane order (tc_vec_dot_det with w = 1). */
float tc_vec_sum_det(const float *x, size_t n);
float tc_vec_sum_det_ref(const float *x, size_t n);
/* Largest non-NaN element (-inf when none). */
float tc_vec_max(const float *x, size_t n);
/* x[i] = x[i] * a, or x[i] / a when divide. */
void tc_vec_scale(float *x, float a, bool divide, size_t n);
/* x[i] = x[i] - a */
void tc_vec_sub_scalar(float *x, float a, size_t n);

/* o[i] = o[i] + a * v[i] (product rounded, then the sum: no FMA). */
void tc_vec_axpy(float *o, float a, const float *v, size_t n);

/* Attention scores against a transposed key block:
 * s[k] = sum over i < d of q[i] * kt[i * ld + k], for k < n, summed in
 * increasing i starting from 0 (each product rounded, then added). */
void tc_vec_scores(float *s, const float *q, const float *kt, size_t ld, size_t d, size_t n);

/* Attention output: o[i] = sum over k < n of a[k] * v[k * ld + i], for
 * i < d, summed in increasing k starting from 0. */
void tc_vec_weighted_sum(float *o, const float *a, const float *v, size_t ld, size_t n, size_t d);

/* Plain-loop references of the two (the same bits). */
void tc_vec_scores_ref(float *s, const float *q, const float *kt, size_t ld, size_t d, size_t n);
void tc_vec_weighted_sum_ref(float *o, const float *a, const float *v, size_t ld, size_t n,
                             size_t d);

/* Fixed-order dot product: 32 lanes, lane j sums x[i] * w[i] for i = j mod 32
 * in increasing i (each product rounded, then added), the tail
 * x[n32 + j] * w[n32 + j] goes to lane j last, and the lanes are combined by
 * the tree (j, j + 16), (j, j + 8), ... .  The SIMD and scalar versions give
 * the same bits. */
float tc_vec_dot_det(const float *x, const float *w, size_t n);
float tc_vec_dot_det_ref(const float *x, const float *w, size_t n);

/* Y[t][o] = dot_det(X[t], W[o]) (+ b[o]) for t < T and o in [o0, o1).
 * Y: (T, ldy) starting at column 0, X: (T, n), W: (out, n), b: (out) or NULL. */
void tc_matmul_det(float *Y, size_t ldy, const float *X, const float *W, const float *b,
                   size_t T, size_t n, size_t o0, size_t o1);

/* y[o] = W[o] . x (+ b[o]) for o in [o0, o1), FMA and wide vectors: fast,
 * deterministic for a given machine and thread count but not across CPUs. */
void tc_matvec_fast(float *y, const float *W, const float *x, const float *b, size_t n,
                    size_t o0, size_t o1);

/* RMSNorm (Zhang & Sennrich 2019) as HF LlamaRMSNorm computes it:
 * y = w * (x * 1/sqrt(mean(x^2) + eps)).  y may alias x. */
void tc_vec_rmsnorm(float *y, const float *x, const float *w, size_t n, float eps);
/* LayerNorm (Ba et al. 2016): y = (x - mean) / sqrt(var + eps) * w + b,
 * biased variance.  y may alias x. */
void tc_vec_layernorm(float *y, const float *x, const float *w, const float *b, size_t n,
                      float eps);

/* In-place softmax over x[0..n), max-subtracted. */
void tc_vec_softmax(float *x, size_t n);
/* g[i] = silu(g[i]) * u[i], silu(v) = v / (1 + exp(-v)). */
void tc_vec_silu_mul(float *g, const float *u, size_t n);
/* gelu_new (tanh approximation, Hendrycks & Gimpel 2016):
 * 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))), in place. */
void tc_vec_gelu_new(float *x, size_t n);
/* x[i] += y[i] */
void tc_vec_add(float *x, const float *y, size_t n);

struct tc_rope_scaling; /* model/config.h */

/* RoPE inverse frequencies as HF computes them: inv_freq[i] = 1 / theta^(2i/d)
 * in float32 for i < d/2, then config.json's rope_scaling applied (NULL or
 * TC_ROPE_DEFAULT: none) as transformers' _compute_linear_scaling_rope_parameters
 * and _compute_llama3_parameters do (attention factor 1 for both). */
void tc_rope_inv_freq(float *inv_freq, int d, float theta, const struct tc_rope_scaling *sc);
/* RoPE tables: angle = pos * inv_freq[i] (float32), cos/sin rounded to float.
 * cos_t, sin_t: (n_pos, d/2). */
void tc_rope_tables(float *cos_t, float *sin_t, size_t n_pos, int d, const float *inv_freq);
/* Applies rotate_half RoPE to n_heads heads of width d laid out contiguously:
 * v[i] <- v[i] cos_i - v[i + d/2] sin_i, v[i + d/2] <- v[i + d/2] cos_i + v[i] sin_i. */
void tc_rope_apply(float *v, int n_heads, int d, const float *cos_p, const float *sin_p);

#endif
