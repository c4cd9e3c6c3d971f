/* Encodings: every reject row of the test vectors is rejected for the
 * right reason, bytes produced by arkworks decode to the listed points, the
 * Fr encoding matches, and decoding is canonical (whatever decodes
 * re-encodes to the same bytes, under single-bit tampering too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/curve.h"
#include "ec/encoding.h"

static json_t *vectors;
static tc_prng rng;

static void hex_bytes(uint8_t *out, size_t len, const char *hex)
{
    if (strlen(hex) != 2 * len || !tc_hex_decode(out, len, hex))
        fail_msg("bad hex of %zu bytes: %s", len, hex);
}

static void parse_fp(tc_fp *r, const char *s)
{
    if (!tc_fp_from_dec(r, s))
        fail_msg("cannot parse Fp '%s'", s);
}

static void parse_fp2(tc_fp2 *r, const json_t *arr)
{
    const char *c0 = json_string_value(json_array_get(arr, 0));
    const char *c1 = json_string_value(json_array_get(arr, 1));
    if (c0 == NULL || c1 == NULL || !tc_fp2_from_dec(r, c0, c1))
        fail_msg("cannot parse Fp2");
}

/* ------------------------------------------------------------------ Fr */

static void test_fr(void **s)
{
    (void)s;
    json_t *fr = json_object_get(vectors, "fr"), *row;
    size_t i;
    json_t *rows = json_object_get(fr, "encode");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        tc_fr v, d;
        uint8_t want[32], got[32];
        tc_error err;
        if (!tc_fr_from_dec(&v, tu_str(row, "value")))
            fail();
        hex_bytes(want, 32, tu_str(row, "hex"));
        tc_fr_to_bytes(got, &v);
        assert_memory_equal(got, want, 32);
        assert_int_equal(tc_fr_decode(&err, &d, want, 32), TC_OK);
        assert_true(tc_fr_eq(&d, &v));
        assert_int_equal(tc_fr_decode(&err, &d, want, 31), TC_EFORMAT);
        assert_non_null(strstr(err.msg, "expected 32"));
    }
    rows = json_object_get(fr, "decode_reject");
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        uint8_t in[32];
        tc_fr d;
        tc_error err;
        hex_bytes(in, 32, tu_str(row, "hex"));
        assert_int_equal(tc_fr_decode(&err, &d, in, 32), TC_EFORMAT);
        assert_non_null(strstr(err.msg, ">= r"));
    }
}

/* ------------------------------------------------------------- rejects */

/* The vector's reason → our fault.  All-zero rows get their own fault. */
static tc_point_fault expected_fault(const json_t *row, const uint8_t *in, size_t len)
{
    bool zero = true;
    for (size_t i = 0; i < len; i++)
        zero = zero && in[i] == 0;
    if (zero)
        return TC_POINT_ALL_ZERO;
    const char *d = tu_str(row, "detail");
    if (strstr(d, "both flag bits"))
        return TC_POINT_BOTH_FLAGS;
    if (strstr(d, "infinity flag with nonzero"))
        return TC_POINT_INFINITY_NONZERO;
    if (strstr(d, ">= p"))
        return TC_POINT_NONCANONICAL;
    if (strstr(d, "not on"))
        return TC_POINT_NOT_ON_CURVE;
    if (strstr(d, "subgroup"))
        return TC_POINT_NOT_IN_SUBGROUP;
    fail_msg("unmapped reject detail '%s'", d);
    return TC_POINT_OK;
}

