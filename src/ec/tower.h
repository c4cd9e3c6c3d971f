/*
 * The extension tower of BN254 (docs/design.md §3.1):
 *   Fp2  = Fp[u]  / (u² + 1)
 *   Fp6  = Fp2[v] / (v³ − ξ),  ξ = 9 + u
 *   Fp12 = Fp6[w] / (w² − v)
 * Elements are stored as their coefficients, all in Montgomery form.  As
 * a polynomial in w over Fp2 (w⁶ = ξ), an Fp12 element c0 + c1·w is
 *   c0.c0 + c1.c0·w + c0.c1·w² + c1.c1·w³ + c0.c2·w⁴ + c1.c2·w⁵.
 * No allocation; every function accepts aliased arguments.
 * Implementation: fp2.c, fp6.c, fp12.c.
 */
#ifndef TC_EC_TOWER_H
#define TC_EC_TOWER_H

#include "ec/field.h"

typedef struct tc_fp2 { tc_fp c0, c1; } tc_fp2;            /* c0 + c1·u */
typedef struct tc_fp6 { tc_fp2 c0, c1, c2; } tc_fp6;       /* c0 + c1·v + c2·v² */
typedef struct tc_fp12 { tc_fp6 c0, c1; } tc_fp12;         /* c0 + c1·w */

/* ---- Fp2 ---- */
static inline void tc_fp2_zero(tc_fp2 *r) { tc_fp_zero(&r->c0); tc_fp_zero(&r->c1); }
void tc_fp2_one(tc_fp2 *r);
bool tc_fp2_is_zero(const tc_fp2 *a);
bool tc_fp2_is_one(const tc_fp2 *a);
bool tc_fp2_eq(const tc_fp2 *a, const tc_fp2 *b);
static inline void tc_fp2_add(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b)
{
    tc_fp_add(&r->c0, &a->c0, &b->c0);
    tc_fp_add(&r->c1, &a->c1, &b->c1);
}
static inline void tc_fp2_sub(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b)
{
    tc_fp_sub(&r->c0, &a->c0, &b->c0);
    tc_fp_sub(&r->c1, &a->c1, &b->c1);
}
static inline void tc_fp2_dbl(tc_fp2 *r, const tc_fp2 *a)
{
    tc_fp_dbl(&r->c0, &a->c0);
    tc_fp_dbl(&r->c1, &a->c1);
}
static inline void tc_fp2_neg(tc_fp2 *r, const tc_fp2 *a)
{
    tc_fp_neg(&r->c0, &a->c0);
    tc_fp_neg(&r->c1, &a->c1);
}
static inline void tc_fp2_conj(tc_fp2 *r, const tc_fp2 *a)
{
    r->c0 = a->c0;
    tc_fp_neg(&r->c1, &a->c1);
}
/* Karatsuba: 3 Fp products. */
void tc_fp2_mul(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b);
/* Complex squaring (a0 + a1)(a0 − a1) + 2a0a1·u: 2 Fp products. */
void tc_fp2_sqr(tc_fp2 *r, const tc_fp2 *a);
void tc_fp2_mul_fp(tc_fp2 *r, const tc_fp2 *a, const tc_fp *b);
void tc_fp2_mul_xi(tc_fp2 *r, const tc_fp2 *a);            /* r = a·(9 + u) */
void tc_fp2_inv_var(tc_fp2 *r, const tc_fp2 *a);               /* 0 ↦ 0 */
/* r = a^e, e little-endian 64-bit limbs (n of them); variable time. */
void tc_fp2_pow(tc_fp2 *r, const tc_fp2 *a, const uint64_t *e, size_t n);
/* Square root: false when a is not a square (r untouched).  Returns the
 * root that is not "negative" in arkworks' order (!tc_fp2_is_lexlargest),
 * i.e. the smaller of the two under the c1-first comparison. */
bool tc_fp2_sqrt_var(tc_fp2 *r, const tc_fp2 *a);
/* Quadratic character in Fp2: 1, −1, or 0 for zero (via the norm). */
int tc_fp2_legendre_var(const tc_fp2 *a);
/* arkworks' "y > −y" for Fp2: compares c1 first, c0 when c1 = 0. */
bool tc_fp2_is_lexlargest(const tc_fp2 *a);
static inline void tc_fp2_frobenius(tc_fp2 *r, const tc_fp2 *a)  /* a^p = conj(a) */
{
    tc_fp2_conj(r, a);
}
/* Canonical decimal pair [c0, c1] (for vectors and tests). */
bool tc_fp2_from_dec(tc_fp2 *r, const char *c0, const char *c1);

