/* PST scalar layer against pst.json: f(t), the monomial coefficients, the
 * opening values y = f(z), the quotient values q_i(t_i..t_{m−1}) and the
 * slice values; plus properties of the Lagrange basis on random points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "pst/pst.h"

static json_t *vectors;
static tc_prng rng;

static void fr_dec(tc_fr *r, const char *s)
{
    if (!tc_fr_from_dec(r, s))
        fail_msg("cannot parse field element '%s'", s);
}

static void assert_fr_dec(const tc_fr *a, const char *want, const char *what)
{
    char got[80];
    tc_fr_to_dec(got, a);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s want %s", what, got, want);
}

static void case_shape(tc_pst_shape *s, const json_t *c)
{
    memset(s, 0, sizeof *s);
    const json_t *sh = json_object_get(c, "shape");
    s->m = (int)json_array_size(sh);
    for (int i = 0; i < s->m; i++)
        s->n[i] = (uint32_t)json_integer_value(json_array_get(sh, (size_t)i));
}

static tc_fr *case_values(const json_t *c, size_t *count)
{
    const json_t *v = json_object_get(c, "values");
    *count = json_array_size(v);
    tc_fr *out = malloc(*count * sizeof *out);
    assert_non_null(out);
    for (size_t k = 0; k < *count; k++)
        tc_fr_from_i64(&out[k], (int64_t)json_integer_value(json_array_get(v, k)));
    return out;
}

static void points_of(tc_fr *z, const json_t *arr)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        fr_dec(&z[i], json_string_value(json_array_get(arr, i)));
}

/* suffix shape of s from level j */
static tc_pst_shape suffix(const tc_pst_shape *s, int j)
{
    tc_pst_shape r;
    memset(&r, 0, sizeof r);
    r.m = s->m - j;
    for (int i = j; i < s->m; i++)
        r.n[i - j] = s->n[i];
    return r;
}

static void test_vectors_scalar(void **state)
{
    (void)state;
    const json_t *cases = json_object_get(vectors, "cases");
    assert_true(json_array_size(cases) > 0);
    size_t n_open = 0, n_slice = 0;
    for (size_t ci = 0; ci < json_array_size(cases); ci++) {
        const json_t *c = json_array_get(cases, ci);
        const char *name = tu_str(c, "name");
        tc_pst_shape s;
        case_shape(&s, c);
        size_t count;
        tc_fr *vals = case_values(c, &count);
        assert_int_equal(count, tc_pst_suffix_size(&s, 0));
        tc_fr t[TC_PST_MAX_VARS], y;
        points_of(t, json_object_get(c, "trapdoors"));
        tc_error err;
        assert_int_equal(tc_pst_eval(&err, &y, &s, vals, t), TC_OK);
        assert_fr_dec(&y, tu_str(c, "debug_f_at_trapdoor"), name);

        /* coefficients */
        tc_fr *coef = malloc(count * sizeof *coef);
        assert_int_equal(tc_pst_interpolate(&err, coef, vals, &s, 2), TC_OK);
        const json_t *cj = json_object_get(c, "coefficients");
        assert_int_equal(json_array_size(cj), count);
        for (size_t k = 0; k < count; k++)
            assert_fr_dec(&coef[k], json_string_value(json_array_get(cj, k)), "coefficient");
        free(coef);

        /* openings: y and q_i(t) for the honest rows */
        tc_fr *q[TC_PST_MAX_VARS];
        for (int i = 0; i < s.m; i++)
            q[i] = malloc(tc_pst_suffix_size(&s, i) * sizeof(tc_fr));
        tc_fr *fj = malloc(count * sizeof(tc_fr));
        const json_t *ops = json_object_get(c, "openings");
        for (size_t k = 0; k < json_array_size(ops); k++) {
            const json_t *o = json_array_get(ops, k);
            if (!json_is_true(json_object_get(o, "expect")))
                continue;
            tc_fr z[TC_PST_MAX_VARS];
            points_of(z, json_object_get(o, "point"));
            assert_int_equal(tc_pst_open_scalars(&err, q, fj, &s, vals, z, s.m), TC_OK);
            assert_fr_dec(&fj[0], tu_str(o, "y"), "opening y");
            tc_fr y2;
            assert_int_equal(tc_pst_eval(&err, &y2, &s, vals, z), TC_OK);
            assert_true(tc_fr_eq(&y2, &fj[0]));
            const json_t *dq = json_object_get(o, "debug_q_at_trapdoor");
            for (int i = 0; i < s.m; i++) {
                tc_pst_shape sub = suffix(&s, i);
                tc_fr qt;
                assert_int_equal(tc_pst_eval(&err, &qt, &sub, q[i], t + i), TC_OK);
                assert_fr_dec(&qt, json_string_value(json_array_get(dq, (size_t)i)), "q_i(t)");
            }
            n_open++;
        }
        const json_t *sl = json_object_get(c, "slice_openings");
        for (size_t k = 0; k < json_array_size(sl); k++) {
            const json_t *o = json_array_get(sl, k);
            if (!json_is_true(json_object_get(o, "expect")))
                continue;
            int j = (int)json_integer_value(json_object_get(o, "j"));
            tc_fr z[TC_PST_MAX_VARS];
            points_of(z, json_object_get(o, "point"));
            assert_int_equal(tc_pst_open_scalars(&err, q, fj, &s, vals, z, j), TC_OK);
            const json_t *sv = json_object_get(o, "slice_values");
            assert_int_equal(json_array_size(sv), tc_pst_suffix_size(&s, j));
            for (size_t b = 0; b < json_array_size(sv); b++)
                assert_fr_dec(&fj[b], json_string_value(json_array_get(sv, b)), "slice value");
            n_slice++;
        }
        for (int i = 0; i < s.m; i++)
            free(q[i]);
        free(fj);
        free(vals);
    }
    assert_int_equal(n_open, 50);
    assert_int_equal(n_slice, 28);
}

