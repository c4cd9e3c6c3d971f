/*
 * The extension tower of BN254 (DESIGN §3.1):
 *   Fp2  = Fp[u]  / (u² + 1)
 *   Fp6  = Fp2[v] / (v³ − ξ),  ξ = 9 + u
 *   Fp12 = Fp6[w] / (w² − v)
 * Elements are stored as their coefficients, all in Montgomery form.
 * No allocation; every function accepts aliased arguments.
 */
#ifndef TC_EC_TOWER_H
#define TC_EC_TOWER_H

#include "ec/field.h"

typedef struct tc_fp2 { tc_fp c0, c1; } tc_fp2;            /* c0 + c1·u */
typedef struct tc_fp6 { tc_fp2 c0, c1, c2; } tc_fp6;       /* c0 + c1·v + c2·v² */
typedef struct tc_fp12 { tc_fp6 c0, c1; } tc_fp12;         /* c0 + c1·w */

/* ---- Fp2 ---- */
void tc_fp2_zero(tc_fp2 *r);
void tc_fp2_one(tc_fp2 *r);
bool tc_fp2_is_zero(const tc_fp2 *a);
bool tc_fp2_eq(const tc_fp2 *a, const tc_fp2 *b);
void tc_fp2_add(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b);
void tc_fp2_sub(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b);
void tc_fp2_dbl(tc_fp2 *r, const tc_fp2 *a);
void tc_fp2_neg(tc_fp2 *r, const tc_fp2 *a);
void tc_fp2_conj(tc_fp2 *r, const tc_fp2 *a);
void tc_fp2_mul(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b);
void tc_fp2_sqr(tc_fp2 *r, const tc_fp2 *a);
void tc_fp2_mul_fp(tc_fp2 *r, const tc_fp2 *a, const tc_fp *b);
void tc_fp2_mul_xi(tc_fp2 *r, const tc_fp2 *a);            /* r = a·(9 + u) */
void tc_fp2_inv(tc_fp2 *r, const tc_fp2 *a);               /* 0 ↦ 0 */
/* Square root: false when a is not a square.  Returns the root that is not
 * "negative" in arkworks' order (see tc_fp2_is_lexlargest). */
bool tc_fp2_sqrt(tc_fp2 *r, const tc_fp2 *a);
/* arkworks' "y > −y" for Fp2: compares c1 first, c0 when c1 = 0. */
bool tc_fp2_is_lexlargest(const tc_fp2 *a);
void tc_fp2_frobenius(tc_fp2 *r, const tc_fp2 *a);        /* a^p = conj(a) */

/* ---- Fp6, Fp12: see tower.c / pairing.c ---- */
void tc_fp12_one(tc_fp12 *r);
bool tc_fp12_is_one(const tc_fp12 *a);
bool tc_fp12_eq(const tc_fp12 *a, const tc_fp12 *b);
void tc_fp12_mul(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b);
void tc_fp12_sqr(tc_fp12 *r, const tc_fp12 *a);
void tc_fp12_inv(tc_fp12 *r, const tc_fp12 *a);
void tc_fp12_conj(tc_fp12 *r, const tc_fp12 *a);
/* r = a^(p^k) for k = 1, 2, 3. */
void tc_fp12_frobenius(tc_fp12 *r, const tc_fp12 *a, int k);
/* Granger–Scott squaring, valid in the cyclotomic subgroup. */
void tc_fp12_cyclotomic_sqr(tc_fp12 *r, const tc_fp12 *a);

#endif
