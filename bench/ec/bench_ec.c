/*
 * bench_ec: BN254 arithmetic timings, one thread.
 *
 *   bench_ec [--json out.json] [--filter SUBSTR] [--time SECONDS] [--list]
 *
 * Each figure is timed in samples of n back-to-back operations (n chosen so
 * a sample lasts about 100 µs, at least one operation); the per-operation
 * median, minimum and maximum over the samples are printed next to the
 * figure the best public C/C++ pairing library measured on the same machine
 * (issue 2) and the target, 1.15× that figure unless stated.  The machine is
 * shared, so medians over many samples are the numbers to quote.
 *
 * Adding a figure: write one function `static bool fig_x(bench_ctx *c,
 * size_t n)` and add one row to FIGURES.  The function is first called with
 * n = 0: it prepares its inputs in c (c->mem for anything large, freed by the
 * harness with free()) and returns whether the operation gives the right
 * answer; it is then called with n > 0 to run n operations back to back,
 * each depending on the one before, and stores something in c->sink so the
 * work cannot be optimised away.  A row whose function is NULL is printed as
 * "not measured"; a function that sets c->skip at n = 0 (the operation does
 * not apply on this machine) is printed the same way.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/bench_util.h"
#include "ec/curve.h"
#include "ec/encoding.h"
#include "ec/field.h"
#include "ec/pairing.h"
#include "util/util.h"

typedef struct bench_ctx {
    tc_prng rng;
    tc_fp fp[8];          /* inputs prepared at n = 0 */
    tc_fr fr[8];
    void *mem;            /* optional, owned by the figure, freed by free() */
    uint64_t sink;        /* results fold in here */
    bool skip;            /* set at n = 0: does not apply here (printed n/a) */
} bench_ctx;

typedef bool (*bench_fn)(bench_ctx *c, size_t n);

typedef struct bench_figure {
    const char *key;      /* JSON name */
    const char *label;    /* printed name */
    double ref_ns;        /* the reference library's figure, 0 if none */
    double target_ns;     /* 0: 1.15 × ref_ns */
    bench_fn fn;          /* NULL: not measured yet */
} bench_figure;

/* ------------------------------------------------------------- helpers */

static void random_fp(bench_ctx *c, tc_fp *r)
{
    uint64_t v[4];
    do {
        for (int i = 0; i < 4; i++)
            v[i] = tc_prng_next(&c->rng);
        v[3] &= (1ULL << 62) - 1;
    } while (!tc_fp_from_limbs(r, v));
}

static void random_fr(bench_ctx *c, tc_fr *r)
{
    uint64_t v[4];
    do {
        for (int i = 0; i < 4; i++)
            v[i] = tc_prng_next(&c->rng);
        v[3] &= (1ULL << 62) - 1;
    } while (!tc_fr_from_limbs(r, v));
}

static void prepare_fields(bench_ctx *c)
{
    for (int i = 0; i < 8; i++) {
        random_fp(c, &c->fp[i]);
        random_fr(c, &c->fr[i]);
    }
}

/* a·b against the bigint reference. */
static bool check_mul(const tc_modulus *m, const uint64_t a[4], const uint64_t b[4],
                      void (*mul)(uint64_t *, const uint64_t *, const uint64_t *,
                                  const tc_modulus *))
{
    const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t x[4], y[4], r[4], want[4], got[4];
    tc_mont_mul_c(x, a, one, m);
    tc_mont_mul_c(y, b, one, m);
    tc_modmul_ref(want, x, y, m->p);
    mul(r, a, b, m);
    tc_mont_mul_c(got, r, one, m);
    return memcmp(got, want, 32) == 0;
}

static void mul_dispatch(uint64_t *r, const uint64_t *a, const uint64_t *b, const tc_modulus *m)
{
    tc_mont_mul(r, a, b, m);
}

static void sqr_c(uint64_t *r, const uint64_t *a, const uint64_t *b, const tc_modulus *m)
{
    (void)b;
    tc_mont_sqr_c(r, a, m);
}

