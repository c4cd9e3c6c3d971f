/* Fp and Fr: known answers from the shared vectors, and properties checked
 * against the slow bigint reference on edge-biased random values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/field.h"

static json_t *vectors;
static tc_prng rng;

/* ---------------------------------------------------------- field adapter */

typedef struct field_ops {
    const char *name;
    const tc_modulus *m;
    bool (*from_dec)(uint64_t r[4], const char *s);
    void (*to_dec)(char out[80], const uint64_t a[4]);
    bool (*sqrt)(uint64_t r[4], const uint64_t a[4]);
    void (*inv)(uint64_t r[4], const uint64_t a[4]);
    void (*to_bytes)(uint8_t out[32], const uint64_t a[4]);
    bool (*from_bytes)(uint64_t r[4], const uint8_t in[32]);
} field_ops;

static bool fp_from_dec_(uint64_t r[4], const char *s) { return tc_fp_from_dec((tc_fp *)r, s); }
static void fp_to_dec_(char o[80], const uint64_t a[4]) { tc_fp_to_dec(o, (const tc_fp *)a); }
static bool fp_sqrt_(uint64_t r[4], const uint64_t a[4]) { return tc_fp_sqrt((tc_fp *)r, (const tc_fp *)a); }
static void fp_inv_(uint64_t r[4], const uint64_t a[4]) { tc_fp_inv((tc_fp *)r, (const tc_fp *)a); }
static void fp_tob_(uint8_t o[32], const uint64_t a[4]) { tc_fp_to_bytes(o, (const tc_fp *)a); }
static bool fp_fromb_(uint64_t r[4], const uint8_t in[32]) { return tc_fp_from_bytes((tc_fp *)r, in); }
static bool fr_from_dec_(uint64_t r[4], const char *s) { return tc_fr_from_dec((tc_fr *)r, s); }
static void fr_to_dec_(char o[80], const uint64_t a[4]) { tc_fr_to_dec(o, (const tc_fr *)a); }
static bool fr_sqrt_(uint64_t r[4], const uint64_t a[4]) { return tc_fr_sqrt((tc_fr *)r, (const tc_fr *)a); }
static void fr_inv_(uint64_t r[4], const uint64_t a[4]) { tc_fr_inv((tc_fr *)r, (const tc_fr *)a); }
static void fr_tob_(uint8_t o[32], const uint64_t a[4]) { tc_fr_to_bytes(o, (const tc_fr *)a); }
static bool fr_fromb_(uint64_t r[4], const uint8_t in[32]) { return tc_fr_from_bytes((tc_fr *)r, in); }

static const field_ops FP = {"fp", &tc_fp_modulus, fp_from_dec_, fp_to_dec_, fp_sqrt_, fp_inv_, fp_tob_, fp_fromb_};
static const field_ops FR = {"fr", &tc_fr_modulus, fr_from_dec_, fr_to_dec_, fr_sqrt_, fr_inv_, fr_tob_, fr_fromb_};

static void parse(const field_ops *f, uint64_t r[4], const char *s)
{
    if (!f->from_dec(r, s))
        fail_msg("%s: cannot parse '%s'", f->name, s);
}

static void assert_dec(const field_ops *f, const uint64_t a[4], const char *want)
{
    char got[80];
    f->to_dec(got, a);
    assert_string_equal(got, want);
}

/* --------------------------------------------------------- vector checks */

static void check_binary(const field_ops *f, const char *op)
{
    json_t *rows = json_object_get(json_object_get(vectors, f->name), op);
    assert_true(json_array_size(rows) > 0);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        uint64_t a[4], b[4], r[4];
        parse(f, a, tu_str(row, "a"));
        parse(f, b, tu_str(row, "b"));
        if (!strcmp(op, "add"))
            tc_mont_add(r, a, b, f->m->p);
        else if (!strcmp(op, "sub"))
            tc_mont_sub(r, a, b, f->m->p);
        else
            tc_mont_mul(r, a, b, f->m);
        assert_dec(f, r, tu_str(row, "out"));
    }
}

static void check_field_vectors(const field_ops *f)
{
    json_t *fv = json_object_get(vectors, f->name);
    check_binary(f, "add");
    check_binary(f, "sub");
    check_binary(f, "mul");
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(fv, "inv"), i, row) {
        uint64_t a[4], r[4];
        parse(f, a, tu_str(row, "a"));
        f->inv(r, a);
        assert_dec(f, r, tu_str(row, "out"));
    }
    size_t nsq = 0;
    json_array_foreach(json_object_get(fv, "sqrt"), i, row) {
        uint64_t a[4], r[4];
        parse(f, a, tu_str(row, "a"));
        json_t *roots = json_object_get(row, "roots");
        bool ok = f->sqrt(r, a);
        if (json_is_null(roots)) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_dec(f, r, json_string_value(json_array_get(roots, 0)));
            nsq++;
        }
    }
    assert_true(nsq > 0);
    json_array_foreach(json_object_get(fv, "encode"), i, row) {
        uint64_t a[4], back[4];
        uint8_t bytes[32], want[32];
        parse(f, a, tu_str(row, "value"));
        assert_true(tc_hex_decode(want, 32, tu_str(row, "hex")));
        f->to_bytes(bytes, a);
        assert_memory_equal(bytes, want, 32);
        assert_true(f->from_bytes(back, want));
        assert_memory_equal(back, a, 32);
    }
    size_t nrej = 0;
    json_array_foreach(json_object_get(fv, "decode_reject"), i, row) {
        uint64_t a[4];
        uint8_t bytes[32];
        assert_true(tc_hex_decode(bytes, 32, tu_str(row, "hex")));
        assert_false(f->from_bytes(a, bytes));
        nrej++;
    }
    assert_true(nrej > 0);
}

