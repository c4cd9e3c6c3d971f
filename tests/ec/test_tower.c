/* Fp2, Fp6, Fp12: known answers from the test vectors, field axioms on
 * edge-biased random elements, Frobenius maps against exponentiation by p,
 * and cyclotomic squaring against plain squaring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/tower.h"
#include "ec/tower_frob.h"

static json_t *vectors;
static tc_prng rng;

static const uint64_t P_LIMBS[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};

/* ------------------------------------------------------------- parsing */

static void parse_fp2(tc_fp2 *r, const json_t *pair)
{
    const char *c0 = json_string_value(json_array_get(pair, 0));
    const char *c1 = json_string_value(json_array_get(pair, 1));
    if (c0 == NULL || c1 == NULL || !tc_fp2_from_dec(r, c0, c1))
        fail_msg("cannot parse Fp2 element");
}

static void parse_fp12(tc_fp12 *r, const json_t *arr)
{
    const char *s[12];
    assert_int_equal(json_array_size(arr), 12);
    for (int i = 0; i < 12; i++)
        s[i] = json_string_value(json_array_get(arr, (size_t)i));
    if (!tc_fp12_from_dec(r, s))
        fail_msg("cannot parse Fp12 element");
}

static void assert_fp2_dec(const tc_fp2 *a, const json_t *pair)
{
    tc_fp2 want;
    parse_fp2(&want, pair);
    assert_memory_equal(a, &want, sizeof want);
}

/* ------------------------------------------------------------- random */

/* An Fp element biased to edges: 0, 1, 2, p−1, p−2, small, 2^k, uniform. */
static void random_fp(tc_fp *r)
{
    uint64_t v[4] = {0, 0, 0, 0}, one[4] = {1, 0, 0, 0};
    switch (tc_prng_below(&rng, 8)) {
    case 0: v[0] = tc_prng_below(&rng, 3); break;
    case 1:
        tc_limbs_sub(v, P_LIMBS, one);
        if (tc_prng_below(&rng, 2))
            tc_limbs_sub(v, v, one);
        break;
    case 2: v[0] = tc_prng_next(&rng); break;
    case 3: { int k = (int)tc_prng_below(&rng, 253); v[k / 64] = 1ULL << (k % 64); break; }
    default:
        do {
            for (int i = 0; i < 4; i++)
                v[i] = tc_prng_next(&rng);
            v[3] &= (1ULL << 62) - 1;
        } while (tc_limbs_geq(v, P_LIMBS));
    }
    assert_true(tc_fp_from_limbs(r, v));
}

static void random_fp2(tc_fp2 *r)
{
    random_fp(&r->c0);
    random_fp(&r->c1);
}

static void random_fp6(tc_fp6 *r)
{
    random_fp2(&r->c0);
    random_fp2(&r->c1);
    random_fp2(&r->c2);
}

static void random_fp12(tc_fp12 *r)
{
    random_fp6(&r->c0);
    random_fp6(&r->c1);
}

/* A uniform element (no edges), for properties that need nonzero/generic. */
static void uniform_fp12(tc_fp12 *r)
{
    tc_fp *c = (tc_fp *)r;
    for (int i = 0; i < 12; i++) {
        uint64_t v[4];
        do {
            for (int k = 0; k < 4; k++)
                v[k] = tc_prng_next(&rng);
            v[3] &= (1ULL << 62) - 1;
        } while (tc_limbs_geq(v, P_LIMBS));
        assert_true(tc_fp_from_limbs(&c[i], v));
    }
}

/* ---------------------------------------------------- Fp2 known answers */

