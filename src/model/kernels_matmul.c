/* Dot products and matrix-vector kernels: the fixed-order tc_vec_dot_det family
 * (scalar reference and SIMD versions with identical results) and the FMA
 * decode matvec.  The vector width is chosen at compile time
 * (-march=native); the scalar code is the fallback. */
#include "model/kernels.h"

#include <math.h>
#include <string.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define TC_HAVE_AVX512 1
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define TC_HAVE_AVX2 1
#endif

float tc_vec_dot_det_ref(const float *x, const float *w, size_t n)
{
    float lane[32] = {0};
    size_t n32 = n / 32 * 32;
    for (size_t i = 0; i < n32; i += 32)
        for (int j = 0; j < 32; j++)
            lane[j] += x[i + j] * w[i + j];
    for (size_t j = 0; j < 32; j++)
        lane[j] += n32 + j < n ? x[n32 + j] * w[n32 + j] : 0.0f;
    for (int s = 16; s > 0; s /= 2)
        for (int j = 0; j < s; j++)
            lane[j] += lane[j + s];
    return lane[0];
}

#if defined(TC_HAVE_AVX512)

/* Lanes 0..15 in a, 16..31 in b; returns the tree sum (16, 8, 4, 2, 1). */
static inline float tree32_512(__m512 a, __m512 b)
{
    __m512 s16 = _mm512_add_ps(a, b);
    __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(s16), _mm512_extractf32x8_ps(s16, 1));
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    __m128 s1 = _mm_add_ss(s2, _mm_movehdup_ps(s2));
    return _mm_cvtss_f32(s1);
}

static inline __mmask16 tail_mask(size_t m, size_t off)
{
    if (m <= off)
        return 0;
    size_t k = m - off >= 16 ? 16 : m - off;
    return (__mmask16)((1u << k) - 1u);
}

float tc_vec_dot_det(const float *x, const float *w, size_t n)
{
    __m512 a = _mm512_setzero_ps(), b = _mm512_setzero_ps();
    size_t n32 = n / 32 * 32, i = 0;
    for (; i < n32; i += 32) {
        a = _mm512_add_ps(a, _mm512_mul_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(w + i)));
        b = _mm512_add_ps(b, _mm512_mul_ps(_mm512_loadu_ps(x + i + 16),
                                           _mm512_loadu_ps(w + i + 16)));
    }
    size_t m = n - n32;
    __mmask16 ma = tail_mask(m, 0), mb = tail_mask(m, 16);
    a = _mm512_add_ps(a, _mm512_mul_ps(_mm512_maskz_loadu_ps(ma, x + i),
                                       _mm512_maskz_loadu_ps(ma, w + i)));
    b = _mm512_add_ps(b, _mm512_mul_ps(_mm512_maskz_loadu_ps(mb, x + i + 16),
                                       _mm512_maskz_loadu_ps(mb, w + i + 16)));
    return tree32_512(a, b);
}

