/* G1 and G2: known answers from the test vectors (coordinates and
 * compressed bytes), the constants checked against their definitions, and
 * group-law properties on edge-biased random points and scalars, with the
 * endomorphism scalar multiplication checked against double-and-add. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/curve.h"
#include "ec/curve_scalar.h"
#include "ec/encoding.h"

static json_t *vectors;
static tc_prng rng;

/* BN parameter x and the endomorphism eigenvalues (decimal). */
#define BN_X "4965661367192848881"
#define LAMBDA "4407920970296243842393367215006156084916469457145843978461"
#define MU "147946756881789318990833708069417712966" /* 6x² */
/* the G2 cofactor 2p − r, split at bit 128 */
#define COFACTOR_HI "64323764613183177041862057485226039390"
#define COFACTOR_LO "9049785074949702907797701415738669709"
#define BETA "2203960485148121921418603742825762020974279258880205651966"

/* --------------------------------------------------------------- parsing */

static void parse_fp(tc_fp *r, const char *s)
{
    if (!tc_fp_from_dec(r, s))
        fail_msg("cannot parse Fp '%s'", s);
}

static void parse_fr(tc_fr *r, const char *s)
{
    if (!tc_fr_from_dec(r, s))
        fail_msg("cannot parse Fr '%s'", s);
}

static void parse_fp2(tc_fp2 *r, const json_t *arr)
{
    const char *c0 = json_string_value(json_array_get(arr, 0));
    const char *c1 = json_string_value(json_array_get(arr, 1));
    if (c0 == NULL || c1 == NULL || !tc_fp2_from_dec(r, c0, c1))
        fail_msg("cannot parse Fp2");
}

static bool is_inf(const json_t *pt) { return json_is_true(json_object_get(pt, "infinity")); }

static void g1_from_json(tc_g1_affine *r, const json_t *pt)
{
    *r = (tc_g1_affine){.infinity = true};
    if (is_inf(pt))
        return;
    parse_fp(&r->x, tu_str(pt, "x"));
    parse_fp(&r->y, tu_str(pt, "y"));
    r->infinity = false;
}

static void g2_from_json(tc_g2_affine *r, const json_t *pt)
{
    *r = (tc_g2_affine){.infinity = true};
    if (is_inf(pt))
        return;
    parse_fp2(&r->x, json_object_get(pt, "x"));
    parse_fp2(&r->y, json_object_get(pt, "y"));
    r->infinity = false;
}

static void hex_bytes(uint8_t *out, size_t len, const char *hex)
{
    if (strlen(hex) != 2 * len || !tc_hex_decode(out, len, hex))
        fail_msg("bad hex of %zu bytes: %s", len, hex);
}

/* --------------------------------------------- checks against a vector point */

static void check_g1(const tc_g1 *got, const json_t *want)
{
    tc_g1_affine a, w;
    tc_g1_to_affine(&a, got);
    g1_from_json(&w, want);
    assert_true(tc_g1_affine_eq(&a, &w));
    uint8_t enc[TC_G1_BYTES], ref[TC_G1_BYTES];
    tc_g1_to_bytes(enc, &a);
    hex_bytes(ref, sizeof ref, tu_str(want, "compressed"));
    assert_memory_equal(enc, ref, sizeof enc);
    tc_g1_affine d;
    assert_int_equal(tc_g1_decode(&d, ref), TC_POINT_OK);
    assert_true(tc_g1_affine_eq(&d, &w));
}

static void check_g2(const tc_g2 *got, const json_t *want)
{
    tc_g2_affine a, w;
    tc_g2_to_affine(&a, got);
    g2_from_json(&w, want);
    assert_true(tc_g2_affine_eq(&a, &w));
    uint8_t enc[TC_G2_BYTES], ref[TC_G2_BYTES];
    tc_g2_to_bytes(enc, &a);
    hex_bytes(ref, sizeof ref, tu_str(want, "compressed"));
    assert_memory_equal(enc, ref, sizeof enc);
    tc_g2_affine d;
    assert_int_equal(tc_g2_decode(&d, ref), TC_POINT_OK);
    assert_true(tc_g2_affine_eq(&d, &w));
}

/* ------------------------------------------------------------- constants */

