/* bench_ec: pairing figures and the Fp12 operations they are built from. */
#include <stdlib.h>
#include <string.h>

#include "bench_ec.h"
#include "ec/curve.h"
#include "ec/pairing.h"

/* Nine pairs (a_i·G1, b_i·G2) for i < 8 and (−Σ a_i b_i·G1, G2), so the
 * product of the nine pairings is 1; G2 points also prepared. */
typedef struct pairing_inputs {
    tc_g1_affine p[9];
    tc_g2_affine q[9];
    tc_g2_prepared prep[9];
    tc_fr a0b0;           /* the scalar of e(p[0], q[0]) = e(G1, G2)^(a0·b0) */
    tc_fp12 ml[2];        /* Miller loops of pairs 0 and 1 */
    tc_fp12 gt;           /* e(p[0], q[0]) */
} pairing_inputs;

static pairing_inputs *pairing_setup(bench_ctx *c)
{
    if (c->mem != NULL)
        return c->mem;
    pairing_inputs *in = calloc(1, sizeof *in);
    if (in == NULL)
        return NULL;
    c->mem = in;
    tc_g1 g1, t1;
    tc_g2 g2, t2;
    tc_g1_generator(&g1);
    tc_g2_generator(&g2);
    tc_fr sum, a, b, ab;
    tc_fr_zero(&sum);
    for (int i = 0; i < 8; i++) {
        bench_random_fr(c, &a);
        bench_random_fr(c, &b);
        tc_fr_mul(&ab, &a, &b);
        if (i == 0)
            in->a0b0 = ab;
        tc_fr_add(&sum, &sum, &ab);
        tc_g1_mul_var(&t1, &g1, &a);
        tc_g2_mul_var(&t2, &g2, &b);
        tc_g1_to_affine(&in->p[i], &t1);
        tc_g2_to_affine(&in->q[i], &t2);
    }
    tc_fr_neg(&sum, &sum);
    tc_g1_mul_var(&t1, &g1, &sum);
    tc_g1_to_affine(&in->p[8], &t1);
    tc_g2_affine_generator(&in->q[8]);
    for (int i = 0; i < 9; i++)
        tc_g2_prepare(&in->prep[i], &in->q[i]);
    tc_miller_loop(&in->ml[0], &in->p[0], &in->prep[0], 1);
    tc_miller_loop(&in->ml[1], &in->p[1], &in->prep[1], 1);
    tc_final_exp(&in->gt, &in->ml[0]);
    return in;
}

/* e(p[0], q[0]) = e(G1, G2)^(a0·b0), and the product of all nine is 1
 * while the product of the first eight is not. */
static bool check_pairing_inputs(const pairing_inputs *in)
{
    tc_g1_affine g1;
    tc_g2_affine g2;
    tc_g1_affine_generator(&g1);
    tc_g2_affine_generator(&g2);
    tc_fp12 e, base, want;
    uint64_t k[4];
    tc_pairing(&e, &in->p[0], &in->q[0]);
    tc_pairing(&base, &g1, &g2);
    tc_fr_to_limbs(k, &in->a0b0);
    tc_fp12_pow(&want, &base, k, 4);
    return tc_fp12_eq(&e, &want) && !tc_fp12_is_one(&e) &&
           tc_pairing_product_is_one(in->p, in->prep, 9) &&
           !tc_pairing_product_is_one(in->p, in->prep, 8);
}

bool fig_pairing(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    if (n == 0)
        return check_pairing_inputs(in);
    tc_fp12 r;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        tc_pairing(&r, &in->p[k], &in->q[k]);
        k = (k + 1 + (r.c0.c0.c0.l[0] & 1)) % 9;    /* next input depends on r */
    }
    c->sink ^= r.c0.c0.c0.l[0];
    return true;
}

bool fig_miller_loop(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    tc_fp12 f, r, want;
    if (n == 0) {
        tc_miller_loop(&f, &in->p[0], &in->prep[0], 1);
        tc_final_exp(&r, &f);
        tc_pairing(&want, &in->p[0], &in->q[0]);
        return tc_fp12_eq(&r, &want);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        tc_miller_loop(&f, &in->p[k], &in->prep[k], 1);
        k = (k + 1 + (f.c0.c0.c0.l[0] & 1)) % 9;
    }
    c->sink ^= f.c0.c0.c0.l[0];
    return true;
}

bool fig_final_exp(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    tc_fp12 f = in->ml[0], r, want;
    if (n == 0) {
        tc_final_exp(&r, &f);
        tc_pairing(&want, &in->p[0], &in->q[0]);
        return tc_fp12_eq(&r, &want);
    }
    for (size_t i = 0; i < n; i++)
        tc_final_exp(&f, &f);                         /* chain: f ← f^e */
    c->sink ^= f.c0.c0.c0.l[0];
    return true;
}

bool fig_pairing_product_9(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    if (n == 0)
        return check_pairing_inputs(in);
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_pairing_product_is_one(in->p, in->prep, 9);
    c->sink ^= ok;
    return ok == n;
}

bool fig_g2_prepare(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    static tc_g2_prepared prep;                       /* bench only */
    if (n == 0) {
        tc_g2_prepare(&prep, &in->q[3]);
        return memcmp(&prep, &in->prep[3], sizeof prep) == 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        tc_g2_prepare(&prep, &in->q[k]);
        k = (k + 1 + (prep.ell[0][0].c0.l[0] & 1)) % 9;
    }
    c->sink ^= prep.ell[0][0].c0.l[0];
    return true;
}

bool fig_fp12_mul(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    tc_fp12 x = in->ml[0], y = in->ml[1], t, u;
    if (n == 0) {                                     /* (xy)/y = x */
        tc_fp12_mul(&t, &x, &y);
        tc_fp12_inv_var(&u, &y);
        tc_fp12_mul(&t, &t, &u);
        return tc_fp12_eq(&t, &x);
    }
    for (size_t i = 0; i < n; i++)
        tc_fp12_mul(&x, &x, &y);
    c->sink ^= x.c0.c0.c0.l[0];
    return true;
}

bool fig_fp12_cyclotomic_sqr(bench_ctx *c, size_t n)
{
    pairing_inputs *in = pairing_setup(c);
    if (in == NULL)
        return false;
    tc_fp12 x = in->gt, t, u;                          /* in the subgroup */
    if (n == 0) {
        tc_fp12_cyclotomic_sqr(&t, &x);
        tc_fp12_sqr(&u, &x);
        return tc_fp12_eq(&t, &u);
    }
    for (size_t i = 0; i < n; i++)
        tc_fp12_cyclotomic_sqr(&x, &x);
    c->sink ^= x.c0.c0.c0.l[0];
    return true;
}
