/*
 * The optimal ate pairing on BN254 (docs/design.md §3.1; Vercauteren, "Optimal
 * pairings", IEEE TIT 2010):
 *   e(P, Q) = ( f_{6x+2,Q}(P) · l_{[6x+2]Q, π(Q)}(P) · l_{[6x+2]Q+π(Q), −π²(Q)}(P) )^((p¹²−1)/r · m)
 * with x = 4965661367192848881, P ∈ G1, Q ∈ G2, π the p-power Frobenius
 * carried to the twist.
 *
 * Final-exponentiation convention: the hard part is the one of
 * Fuentes-Castañeda, Knapp and Rodríguez-Henríquez ("Faster hashing to
 * G2", SAC 2011), which raises to a multiple of (p⁴ − p² + 1)/r, so
 * the output is exact^m with m = 2x(6x² + 3x + 1), exact = f^((p¹²−1)/r).
 * This is the "arkworks_noble" value of the test vectors and what arkworks
 * and @noble/curves output.  Since gcd(m, r) = 1 it is still a
 * non-degenerate bilinear pairing, and "this product is 1" does not depend
 * on the convention.
 *
 * Line functions live on the D-type twist y² = x³ + 3/ξ and untwist with
 * (x, y) ↦ (x·w², y·w³); a line evaluated at P = (xP, yP) is
 *   l = a·yP + b·xP·w + c·w³,   a, b, c ∈ Fp2,
 * up to a factor in Fp2 that the final exponentiation removes.
 *
 * Points at infinity: a pair in which P or Q is infinity contributes 1.
 * Preconditions: P on E(Fp), Q in G2 (the order-r subgroup of the twist);
 * decoding checks these (docs/design.md §3.1), this code does not.
 * No allocation; inputs are not modified.
 */
#ifndef TC_EC_PAIRING_H
#define TC_EC_PAIRING_H

#include <stdbool.h>
#include <stddef.h>

#include "ec/curve.h"
#include "ec/tower.h"

/* Lines in the Miller loop: the non-adjacent form of 6x + 2 has 66 digits,
 * so 65 doublings, 21 additions for its nonzero digits below the top one,
 * and 2 additions of the Frobenius images. */
#define TC_PAIRING_LINES 88

/* A G2 point with its Miller-loop line coefficients precomputed, in the
 * order the loop consumes them: ell[i] = {a, b, c} as in the comment above.
 * Fixed size, no pointers: 88·3·64 + 8 = 16,904 bytes. */
typedef struct tc_g2_prepared {
    tc_fp2 ell[TC_PAIRING_LINES][3];
    bool infinity;
} tc_g2_prepared;

/* Precomputes the lines for Q (Q in G2 or infinity).  Cost: about one
 * Miller loop's worth of G2 doublings and additions, no Fp12 arithmetic. */
void tc_g2_prepare(tc_g2_prepared *prep, const tc_g2_affine *q);

/* f = Π_i f_{Q_i}(P_i), the multi-Miller loop over k pairs sharing one
 * chain of Fp12 squarings (no final exponentiation).  k = 0 or all pairs
 * with an infinity gives f = 1. */
void tc_miller_loop(tc_fp12 *f, const tc_g1_affine *p, const tc_g2_prepared *q, size_t k);

/* r = f^((p¹²−1)/r · m), m = 2x(6x² + 3x + 1) (see above).  f ≠ 0. */
void tc_final_exp(tc_fp12 *r, const tc_fp12 *f);

/* r = e(P, Q): prepare, Miller loop, final exponentiation. */
void tc_pairing(tc_fp12 *r, const tc_g1_affine *p, const tc_g2_affine *q);

/* Whether Π_i e(P_i, Q_i) = 1 for k pairs: one multi-Miller loop and one
 * final exponentiation.  k = 0 gives true. */
bool tc_pairing_product_is_one(const tc_g1_affine *p, const tc_g2_prepared *q, size_t k);

#endif