static void test_generators(void **s)
{
    (void)s;
    json_t *v1 = json_object_get(vectors, "g1"), *v2 = json_object_get(vectors, "g2");
    tc_g1 g1;
    tc_g1_generator(&g1);
    check_g1(&g1, json_object_get(v1, "generator"));
    tc_g2 g2;
    tc_g2_generator(&g2);
    check_g2(&g2, json_object_get(v2, "generator"));
    tc_g1_affine a1;
    tc_g1_affine_generator(&a1);
    assert_true(tc_g1_affine_is_on_curve(&a1));
    tc_g2_affine a2;
    tc_g2_affine_generator(&a2);
    assert_true(tc_g2_affine_is_on_curve(&a2));
    assert_true(tc_g2_affine_in_subgroup(&a2));
    assert_true(tc_g2_affine_in_subgroup_ref(&a2));
    /* b' = 3/(9 + u) against the vectors, and b'·(9 + u) = 3 */
    tc_fp2 b, want, t, three;
    tc_g2_twist_b(&b);
    parse_fp2(&want, json_object_get(v2, "twist_b"));
    assert_true(tc_fp2_eq(&b, &want));
    tc_fp2_mul_xi(&t, &b);
    tc_fp2_zero(&three);
    tc_fp_from_u64(&three.c0, 3);
    assert_true(tc_fp2_eq(&t, &three));
}

/* β³ = 1 ≠ β; φ(G) = [λ]G; ψ(G2) = [6x²]G2; λ and 6x² as polynomials in x. */
static void test_endomorphisms(void **s)
{
    (void)s;
    tc_fp beta, t;
    parse_fp(&beta, BETA);
    assert_false(tc_fp_is_one(&beta));
    tc_fp_sqr(&t, &beta);
    tc_fp_mul(&t, &t, &beta);
    assert_true(tc_fp_is_one(&t));

    tc_fr x, lam, mu, e, acc;
    parse_fr(&x, BN_X);
    parse_fr(&lam, LAMBDA);
    parse_fr(&mu, MU);
    /* λ = 36x³ + 18x² + 6x + 1, μ = 6x², and λ² + λ + 1 = 0 */
    tc_fr c;
    tc_fr_from_u64(&acc, 36);
    tc_fr_mul(&acc, &acc, &x);
    tc_fr_from_u64(&c, 18);
    tc_fr_add(&acc, &acc, &c);
    tc_fr_mul(&acc, &acc, &x);
    tc_fr_from_u64(&c, 6);
    tc_fr_add(&acc, &acc, &c);
    tc_fr_mul(&acc, &acc, &x);
    tc_fr_from_u64(&c, 1);
    tc_fr_add(&acc, &acc, &c);
    assert_true(tc_fr_eq(&acc, &lam));
    tc_fr_sqr(&e, &x);
    tc_fr_from_u64(&c, 6);
    tc_fr_mul(&e, &e, &c);
    assert_true(tc_fr_eq(&e, &mu));
    tc_fr_sqr(&e, &lam);
    tc_fr_add(&e, &e, &lam);
    tc_fr_from_u64(&c, 1);
    tc_fr_add(&e, &e, &c);
    assert_true(tc_fr_is_zero(&e));

    tc_g1 g, want, got;
    tc_g1_affine ga, phi;
    tc_g1_generator(&g);
    tc_g1_affine_generator(&ga);
    tc_g1_endo(&phi, &ga);
    tc_fp_mul(&t, &ga.x, &beta);
    assert_true(tc_fp_eq(&phi.x, &t));
    tc_g1_mul_ref(&want, &g, &lam);
    tc_g1_from_affine(&got, &phi);
    assert_true(tc_g1_eq(&got, &want));

    tc_g2 q, w2, g2;
    tc_g2_affine qa, psi, psi2;
    tc_g2_generator(&q);
    tc_g2_affine_generator(&qa);
    tc_g2_endo(&psi, &qa);
    tc_g2_mul_ref(&w2, &q, &mu);
    tc_g2_from_affine(&g2, &psi);
    assert_true(tc_g2_eq(&g2, &w2));
    /* ψ² = [μ²] and ψ⁴ − ψ² + 1 = 0 on G2 (Φ12(μ) ≡ 0 mod r) */
    tc_g2_endo(&psi2, &psi);
    tc_fr_sqr(&e, &mu);
    tc_g2_mul_ref(&w2, &q, &e);
    tc_g2_from_affine(&g2, &psi2);
    assert_true(tc_g2_eq(&g2, &w2));
    tc_fr m2, m4;
    tc_fr_sqr(&m2, &mu);
    tc_fr_sqr(&m4, &m2);
    tc_fr_sub(&e, &m4, &m2);
    tc_fr_add(&e, &e, &c);
    assert_true(tc_fr_is_zero(&e));
}

/* ---------------------------------------------------------- vector rows */

