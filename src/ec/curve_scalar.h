/*
 * Scalar recoding shared by G1 and G2 scalar multiplication (internal to
 * src/ec): lattice decomposition of a scalar for an endomorphism, and w-NAF.
 */
#ifndef TC_EC_CURVE_SCALAR_H
#define TC_EC_CURVE_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest w-NAF table (odd multiples 1, 3, …, 2^(w−1) − 1 for w ≤ 6). */
#define TC_WNAF_TABLE_MAX 16
/* Digits of a w-NAF of an n-bit integer: at most n + 1. */
#define TC_WNAF_MAX_DIGITS 258

/* A reduced basis of the lattice {v ∈ Z^dim : Σ v_i·μ^i ≡ 0 (mod r)} for an
 * endomorphism with eigenvalue μ, and the Babai rounding constants
 * g_j = round(2^256 · ℓ_j / r) where (1, 0, …, 0)·B⁻¹ = ℓ / r.  Entries are
 * 256-bit two's complement. */
typedef struct tc_lattice {
    size_t dim;                 /* 2 (GLV) or 4 (GLS) */
    uint64_t basis[4][4][4];    /* basis[j][i]: coordinate i of vector j */
    uint64_t g[4][4];
} tc_lattice;

/* Splits a canonical scalar k (< r) into k ≡ Σ_i (−1)^neg_i · mag_i · μ^i
 * (mod r) with small magnitudes (about 256/dim bits; Gallant–Lambert–
 * Vanstone 2001, Babai rounding with precomputed g_j). */
void tc_ec_decompose(uint64_t mag[4][4], bool neg[4], const uint64_t k[4],
                     const tc_lattice *lat);

/* Width-w NAF of k (w in 2..6), least significant digit first: every digit
 * is 0 or odd with |d| < 2^(w−1), and nonzero digits are at least w apart.
 * Writes exactly `len` digits (zero-padded; len ≥ bits(k) + 1) and returns
 * the number of significant digits. */
size_t tc_ec_wnaf(int8_t *digits, size_t len, const uint64_t k[4], int w);

/* Signed w-NAF digits of m parts ±mag_i for an interleaved multiplication:
 * returns len = (bit length of the largest part) + 1 and writes
 * digits[i·len + j], digit j of part i with its sign applied.  The caller
 * sizes digits for m·len entries. */
size_t tc_ec_recode(int8_t *digits, const uint64_t (*mag)[4], const bool *neg, size_t m, int w);

#endif