static void test_fp2_vectors(void **s)
{
    (void)s;
    json_t *fv = json_object_get(vectors, "fp2");
    size_t i, n = 0;
    json_t *row;
    json_array_foreach(json_object_get(fv, "mul"), i, row) {
        tc_fp2 a, b, r;
        parse_fp2(&a, json_object_get(row, "a"));
        parse_fp2(&b, json_object_get(row, "b"));
        tc_fp2_mul(&r, &a, &b);
        assert_fp2_dec(&r, json_object_get(row, "out"));
        if (tc_fp2_eq(&a, &b)) {
            tc_fp2_sqr(&r, &a);
            assert_fp2_dec(&r, json_object_get(row, "out"));
        }
        n++;
    }
    json_array_foreach(json_object_get(fv, "inv"), i, row) {
        tc_fp2 a, r;
        parse_fp2(&a, json_object_get(row, "a"));
        tc_fp2_inv_var(&r, &a);
        assert_fp2_dec(&r, json_object_get(row, "out"));
        n++;
    }
    size_t nsq = 0, nnon = 0;
    json_array_foreach(json_object_get(fv, "sqrt"), i, row) {
        tc_fp2 a, r;
        parse_fp2(&a, json_object_get(row, "a"));
        json_t *roots = json_object_get(row, "roots");
        bool ok = tc_fp2_sqrt_var(&r, &a);
        if (json_is_null(roots)) {
            assert_false(ok);
            assert_int_equal(tc_fp2_legendre_var(&a), -1);
            nnon++;
        } else {
            assert_true(ok);
            assert_fp2_dec(&r, json_array_get(roots, 0));
            /* the other root is the larger one */
            tc_fp2 other;
            tc_fp2_neg(&other, &r);
            assert_fp2_dec(&other, json_array_get(roots, 1));
            if (!tc_fp2_is_zero(&a))
                assert_true(tc_fp2_is_lexlargest(&other));
            nsq++;
        }
    }
    assert_true(nsq > 0 && nnon > 0);
    size_t nneg = 0;
    json_array_foreach(json_object_get(fv, "is_negative"), i, row) {
        tc_fp2 a;
        parse_fp2(&a, json_object_get(row, "a"));
        bool want = json_is_true(json_object_get(row, "negative"));
        assert_int_equal(tc_fp2_is_lexlargest(&a), want);
        nneg++;
    }
    assert_true(n >= 12 && nneg > 0);
}

/* ------------------------------------------------------ Fp2 properties */