/* Four rows of W against one x, each row exactly as tc_vec_dot_det. */
static void dot_det4(float out[4], const float *x, const float *w0, size_t ldw, size_t n)
{
    const float *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
    __m512 a0 = _mm512_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0,
           b3 = a0;
    size_t n32 = n / 32 * 32, i = 0;
    for (; i < n32; i += 32) {
        __m512 xa = _mm512_loadu_ps(x + i), xb = _mm512_loadu_ps(x + i + 16);
        a0 = _mm512_add_ps(a0, _mm512_mul_ps(xa, _mm512_loadu_ps(w0 + i)));
        b0 = _mm512_add_ps(b0, _mm512_mul_ps(xb, _mm512_loadu_ps(w0 + i + 16)));
        a1 = _mm512_add_ps(a1, _mm512_mul_ps(xa, _mm512_loadu_ps(w1 + i)));
        b1 = _mm512_add_ps(b1, _mm512_mul_ps(xb, _mm512_loadu_ps(w1 + i + 16)));
        a2 = _mm512_add_ps(a2, _mm512_mul_ps(xa, _mm512_loadu_ps(w2 + i)));
        b2 = _mm512_add_ps(b2, _mm512_mul_ps(xb, _mm512_loadu_ps(w2 + i + 16)));
        a3 = _mm512_add_ps(a3, _mm512_mul_ps(xa, _mm512_loadu_ps(w3 + i)));
        b3 = _mm512_add_ps(b3, _mm512_mul_ps(xb, _mm512_loadu_ps(w3 + i + 16)));
    }
    size_t m = n - n32;
    __mmask16 ma = tail_mask(m, 0), mb = tail_mask(m, 16);
    __m512 xa = _mm512_maskz_loadu_ps(ma, x + i), xb = _mm512_maskz_loadu_ps(mb, x + i + 16);
    a0 = _mm512_add_ps(a0, _mm512_mul_ps(xa, _mm512_maskz_loadu_ps(ma, w0 + i)));
    b0 = _mm512_add_ps(b0, _mm512_mul_ps(xb, _mm512_maskz_loadu_ps(mb, w0 + i + 16)));
    a1 = _mm512_add_ps(a1, _mm512_mul_ps(xa, _mm512_maskz_loadu_ps(ma, w1 + i)));
    b1 = _mm512_add_ps(b1, _mm512_mul_ps(xb, _mm512_maskz_loadu_ps(mb, w1 + i + 16)));
    a2 = _mm512_add_ps(a2, _mm512_mul_ps(xa, _mm512_maskz_loadu_ps(ma, w2 + i)));
    b2 = _mm512_add_ps(b2, _mm512_mul_ps(xb, _mm512_maskz_loadu_ps(mb, w2 + i + 16)));
    a3 = _mm512_add_ps(a3, _mm512_mul_ps(xa, _mm512_maskz_loadu_ps(ma, w3 + i)));
    b3 = _mm512_add_ps(b3, _mm512_mul_ps(xb, _mm512_maskz_loadu_ps(mb, w3 + i + 16)));
    out[0] = tree32_512(a0, b0);
    out[1] = tree32_512(a1, b1);
    out[2] = tree32_512(a2, b2);
    out[3] = tree32_512(a3, b3);
}

/* Two tokens (x0, x1) against four rows of W: out[t][r] as tc_vec_dot_det. */
static void dot_det2x4(float *y0, float *y1, const float *x0, const float *x1, const float *w0,
                       size_t ldw, size_t n)
{
    const float *w[4] = {w0, w0 + ldw, w0 + 2 * ldw, w0 + 3 * ldw};
    __m512 a[2][4], b[2][4];
    for (int t = 0; t < 2; t++)
        for (int r = 0; r < 4; r++)
            a[t][r] = b[t][r] = _mm512_setzero_ps();
    size_t n32 = n / 32 * 32, i = 0;
    for (; i < n32; i += 32) {
        __m512 xa0 = _mm512_loadu_ps(x0 + i), xb0 = _mm512_loadu_ps(x0 + i + 16);
        __m512 xa1 = _mm512_loadu_ps(x1 + i), xb1 = _mm512_loadu_ps(x1 + i + 16);
        for (int r = 0; r < 4; r++) {
            __m512 wa = _mm512_loadu_ps(w[r] + i), wb = _mm512_loadu_ps(w[r] + i + 16);
            a[0][r] = _mm512_add_ps(a[0][r], _mm512_mul_ps(xa0, wa));
            b[0][r] = _mm512_add_ps(b[0][r], _mm512_mul_ps(xb0, wb));
            a[1][r] = _mm512_add_ps(a[1][r], _mm512_mul_ps(xa1, wa));
            b[1][r] = _mm512_add_ps(b[1][r], _mm512_mul_ps(xb1, wb));
        }
    }
    size_t m = n - n32;
    __mmask16 ma = tail_mask(m, 0), mb = tail_mask(m, 16);
    __m512 xa0 = _mm512_maskz_loadu_ps(ma, x0 + i), xb0 = _mm512_maskz_loadu_ps(mb, x0 + i + 16);
    __m512 xa1 = _mm512_maskz_loadu_ps(ma, x1 + i), xb1 = _mm512_maskz_loadu_ps(mb, x1 + i + 16);
    for (int r = 0; r < 4; r++) {
        __m512 wa = _mm512_maskz_loadu_ps(ma, w[r] + i), wb = _mm512_maskz_loadu_ps(mb, w[r] + i + 16);
        a[0][r] = _mm512_add_ps(a[0][r], _mm512_mul_ps(xa0, wa));
        b[0][r] = _mm512_add_ps(b[0][r], _mm512_mul_ps(xb0, wb));
        a[1][r] = _mm512_add_ps(a[1][r], _mm512_mul_ps(xa1, wa));
        b[1][r] = _mm512_add_ps(b[1][r], _mm512_mul_ps(xb1, wb));
    }
    for (int r = 0; r < 4; r++) {
        y0[r] = tree32_512(a[0][r], b[0][r]);
        y1[r] = tree32_512(a[1][r], b[1][r]);
    }
}