static void check_rejects(const char *key, size_t len,
                          tc_point_fault (*decode)(void *out, const uint8_t *in),
                          tc_status (*from_bytes)(tc_error *, void *, const uint8_t *, size_t))
{
    json_t *rows = json_object_get(vectors, key), *row;
    size_t i;
    assert_true(json_array_size(rows) > 0);
    bool seen[TC_POINT_BAD_FLAGS + 1] = {false};
    json_array_foreach(rows, i, row) {
        uint8_t in[64];
        union { tc_g1_affine a; tc_g2_affine b; } out;
        tc_error err;
        assert_string_equal(tu_str(row, "strict"), "rejects");
        hex_bytes(in, len, tu_str(row, "hex"));
        tc_point_fault want = expected_fault(row, in, len);
        tc_point_fault got = decode(&out, in);
        if (got != want)
            fail_msg("%s row %zu (%s): fault %d (%s), expected %d", key, i,
                     tu_str(row, "reason"), got, tc_point_fault_str(got), want);
        assert_int_equal(from_bytes(&err, &out, in, len), TC_EFORMAT);
        assert_int_equal(err.status, TC_EFORMAT);
        assert_non_null(strstr(err.msg, tc_point_fault_str(want)));
        seen[want] = true;
    }
    /* the vectors exercise every fault a compressed point can have */
    for (int f = TC_POINT_ALL_ZERO; f <= TC_POINT_NOT_ON_CURVE; f++)
        assert_true(seen[f]);
}

static tc_point_fault g1_dec_(void *o, const uint8_t *in) { return tc_g1_decode(o, in); }
static tc_point_fault g2_dec_(void *o, const uint8_t *in) { return tc_g2_decode(o, in); }
static tc_status g1_fb_(tc_error *e, void *o, const uint8_t *in, size_t n) { return tc_g1_from_bytes(e, o, in, n); }
static tc_status g2_fb_(tc_error *e, void *o, const uint8_t *in, size_t n) { return tc_g2_from_bytes(e, o, in, n); }

static void test_g1_rejects(void **s)
{
    (void)s;
    check_rejects("g1_decode_reject", TC_G1_BYTES, g1_dec_, g1_fb_);
    assert_string_equal(json_string_value(json_object_get(vectors, "g1_all_zero_bytes")), "rejected");
    uint8_t zero[TC_G1_BYTES] = {0};
    tc_g1_affine p;
    assert_int_equal(tc_g1_decode(&p, zero), TC_POINT_ALL_ZERO);
}

static void test_g2_rejects(void **s)
{
    (void)s;
    check_rejects("g2_decode_reject", TC_G2_BYTES, g2_dec_, g2_fb_);
    assert_string_equal(json_string_value(json_object_get(vectors, "g2_all_zero_bytes")), "rejected");
    uint8_t zero[TC_G2_BYTES] = {0};
    tc_g2_affine p;
    assert_int_equal(tc_g2_decode(&p, zero), TC_POINT_ALL_ZERO);
}

/* Every fault has its own message, and lengths are checked. */
static void test_messages(void **s)
{
    (void)s;
    for (int a = TC_POINT_OK; a <= TC_POINT_BAD_FLAGS; a++)
        for (int b = a + 1; b <= TC_POINT_BAD_FLAGS; b++)
            assert_string_not_equal(tc_point_fault_str(a), tc_point_fault_str(b));
    uint8_t buf[200] = {0};
    tc_g1_affine p1;
    tc_g2_affine p2;
    tc_error err;
    buf[31] = TC_FLAG_INFINITY;
    assert_int_equal(tc_g1_from_bytes(&err, &p1, buf, 32), TC_OK);
    assert_true(p1.infinity);
    assert_int_equal(tc_g1_from_bytes(&err, &p1, buf, 33), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "33 bytes, expected 32"));
    assert_int_equal(tc_g1_from_bytes(&err, &p1, buf, 0), TC_EFORMAT);
    assert_int_equal(tc_g2_from_bytes(&err, &p2, buf, 32), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "expected 64"));
    assert_int_equal(tc_g1_from_bytes_uncompressed(&err, &p1, buf, 32), TC_EFORMAT);
    assert_int_equal(tc_g2_from_bytes_uncompressed(&err, &p2, buf, 64), TC_EFORMAT);
    assert_int_equal(tc_g1_from_eth(&err, &p1, buf, 65), TC_EFORMAT);
    assert_int_equal(tc_g2_from_eth(&err, &p2, buf, 127), TC_EFORMAT);
    /* EIP-196/197: all zero is infinity */
    assert_int_equal(tc_g1_from_eth(&err, &p1, buf + 100, 64), TC_OK);
    assert_true(p1.infinity);
    assert_int_equal(tc_g2_from_eth(&err, &p2, buf + 64, 128), TC_OK);
    assert_true(p2.infinity);
}