static void test_fp_vectors(void **s) { (void)s; check_field_vectors(&FP); }
static void test_fr_vectors(void **s) { (void)s; check_field_vectors(&FR); }

/* ------------------------------------------------------------ properties */

/* A canonical integer below m, biased to edges: 0, 1, 2, m−1, m−2, small,
 * near 2^k, or uniform. */
static void random_canon(uint64_t v[4], const uint64_t m[4])
{
    uint64_t pick = tc_prng_below(&rng, 8);
    uint64_t one[4] = {1, 0, 0, 0};
    memset(v, 0, 32);
    switch (pick) {
    case 0: v[0] = tc_prng_below(&rng, 3); return;
    case 1: tc_limbs_sub(v, m, one); if (tc_prng_below(&rng, 2)) tc_limbs_sub(v, v, one); return;
    case 2: v[0] = tc_prng_next(&rng); return;
    case 3: { int k = (int)tc_prng_below(&rng, 254); v[k / 64] = 1ULL << (k % 64); return; }
    default:
        for (;;) {
            for (int i = 0; i < 4; i++)
                v[i] = tc_prng_next(&rng);
            v[3] &= (1ULL << 62) - 1;
            if (!tc_limbs_geq(v, m))
                return;
        }
    }
}

static void check_properties(const field_ops *f, int iters)
{
    const tc_modulus *m = f->m;
    for (int it = 0; it < iters; it++) {
        uint64_t x[4], y[4], z[4], a[4], b[4], c[4], r[4], r2[4], want[4], t[4];
        random_canon(x, m->p);
        random_canon(y, m->p);
        random_canon(z, m->p);
        tc_mont_mul(a, x, m->r2, m);            /* to Montgomery */
        tc_mont_mul(b, y, m->r2, m);
        tc_mont_mul(c, z, m->r2, m);
        /* mul: C, dispatch (asm when present) and the reference agree */
        tc_mont_mul_c(r, a, b, m);
        tc_mont_mul(r2, a, b, m);
        assert_memory_equal(r, r2, 32);
        if (tc_cpu_has_adx()) {
            tc_mont_mul_adx(r2, a, b, m->p, m->n0);
            assert_memory_equal(r, r2, 32);
            tc_mont_sqr_adx(r2, a, m->p, m->n0);
            tc_mont_sqr_c(t, a, m);
            assert_memory_equal(t, r2, 32);
        }
        const uint64_t one[4] = {1, 0, 0, 0};
        tc_mont_mul(t, r, one, m);               /* out of Montgomery */
        tc_modmul_ref(want, x, y, m->p);
        assert_memory_equal(t, want, 32);
        /* sqr agrees with mul */
        tc_mont_sqr(r, a, m);
        tc_mont_mul(r2, a, a, m);
        assert_memory_equal(r, r2, 32);
        /* add/sub against the reference on canonical values */
        tc_mont_add(r, x, y, m->p);
        tc_limbs_add(t, x, y);
        if (tc_limbs_geq(t, m->p))
            tc_limbs_sub(t, t, m->p);
        assert_memory_equal(r, t, 32);
        tc_mont_sub(r, r, y, m->p);
        assert_memory_equal(r, x, 32);
        tc_mont_neg(r, x, m->p);
        tc_mont_add(r, r, x, m->p);
        assert_true((r[0] | r[1] | r[2] | r[3]) == 0);
        /* distributivity: a(b + c) = ab + ac */
        tc_mont_add(t, b, c, m->p);
        tc_mont_mul(r, a, t, m);
        tc_mont_mul(t, a, b, m);
        tc_mont_mul(r2, a, c, m);
        tc_mont_add(r2, t, r2, m->p);
        assert_memory_equal(r, r2, 32);
        /* associativity of mul */
        tc_mont_mul(t, a, b, m);
        tc_mont_mul(r, t, c, m);
        tc_mont_mul(t, b, c, m);
        tc_mont_mul(r2, a, t, m);
        assert_memory_equal(r, r2, 32);
        /* inverse: a·a⁻¹ = 1, and it matches Fermat via the reference */
        if (x[0] | x[1] | x[2] | x[3]) {
            f->inv(r, a);
            tc_mont_mul(t, r, a, m);
            assert_memory_equal(t, m->one, 32);
            if (it % 16 == 0) {
                uint64_t e[4], two[4] = {2, 0, 0, 0};
                tc_limbs_sub(e, m->p, two);
                tc_modpow_ref(want, x, e, m->p);
                tc_mont_mul(t, r, one, m);
                assert_memory_equal(t, want, 32);
            }
        }
        /* sqrt of a square is a root, the smaller one; legendre agrees */
        tc_mont_sqr(t, a, m);
        assert_true(f->sqrt(r, t));
        tc_mont_sqr(r2, r, m);
        assert_memory_equal(r2, t, 32);
        int leg = tc_mont_legendre(a, m);
        assert_int_equal(leg, (x[0] | x[1] | x[2] | x[3]) ? (f->sqrt(r, a) ? 1 : -1) : 0);
        /* bytes round trip */
        uint8_t bytes[32];
        f->to_bytes(bytes, a);
        assert_true(f->from_bytes(r, bytes));
        assert_memory_equal(r, a, 32);
        /* decimal round trip */
        char dec[80];
        f->to_dec(dec, a);
        parse(f, r, dec);
        assert_memory_equal(r, a, 32);
    }
}

