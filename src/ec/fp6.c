/* Fp6 = Fp2[v]/(v³ − ξ), ξ = 9 + u.  Products follow Devegili, Ó hÉigeartaigh,
 * Scott and Dahab, "Multiplication and squaring on pairing-friendly fields"
 * (eprint 2006/471): Karatsuba for mul, Chung–Hasan SQR2 for sqr. */
#include "ec/tower.h"

#include "ec/tower_frob.h"

#include <string.h>

void tc_fp6_zero(tc_fp6 *r) { memset(r, 0, sizeof *r); }

void tc_fp6_one(tc_fp6 *r)
{
    tc_fp2_one(&r->c0);
    tc_fp2_zero(&r->c1);
    tc_fp2_zero(&r->c2);
}

bool tc_fp6_is_zero(const tc_fp6 *a)
{
    return tc_fp2_is_zero(&a->c0) && tc_fp2_is_zero(&a->c1) && tc_fp2_is_zero(&a->c2);
}

bool tc_fp6_eq(const tc_fp6 *a, const tc_fp6 *b) { return memcmp(a, b, sizeof *a) == 0; }

void tc_fp6_add(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b)
{
    tc_fp2_add(&r->c0, &a->c0, &b->c0);
    tc_fp2_add(&r->c1, &a->c1, &b->c1);
    tc_fp2_add(&r->c2, &a->c2, &b->c2);
}

void tc_fp6_sub(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b)
{
    tc_fp2_sub(&r->c0, &a->c0, &b->c0);
    tc_fp2_sub(&r->c1, &a->c1, &b->c1);
    tc_fp2_sub(&r->c2, &a->c2, &b->c2);
}

void tc_fp6_neg(tc_fp6 *r, const tc_fp6 *a)
{
    tc_fp2_neg(&r->c0, &a->c0);
    tc_fp2_neg(&r->c1, &a->c1);
    tc_fp2_neg(&r->c2, &a->c2);
}

/* v0 = a0b0, v1 = a1b1, v2 = a2b2;
 * c0 = v0 + ξ((a1 + a2)(b1 + b2) − v1 − v2)
 * c1 = (a0 + a1)(b0 + b1) − v0 − v1 + ξv2
 * c2 = (a0 + a2)(b0 + b2) − v0 − v2 + v1 */
void tc_fp6_mul(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b)
{
    tc_fp2 v0, v1, v2, s, t, c0, c1, c2;
    tc_fp2_mul(&v0, &a->c0, &b->c0);
    tc_fp2_mul(&v1, &a->c1, &b->c1);
    tc_fp2_mul(&v2, &a->c2, &b->c2);

    tc_fp2_add(&s, &a->c1, &a->c2);
    tc_fp2_add(&t, &b->c1, &b->c2);
    tc_fp2_mul(&c0, &s, &t);
    tc_fp2_sub(&c0, &c0, &v1);
    tc_fp2_sub(&c0, &c0, &v2);
    tc_fp2_mul_xi(&c0, &c0);
    tc_fp2_add(&c0, &c0, &v0);

    tc_fp2_add(&s, &a->c0, &a->c1);
    tc_fp2_add(&t, &b->c0, &b->c1);
    tc_fp2_mul(&c1, &s, &t);
    tc_fp2_sub(&c1, &c1, &v0);
    tc_fp2_sub(&c1, &c1, &v1);
    tc_fp2_mul_xi(&t, &v2);
    tc_fp2_add(&c1, &c1, &t);

    tc_fp2_add(&s, &a->c0, &a->c2);
    tc_fp2_add(&t, &b->c0, &b->c2);
    tc_fp2_mul(&c2, &s, &t);
    tc_fp2_sub(&c2, &c2, &v0);
    tc_fp2_sub(&c2, &c2, &v2);
    tc_fp2_add(&r->c2, &c2, &v1);
    r->c0 = c0;
    r->c1 = c1;
}

/* s0 = a0², s1 = 2a0a1, s2 = (a0 − a1 + a2)², s3 = 2a1a2, s4 = a2²;
 * c0 = s0 + ξs3, c1 = s1 + ξs4, c2 = s1 + s2 + s3 − s0 − s4. */
void tc_fp6_sqr(tc_fp6 *r, const tc_fp6 *a)
{
    tc_fp2 s0, s1, s2, s3, s4, t;
    tc_fp2_sqr(&s0, &a->c0);
    tc_fp2_mul(&s1, &a->c0, &a->c1);
    tc_fp2_dbl(&s1, &s1);
    tc_fp2_sub(&s2, &a->c0, &a->c1);
    tc_fp2_add(&s2, &s2, &a->c2);
    tc_fp2_sqr(&s2, &s2);
    tc_fp2_mul(&s3, &a->c1, &a->c2);
    tc_fp2_dbl(&s3, &s3);
    tc_fp2_sqr(&s4, &a->c2);

    tc_fp2_mul_xi(&t, &s3);
    tc_fp2_add(&r->c0, &s0, &t);
    tc_fp2_add(&r->c2, &s1, &s2);
    tc_fp2_add(&r->c2, &r->c2, &s3);
    tc_fp2_sub(&r->c2, &r->c2, &s0);
    tc_fp2_sub(&r->c2, &r->c2, &s4);
    tc_fp2_mul_xi(&t, &s4);
    tc_fp2_add(&r->c1, &s1, &t);
}

