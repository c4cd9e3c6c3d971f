/* bench_ec: field figures (Fp, Fr, Fp2). */
#include <string.h>

#include "bench_ec.h"
#include "ec/tower.h"

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

void bench_random_fr(bench_ctx *c, tc_fr *r)
{
    uint64_t v[4];
    do {
        for (int i = 0; i < 4; i++)
            v[i] = tc_prng_next(&c->rng);
        v[3] &= (1ULL << 62) - 1;
    } while (!tc_fr_from_limbs(r, v));
}

void bench_prepare_fields(bench_ctx *c)
{
    for (int i = 0; i < 8; i++) {
        random_fp(c, &c->fp[i]);
        bench_random_fr(c, &c->fr[i]);
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

bool fig_fp_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[1].l, mul_dispatch);
    }
    tc_fp x = c->fp[0], y = c->fp[1];
    for (size_t i = 0; i < n; i++)
        tc_fp_mul(&x, &x, &y);
    c->sink ^= x.l[0];
    return true;
}

bool fig_fp_sqr(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[0].l, sqr_dispatch);
    }
    tc_fp x = c->fp[0];
    for (size_t i = 0; i < n; i++)
        tc_fp_sqr(&x, &x);
    c->sink ^= x.l[0];
    return true;
}

bool fig_fp_inv(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
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

bool fig_fp_mul_c(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
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
bool fig_fp_mul_adx(bench_ctx *c, size_t n)
{
    const tc_modulus *m = &tc_fp_modulus;
    if (n == 0) {
        bench_prepare_fields(c);
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

bool fig_fp_sqr_c(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
        return check_mul(&tc_fp_modulus, c->fp[0].l, c->fp[0].l, sqr_c);
    }
    tc_fp x = c->fp[0];
    for (size_t i = 0; i < n; i++)
        tc_mont_sqr_c(x.l, x.l, &tc_fp_modulus);
    c->sink ^= x.l[0];
    return true;
}

bool fig_fr_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
        return check_mul(&tc_fr_modulus, c->fr[0].l, c->fr[1].l, mul_dispatch);
    }
    tc_fr x = c->fr[0], y = c->fr[1];
    for (size_t i = 0; i < n; i++)
        tc_fr_mul(&x, &x, &y);
    c->sink ^= x.l[0];
    return true;
}

bool fig_fr_inv(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
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

bool fig_fp_legendre(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
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

bool fig_fp_sqrt(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
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

bool fig_fr_sqrt(bench_ctx *c, size_t n)
{
    if (n == 0) {
        bench_prepare_fields(c);
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

bool fig_fp2_mul(bench_ctx *c, size_t n)
{
    if (n == 0)
        bench_prepare_fields(c);
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
