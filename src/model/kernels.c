/* Element-wise and normalisation kernels (see kernels.h). */
#include "model/kernels.h"

#include "model/config.h"

#include <math.h>
#include <string.h>

/* Constants of tc_vec_exp (shared with the SIMD version in kernels_matmul.c). */
#define EXP_HI 88.8f
#define EXP_LO -104.0f

float tc_vec_exp(float xf)
{
    if (xf != xf)
        return xf;
    if (xf > EXP_HI)
        return INFINITY;
    if (xf < EXP_LO)
        return 0.0f;
    /* x = k ln2 + r, |r| <= ln2/2; exp(r) by its Taylor series to r^11
     * (truncation below 1e-14 relative), all in double, then 2^k exactly. */
    double x = xf;
    double k = floor(x * 1.4426950408889634 + 0.5);
    double r = x - k * 0.6931471805599453;
    double p = 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int64_t ki = (int64_t)k;
    uint64_t bits = (uint64_t)(ki + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    return (float)(p * scale);
}

void tc_vec_rmsnorm(float *y, const float *x, const float *w, size_t n, float eps)
{
    float ms = tc_vec_dot_det(x, x, n) / (float)n;
    float inv = 1.0f / sqrtf(ms + eps);
    for (size_t i = 0; i < n; i++)
        y[i] = w[i] * (x[i] * inv);
}

void tc_vec_layernorm(float *y, const float *x, const float *w, const float *b, size_t n, float eps)
{
    float mean = tc_vec_sum_det(x, n) / (float)n;
    float lane[32] = {0};
    size_t n32 = n / 32 * 32;
    for (size_t i = 0; i < n32; i += 32)
        for (int j = 0; j < 32; j++) {
            float d = x[i + j] - mean;
            lane[j] += d * d;
        }
    for (size_t j = 0; j < 32; j++) {
        float d = n32 + j < n ? x[n32 + j] - mean : 0.0f;
        lane[j] += d * d;
    }
    for (int s = 16; s > 0; s /= 2)
        for (int j = 0; j < s; j++)
            lane[j] += lane[j + s];
    float var = lane[0] / (float)n;
    float rstd = 1.0f / sqrtf(var + eps);
    for (size_t i = 0; i < n; i++)
        y[i] = (x[i] - mean) * rstd * w[i] + b[i];
}

void tc_vec_softmax(float *x, size_t n)
{
    float m = tc_vec_max(x, n);
    tc_vec_sub_scalar(x, m, n);
    tc_vec_exp_inplace(x, n);
    tc_vec_scale(x, 1.0f / tc_vec_sum_det(x, n), false, n);
}

void tc_vec_silu_mul(float *g, const float *u, size_t n)
{
    float e[256];
    for (size_t i0 = 0; i0 < n; i0 += 256) {
        size_t k = n - i0 < 256 ? n - i0 : 256;
        for (size_t i = 0; i < k; i++)
            e[i] = -g[i0 + i];
        tc_vec_exp_inplace(e, k);
        for (size_t i = 0; i < k; i++)
            g[i0 + i] = g[i0 + i] / (1.0f + e[i]) * u[i0 + i];
    }
}

void tc_vec_gelu_new(float *x, size_t n)
{
    const float c = 0.7978845608028654f; /* sqrt(2/pi) */
    float e[256];
    for (size_t i0 = 0; i0 < n; i0 += 256) {
        size_t k = n - i0 < 256 ? n - i0 : 256;
        for (size_t i = 0; i < k; i++) {
            float v = x[i0 + i];
            float u = c * (v + 0.044715f * (v * v * v));
            e[i] = 2.0f * fabsf(u);
        }
        tc_vec_exp_inplace(e, k);
        for (size_t i = 0; i < k; i++) {
            /* tanh(u) = sign(u) (1 - 2 / (exp(2|u|) + 1)) */
            float v = x[i0 + i];
            float u = c * (v + 0.044715f * (v * v * v));
            float t = 1.0f - 2.0f / (e[i] + 1.0f);
            t = u < 0 ? -t : t;
            x[i0 + i] = 0.5f * v * (1.0f + t);
        }
    }
}

void tc_vec_add(float *x, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] += y[i];
}

/* Llama 3.1's rule: wavelengths longer than the original context / low_freq_factor
 * are stretched by factor, those shorter than the original context /
 * high_freq_factor are kept, and the band between interpolates linearly in
 * original context / wavelength (continuous at both edges). */
static float llama3_scale(float inv, const tc_rope_scaling *sc)
{
    double f = inv, ctx = sc->original_max_pos;
    double lo = sc->low_freq_factor, hi = sc->high_freq_factor;
    double wavelen = 2.0 * 3.14159265358979323846 / f;
    if (wavelen > ctx / lo)
        return (float)(f / sc->factor);
    if (wavelen < ctx / hi)
        return inv;
    double smooth = (ctx / wavelen - lo) / (hi - lo);
    return (float)((1.0 - smooth) * f / sc->factor + smooth * f);
}

void tc_rope_inv_freq(float *inv_freq, int d, float theta, const tc_rope_scaling *sc)
{
    for (int i = 0; i < d / 2; i++) {
        float e = (float)(2 * i) / (float)d;
        float inv = 1.0f / (float)pow((double)theta, (double)e);
        if (sc != NULL && sc->kind == TC_ROPE_LINEAR)
            inv = inv / sc->factor;
        else if (sc != NULL && sc->kind == TC_ROPE_LLAMA3)
            inv = llama3_scale(inv, sc);
        inv_freq[i] = inv;
    }
}

void tc_rope_tables(float *cos_t, float *sin_t, size_t n_pos, int d, const float *inv_freq)
{
    int h = d / 2;
    for (int i = 0; i < h; i++) {
        float inv = inv_freq[i];
        for (size_t p = 0; p < n_pos; p++) {
            float ang = (float)p * inv;
            cos_t[p * (size_t)h + (size_t)i] = (float)cos((double)ang);
            sin_t[p * (size_t)h + (size_t)i] = (float)sin((double)ang);
        }
    }
}

void tc_rope_apply(float *v, int n_heads, int d, const float *cos_p, const float *sin_p)
{
    int h = d / 2;
    for (int hd = 0; hd < n_heads; hd++) {
        float *q = v + (size_t)hd * (size_t)d;
        for (int i = 0; i < h; i++) {
            float a = q[i], b = q[i + h];
            q[i] = a * cos_p[i] - b * sin_p[i];
            q[i + h] = b * cos_p[i] + a * sin_p[i];
        }
    }
}
