/* The optimal ate pairing: known answers from the test vectors (including
 * values arkworks produced), bilinearity, non-degeneracy, infinity, and the
 * multi-Miller loop against single pairings.
 *
 * Points come from the vectors' affine coordinates or from a small
 * test-local decoder of the arkworks compressed form (rules in
 * vectors/README.md), and multiples from a test-local affine
 * double-and-add, so these tests do not depend on the curve or encoding
 * code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/pairing.h"

static json_t *vectors;
static tc_prng rng;

static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};
#define BN_X 4965661367192848881ULL

/* ------------------------------------------------------------- parsing */

static void parse_fp12(tc_fp12 *r, const json_t *arr)
{
    const char *s[12];
    assert_int_equal(json_array_size(arr), 12);
    for (int i = 0; i < 12; i++)
        s[i] = json_string_value(json_array_get(arr, (size_t)i));
    if (!tc_fp12_from_dec(r, s))
        fail_msg("cannot parse Fp12 element");
}

static void parse_fp2(tc_fp2 *r, const json_t *pair)
{
    const char *c0 = json_string_value(json_array_get(pair, 0));
    const char *c1 = json_string_value(json_array_get(pair, 1));
    if (c0 == NULL || c1 == NULL || !tc_fp2_from_dec(r, c0, c1))
        fail_msg("cannot parse Fp2 element");
}

static void twist_b(tc_fp2 *b)                      /* 3/ξ */
{
    tc_fp2 three = {{{0}}, {{0}}};
    tc_fp_from_u64(&b->c0, 9);
    tc_fp_one(&b->c1);
    tc_fp2_inv_var(b, b);
    tc_fp_from_u64(&three.c0, 3);
    tc_fp2_mul(b, b, &three);
}

static bool g1_on_curve(const tc_g1_affine *p)
{
    tc_fp l, r, three;
    tc_fp_sqr(&l, &p->y);
    tc_fp_sqr(&r, &p->x);
    tc_fp_mul(&r, &r, &p->x);
    tc_fp_from_u64(&three, 3);
    tc_fp_add(&r, &r, &three);
    return tc_fp_eq(&l, &r);
}

static bool g2_on_curve(const tc_g2_affine *q)
{
    tc_fp2 l, r, b;
    tc_fp2_sqr(&l, &q->y);
    tc_fp2_sqr(&r, &q->x);
    tc_fp2_mul(&r, &r, &q->x);
    twist_b(&b);
    tc_fp2_add(&r, &r, &b);
    return tc_fp2_eq(&l, &r);
}

/* arkworks compressed G1: x little-endian, bit 7 of byte 31 = "y > −y",
 * bit 6 = infinity. */
static void decode_g1(tc_g1_affine *p, const char *hex)
{
    uint8_t b[32];
    assert_true(tc_hex_decode(b, 32, hex));
    memset(p, 0, sizeof *p);
    if (b[31] & 0x40) {
        p->infinity = true;
        return;
    }
    bool larger = (b[31] & 0x80) != 0;
    b[31] &= 0x3f;
    assert_true(tc_fp_from_bytes(&p->x, b));
    tc_fp rhs, three;
    tc_fp_sqr(&rhs, &p->x);
    tc_fp_mul(&rhs, &rhs, &p->x);
    tc_fp_from_u64(&three, 3);
    tc_fp_add(&rhs, &rhs, &three);
    assert_true(tc_fp_sqrt_var(&p->y, &rhs));
    if (larger)
        tc_fp_neg(&p->y, &p->y);
}

static void decode_g2(tc_g2_affine *q, const char *hex)
{
    uint8_t b[64];
    assert_true(tc_hex_decode(b, 64, hex));
    memset(q, 0, sizeof *q);
    if (b[63] & 0x40) {
        q->infinity = true;
        return;
    }
    bool larger = (b[63] & 0x80) != 0;
    b[63] &= 0x3f;
    assert_true(tc_fp_from_bytes(&q->x.c0, b));
    assert_true(tc_fp_from_bytes(&q->x.c1, b + 32));
    tc_fp2 rhs, bb;
    tc_fp2_sqr(&rhs, &q->x);
    tc_fp2_mul(&rhs, &rhs, &q->x);
    twist_b(&bb);
    tc_fp2_add(&rhs, &rhs, &bb);
    assert_true(tc_fp2_sqrt_var(&q->y, &rhs));
    if (larger)
        tc_fp2_neg(&q->y, &q->y);
}

