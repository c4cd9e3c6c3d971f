/*
 * Prime fields of BN254: Fp (the base field, p) and Fr (the scalar field, r).
 *
 * Both are 4×64-bit little-endian limbs in Montgomery form, R = 2^256:
 * a tc_fp holding limbs a means the field element a·R⁻¹ mod p.  Every value
 * a function returns is fully reduced (0 ≤ a < p), so equality is memcmp.
 *
 * One generic set of routines takes the modulus as an argument (tc_modulus);
 * the Fp and Fr functions are thin wrappers with constant moduli, so the same
 * tested code serves both fields and toy moduli in tests.  Multiplication has
 * two implementations, always built: x86-64 assembly with MULX/ADCX/ADOX
 * (used when the CPU has ADX and BMI2, chosen at run time) and portable C
 * with unsigned __int128.  Both require the modulus below 2^254 (BN254's p
 * and r are 254-bit), which lets the reduction skip a carry word.
 *
 * Nothing here allocates, and every function accepts aliased arguments.
 */
#ifndef TC_EC_FIELD_H
#define TC_EC_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tc_modulus {
    uint64_t p[4];    /* the modulus, < 2^254 */
    uint64_t n0;      /* −p⁻¹ mod 2^64 */
    uint64_t r2[4];   /* R² mod p: to_mont(a) = mont_mul(a, R²) */
    uint64_t one[4];  /* R mod p: 1 in Montgomery form */
} tc_modulus;

typedef struct tc_fp { uint64_t l[4]; } tc_fp;  /* element of Fp, Montgomery */
typedef struct tc_fr { uint64_t l[4]; } tc_fr;  /* element of Fr, Montgomery */

extern const tc_modulus tc_fp_modulus;
extern const tc_modulus tc_fr_modulus;

/* ---- generic Montgomery arithmetic over a modulus m (limbs, reduced) ---- */
void tc_mont_mul_c(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                   const tc_modulus *m);
void tc_mont_sqr_c(uint64_t r[4], const uint64_t a[4], const tc_modulus *m);
/* MULX/ADCX/ADOX versions (src/ec/asm/mont_adx.S, x86-64 only); call only
 * when tc_cpu.adx (cpu.h).  p < 2^254, n0 = −p⁻¹ mod 2^64, inputs reduced;
 * r may alias a or b.  About 16 ns each on the 2-core reference machine. */
void tc_mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                     const uint64_t p[4], uint64_t n0);
void tc_mont_sqr_adx(uint64_t r[4], const uint64_t a[4],
                     const uint64_t p[4], uint64_t n0);

/* r = a^e (Montgomery in and out; e a plain integer).  Sliding window:
 * time depends on e (meant for public exponents), not on a.  r may alias a. */
void tc_mont_pow(uint64_t r[4], const uint64_t a[4], const uint64_t e[4],
                 const tc_modulus *m);
/* Inverse of a Montgomery element, 0 maps to 0; r may alias a.  Variable
 * time (Bernstein–Yang divsteps): do not use on secrets.  m->p must be odd,
 * and prime for the answer to be an inverse of every nonzero element. */
void tc_mont_inv_var(uint64_t r[4], const uint64_t a[4], const tc_modulus *m);
/* Legendre symbol of a Montgomery element for a prime modulus: 1, −1, or 0
 * for zero.  Variable time (binary Jacobi by divsteps). */
int tc_mont_legendre_var(const uint64_t a[4], const tc_modulus *m);

#include "ec/field_impl.h"

/* ---- Fp ---- */
static inline void tc_fp_zero(tc_fp *r) { *r = (tc_fp){{0, 0, 0, 0}}; }
void tc_fp_one(tc_fp *r);
bool tc_fp_is_zero(const tc_fp *a);
bool tc_fp_is_one(const tc_fp *a);
bool tc_fp_eq(const tc_fp *a, const tc_fp *b);
static inline void tc_fp_add(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_mont_add(r->l, a->l, b->l, tc_fp_modulus.p); }
static inline void tc_fp_sub(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_mont_sub(r->l, a->l, b->l, tc_fp_modulus.p); }
static inline void tc_fp_dbl(tc_fp *r, const tc_fp *a) { tc_mont_add(r->l, a->l, a->l, tc_fp_modulus.p); }
static inline void tc_fp_neg(tc_fp *r, const tc_fp *a) { tc_mont_neg(r->l, a->l, tc_fp_modulus.p); }
static inline void tc_fp_mul(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_mont_mul(r->l, a->l, b->l, &tc_fp_modulus); }
static inline void tc_fp_sqr(tc_fp *r, const tc_fp *a) { tc_mont_sqr(r->l, a->l, &tc_fp_modulus); }
void tc_fp_inv_var(tc_fp *r, const tc_fp *a);            /* 0 ↦ 0, variable time */
/* r[i] = a[i]⁻¹ by Montgomery's trick (one inversion, 3(n−1) products);
 * zeros map to zero.  scratch: n elements.  r may alias a. */