static inline float hsum512(__m512 v)
{
    return _mm512_reduce_add_ps(v);
}

void tc_matvec_fast(float *y, const float *W, const float *x, const float *bias, size_t n,
                    size_t o0, size_t o1)
{
    size_t n16 = n / 16 * 16;
    __mmask16 mt = (__mmask16)((1u << (n - n16)) - 1u);
    size_t o = o0;
    for (; o + 4 <= o1; o += 4) {
        const float *w0 = W + o * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        size_t i = 0;
        for (; i < n16; i += 16) {
            __m512 xv = _mm512_loadu_ps(x + i);
            s0 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w0 + i), s0);
            s1 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w1 + i), s1);
            s2 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w2 + i), s2);
            s3 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w3 + i), s3);
        }
        if (mt) {
            __m512 xv = _mm512_maskz_loadu_ps(mt, x + i);
            s0 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w0 + i), s0);
            s1 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w1 + i), s1);
            s2 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w2 + i), s2);
            s3 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w3 + i), s3);
        }
        y[o] = hsum512(s0);
        y[o + 1] = hsum512(s1);
        y[o + 2] = hsum512(s2);
        y[o + 3] = hsum512(s3);
    }
    for (; o < o1; o++) {
        const float *w0 = W + o * n;
        __m512 s0 = _mm512_setzero_ps();
        size_t i = 0;
        for (; i < n16; i += 16)
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(w0 + i), s0);
        if (mt)
            s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mt, x + i),
                                 _mm512_maskz_loadu_ps(mt, w0 + i), s0);
        y[o] = hsum512(s0);
    }
    if (bias != NULL)
        for (o = o0; o < o1; o++)
            y[o] += bias[o];
}

#elif defined(TC_HAVE_AVX2)

/* Lanes 0..7, 8..15, 16..23, 24..31 in a, b, c, d. */
static inline float tree32_256(__m256 a, __m256 b, __m256 c, __m256 d)
{
    __m256 lo = _mm256_add_ps(a, c), hi = _mm256_add_ps(b, d); /* step 16 */
    __m256 s8 = _mm256_add_ps(lo, hi);                          /* step 8 */
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    __m128 s1 = _mm_add_ss(s2, _mm_movehdup_ps(s2));
    return _mm_cvtss_f32(s1);
}

float tc_vec_dot_det(const float *x, const float *w, size_t n)
{
    __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
    size_t n32 = n / 32 * 32, i = 0;
    for (; i < n32; i += 32) {
        a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i)));
        b = _mm256_add_ps(b, _mm256_mul_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(w + i + 8)));
        c = _mm256_add_ps(c, _mm256_mul_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(w + i + 16)));
        d = _mm256_add_ps(d, _mm256_mul_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(w + i + 24)));
    }
    float tx[32] = {0}, tw[32] = {0};
    memcpy(tx, x + i, (n - n32) * sizeof(float));
    memcpy(tw, w + i, (n - n32) * sizeof(float));
    a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_loadu_ps(tx), _mm256_loadu_ps(tw)));
    b = _mm256_add_ps(b, _mm256_mul_ps(_mm256_loadu_ps(tx + 8), _mm256_loadu_ps(tw + 8)));
    c = _mm256_add_ps(c, _mm256_mul_ps(_mm256_loadu_ps(tx + 16), _mm256_loadu_ps(tw + 16)));
    d = _mm256_add_ps(d, _mm256_mul_ps(_mm256_loadu_ps(tx + 24), _mm256_loadu_ps(tw + 24)));
    return tree32_256(a, b, c, d);
}

static void dot_det4(float out[4], const float *x, const float *w0, size_t ldw, size_t n)
{
    for (int r = 0; r < 4; r++)
        out[r] = tc_vec_dot_det(x, w0 + (size_t)r * ldw, n);
}

