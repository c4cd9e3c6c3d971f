/* Scalar decomposition and w-NAF recoding (see curve_scalar.h). */
#include "ec/curve_scalar.h"

#include <string.h>

typedef unsigned __int128 u128;

/* ---- 256-bit two's complement helpers ---- */

static void i256_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

static bool i256_is_neg(const uint64_t a[4]) { return (a[3] >> 63) != 0; }

static void i256_neg(uint64_t r[4], const uint64_t a[4])
{
    const uint64_t zero[4] = {0, 0, 0, 0};
    i256_sub(r, zero, a);
}

/* r = a·b mod 2^256. */
static void i256_mul_lo(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        u128 carry = 0;
        for (int j = 0; i + j < 4; j++) {
            u128 s = (u128)a[i] * b[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)s;
            carry = s >> 64;
        }
    }
    memcpy(r, t, sizeof t);
}

/* r = floor(a·b / 2^256) for unsigned a, b < 2^256. */
static void u256_mul_hi(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[8] = {0};
    for (int i = 0; i < 4; i++) {
        u128 carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 s = (u128)a[i] * b[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)s;
            carry = s >> 64;
        }
        t[i + 4] = (uint64_t)carry;
    }
    memcpy(r, t + 4, 4 * sizeof(uint64_t));
}

/* c_j = floor(k·g_j / 2^256) ≈ round(k·ℓ_j / r); then
 * (k_0, …) = (k, 0, …) − Σ_j c_j·b_j, computed mod 2^256: the true values
 * are small, so the two's complement result is exact.  Truncating instead
 * of rounding moves each c_j by at most 1, which only adds at most
 * Σ_j |b_j| to the bound on |k_i|. */
void tc_ec_decompose(uint64_t mag[4][4], bool neg[4], const uint64_t k[4],
                     const tc_lattice *lat)
{
    uint64_t c[4][4], acc[4][4], t[4];
    for (size_t j = 0; j < lat->dim; j++)
        u256_mul_hi(c[j], k, lat->g[j]);
    for (size_t i = 0; i < lat->dim; i++) {
        if (i == 0)
            memcpy(acc[i], k, 32);
        else
            memset(acc[i], 0, 32);
        for (size_t j = 0; j < lat->dim; j++) {
            i256_mul_lo(t, c[j], lat->basis[j][i]);
            i256_sub(acc[i], acc[i], t);
        }
        neg[i] = i256_is_neg(acc[i]);
        if (neg[i])
            i256_neg(mag[i], acc[i]);
        else
            memcpy(mag[i], acc[i], 32);
    }
}

size_t tc_ec_wnaf(int8_t *digits, size_t len, const uint64_t k[4], int w)
{
    uint64_t v[4];
    memcpy(v, k, sizeof v);
    const uint64_t full = (uint64_t)1 << w, half = full >> 1;
    size_t n = 0, pos = 0;
    memset(digits, 0, len);
    while ((v[0] | v[1] | v[2] | v[3]) != 0 && pos < len) {
        int d = 0;
        if (v[0] & 1) {
            uint64_t m = v[0] & (full - 1);
            if (m >= half) {
                d = (int)m - (int)full;        /* v += |d| */
                uint64_t add = (uint64_t)(-d);
                u128 s = (u128)v[0] + add;
                v[0] = (uint64_t)s;
                for (int i = 1; i < 4 && (s >> 64); i++) {
                    s = (u128)v[i] + 1;
                    v[i] = (uint64_t)s;
                }
            } else {
                d = (int)m;
                v[0] -= m;                     /* low bits only: no borrow */
            }
        }
        digits[pos++] = (int8_t)d;
        if (d != 0)
            n = pos;
        v[0] = (v[0] >> 1) | (v[1] << 63);
        v[1] = (v[1] >> 1) | (v[2] << 63);
        v[2] = (v[2] >> 1) | (v[3] << 63);
        v[3] >>= 1;
    }
    return n;
}

static size_t bit_length(const uint64_t v[4])
{
    for (int i = 3; i >= 0; i--)
        if (v[i])
            return (size_t)(64 * i + 64 - __builtin_clzll(v[i]));
    return 0;
}

size_t tc_ec_recode(int8_t *digits, const uint64_t (*mag)[4], const bool *neg, size_t m, int w)
{
    size_t len = 1;
    for (size_t i = 0; i < m; i++) {
        size_t b = bit_length(mag[i]) + 1;
        if (b > len)
            len = b;
    }
    for (size_t i = 0; i < m; i++) {
        int8_t *d = digits + i * len;
        tc_ec_wnaf(d, len, mag[i], w);
        if (neg[i])
            for (size_t j = 0; j < len; j++)
                d[j] = (int8_t)-d[j];
    }
    return len;
}