static void sqr_dispatch(uint64_t *r, const uint64_t *a, const uint64_t *b, const tc_modulus *m)
{
    (void)b;
    tc_mont_sqr(r, a, m);
}

/* ------------------------------------------------------------- figures */

static bool fig_fp_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[1].l, mul_dispatch);
    }
    tc_fp x = c->fp[0], y = c->fp[1];
    for (size_t i = 0; i < n; i++)
        tc_fp_mul(&x, &x, &y);
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fp_sqr(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[0].l, sqr_dispatch);
    }
    tc_fp x = c->fp[0];
    for (size_t i = 0; i < n; i++)
        tc_fp_sqr(&x, &x);
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fp_inv(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        tc_fp r, t;
        tc_fp_inv_var(&r, &c->fp[0]);
        tc_fp_mul(&t, &r, &c->fp[0]);
        return tc_fp_is_one(&t);
    }
    /* x ← x⁻¹ + 1 keeps a dependency chain on varying inputs */
    tc_fp x = c->fp[0], one;
    tc_fp_one(&one);
    for (size_t i = 0; i < n; i++) {
        tc_fp_inv_var(&x, &x);
        tc_fp_add(&x, &x, &one);
    }
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fp_mul_c(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[1].l, tc_mont_mul_c);
    }
    tc_fp x = c->fp[0], y = c->fp[1];
    for (size_t i = 0; i < n; i++)
        tc_mont_mul_c(x.l, x.l, y.l, &tc_fp_modulus);
    c->sink ^= x.l[0];
    return true;
}

/* The assembly called directly, without the dispatch in tc_fp_mul: the
 * difference to "Fp mul" is the cost of the run-time CPU check. */
static bool fig_fp_mul_adx(bench_ctx *c, size_t n)
{
    const tc_modulus *m = &tc_fp_modulus;
    if (n == 0) {
        prepare_fields(c);
        if (!tc_cpu_has_adx()) {
            c->skip = true;              /* no ADX/BMI2 on this CPU */
            return true;
        }
        uint64_t r[4], want[4];
        tc_mont_mul_adx(r, c->fp[0].l, c->fp[1].l, m->p, m->n0);
        tc_mont_mul_c(want, c->fp[0].l, c->fp[1].l, m);
        return memcmp(r, want, 32) == 0;
    }
    tc_fp x = c->fp[0], y = c->fp[1];
    for (size_t i = 0; i < n; i++)
        tc_mont_mul_adx(x.l, x.l, y.l, m->p, m->n0);
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fp_sqr_c(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[0].l, sqr_c);
    }
    tc_fp x = c->fp[0];
    for (size_t i = 0; i < n; i++)
        tc_mont_sqr_c(x.l, x.l, &tc_fp_modulus);
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fr_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        return check_mul(&tc_fr_modulus, c->fr[0].l, c->fr[1].l, mul_dispatch);
    }
    tc_fr x = c->fr[0], y = c->fr[1];
    for (size_t i = 0; i < n; i++)
        tc_fr_mul(&x, &x, &y);
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fr_inv(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        tc_fr r, t;
        tc_fr_inv_var(&r, &c->fr[0]);
        tc_fr_mul(&t, &r, &c->fr[0]);
        return tc_fr_is_one(&t);
    }
    tc_fr x = c->fr[0], one;
    tc_fr_one(&one);
    for (size_t i = 0; i < n; i++) {
        tc_fr_inv_var(&x, &x);
        tc_fr_add(&x, &x, &one);
    }
    c->sink ^= x.l[0];
    return true;
}

static bool fig_fp_legendre(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        tc_fp sq;
        tc_fp_sqr(&sq, &c->fp[0]);
        tc_fp minus1;
        tc_fp_one(&minus1);
        tc_fp_neg(&minus1, &minus1);       /* −1 is a non-residue: p ≡ 3 mod 4 */
        return tc_fp_legendre_var(&sq) == 1 && tc_fp_legendre_var(&minus1) == -1;
    }
    tc_fp x = c->fp[0], one;
    tc_fp_one(&one);
    int acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += tc_fp_legendre_var(&x);
        tc_fp_add(&x, &x, &one);
    }
    c->sink ^= (uint64_t)acc;
    return true;
}