static void test_g1_vectors(void **s)
{
    (void)s;
    json_t *v = json_object_get(vectors, "g1"), *row;
    size_t i;
    tc_g1 g;
    tc_g1_generator(&g);
    json_t *rows = json_object_get(v, "scalar_mul");
    assert_int_equal(json_array_size(rows), 21);
    json_array_foreach(rows, i, row) {
        tc_fr k;
        tc_g1 r;
        parse_fr(&k, tu_str(row, "k"));
        tc_g1_mul_var(&r, &g, &k);
        check_g1(&r, json_object_get(row, "point"));
        tc_g1_mul_ref(&r, &g, &k);
        check_g1(&r, json_object_get(row, "point"));
    }
    rows = json_object_get(v, "add");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g1_affine a, b;
        tc_g1 pa, pb, r;
        g1_from_json(&a, json_object_get(row, "a"));
        g1_from_json(&b, json_object_get(row, "b"));
        tc_g1_from_affine(&pa, &a);
        tc_g1_from_affine(&pb, &b);
        tc_g1_add(&r, &pa, &pb);
        check_g1(&r, json_object_get(row, "out"));
        tc_g1_add(&r, &pb, &pa);
        check_g1(&r, json_object_get(row, "out"));
        tc_g1_add_affine(&r, &pa, &b);
        check_g1(&r, json_object_get(row, "out"));
        tc_g1_add_affine(&r, &pb, &a);
        check_g1(&r, json_object_get(row, "out"));
    }
    rows = json_object_get(v, "double");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g1_affine a;
        tc_g1 pa, r;
        g1_from_json(&a, json_object_get(row, "a"));
        tc_g1_from_affine(&pa, &a);
        tc_g1_dbl(&r, &pa);
        check_g1(&r, json_object_get(row, "out"));
    }
    rows = json_object_get(v, "negate");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g1_affine a, na;
        tc_g1 pa, r;
        g1_from_json(&a, json_object_get(row, "a"));
        tc_g1_from_affine(&pa, &a);
        tc_g1_neg(&r, &pa);
        check_g1(&r, json_object_get(row, "out"));
        tc_g1_affine_neg(&na, &a);
        tc_g1_from_affine(&r, &na);
        check_g1(&r, json_object_get(row, "out"));
    }
}

static void test_g2_vectors(void **s)
{
    (void)s;
    json_t *v = json_object_get(vectors, "g2"), *row;
    size_t i;
    tc_g2 g;
    tc_g2_generator(&g);
    json_t *rows = json_object_get(v, "scalar_mul");
    assert_int_equal(json_array_size(rows), 21);
    json_array_foreach(rows, i, row) {
        tc_fr k;
        tc_g2 r;
        parse_fr(&k, tu_str(row, "k"));
        tc_g2_mul_var(&r, &g, &k);
        check_g2(&r, json_object_get(row, "point"));
        tc_g2_mul_ref(&r, &g, &k);
        check_g2(&r, json_object_get(row, "point"));
    }
    rows = json_object_get(v, "add");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g2_affine a, b;
        tc_g2 pa, pb, r;
        g2_from_json(&a, json_object_get(row, "a"));
        g2_from_json(&b, json_object_get(row, "b"));
        tc_g2_from_affine(&pa, &a);
        tc_g2_from_affine(&pb, &b);
        tc_g2_add(&r, &pa, &pb);
        check_g2(&r, json_object_get(row, "out"));
        tc_g2_add(&r, &pb, &pa);
        check_g2(&r, json_object_get(row, "out"));
        tc_g2_add_affine(&r, &pa, &b);
        check_g2(&r, json_object_get(row, "out"));
        tc_g2_add_affine(&r, &pb, &a);
        check_g2(&r, json_object_get(row, "out"));
    }
    rows = json_object_get(v, "double");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g2_affine a;
        tc_g2 pa, r;
        g2_from_json(&a, json_object_get(row, "a"));
        tc_g2_from_affine(&pa, &a);
        tc_g2_dbl(&r, &pa);
        check_g2(&r, json_object_get(row, "out"));
    }
    rows = json_object_get(v, "negate");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g2_affine a, na;
        tc_g2 pa, r;
        g2_from_json(&a, json_object_get(row, "a"));
        tc_g2_from_affine(&pa, &a);
        tc_g2_neg(&r, &pa);
        check_g2(&r, json_object_get(row, "out"));
        tc_g2_affine_neg(&na, &a);
        tc_g2_from_affine(&r, &na);
        check_g2(&r, json_object_get(row, "out"));
    }
}

