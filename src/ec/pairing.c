/* The optimal ate pairing on BN254: prepared G2 lines, the multi-Miller
 * loop and the final exponentiation (conventions in pairing.h). */
#include "ec/pairing.h"

#include "ec/tower_frob.h"

#include <string.h>

/* The BN parameter x; the Miller loop runs over 6x + 2. */
#define BN_X 4965661367192848881ULL

_Static_assert(sizeof(tc_g2_prepared) == 16904, "pairing.h documents the size");

/* Homogeneous projective point on the twist: (X : Y : Z) ↦ (X/Z, Y/Z). */
typedef struct hom_g2 { tc_fp2 x, y, z; } hom_g2;

/* Non-adjacent form of 6x + 2, least significant digit first; returns the
 * number of digits (66; the top one is 1). */
static int ate_naf(int8_t naf[70])
{
    tc_u128 k = (tc_u128)BN_X * 6 + 2;
    int n = 0;
    while (k > 0) {
        int d = 0;
        if (k & 1) {
            d = 2 - (int)(k & 3);
            k = d > 0 ? k - 1 : k + 1;
        }
        naf[n++] = (int8_t)d;
        k >>= 1;
    }
    return n;
}

/* a/2 in Fp. */
static void fp_half(tc_fp *r, const tc_fp *a)
{
    uint64_t t[4];
    memcpy(t, a->l, sizeof t);
    if (t[0] & 1)
        tc_limbs_add(t, t, tc_fp_modulus.p);      /* < 2^255: no carry out */
    r->l[0] = (t[0] >> 1) | (t[1] << 63);
    r->l[1] = (t[1] >> 1) | (t[2] << 63);
    r->l[2] = (t[2] >> 1) | (t[3] << 63);
    r->l[3] = t[3] >> 1;
}

static void fp2_half(tc_fp2 *r, const tc_fp2 *a)
{
    fp_half(&r->c0, &a->c0);
    fp_half(&r->c1, &a->c1);
}

/* Doubling step in homogeneous coordinates with the tangent line (Costello,
 * Lange and Naehrig, "Faster pairing computations on curves with high-degree
 * twists", PKC 2010; in the form of Aranha, Karabina, Longa, Gebotys and
 * López, "Faster explicit formulas for computing pairings over ordinary
 * curves", EUROCRYPT 2011):
 *   A = XY/2, B = Y², C = Z², E = 3b'C, F = 3E, G = (B + F)/2,
 *   H = (Y + Z)² − (B + C), I = E − B, J = X²,
 *   X' = A(B − F), Y' = G² − 3E², Z' = BH.
 * The tangent at T, times 2YZ = H, is H·yP − 3J·xP·w − I·w³: untwisted,
 * the tangent with slope λ = 3x²/2y is y − λw·x − (y_T − λx_T)w³; scale by
 * 2YZ and use Y²Z = X³ + b'Z³ to write (2Y² − 3X³/Z) as −(3b'Z² − Y²).
 * three_b = 3b' with b' = 3/ξ the twist coefficient. */
static void dbl_step(hom_g2 *t, tc_fp2 ell[3], const tc_fp2 *three_b)
{
    tc_fp2 a, b, c, e, f, g, h, i, j, s;
    tc_fp2_mul(&a, &t->x, &t->y);
    fp2_half(&a, &a);
    tc_fp2_sqr(&b, &t->y);
    tc_fp2_sqr(&c, &t->z);
    tc_fp2_mul(&e, &c, three_b);
    tc_fp2_dbl(&f, &e);
    tc_fp2_add(&f, &f, &e);
    tc_fp2_add(&g, &b, &f);
    fp2_half(&g, &g);
    tc_fp2_add(&h, &t->y, &t->z);
    tc_fp2_sqr(&h, &h);
    tc_fp2_add(&s, &b, &c);
    tc_fp2_sub(&h, &h, &s);
    tc_fp2_sub(&i, &e, &b);
    tc_fp2_sqr(&j, &t->x);

    tc_fp2_sub(&s, &b, &f);
    tc_fp2_mul(&t->x, &a, &s);
    tc_fp2_sqr(&s, &e);
    tc_fp2_dbl(&e, &s);
    tc_fp2_add(&e, &e, &s);                       /* 3E² */
    tc_fp2_sqr(&g, &g);
    tc_fp2_sub(&t->y, &g, &e);
    tc_fp2_mul(&t->z, &b, &h);

    ell[0] = h;                                    /* × yP */
    tc_fp2_dbl(&s, &j);
    tc_fp2_add(&s, &s, &j);
    tc_fp2_neg(&ell[1], &s);                       /* × xP·w */
    tc_fp2_neg(&ell[2], &i);                       /* × w³ */
}