static void dot_det2x4(float *y0, float *y1, const float *x0, const float *x1, const float *w0,
                       size_t ldw, size_t n)
{
    dot_det4(y0, x0, w0, ldw, n);
    dot_det4(y1, x1, w0, ldw, n);
}

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

void tc_matvec_fast(float *y, const float *W, const float *x, const float *bias, size_t n,
                    size_t o0, size_t o1)
{
    size_t n8 = n / 8 * 8;
    for (size_t o = o0; o < o1; o++) {
        const float *w0 = W + o * n;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0;
        size_t i = 0;
        for (; i + 16 <= n8; i += 16) {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w0 + i), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(w0 + i + 8), s1);
        }
        for (; i < n8; i += 8)
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w0 + i), s0);
        float s = hsum256(_mm256_add_ps(s0, s1));
        for (; i < n; i++)
            s += x[i] * w0[i];
        y[o] = s + (bias ? bias[o] : 0.0f);
    }
}

#else

float tc_vec_dot_det(const float *x, const float *w, size_t n)
{
    return tc_vec_dot_det_ref(x, w, n);
}

static void dot_det4(float out[4], const float *x, const float *w0, size_t ldw, size_t n)
{
    for (int r = 0; r < 4; r++)
        out[r] = tc_vec_dot_det_ref(x, w0 + (size_t)r * ldw, n);
}

static void dot_det2x4(float *y0, float *y1, const float *x0, const float *x1, const float *w0,
                       size_t ldw, size_t n)
{
    dot_det4(y0, x0, w0, ldw, n);
    dot_det4(y1, x1, w0, ldw, n);
}

void tc_matvec_fast(float *y, const float *W, const float *x, const float *bias, size_t n,
                    size_t o0, size_t o1)
{
    for (size_t o = o0; o < o1; o++)
        y[o] = tc_vec_dot_det_ref(x, W + o * n, n) + (bias ? bias[o] : 0.0f);
}

#endif

/* Blocks of 64 rows of W stay in cache while every token passes them; pairs
 * of tokens share each load of W.  Every element is tc_vec_dot_det's. */
void tc_matmul_det(float *Y, size_t ldy, const float *X, const float *W, const float *b,
                   size_t T, size_t n, size_t o0, size_t o1)
{
    const size_t blk = 64;
    for (size_t ob = o0; ob < o1; ob += blk) {
        size_t oe = ob + blk < o1 ? ob + blk : o1;
        size_t t = 0;
        for (; t + 2 <= T; t += 2) {
            const float *x0 = X + t * n, *x1 = x0 + n;
            float *y0 = Y + t * ldy, *y1 = y0 + ldy;
            size_t o = ob;
            for (; o + 4 <= oe; o += 4)
                dot_det2x4(y0 + o, y1 + o, x0, x1, W + o * n, n, n);
            for (; o < oe; o++) {
                y0[o] = tc_vec_dot_det(x0, W + o * n, n);
                y1[o] = tc_vec_dot_det(x1, W + o * n, n);
            }
        }
        for (; t < T; t++) {
            const float *x = X + t * n;
            float *y = Y + t * ldy;
            size_t o = ob;
            for (; o + 4 <= oe; o += 4)
                dot_det4(y + o, x, W + o * n, n, n);
            for (; o < oe; o++)
                y[o] = tc_vec_dot_det(x, W + o * n, n);
        }
        if (b != NULL)
            for (t = 0; t < T; t++)
                for (size_t o = ob; o < oe; o++)
                    Y[t * ldy + o] += b[o];
    }
}

/* ------------------------------------------------- exp and axpy (arrays) */

float tc_vec_sum_det_ref(const float *x, size_t n)
{
    float lane[32] = {0};
    size_t n32 = n / 32 * 32;
    for (size_t i = 0; i < n32; i += 32)
        for (int j = 0; j < 32; j++)
            lane[j] += x[i + j];
    for (size_t j = 0; j < 32; j++)
        lane[j] += n32 + j < n ? x[n32 + j] : 0.0f;
    for (int s = 16; s > 0; s /= 2)
        for (int j = 0; j < s; j++)
            lane[j] += lane[j + s];
    return lane[0];
}

#if defined(TC_HAVE_AVX512)

