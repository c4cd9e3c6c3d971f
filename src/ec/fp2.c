/* Fp2 = Fp[u]/(u² + 1): products, inverse, square root and ordering. */
#include "ec/tower.h"

#include <string.h>

/* (p − 3)/4 and (p − 1)/2, little-endian limbs. */
static const uint64_t P_MINUS3_DIV4[4] = {0x4f082305b61f3f51ULL, 0x65e05aa45a1c72a3ULL,
                                          0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};
static const uint64_t P_MINUS1_DIV2[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL,
                                          0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

void tc_fp2_one(tc_fp2 *r)
{
    tc_fp_one(&r->c0);
    tc_fp_zero(&r->c1);
}

bool tc_fp2_is_zero(const tc_fp2 *a) { return tc_fp_is_zero(&a->c0) && tc_fp_is_zero(&a->c1); }
bool tc_fp2_is_one(const tc_fp2 *a) { return tc_fp_is_one(&a->c0) && tc_fp_is_zero(&a->c1); }
bool tc_fp2_eq(const tc_fp2 *a, const tc_fp2 *b) { return memcmp(a, b, sizeof *a) == 0; }

/* (a0 + a1u)(b0 + b1u) = (a0b0 − a1b1) + ((a0 + a1)(b0 + b1) − a0b0 − a1b1)u */
void tc_fp2_mul(tc_fp2 *r, const tc_fp2 *a, const tc_fp2 *b)
{
    tc_fp v0, v1, s, t;
    tc_fp_mul(&v0, &a->c0, &b->c0);
    tc_fp_mul(&v1, &a->c1, &b->c1);
    tc_fp_add(&s, &a->c0, &a->c1);
    tc_fp_add(&t, &b->c0, &b->c1);
    tc_fp_mul(&s, &s, &t);
    tc_fp_sub(&s, &s, &v0);
    tc_fp_sub(&r->c1, &s, &v1);
    tc_fp_sub(&r->c0, &v0, &v1);
}

/* (a0 + a1u)² = (a0 + a1)(a0 − a1) + 2a0a1·u */
void tc_fp2_sqr(tc_fp2 *r, const tc_fp2 *a)
{
    tc_fp s, d, m;
    tc_fp_add(&s, &a->c0, &a->c1);
    tc_fp_sub(&d, &a->c0, &a->c1);
    tc_fp_mul(&m, &a->c0, &a->c1);
    tc_fp_mul(&r->c0, &s, &d);
    tc_fp_dbl(&r->c1, &m);
}

void tc_fp2_mul_fp(tc_fp2 *r, const tc_fp2 *a, const tc_fp *b)
{
    tc_fp_mul(&r->c0, &a->c0, b);
    tc_fp_mul(&r->c1, &a->c1, b);
}

/* (a0 + a1u)(9 + u) = (9a0 − a1) + (9a1 + a0)u, with 9x = 8x + x. */
void tc_fp2_mul_xi(tc_fp2 *r, const tc_fp2 *a)
{
    tc_fp t0, t1;
    tc_fp_dbl(&t0, &a->c0);
    tc_fp_dbl(&t0, &t0);
    tc_fp_dbl(&t0, &t0);
    tc_fp_add(&t0, &t0, &a->c0);
    tc_fp_dbl(&t1, &a->c1);
    tc_fp_dbl(&t1, &t1);
    tc_fp_dbl(&t1, &t1);
    tc_fp_add(&t1, &t1, &a->c1);
    tc_fp_sub(&t0, &t0, &a->c1);
    tc_fp_add(&r->c1, &t1, &a->c0);
    r->c0 = t0;
}

/* a⁻¹ = conj(a) / N(a), N(a) = a0² + a1² ∈ Fp. */
void tc_fp2_inv_var(tc_fp2 *r, const tc_fp2 *a)
{
    tc_fp n, t;
    tc_fp_sqr(&n, &a->c0);
    tc_fp_sqr(&t, &a->c1);
    tc_fp_add(&n, &n, &t);
    tc_fp_inv_var(&n, &n);
    tc_fp_mul(&r->c0, &a->c0, &n);
    tc_fp_mul(&t, &a->c1, &n);
    tc_fp_neg(&r->c1, &t);
}

void tc_fp2_pow(tc_fp2 *r, const tc_fp2 *a, const uint64_t *e, size_t n)
{
    tc_fp2 acc, base = *a;
    tc_fp2_one(&acc);
    for (size_t i = n * 64; i-- > 0;) {
        tc_fp2_sqr(&acc, &acc);
        if ((e[i / 64] >> (i % 64)) & 1)
            tc_fp2_mul(&acc, &acc, &base);
    }
    *r = acc;
}

int tc_fp2_legendre_var(const tc_fp2 *a)
{
    /* a is a square in Fp2 iff N(a) is a square in Fp. */
    tc_fp n, t;
    tc_fp_sqr(&n, &a->c0);
    tc_fp_sqr(&t, &a->c1);
    tc_fp_add(&n, &n, &t);
    return tc_fp_legendre_var(&n);
}

bool tc_fp2_is_lexlargest(const tc_fp2 *a)
{
    if (!tc_fp_is_zero(&a->c1))
        return tc_fp_is_lexlargest(&a->c1);
    return tc_fp_is_lexlargest(&a->c0);
}

/* Square root for p ≡ 3 (mod 4): Adj and Rodríguez-Henríquez, "Square root
 * computation over even extension fields", IEEE TC 2014 (eprint 2012/685),
 * Algorithm 9.  Then pick the root that is not "negative". */
bool tc_fp2_sqrt_var(tc_fp2 *r, const tc_fp2 *a)
{
    tc_fp2 a1, alpha, x0, x, t, minus_one;
    tc_fp2_pow(&a1, a, P_MINUS3_DIV4, 4);       /* a^((p−3)/4) */
    tc_fp2_mul(&t, &a1, a);
    tc_fp2_mul(&alpha, &a1, &t);                /* a^((p−1)/2) */
    tc_fp2_conj(&t, &alpha);
    tc_fp2_mul(&t, &t, &alpha);                 /* α^(p+1) = N(α) */
    tc_fp2_one(&minus_one);
    tc_fp2_neg(&minus_one, &minus_one);
    if (tc_fp2_eq(&t, &minus_one))
        return false;
    tc_fp2_mul(&x0, &a1, a);                    /* a^((p+1)/4) */
    if (tc_fp2_eq(&alpha, &minus_one)) {
        /* x = u·x0 */
        tc_fp_neg(&x.c0, &x0.c1);
        x.c1 = x0.c0;
    } else {
        tc_fp2 b, one;
        tc_fp2_one(&one);
        tc_fp2_add(&b, &alpha, &one);
        tc_fp2_pow(&b, &b, P_MINUS1_DIV2, 4);   /* (1 + α)^((p−1)/2) */
        tc_fp2_mul(&x, &b, &x0);
    }
    /* Algorithm 9 has already rejected non-squares (N(α) = −1); checking
     * x² = a as well costs one squaring next to two exponentiations. */
    tc_fp2_sqr(&t, &x);
    if (!tc_fp2_eq(&t, a))
        return false;
    if (tc_fp2_is_lexlargest(&x))
        tc_fp2_neg(&x, &x);
    *r = x;
    return true;
}

bool tc_fp2_from_dec(tc_fp2 *r, const char *c0, const char *c1)
{
    return tc_fp_from_dec(&r->c0, c0) && tc_fp_from_dec(&r->c1, c1);
}