/* ---- Fp6 ---- */
void tc_fp6_zero(tc_fp6 *r);
void tc_fp6_one(tc_fp6 *r);
bool tc_fp6_is_zero(const tc_fp6 *a);
bool tc_fp6_eq(const tc_fp6 *a, const tc_fp6 *b);
void tc_fp6_add(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b);
void tc_fp6_sub(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b);
void tc_fp6_neg(tc_fp6 *r, const tc_fp6 *a);
void tc_fp6_mul(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b);   /* 6 Fp2 products */
void tc_fp6_sqr(tc_fp6 *r, const tc_fp6 *a);
void tc_fp6_mul_v(tc_fp6 *r, const tc_fp6 *a);                  /* r = a·v */
void tc_fp6_mul_fp2(tc_fp6 *r, const tc_fp6 *a, const tc_fp2 *b);
/* r = a·(b0 + b1·v): 5 Fp2 products. */
void tc_fp6_mul_01(tc_fp6 *r, const tc_fp6 *a, const tc_fp2 *b0, const tc_fp2 *b1);
/* r = a·(b1·v): 3 Fp2 products. */
void tc_fp6_mul_1(tc_fp6 *r, const tc_fp6 *a, const tc_fp2 *b1);
void tc_fp6_inv_var(tc_fp6 *r, const tc_fp6 *a);                    /* 0 ↦ 0 */
/* r = a^(p^k); any k (reduced mod 6). */
void tc_fp6_frobenius(tc_fp6 *r, const tc_fp6 *a, int k);

/* ---- Fp12 ---- */
void tc_fp12_zero(tc_fp12 *r);
void tc_fp12_one(tc_fp12 *r);
bool tc_fp12_is_one(const tc_fp12 *a);
bool tc_fp12_eq(const tc_fp12 *a, const tc_fp12 *b);
void tc_fp12_add(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b);
void tc_fp12_sub(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b);
void tc_fp12_mul(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b);  /* 18 Fp2 products */
void tc_fp12_sqr(tc_fp12 *r, const tc_fp12 *a);                    /* 12 Fp2 products */
void tc_fp12_inv_var(tc_fp12 *r, const tc_fp12 *a);                    /* 0 ↦ 0 */
/* c0 − c1·w = a^(p⁶); for a in the cyclotomic subgroup, the inverse. */
void tc_fp12_conj(tc_fp12 *r, const tc_fp12 *a);
/* r = a^(p^k): one pass over the coefficients for k = 1, 2, 3 (hard-coded
 * constants ξ^(i(p^k−1)/6), see tower_frob.h); other k, including
 * negative ones, are reduced mod 12 and composed from those. */
void tc_fp12_frobenius(tc_fp12 *r, const tc_fp12 *a, int k);
/* Granger–Scott squaring (PKC 2010), 9 Fp2 squarings.  Valid only
 * in the cyclotomic subgroup (a^(p⁴ − p² + 1) = 1), e.g. any output of the
 * easy part of the final exponentiation; elsewhere the result is wrong. */
void tc_fp12_cyclotomic_sqr(tc_fp12 *r, const tc_fp12 *a);
/* r = a^e by cyclotomic squarings; a must be in the cyclotomic subgroup. */
void tc_fp12_cyclotomic_pow_u64(tc_fp12 *r, const tc_fp12 *a, uint64_t e);
/* r = a^e, e little-endian 64-bit limbs (n of them); any a.  Slow: tests. */
void tc_fp12_pow(tc_fp12 *r, const tc_fp12 *a, const uint64_t *e, size_t n);
/* r = a·l with l sparse: l = l0 + l3·w + l4·w³, i.e. only c0.c0 = l0,
 * c1.c0 = l3 and c1.c1 = l4 nonzero (the shape of a line on the D-type
 * twist evaluated at a G1 point).  13 Fp2 products. */
void tc_fp12_mul_034(tc_fp12 *r, const tc_fp12 *a, const tc_fp2 *l0,
                     const tc_fp2 *l3, const tc_fp2 *l4);
/* 12 coefficients c0.c0.c0, c0.c0.c1, ..., c1.c2.c1 (the vectors' order,
 * index 6i + 2j + k for w^i v^j u^k), canonical decimal. */
bool tc_fp12_from_dec(tc_fp12 *r, const char *const s[12]);
void tc_fp12_to_dec(char out[12][80], const tc_fp12 *a);

#endif