/* Every listed point is on the twist, outside G2, and rejected. */
static void test_g2_non_subgroup(void **s)
{
    (void)s;
    json_t *rows = json_object_get(vectors, "g2_non_subgroup_points"), *row;
    size_t i;
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g2_affine p, d;
        p.infinity = false;
        parse_fp2(&p.x, json_object_get(row, "x"));
        parse_fp2(&p.y, json_object_get(row, "y"));
        assert_true(tc_g2_affine_is_on_curve(&p));
        assert_false(tc_g2_affine_in_subgroup(&p));
        assert_false(tc_g2_affine_in_subgroup_ref(&p));
        /* …and r·P ≠ O by the reference: (r − 1)·P + P */
        tc_fr k;
        tc_fr_from_i64(&k, -1);
        tc_g2 jp, t;
        tc_g2_from_affine(&jp, &p);
        tc_g2_mul_ref(&t, &jp, &k);
        tc_g2_add(&t, &t, &jp);
        assert_false(tc_g2_is_infinity(&t));
        uint8_t enc[TC_G2_BYTES], unc[TC_G2_UNCOMPRESSED_BYTES];
        tc_g2_to_bytes(enc, &p);
        assert_int_equal(tc_g2_decode(&d, enc), TC_POINT_NOT_IN_SUBGROUP);
        tc_g2_to_bytes_uncompressed(unc, &p);
        assert_int_equal(tc_g2_decode_uncompressed(&d, unc), TC_POINT_NOT_IN_SUBGROUP);
        tc_g2_affine np;
        tc_g2_affine_neg(&np, &p);
        assert_false(tc_g2_affine_in_subgroup(&np));
    }
}

/* ------------------------------------------------------------ properties */

/* A scalar biased to edges: 0, 1, 2, r−1, r−2, (r±1)/2, λ, μ, powers of
 * two, small values, or uniform. */
static void random_scalar(tc_fr *k)
{
    uint8_t wide[64];
    switch (tc_prng_below(&rng, 10)) {
    case 0: tc_fr_from_u64(k, tc_prng_below(&rng, 3)); return;
    case 1: tc_fr_from_i64(k, -1 - (int64_t)tc_prng_below(&rng, 2)); return;
    case 2: {
        tc_fr two, inv2;
        tc_fr_from_u64(&two, 2);
        tc_fr_inv_var(&inv2, &two);      /* (r + 1)/2 */
        tc_fr_from_i64(k, tc_prng_below(&rng, 2) ? 0 : -1);
        tc_fr_add(k, k, &inv2);      /* or (r − 1)/2 */
        return;
    }
    case 3: parse_fr(k, tc_prng_below(&rng, 2) ? LAMBDA : MU); return;
    case 4: {
        uint64_t v[4] = {0, 0, 0, 0};
        unsigned b = (unsigned)tc_prng_below(&rng, 254);
        v[b / 64] = 1ULL << (b % 64);
        if (!tc_fr_from_limbs(k, v))
            fail();
        return;
    }
    case 5: tc_fr_from_u64(k, tc_prng_next(&rng) >> tc_prng_below(&rng, 64)); return;
    default:
        for (int i = 0; i < 8; i++) {
            uint64_t w = tc_prng_next(&rng);
            memcpy(wide + 8 * i, &w, 8);
        }
        tc_fr_from_bytes_wide(k, wide);
    }
}

/* The decomposition reconstructs k: Σ ±mag_i·μ^i ≡ k, within the bounds. */
static void check_decompose(const tc_fr *k)
{
    uint64_t m1[2][4], m2[4][4];
    bool n1[2], n2[4];
    tc_fr lam, mu, acc, t, pw;
    parse_fr(&lam, LAMBDA);
    parse_fr(&mu, MU);
    tc_g1_decompose(m1, n1, k);
    tc_fr_zero(&acc);
    tc_fr_one(&pw);
    for (int i = 0; i < 2; i++) {
        assert_true(m1[i][2] == 0 && m1[i][3] == 0);  /* < 2^128 */
        assert_true(tc_fr_from_limbs(&t, m1[i]));
        if (n1[i])
            tc_fr_neg(&t, &t);
        tc_fr_mul(&t, &t, &pw);
        tc_fr_add(&acc, &acc, &t);
        tc_fr_mul(&pw, &pw, &lam);
    }
    assert_true(tc_fr_eq(&acc, k));
    tc_g2_decompose(m2, n2, k);
    tc_fr_zero(&acc);
    tc_fr_one(&pw);
    for (int i = 0; i < 4; i++) {
        assert_true(m2[i][1] < 4 && m2[i][2] == 0 && m2[i][3] == 0);  /* < 2^66 */
        assert_true(tc_fr_from_limbs(&t, m2[i]));
        if (n2[i])
            tc_fr_neg(&t, &t);
        tc_fr_mul(&t, &t, &pw);
        tc_fr_add(&acc, &acc, &t);
        tc_fr_mul(&pw, &pw, &mu);
    }
    assert_true(tc_fr_eq(&acc, k));
}