static bool fig_fp_sqrt(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        tc_fp sq, r, r2;
        tc_fp_sqr(&sq, &c->fp[0]);
        if (!tc_fp_sqrt_var(&r, &sq))
            return false;
        tc_fp_sqr(&r2, &r);
        return tc_fp_eq(&r2, &sq);
    }
    tc_fp x, sq = c->fp[0], r;
    tc_fp_sqr(&x, &sq);                    /* a square, then its successors */
    uint64_t found = 0;
    for (size_t i = 0; i < n; i++) {
        found += tc_fp_sqrt_var(&r, &x);
        x.l[0] ^= r.l[1] & 1;              /* depend on the previous root */
        tc_fp_sqr(&x, &x);
    }
    c->sink ^= found;
    return true;
}

static bool fig_fr_sqrt(bench_ctx *c, size_t n)
{
    if (n == 0) {
        prepare_fields(c);
        tc_fr sq, r, r2;
        tc_fr_sqr(&sq, &c->fr[0]);
        if (!tc_fr_sqrt_var(&r, &sq))
            return false;
        tc_fr_sqr(&r2, &r);
        return tc_fr_eq(&r2, &sq);
    }
    tc_fr x;
    tc_fr_sqr(&x, &c->fr[0]);
    uint64_t found = 0;
    for (size_t i = 0; i < n; i++) {
        tc_fr r;
        found += tc_fr_sqrt_var(&r, &x);
        tc_fr_add(&x, &r, &c->fr[1]);       /* next input depends on the root */
        tc_fr_sqr(&x, &x);
    }
    c->sink ^= found;
    return true;
}

/* ------------------------------------------------------ pairing figures */

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
        random_fr(c, &a);
        random_fr(c, &b);
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

static bool fig_pairing(bench_ctx *c, size_t n)
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

static bool fig_miller_loop(bench_ctx *c, size_t n)
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

static bool fig_final_exp(bench_ctx *c, size_t n)
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

static bool fig_pairing_product_9(bench_ctx *c, size_t n)
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

static bool fig_g2_prepare(bench_ctx *c, size_t n)
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

static bool fig_fp12_mul(bench_ctx *c, size_t n)
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

static bool fig_fp12_cyclotomic_sqr(bench_ctx *c, size_t n)
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

static bool fig_fp2_mul(bench_ctx *c, size_t n)
{
    if (n == 0)
        prepare_fields(c);
    tc_fp2 x = {c->fp[0], c->fp[1]}, y = {c->fp[2], c->fp[3]};
    if (n == 0) {                                     /* against the schoolbook */
        tc_fp2 r;
        tc_fp s, t, w;
        tc_fp2_mul(&r, &x, &y);
        tc_fp_mul(&s, &x.c0, &y.c0);
        tc_fp_mul(&t, &x.c1, &y.c1);
        tc_fp_sub(&w, &s, &t);
        if (!tc_fp_eq(&w, &r.c0))
            return false;
        tc_fp_mul(&s, &x.c0, &y.c1);
        tc_fp_mul(&t, &x.c1, &y.c0);
        tc_fp_add(&w, &s, &t);
        return tc_fp_eq(&w, &r.c1);
    }
    for (size_t i = 0; i < n; i++)
        tc_fp2_mul(&x, &x, &y);
    c->sink ^= x.c0.l[0];
    return true;
}

/* ---- curve figures: points and scalars kept in c->mem ---- */

typedef struct curve_inputs {
    tc_g1 p1;
    tc_g1_affine q1;
    tc_g2 p2;
    tc_g2_affine q2;
    tc_fr k;
    uint8_t enc1[2][TC_G1_BYTES];
    uint8_t enc2[2][TC_G2_BYTES];
} curve_inputs;

