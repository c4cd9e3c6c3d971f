/* Fp12 = Fp6[w]/(w² − v): products, inverse, Frobenius maps, cyclotomic
 * squaring and the sparse product by a line. */
#include "ec/tower.h"

#include "ec/tower_frob.h"

#include <string.h>

_Static_assert(sizeof(tc_fp12) == 12 * sizeof(tc_fp), "tc_fp12 is 12 packed tc_fp");

/* See tower_frob.h for what these are and how they were computed. */
const tc_fp2 tc_frob_gamma[3][5] = {
    {
        /* k=1 i=1 */
        {{{0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL}}, {{0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL, 0x10a75716b3899551ULL}}},
        /* k=1 i=2 */
        {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}}, {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}},
        /* k=1 i=3 */
        {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}}, {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}},
        /* k=1 i=4 */
        {{{0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL}}, {{0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL, 0x24830a9d3171f0fdULL}}},
        /* k=1 i=5 */
        {{{0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL}}, {{0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL, 0x2f21ebb535d2925aULL}}},
    },
    {
        /* k=2 i=1 */
        {{{0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL}}, {{0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL}}},
        /* k=2 i=2 */
        {{{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}}, {{0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL}}},
        /* k=2 i=3 */
        {{{0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL}}, {{0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL}}},
        /* k=2 i=4 */
        {{{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}}, {{0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL}}},
        /* k=2 i=5 */
        {{{0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL}}, {{0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL}}},
    },
    {
        /* k=3 i=1 */
        {{{0x365316184e46d97dULL, 0x0af7129ed4c96d9fULL, 0x659da72fca1009b5ULL, 0x08116d8983a20d23ULL}}, {{0xb1df4af7c39c1939ULL, 0x3d9f02878a73bf7fULL, 0x9b2220928caf0ae0ULL, 0x26684515eff054a6ULL}}},
        /* k=3 i=2 */
        {{{0xc9af22f716ad6badULL, 0xb311782a4aa662b2ULL, 0x19eeaf64e248c7f4ULL, 0x20273e77e3439f82ULL}}, {{0xacc02860f7ce93acULL, 0x3933d5817ba76b4cULL, 0x69e6188b446c8467ULL, 0x0a46036d4417cc55ULL}}},
        /* k=3 i=3 */
        {{{0x5764af0aaf46471eULL, 0xdc50792e873e0fc1ULL, 0x86a673ff881d04f6ULL, 0x0b2eddb43c30a74cULL}}, {{0x9a490f32787e8580ULL, 0x8fd16d7ff04af8b1ULL, 0x4b39888ec6027bf2ULL, 0x03dd2e705b52a15dULL}}},
        /* k=3 i=4 */
        {{{0x448a93a57b6762dfULL, 0xbfd62df528fdeadfULL, 0xd858f5d00e9bd47aULL, 0x06b03d4d3476ec58ULL}}, {{0x2b19daf4bcc936d1ULL, 0xa1a54e7a56f4299fULL, 0xb533eee05adeaef1ULL, 0x170c812b84dda0b2ULL}}},
        /* k=3 i=5 */
        {{{0xe0bc4b2275cf559fULL, 0xc238b945c154e60fULL, 0x803982a5929a7d5eULL, 0x15ce052df7e4a37eULL}}, {{0x2d28efbdbf3799a7ULL, 0x9b097e3c1ad60773ULL, 0x982d4113af4a535bULL, 0x24e18991e3056063ULL}}},
    },
};

void tc_fp12_zero(tc_fp12 *r) { memset(r, 0, sizeof *r); }

void tc_fp12_one(tc_fp12 *r)
{
    tc_fp6_one(&r->c0);
    tc_fp6_zero(&r->c1);
}

bool tc_fp12_is_one(const tc_fp12 *a)
{
    tc_fp12 one;
    tc_fp12_one(&one);
    return tc_fp12_eq(a, &one);
}

bool tc_fp12_eq(const tc_fp12 *a, const tc_fp12 *b) { return memcmp(a, b, sizeof *a) == 0; }

void tc_fp12_add(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b)
{
    tc_fp6_add(&r->c0, &a->c0, &b->c0);
    tc_fp6_add(&r->c1, &a->c1, &b->c1);
}