/* Affine coordinates {x, y} as in the vectors (Fp decimal or Fp2 pairs). */
static void parse_g1(tc_g1_affine *p, const json_t *o)
{
    memset(p, 0, sizeof *p);
    assert_true(tc_fp_from_dec(&p->x, tu_str(o, "x")));
    assert_true(tc_fp_from_dec(&p->y, tu_str(o, "y")));
    assert_true(g1_on_curve(p));
}

static void parse_g2(tc_g2_affine *q, const json_t *o)
{
    memset(q, 0, sizeof *q);
    parse_fp2(&q->x, json_object_get(o, "x"));
    parse_fp2(&q->y, json_object_get(o, "y"));
    assert_true(g2_on_curve(q));
}

/* ------------------------------------------- affine double-and-add (slow) */

static void g1_add_ref(tc_g1_affine *r, const tc_g1_affine *a, const tc_g1_affine *b)
{
    if (a->infinity) { *r = *b; return; }
    if (b->infinity) { *r = *a; return; }
    tc_fp lam, t, u;
    if (tc_fp_eq(&a->x, &b->x)) {
        tc_fp_add(&t, &a->y, &b->y);
        if (tc_fp_is_zero(&t)) {
            memset(r, 0, sizeof *r);
            r->infinity = true;
            return;
        }
        tc_fp_sqr(&lam, &a->x);                 /* 3x² / 2y */
        tc_fp_add(&u, &lam, &lam);
        tc_fp_add(&lam, &u, &lam);
        tc_fp_inv_var(&t, &t);
    } else {
        tc_fp_sub(&lam, &b->y, &a->y);
        tc_fp_sub(&t, &b->x, &a->x);
        tc_fp_inv_var(&t, &t);
    }
    tc_fp_mul(&lam, &lam, &t);
    tc_g1_affine s = {{{0}}, {{0}}, false};
    tc_fp_sqr(&s.x, &lam);
    tc_fp_sub(&s.x, &s.x, &a->x);
    tc_fp_sub(&s.x, &s.x, &b->x);
    tc_fp_sub(&u, &a->x, &s.x);
    tc_fp_mul(&s.y, &lam, &u);
    tc_fp_sub(&s.y, &s.y, &a->y);
    *r = s;
}

static void g2_add_ref(tc_g2_affine *r, const tc_g2_affine *a, const tc_g2_affine *b)
{
    if (a->infinity) { *r = *b; return; }
    if (b->infinity) { *r = *a; return; }
    tc_fp2 lam, t, u;
    if (tc_fp2_eq(&a->x, &b->x)) {
        tc_fp2_add(&t, &a->y, &b->y);
        if (tc_fp2_is_zero(&t)) {
            memset(r, 0, sizeof *r);
            r->infinity = true;
            return;
        }
        tc_fp2_sqr(&lam, &a->x);
        tc_fp2_add(&u, &lam, &lam);
        tc_fp2_add(&lam, &u, &lam);
        tc_fp2_inv_var(&t, &t);
    } else {
        tc_fp2_sub(&lam, &b->y, &a->y);
        tc_fp2_sub(&t, &b->x, &a->x);
        tc_fp2_inv_var(&t, &t);
    }
    tc_fp2_mul(&lam, &lam, &t);
    tc_g2_affine s;
    memset(&s, 0, sizeof s);
    tc_fp2_sqr(&s.x, &lam);
    tc_fp2_sub(&s.x, &s.x, &a->x);
    tc_fp2_sub(&s.x, &s.x, &b->x);
    tc_fp2_sub(&u, &a->x, &s.x);
    tc_fp2_mul(&s.y, &lam, &u);
    tc_fp2_sub(&s.y, &s.y, &a->y);
    *r = s;
}