/* Random points k·G (by the reference multiplication) and a random scalar. */
static curve_inputs *prepare_curve(bench_ctx *c)
{
    prepare_fields(c);
    curve_inputs *in = malloc(sizeof *in);
    if (in == NULL)
        return NULL;
    c->mem = in;
    tc_g1 g1, t1;
    tc_g2 g2, t2;
    tc_g1_generator(&g1);
    tc_g2_generator(&g2);
    tc_g1_mul_ref(&in->p1, &g1, &c->fr[0]);
    tc_g1_mul_ref(&t1, &g1, &c->fr[1]);
    tc_g1_to_affine(&in->q1, &t1);
    tc_g2_mul_ref(&in->p2, &g2, &c->fr[2]);
    tc_g2_mul_ref(&t2, &g2, &c->fr[3]);
    tc_g2_to_affine(&in->q2, &t2);
    in->k = c->fr[4];
    for (int i = 0; i < 2; i++) {
        tc_g1_affine a1;
        tc_g2_affine a2;
        tc_g1_mul_ref(&t1, &g1, &c->fr[5 + i]);
        tc_g1_to_affine(&a1, &t1);
        tc_g1_to_bytes(in->enc1[i], &a1);
        tc_g2_mul_ref(&t2, &g2, &c->fr[5 + i]);
        tc_g2_to_affine(&a2, &t2);
        tc_g2_to_bytes(in->enc2[i], &a2);
    }
    return in;
}

static bool fig_g1_add_mixed(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b, q;
        tc_g1_from_affine(&q, &in->q1);
        tc_g1_add_affine(&a, &in->p1, &in->q1);
        tc_g1_add(&b, &in->p1, &q);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1;
    for (size_t i = 0; i < n; i++)
        tc_g1_add_affine(&acc, &acc, &in->q1);
    c->sink ^= acc.x.l[0];
    return true;
}

static bool fig_g1_add(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b;
        tc_g1_add(&a, &in->p1, &in->p1);
        tc_g1_dbl(&b, &in->p1);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1, q;
    tc_g1_dbl(&q, &in->p1);              /* a Jacobian point with Z ≠ 1 */
    for (size_t i = 0; i < n; i++)
        tc_g1_add(&acc, &acc, &q);
    c->sink ^= acc.x.l[0];
    return true;
}

static bool fig_g1_dbl(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b;
        tc_g1_dbl(&a, &in->p1);
        tc_g1_add(&b, &in->p1, &in->p1);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1;
    for (size_t i = 0; i < n; i++)
        tc_g1_dbl(&acc, &acc);
    c->sink ^= acc.x.l[0];
    return true;
}

static bool fig_g1_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b;
        tc_g1_mul_var(&a, &in->p1, &in->k);
        tc_g1_mul_ref(&b, &in->p1, &in->k);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1;
    for (size_t i = 0; i < n; i++)
        tc_g1_mul_var(&acc, &acc, &in->k);
    c->sink ^= acc.x.l[0];
    return true;
}

static bool fig_g2_add_mixed(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2 a, b, q;
        tc_g2_from_affine(&q, &in->q2);
        tc_g2_add_affine(&a, &in->p2, &in->q2);
        tc_g2_add(&b, &in->p2, &q);
        return tc_g2_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g2 acc = in->p2;
    for (size_t i = 0; i < n; i++)
        tc_g2_add_affine(&acc, &acc, &in->q2);
    c->sink ^= acc.x.c0.l[0];
    return true;
}

static bool fig_g2_dbl(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2 a, b;
        tc_g2_dbl(&a, &in->p2);
        tc_g2_add(&b, &in->p2, &in->p2);
        return tc_g2_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g2 acc = in->p2;
    for (size_t i = 0; i < n; i++)
        tc_g2_dbl(&acc, &acc);
    c->sink ^= acc.x.c0.l[0];
    return true;
}

static bool fig_g2_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2 a, b;
        tc_g2_mul_var(&a, &in->p2, &in->k);
        tc_g2_mul_ref(&b, &in->p2, &in->k);
        return tc_g2_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g2 acc = in->p2;
    for (size_t i = 0; i < n; i++)
        tc_g2_mul_var(&acc, &acc, &in->k);
    c->sink ^= acc.x.c0.l[0];
    return true;
}

