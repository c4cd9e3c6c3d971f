/*
 * G1 = E(Fp): y² = x³ + 3, generator (1, 2), prime order r.  The group law
 * comes from curve_impl.h; this file adds the constants and the GLV scalar
 * multiplication.
 */
#include "ec/curve.h"
#include "ec/curve_scalar.h"

#include <string.h>

/* Constants in Montgomery form (R = 2^256); tests check each against its
 * definition. */
static const tc_fp G1_B = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL,
                            0x334bea4e696bd284ULL, 0x2a1f6744ce179d8eULL}};   /* 3 */
static const tc_fp G1_GEN_X = {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL,
                                0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}}; /* 1 */
static const tc_fp G1_GEN_Y = {{0xa6ba871b8b1e1b3aULL, 0x14f1d651eb8e167bULL,
                                0xccdd46def0f28c58ULL, 0x1c14ef83340fbe5eULL}}; /* 2 */
/* β = 2203960485148121921418603742825762020974279258880205651966, a
 * primitive cube root of unity in Fp.  φ(x, y) = (β·x, y) acts on G1 as
 * multiplication by λ = 36x³ + 18x² + 6x + 1
 *   = 4407920970296243842393367215006156084916469457145843978461 (mod r),
 * x = 4965661367192848881 the BN parameter. */
static const tc_fp G1_BETA = {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL,
                               0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}};

/* The curve template over Fp (field_impl.h: straight-line carry chains for
 * the additions, as frequent here as the products). */
#define FE tc_fp
#define FE_ADD tc_fp_add
#define FE_SUB tc_fp_sub
#define FE_DBL tc_fp_dbl
#define FE_NEG tc_fp_neg
#define FE_MUL tc_fp_mul
#define FE_SQR tc_fp_sqr
#define FE_INV tc_fp_inv_var
#define FE_IS_ZERO tc_fp_is_zero
#define FE_EQ tc_fp_eq
#define FE_ZERO tc_fp_zero
#define FE_ONE tc_fp_one
#define CURVE_B (&G1_B)
#define PT tc_g1
#define AFF tc_g1_affine
#define FN(name) tc_g1_##name
#include "ec/curve_impl.h"

void tc_g1_affine_generator(tc_g1_affine *r)
{
    r->x = G1_GEN_X;
    r->y = G1_GEN_Y;
    r->infinity = false;
}

void tc_g1_generator(tc_g1 *r)
{
    tc_g1_affine g;
    tc_g1_affine_generator(&g);
    tc_g1_from_affine(r, &g);
}

void tc_g1_endo(tc_g1_affine *r, const tc_g1_affine *a)
{
    tc_fp_mul(&r->x, &a->x, &G1_BETA);
    r->y = a->y;
    r->infinity = a->infinity;
}

/* The reduced basis of {(a, b) : a + b·λ ≡ 0 (mod r)} (Gallant–Lambert–
 * Vanstone 2001: the extended Euclidean algorithm on (r, λ)):
 *   v1 = (2x + 1, −(6x² + 2x)),   v2 = (6x² + 4x + 1, 2x + 1),
 * and g_j = round(2^256·ℓ_j/r) with ℓ = (2x + 1, 6x² + 2x) (det = r).  The
 * halves then have at most 128 bits. */
static const tc_lattice GLV = {
    .dim = 2,
    .basis = {
        {{0x89d3256894d213e3ULL, 0, 0, 0},
         {0x7dee441482b0eed8ULL, 0x90b27db71147a603ULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL}},
        {{0x0be4e1541221250bULL, 0x6f4d8248eeb859fdULL, 0, 0},
         {0x89d3256894d213e3ULL, 0, 0, 0}},
    },
    .g = {
        {0xd91d232ec7e0b3d7ULL, 0x0000000000000002ULL, 0, 0},
        {0x7a7bd9d4391eb18eULL, 0x4ccef014a773d2cfULL, 0x0000000000000002ULL, 0},
    },
};

void tc_g1_decompose(uint64_t mag[2][4], bool neg[2], const tc_fr *k)
{
    uint64_t v[4], m[4][4];
    bool n[4];
    tc_fr_to_limbs(v, k);
    tc_ec_decompose(m, n, v, &GLV);
    for (int i = 0; i < 2; i++) {
        memcpy(mag[i], m[i], 32);
        neg[i] = n[i];
    }
}

/* GLV: k·P = k1·P + k2·φ(P) with k ≡ k1 + k2·λ, both halves recoded as
 * width-5 NAF and evaluated with one shared doubling chain over affine
 * tables of odd multiples (φ of the first table gives the second). */
#define G1_WNAF_W 5
#define G1_TABLE (1u << (G1_WNAF_W - 2))

void tc_g1_mul_var(tc_g1 *r, const tc_g1 *a, const tc_fr *k)
{
    if (tc_g1_is_infinity(a) || tc_fr_is_zero(k)) {
        tc_g1_set_infinity(r);
        return;
    }
    uint64_t mag[2][4];
    bool neg[2];
    int8_t digits[2 * 130];                   /* parts < 2^128: len ≤ 129 */
    tc_g1_decompose(mag, neg, k);
    size_t len = tc_ec_recode(digits, mag, neg, 2, G1_WNAF_W);
    tc_g1_affine p, table[2 * G1_TABLE];
    tc_g1_to_affine(&p, a);
    tc_g1_odd_multiples(table, &p, G1_TABLE);
    for (size_t j = 0; j < G1_TABLE; j++)
        tc_g1_endo(&table[G1_TABLE + j], &table[j]);
    tc_g1_wnaf_sum(r, table, G1_TABLE, digits, 2, len);
}