static void g1_mul_ref(tc_g1_affine *r, const tc_g1_affine *a, const uint64_t k[4])
{
    tc_g1_affine acc;
    memset(&acc, 0, sizeof acc);
    acc.infinity = true;
    for (int i = 255; i >= 0; i--) {
        g1_add_ref(&acc, &acc, &acc);
        if ((k[i / 64] >> (i % 64)) & 1)
            g1_add_ref(&acc, &acc, a);
    }
    *r = acc;
}

static void g2_mul_ref(tc_g2_affine *r, const tc_g2_affine *a, const uint64_t k[4])
{
    tc_g2_affine acc;
    memset(&acc, 0, sizeof acc);
    acc.infinity = true;
    for (int i = 255; i >= 0; i--) {
        g2_add_ref(&acc, &acc, &acc);
        if ((k[i / 64] >> (i % 64)) & 1)
            g2_add_ref(&acc, &acc, a);
    }
    *r = acc;
}

static void generators(tc_g1_affine *g1, tc_g2_affine *g2)
{
    parse_g1(g1, json_object_get(json_object_get(vectors, "g1"), "generator"));
    parse_g2(g2, json_object_get(json_object_get(vectors, "g2"), "generator"));
}

/* A random canonical scalar below r. */
static void random_scalar(uint64_t k[4])
{
    do {
        for (int i = 0; i < 4; i++)
            k[i] = tc_prng_next(&rng);
        k[3] &= (1ULL << 62) - 1;
    } while (tc_limbs_geq(k, R_LIMBS));
}

/* -------------------------------------------------------- known answers */

static void test_prepared_shape(void **s)
{
    (void)s;
    /* 6x + 2 in NAF: 66 digits, 22 nonzero: 65 + 21 + 2 lines. */
    tc_u128 n = (tc_u128)BN_X * 6 + 2;
    int digits = 0, nonzero = 0;
    while (n > 0) {
        if (n & 1) {
            int d = 2 - (int)(n & 3);
            n = d > 0 ? n - 1 : n + 1;
            nonzero++;
        }
        n >>= 1;
        digits++;
    }
    assert_int_equal(TC_PAIRING_LINES, (digits - 1) + (nonzero - 1) + 2);
    /* every line of a real point is used: the last one is nonzero */
    tc_g1_affine g1;
    tc_g2_affine g2;
    generators(&g1, &g2);
    tc_g2_prepared prep;
    tc_g2_prepare(&prep, &g2);
    assert_false(prep.infinity);
    for (int i = 0; i < TC_PAIRING_LINES; i++)
        assert_false(tc_fp2_is_zero(&prep.ell[i][0]));
}

static void test_e_g1_g2(void **s)
{
    (void)s;
    json_t *pv = json_object_get(vectors, "pairing");
    json_t *e = json_object_get(pv, "e_g1_g2");
    tc_fp12 want, exact, got, t;
    parse_fp12(&want, json_object_get(e, "arkworks_noble"));
    parse_fp12(&exact, json_object_get(e, "exact"));
    tc_g1_affine g1;
    tc_g2_affine g2;
    generators(&g1, &g2);
    tc_pairing(&got, &g1, &g2);
    assert_true(tc_fp12_eq(&got, &want));
    /* our convention is exact^m, m = 2x(6x² + 3x + 1) = fkr_power */
    uint64_t m[4];
    assert_true(tc_limbs_from_dec(m, tu_str(pv, "fkr_power")));
    tc_u128 x = BN_X;
    tc_u128 inner = (tc_u128)6 * x * x + 3 * x + 1;      /* < 2^128 */
    uint64_t wantm[4] = {0, 0, 0, 0};
    /* 2x·inner as 4 limbs */
    tc_u128 lo = (tc_u128)(uint64_t)inner * (2 * x);
    tc_u128 hi = (tc_u128)(uint64_t)(inner >> 64) * (2 * x);
    wantm[0] = (uint64_t)lo;
    tc_u128 mid = (lo >> 64) + (uint64_t)hi;
    wantm[1] = (uint64_t)mid;
    wantm[2] = (uint64_t)((mid >> 64) + (hi >> 64));
    assert_memory_equal(m, wantm, sizeof m);
    tc_fp12_pow(&t, &exact, m, 4);
    assert_true(tc_fp12_eq(&t, &want));
    /* the Miller loop followed by the final exponentiation, explicitly */
    tc_g2_prepared prep;
    tc_g2_prepare(&prep, &g2);
    tc_miller_loop(&t, &g1, &prep, 1);
    tc_final_exp(&t, &t);
    assert_true(tc_fp12_eq(&t, &want));
}