static void random_fr(tc_fr *r)
{
    uint8_t b[64];
    for (int i = 0; i < 8; i++) {
        uint64_t v = tc_prng_next(&rng);
        memcpy(b + 8 * i, &v, 8);
    }
    tc_fr_from_bytes_wide(r, b);
}

/* Σ_u λ_u(x) = 1, Σ_u λ'_u(x) = 0, Σ_u u·λ'_u(x) = 1, λ_u(v) = δ_uv. */
static void test_lagrange_identities(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= TC_PST_MAX_N; n++) {
        for (int trial = 0; trial < 3 + (int)n; trial++) {
            tc_fr x, lam[TC_PST_MAX_N], dlam[TC_PST_MAX_N], s0, s1, s2, one;
            if (trial < (int)n)
                tc_fr_from_u64(&x, (uint64_t)trial);
            else
                random_fr(&x);
            tc_pst_lagrange(lam, dlam, n, &x);
            tc_fr_zero(&s0);
            tc_fr_zero(&s1);
            tc_fr_zero(&s2);
            for (uint32_t u = 0; u < n; u++) {
                tc_fr uu, t;
                tc_fr_add(&s0, &s0, &lam[u]);
                tc_fr_add(&s1, &s1, &dlam[u]);
                tc_fr_from_u64(&uu, u);
                tc_fr_mul(&t, &uu, &dlam[u]);
                tc_fr_add(&s2, &s2, &t);
                if (trial < (int)n) {
                    if (u == (uint32_t)trial)
                        assert_true(tc_fr_is_one(&lam[u]));
                    else
                        assert_true(tc_fr_is_zero(&lam[u]));
                }
            }
            tc_fr_one(&one);
            assert_true(tc_fr_eq(&s0, &one));
            assert_true(tc_fr_is_zero(&s1));
            if (n > 1)
                assert_true(tc_fr_eq(&s2, &one));
        }
    }
}

/* Interpolation then evaluating the monomials at a random point equals
 * evaluating the Lagrange form; q_i satisfies the division identity
 * f_i(x, r) − f_{i+1}(r) = (x − z)·q_i(x, r) at a random x. */