/* Decoding alternates between two encodings, chosen by the previous result. */
static bool fig_g1_decompress(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1_affine d;
        uint8_t re[TC_G1_BYTES];
        if (tc_g1_decode(&d, in->enc1[0]) != TC_POINT_OK)
            return false;
        tc_g1_to_bytes(re, &d);
        return memcmp(re, in->enc1[0], sizeof re) == 0;
    }
    curve_inputs *in = c->mem;
    tc_g1_affine d = {.infinity = false};
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_g1_decode(&d, in->enc1[d.y.l[0] & 1]) == TC_POINT_OK;
    c->sink ^= ok ^ d.y.l[0];
    return true;
}

static bool fig_g2_decompress(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2_affine d;
        uint8_t re[TC_G2_BYTES];
        if (tc_g2_decode(&d, in->enc2[0]) != TC_POINT_OK)
            return false;
        tc_g2_to_bytes(re, &d);
        return memcmp(re, in->enc2[0], sizeof re) == 0;
    }
    curve_inputs *in = c->mem;
    tc_g2_affine d = {.infinity = false};
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_g2_decode(&d, in->enc2[d.y.c0.l[0] & 1]) == TC_POINT_OK;
    c->sink ^= ok ^ d.y.c0.l[0];
    return true;
}

static bool fig_g2_subgroup(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        return in != NULL && tc_g2_affine_in_subgroup(&in->q2) &&
               tc_g2_affine_in_subgroup_ref(&in->q2);
    }
    curve_inputs *in = c->mem;
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_g2_affine_in_subgroup(&in->q2);
    c->sink ^= ok;
    return true;
}

/* The reference figures (best public library, same machine). */
static const bench_figure FIGURES[] = {
    {"fp_mul", "Fp mul", 22, 0, fig_fp_mul},
    {"fp_sqr", "Fp square", 18, 0, fig_fp_sqr},
    {"fp_inv", "Fp inverse", 715, 0, fig_fp_inv},
    {"fp_mul_c", "Fp mul (portable C)", 0, 0, fig_fp_mul_c},
    {"fp_sqr_c", "Fp square (portable C)", 0, 0, fig_fp_sqr_c},
    {"fp_mul_adx", "Fp mul (asm called directly)", 0, 0, fig_fp_mul_adx},
    {"fr_mul", "Fr mul", 0, 0, fig_fr_mul},
    {"fr_inv", "Fr inverse", 0, 0, fig_fr_inv},
    {"fp_legendre", "Fp Legendre symbol", 0, 0, fig_fp_legendre},
    {"fp_sqrt", "Fp sqrt (incl. x^2 per step)", 0, 0, fig_fp_sqrt},
    {"fr_sqrt", "Fr sqrt (incl. 2 sqr per step)", 0, 0, fig_fr_sqrt},
    {"g1_add_mixed", "G1 mixed add", 243, 0, fig_g1_add_mixed},
    {"g1_dbl", "G1 double", 178, 0, fig_g1_dbl},
    {"g1_mul", "G1 scalar mul (GLV)", 42000, 0, fig_g1_mul},
    {"g2_mul", "G2 scalar mul (GLS)", 70000, 0, fig_g2_mul},
    {"pairing", "pairing", 482000, 0, fig_pairing},
    {"miller_loop", "Miller loop", 246000, 0, fig_miller_loop},
    {"final_exp", "final exponentiation", 243000, 0, fig_final_exp},
    {"pairing_product_9", "product of 9 pairings (prepared G2)", 1670000, 1200000, fig_pairing_product_9},
    {"g2_prepare", "G2 prepare (line coefficients)", 0, 0, fig_g2_prepare},
    {"fp2_mul", "Fp2 mul", 0, 0, fig_fp2_mul},
    {"fp12_mul", "Fp12 mul", 0, 0, fig_fp12_mul},
    {"fp12_cyclotomic_sqr", "Fp12 cyclotomic square", 0, 0, fig_fp12_cyclotomic_sqr},
    {"g1_decompress", "G1 decompress + validate", 6800, 0, fig_g1_decompress},
    {"g1_add", "G1 add (Jacobian)", 0, 0, fig_g1_add},
    {"g2_add_mixed", "G2 mixed add", 0, 0, fig_g2_add_mixed},
    {"g2_dbl", "G2 double", 0, 0, fig_g2_dbl},
    {"g2_subgroup", "G2 subgroup check", 0, 0, fig_g2_subgroup},
    {"g2_decompress", "G2 decompress + validate", 0, 0, fig_g2_decompress},
};
#define N_FIGURES (sizeof FIGURES / sizeof FIGURES[0])