/* Mixed addition T + Q (Q affine) with the chord through T and Q (Aranha
 * et al., EUROCRYPT 2011):
 *   θ = Y − y2·Z, λ = X − x2·Z, C = θ², D = λ², E = λD, F = ZC, G = XD,
 *   H = E + F − 2G, X' = λH, Y' = θ(G − H) − YE, Z' = ZE.
 * The chord, times λ, is λ·yP − θ·xP·w + (θ·x2 − λ·y2)·w³.
 * T ≠ ±Q, which holds for every step when Q is in G2. */
static void add_step(hom_g2 *t, tc_fp2 ell[3], const tc_g2_affine *q)
{
    tc_fp2 theta, lambda, c, d, e, f, g, h, s;
    tc_fp2_mul(&s, &q->y, &t->z);
    tc_fp2_sub(&theta, &t->y, &s);
    tc_fp2_mul(&s, &q->x, &t->z);
    tc_fp2_sub(&lambda, &t->x, &s);
    tc_fp2_sqr(&c, &theta);
    tc_fp2_sqr(&d, &lambda);
    tc_fp2_mul(&e, &lambda, &d);
    tc_fp2_mul(&f, &t->z, &c);
    tc_fp2_mul(&g, &t->x, &d);
    tc_fp2_add(&h, &e, &f);
    tc_fp2_sub(&h, &h, &g);
    tc_fp2_sub(&h, &h, &g);

    tc_fp2_mul(&t->x, &lambda, &h);
    tc_fp2_sub(&s, &g, &h);
    tc_fp2_mul(&s, &s, &theta);
    tc_fp2_mul(&t->y, &t->y, &e);
    tc_fp2_sub(&t->y, &s, &t->y);
    tc_fp2_mul(&t->z, &t->z, &e);

    ell[0] = lambda;                               /* × yP */
    tc_fp2_neg(&ell[1], &theta);                   /* × xP·w */
    tc_fp2_mul(&s, &theta, &q->x);
    tc_fp2_mul(&c, &lambda, &q->y);
    tc_fp2_sub(&ell[2], &s, &c);                   /* × w³ */
}

/* π(Q) on the twist: untwist, raise to p, twist back:
 * (x, y) ↦ (x̄·ξ^((p−1)/3), ȳ·ξ^((p−1)/2)) = (x̄·γ_{1,2}, ȳ·γ_{1,3}). */
static void twist_frobenius(tc_g2_affine *r, const tc_g2_affine *q)
{
    tc_fp2 t;
    tc_fp2_conj(&t, &q->x);
    tc_fp2_mul(&r->x, &t, &tc_frob_gamma[0][1]);
    tc_fp2_conj(&t, &q->y);
    tc_fp2_mul(&r->y, &t, &tc_frob_gamma[0][2]);
    r->infinity = false;
}

/* −π²(Q) = (x·ξ^((p²−1)/3), −y·ξ^((p²−1)/2)) = (x·γ_{2,2}, y), as
 * ξ^((p²−1)/2) = −1 (ξ is not a square in Fp2). */
static void twist_neg_frobenius2(tc_g2_affine *r, const tc_g2_affine *q)
{
    tc_fp2_mul_fp(&r->x, &q->x, &tc_frob_gamma[1][1].c0);
    r->y = q->y;
    r->infinity = false;
}

void tc_g2_prepare(tc_g2_prepared *prep, const tc_g2_affine *q)
{
    memset(prep, 0, sizeof *prep);
    prep->infinity = q->infinity;
    if (q->infinity)
        return;

    tc_fp2 three_b;                                /* 3b' = 9/ξ */
    tc_fp_from_u64(&three_b.c0, 9);
    tc_fp_one(&three_b.c1);
    tc_fp2_inv_var(&three_b, &three_b);
    tc_fp2 nine = {{{0}}, {{0}}};
    tc_fp_from_u64(&nine.c0, 9);
    tc_fp2_mul(&three_b, &three_b, &nine);

    tc_g2_affine neg_q = *q, q1, q2;
    tc_fp2_neg(&neg_q.y, &q->y);
    hom_g2 t = {q->x, q->y, {{{0}}, {{0}}}};
    tc_fp_one(&t.z.c0);

    int8_t naf[70];
    int n = ate_naf(naf);
    size_t idx = 0;
    for (int i = n - 2; i >= 0; i--) {
        dbl_step(&t, prep->ell[idx++], &three_b);
        if (naf[i] == 1)
            add_step(&t, prep->ell[idx++], q);
        else if (naf[i] == -1)
            add_step(&t, prep->ell[idx++], &neg_q);
    }
    twist_frobenius(&q1, q);
    twist_neg_frobenius2(&q2, q);
    add_step(&t, prep->ell[idx++], &q1);
    add_step(&t, prep->ell[idx++], &q2);   /* the point itself is not needed */
}

/* f ← f·l(P), l = ell[0]·yP + ell[1]·xP·w + ell[2]·w³. */
static void mul_line(tc_fp12 *f, const tc_fp2 ell[3], const tc_g1_affine *p)
{
    tc_fp2 l0, l3;
    tc_fp2_mul_fp(&l0, &ell[0], &p->y);
    tc_fp2_mul_fp(&l3, &ell[1], &p->x);
    tc_fp12_mul_034(f, f, &l0, &l3, &ell[2]);
}

