/*
 * The groups of BN254.
 *   G1: E(Fp)  : y² = x³ + 3, generator (1, 2), prime order r (cofactor 1).
 *   G2: E'(Fp2): y² = x³ + 3/(9 + u), the EIP-197 generator, order-r subgroup
 *       of a twist with a large cofactor.
 * Projective points are Jacobian: (X, Y, Z) ↦ (X/Z², Y/Z³), infinity when
 * Z = 0.  Affine points carry an explicit infinity flag (x = y = 0 then).
 * No allocation; every function accepts aliased arguments.
 * Timing: functions ending in _var take time that depends on their inputs
 * (public scalars and points only); the group law, the conversions to
 * affine (tc_fp_inv_var inside) and the checks branch on special cases
 * and are meant for public points; tc_g2_mul_ct is the constant-time
 * multiplication for secret scalars.
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
/* Complete: any inputs, including infinity, equal and opposite points.
 * Cost (EFD, a = 0): add 11M + 5S, mixed add 7M + 4S, double 2M + 5S. */
void tc_g1_add(tc_g1 *r, const tc_g1 *a, const tc_g1 *b);
void tc_g1_add_affine(tc_g1 *r, const tc_g1 *a, const tc_g1_affine *b);
void tc_g1_dbl(tc_g1 *r, const tc_g1 *a);
void tc_g1_neg(tc_g1 *r, const tc_g1 *a);
void tc_g1_affine_neg(tc_g1_affine *r, const tc_g1_affine *a);
/* k·P (GLV: two 128-bit halves, interleaved width-5 NAF over affine
 * tables; about 128 doublings and 45 mixed additions); variable time:
 * public scalars only. */
void tc_g1_mul_var(tc_g1 *r, const tc_g1 *a, const tc_fr *k);
/* k·P by plain double-and-add over the canonical bits: the test reference. */
void tc_g1_mul_ref(tc_g1 *r, const tc_g1 *a, const tc_fr *k);
bool tc_g1_affine_eq(const tc_g1_affine *a, const tc_g1_affine *b);
/* φ(x, y) = (β·x, y), β a cube root of unity: on G1, φ(P) = [λ]P. */
void tc_g1_endo(tc_g1_affine *r, const tc_g1_affine *a);
/* k ≡ (−1)^neg0·mag0 + (−1)^neg1·mag1·λ (mod r), mag_i < 2^128 (GLV). */
void tc_g1_decompose(uint64_t mag[2][4], bool neg[2], const tc_fr *k);

/* ---- G2 ---- */
void tc_g2_generator(tc_g2 *r);
void tc_g2_affine_generator(tc_g2_affine *r);
void tc_g2_set_infinity(tc_g2 *r);
bool tc_g2_is_infinity(const tc_g2 *a);
bool tc_g2_eq(const tc_g2 *a, const tc_g2 *b);
bool tc_g2_affine_is_on_curve(const tc_g2_affine *a);
/* Q in the order-r subgroup, by [x+1]Q + ψ([x]Q) + ψ²([x]Q) = ψ³([2x]Q)
 * (exactness argued in g2.c); about one 63-bit scalar multiplication.
 * Precondition: Q on the twist.  _ref: ψ(Q) = [6x²]Q, for tests. */
bool tc_g2_affine_in_subgroup(const tc_g2_affine *a);
bool tc_g2_affine_in_subgroup_ref(const tc_g2_affine *a);
void tc_g2_from_affine(tc_g2 *r, const tc_g2_affine *a);
void tc_g2_to_affine(tc_g2_affine *r, const tc_g2 *a);
void tc_g2_batch_to_affine(tc_g2_affine *r, const tc_g2 *a, size_t n, tc_fp2 *scratch);
/* The same formulas as G1, over Fp2 (one implementation: curve_impl.h). */
void tc_g2_add(tc_g2 *r, const tc_g2 *a, const tc_g2 *b);
void tc_g2_add_affine(tc_g2 *r, const tc_g2 *a, const tc_g2_affine *b);
void tc_g2_dbl(tc_g2 *r, const tc_g2 *a);
void tc_g2_neg(tc_g2 *r, const tc_g2 *a);
/* k·Q for Q in G2 (GLS; wrong for points outside G2, use tc_g2_mul_ref
 * there); variable time: public scalars only. */
void tc_g2_mul_var(tc_g2 *r, const tc_g2 *a, const tc_fr *k);
/* k·Q, affine, for any Q on the twist, in constant time: the operations and
 * memory accesses do not depend on k or Q (g2_mul_ct.c: fixed 4-bit
 * windows, complete projective formulas, masked table reads, Fermat
 * inversion).  For secret scalars (setup); several times slower than
 * tc_g2_mul_var. */
void tc_g2_mul_ct(tc_g2_affine *r, const tc_g2_affine *a, const tc_fr *k);
void tc_g2_mul_ref(tc_g2 *r, const tc_g2 *a, const tc_fr *k);
bool tc_g2_affine_eq(const tc_g2_affine *a, const tc_g2_affine *b);
void tc_g2_affine_neg(tc_g2_affine *r, const tc_g2_affine *a);
/* ψ = untwist ∘ Frobenius ∘ twist: ψ(x, y) = (conj(x)·γx, conj(y)·γy) with
 * γx = ξ^((p−1)/3), γy = ξ^((p−1)/2).  On G2, ψ(Q) = [6x²]Q = [p]Q. */
void tc_g2_endo(tc_g2_affine *r, const tc_g2_affine *a);
/* k ≡ Σ_i (−1)^neg_i·mag_i·(6x²)^i (mod r), mag_i < 2^66 (GLS, 4-dim). */
void tc_g2_decompose(uint64_t mag[4][4], bool neg[4], const tc_fr *k);
/* The twist coefficient b' = 3/(9 + u). */
void tc_g2_twist_b(tc_fp2 *r);

#endif