/* ------------------------------------------------------------ arkworks */

static void test_arkworks_produced(void **s)
{
    (void)s;
    json_t *ak = json_object_get(vectors, "arkworks_produced");
    const char *key;
    json_t *v;
    int n1 = 0, n2 = 0;
    json_object_foreach(ak, key, v) {
        json_t *x = json_object_get(v, "x");
        if (!json_is_object(v) || x == NULL)
            continue;
        tc_error err;
        if (json_is_string(x)) {
            uint8_t in[32];
            tc_g1_affine p, want = {.infinity = false};
            hex_bytes(in, 32, tu_str(v, "compressed"));
            assert_int_equal(tc_g1_from_bytes(&err, &p, in, 32), TC_OK);
            parse_fp(&want.x, tu_str(v, "x"));
            parse_fp(&want.y, tu_str(v, "y"));
            assert_true(tc_g1_affine_eq(&p, &want));
            n1++;
        } else {
            uint8_t in[64], re[64];
            tc_g2_affine p, want = {.infinity = false};
            hex_bytes(in, 64, tu_str(v, "compressed"));
            assert_int_equal(tc_g2_from_bytes(&err, &p, in, 64), TC_OK);
            parse_fp2(&want.x, x);
            parse_fp2(&want.y, json_object_get(v, "y"));
            assert_true(tc_g2_affine_eq(&p, &want));
            tc_g2_to_bytes(re, &p);
            assert_memory_equal(re, in, 64);
            n2++;
        }
    }
    assert_true(n1 >= 1 && n2 >= 3);

    /* −γ and −δ as arkworks wrote them */
    const char *pairs[2][2] = {{"vk_gamma_g2", "neg_gamma_g2_compressed"},
                               {"vk_delta_g2", "neg_delta_g2_compressed"}};
    for (int i = 0; i < 2; i++) {
        uint8_t a[64], b[64];
        tc_g2_affine pa, pb, na;
        tc_error err;
        hex_bytes(a, 64, tu_str(json_object_get(ak, pairs[i][0]), "compressed"));
        hex_bytes(b, 64, tu_str(ak, pairs[i][1]));
        assert_int_equal(tc_g2_from_bytes(&err, &pa, a, 64), TC_OK);
        assert_int_equal(tc_g2_from_bytes(&err, &pb, b, 64), TC_OK);
        tc_g2_affine_neg(&na, &pa);
        assert_true(tc_g2_affine_eq(&na, &pb));
    }

    /* Groth16 input: IC0 + x·IC1 = IC_combined, x a 32-byte LE Fr */
    json_t *g = json_object_get(ak, "groth16_product");
    uint8_t xb[32], ic0b[32], ic1b[32], icb[32], out[32];
    tc_fr x, xdec;
    tc_g1_affine ic0, ic1, ic, r;
    tc_error err;
    hex_bytes(xb, 32, tu_str(g, "public_input_hex"));
    assert_int_equal(tc_fr_decode(&err, &x, xb, 32), TC_OK);
    assert_true(tc_fr_from_dec(&xdec, tu_str(g, "public_input")));
    assert_true(tc_fr_eq(&x, &xdec));
    hex_bytes(ic0b, 32, tu_str(g, "IC0"));
    hex_bytes(ic1b, 32, tu_str(g, "IC1"));
    hex_bytes(icb, 32, tu_str(g, "IC_combined"));
    assert_int_equal(tc_g1_from_bytes(&err, &ic0, ic0b, 32), TC_OK);
    assert_int_equal(tc_g1_from_bytes(&err, &ic1, ic1b, 32), TC_OK);
    assert_int_equal(tc_g1_from_bytes(&err, &ic, icb, 32), TC_OK);
    tc_g1 j1, acc;
    tc_g1_from_affine(&j1, &ic1);
    tc_g1_mul_var(&acc, &j1, &x);
    tc_g1_add_affine(&acc, &acc, &ic0);
    tc_g1_to_affine(&r, &acc);
    tc_g1_to_bytes(out, &r);
    assert_memory_equal(out, icb, 32);
    json_t *prs = json_object_get(g, "pairs"), *pr;
    size_t i;
    json_array_foreach(prs, i, pr) {
        uint8_t b1[32], b2[64];
        tc_g1_affine p1;
        tc_g2_affine p2;
        hex_bytes(b1, 32, tu_str(pr, "g1"));
        hex_bytes(b2, 64, tu_str(pr, "g2"));
        assert_int_equal(tc_g1_from_bytes(&err, &p1, b1, 32), TC_OK);
        assert_int_equal(tc_g2_from_bytes(&err, &p2, b2, 64), TC_OK);
    }
}