/* Multiplies in line idx of every active pair. */
static void mul_lines(tc_fp12 *f, const tc_g1_affine *p, const tc_g2_prepared *q,
                      size_t k, size_t idx)
{
    for (size_t j = 0; j < k; j++)
        if (!p[j].infinity && !q[j].infinity)
            mul_line(f, q[j].ell[idx], &p[j]);
}

void tc_miller_loop(tc_fp12 *f, const tc_g1_affine *p, const tc_g2_prepared *q, size_t k)
{
    int8_t naf[70];
    int n = ate_naf(naf);
    size_t idx = 0;
    tc_fp12 acc;
    tc_fp12_one(&acc);
    for (int i = n - 2; i >= 0; i--) {
        if (idx > 0)
            tc_fp12_sqr(&acc, &acc);               /* 1² = 1: skip the first */
        mul_lines(&acc, p, q, k, idx++);
        if (naf[i] != 0)
            mul_lines(&acc, p, q, k, idx++);
    }
    mul_lines(&acc, p, q, k, idx++);
    mul_lines(&acc, p, q, k, idx++);
    *f = acc;
}

/* g^x for g in the cyclotomic subgroup. */
static void exp_by_x(tc_fp12 *r, const tc_fp12 *g)
{
    tc_fp12_cyclotomic_pow_u64(r, g, BN_X);
}

/* Hard part, g in the cyclotomic subgroup: g^(λ0 + λ1·p + λ2·p² + λ3·p³)
 * with (Fuentes-Castañeda, Knapp and Rodríguez-Henríquez, "Faster hashing
 * to G2", SAC 2011, final exponentiation for BN curves)
 *   λ0 = 1 + 6x + 12x² + 12x³,   λ1 = 4x + 6x² + 12x³,
 *   λ2 = 6x + 6x² + 12x³,        λ3 = −1 + 4x + 6x² + 12x³,
 * whose sum is m·(p⁴ − p² + 1)/r with m = 2x(6x² + 3x + 1). */
static void hard_part(tc_fp12 *r, const tc_fp12 *g)
{
    tc_fp12 a, b, c, d, e, h, t, l0, l1, l2, l3;
    exp_by_x(&a, g);                       /* g^x */
    tc_fp12_cyclotomic_sqr(&b, &a);        /* g^2x */
    tc_fp12_cyclotomic_sqr(&c, &b);        /* g^4x */
    tc_fp12_mul(&d, &c, &b);               /* g^6x */
    exp_by_x(&e, &d);                      /* g^6x² */
    tc_fp12_cyclotomic_sqr(&h, &e);        /* g^12x² */
    exp_by_x(&h, &h);                      /* g^12x³ */
    tc_fp12_mul(&t, &h, &e);               /* g^(12x³ + 6x²) */
    tc_fp12_mul(&l1, &t, &c);              /* g^λ1 */
    tc_fp12_mul(&l2, &t, &d);              /* g^λ2 */
    tc_fp12_conj(&a, g);                   /* g^−1 */
    tc_fp12_mul(&l3, &l1, &a);             /* g^λ3 */
    tc_fp12_mul(&l0, &l2, &e);
    tc_fp12_mul(&l0, &l0, g);              /* g^λ0 */
    tc_fp12_frobenius(&l1, &l1, 1);
    tc_fp12_frobenius(&l2, &l2, 2);
    tc_fp12_frobenius(&l3, &l3, 3);
    tc_fp12_mul(&l0, &l0, &l1);
    tc_fp12_mul(&l2, &l2, &l3);
    tc_fp12_mul(r, &l0, &l2);
}

/* Easy part f^((p⁶ − 1)(p² + 1)), then the hard part. */
void tc_final_exp(tc_fp12 *r, const tc_fp12 *f)
{
    tc_fp12 t, g;
    tc_fp12_conj(&t, f);
    tc_fp12_inv_var(&g, f);
    tc_fp12_mul(&g, &t, &g);               /* f^(p⁶ − 1) */
    tc_fp12_frobenius(&t, &g, 2);
    tc_fp12_mul(&g, &t, &g);               /* ·^(p² + 1) */
    hard_part(r, &g);
}

void tc_pairing(tc_fp12 *r, const tc_g1_affine *p, const tc_g2_affine *q)
{
    tc_g2_prepared prep;
    tc_fp12 f;
    tc_g2_prepare(&prep, q);
    tc_miller_loop(&f, p, &prep, 1);
    tc_final_exp(r, &f);
}

bool tc_pairing_product_is_one(const tc_g1_affine *p, const tc_g2_prepared *q, size_t k)
{
    tc_fp12 f, r;
    tc_miller_loop(&f, p, q, k);
    tc_final_exp(&r, &f);
    return tc_fp12_is_one(&r);
}