static void test_fp2_properties(void **s)
{
    (void)s;
    for (int it = 0; it < 1000; it++) {
        tc_fp2 a, b, c, r, t, u, one, zero;
        random_fp2(&a);
        random_fp2(&b);
        random_fp2(&c);
        tc_fp2_one(&one);
        tc_fp2_zero(&zero);
        /* commutativity, associativity, distributivity */
        tc_fp2_mul(&r, &a, &b);
        tc_fp2_mul(&t, &b, &a);
        assert_true(tc_fp2_eq(&r, &t));
        tc_fp2_mul(&r, &r, &c);
        tc_fp2_mul(&t, &b, &c);
        tc_fp2_mul(&t, &a, &t);
        assert_true(tc_fp2_eq(&r, &t));
        tc_fp2_add(&t, &b, &c);
        tc_fp2_mul(&r, &a, &t);
        tc_fp2_mul(&t, &a, &b);
        tc_fp2_mul(&u, &a, &c);
        tc_fp2_add(&t, &t, &u);
        assert_true(tc_fp2_eq(&r, &t));
        /* schoolbook product over Fp (u² = −1) */
        {
            tc_fp x, y;
            tc_fp2_mul(&r, &a, &b);
            tc_fp_mul(&x, &a.c0, &b.c0);
            tc_fp_mul(&y, &a.c1, &b.c1);
            tc_fp_sub(&t.c0, &x, &y);
            tc_fp_mul(&x, &a.c0, &b.c1);
            tc_fp_mul(&y, &a.c1, &b.c0);
            tc_fp_add(&t.c1, &x, &y);
            assert_true(tc_fp2_eq(&r, &t));
        }
        /* identities */
        tc_fp2_mul(&r, &a, &one);
        assert_true(tc_fp2_eq(&r, &a));
        tc_fp2_add(&r, &a, &zero);
        assert_true(tc_fp2_eq(&r, &a));
        tc_fp2_neg(&r, &a);
        tc_fp2_add(&r, &r, &a);
        assert_true(tc_fp2_is_zero(&r));
        tc_fp2_sub(&r, &a, &b);
        tc_fp2_add(&r, &r, &b);
        assert_true(tc_fp2_eq(&r, &a));
        tc_fp2_dbl(&r, &a);
        tc_fp2_add(&t, &a, &a);
        assert_true(tc_fp2_eq(&r, &t));
        /* squaring, aliasing */
        tc_fp2_sqr(&r, &a);
        tc_fp2_mul(&t, &a, &a);
        assert_true(tc_fp2_eq(&r, &t));
        t = a;
        tc_fp2_mul(&t, &t, &t);
        assert_true(tc_fp2_eq(&r, &t));
        t = a;
        tc_fp2_sqr(&t, &t);
        assert_true(tc_fp2_eq(&r, &t));
        /* ξ multiplication */
        tc_fp2 xi;
        tc_fp_from_u64(&xi.c0, 9);
        tc_fp_one(&xi.c1);
        tc_fp2_mul(&r, &a, &xi);
        t = a;
        tc_fp2_mul_xi(&t, &t);
        assert_true(tc_fp2_eq(&r, &t));
        /* multiplication by an Fp scalar */
        tc_fp2 bb = {b.c0, {{0, 0, 0, 0}}};
        tc_fp2_mul(&r, &a, &bb);
        tc_fp2_mul_fp(&t, &a, &b.c0);
        assert_true(tc_fp2_eq(&r, &t));
        /* inverse */
        tc_fp2_inv_var(&r, &a);
        if (tc_fp2_is_zero(&a)) {
            assert_true(tc_fp2_is_zero(&r));
        } else {
            tc_fp2_mul(&t, &r, &a);
            assert_true(tc_fp2_is_one(&t));
        }
        /* Frobenius = a^p */
        if (it % 20 == 0) {
            tc_fp2_pow(&r, &a, P_LIMBS, 4);
            tc_fp2_frobenius(&t, &a);
            assert_true(tc_fp2_eq(&r, &t));
        }
        /* square roots: of a square, a root, the non-negative one; the
         * character agrees with sqrt's answer */
        if (it % 4 == 0) {
            tc_fp2_sqr(&t, &a);
            assert_true(tc_fp2_sqrt_var(&r, &t));
            tc_fp2_sqr(&u, &r);
            assert_true(tc_fp2_eq(&u, &t));
            assert_false(tc_fp2_is_lexlargest(&r));
            tc_fp2_neg(&u, &a);
            assert_true(tc_fp2_eq(&r, &a) || tc_fp2_eq(&r, &u));
            bool ok = tc_fp2_sqrt_var(&r, &b);
            int leg = tc_fp2_legendre_var(&b);
            assert_int_equal(leg, tc_fp2_is_zero(&b) ? 0 : (ok ? 1 : -1));
            if (tc_fp2_is_zero(&b))
                assert_true(ok);
        }
        /* is_lexlargest: exactly one of a, −a for a ≠ 0 */
        tc_fp2_neg(&r, &a);
        if (!tc_fp2_is_zero(&a))
            assert_true(tc_fp2_is_lexlargest(&a) != tc_fp2_is_lexlargest(&r));
        else
            assert_false(tc_fp2_is_lexlargest(&a));
    }
}

/* ------------------------------------------------ small bigint helpers */

/* r[0..na+nb) = a·b, little-endian limbs. */
static void big_mul(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    memset(r, 0, (na + nb) * sizeof *r);
    for (size_t i = 0; i < na; i++) {
        tc_u128 c = 0;
        for (size_t j = 0; j < nb; j++) {
            c += (tc_u128)a[i] * b[j] + r[i + j];
            r[i + j] = (uint64_t)c;
            c >>= 64;
        }
        r[i + nb] = (uint64_t)c;
    }
}