/* ------------------------------------------------ layouts and tampering */

static void random_fr(tc_fr *k)
{
    uint8_t wide[64];
    for (int i = 0; i < 64; i++)
        wide[i] = (uint8_t)tc_prng_next(&rng);
    tc_fr_from_bytes_wide(k, wide);
}

/* Byte layouts of the generators, written out by hand. */
static void test_layouts(void **s)
{
    (void)s;
    tc_g1_affine g1;
    tc_g1_affine_generator(&g1);
    uint8_t eth[128], want[128] = {0}, unc[128];
    tc_g1_to_eth(eth, &g1);
    want[31] = 1;
    want[63] = 2;
    assert_memory_equal(eth, want, 64);
    tc_g1_to_bytes_uncompressed(unc, &g1);
    memset(want, 0, sizeof want);
    want[0] = 1;
    want[32] = 2;
    assert_memory_equal(unc, want, 64);
    /* EIP-197 puts the imaginary part first: the first word of the
     * generator is x.c1, the second x.c0 */
    tc_g2_affine g2;
    tc_g2_affine_generator(&g2);
    tc_g2_to_eth(eth, &g2);
    uint8_t le[32];
    tc_fp_to_bytes(le, &g2.x.c1);
    for (int i = 0; i < 32; i++)
        assert_int_equal(eth[i], le[31 - i]);
    tc_fp_to_bytes(le, &g2.y.c0);
    for (int i = 0; i < 32; i++)
        assert_int_equal(eth[96 + i], le[31 - i]);
    tc_error err;
    tc_g2_affine d2;
    assert_int_equal(tc_g2_from_eth(&err, &d2, eth, 128), TC_OK);
    assert_true(tc_g2_affine_eq(&d2, &g2));
    /* infinity in each layout */
    tc_g1_affine inf1 = {.infinity = true};
    tc_g1_affine d1;
    tc_g1_to_bytes_uncompressed(unc, &inf1);
    memset(want, 0, sizeof want);
    want[63] = TC_FLAG_INFINITY;
    assert_memory_equal(unc, want, 64);
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_OK);
    assert_true(d1.infinity);
    /* uncompressed faults: y flag, y ≥ p, y tampered.  The generator's
     * y = 2 is the smaller root, so its flag is clear; −G has it set. */
    tc_g1_to_bytes_uncompressed(unc, &g1);
    unc[63] |= TC_FLAG_Y_LARGEST;
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_BAD_FLAGS);
    tc_g1_affine ng1;
    tc_g1_affine_neg(&ng1, &g1);
    tc_g1_to_bytes_uncompressed(unc, &ng1);
    assert_int_equal(unc[63] & TC_FLAG_Y_LARGEST, TC_FLAG_Y_LARGEST);
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_OK);
    assert_true(tc_g1_affine_eq(&d1, &ng1));
    unc[63] &= (uint8_t)~TC_FLAG_Y_LARGEST;
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_BAD_FLAGS);
    unc[63] |= TC_FLAG_INFINITY | TC_FLAG_Y_LARGEST;
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_BOTH_FLAGS);
    tc_g1_to_bytes_uncompressed(unc, &g1);
    unc[32] ^= 1;
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_NOT_ON_CURVE);
    memset(unc + 32, 0xff, 32);
    unc[63] = 0x3f;
    assert_int_equal(tc_g1_decode_uncompressed(&d1, unc), TC_POINT_NONCANONICAL);
    tc_g2_to_bytes_uncompressed(unc, &g2);
    unc[64] ^= 1;
    assert_int_equal(tc_g2_decode_uncompressed(&d2, unc), TC_POINT_NOT_ON_CURVE);
    /* Ethereum: y ≥ p, and a point off the curve */
    tc_g1_to_eth(eth, &g1);
    memset(eth + 32, 0xff, 32);
    assert_int_equal(tc_g1_from_eth(&err, &d1, eth, 64), TC_EFORMAT);
    assert_non_null(strstr(err.msg, ">= p"));
    tc_g1_to_eth(eth, &g1);
    eth[63] = 3;
    assert_int_equal(tc_g1_from_eth(&err, &d1, eth, 64), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "not on the curve"));
}