/* ------------------------------------------------------------- harness */

typedef struct bench_result {
    bool measured;
    bool ok;
    double median_ns, min_ns, max_ns;
    size_t samples, ops_per_sample;
    uint64_t sink;
} bench_result;

static double target_of(const bench_figure *f)
{
    return f->target_ns > 0 ? f->target_ns : 1.15 * f->ref_ns;
}

enum { MAX_SAMPLES = 2001 };

static bench_result measure(const bench_figure *f, double budget_s, tc_prng seed)
{
    bench_result res = {0};
    if (f->fn == NULL)
        return res;
    res.measured = true;
    bench_ctx c = {0};
    c.rng = seed;
    res.ok = f->fn(&c, 0);
    if (c.skip) {
        res.measured = false;
        res.ok = true;
        goto out;
    }
    if (!res.ok)
        goto out;
    /* calibrate: n so one sample takes about 100 µs */
    size_t n = 1;
    for (;;) {
        double t0 = tc_now();
        f->fn(&c, n);
        double dt = tc_now() - t0;
        if (dt >= 100e-6 || n >= ((size_t)1 << 30))
            break;
        n *= dt < 10e-6 ? 8 : 2;
    }
    static double per_op[MAX_SAMPLES];     /* bench only: one figure at a time */
    size_t s = 0;
    double start = tc_now();
    while (s < MAX_SAMPLES && (s < 11 || tc_now() - start < budget_s)) {
        double t0 = tc_now();
        f->fn(&c, n);
        per_op[s++] = (tc_now() - t0) * 1e9 / (double)n;
    }
    qsort(per_op, s, sizeof per_op[0], bench_cmp_double);
    res.samples = s;
    res.ops_per_sample = n;
    res.min_ns = per_op[0];
    res.max_ns = per_op[s - 1];
    res.median_ns = s % 2 ? per_op[s / 2] : 0.5 * (per_op[s / 2 - 1] + per_op[s / 2]);
out:
    res.sink = c.sink;
    free(c.mem);
    return res;
}

static void fmt_time(char *out, size_t len, double ns)
{
    if (ns < 1e3)
        snprintf(out, len, "%.1f ns", ns);
    else if (ns < 1e6)
        snprintf(out, len, "%.2f us", ns / 1e3);
    else
        snprintf(out, len, "%.3f ms", ns / 1e6);
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: bench_ec [--json FILE] [--filter SUBSTR] [--time SECONDS] [--list]\n"
            "  BN254 field/curve/pairing timings, one thread: median, min, max per\n"
            "  operation, with the reference library's figure and the target (1.15x).\n"
            "  --json FILE      also write the figures as JSON\n"
            "  --filter SUBSTR  only figures whose key contains SUBSTR\n"
            "  --time SECONDS   sampling time per figure (default 1.0)\n"
            "  --list           list the figure keys and exit\n");
}

static json_t *result_json(const bench_figure *f, const bench_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(f->key));
    json_object_set_new(o, "label", json_string(f->label));
    json_object_set_new(o, "measured", json_boolean(r->measured && r->ok));
    if (f->ref_ns > 0) {
        json_object_set_new(o, "reference_ns", json_real(f->ref_ns));
        json_object_set_new(o, "target_ns", json_real(target_of(f)));
    }
    if (r->measured && r->ok) {
        json_object_set_new(o, "median_ns", json_real(r->median_ns));
        json_object_set_new(o, "min_ns", json_real(r->min_ns));
        json_object_set_new(o, "max_ns", json_real(r->max_ns));
        json_object_set_new(o, "samples", json_integer((json_int_t)r->samples));
        json_object_set_new(o, "ops_per_sample", json_integer((json_int_t)r->ops_per_sample));
        if (f->ref_ns > 0)
            json_object_set_new(o, "ratio_to_target", json_real(r->median_ns / target_of(f)));
    }
    return o;
}

