/*
 * G2: the order-r subgroup of the sextic twist E'(Fp2): y² = x³ + 3/(9 + u),
 * with the EIP-197 generator.  The group law comes from curve_impl.h (the
 * same code as G1, over Fp2); this file adds the constants, the ψ
 * endomorphism, the GLS scalar multiplication and the subgroup check.
 */
#include "ec/curve.h"
#include "ec/curve_scalar.h"

#include <string.h>

/* Constants in Montgomery form (R = 2^256); tests check each against its
 * definition. */
/* b' = 3/(9 + u) = 19485874751759354771024239261021720505790618469301721065564631296452457478373
 *                + 266929791119991161246907387137283842545076965332900288569378510910307636690·u */
static const tc_fp2 G2_B = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}}};
/* EIP-197 generator: x = 10857046999023057135944570762232829481370756359578518086990519993285655852781
 *                      + 11559732032986387107991004021392285783925812861821192530917403151452391805634·u,
 *                    y = 8495653923123431417604973247489272438418190587263600148770280649306958101930
 *                      + 4082367875863433681332203403145435568316851327593401208105741076214120093531·u */
static const tc_fp2 G2_GEN_X = {
    {{0x8e83b5d102bc2026ULL, 0xdceb1935497b0172ULL, 0xfbb8264797811adfULL, 0x19573841af96503bULL}},
    {{0xafb4737da84c6140ULL, 0x6043dd5a5802d8c4ULL, 0x09e950fc52a02f86ULL, 0x14fef0833aea7b6bULL}}};
static const tc_fp2 G2_GEN_Y = {
    {{0x619dfa9d886be9f6ULL, 0xfe7fd297f59e9b78ULL, 0xff9e1a62231b7dfeULL, 0x28fd7eebae9e4206ULL}},
    {{0x64095b56c71856eeULL, 0xdc57f922327d3cbbULL, 0x55f935be33351076ULL, 0x0da4a0e693fd6482ULL}}};