/* a = a / d, returning the remainder. */
static uint64_t big_div_small(uint64_t *a, size_t n, uint64_t d)
{
    tc_u128 rem = 0;
    for (size_t i = n; i-- > 0;) {
        tc_u128 cur = (rem << 64) | a[i];
        a[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
    return (uint64_t)rem;
}

/* p^k in 4k limbs. */
static void p_power(uint64_t *r, int k)
{
    uint64_t t[12];
    memcpy(r, P_LIMBS, 32);
    for (int j = 1; j < k; j++) {
        big_mul(t, r, (size_t)(4 * j), P_LIMBS, 4);
        memcpy(r, t, (size_t)(4 * (j + 1)) * 8);
    }
}

/* ---------------------------------------------- reference Fp12 product */

/* The coefficient of w^i (i = 0..5) in an Fp12 element. */
static tc_fp2 *wcoef(tc_fp12 *a, int i)
{
    tc_fp2 *c[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
    return c[i];
}

/* Schoolbook product of polynomials in w over Fp2, reduced with w⁶ = ξ:
 * independent of the Karatsuba tower code. */
static void fp12_mul_ref(tc_fp12 *r, const tc_fp12 *a, const tc_fp12 *b)
{
    tc_fp2 h[11], t;
    tc_fp12 x = *a, y = *b;
    for (int i = 0; i < 11; i++)
        tc_fp2_zero(&h[i]);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            tc_fp2_mul(&t, wcoef(&x, i), wcoef(&y, j));
            tc_fp2_add(&h[i + j], &h[i + j], &t);
        }
    for (int i = 0; i < 5; i++) {
        tc_fp2_mul_xi(&t, &h[6 + i]);
        tc_fp2_add(&h[i], &h[i], &t);
    }
    for (int i = 0; i < 6; i++)
        *wcoef(r, i) = h[i];
}

/* An Fp6 element as the Fp12 element with c1 = 0: Fp6 products are checked
 * through the reference above. */
static void fp6_mul_ref(tc_fp6 *r, const tc_fp6 *a, const tc_fp6 *b)
{
    tc_fp12 x, y, z;
    tc_fp12_zero(&x);
    tc_fp12_zero(&y);
    x.c0 = *a;
    y.c0 = *b;
    fp12_mul_ref(&z, &x, &y);
    assert_true(tc_fp6_is_zero(&z.c1));
    *r = z.c0;
}

/* ----------------------------------------------------- Fp12 known answers */

static void test_fp12_vectors(void **s)
{
    (void)s;
    json_t *fv = json_object_get(vectors, "fp12");
    size_t i, n = 0;
    json_t *row;
    json_array_foreach(json_object_get(fv, "mul"), i, row) {
        tc_fp12 a, b, r, want;
        parse_fp12(&a, json_object_get(row, "a"));
        parse_fp12(&b, json_object_get(row, "b"));
        parse_fp12(&want, json_object_get(row, "out"));
        tc_fp12_mul(&r, &a, &b);
        assert_memory_equal(&r, &want, sizeof r);
        fp12_mul_ref(&r, &a, &b);
        assert_memory_equal(&r, &want, sizeof r);
        n++;
    }
    json_array_foreach(json_object_get(fv, "inv"), i, row) {
        tc_fp12 a, r, want;
        parse_fp12(&a, json_object_get(row, "a"));
        parse_fp12(&want, json_object_get(row, "out"));
        tc_fp12_inv_var(&r, &a);
        assert_memory_equal(&r, &want, sizeof r);
        /* decimal output round trip */
        char dec[12][80];
        const char *sp[12];
        tc_fp12_to_dec(dec, &r);
        for (int k = 0; k < 12; k++) {
            sp[k] = dec[k];
            assert_string_equal(dec[k], json_string_value(json_array_get(json_object_get(row, "out"), (size_t)k)));
        }
        assert_true(tc_fp12_from_dec(&a, sp));
        assert_memory_equal(&a, &r, sizeof r);
        n++;
    }
    assert_true(n >= 5);
}

/* ---------------------------------------------------- Fp6 properties */

static void test_fp6_properties(void **s)
{
    (void)s;
    for (int it = 0; it < 300; it++) {
        tc_fp6 a, b, c, r, t, u;
        random_fp6(&a);
        random_fp6(&b);
        random_fp6(&c);
        tc_fp6_mul(&r, &a, &b);
        fp6_mul_ref(&t, &a, &b);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp6_mul(&t, &b, &a);
        assert_true(tc_fp6_eq(&r, &t));
        /* distributivity */
        tc_fp6_add(&t, &b, &c);
        tc_fp6_mul(&r, &a, &t);
        tc_fp6_mul(&t, &a, &b);
        tc_fp6_mul(&u, &a, &c);
        tc_fp6_add(&t, &t, &u);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp6_sub(&r, &a, &b);
        tc_fp6_add(&r, &r, &b);
        assert_true(tc_fp6_eq(&r, &a));
        tc_fp6_neg(&r, &a);
        tc_fp6_add(&r, &r, &a);
        assert_true(tc_fp6_is_zero(&r));
        /* sqr, aliased */
        tc_fp6_mul(&t, &a, &a);
        r = a;
        tc_fp6_sqr(&r, &r);
        assert_true(tc_fp6_eq(&r, &t));
        /* sparse products against the full one */
        tc_fp6 v;
        tc_fp6_zero(&v);
        tc_fp2_one(&v.c1);
        tc_fp6_mul(&t, &a, &v);
        tc_fp6_mul_v(&r, &a);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp6 sb = b;
        tc_fp2_zero(&sb.c2);
        tc_fp6_mul(&t, &a, &sb);
        tc_fp6_mul_01(&r, &a, &b.c0, &b.c1);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp2_zero(&sb.c0);
        tc_fp6_mul(&t, &a, &sb);
        tc_fp6_mul_1(&r, &a, &b.c1);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp6_zero(&sb);
        sb.c0 = b.c0;
        tc_fp6_mul(&t, &a, &sb);
        tc_fp6_mul_fp2(&r, &a, &b.c0);
        assert_true(tc_fp6_eq(&r, &t));
        /* inverse */
        tc_fp6_inv_var(&r, &a);
        if (tc_fp6_is_zero(&a)) {
            assert_true(tc_fp6_is_zero(&r));
        } else {
            tc_fp6 one;
            tc_fp6_one(&one);
            tc_fp6_mul(&t, &r, &a);
            assert_true(tc_fp6_eq(&t, &one));
        }
        /* Frobenius: p-power map, and composition */
        if (it % 30 == 0) {
            tc_fp12 x, y;
            tc_fp12_zero(&x);
            x.c0 = a;
            tc_fp12_pow(&y, &x, P_LIMBS, 4);
            tc_fp6_frobenius(&r, &a, 1);
            assert_true(tc_fp6_eq(&r, &y.c0));
        }
        tc_fp6_frobenius(&r, &a, 1);
        tc_fp6_frobenius(&r, &r, 1);
        tc_fp6_frobenius(&t, &a, 2);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp6_frobenius(&r, &r, 1);
        tc_fp6_frobenius(&t, &a, 3);
        assert_true(tc_fp6_eq(&r, &t));
        tc_fp6_frobenius(&r, &t, 3);
        assert_true(tc_fp6_eq(&r, &a));      /* p⁶ is the identity on Fp6 */
    }
}

/* --------------------------------------------------- Fp12 properties */

static void test_fp12_properties(void **s)
{
    (void)s;
    for (int it = 0; it < 200; it++) {
        tc_fp12 a, b, c, r, t, u;
        random_fp12(&a);
        random_fp12(&b);
        random_fp12(&c);
        tc_fp12_mul(&r, &a, &b);
        fp12_mul_ref(&t, &a, &b);
        assert_true(tc_fp12_eq(&r, &t));
        tc_fp12_mul(&t, &b, &a);
        assert_true(tc_fp12_eq(&r, &t));
        /* associativity and distributivity */
        tc_fp12_mul(&r, &r, &c);
        tc_fp12_mul(&t, &b, &c);
        tc_fp12_mul(&t, &a, &t);
        assert_true(tc_fp12_eq(&r, &t));
        tc_fp12_add(&t, &b, &c);
        tc_fp12_mul(&r, &a, &t);
        tc_fp12_mul(&t, &a, &b);
        tc_fp12_mul(&u, &a, &c);
        tc_fp12_add(&t, &t, &u);
        assert_true(tc_fp12_eq(&r, &t));
        tc_fp12_sub(&r, &a, &b);
        tc_fp12_add(&r, &r, &b);
        assert_true(tc_fp12_eq(&r, &a));
        /* sqr, aliased */
        tc_fp12_mul(&t, &a, &a);
        r = a;
        tc_fp12_sqr(&r, &r);
        assert_true(tc_fp12_eq(&r, &t));
        /* inverse */
        tc_fp12_inv_var(&r, &a);
        if (tc_fp6_is_zero(&a.c0) && tc_fp6_is_zero(&a.c1)) {
            assert_true(tc_fp6_is_zero(&r.c0) && tc_fp6_is_zero(&r.c1));
        } else {
            tc_fp12_mul(&t, &r, &a);
            assert_true(tc_fp12_is_one(&t));
        }
        /* sparse line product */
        tc_fp12 l;
        tc_fp12_zero(&l);
        l.c0.c0 = b.c0.c0;
        l.c1.c0 = b.c1.c0;
        l.c1.c1 = b.c1.c1;
        tc_fp12_mul(&t, &a, &l);
        r = a;
        tc_fp12_mul_034(&r, &r, &b.c0.c0, &b.c1.c0, &b.c1.c1);
        assert_true(tc_fp12_eq(&r, &t));
        /* Frobenius: compositions, order 12, p⁶ is conjugation */
        tc_fp12_frobenius(&r, &a, 1);
        tc_fp12_frobenius(&r, &r, 1);
        tc_fp12_frobenius(&t, &a, 2);
        assert_true(tc_fp12_eq(&r, &t));
        tc_fp12_frobenius(&r, &r, 1);
        tc_fp12_frobenius(&t, &a, 3);
        assert_true(tc_fp12_eq(&r, &t));
        tc_fp12_frobenius(&r, &t, 3);
        tc_fp12_conj(&u, &a);
        tc_fp12_frobenius(&t, &a, 6);
        assert_true(tc_fp12_eq(&r, &u) && tc_fp12_eq(&t, &u));
        tc_fp12_frobenius(&r, &a, 12);
        assert_true(tc_fp12_eq(&r, &a));
        tc_fp12_frobenius(&r, &a, -1);           /* p^−1 = p^11 */
        tc_fp12_frobenius(&r, &r, 1);
        assert_true(tc_fp12_eq(&r, &a));
        tc_fp6_frobenius(&r.c0, &a.c0, -2);
        tc_fp6_frobenius(&r.c0, &r.c0, 2);
        assert_true(tc_fp6_eq(&r.c0, &a.c0));
        r = a;
        for (int k = 0; k < 12; k++)
            tc_fp12_frobenius(&r, &r, 1);
        assert_true(tc_fp12_eq(&r, &a));
        /* Frobenius is a ring homomorphism */
        tc_fp12_mul(&t, &a, &b);
        tc_fp12_frobenius(&t, &t, 1);
        tc_fp12_frobenius(&r, &a, 1);
        tc_fp12_frobenius(&u, &b, 1);
        tc_fp12_mul(&r, &r, &u);
        assert_true(tc_fp12_eq(&r, &t));
    }
}

/* a^(p^k) by exponentiation equals the Frobenius map, k = 1, 2, 3. */
static void test_fp12_frobenius_pow(void **s)
{
    (void)s;
    for (int k = 1; k <= 3; k++) {
        uint64_t e[12];
        p_power(e, k);
        tc_fp12 a, r, t;
        uniform_fp12(&a);
        tc_fp12_pow(&r, &a, e, (size_t)(4 * k));
        tc_fp12_frobenius(&t, &a, k);
        assert_true(tc_fp12_eq(&r, &t));
    }
}

/* Recomputes the hard-coded constants: γ_{k,i} = ξ^(i·(p^k − 1)/6). */
static void test_frobenius_constants(void **s)
{
    (void)s;
    tc_fp2 xi;
    tc_fp_from_u64(&xi.c0, 9);
    tc_fp_one(&xi.c1);
    for (int k = 1; k <= 3; k++) {
        uint64_t e[13] = {0};
        p_power(e, k);
        e[0] -= 1;                                  /* p^k is odd: no borrow */
        assert_int_equal(big_div_small(e, (size_t)(4 * k), 6), 0);
        tc_fp2 g1;
        tc_fp2_pow(&g1, &xi, e, (size_t)(4 * k));
        assert_true(tc_fp2_eq(&g1, &tc_frob_gamma[k - 1][0]));
        for (int i = 2; i <= 5; i++) {
            uint64_t ei[13], m = (uint64_t)i;
            big_mul(ei, e, (size_t)(4 * k), &m, 1);
            tc_fp2 g;
            tc_fp2_pow(&g, &xi, ei, (size_t)(4 * k + 1));
            assert_true(tc_fp2_eq(&g, &tc_frob_gamma[k - 1][i - 1]));
        }
    }
    /* k = 2: the constants lie in Fp */
    for (int i = 0; i < 5; i++)
        assert_true(tc_fp_is_zero(&tc_frob_gamma[1][i].c1));
}

/* f^((p⁶ − 1)(p² + 1)) lies in the cyclotomic subgroup. */
static void easy_part(tc_fp12 *r, const tc_fp12 *f)
{
    tc_fp12 t, inv;
    tc_fp12_conj(&t, f);
    tc_fp12_inv_var(&inv, f);
    tc_fp12_mul(&t, &t, &inv);
    tc_fp12_frobenius(r, &t, 2);
    tc_fp12_mul(r, r, &t);
}

static void test_cyclotomic(void **s)
{
    (void)s;
    for (int it = 0; it < 50; it++) {
        tc_fp12 f, g, r, t;
        uniform_fp12(&f);
        easy_part(&g, &f);
        /* in the subgroup, conjugation is inversion */
        tc_fp12_conj(&t, &g);
        tc_fp12_mul(&t, &t, &g);
        assert_true(tc_fp12_is_one(&t));
        tc_fp12_sqr(&t, &g);
        r = g;
        tc_fp12_cyclotomic_sqr(&r, &r);
        assert_true(tc_fp12_eq(&r, &t));
        uint64_t e = it == 0 ? 4965661367192848881ULL : tc_prng_next(&rng) >> (it % 64);
        if (it == 1)
            e = UINT64_MAX;
        if (it == 2)
            e = 0;
        if (it == 3)
            e = 1;
        tc_fp12_cyclotomic_pow_u64(&r, &g, e);
        tc_fp12_pow(&t, &g, &e, 1);
        assert_true(tc_fp12_eq(&r, &t));
        if (it == 0) {
            /* every small exponent: window edges of the signed digits */
            tc_fp12 acc;
            tc_fp12_one(&acc);
            for (uint64_t k = 0; k < 70; k++) {
                tc_fp12_cyclotomic_pow_u64(&r, &g, k);
                assert_true(tc_fp12_eq(&r, &acc));
                tc_fp12_mul(&acc, &acc, &g);
            }
        }
    }
}

int main(void)
{
    vectors = tu_load_json("vectors/bn254_basic.json");
    tc_prng_seed(&rng, tu_seed("test_tower"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp2_vectors),
        cmocka_unit_test(test_fp2_properties),
        cmocka_unit_test(test_fp12_vectors),
        cmocka_unit_test(test_fp6_properties),
        cmocka_unit_test(test_fp12_properties),
        cmocka_unit_test(test_fp12_frobenius_pow),
        cmocka_unit_test(test_frobenius_constants),
        cmocka_unit_test(test_cyclotomic),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
