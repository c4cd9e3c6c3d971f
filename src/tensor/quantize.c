/* Exact fixed-point quantization (see quantize.h). */
#include "tensor/quantize.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef unsigned __int128 u128;

static u128 pow10_u64(int s) /* s in 0..19: 10^19 < 2^64 */
{
    uint64_t p = 1;
    for (int i = 0; i < s; i++)
        p *= 10;
    return p;
}

/* round(n / 2^sh), half to even; n < 2^127. */
static u128 shr_round_even(u128 n, int sh)
{
    if (sh <= 0)
        return n;
    if (sh >= 128)
        return 0;           /* n < 2^127 ≤ 2^(sh−1): below one half */
    u128 q = n >> sh;
    u128 rem = n - (q << sh);
    u128 half = (u128)1 << (sh - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    return q;
}

/* round(n / d), half to even; d > 0. */
static u128 div_round_even(u128 n, u128 d)
{
    u128 q = n / d, rem = n % d;
    u128 twice = rem << 1;   /* rem < d < 2^127 */
    if (twice > d || (twice == d && (q & 1)))
        q++;
    return q;
}

/* |x| = m·2^e, m < 2^53.  Computes round(m · 2^e · 10^s) (s = 0 for the
 * binary rule, where e already includes k) and checks it against `limit`. */
static bool scaled_round(uint64_t m, int e, int s, u128 limit, u128 *out)
{
    u128 r;
    if (m == 0) {
        *out = 0;
        return true;
    }
    if (s >= 0) {
        u128 n = (u128)m * pow10_u64(s);            /* < 2^53 · 2^64 = 2^117 */
        if (e >= 0) {
            if (e >= 64)                             /* ≥ 2^64 > limit */
                return false;
            if (n > (limit >> e))
                return false;
            r = n << e;
        } else {
            r = shr_round_even(n, -e);
        }
    } else {
        u128 d = pow10_u64(-s);
        if (e >= 0) {
            if (e > 127 - 53)
                return false;                         /* m·2^e/10^19 ≥ 2^55 */
            r = div_round_even((u128)m << e, d);
        } else if (-e >= 64) {
            r = 0;                                    /* m / (d·2^64) < 2^−11 */
        } else {
            r = div_round_even(m, d << -e);
        }
    }
    if (r > limit)
        return false;
    *out = r;
    return true;
}

static bool quant_parts(const tc_quant_params *q, bool neg, uint64_t m, int e, int64_t *v)
{
    u128 limit = ((u128)1 << q->max_bits) - 1, r;
    int s = 0;
    if (q->rule == TC_QUANT_DECIMAL)
        s = q->exponent;
    else
        e += q->exponent;
    if (!scaled_round(m, e, s, limit, &r))
        return false;
    *v = neg ? -(int64_t)r : (int64_t)r;
    return true;
}

bool tc_quant_value_f64(const tc_quant_params *q, double x, int64_t *v)
{
    if (!isfinite(x))
        return false;
    uint64_t bits;
    memcpy(&bits, &x, 8);
    bool neg = bits >> 63;
    int be = (int)((bits >> 52) & 0x7ff);
    uint64_t m = bits & ((1ULL << 52) - 1);
    int e;
    if (be == 0) {
        e = -1074;                      /* subnormal (or zero): m·2^−1074 */
    } else {
        m |= 1ULL << 52;
        e = be - 1075;
    }
    return quant_parts(q, neg, m, e, v);
}

/* The f32 path: |x| = m·2^e with m < 2^24, so for 0 ≤ s ≤ 11 the product
 * m·10^s is below 2^61 and the whole rounding fits in 64-bit words, several
 * times faster than the general 128-bit path (the binary rule is the case
 * s = 0 with k added to e).  Other inputs widen exactly to double and take
 * that path; test_quantize checks that the two agree. */
#define F32_MAX_POW10 11

typedef struct f32_rule {
    bool fast;          /* false: every value takes the general path */
    uint64_t mul;       /* 10^s (1 for the binary rule) */
    int e_add;          /* k for the binary rule, else 0 */
    uint64_t limit;     /* 2^max_bits − 1 */
} f32_rule;

static f32_rule f32_rule_of(const tc_quant_params *q)
{
    static const uint64_t pow10[F32_MAX_POW10 + 1] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
        10000000000ULL, 100000000000ULL};
    f32_rule r = {.fast = false, .mul = 1};
    int s = q->rule == TC_QUANT_DECIMAL ? q->exponent : 0;
    if (s < 0 || s > F32_MAX_POW10 || q->max_bits < 1 || q->max_bits > 63)
        return r;
    r.fast = true;
    r.mul = pow10[s];
    r.e_add = q->rule == TC_QUANT_BINARY ? q->exponent : 0;   /* |k| ≤ 1074 */
    r.limit = ((uint64_t)1 << q->max_bits) - 1;
    return r;
}