int main(int argc, char **argv)
{
    const char *json_path = NULL, *filter = NULL;
    double budget = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json_path = argv[++i];
        } else if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
            filter = argv[++i];
        } else if (!strcmp(argv[i], "--time") && i + 1 < argc) {
            char *end;
            budget = strtod(argv[++i], &end);
            if (*end != '\0' || !(budget > 0 && budget < 3600)) {
                fprintf(stderr, "bench_ec: --time wants seconds in (0, 3600), got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--list")) {
            for (size_t k = 0; k < N_FIGURES; k++)
                printf("%s\n", FIGURES[k].key);
            return 0;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench_ec: unknown or incomplete argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    char cpu[256], date[64];
    bench_cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    printf("bench_ec  %s  |  %s  |  asm (ADX/BMI2): %s  |  1 thread\n", date, cpu,
           tc_cpu_has_adx() ? "yes" : "no");
    printf("%-38s %11s %11s %11s %11s %11s %7s\n", "figure", "median", "min", "max",
           "reference", "target", "/target");

    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "bench", json_string("bench_ec"));
    json_object_set_new(root, "date", json_string(date));
    json_object_set_new(root, "cpu", json_string(cpu));
    json_object_set_new(root, "asm_adx", json_boolean(tc_cpu_has_adx()));
    json_object_set_new(root, "threads", json_integer(1));

    tc_prng seed;
    tc_prng_seed(&seed, 20261126);
    int failed = 0;
    uint64_t sink = 0;
    for (size_t k = 0; k < N_FIGURES; k++) {
        const bench_figure *f = &FIGURES[k];
        if (filter != NULL && strstr(f->key, filter) == NULL)
            continue;
        bench_result r = measure(f, budget, seed);
        char med[32] = "-", mn[32] = "-", mx[32] = "-", ref[32] = "-", tgt[32] = "-",
             ratio[16] = "-";
        if (f->ref_ns > 0) {
            fmt_time(ref, sizeof ref, f->ref_ns);
            fmt_time(tgt, sizeof tgt, target_of(f));
        }
        if (!r.measured) {
            snprintf(med, sizeof med, "not measured");
        } else if (!r.ok) {
            snprintf(med, sizeof med, "WRONG RESULT");
            failed = 1;
        } else {
            fmt_time(med, sizeof med, r.median_ns);
            fmt_time(mn, sizeof mn, r.min_ns);
            fmt_time(mx, sizeof mx, r.max_ns);
            if (f->ref_ns > 0)
                snprintf(ratio, sizeof ratio, "%.2f", r.median_ns / target_of(f));
        }
        printf("%-38s %11s %11s %11s %11s %11s %7s\n", f->label, med, mn, mx, ref, tgt, ratio);
        fflush(stdout);
        json_array_append_new(arr, result_json(f, &r));
        sink ^= r.sink;
    }
    json_object_set_new(root, "figures", arr);
    int rc = failed ? 1 : 0;
    if (json_path != NULL) {
        char *text = json_dumps(root, JSON_INDENT(2));
        tc_error err = {0};
        if (text == NULL ||
            tc_write_file_atomic(&err, json_path, text, strlen(text)) != TC_OK) {
            fprintf(stderr, "bench_ec: cannot write %s: %s\n", json_path,
                    text == NULL ? "out of memory" : err.msg);
            rc = 3;
        }
        free(text);
    }
    json_decref(root);
    if (sink == 0x5a5a5a5a5a5a5a5aULL)     /* keeps the results alive */
        printf("(sink)\n");
    return rc;
}
