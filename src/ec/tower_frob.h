/* Frobenius constants of the BN254 tower (internal to src/ec).
 *
 * tc_frob_gamma[k−1][i−1] = ξ^(i·(p^k − 1)/6) for k = 1, 2, 3 and i = 1..5,
 * ξ = 9 + u, in Montgomery form (limbs of value·2^256 mod p).  Since w⁶ = ξ,
 * w^(i·p^k) = w^i·γ_{k,i}, which gives the Frobenius maps of Fp6 and Fp12.
 * For k = 2 the constants lie in Fp (c1 = 0).
 *
 * How they were computed: with Python integers, Fp2 square-and-multiply of
 * (9, 1) to the exponent i·(p^k − 1)//6 (p^k − 1 is divisible by 6 for
 * every k ≥ 1 since p ≡ 1 mod 6), then each coordinate times 2^256 mod p,
 * printed as four little-endian 64-bit limbs.  tests/ec/test_tower.c
 * (test_frobenius_constants) recomputes every entry by exponentiation.
 */
#ifndef TC_EC_TOWER_FROB_H
#define TC_EC_TOWER_FROB_H

#include "ec/tower.h"

extern const tc_fp2 tc_frob_gamma[3][5];

#endif