static void test_random_shapes(void **state)
{
    (void)state;
    tc_error err;
    for (int trial = 0; trial < 40; trial++) {
        tc_pst_shape s;
        memset(&s, 0, sizeof s);
        s.m = 1 + (int)tc_prng_below(&rng, 4);
        size_t total = 1;
        for (int i = 0; i < s.m; i++) {
            s.n[i] = 1 + (uint32_t)tc_prng_below(&rng, 7);
            total *= s.n[i];
        }
        tc_fr *vals = malloc(total * sizeof *vals), *coef = malloc(total * sizeof *coef);
        for (size_t k = 0; k < total; k++)
            tc_fr_from_i64(&vals[k], (int64_t)tc_prng_below(&rng, 1u << 20) - (1 << 19));
        assert_int_equal(tc_pst_interpolate(&err, coef, vals, &s, 1 + trial % 3), TC_OK);
        tc_fr x[TC_PST_MAX_VARS], y, ym, mono;
        for (int i = 0; i < s.m; i++)
            random_fr(&x[i]);
        assert_int_equal(tc_pst_eval(&err, &y, &s, vals, x), TC_OK);
        tc_fr_zero(&ym);
        for (size_t k = 0; k < total; k++) {
            size_t rem = k;
            tc_fr_one(&mono);
            for (int i = s.m - 1; i >= 0; i--) {
                size_t a = rem % s.n[i];
                rem /= s.n[i];
                for (size_t e = 0; e < a; e++)
                    tc_fr_mul(&mono, &mono, &x[i]);
            }
            tc_fr_mul(&mono, &mono, &coef[k]);
            tc_fr_add(&ym, &ym, &mono);
        }
        assert_true(tc_fr_eq(&y, &ym));

        /* division identity for axis 0 at a grid or a random z */
        tc_fr z;
        if (trial % 2)
            tc_fr_from_u64(&z, tc_prng_below(&rng, s.n[0]));
        else
            random_fr(&z);
        size_t rest = total / s.n[0];
        tc_fr *q = malloc(total * sizeof *q), *fn = malloc(rest * sizeof *fn);
        tc_pst_quotient_step(q, fn, vals, s.n[0], rest, &z, 1 + trial % 2);
        tc_fr lam[TC_PST_MAX_N];
        tc_pst_lagrange(lam, NULL, s.n[0], &x[0]);
        tc_fr *fx = malloc(rest * sizeof *fx), *qx = malloc(rest * sizeof *qx);
        tc_pst_fold(fx, vals, s.n[0], rest, lam);
        tc_pst_fold(qx, q, s.n[0], rest, lam);
        for (size_t r = 0; r < rest; r++) {
            tc_fr lhs, rhs, d;
            tc_fr_sub(&lhs, &fx[r], &fn[r]);
            tc_fr_sub(&d, &x[0], &z);
            tc_fr_mul(&rhs, &d, &qx[r]);
            assert_true(tc_fr_eq(&lhs, &rhs));
        }
        free(q), free(fn), free(fx), free(qx), free(vals), free(coef);
    }
}

static void test_coefficients_json(void **state)
{
    (void)state;
    tc_pst_shape s = {.m = 2, .n = {2, 3}};
    tc_fr vals[6];
    for (int k = 0; k < 6; k++)
        tc_fr_from_i64(&vals[k], k == 5 ? -1 : k);
    tc_error err;
    char *json = NULL;
    assert_int_equal(tc_pst_interpolate(&err, vals, vals, &s, 1), TC_OK);
    assert_int_equal(tc_pst_coefficients_json(&err, &json, &s, vals), TC_OK);
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "degree_bound")), 3);
    assert_int_equal(json_array_size(json_object_get(j, "coefficients")), 6);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "dims"), 1)), 3);
    /* f(0,0) = 0 is the constant term */
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "coefficients"), 0)), "0");
    json_decref(j);
    free(json);
}

static void test_shape_parse(void **state)
{
    (void)state;
    tc_pst_shape s;
    assert_true(tc_pst_shape_parse(&s, "6,6,6"));
    assert_int_equal(s.m, 3);
    assert_false(tc_pst_shape_parse(&s, "6,,6"));
    assert_false(tc_pst_shape_parse(&s, "17"));
    assert_false(tc_pst_shape_parse(&s, "0,2"));
    assert_false(tc_pst_shape_parse(&s, ""));
    assert_false(tc_pst_shape_parse(&s, "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2"));
    assert_true(tc_pst_shape_parse(&s, "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2"));
}

int main(void)
{
    vectors = tu_load_json("vectors/pst.json");
    tc_prng_seed(&rng, tu_seed("test_pst_scalar"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_scalar),
        cmocka_unit_test(test_lagrange_identities),
        cmocka_unit_test(test_random_shapes),
        cmocka_unit_test(test_coefficients_json),
        cmocka_unit_test(test_shape_parse),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