static void test_bilinearity_vectors(void **s)
{
    (void)s;
    json_t *rows = json_object_get(json_object_get(vectors, "pairing"), "bilinearity");
    tc_g1_affine g1;
    tc_g2_affine g2;
    generators(&g1, &g2);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        tc_g1_affine ag1, abg1;
        tc_g2_affine bg2, abg2;
        decode_g1(&ag1, tu_str(row, "aG1"));
        decode_g1(&abg1, tu_str(row, "abG1"));
        decode_g2(&bg2, tu_str(row, "bG2"));
        decode_g2(&abg2, tu_str(row, "abG2"));
        tc_fp12 want, r1, r2, r3;
        parse_fp12(&want, json_object_get(json_object_get(row, "e_aG1_bG2"), "arkworks_noble"));
        tc_pairing(&r1, &ag1, &bg2);
        tc_pairing(&r2, &abg1, &g2);
        tc_pairing(&r3, &g1, &abg2);
        assert_true(tc_fp12_eq(&r1, &want));
        assert_true(tc_fp12_eq(&r2, &want));
        assert_true(tc_fp12_eq(&r3, &want));
    }
    assert_true(i > 0);
}

static void test_product_checks(void **s)
{
    (void)s;
    json_t *rows = json_object_get(json_object_get(vectors, "pairing"), "product_checks");
    size_t i, yes = 0, no = 0;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *pairs = json_object_get(row, "pairs");
        size_t k = json_array_size(pairs);
        assert_true(k > 0 && k <= 8);
        tc_g1_affine p[8];
        static tc_g2_prepared q[8];
        for (size_t j = 0; j < k; j++) {
            json_t *pr = json_array_get(pairs, j);
            tc_g2_affine q2;
            decode_g1(&p[j], tu_str(pr, "g1"));
            decode_g2(&q2, tu_str(pr, "g2"));
            tc_g2_prepare(&q[j], &q2);
        }
        bool want = json_is_true(json_object_get(row, "product_is_one"));
        assert_int_equal(tc_pairing_product_is_one(p, q, k), want);
        if (want)
            yes++;
        else
            no++;
    }
    assert_true(yes > 0 && no > 0);
}