static void test_decompose(void **s)
{
    (void)s;
    for (int it = 0; it < 2000; it++) {
        tc_fr k;
        random_scalar(&k);
        check_decompose(&k);
    }
}

/* The w-NAF digits reconstruct the integer and respect the digit rules. */
static void test_wnaf(void **s)
{
    (void)s;
    for (int it = 0; it < 500; it++) {
        tc_fr k;
        random_scalar(&k);
        uint64_t v[4];
        tc_fr_to_limbs(v, &k);
        int w = 2 + (int)tc_prng_below(&rng, 5);
        int8_t d[TC_WNAF_MAX_DIGITS];
        size_t n = tc_ec_wnaf(d, sizeof d, v, w);
        tc_fr acc, two, t;
        tc_fr_zero(&acc);
        tc_fr_from_u64(&two, 2);
        size_t last = 0;
        for (size_t i = n; i-- > 0;) {
            tc_fr_mul(&acc, &acc, &two);
            tc_fr_from_i64(&t, d[i]);
            tc_fr_add(&acc, &acc, &t);
            if (d[i] != 0) {
                assert_true(d[i] & 1);
                assert_true(d[i] < (1 << (w - 1)) && d[i] > -(1 << (w - 1)));
                if (last != 0)
                    assert_true(last - i >= (size_t)w);
                last = i;
            }
        }
        assert_true(tc_fr_eq(&acc, &k));
    }
}

/* Group-law properties, written once over an operations table and run for
 * G1 and G2.  Points are opaque buffers of the group's sizes. */
typedef struct group_ops {
    const char *name;
    size_t pt, aff;
    void (*gen)(void *r);
    void (*inf)(void *r);
    bool (*is_inf)(const void *a);
    bool (*eq)(const void *a, const void *b);
    bool (*aff_eq)(const void *a, const void *b);
    bool (*on_curve)(const void *a);
    void (*add)(void *r, const void *a, const void *b);
    void (*add_aff)(void *r, const void *a, const void *b);
    void (*dbl)(void *r, const void *a);
    void (*neg)(void *r, const void *a);
    void (*to_aff)(void *r, const void *a);
    void (*from_aff)(void *r, const void *a);
    void (*batch)(void *r, const void *a, size_t n);
    void (*mul)(void *r, const void *a, const tc_fr *k);
    void (*mul_ref)(void *r, const void *a, const tc_fr *k);
    bool (*roundtrip)(const void *aff);   /* all encodings decode back */
} group_ops;

#define GROUP_WRAPPERS(G, FE)                                                          \
    static void G##_gen_(void *r) { tc_##G##_generator(r); }                           \
    static void G##_inf_(void *r) { tc_##G##_set_infinity(r); }                        \
    static bool G##_is_inf_(const void *a) { return tc_##G##_is_infinity(a); }         \
    static bool G##_eq_(const void *a, const void *b) { return tc_##G##_eq(a, b); }    \
    static bool G##_aff_eq_(const void *a, const void *b) { return tc_##G##_affine_eq(a, b); } \
    static bool G##_on_curve_(const void *a) { return tc_##G##_affine_is_on_curve(a); } \
    static void G##_add_(void *r, const void *a, const void *b) { tc_##G##_add(r, a, b); } \
    static void G##_add_aff_(void *r, const void *a, const void *b) { tc_##G##_add_affine(r, a, b); } \
    static void G##_dbl_(void *r, const void *a) { tc_##G##_dbl(r, a); }               \
    static void G##_neg_(void *r, const void *a) { tc_##G##_neg(r, a); }               \
    static void G##_to_aff_(void *r, const void *a) { tc_##G##_to_affine(r, a); }      \
    static void G##_from_aff_(void *r, const void *a) { tc_##G##_from_affine(r, a); }  \
    static void G##_batch_(void *r, const void *a, size_t n)                           \
    {                                                                                  \
        FE scratch[16];                                                                \
        tc_##G##_batch_to_affine(r, a, n, scratch);                                    \
    }                                                                                  \
    static void G##_mul_(void *r, const void *a, const tc_fr *k) { tc_##G##_mul_var(r, a, k); } \
    static void G##_mul_ref_(void *r, const void *a, const tc_fr *k) { tc_##G##_mul_ref(r, a, k); }