void tc_fp12_sub(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b)
{
    tc_fp6_sub(&r->c0, &a->c0, &b->c0);
    tc_fp6_sub(&r->c1, &a->c1, &b->c1);
}

/* Karatsuba over Fp6 with w² = v:
 * c0 = a0b0 + a1b1·v, c1 = (a0 + a1)(b0 + b1) − a0b0 − a1b1. */
void tc_fp12_mul(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b)
{
    tc_fp6 v0, v1, s, t;
    tc_fp6_mul(&v0, &a->c0, &b->c0);
    tc_fp6_mul(&v1, &a->c1, &b->c1);
    tc_fp6_add(&s, &a->c0, &a->c1);
    tc_fp6_add(&t, &b->c0, &b->c1);
    tc_fp6_mul(&s, &s, &t);
    tc_fp6_sub(&s, &s, &v0);
    tc_fp6_sub(&r->c1, &s, &v1);
    tc_fp6_mul_v(&v1, &v1);
    tc_fp6_add(&r->c0, &v0, &v1);
}

/* Complex squaring: with m = a0a1,
 * c0 = (a0 + a1)(a0 + a1·v) − m − m·v, c1 = 2m. */
void tc_fp12_sqr(tc_fp12 *r, const tc_fp12 *a)
{
    tc_fp6 m, s, t;
    tc_fp6_mul(&m, &a->c0, &a->c1);
    tc_fp6_add(&s, &a->c0, &a->c1);
    tc_fp6_mul_v(&t, &a->c1);
    tc_fp6_add(&t, &t, &a->c0);
    tc_fp6_mul(&s, &s, &t);
    tc_fp6_sub(&s, &s, &m);
    tc_fp6_mul_v(&t, &m);
    tc_fp6_sub(&r->c0, &s, &t);
    tc_fp6_add(&r->c1, &m, &m);
}

/* (a0 + a1w)⁻¹ = (a0 − a1w) / (a0² − a1²·v) */
void tc_fp12_inv_var(tc_fp12 *r, const tc_fp12 *a)
{
    tc_fp6 t0, t1;
    tc_fp6_sqr(&t0, &a->c0);
    tc_fp6_sqr(&t1, &a->c1);
    tc_fp6_mul_v(&t1, &t1);
    tc_fp6_sub(&t0, &t0, &t1);
    tc_fp6_inv_var(&t0, &t0);
    tc_fp6_mul(&r->c0, &a->c0, &t0);
    tc_fp6_mul(&t1, &a->c1, &t0);
    tc_fp6_neg(&r->c1, &t1);
}

void tc_fp12_conj(tc_fp12 *r, const tc_fp12 *a)
{
    r->c0 = a->c0;
    tc_fp6_neg(&r->c1, &a->c1);
}

/* One step, k = 1, 2 or 3: the coefficient g_i of w^i becomes
 * φ(g_i)·γ_{k,i}, φ = conjugation for odd k.  In the struct, w^i for
 * i = 0..5 is c0.c0, c1.c0, c0.c1, c1.c1, c0.c2, c1.c2. */
static void frobenius_step(tc_fp12 *r, const tc_fp12 *a, int k)
{
    const tc_fp2 *g = tc_frob_gamma[k - 1];
    tc_fp12 t = *a;
    if (k & 1) {
        tc_fp2 *c = &t.c0.c0;
        for (int i = 0; i < 6; i++)
            tc_fp2_conj(&c[i], &c[i]);
    }
    if (k == 2) {                       /* γ_{2,i} ∈ Fp */
        tc_fp2_mul_fp(&t.c1.c0, &t.c1.c0, &g[0].c0);
        tc_fp2_mul_fp(&t.c0.c1, &t.c0.c1, &g[1].c0);
        tc_fp2_mul_fp(&t.c1.c1, &t.c1.c1, &g[2].c0);
        tc_fp2_mul_fp(&t.c0.c2, &t.c0.c2, &g[3].c0);
        tc_fp2_mul_fp(&t.c1.c2, &t.c1.c2, &g[4].c0);
    } else {
        tc_fp2_mul(&t.c1.c0, &t.c1.c0, &g[0]);
        tc_fp2_mul(&t.c0.c1, &t.c0.c1, &g[1]);
        tc_fp2_mul(&t.c1.c1, &t.c1.c1, &g[2]);
        tc_fp2_mul(&t.c0.c2, &t.c0.c2, &g[3]);
        tc_fp2_mul(&t.c1.c2, &t.c1.c2, &g[4]);
    }
    *r = t;
}