/* Values produced by arkworks itself (a Sui Groth16 test). */
static void test_arkworks_produced(void **s)
{
    (void)s;
    json_t *av = json_object_get(vectors, "arkworks_produced");
    tc_g1_affine alpha, alpha_dec;
    tc_g2_affine beta, beta_dec;
    parse_g1(&alpha, json_object_get(av, "vk_alpha_g1"));
    parse_g2(&beta, json_object_get(av, "vk_beta_g2"));
    /* the test decoder agrees with the coordinates given */
    decode_g1(&alpha_dec, tu_str(json_object_get(av, "vk_alpha_g1"), "compressed"));
    decode_g2(&beta_dec, tu_str(json_object_get(av, "vk_beta_g2"), "compressed"));
    assert_memory_equal(&alpha, &alpha_dec, sizeof alpha);
    assert_memory_equal(&beta, &beta_dec, sizeof beta);

    tc_fp12 want, got;
    parse_fp12(&want, json_object_get(av, "e_alpha_beta_arkworks"));
    tc_pairing(&got, &alpha, &beta);
    assert_true(tc_fp12_eq(&got, &want));
    /* arkworks' byte serialization: 12 coefficients, 32 bytes LE each */
    uint8_t bytes[384], wantb[384];
    assert_true(tc_hex_decode(wantb, sizeof wantb, tu_str(av, "e_alpha_beta_arkworks_bytes")));
    const tc_fp *c = (const tc_fp *)&got;
    for (int i = 0; i < 12; i++)
        tc_fp_to_bytes(bytes + 32 * i, &c[i]);
    assert_memory_equal(bytes, wantb, sizeof bytes);

    /* Groth16: e(A, B)·e(IC, −γ)·e(C, −δ) equals the given GT value */
    json_t *gp = json_object_get(av, "groth16_product");
    json_t *pairs = json_object_get(gp, "pairs");
    size_t k = json_array_size(pairs);
    assert_int_equal(k, 3);
    tc_g1_affine p[4];
    static tc_g2_prepared q[4];
    for (size_t j = 0; j < k; j++) {
        tc_g2_affine q2;
        decode_g1(&p[j], tu_str(json_array_get(pairs, j), "g1"));
        decode_g2(&q2, tu_str(json_array_get(pairs, j), "g2"));
        tc_g2_prepare(&q[j], &q2);
    }
    parse_fp12(&want, json_object_get(gp, "product_arkworks"));
    tc_miller_loop(&got, p, q, k);
    tc_final_exp(&got, &got);
    assert_true(tc_fp12_eq(&got, &want));
    assert_false(tc_pairing_product_is_one(p, q, k));
    /* a fourth pair (−α, β) divides by e(α, β) (the given value differs
     * from e(α, β), so the product is not 1) */
    tc_fp12 ab, quot;
    parse_fp12(&ab, json_object_get(av, "e_alpha_beta_arkworks"));
    p[3] = alpha;
    tc_fp_neg(&p[3].y, &alpha.y);
    tc_g2_prepare(&q[3], &beta);
    tc_miller_loop(&got, p, q, 4);
    tc_final_exp(&got, &got);
    tc_fp12_conj(&quot, &ab);                 /* GT inverse */
    tc_fp12_mul(&quot, &quot, &want);
    assert_true(tc_fp12_eq(&got, &quot));
    assert_int_equal(tc_pairing_product_is_one(p, q, 4), tc_fp12_eq(&want, &ab));
}

/* ------------------------------------------------------------ properties */

static void test_bilinearity_random(void **s)
{
    (void)s;
    tc_g1_affine g1;
    tc_g2_affine g2;
    generators(&g1, &g2);
    tc_fp12 base;
    tc_pairing(&base, &g1, &g2);
    for (int it = 0; it < 3; it++) {
        uint64_t a[4], b[4], ab[4];
        random_scalar(a);
        random_scalar(b);
        if (it == 0) {                         /* edges: 1 and r − 1 */
            memset(a, 0, sizeof a);
            a[0] = 1;
            memcpy(b, R_LIMBS, sizeof b);
            b[0] -= 1;
        }
        tc_fr fa, fb, fab;
        assert_true(tc_fr_from_limbs(&fa, a));
        assert_true(tc_fr_from_limbs(&fb, b));
        tc_fr_mul(&fab, &fa, &fb);
        tc_fr_to_limbs(ab, &fab);
        tc_g1_affine ap;
        tc_g2_affine bq;
        g1_mul_ref(&ap, &g1, a);
        g2_mul_ref(&bq, &g2, b);
        tc_fp12 l, r;
        tc_pairing(&l, &ap, &bq);
        tc_fp12_pow(&r, &base, ab, 4);
        assert_true(tc_fp12_eq(&l, &r));
        /* e(aP, Q)·e(P, −aQ)... as a product check with prepared points */
        tc_g2_affine aq, neg;
        g2_mul_ref(&aq, &g2, a);
        neg = aq;
        tc_fp2_neg(&neg.y, &neg.y);
        tc_g1_affine pp[2] = {ap, g1};
        static tc_g2_prepared qq[2];
        tc_g2_prepare(&qq[0], &g2);
        tc_g2_prepare(&qq[1], &neg);
        assert_true(tc_pairing_product_is_one(pp, qq, 2));
        tc_g2_prepare(&qq[1], &aq);
        assert_false(tc_pairing_product_is_one(pp, qq, 2));
    }
}