/* (a0 + a1v + a2v²)·v = ξa2 + a0v + a1v² */
void tc_fp6_mul_v(tc_fp6 *r, const tc_fp6 *a)
{
    tc_fp2 t;
    tc_fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

void tc_fp6_mul_fp2(tc_fp6 *r, const tc_fp6 *a, const tc_fp2 *b)
{
    tc_fp2_mul(&r->c0, &a->c0, b);
    tc_fp2_mul(&r->c1, &a->c1, b);
    tc_fp2_mul(&r->c2, &a->c2, b);
}

/* b2 = 0 in the Karatsuba formulas:
 * c0 = a0b0 + ξa2b1, c1 = (a0 + a1)(b0 + b1) − a0b0 − a1b1,
 * c2 = (a0 + a2)b0 − a0b0 + a1b1. */
void tc_fp6_mul_01(tc_fp6 *r, const tc_fp6 *a, const tc_fp2 *b0, const tc_fp2 *b1)
{
    tc_fp2 v0, v1, s, t, c0, c1;
    tc_fp2_mul(&v0, &a->c0, b0);
    tc_fp2_mul(&v1, &a->c1, b1);

    tc_fp2_mul(&c0, &a->c2, b1);
    tc_fp2_mul_xi(&c0, &c0);
    tc_fp2_add(&c0, &c0, &v0);

    tc_fp2_add(&s, &a->c0, &a->c1);
    tc_fp2_add(&t, b0, b1);
    tc_fp2_mul(&c1, &s, &t);
    tc_fp2_sub(&c1, &c1, &v0);
    tc_fp2_sub(&c1, &c1, &v1);

    tc_fp2_add(&s, &a->c0, &a->c2);
    tc_fp2_mul(&s, &s, b0);
    tc_fp2_sub(&s, &s, &v0);
    tc_fp2_add(&r->c2, &s, &v1);
    r->c0 = c0;
    r->c1 = c1;
}

/* (a0 + a1v + a2v²)·b1v = ξa2b1 + a0b1·v + a1b1·v² */
void tc_fp6_mul_1(tc_fp6 *r, const tc_fp6 *a, const tc_fp2 *b1)
{
    tc_fp2 t0, t1;
    tc_fp2_mul(&t0, &a->c2, b1);
    tc_fp2_mul_xi(&t0, &t0);
    tc_fp2_mul(&t1, &a->c0, b1);
    tc_fp2_mul(&r->c2, &a->c1, b1);
    r->c0 = t0;
    r->c1 = t1;
}

/* Inverse by the adjugate of multiplication-by-a over Fp2 (the norm
 * method of e.g. Scott, "Implementing cryptographic pairings", 2007): t0 = a0² − ξa1a2, t1 = ξa2² − a0a1, t2 = a1² − a0a2,
 * a⁻¹ = (t0 + t1v + t2v²) / (a0t0 + ξ(a2t1 + a1t2)). */
void tc_fp6_inv_var(tc_fp6 *r, const tc_fp6 *a)
{
    tc_fp2 t0, t1, t2, s, d;
    tc_fp2_sqr(&t0, &a->c0);
    tc_fp2_mul(&s, &a->c1, &a->c2);
    tc_fp2_mul_xi(&s, &s);
    tc_fp2_sub(&t0, &t0, &s);

    tc_fp2_sqr(&t1, &a->c2);
    tc_fp2_mul_xi(&t1, &t1);
    tc_fp2_mul(&s, &a->c0, &a->c1);
    tc_fp2_sub(&t1, &t1, &s);

    tc_fp2_sqr(&t2, &a->c1);
    tc_fp2_mul(&s, &a->c0, &a->c2);
    tc_fp2_sub(&t2, &t2, &s);

    tc_fp2_mul(&d, &a->c2, &t1);
    tc_fp2_mul(&s, &a->c1, &t2);
    tc_fp2_add(&d, &d, &s);
    tc_fp2_mul_xi(&d, &d);
    tc_fp2_mul(&s, &a->c0, &t0);
    tc_fp2_add(&d, &d, &s);
    tc_fp2_inv_var(&d, &d);

    tc_fp2_mul(&r->c0, &t0, &d);
    tc_fp2_mul(&r->c1, &t1, &d);
    tc_fp2_mul(&r->c2, &t2, &d);
}

/* (c0 + c1v + c2v²)^(p^k) = φ(c0) + φ(c1)·γ_{k,2}·v + φ(c2)·γ_{k,4}·v²,
 * φ = conjugation for odd k, identity for even k (v = w², so the factor of
 * v^j is γ_{k,2j}).  k = 1, 2, 3 directly; others reduced mod 6 and
 * composed. */
void tc_fp6_frobenius(tc_fp6 *r, const tc_fp6 *a, int k)
{
    tc_fp6 t = *a;
    k %= 6;
    if (k < 0)
        k += 6;
    for (; k > 0; k -= 3) {
        int step = k > 3 ? 3 : k;
        const tc_fp2 *g = tc_frob_gamma[step - 1];
        if (step & 1) {
            tc_fp2_conj(&t.c0, &t.c0);
            tc_fp2_conj(&t.c1, &t.c1);
            tc_fp2_conj(&t.c2, &t.c2);
        }
        tc_fp2_mul(&t.c1, &t.c1, &g[1]);
        tc_fp2_mul(&t.c2, &t.c2, &g[3]);
        if (k <= 3)
            break;
    }
    *r = t;
}