GROUP_WRAPPERS(g1, tc_fp)
GROUP_WRAPPERS(g2, tc_fp2)

static bool g1_roundtrip_(const void *p)
{
    const tc_g1_affine *a = p;
    tc_g1_affine d;
    uint8_t c[TC_G1_BYTES], u[TC_G1_UNCOMPRESSED_BYTES], e[TC_G1_ETH_BYTES];
    tc_error err;
    tc_g1_to_bytes(c, a);
    tc_g1_to_bytes_uncompressed(u, a);
    tc_g1_to_eth(e, a);
    return tc_g1_from_bytes(&err, &d, c, sizeof c) == TC_OK && tc_g1_affine_eq(&d, a) &&
           tc_g1_from_bytes_uncompressed(&err, &d, u, sizeof u) == TC_OK && tc_g1_affine_eq(&d, a) &&
           tc_g1_from_eth(&err, &d, e, sizeof e) == TC_OK && tc_g1_affine_eq(&d, a);
}

static bool g2_roundtrip_(const void *p)
{
    const tc_g2_affine *a = p;
    tc_g2_affine d;
    uint8_t c[TC_G2_BYTES], u[TC_G2_UNCOMPRESSED_BYTES], e[TC_G2_ETH_BYTES];
    tc_error err;
    tc_g2_to_bytes(c, a);
    tc_g2_to_bytes_uncompressed(u, a);
    tc_g2_to_eth(e, a);
    return tc_g2_from_bytes(&err, &d, c, sizeof c) == TC_OK && tc_g2_affine_eq(&d, a) &&
           tc_g2_from_bytes_uncompressed(&err, &d, u, sizeof u) == TC_OK && tc_g2_affine_eq(&d, a) &&
           tc_g2_from_eth(&err, &d, e, sizeof e) == TC_OK && tc_g2_affine_eq(&d, a);
}