static void test_fp_properties(void **s) { (void)s; check_properties(&FP, 2000); }
static void test_fr_properties(void **s) { (void)s; check_properties(&FR, 2000); }

static void test_batch_inv(void **s)
{
    (void)s;
    enum { N = 37 };
    tc_fp a[N], r[N], scratch[N], t;
    for (int i = 0; i < N; i++) {
        uint64_t v[4];
        random_canon(v, tc_fp_modulus.p);
        if (i % 7 == 3)
            memset(v, 0, 32);                      /* zeros map to zero */
        assert_true(tc_fp_from_limbs(&a[i], v));
    }
    tc_fp_batch_inv(r, a, N, scratch);
    for (int i = 0; i < N; i++) {
        tc_fp_inv(&t, &a[i]);
        assert_memory_equal(&t, &r[i], 32);
    }
    tc_fp_batch_inv(a, a, N, scratch);             /* in place */
    assert_memory_equal(a, r, sizeof a);
    tc_fp_batch_inv(r, a, 0, scratch);             /* empty */
}

static void test_decimal_parse(void **s)
{
    (void)s;
    uint64_t v[4];
    assert_true(tc_limbs_from_dec(v, "0"));
    assert_false(tc_limbs_from_dec(v, ""));
    assert_false(tc_limbs_from_dec(v, "01"));
    assert_false(tc_limbs_from_dec(v, "-1"));
    assert_false(tc_limbs_from_dec(v, "12a"));
    /* 2^256 overflows; 2^256 − 1 does not */
    assert_false(tc_limbs_from_dec(v, "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
    assert_true(tc_limbs_from_dec(v, "115792089237316195423570985008687907853269984665640564039457584007913129639935"));
    assert_true(v[0] == UINT64_MAX && v[3] == UINT64_MAX);
    tc_fr x;
    assert_false(tc_fr_from_dec(&x, json_string_value(json_object_get(json_object_get(vectors, "fr"), "modulus"))));
    tc_fr_from_i64(&x, -1);
    char d[80];
    tc_fr_to_dec(d, &x);
    assert_string_equal(d, "21888242871839275222246405745257275088548364400416034343698204186575808495616");
    tc_fr_from_i64(&x, INT64_MIN);
    tc_fr_neg(&x, &x);
    tc_fr_to_dec(d, &x);
    assert_string_equal(d, "9223372036854775808");
}

static void test_from_bytes_wide(void **s)
{
    (void)s;
    /* 2^256 mod r, computed by the reference as (2^128)^2 */
    uint8_t in[64] = {0};
    in[32] = 1;
    tc_fr x;
    tc_fr_from_bytes_wide(&x, in);
    uint64_t got[4], want[4], two128[4] = {0, 0, 1, 0}, two64[4] = {0, 1, 0, 0};
    tc_fr_to_limbs(got, &x);
    tc_modmul_ref(want, two128, two128, tc_fr_modulus.p);
    assert_memory_equal(got, want, 32);
    memset(in, 0xff, 64);                         /* 2^512 − 1 */
    tc_fr_from_bytes_wide(&x, in);
    tc_fr_to_limbs(got, &x);
    uint64_t t[4], one[4] = {1, 0, 0, 0};
    tc_modmul_ref(t, two128, two128, tc_fr_modulus.p);   /* 2^256 */
    tc_modmul_ref(t, t, t, tc_fr_modulus.p);             /* 2^512 */
    (void)two64;
    tc_mont_sub(want, t, one, tc_fr_modulus.p);
    assert_memory_equal(got, want, 32);
}

int main(void)
{
    vectors = tu_load_json("vectors/bn254_basic.json");
    tc_prng_seed(&rng, tu_seed("test_field"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp_vectors),
        cmocka_unit_test(test_fr_vectors),
        cmocka_unit_test(test_fp_properties),
        cmocka_unit_test(test_fr_properties),
        cmocka_unit_test(test_batch_inv),
        cmocka_unit_test(test_decimal_parse),
        cmocka_unit_test(test_from_bytes_wide),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