void tc_fp12_frobenius(tc_fp12 *r, const tc_fp12 *a, int k)
{
    tc_fp12 t = *a;
    k %= 12;
    if (k < 0)
        k += 12;
    while (k > 0) {
        int step = k >= 3 ? 3 : k;
        frobenius_step(&t, &t, step);
        k -= step;
    }
    *r = t;
}

/* (x0 + x1·s)² in Fp4 = Fp2[s]/(s² − ξ): x0² + ξx1² + ((x0 + x1)² − x0² − x1²)s */
static void fp4_sqr(tc_fp2 *r0, tc_fp2 *r1, const tc_fp2 *x0, const tc_fp2 *x1)
{
    tc_fp2 a, b, s;
    tc_fp2_sqr(&a, x0);
    tc_fp2_sqr(&b, x1);
    tc_fp2_add(&s, x0, x1);
    tc_fp2_sqr(&s, &s);
    tc_fp2_sub(&s, &s, &a);
    tc_fp2_sub(r1, &s, &b);
    tc_fp2_mul_xi(&b, &b);
    tc_fp2_add(r0, &a, &b);
}

/* Granger and Scott, "Faster squaring in the cyclotomic subgroup of sixth
 * degree extensions", PKC 2010.  View Fp12 as Fp4[t]/(t³ − s) with
 * t = w, s = w³: z = A + B·t + C·t², A = (c0.c0, c1.c1), B = (c1.c0, c0.c2),
 * C = (c0.c1, c1.c2).  For z of order dividing p⁴ − p² + 1,
 *   z² = (3A² − 2Ā) + (3s·C² + 2B̄)·t + (3B² − 2C̄)·t²,
 * with x̄ the conjugation of Fp4 over Fp2 (x0 + x1s ↦ x0 − x1s). */
void tc_fp12_cyclotomic_sqr(tc_fp12 *r, const tc_fp12 *a)
{
    tc_fp2 a0, a1, b0, b1, c0, c1, t;
    fp4_sqr(&a0, &a1, &a->c0.c0, &a->c1.c1);   /* A² */
    fp4_sqr(&b0, &b1, &a->c1.c0, &a->c0.c2);   /* B² */
    fp4_sqr(&c0, &c1, &a->c0.c1, &a->c1.c2);   /* C² */
    tc_fp2_mul_xi(&t, &c1);                    /* s·C² = (ξc1, c0) */

    /* A' = 3A² − 2Ā: (3a0 − 2x0, 3a1 + 2x1) */
    tc_fp2_sub(&r->c0.c0, &a0, &a->c0.c0);
    tc_fp2_dbl(&r->c0.c0, &r->c0.c0);
    tc_fp2_add(&r->c0.c0, &r->c0.c0, &a0);
    tc_fp2_add(&r->c1.c1, &a1, &a->c1.c1);
    tc_fp2_dbl(&r->c1.c1, &r->c1.c1);
    tc_fp2_add(&r->c1.c1, &r->c1.c1, &a1);

    /* B' = 3sC² + 2B̄: (3ξc1 + 2y0, 3c0 − 2y1) */
    tc_fp2_add(&r->c1.c0, &t, &a->c1.c0);
    tc_fp2_dbl(&r->c1.c0, &r->c1.c0);
    tc_fp2_add(&r->c1.c0, &r->c1.c0, &t);
    tc_fp2_sub(&r->c0.c2, &c0, &a->c0.c2);
    tc_fp2_dbl(&r->c0.c2, &r->c0.c2);
    tc_fp2_add(&r->c0.c2, &r->c0.c2, &c0);

    /* C' = 3B² − 2C̄: (3b0 − 2z0, 3b1 + 2z1) */
    tc_fp2_sub(&r->c0.c1, &b0, &a->c0.c1);
    tc_fp2_dbl(&r->c0.c1, &r->c0.c1);
    tc_fp2_add(&r->c0.c1, &r->c0.c1, &b0);
    tc_fp2_add(&r->c1.c2, &b1, &a->c1.c2);
    tc_fp2_dbl(&r->c1.c2, &r->c1.c2);
    tc_fp2_add(&r->c1.c2, &r->c1.c2, &b1);
}