static void test_non_degenerate_and_order(void **s)
{
    (void)s;
    tc_g1_affine g1;
    tc_g2_affine g2;
    generators(&g1, &g2);
    tc_fp12 e, t;
    tc_pairing(&e, &g1, &g2);
    assert_false(tc_fp12_is_one(&e));
    tc_fp12_pow(&t, &e, R_LIMBS, 4);         /* e^r = 1 */
    assert_true(tc_fp12_is_one(&t));
    /* GT is in the cyclotomic subgroup: conjugate = inverse */
    tc_fp12_conj(&t, &e);
    tc_fp12_mul(&t, &t, &e);
    assert_true(tc_fp12_is_one(&t));
}

static void test_infinity(void **s)
{
    (void)s;
    tc_g1_affine g1, inf1;
    tc_g2_affine g2, inf2;
    generators(&g1, &g2);
    memset(&inf1, 0, sizeof inf1);
    inf1.infinity = true;
    memset(&inf2, 0, sizeof inf2);
    inf2.infinity = true;
    tc_fp12 r;
    tc_pairing(&r, &inf1, &g2);
    assert_true(tc_fp12_is_one(&r));
    tc_pairing(&r, &g1, &inf2);
    assert_true(tc_fp12_is_one(&r));
    tc_pairing(&r, &inf1, &inf2);
    assert_true(tc_fp12_is_one(&r));
    assert_true(tc_pairing_product_is_one(NULL, NULL, 0));
    /* an infinity term does not change a product */
    static tc_g2_prepared q[3];
    tc_g2_affine neg = g2;
    tc_fp2_neg(&neg.y, &neg.y);
    tc_g2_prepare(&q[0], &g2);
    tc_g2_prepare(&q[1], &inf2);
    tc_g2_prepare(&q[2], &neg);
    tc_g1_affine p[3] = {g1, g1, g1};
    assert_true(tc_pairing_product_is_one(p, q, 3));
    tc_g2_prepare(&q[1], &g2);
    p[1] = inf1;
    assert_true(tc_pairing_product_is_one(p, q, 3));
    p[1] = g1;
    assert_false(tc_pairing_product_is_one(p, q, 3));
}

/* The multi-Miller loop equals the product of single pairings. */
static void test_multi_miller(void **s)
{
    (void)s;
    json_t *sm1 = json_object_get(json_object_get(vectors, "g1"), "scalar_mul");
    json_t *sm2 = json_object_get(json_object_get(vectors, "g2"), "scalar_mul");
    enum { K = 5 };
    tc_g1_affine p[K];
    static tc_g2_prepared q[K];
    tc_fp12 prod, e, got;
    tc_fp12_one(&prod);
    size_t n1 = json_array_size(sm1), n2 = json_array_size(sm2);
    for (int j = 0; j < K; j++) {
        json_t *a = json_object_get(json_array_get(sm1, tc_prng_below(&rng, n1)), "point");
        json_t *b = json_object_get(json_array_get(sm2, tc_prng_below(&rng, n2)), "point");
        tc_g2_affine q2;
        if (json_is_true(json_object_get(a, "infinity"))) {
            memset(&p[j], 0, sizeof p[j]);
            p[j].infinity = true;
        } else {
            parse_g1(&p[j], a);
        }
        if (json_is_true(json_object_get(b, "infinity"))) {
            memset(&q2, 0, sizeof q2);
            q2.infinity = true;
        } else {
            parse_g2(&q2, b);
        }
        tc_g2_prepare(&q[j], &q2);
        tc_pairing(&e, &p[j], &q2);
        tc_fp12_mul(&prod, &prod, &e);
    }
    tc_miller_loop(&got, p, q, K);
    tc_final_exp(&got, &got);
    assert_true(tc_fp12_eq(&got, &prod));
}

int main(void)
{
    vectors = tu_load_json("vectors/bn254_basic.json");
    tc_prng_seed(&rng, tu_seed("test_pairing"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepared_shape),
        cmocka_unit_test(test_e_g1_g2),
        cmocka_unit_test(test_bilinearity_vectors),
        cmocka_unit_test(test_product_checks),
        cmocka_unit_test(test_arkworks_produced),
        cmocka_unit_test(test_bilinearity_random),
        cmocka_unit_test(test_non_degenerate_and_order),
        cmocka_unit_test(test_infinity),
        cmocka_unit_test(test_multi_miller),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