/* ψ coefficients γx = ξ^((p−1)/3), γy = ξ^((p−1)/2), ξ = 9 + u. */
static const tc_fp2 PSI_X = {
    {{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
    {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}};
static const tc_fp2 PSI_Y = {
    {{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
    {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}};
/* ψ²(x, y) = (ω·x, −y), ω = γx^(p+1) = β² ∈ Fp
 *   = 21888242871839275220042445260109153167277707414472061641714758635765020556616. */
static const tc_fp PSI2_X = {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL,
                              0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}};

#define FE tc_fp2
#define FE_ADD tc_fp2_add
#define FE_SUB tc_fp2_sub
#define FE_DBL tc_fp2_dbl
#define FE_NEG tc_fp2_neg
#define FE_MUL tc_fp2_mul
#define FE_SQR tc_fp2_sqr
#define FE_INV tc_fp2_inv_var
#define FE_IS_ZERO tc_fp2_is_zero
#define FE_EQ tc_fp2_eq
#define FE_ZERO tc_fp2_zero
#define FE_ONE tc_fp2_one
#define CURVE_B (&G2_B)
#define PT tc_g2
#define AFF tc_g2_affine
#define FN(name) tc_g2_##name
#include "ec/curve_impl.h"

void tc_g2_twist_b(tc_fp2 *r) { *r = G2_B; }

void tc_g2_affine_generator(tc_g2_affine *r)
{
    r->x = G2_GEN_X;
    r->y = G2_GEN_Y;
    r->infinity = false;
}

void tc_g2_generator(tc_g2 *r)
{
    tc_g2_affine g;
    tc_g2_affine_generator(&g);
    tc_g2_from_affine(r, &g);
}

void tc_g2_endo(tc_g2_affine *r, const tc_g2_affine *a)
{
    tc_fp2 t;
    tc_fp2_conj(&t, &a->x);
    tc_fp2_mul(&r->x, &t, &PSI_X);
    tc_fp2_conj(&t, &a->y);
    tc_fp2_mul(&r->y, &t, &PSI_Y);
    r->infinity = a->infinity;
}

static void psi2(tc_g2_affine *r, const tc_g2_affine *a)
{
    tc_fp2_mul_fp(&r->x, &a->x, &PSI2_X);
    tc_fp2_neg(&r->y, &a->y);
    r->infinity = a->infinity;
}

/* A reduced basis of {v ∈ Z⁴ : Σ v_i·μ^i ≡ 0 (mod r)}, μ = 6x² (the ψ
 * eigenvalue), found by LLL; bases of this form in x for BN curves are in
 * Galbraith–Scott 2008 and Bos–Costello–Naehrig 2013:
 *   b1 = (2x+1, 0, 2x, 1)         b2 = (2x, x+1, −x, x)
 *   b3 = (x+1, x, x, −2x)         b4 = (2x+1, −x, −x−1, −x)
 * det = −r; g_j = round(2^256·ℓ_j/r) with (1,0,0,0)·B⁻¹ = ℓ/r.  The four
 * parts then have at most 66 bits. */
static const tc_lattice GLS = {
    .dim = 4,
    .basis = {
        {{0x89d3256894d213e3ULL, 0, 0, 0}, {0, 0, 0, 0},
         {0x89d3256894d213e2ULL, 0, 0, 0}, {1, 0, 0, 0}},
        {{0x89d3256894d213e2ULL, 0, 0, 0}, {0x44e992b44a6909f2ULL, 0, 0, 0},
         {0xbb166d4bb596f60fULL, ~0ULL, ~0ULL, ~0ULL}, {0x44e992b44a6909f1ULL, 0, 0, 0}},
        {{0x44e992b44a6909f2ULL, 0, 0, 0}, {0x44e992b44a6909f1ULL, 0, 0, 0},
         {0x44e992b44a6909f1ULL, 0, 0, 0}, {0x762cda976b2dec1eULL, ~0ULL, ~0ULL, ~0ULL}},
        {{0x89d3256894d213e3ULL, 0, 0, 0}, {0xbb166d4bb596f60fULL, ~0ULL, ~0ULL, ~0ULL},
         {0xbb166d4bb596f60eULL, ~0ULL, ~0ULL, ~0ULL}, {0xbb166d4bb596f60fULL, ~0ULL, ~0ULL, ~0ULL}},
    },
    .g = {
        {0x2dff291532e42728ULL, 0x55b4ca7ba3e5577fULL, 0x9e80318ab0d92b95ULL, 0},
        {0x46f4bda995d51bb1ULL, 0x08e5da66fc7184aeULL, 0x9e80318ab0d92b93ULL, 0},
        {0xd91d232ec7e0b3d7ULL, 0x0000000000000002ULL, 0, 0},
        {0xc170977dcef3cd3fULL, 0x55b4ca7ba3e5577dULL, 0x9e80318ab0d92b95ULL, 0},
    },
};

/* 6x² = 147946756881789318990833708069417712966 (127 bits). */
static const uint64_t SIX_X2[4] = {0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL, 0, 0};

void tc_g2_decompose(uint64_t mag[4][4], bool neg[4], const tc_fr *k)
{
    uint64_t v[4];
    tc_fr_to_limbs(v, k);
    tc_ec_decompose(mag, neg, v, &GLS);
}

/* GLS: k·Q = Σ k_i·ψ^i(Q), four ~64-bit parts recoded as width-W NAF with
 * one shared doubling chain.  The tables of ψ^i(Q) come from the table of Q
 * by ψ (two Fp2 products per point) and ψ² (two Fp products). */
#define G2_WNAF_W 5
#define G2_TABLE (1u << (G2_WNAF_W - 2))

void tc_g2_mul_var(tc_g2 *r, const tc_g2 *a, const tc_fr *k)
{
    if (tc_g2_is_infinity(a) || tc_fr_is_zero(k)) {
        tc_g2_set_infinity(r);
        return;
    }
    uint64_t mag[4][4];
    bool neg[4];
    int8_t digits[4 * 68];                    /* parts < 2^66: len ≤ 67 */
    tc_g2_decompose(mag, neg, k);
    size_t len = tc_ec_recode(digits, mag, neg, 4, G2_WNAF_W);
    tc_g2_affine q, table[4 * G2_TABLE];
    tc_g2_to_affine(&q, a);
    tc_g2_odd_multiples(table, &q, G2_TABLE);
    for (size_t j = 0; j < G2_TABLE; j++) {
        tc_g2_endo(&table[G2_TABLE + j], &table[j]);
        psi2(&table[2 * G2_TABLE + j], &table[j]);
        psi2(&table[3 * G2_TABLE + j], &table[G2_TABLE + j]);
    }
    tc_g2_wnaf_sum(r, table, G2_TABLE, digits, 4, len);
}

/* Jacobian ψ and ψ²: conj is a field automorphism, so
 * ψ(X, Y, Z) = (conj(X)·γx, conj(Y)·γy, conj(Z)) and ψ²(X, Y, Z) = (ω·X, −Y, Z). */
static void psi_jac(tc_g2 *r, const tc_g2 *a)
{
    tc_fp2 t;
    tc_fp2_conj(&t, &a->x);
    tc_fp2_mul(&r->x, &t, &PSI_X);
    tc_fp2_conj(&t, &a->y);
    tc_fp2_mul(&r->y, &t, &PSI_Y);
    tc_fp2_conj(&r->z, &a->z);
}

static void psi2_jac(tc_g2 *r, const tc_g2 *a)
{
    tc_fp2_mul_fp(&r->x, &a->x, &PSI2_X);
    tc_fp2_neg(&r->y, &a->y);
    r->z = a->z;
}

/* [e]Q for a small constant e by width-5 NAF; complete for points of any
 * order (the table and the additions handle infinity and equal inputs). */
static void mul_const(tc_g2 *r, const tc_g2_affine *a, const uint64_t e[4])
{
    int8_t digits[TC_WNAF_MAX_DIGITS];
    size_t len = tc_ec_wnaf(digits, sizeof digits, e, 5);
    tc_g2_affine table[8];
    tc_g2_odd_multiples(table, a, 8);
    tc_g2_wnaf_sum(r, table, 8, digits, 1, len);
}

static const uint64_t BN_X[4] = {0x44e992b44a6909f1ULL, 0, 0, 0};   /* x */

/* Membership in G2 by
 *     [x + 1]Q + ψ([x]Q) + ψ²([x]Q) = ψ³([2x]Q),
 * the BN test of El Housni–Guillevic–Piellard ("Co-factor clearing and
 * subgroup membership testing on pairing-friendly curves", eprint
 * 2022/352), one multiplication by the 63-bit x instead of the 127-bit 6x²
 * of Scott's ψ(Q) = [6x²]Q (kept below as the reference).
 * Why it is exact on E'(Fp2), #E'(Fp2) = r·(2p − r): with ψ² = tψ − p
 * (t = 6x² + 1) the test is the kernel of one endomorphism α = a + b·ψ,
 * a = (x+1) − xp + 2xtp, b = x + xt − 2x(t² − p).  On G2, ψ = [6x²] and
 * α = [f(6x²)] = O because f(μ) = (x+1) + xμ + xμ² − 2xμ³ ≡ 0 (mod r); and
 * ker α ∩ E'(Fp2) has order dividing gcd(deg α, #E'(Fp2)) with
 * deg α = a² + abt + b²p, which equals r (checked when the constants were
 * derived), so nothing outside G2 passes.  The same argument with
 * α = ψ − [6x²] proves the reference check. */
bool tc_g2_affine_in_subgroup(const tc_g2_affine *a)
{
    if (a->infinity)
        return true;
    tc_g2 q, xq, lhs, t, rhs;
    tc_g2_from_affine(&q, a);
    mul_const(&xq, a, BN_X);
    tc_g2_add(&lhs, &xq, &q);            /* [x + 1]Q */
    psi_jac(&t, &xq);
    tc_g2_add(&lhs, &lhs, &t);           /* + ψ([x]Q) */
    psi2_jac(&t, &xq);
    tc_g2_add(&lhs, &lhs, &t);           /* + ψ²([x]Q) */
    tc_g2_dbl(&rhs, &xq);
    psi2_jac(&rhs, &rhs);
    psi_jac(&rhs, &rhs);                 /* ψ³([2x]Q) */
    return tc_g2_eq(&lhs, &rhs);
}

/* ψ(Q) = [6x²]Q, the check Scott gives for BN curves (eprint 2021/1130):
 * slower, kept as the reference for tests. */
bool tc_g2_affine_in_subgroup_ref(const tc_g2_affine *a)
{
    if (a->infinity)
        return true;
    tc_g2 lhs, rhs;
    tc_g2_affine psi;
    mul_const(&rhs, a, SIX_X2);
    tc_g2_endo(&psi, a);
    tc_g2_from_affine(&lhs, &psi);
    return tc_g2_eq(&lhs, &rhs);
}