float tc_vec_sum_det(const float *x, size_t n)
{
    __m512 a = _mm512_setzero_ps(), b = a;
    size_t n32 = n / 32 * 32, i = 0;
    for (; i < n32; i += 32) {
        a = _mm512_add_ps(a, _mm512_loadu_ps(x + i));
        b = _mm512_add_ps(b, _mm512_loadu_ps(x + i + 16));
    }
    size_t m = n - n32;
    a = _mm512_add_ps(a, _mm512_maskz_loadu_ps(tail_mask(m, 0), x + i));
    b = _mm512_add_ps(b, _mm512_maskz_loadu_ps(tail_mask(m, 16), x + i + 16));
    return tree32_512(a, b);
}

float tc_vec_max(const float *x, size_t n)
{
    __m512 m = _mm512_set1_ps(-INFINITY);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        m = _mm512_max_ps(_mm512_loadu_ps(x + i), m); /* a NaN in x yields m */
    float r = _mm512_reduce_max_ps(m);
    for (; i < n; i++)
        r = x[i] > r ? x[i] : r;
    return r;
}

void tc_vec_scale(float *x, float a, bool divide, size_t n)
{
    __m512 av = _mm512_set1_ps(a);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        _mm512_storeu_ps(x + i, divide ? _mm512_div_ps(v, av) : _mm512_mul_ps(v, av));
    }
    for (; i < n; i++)
        x[i] = divide ? x[i] / a : x[i] * a;
}

void tc_vec_sub_scalar(float *x, float a, size_t n)
{
    __m512 av = _mm512_set1_ps(a);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(x + i, _mm512_sub_ps(_mm512_loadu_ps(x + i), av));
    for (; i < n; i++)
        x[i] = x[i] - a;
}

/* tc_vec_exp on 8 lanes: the same double operations in the same order. */
static inline __m256 exp8(__m256 xf)
{
    __m512d x = _mm512_cvtps_pd(xf);
    __m512d k = _mm512_roundscale_pd(
        _mm512_add_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.4426950408889634)), _mm512_set1_pd(0.5)),
        _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_sub_pd(x, _mm512_mul_pd(k, _mm512_set1_pd(0.6931471805599453)));
    static const double c[12] = {1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0,
                                 1.0 / 720.0,     1.0 / 120.0,    1.0 / 24.0,    1.0 / 6.0,
                                 0.5,             1.0,            1.0,           0};
    __m512d p = _mm512_set1_pd(1.0 / 39916800.0);
    for (int i = 0; i < 11; i++)
        p = _mm512_add_pd(_mm512_mul_pd(p, r), _mm512_set1_pd(c[i]));
    __m512i ki = _mm512_cvtpd_epi64(k);
    __m512i bits = _mm512_slli_epi64(_mm512_add_epi64(ki, _mm512_set1_epi64(1023)), 52);
    __m256 y = _mm512_cvtpd_ps(_mm512_mul_pd(p, _mm512_castsi512_pd(bits)));
    /* the scalar function's special cases, in its order */
    __m256 hi = _mm256_set1_ps(88.8f), lo = _mm256_set1_ps(-104.0f);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(xf, lo, _CMP_LT_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(xf, hi, _CMP_GT_OQ));
    y = _mm256_blendv_ps(y, xf, _mm256_cmp_ps(xf, xf, _CMP_UNORD_Q));
    return y;
}

void tc_vec_exp_inplace(float *x, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, exp8(_mm256_loadu_ps(x + i)));
    for (; i < n; i++)
        x[i] = tc_vec_exp(x[i]);
}

void tc_vec_axpy(float *o, float a, const float *v, size_t n)
{
    __m512 av = _mm512_set1_ps(a);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(o + i, _mm512_add_ps(_mm512_loadu_ps(o + i),
                                              _mm512_mul_ps(av, _mm512_loadu_ps(v + i))));
    for (; i < n; i++)
        o[i] = o[i] + a * v[i];
}

#else

float tc_vec_sum_det(const float *x, size_t n)
{
    return tc_vec_sum_det_ref(x, n);
}

float tc_vec_max(const float *x, size_t n)
{
    float r = -INFINITY;
    for (size_t i = 0; i < n; i++)
        r = x[i] > r ? x[i] : r;
    return r;
}

