/* Quantization: hand-computed cases (halfway, long decimal expansions,
 * negative zero, subnormals, overflow, non-finite).  With --dump it prints
 * random cases for the independent exact check in quantize_check.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/testutil.h"
#include "tensor/quantize.h"

static tc_quant_params dec(int sf, int qz)
{
    tc_quant_params q;
    assert_int_equal(tc_quant_decimal(NULL, &q, sf, qz), TC_OK);
    return q;
}

static tc_quant_params bin(int k)
{
    tc_quant_params q;
    assert_int_equal(tc_quant_binary(NULL, &q, k), TC_OK);
    return q;
}

static int64_t qf(const tc_quant_params *q, float x)
{
    int64_t v = 12345;
    assert_true(tc_quant_value_f32(q, x, &v));
    return v;
}

static void test_exponent_rule(void **s)
{
    (void)s;
    assert_int_equal(dec(16, 50).exponent, 8);      /* 16 − floor(8) */
    assert_int_equal(dec(16, 0).exponent, 16);
    assert_int_equal(dec(16, 100).exponent, 0);
    assert_int_equal(dec(10, 33).exponent, 7);      /* 10 − floor(3.3) */
    assert_int_equal(dec(-5, 50).exponent, -2);     /* −5 − floor(−2.5) = −5 + 3 */
    tc_quant_params q;
    tc_error err;
    assert_int_equal(tc_quant_decimal(&err, &q, 16, 101), TC_EARG);
    assert_int_equal(tc_quant_decimal(&err, &q, 20, 0), TC_EARG);
}

static void test_halfway_even(void **s)
{
    (void)s;
    tc_quant_params r0 = bin(0), d1 = dec(1, 0);
    assert_int_equal(qf(&r0, 0.5f), 0);
    assert_int_equal(qf(&r0, 1.5f), 2);
    assert_int_equal(qf(&r0, 2.5f), 2);
    assert_int_equal(qf(&r0, -2.5f), -2);
    assert_int_equal(qf(&r0, -3.5f), -4);
    assert_int_equal(qf(&d1, 0.25f), 2);            /* 2.5 → 2 */
    assert_int_equal(qf(&d1, 0.75f), 8);            /* 7.5 → 8 */
    /* 0.05f is 0.0500000007450580596923828125: just above 0.5 after ×10 */
    assert_int_equal(qf(&d1, 0.05f), 1);
    /* 0.15f is 0.1500000059604644775390625 → 1.500000059… → 2 */
    assert_int_equal(qf(&d1, 0.15f), 2);
    /* 0.35f is 0.3499999940395355224609375 → 3.49999994… → 3 */
    assert_int_equal(qf(&d1, 0.35f), 3);
}

static void test_long_expansion(void **s)
{
    (void)s;
    /* x = (2^23 + 1)·2^−15 = 256.000030517578125 (exact in float); with
     * s = 14, x·10^14 = (2^23 + 1)·5^14 / 2 = 25600003051757812.5 exactly,
     * which needs 55 bits: a double product cannot even represent the tie.
     * Half to even gives …812. */
    tc_quant_params q = dec(14, 0);
    float x = ldexpf(8388609.0f, -15);
    assert_true((double)x == 256.000030517578125);
    assert_int_equal(qf(&q, x), 25600003051757812LL);
    assert_int_equal(qf(&q, -x), -25600003051757812LL);
    /* the default scale, s = 8: 1/3 as a float is 0.3333333432674407958984375 */
    tc_quant_params d = dec(16, 50);
    assert_int_equal(qf(&d, 1.0f / 3.0f), 33333334);
    assert_int_equal(qf(&d, -1.0f / 3.0f), -33333334);
    /* 0.1f = 0.100000001490116119384765625 → 10000000.149… → 10000000 */
    assert_int_equal(qf(&d, 0.1f), 10000000);
}

static void test_zero_subnormal(void **s)
{
    (void)s;
    tc_quant_params d = dec(16, 50);
    assert_int_equal(qf(&d, 0.0f), 0);
    assert_int_equal(qf(&d, -0.0f), 0);
    float tiny = ldexpf(1.0f, -149);                /* smallest subnormal */
    assert_true(tiny > 0.0f);
    assert_int_equal(qf(&d, tiny), 0);
    tc_quant_params b149 = bin(149), b148 = bin(148);
    assert_int_equal(qf(&b149, tiny), 1);
    assert_int_equal(qf(&b148, tiny), 0);           /* 0.5 → 0 */
    assert_int_equal(qf(&b148, 3 * tiny), 2);       /* 1.5 → 2 */
    assert_int_equal(qf(&b148, -3 * tiny), -2);
    tc_quant_params b150 = bin(150);
    assert_int_equal(qf(&b150, 5 * tiny), 10);
}

