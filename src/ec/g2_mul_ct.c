/*
 * Constant-time scalar multiplication on the twist E'(Fp2): y² = x³ + b',
 * for secret scalars (the setup's trapdoors, docs/design.md §3.3).
 *
 * Fixed 4-bit windows over all 256 bits of the canonical scalar, most
 * significant first: 64 windows of four doublings and one addition of a
 * table entry T[d] = d·Q, d in 0..15, read by masks over the whole table.
 * Points are homogeneous projective (X : Y : Z) ↦ (X/Z, Y/Z) with the
 * complete addition of Renes, Costello and Batina ("Complete addition
 * formulas for prime order elliptic curves", EUROCRYPT 2016, Algorithm 7,
 * a = 0), which is valid for every pair of points, equal, opposite or
 * infinite, on a curve without points of order 2.  E'(Fp2) has none: its
 * order r·(2p − r) is odd.  Doublings are additions of a point to itself.
 * The affine result takes one Fp2 inversion by Fermat's little theorem
 * (tc_fp_pow: time depends on the public exponent only).
 *
 * So the sequence of field operations and memory accesses is the same for
 * every scalar and point; the field operations themselves are branch-free
 * (field_impl.h, mont_adx.S).
 */
#include "ec/curve.h"

#include "util/verify.h"

typedef struct proj2 { tc_fp2 x, y, z; } proj2;

/* b3 = 3·b'. */
static void twist_b3(tc_fp2 *b3)
{
    tc_fp2 b;
    tc_g2_twist_b(&b);
    tc_fp2_dbl(b3, &b);
    tc_fp2_add(b3, b3, &b);
}

/* r = a + b, complete (RCB 2016, Algorithm 7: 12M + 2 products by b3). */
static void proj_add(proj2 *r, const proj2 *a, const proj2 *b, const tc_fp2 *b3)
{
    tc_fp2 t0, t1, t2, t3, t4, x3, y3, z3;
    tc_fp2_mul(&t0, &a->x, &b->x);
    tc_fp2_mul(&t1, &a->y, &b->y);
    tc_fp2_mul(&t2, &a->z, &b->z);
    tc_fp2_add(&t3, &a->x, &a->y);
    tc_fp2_add(&t4, &b->x, &b->y);
    tc_fp2_mul(&t3, &t3, &t4);
    tc_fp2_add(&t4, &t0, &t1);
    tc_fp2_sub(&t3, &t3, &t4);          /* X1Y2 + X2Y1 */
    tc_fp2_add(&t4, &a->y, &a->z);
    tc_fp2_add(&x3, &b->y, &b->z);
    tc_fp2_mul(&t4, &t4, &x3);
    tc_fp2_add(&x3, &t1, &t2);
    tc_fp2_sub(&t4, &t4, &x3);          /* Y1Z2 + Y2Z1 */
    tc_fp2_add(&x3, &a->x, &a->z);
    tc_fp2_add(&y3, &b->x, &b->z);
    tc_fp2_mul(&x3, &x3, &y3);
    tc_fp2_add(&y3, &t0, &t2);
    tc_fp2_sub(&y3, &x3, &y3);          /* X1Z2 + X2Z1 */
    tc_fp2_dbl(&x3, &t0);
    tc_fp2_add(&t0, &x3, &t0);          /* 3X1X2 */
    tc_fp2_mul(&t2, b3, &t2);
    tc_fp2_add(&z3, &t1, &t2);
    tc_fp2_sub(&t1, &t1, &t2);
    tc_fp2_mul(&y3, b3, &y3);
    tc_fp2_mul(&x3, &t4, &y3);
    tc_fp2_mul(&t2, &t3, &t1);
    tc_fp2_sub(&r->x, &t2, &x3);
    tc_fp2_mul(&y3, &y3, &t0);
    tc_fp2_mul(&t1, &t1, &z3);
    tc_fp2_add(&r->y, &t1, &y3);
    tc_fp2_mul(&t0, &t0, &t3);
    tc_fp2_mul(&z3, &z3, &t4);
    tc_fp2_add(&r->z, &z3, &t0);
}