void tc_vec_scale(float *x, float a, bool divide, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = divide ? x[i] / a : x[i] * a;
}

void tc_vec_sub_scalar(float *x, float a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] - a;
}

void tc_vec_exp_inplace(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tc_vec_exp(x[i]);
}

void tc_vec_axpy(float *o, float a, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o[i] = o[i] + a * v[i];
}

#endif

/* ---------------------------------------------------- attention kernels */

void tc_vec_scores_ref(float *s, const float *q, const float *kt, size_t ld, size_t d, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        float acc = 0.0f;
        for (size_t i = 0; i < d; i++)
            acc = acc + q[i] * kt[i * ld + k];
        s[k] = acc;
    }
}

void tc_vec_weighted_sum_ref(float *o, const float *a, const float *v, size_t ld, size_t n,
                             size_t d)
{
    for (size_t i = 0; i < d; i++)
        o[i] = 0.0f;
    for (size_t k = 0; k < n; k++)
        tc_vec_axpy(o, a[k], v + k * ld, d);
}

#if defined(TC_HAVE_AVX512)

void tc_vec_scores(float *s, const float *q, const float *kt, size_t ld, size_t d, size_t n)
{
    size_t k = 0;
    for (; k + 64 <= n; k += 64) {
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t i = 0; i < d; i++) {
            const float *row = kt + i * ld + k;
            __m512 qi = _mm512_set1_ps(q[i]);
            a0 = _mm512_add_ps(a0, _mm512_mul_ps(qi, _mm512_loadu_ps(row)));
            a1 = _mm512_add_ps(a1, _mm512_mul_ps(qi, _mm512_loadu_ps(row + 16)));
            a2 = _mm512_add_ps(a2, _mm512_mul_ps(qi, _mm512_loadu_ps(row + 32)));
            a3 = _mm512_add_ps(a3, _mm512_mul_ps(qi, _mm512_loadu_ps(row + 48)));
        }
        _mm512_storeu_ps(s + k, a0);
        _mm512_storeu_ps(s + k + 16, a1);
        _mm512_storeu_ps(s + k + 32, a2);
        _mm512_storeu_ps(s + k + 48, a3);
    }
    for (; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - k)) - 1u);
        __m512 a0 = _mm512_setzero_ps();
        for (size_t i = 0; i < d; i++)
            a0 = _mm512_add_ps(a0, _mm512_mul_ps(_mm512_set1_ps(q[i]),
                                                 _mm512_maskz_loadu_ps(m, kt + i * ld + k)));
        _mm512_mask_storeu_ps(s + k, m, a0);
    }
}

void tc_vec_weighted_sum(float *o, const float *a, const float *v, size_t ld, size_t n, size_t d)
{
    if (d != 64 && d != 128) {
        tc_vec_weighted_sum_ref(o, a, v, ld, n, d);
        return;
    }
    for (size_t i0 = 0; i0 < d; i0 += 64) {
        __m512 o0 = _mm512_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;
        for (size_t k = 0; k < n; k++) {
            const float *row = v + k * ld + i0;
            __m512 ak = _mm512_set1_ps(a[k]);
            o0 = _mm512_add_ps(o0, _mm512_mul_ps(ak, _mm512_loadu_ps(row)));
            o1 = _mm512_add_ps(o1, _mm512_mul_ps(ak, _mm512_loadu_ps(row + 16)));
            o2 = _mm512_add_ps(o2, _mm512_mul_ps(ak, _mm512_loadu_ps(row + 32)));
            o3 = _mm512_add_ps(o3, _mm512_mul_ps(ak, _mm512_loadu_ps(row + 48)));
        }
        _mm512_storeu_ps(o + i0, o0);
        _mm512_storeu_ps(o + i0 + 16, o1);
        _mm512_storeu_ps(o + i0 + 32, o2);
        _mm512_storeu_ps(o + i0 + 48, o3);
    }
}

#else

void tc_vec_scores(float *s, const float *q, const float *kt, size_t ld, size_t d, size_t n)
{
    tc_vec_scores_ref(s, q, kt, ld, d, n);
}

void tc_vec_weighted_sum(float *o, const float *a, const float *v, size_t ld, size_t n, size_t d)
{
    tc_vec_weighted_sum_ref(o, a, v, ld, n, d);
}

#endif