void tc_fp_batch_inv_var(tc_fp *r, const tc_fp *a, size_t n, tc_fp *scratch);
int tc_fp_legendre_var(const tc_fp *a);
/* Square root: true and r = the root that is ≤ (p−1)/2 as an integer
 * (the "smaller" one), or false when a is not a square (r untouched). */
bool tc_fp_sqrt_var(tc_fp *r, const tc_fp *a);
void tc_fp_pow(tc_fp *r, const tc_fp *a, const uint64_t e[4]);
/* Conversions: canonical integer limbs (little-endian, < p) ↔ Montgomery. */
void tc_fp_from_u64(tc_fp *r, uint64_t v);
bool tc_fp_from_limbs(tc_fp *r, const uint64_t v[4]);  /* false if v ≥ p */
void tc_fp_to_limbs(uint64_t v[4], const tc_fp *a);
/* 32 bytes little-endian, canonical; from_bytes rejects values ≥ p. */
void tc_fp_to_bytes(uint8_t out[32], const tc_fp *a);
bool tc_fp_from_bytes(tc_fp *r, const uint8_t in[32]);
/* "Larger" in the sense of arkworks: a > (p−1)/2 as an integer. */
bool tc_fp_is_lexlargest(const tc_fp *a);

/* ---- Fr ---- */
static inline void tc_fr_zero(tc_fr *r) { *r = (tc_fr){{0, 0, 0, 0}}; }
void tc_fr_one(tc_fr *r);
bool tc_fr_is_zero(const tc_fr *a);
bool tc_fr_is_one(const tc_fr *a);
bool tc_fr_eq(const tc_fr *a, const tc_fr *b);
static inline void tc_fr_add(tc_fr *r, const tc_fr *a, const tc_fr *b) { tc_mont_add(r->l, a->l, b->l, tc_fr_modulus.p); }
static inline void tc_fr_sub(tc_fr *r, const tc_fr *a, const tc_fr *b) { tc_mont_sub(r->l, a->l, b->l, tc_fr_modulus.p); }
static inline void tc_fr_dbl(tc_fr *r, const tc_fr *a) { tc_mont_add(r->l, a->l, a->l, tc_fr_modulus.p); }
static inline void tc_fr_neg(tc_fr *r, const tc_fr *a) { tc_mont_neg(r->l, a->l, tc_fr_modulus.p); }
static inline void tc_fr_mul(tc_fr *r, const tc_fr *a, const tc_fr *b) { tc_mont_mul(r->l, a->l, b->l, &tc_fr_modulus); }
static inline void tc_fr_sqr(tc_fr *r, const tc_fr *a) { tc_mont_sqr(r->l, a->l, &tc_fr_modulus); }
void tc_fr_inv_var(tc_fr *r, const tc_fr *a);
void tc_fr_batch_inv_var(tc_fr *r, const tc_fr *a, size_t n, tc_fr *scratch);
int tc_fr_legendre_var(const tc_fr *a);
bool tc_fr_sqrt_var(tc_fr *r, const tc_fr *a);
void tc_fr_pow(tc_fr *r, const tc_fr *a, const uint64_t e[4]);
void tc_fr_from_u64(tc_fr *r, uint64_t v);
void tc_fr_from_i64(tc_fr *r, int64_t v);             /* negative v ↦ r − |v| */
/* 5^((r−1)/2^28), a primitive 2^28-th root of unity, Montgomery limbs. */
extern const uint64_t tc_fr_root_of_unity_mont[4];
bool tc_fr_from_limbs(tc_fr *r, const uint64_t v[4]);
void tc_fr_to_limbs(uint64_t v[4], const tc_fr *a);
void tc_fr_to_bytes(uint8_t out[32], const tc_fr *a);
bool tc_fr_from_bytes(tc_fr *r, const uint8_t in[32]);
/* Reduces 64 uniform bytes (little-endian) mod r: bias below 2^-250. */
void tc_fr_from_bytes_wide(tc_fr *r, const uint8_t in[64]);

/* ---- decimal strings (canonical integers), for vectors, CLI and JSON ---- */
/* Parses a decimal integer < 2^256 into limbs; false on anything else
 * (empty, sign, non-digit, leading zeros other than "0", overflow). */
bool tc_limbs_from_dec(uint64_t v[4], const char *s);
/* Writes the decimal form (at most 78 digits + NUL) into out. */
void tc_limbs_to_dec(char out[80], const uint64_t v[4]);
bool tc_fp_from_dec(tc_fp *r, const char *s);   /* false unless 0 ≤ s < p */
bool tc_fr_from_dec(tc_fr *r, const char *s);   /* false unless 0 ≤ s < r */
void tc_fp_to_dec(char out[80], const tc_fp *a);
void tc_fr_to_dec(char out[80], const tc_fr *a);

/* ---- slow references, kept for tests (schoolbook bigint, no Montgomery) */
/* r = a·b mod m on canonical integers. */
void tc_modmul_ref(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                   const uint64_t m[4]);
/* r = a^e mod m on canonical integers. */
void tc_modpow_ref(uint64_t r[4], const uint64_t a[4], const uint64_t e[4],
                   const uint64_t m[4]);

#endif