static void test_overflow_nonfinite(void **s)
{
    (void)s;
    tc_quant_params d = dec(16, 50);
    int64_t v;
    assert_false(tc_quant_value_f32(&d, 1e11f, &v));     /* 1e19 > 2^63 − 1 */
    assert_false(tc_quant_value_f32(&d, -1e11f, &v));
    assert_true(tc_quant_value_f32(&d, 68719476736.0f, &v)); /* 2^36·10^8 < 2^63 */
    assert_int_equal(v, 6871947673600000000LL);
    assert_false(tc_quant_value_f32(&d, NAN, &v));
    assert_false(tc_quant_value_f32(&d, INFINITY, &v));
    tc_quant_params b = bin(0);
    b.max_bits = 40;                                     /* |v| ≤ 2^40 − 1 */
    assert_true(tc_quant_value_f64(&b, 1099511627775.0, &v));
    assert_int_equal(v, 1099511627775LL);
    assert_false(tc_quant_value_f64(&b, 1099511627776.0, &v));
    assert_false(tc_quant_value_f64(&b, 1099511627775.5, &v));   /* rounds up to 2^40 */
    assert_true(tc_quant_value_f64(&b, 1099511627774.5, &v));    /* to even: …774 */
    assert_int_equal(v, 1099511627774LL);
    tc_quant_params big = bin(1074);
    assert_false(tc_quant_value_f64(&big, 1.0, &v));
    tc_quant_params neg = dec(-19, 0);
    assert_true(tc_quant_value_f64(&neg, 5e18, &v));             /* 0.5 → 0 */
    assert_int_equal(v, 0);
    assert_true(tc_quant_value_f64(&neg, 1.5e19, &v));           /* 1.5 → 2 */
    assert_int_equal(v, 2);
}

static void test_tensor_error_names_position(void **s)
{
    (void)s;
    tc_quant_params d = dec(16, 50);
    float x[2][3] = {{0.5f, 1.0f, -2.0f}, {3.0f, 2e12f, 0.0f}};
    int64_t out[6];
    tc_error err;
    assert_int_equal(tc_quantize_f32(&err, &d, out, &x[0][0], 2, 3), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "layer 1, position 1"));
    x[1][1] = NAN;
    assert_int_equal(tc_quantize_f32(&err, &d, out, &x[0][0], 2, 3), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "not finite"));
    x[1][1] = 4.0f;
    assert_int_equal(tc_quantize_f32(&err, &d, out, &x[0][0], 2, 3), TC_OK);
    assert_int_equal(out[4], 400000000);
    assert_int_equal(out[2], -200000000);
    assert_true(fabs(tc_dequant_value(&d, out[4]) - 4.0) < 1e-12);
}

/* tc_quant_value_f32 has its own 64-bit path for 0 ≤ s ≤ 11 and the binary
 * rule; it must agree with the general path (the exact widening to double)
 * on every input, including overflow at small max_bits, halfway cases
 * (few mantissa bits, exponents around the rounding point) and subnormals. */
static void test_f32_path_matches_general(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, tu_seed("test_quantize f32"));
    static const int max_bits[] = {1, 8, 24, 31, 40, 62, 63};
    long agreed = 0;
    for (int i = 0; i < 400000; i++) {
        uint32_t bits = (uint32_t)tc_prng_next(&g);
        int shape = (int)tc_prng_below(&g, 4);
        if (shape == 0)                       /* exponent near 2^0: rounding matters */
            bits = (bits & 0x807fffffu) | ((uint32_t)(100 + tc_prng_below(&g, 60)) << 23);
        else if (shape == 1)                  /* few mantissa bits: exact halves */
            bits &= 0xfff00000u | (uint32_t)tc_prng_below(&g, 2);
        else if (shape == 2)                  /* subnormal or zero */
            bits &= 0x803fffffu >> (uint32_t)tc_prng_below(&g, 22);
        float x;
        memcpy(&x, &bits, 4);
        tc_quant_params q;
        if (tc_prng_below(&g, 3) == 0)
            assert_int_equal(tc_quant_binary(NULL, &q, (int)tc_prng_below(&g, 161) - 80), TC_OK);
        else
            assert_int_equal(tc_quant_decimal(NULL, &q, (int)tc_prng_below(&g, 14) - 1, 0), TC_OK);
        q.max_bits = max_bits[tc_prng_below(&g, sizeof max_bits / sizeof max_bits[0])];
        int64_t a = 7, b = 7;
        bool oka = tc_quant_value_f32(&q, x, &a), okb = tc_quant_value_f64(&q, (double)x, &b);
        if (oka != okb || (oka && a != b))
            fail_msg("x = %a (bits %08x), rule %d, exponent %d, max_bits %d: f32 %d/%lld, "
                     "general %d/%lld", (double)x, bits, (int)q.rule, q.exponent, q.max_bits,
                     oka, (long long)a, okb, (long long)b);
        agreed += oka;
    }
    assert_true(agreed > 100000);   /* most draws fit: the comparison is not vacuous */
}

/* Random floats of every magnitude and exponents for the Python check. */
static int dump(uint64_t seed, int n)
{
    tc_prng g;
    tc_prng_seed(&g, seed);
    for (int i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)tc_prng_next(&g);
        float x;
        memcpy(&x, &bits, 4);
        if (!isfinite(x))
            continue;
        bool binary = tc_prng_below(&g, 2);
        tc_quant_params q;
        if (binary) {
            if (tc_quant_binary(NULL, &q, (int)tc_prng_below(&g, 301) - 150) != TC_OK)
                return 1;
        } else if (tc_quant_decimal(NULL, &q, (int)tc_prng_below(&g, 39) - 19, 0) != TC_OK) {
            return 1;
        }
        int64_t v;
        bool ok = tc_quant_value_f32(&q, x, &v);
        printf("%s %d %a %s\n", binary ? "bin" : "dec", q.exponent, (double)x,
               ok ? "" : "overflow");
        if (ok)
            printf("= %lld\n", (long long)v);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--dump"))
        return dump(tu_seed("test_quantize"), argc >= 3 ? atoi(argv[2]) : 20000);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exponent_rule),
        cmocka_unit_test(test_halfway_even),
        cmocka_unit_test(test_long_expansion),
        cmocka_unit_test(test_zero_subnormal),
        cmocka_unit_test(test_overflow_nonfinite),
        cmocka_unit_test(test_tensor_error_names_position),
        cmocka_unit_test(test_f32_path_matches_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
