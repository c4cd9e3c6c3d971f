/* Fp and Fr: inversion, batch inversion, Legendre symbol, square roots,
 * conversions and byte encodings over the generic Montgomery routines. */
#include "ec/field.h"

#include <string.h>

static const uint64_t P_PLUS1_DIV4[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL,
                                         0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};
static const uint64_t P_MINUS1_DIV2[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL,
                                          0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};
static const uint64_t R_MINUS1_DIV2[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                          0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};
/* r − 1 = 2^28 · T, T odd; Tonelli–Shanks needs (T − 1)/2 and a non-residue
 * (5 generates Fr*). */
#define R_TWO_ADICITY 28
static const uint64_t R_T_MINUS1_DIV2[4] = {0xcdcb848a1f0fac9fULL, 0x0c0ac2e9419f4243ULL,
                                            0x098d014dc2822db4ULL, 0x0000000183227397ULL};

static bool limbs_is_zero(const uint64_t a[4])
{
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static void limbs_shr1(uint64_t a[4])
{
    a[0] = (a[0] >> 1) | (a[1] << 63);
    a[1] = (a[1] >> 1) | (a[2] << 63);
    a[2] = (a[2] >> 1) | (a[3] << 63);
    a[3] >>= 1;
}

/* x/2 mod p for x < p. */
static void half_mod(uint64_t x[4], const uint64_t p[4])
{
    if (x[0] & 1)
        tc_limbs_add(x, x, p);   /* x + p < 2^255 */
    limbs_shr1(x);
}

/* Binary extended Euclid on the canonical value (variable time).  For the
 * Montgomery element aR it yields (aR)⁻¹ = a⁻¹R⁻¹; two products by R² then
 * give a⁻¹R. */
void tc_mont_inv(uint64_t r[4], const uint64_t a[4], const tc_modulus *m)
{
    if (limbs_is_zero(a)) {
        memset(r, 0, 32);
        return;
    }
    uint64_t u[4], v[4], x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
    const uint64_t one[4] = {1, 0, 0, 0};
    memcpy(u, a, sizeof u);
    memcpy(v, m->p, sizeof v);
    while (memcmp(u, one, 32) != 0 && memcmp(v, one, 32) != 0) {
        while ((u[0] & 1) == 0) {
            limbs_shr1(u);
            half_mod(x1, m->p);
        }
        while ((v[0] & 1) == 0) {
            limbs_shr1(v);
            half_mod(x2, m->p);
        }
        if (tc_limbs_geq(u, v)) {
            tc_limbs_sub(u, u, v);
            tc_mont_sub(x1, x1, x2, m->p);
        } else {
            tc_limbs_sub(v, v, u);
            tc_mont_sub(x2, x2, x1, m->p);
        }
    }
    uint64_t *x = memcmp(u, one, 32) == 0 ? x1 : x2;
    tc_mont_mul(r, x, m->r2, m);
    tc_mont_mul(r, r, m->r2, m);
}

static int legendre_pow(const uint64_t a[4], const tc_modulus *m, const uint64_t e[4])
{
    if (limbs_is_zero(a))
        return 0;
    uint64_t t[4], acc[4];
    memcpy(acc, m->one, 32);
    memcpy(t, a, 32);
    for (int i = 255; i >= 0; i--) {
        tc_mont_sqr(acc, acc, m);
        if ((e[i / 64] >> (i % 64)) & 1)
            tc_mont_mul(acc, acc, t, m);
    }
    return memcmp(acc, m->one, 32) == 0 ? 1 : -1;
}

int tc_mont_legendre(const uint64_t a[4], const tc_modulus *m)
{
    return legendre_pow(a, m, m == &tc_fp_modulus ? P_MINUS1_DIV2 : R_MINUS1_DIV2);
}

/* ---------------------------------------------------------------- shared */

static void mont_one(uint64_t r[4], const tc_modulus *m) { memcpy(r, m->one, 32); }

static void from_u64(uint64_t r[4], uint64_t v, const tc_modulus *m)
{
    uint64_t x[4] = {v, 0, 0, 0};
    tc_mont_mul(r, x, m->r2, m);
}

static bool from_limbs(uint64_t r[4], const uint64_t v[4], const tc_modulus *m)
{
    if (tc_limbs_geq(v, m->p))
        return false;
    tc_mont_mul(r, v, m->r2, m);
    return true;
}

static void to_limbs(uint64_t v[4], const uint64_t a[4], const tc_modulus *m)
{
    const uint64_t one[4] = {1, 0, 0, 0};
    tc_mont_mul(v, a, one, m);
}

static void to_bytes(uint8_t out[32], const uint64_t a[4], const tc_modulus *m)
{
    uint64_t v[4];
    to_limbs(v, a, m);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
}

static bool from_bytes(uint64_t r[4], const uint8_t in[32], const tc_modulus *m)
{
    uint64_t v[4] = {0, 0, 0, 0};
    for (int i = 0; i < 32; i++)
        v[i / 8] |= (uint64_t)in[i] << (8 * (i % 8));
    return from_limbs(r, v, m);
}

/* Montgomery's trick: prefix products, one inversion, walk back. */
static void batch_inv(uint64_t (*r)[4], const uint64_t (*a)[4], size_t n,
                      uint64_t (*scratch)[4], const tc_modulus *m)
{
    uint64_t acc[4], inv[4], t[4];
    mont_one(acc, m);
    for (size_t i = 0; i < n; i++) {
        memcpy(scratch[i], acc, 32);          /* product of nonzero a[0..i) */
        if (!limbs_is_zero(a[i]))
            tc_mont_mul(acc, acc, a[i], m);
    }
    tc_mont_inv(inv, acc, m);
    for (size_t i = n; i-- > 0;) {
        if (limbs_is_zero(a[i])) {
            memset(r[i], 0, 32);
            continue;
        }
        tc_mont_mul(t, inv, scratch[i], m);   /* a[i]⁻¹ */
        tc_mont_mul(inv, inv, a[i], m);
        memcpy(r[i], t, 32);
    }
}

/* Is the canonical value of a greater than (p−1)/2? */
static bool is_lexlargest(const uint64_t a[4], const tc_modulus *m, const uint64_t half[4])
{
    uint64_t v[4];
    to_limbs(v, a, m);
    return !tc_limbs_geq(half, v);
}

/* -------------------------------------------------------------------- Fp */

void tc_fp_one(tc_fp *r) { mont_one(r->l, &tc_fp_modulus); }
bool tc_fp_is_zero(const tc_fp *a) { return limbs_is_zero(a->l); }
bool tc_fp_is_one(const tc_fp *a) { return memcmp(a->l, tc_fp_modulus.one, 32) == 0; }
bool tc_fp_eq(const tc_fp *a, const tc_fp *b) { return memcmp(a->l, b->l, 32) == 0; }
void tc_fp_inv(tc_fp *r, const tc_fp *a) { tc_mont_inv(r->l, a->l, &tc_fp_modulus); }
int tc_fp_legendre(const tc_fp *a) { return tc_mont_legendre(a->l, &tc_fp_modulus); }
void tc_fp_from_u64(tc_fp *r, uint64_t v) { from_u64(r->l, v, &tc_fp_modulus); }
bool tc_fp_from_limbs(tc_fp *r, const uint64_t v[4]) { return from_limbs(r->l, v, &tc_fp_modulus); }
void tc_fp_to_limbs(uint64_t v[4], const tc_fp *a) { to_limbs(v, a->l, &tc_fp_modulus); }
void tc_fp_to_bytes(uint8_t out[32], const tc_fp *a) { to_bytes(out, a->l, &tc_fp_modulus); }
bool tc_fp_from_bytes(tc_fp *r, const uint8_t in[32]) { return from_bytes(r->l, in, &tc_fp_modulus); }
bool tc_fp_is_lexlargest(const tc_fp *a) { return is_lexlargest(a->l, &tc_fp_modulus, P_MINUS1_DIV2); }

void tc_fp_batch_inv(tc_fp *r, const tc_fp *a, size_t n, tc_fp *scratch)
{
    batch_inv((uint64_t(*)[4])r, (const uint64_t(*)[4])a, n, (uint64_t(*)[4])scratch,
              &tc_fp_modulus);
}

/* p ≡ 3 (mod 4): a root is a^((p+1)/4) when one exists. */
bool tc_fp_sqrt(tc_fp *r, const tc_fp *a)
{
    tc_fp x, x2;
    tc_fp_pow(&x, a, P_PLUS1_DIV4);
    tc_fp_sqr(&x2, &x);
    if (!tc_fp_eq(&x2, a))
        return false;
    if (tc_fp_is_lexlargest(&x))
        tc_fp_neg(&x, &x);
    *r = x;
    return true;
}

/* -------------------------------------------------------------------- Fr */

void tc_fr_one(tc_fr *r) { mont_one(r->l, &tc_fr_modulus); }
bool tc_fr_is_zero(const tc_fr *a) { return limbs_is_zero(a->l); }
bool tc_fr_is_one(const tc_fr *a) { return memcmp(a->l, tc_fr_modulus.one, 32) == 0; }
bool tc_fr_eq(const tc_fr *a, const tc_fr *b) { return memcmp(a->l, b->l, 32) == 0; }
void tc_fr_inv(tc_fr *r, const tc_fr *a) { tc_mont_inv(r->l, a->l, &tc_fr_modulus); }
int tc_fr_legendre(const tc_fr *a) { return tc_mont_legendre(a->l, &tc_fr_modulus); }
void tc_fr_from_u64(tc_fr *r, uint64_t v) { from_u64(r->l, v, &tc_fr_modulus); }
bool tc_fr_from_limbs(tc_fr *r, const uint64_t v[4]) { return from_limbs(r->l, v, &tc_fr_modulus); }
void tc_fr_to_limbs(uint64_t v[4], const tc_fr *a) { to_limbs(v, a->l, &tc_fr_modulus); }
void tc_fr_to_bytes(uint8_t out[32], const tc_fr *a) { to_bytes(out, a->l, &tc_fr_modulus); }
bool tc_fr_from_bytes(tc_fr *r, const uint8_t in[32]) { return from_bytes(r->l, in, &tc_fr_modulus); }

void tc_fr_from_i64(tc_fr *r, int64_t v)
{
    /* |INT64_MIN| = 2^63 is representable as uint64 */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    tc_fr_from_u64(r, mag);
    if (v < 0)
        tc_fr_neg(r, r);
}

void tc_fr_batch_inv(tc_fr *r, const tc_fr *a, size_t n, tc_fr *scratch)
{
    batch_inv((uint64_t(*)[4])r, (const uint64_t(*)[4])a, n, (uint64_t(*)[4])scratch,
              &tc_fr_modulus);
}

/* 512-bit little-endian x mod r: x = lo + hi·2^256, and with Montgomery
 * products lo·R²·R⁻¹ = lo·R, hi·R³·R⁻¹ = hi·2^256·R, so the sum is x·R. */
void tc_fr_from_bytes_wide(tc_fr *r, const uint8_t in[64])
{
    uint64_t lo[4] = {0}, hi[4] = {0};
    for (int i = 0; i < 32; i++) {
        lo[i / 8] |= (uint64_t)in[i] << (8 * (i % 8));
        hi[i / 8] |= (uint64_t)in[32 + i] << (8 * (i % 8));
    }
    const tc_modulus *m = &tc_fr_modulus;
    /* reduce each half below r first: lo, hi < 2^256 < 6r */
    while (tc_limbs_geq(lo, m->p))
        tc_limbs_sub(lo, lo, m->p);
    while (tc_limbs_geq(hi, m->p))
        tc_limbs_sub(hi, hi, m->p);
    uint64_t a[4], b[4];
    tc_mont_mul(a, lo, m->r2, m);      /* lo·R */
    tc_mont_mul(b, hi, m->r2, m);      /* hi·R */
    tc_mont_mul(b, b, m->r2, m);       /* hi·R² = hi·2^256·R */
    tc_mont_add(r->l, a, b, m->p);
}

/* Tonelli–Shanks (Cohen, GTM 138, Alg. 1.5.1) with r − 1 = 2^28·T. */
bool tc_fr_sqrt(tc_fr *out, const tc_fr *a)
{
    if (tc_fr_is_zero(a)) {
        tc_fr_zero(out);
        return true;
    }
    if (tc_fr_legendre(a) != 1)
        return false;
    tc_fr z, c, w, x, b, t;
    tc_fr_from_u64(&z, 5);
    uint64_t T[4];
    /* T = 2·((T−1)/2) + 1 */
    memcpy(T, R_T_MINUS1_DIV2, 32);
    tc_limbs_add(T, T, T);
    T[0] |= 1;
    tc_fr_pow(&c, &z, T);                       /* c = z^T, order 2^28 */
    tc_fr_pow(&w, a, R_T_MINUS1_DIV2);          /* w = a^((T−1)/2) */
    tc_fr_mul(&x, a, &w);                       /* x = a^((T+1)/2) */
    tc_fr_mul(&b, &x, &w);                      /* b = a^T */
    int v = R_TWO_ADICITY;
    while (!tc_fr_is_one(&b)) {
        int k = 0;
        t = b;
        while (!tc_fr_is_one(&t)) {             /* least k with b^(2^k) = 1 */
            tc_fr_sqr(&t, &t);
            k++;
        }
        tc_fr s = c;                            /* s = c^(2^(v−k−1)) */
        for (int i = 0; i < v - k - 1; i++)
            tc_fr_sqr(&s, &s);
        tc_fr_sqr(&c, &s);
        tc_fr_mul(&x, &x, &s);
        tc_fr_mul(&b, &b, &c);
        v = k;
    }
    if (is_lexlargest(x.l, &tc_fr_modulus, R_MINUS1_DIV2))
        tc_fr_neg(&x, &x);
    *out = x;
    return true;
}