/* Left-to-right over the width-4 NAF of e (digits 0, ±1, ±3, ±5, ±7, at
 * most one nonzero in any 4 consecutive; Hankerson, Menezes and Vanstone,
 * "Guide to elliptic curve cryptography", Alg. 3.35): for the BN parameter
 * x that is 63 squarings and 13 + 3 products, against 23 for the plain
 * NAF.  A negative digit multiplies by a conjugate, which is the inverse in
 * the cyclotomic subgroup. */
void tc_fp12_cyclotomic_pow_u64(tc_fp12 *r, const tc_fp12 *a, uint64_t e)
{
    if (e == 0) {
        tc_fp12_one(r);
        return;
    }
    int8_t naf[66];
    int n = 0;
    tc_u128 k = e;
    while (k > 0) {
        int d = 0;
        if (k & 1) {
            d = (int)(k & 15);
            if (d >= 8)
                d -= 16;
            k = d > 0 ? k - (tc_u128)d : k + (tc_u128)(-d);
        }
        naf[n++] = (int8_t)d;
        k >>= 1;
    }
    tc_fp12 odd[4], a2, acc, t;                /* odd[i] = a^(2i+1) */
    odd[0] = *a;
    tc_fp12_cyclotomic_sqr(&a2, a);
    for (int i = 1; i < 4; i++)
        tc_fp12_mul(&odd[i], &odd[i - 1], &a2);
    acc = odd[(naf[n - 1] - 1) / 2];           /* the top digit is positive */
    for (int i = n - 2; i >= 0; i--) {
        tc_fp12_cyclotomic_sqr(&acc, &acc);
        int d = naf[i];
        if (d > 0) {
            tc_fp12_mul(&acc, &acc, &odd[(d - 1) / 2]);
        } else if (d < 0) {
            tc_fp12_conj(&t, &odd[(-d - 1) / 2]);
            tc_fp12_mul(&acc, &acc, &t);
        }
    }
    *r = acc;
}

void tc_fp12_pow(tc_fp12 *r, const tc_fp12 *a, const uint64_t *e, size_t n)
{
    tc_fp12 acc, base = *a;
    tc_fp12_one(&acc);
    for (size_t i = n * 64; i-- > 0;) {
        tc_fp12_sqr(&acc, &acc);
        if ((e[i / 64] >> (i % 64)) & 1)
            tc_fp12_mul(&acc, &acc, &base);
    }
    *r = acc;
}

/* a·l, l = L0 + L1·w with L0 = l0 ∈ Fp2 and L1 = l3 + l4·v:
 * v0 = a0·l0, v1 = a1·L1, c0 = v0 + v1·v, c1 = (a0 + a1)(L0 + L1) − v0 − v1. */
void tc_fp12_mul_034(tc_fp12 *r, const tc_fp12 *a, const tc_fp2 *l0,
                     const tc_fp2 *l3, const tc_fp2 *l4)
{
    tc_fp6 v0, v1, s;
    tc_fp2 t;
    tc_fp6_mul_fp2(&v0, &a->c0, l0);
    tc_fp6_mul_01(&v1, &a->c1, l3, l4);
    tc_fp6_add(&s, &a->c0, &a->c1);
    tc_fp2_add(&t, l0, l3);
    tc_fp6_mul_01(&s, &s, &t, l4);
    tc_fp6_sub(&s, &s, &v0);
    tc_fp6_sub(&r->c1, &s, &v1);
    tc_fp6_mul_v(&v1, &v1);
    tc_fp6_add(&r->c0, &v0, &v1);
}

bool tc_fp12_from_dec(tc_fp12 *r, const char *const s[12])
{
    tc_fp c[12];   /* the struct is 12 consecutive tc_fp in this order */
    for (int i = 0; i < 12; i++)
        if (s[i] == NULL || !tc_fp_from_dec(&c[i], s[i]))
            return false;
    memcpy(r, c, sizeof c);
    return true;
}

void tc_fp12_to_dec(char out[12][80], const tc_fp12 *a)
{
    tc_fp c[12];
    memcpy(c, a, sizeof c);
    for (int i = 0; i < 12; i++)
        tc_fp_to_dec(out[i], &c[i]);
}
