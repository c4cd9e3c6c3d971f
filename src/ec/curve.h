/*
 * The groups of BN254.
 *   G1: E(Fp)  : y² = x³ + 3, generator (1, 2), prime order r (cofactor 1).
 *   G2: E'(Fp2): y² = x³ + 3/(9 + u), the EIP-197 generator, order-r subgroup
 *       of a twist with a large cofactor.
 * Projective points are Jacobian: (X, Y, Z) ↦ (X/Z², Y/Z³), infinity when
 * Z = 0.  Affine points carry an explicit infinity flag (x = y = 0 then).
 * No allocation; every function accepts aliased arguments.
 */
#ifndef TC_EC_CURVE_H
#define TC_EC_CURVE_H

#include "ec/field.h"
#include "ec/tower.h"

typedef struct tc_g1_affine { tc_fp x, y; bool infinity; } tc_g1_affine;
typedef struct tc_g1 { tc_fp x, y, z; } tc_g1;              /* Jacobian */
typedef struct tc_g2_affine { tc_fp2 x, y; bool infinity; } tc_g2_affine;
typedef struct tc_g2 { tc_fp2 x, y, z; } tc_g2;             /* Jacobian */

/* ---- G1 ---- */
void tc_g1_generator(tc_g1 *r);
void tc_g1_affine_generator(tc_g1_affine *r);
void tc_g1_set_infinity(tc_g1 *r);
bool tc_g1_is_infinity(const tc_g1 *a);
bool tc_g1_eq(const tc_g1 *a, const tc_g1 *b);              /* projective equality */
bool tc_g1_affine_is_on_curve(const tc_g1_affine *a);
void tc_g1_from_affine(tc_g1 *r, const tc_g1_affine *a);
void tc_g1_to_affine(tc_g1_affine *r, const tc_g1 *a);
/* Normalises n points with one field inversion.  scratch: n tc_fp. */
void tc_g1_batch_to_affine(tc_g1_affine *r, const tc_g1 *a, size_t n, tc_fp *scratch);
void tc_g1_add(tc_g1 *r, const tc_g1 *a, const tc_g1 *b);              /* any inputs */
void tc_g1_add_affine(tc_g1 *r, const tc_g1 *a, const tc_g1_affine *b); /* mixed, any inputs */
void tc_g1_dbl(tc_g1 *r, const tc_g1 *a);
void tc_g1_neg(tc_g1 *r, const tc_g1 *a);
void tc_g1_affine_neg(tc_g1_affine *r, const tc_g1_affine *a);
/* k·P for a canonical Fr scalar (GLV); variable time. */
void tc_g1_mul(tc_g1 *r, const tc_g1 *a, const tc_fr *k);
/* k·P by plain double-and-add over the canonical bits: the test reference. */
void tc_g1_mul_ref(tc_g1 *r, const tc_g1 *a, const tc_fr *k);

/* ---- G2 ---- */
void tc_g2_generator(tc_g2 *r);
void tc_g2_affine_generator(tc_g2_affine *r);
void tc_g2_set_infinity(tc_g2 *r);
bool tc_g2_is_infinity(const tc_g2 *a);
bool tc_g2_eq(const tc_g2 *a, const tc_g2 *b);
bool tc_g2_affine_is_on_curve(const tc_g2_affine *a);
bool tc_g2_affine_in_subgroup(const tc_g2_affine *a);
void tc_g2_from_affine(tc_g2 *r, const tc_g2_affine *a);
void tc_g2_to_affine(tc_g2_affine *r, const tc_g2 *a);
void tc_g2_batch_to_affine(tc_g2_affine *r, const tc_g2 *a, size_t n, tc_fp2 *scratch);
void tc_g2_add(tc_g2 *r, const tc_g2 *a, const tc_g2 *b);
void tc_g2_add_affine(tc_g2 *r, const tc_g2 *a, const tc_g2_affine *b);
void tc_g2_dbl(tc_g2 *r, const tc_g2 *a);
void tc_g2_neg(tc_g2 *r, const tc_g2 *a);
void tc_g2_mul(tc_g2 *r, const tc_g2 *a, const tc_fr *k);  /* GLS */
void tc_g2_mul_ref(tc_g2 *r, const tc_g2 *a, const tc_fr *k);

#endif