#define GROUP_OPS(G, PT, AFF)                                                          \
    {#G, sizeof(PT), sizeof(AFF), G##_gen_, G##_inf_, G##_is_inf_, G##_eq_,            \
     G##_aff_eq_, G##_on_curve_, G##_add_, G##_add_aff_, G##_dbl_, G##_neg_,           \
     G##_to_aff_, G##_from_aff_, G##_batch_, G##_mul_, G##_mul_ref_, G##_roundtrip_}

static const group_ops G1_OPS = GROUP_OPS(g1, tc_g1, tc_g1_affine);
static const group_ops G2_OPS = GROUP_OPS(g2, tc_g2, tc_g2_affine);

/* Buffers big enough for either group. */
typedef union { tc_g1 a; tc_g2 b; } any_pt;
typedef union { tc_g1_affine a; tc_g2_affine b; } any_aff;

/* A random point k·G (k edge-biased, so infinity and ±G occur), with a
 * random Jacobian Z from the scalar multiplication chain. */
static void random_point(const group_ops *g, void *r)
{
    tc_fr k;
    any_pt gen;
    random_scalar(&k);
    g->gen(&gen);
    g->mul_ref(r, &gen, &k);
}

static void check_group_laws(const group_ops *g, int iters)
{
    for (int it = 0; it < iters; it++) {
        any_pt a, b, c, t1, t2, t3, o, na;
        any_aff aa, ba;
        random_point(g, &a);
        random_point(g, &b);
        random_point(g, &c);
        g->inf(&o);
        switch (tc_prng_below(&rng, 4)) {   /* edge pairs */
        case 0: b = a; break;
        case 1: g->neg(&b, &a); break;
        default: break;
        }
        /* associativity, commutativity */
        g->add(&t1, &a, &b);
        g->add(&t1, &t1, &c);
        g->add(&t2, &b, &c);
        g->add(&t2, &a, &t2);
        assert_true(g->eq(&t1, &t2));
        g->add(&t1, &a, &b);
        g->add(&t2, &b, &a);
        assert_true(g->eq(&t1, &t2));
        /* identity, inverse */
        g->add(&t1, &a, &o);
        assert_true(g->eq(&t1, &a));
        g->add(&t1, &o, &a);
        assert_true(g->eq(&t1, &a));
        g->neg(&na, &a);
        g->add(&t1, &a, &na);
        assert_true(g->is_inf(&t1));
        /* doubling via add */
        g->add(&t1, &a, &a);
        g->dbl(&t2, &a);
        assert_true(g->eq(&t1, &t2));
        /* mixed add = full add, aliasing the output with the input */
        g->to_aff(&ba, &b);
        assert_true(g->on_curve(&ba));
        g->add(&t1, &a, &b);
        t2 = a;
        g->add_aff(&t2, &t2, &ba);
        assert_true(g->eq(&t1, &t2));
        /* a − b + b = a */
        g->neg(&t3, &b);
        g->add(&t3, &a, &t3);
        g->add(&t3, &t3, &b);
        assert_true(g->eq(&t3, &a));
        /* affine round trip, and every encoding */
        g->to_aff(&aa, &a);
        g->from_aff(&t1, &aa);
        assert_true(g->eq(&t1, &a));
        assert_true(g->roundtrip(&aa));
    }
}

static void check_scalar_mul(const group_ops *g, int iters)
{
    tc_fr minus1;
    tc_fr_from_i64(&minus1, -1);
    for (int it = 0; it < iters; it++) {
        any_pt p, r1, r2, t;
        tc_fr k, k2, ks;
        random_point(g, &p);
        random_scalar(&k);
        g->mul(&r1, &p, &k);
        g->mul_ref(&r2, &p, &k);
        assert_true(g->eq(&r1, &r2));
        /* (r − 1)·P + P = O: r·P = O */
        g->mul(&t, &p, &minus1);
        g->add(&t, &t, &p);
        assert_true(g->is_inf(&t));
        /* k·P + k2·P = (k + k2)·P */
        random_scalar(&k2);
        tc_fr_add(&ks, &k, &k2);
        g->mul(&t, &p, &k2);
        g->add(&t, &t, &r1);
        g->mul(&r2, &p, &ks);
        assert_true(g->eq(&t, &r2));
        /* aliasing */
        t = p;
        g->mul(&t, &t, &k);
        assert_true(g->eq(&t, &r1));
    }
}

static void check_batch(const group_ops *g)
{
    /* arrays with the group's own stride */
    unsigned char pts[12 * sizeof(tc_g2)], got[12 * sizeof(tc_g2_affine)];
    for (int it = 0; it < 10; it++) {
        any_aff want;
        size_t n = (size_t)tc_prng_below(&rng, 13);
        for (size_t i = 0; i < n; i++) {
            if (tc_prng_below(&rng, 4) == 0)
                g->inf(pts + i * g->pt);
            else
                random_point(g, pts + i * g->pt);
        }
        g->batch(got, pts, n);
        for (size_t i = 0; i < n; i++) {
            g->to_aff(&want, pts + i * g->pt);
            assert_true(g->aff_eq(got + i * g->aff, &want));
        }
    }
}

static void test_g1_properties(void **s)
{
    (void)s;
    check_group_laws(&G1_OPS, 200);
    check_scalar_mul(&G1_OPS, 200);
    check_batch(&G1_OPS);
}

static void test_g2_properties(void **s)
{
    (void)s;
    check_group_laws(&G2_OPS, 60);
    check_scalar_mul(&G2_OPS, 60);
    check_batch(&G2_OPS);
}

/* The constant-time G2 multiplication against the known answers, against
 * the double-and-add reference on points outside G2 (where the GLS
 * multiplication does not apply), and against tc_g2_mul_var on random
 * multiples of the generator, for scalars biased to edges. */
static void check_g2_mul_ct(const tc_g2_affine *p, const tc_fr *k)
{
    tc_g2_affine got;
    tc_g2 jp, want;
    tc_g2_mul_ct(&got, p, k);
    tc_g2_from_affine(&jp, p);
    tc_g2_mul_ref(&want, &jp, k);
    if (got.infinity) {
        assert_true(tc_g2_is_infinity(&want));
        assert_true(tc_fp2_is_zero(&got.x) && tc_fp2_is_zero(&got.y));
        return;
    }
    tc_g2_affine wa;
    tc_g2_to_affine(&wa, &want);
    assert_true(tc_g2_affine_eq(&got, &wa));
    assert_true(tc_g2_affine_is_on_curve(&got));
}

static void test_g2_mul_ct(void **s)
{
    (void)s;
    json_t *rows = json_object_get(json_object_get(vectors, "g2"), "scalar_mul"), *row;
    size_t i;
    tc_g2_affine g;
    tc_g2_affine_generator(&g);
    json_array_foreach(rows, i, row) {
        tc_fr k;
        tc_g2_affine r;
        tc_g2 jr;
        parse_fr(&k, tu_str(row, "k"));
        tc_g2_mul_ct(&r, &g, &k);
        tc_g2_from_affine(&jr, &r);
        check_g2(&jr, json_object_get(row, "point"));
    }
    rows = json_object_get(vectors, "g2_non_subgroup_points");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_g2_affine p;
        p.infinity = false;
        parse_fp2(&p.x, json_object_get(row, "x"));
        parse_fp2(&p.y, json_object_get(row, "y"));
        for (int it = 0; it < 4; it++) {
            tc_fr k;
            random_scalar(&k);
            check_g2_mul_ct(&p, &k);
        }
    }
    tc_g2_affine inf = {.infinity = true};
    for (int it = 0; it < 24; it++) {
        tc_fr k, j;
        random_scalar(&k);
        random_scalar(&j);
        tc_g2_affine p;
        tc_g2 jp, want;
        tc_g2_mul_ct(&p, &g, &j);                  /* a random point of G2 */
        check_g2_mul_ct(&p, &k);
        if (p.infinity)
            continue;
        tc_g2_from_affine(&jp, &p);
        tc_g2_mul_var(&want, &jp, &k);
        tc_g2_affine got, wa;
        tc_g2_mul_ct(&got, &p, &k);
        tc_g2_to_affine(&wa, &want);
        assert_true(tc_g2_affine_eq(&got, &wa));
        tc_g2_mul_ct(&got, &inf, &k);
        assert_true(got.infinity);
    }
}