/* 1: *v set; 0: does not fit; −1: not finite (or no fast rule): general path. */
static inline int f32_quant(const f32_rule *c, float x, int64_t *v)
{
    uint32_t bits;
    memcpy(&bits, &x, 4);
    int be = (int)((bits >> 23) & 0xff);
    if (be == 0xff || !c->fast)
        return -1;
    uint64_t m = bits & 0x7fffffu;
    int e = be == 0 ? -149 : be - 150;                 /* subnormal: m·2^−149 */
    m |= (uint64_t)(be != 0) << 23;
    e += c->e_add;
    uint64_t n = m * c->mul, r;
    if (e >= 0) {
        if (n != 0 && (e >= 63 || n > (c->limit >> e)))
            return 0;
        r = n << (e & 63);
    } else if (e <= -64) {
        r = 0;                                         /* n < 2^61 < half of 2^64 */
    } else {
        int sh = -e;
        uint64_t quo = n >> sh, rem = n & (((uint64_t)1 << sh) - 1);
        uint64_t half = (uint64_t)1 << (sh - 1);
        r = quo + (uint64_t)((rem > half) | ((rem == half) & (quo & 1)));
    }
    if (r > c->limit)
        return 0;
    int64_t sign = -(int64_t)(bits >> 31);             /* 0 or −1 */
    *v = ((int64_t)r ^ sign) - sign;
    return 1;
}

bool tc_quant_value_f32(const tc_quant_params *q, float x, int64_t *v)
{
    f32_rule c = f32_rule_of(q);
    int k = f32_quant(&c, x, v);
    return k < 0 ? tc_quant_value_f64(q, (double)x, v) : k == 1;
}

tc_status tc_quant_decimal(tc_error *err, tc_quant_params *q, int scale_factor, int quantize)
{
    if (quantize < 0 || quantize > 100)
        return tc_fail(err, TC_EARG, "quantize must be a percentage in 0..100, got %d", quantize);
    if (scale_factor < -19 || scale_factor > 19)
        return tc_fail(err, TC_EARG, "scale factor must be in -19..19, got %d", scale_factor);
    /* floor(scale_factor · quantize / 100), exact in integers */
    long prod = (long)scale_factor * quantize;
    long fl = prod >= 0 ? prod / 100 : -((-prod + 99) / 100);
    int s = scale_factor - (int)fl;
    if (s < -19 || s > 19)
        return tc_fail(err, TC_EARG, "decimal exponent %d is outside -19..19", s);
    *q = (tc_quant_params){TC_QUANT_DECIMAL, scale_factor, quantize, s, 63};
    return TC_OK;
}

tc_status tc_quant_binary(tc_error *err, tc_quant_params *q, int k)
{
    if (k < -1074 || k > 1074)
        return tc_fail(err, TC_EARG, "binary scale must be in -1074..1074, got %d", k);
    *q = (tc_quant_params){TC_QUANT_BINARY, 0, 0, k, 63};
    return TC_OK;
}

tc_status tc_quantize_f32(tc_error *err, const tc_quant_params *q, int64_t *out,
                          const float *x, size_t n_layers, size_t per_layer)
{
    if (q->max_bits < 1 || q->max_bits > 63)
        return tc_fail(err, TC_EARG, "max_bits must be in 1..63, got %d", q->max_bits);
    f32_rule c = f32_rule_of(q);
    for (size_t l = 0; l < n_layers; l++) {
        for (size_t i = 0; i < per_layer; i++) {
            float xv = x[l * per_layer + i];
            int64_t *o = &out[l * per_layer + i];
            int k = f32_quant(&c, xv, o);
            if (k < 0)
                k = tc_quant_value_f64(q, (double)xv, o);
            if (k == 0) {
                if (!isfinite(xv))
                    return tc_fail(err, TC_EFORMAT, "layer %zu, position %zu: value %g is not finite",
                                   l, i, (double)xv);
                return tc_fail(err, TC_EFORMAT,
                               "layer %zu, position %zu: value %.9g is outside +-%llu "
                               "(2^%d - 1, max_bits %d) at this scale",
                               l, i, (double)xv,
                               (unsigned long long)((UINT64_C(1) << q->max_bits) - 1),
                               q->max_bits, q->max_bits);
            }
        }
    }
    return TC_OK;
}

double tc_dequant_value(const tc_quant_params *q, int64_t v)
{
    if (q->rule == TC_QUANT_BINARY)
        return ldexp((double)v, -q->exponent);
    return (double)v / pow(10.0, q->exponent);
}