/* Decoding is canonical: for random points, every single-bit change of the
 * compressed bytes is rejected or decodes to a point that encodes back to
 * exactly the changed bytes. */
static void test_bit_flips(void **s)
{
    (void)s;
    tc_g1 g1;
    tc_g2 g2;
    tc_g1_generator(&g1);
    tc_g2_generator(&g2);
    for (int it = 0; it < 4; it++) {
        tc_fr k;
        random_fr(&k);
        tc_g1 p1;
        tc_g2 p2;
        tc_g1_affine a1, d1;
        tc_g2_affine a2, d2;
        tc_g1_mul_var(&p1, &g1, &k);
        tc_g2_mul_var(&p2, &g2, &k);
        tc_g1_to_affine(&a1, &p1);
        tc_g2_to_affine(&a2, &p2);
        uint8_t b1[32], b2[64], re1[32], re2[64];
        tc_g1_to_bytes(b1, &a1);
        tc_g2_to_bytes(b2, &a2);
        for (int bit = 0; bit < 256; bit++) {
            b1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            if (tc_g1_decode(&d1, b1) == TC_POINT_OK) {
                tc_g1_to_bytes(re1, &d1);
                assert_memory_equal(re1, b1, 32);
                assert_true(tc_g1_affine_is_on_curve(&d1));
            }
            b1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (int bit = it * 128; bit < it * 128 + 128; bit++) {   /* 512 bits over 4 points */
            b2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            if (tc_g2_decode(&d2, b2) == TC_POINT_OK) {
                tc_g2_to_bytes(re2, &d2);
                assert_memory_equal(re2, b2, 64);
                assert_true(tc_g2_affine_in_subgroup_ref(&d2));
            }
            b2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        /* the y-sign flag selects the other root */
        b1[31] ^= TC_FLAG_Y_LARGEST;
        assert_int_equal(tc_g1_decode(&d1, b1), TC_POINT_OK);
        tc_g1_affine n1;
        tc_g1_affine_neg(&n1, &a1);
        assert_true(tc_g1_affine_eq(&d1, &n1));
        b2[63] ^= TC_FLAG_Y_LARGEST;
        assert_int_equal(tc_g2_decode(&d2, b2), TC_POINT_OK);
        tc_g2_affine n2;
        tc_g2_affine_neg(&n2, &a2);
        assert_true(tc_g2_affine_eq(&d2, &n2));
    }
}

int main(void)
{
    vectors = tu_load_json("vectors/bn254_basic.json");
    tc_prng_seed(&rng, tu_seed("test_encoding"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fr),
        cmocka_unit_test(test_g1_rejects),
        cmocka_unit_test(test_g2_rejects),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_arkworks_produced),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_bit_flips),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