/* Random points on the twist (not in G2 in general): multiplying by the
 * cofactor lands in G2, multiplying by r leaves a nonzero point outside. */
static void test_g2_subgroup_random(void **s)
{
    (void)s;
    tc_fp2 b;
    tc_g2_twist_b(&b);
    tc_fr minus1;
    tc_fr_from_i64(&minus1, -1);
    int found = 0;
    for (int it = 0; it < 40 && found < 6; it++) {
        tc_g2_affine p;
        tc_fp2 rhs;
        tc_fp_from_u64(&p.x.c0, tc_prng_next(&rng));
        tc_fp_from_u64(&p.x.c1, tc_prng_next(&rng));
        tc_fp2_sqr(&rhs, &p.x);
        tc_fp2_mul(&rhs, &rhs, &p.x);
        tc_fp2_add(&rhs, &rhs, &b);
        if (!tc_fp2_sqrt_var(&p.y, &rhs))
            continue;
        p.infinity = false;
        found++;
        assert_true(tc_g2_affine_is_on_curve(&p));
        /* r·P by the reference decides membership independently */
        tc_g2 jp, t;
        tc_g2_from_affine(&jp, &p);
        tc_g2_mul_ref(&t, &jp, &minus1);
        tc_g2_add(&t, &t, &jp);
        bool in = tc_g2_is_infinity(&t);
        assert_int_equal(tc_g2_affine_in_subgroup(&p), in);
        assert_int_equal(tc_g2_affine_in_subgroup_ref(&p), in);
        /* clearing the cofactor h = 2p − r lands in G2:
         * [h]P = [h >> 128]([2^128]P) + [h mod 2^128]P */
        {
            tc_fr hi, lo, two128;
            tc_g2 hp, t2;
            tc_g2_affine ha;
            parse_fr(&hi, COFACTOR_HI);
            parse_fr(&lo, COFACTOR_LO);
            parse_fr(&two128, "340282366920938463463374607431768211456");
            tc_g2_mul_ref(&t2, &jp, &two128);
            tc_g2_mul_ref(&t2, &t2, &hi);
            tc_g2_mul_ref(&hp, &jp, &lo);
            tc_g2_add(&hp, &hp, &t2);
            tc_g2_to_affine(&ha, &hp);
            assert_true(tc_g2_affine_in_subgroup(&ha));
            assert_true(tc_g2_affine_in_subgroup_ref(&ha));
        }
        if (!in) {
            /* r·P is a nonzero point of the cofactor part: rejected too */
            tc_g2_affine ra;
            tc_g2_to_affine(&ra, &t);
            assert_false(tc_g2_affine_in_subgroup(&ra));
            assert_false(tc_g2_affine_in_subgroup_ref(&ra));
        }
    }
    assert_true(found > 0);
}

int main(void)
{
    vectors = tu_load_json("vectors/bn254_basic.json");
    tc_prng_seed(&rng, tu_seed("test_curve"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generators),
        cmocka_unit_test(test_endomorphisms),
        cmocka_unit_test(test_g1_vectors),
        cmocka_unit_test(test_g2_vectors),
        cmocka_unit_test(test_g2_non_subgroup),
        cmocka_unit_test(test_decompose),
        cmocka_unit_test(test_wnaf),
        cmocka_unit_test(test_g1_properties),
        cmocka_unit_test(test_g2_properties),
        cmocka_unit_test(test_g2_subgroup_random),
        cmocka_unit_test(test_g2_mul_ct),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