/* All ones when a = b, else zero, without a branch. */
static uint64_t eq_mask(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    uint64_t m = ((x | (0 - x)) >> 63) - 1;
    __asm__("" : "+r"(m));              /* keep the compiler from branching on it */
    return m;
}

/* *r = tab[d] for d < 16, reading every entry. */
static void table_select(proj2 *r, const proj2 tab[16], uint64_t d)
{
    uint64_t *out = (uint64_t *)r;
    const size_t words = sizeof(proj2) / sizeof(uint64_t);
    for (size_t w = 0; w < words; w++)
        out[w] = 0;
    for (uint64_t j = 0; j < 16; j++) {
        uint64_t m = eq_mask(j, d);
        const uint64_t *in = (const uint64_t *)&tab[j];
        for (size_t w = 0; w < words; w++)
            out[w] |= in[w] & m;
    }
}

/* 1/a (0 ↦ 0) as conj(a)·N(a)^(p−2), N(a) = c0² + c1². */
static void fp2_inv_fermat(tc_fp2 *r, const tc_fp2 *a)
{
    uint64_t e[4];
    const uint64_t two[4] = {2, 0, 0, 0};
    (void)tc_limbs_sub(e, tc_fp_modulus.p, two);
    tc_fp n, t;
    tc_fp_sqr(&n, &a->c0);
    tc_fp_sqr(&t, &a->c1);
    tc_fp_add(&n, &n, &t);
    tc_fp_pow(&n, &n, e);
    tc_fp_mul(&r->c0, &a->c0, &n);
    tc_fp_mul(&t, &a->c1, &n);
    tc_fp_neg(&r->c1, &t);
}

void tc_g2_mul_ct(tc_g2_affine *r, const tc_g2_affine *a, const tc_fr *k)
{
    tc_fp2 b3;
    twist_b3(&b3);
    proj2 tab[16], acc, t;
    tc_fp2_zero(&tab[0].x);                          /* O = (0 : 1 : 0) */
    tc_fp2_one(&tab[0].y);
    tc_fp2_zero(&tab[0].z);
    tab[1].x = a->x;                                 /* infinity is x = y = 0 */
    tab[1].y = a->y;
    tc_fp2_one(&tab[1].z);
    uint64_t inf = 0 - (uint64_t)a->infinity;        /* then Q = O */
    for (size_t w = 0; w < sizeof(proj2) / sizeof(uint64_t); w++) {
        uint64_t *q = (uint64_t *)&tab[1], *o = (uint64_t *)&tab[0];
        q[w] = (q[w] & ~inf) | (o[w] & inf);
    }
    for (unsigned j = 2; j < 16; j++)
        proj_add(&tab[j], &tab[j - 1], &tab[1], &b3);
    uint64_t s[4];
    tc_fr_to_limbs(s, k);
    acc = tab[0];
    for (int w = 63; w >= 0; w--) {
        for (int i = 0; i < 4; i++)
            proj_add(&acc, &acc, &acc, &b3);
        table_select(&t, tab, (s[w / 16] >> (4 * (w % 16))) & 15);
        proj_add(&acc, &acc, &t, &b3);
    }
    for (int i = 0; i < 4; i++)
        ((volatile uint64_t *)s)[i] = 0;             /* the scalar's copy */
    tc_fp2 zi;
    fp2_inv_fermat(&zi, &acc.z);                     /* O: Z = 0 ↦ 0, x = y = 0 */
    tc_fp2_mul(&r->x, &acc.x, &zi);
    tc_fp2_mul(&r->y, &acc.y, &zi);
    r->infinity = tc_fp2_is_zero(&acc.z);
    TC_VERIFY_CHECK(r->infinity || tc_g2_affine_is_on_curve(r));
}
