/* PST against pst.json: setup from the given trapdoors reproduces the
 * Lagrange key, monomial key and verification key byte for byte; the
 * commitment, every honest opening's value and proof and every honest
 * slice are byte-identical; each honest row verifies, alone and batched;
 * every expect:false row is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/encoding.h"
#include "pst/pst.h"

static json_t *vectors;

static void fr_dec(tc_fr *r, const char *s)
{
    if (!tc_fr_from_dec(r, s))
        fail_msg("cannot parse field element '%s'", s);
}

static void points_of(tc_fr *z, const json_t *arr)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        fr_dec(&z[i], json_string_value(json_array_get(arr, i)));
}

static void assert_point_hex(const tc_g1_affine *p, const char *want, const char *what)
{
    char got[65];
    tc_pst_point_hex(got, p);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s want %s", what, got, want);
}

static void assert_g1_hex(const tc_g1 *p, const char *want, const char *what)
{
    tc_g1_affine a;
    tc_g1_to_affine(&a, p);
    assert_point_hex(&a, want, what);
}

static void assert_g2_hex(const tc_g2_affine *p, const char *want, const char *what)
{
    uint8_t b[TC_G2_BYTES];
    char got[2 * TC_G2_BYTES + 1];
    tc_g2_to_bytes(b, p);
    tc_hex_encode(got, b, sizeof b);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s want %s", what, got, want);
}

/* Decodes a vector point; false when it does not decode (a rejection). */
static bool point_of(tc_g1_affine *p, const char *hex)
{
    char why[TC_PST_FAULT_LEN];
    return tc_pst_point_from_hex(p, hex, why);
}

typedef struct vcase {
    const char *name;
    tc_pst_shape shape;
    size_t count;
    int64_t *vals;
    tc_pst_srs srs;
    tc_g1_affine c;
} vcase;

static void load_case(vcase *vc, const json_t *c)
{
    memset(vc, 0, sizeof *vc);
    vc->name = tu_str(c, "name");
    const json_t *sh = json_object_get(c, "shape");
    vc->shape.m = (int)json_array_size(sh);
    for (int i = 0; i < vc->shape.m; i++)
        vc->shape.n[i] = (uint32_t)json_integer_value(json_array_get(sh, (size_t)i));
    const json_t *v = json_object_get(c, "values");
    vc->count = json_array_size(v);
    vc->vals = malloc(vc->count * sizeof *vc->vals);
    for (size_t k = 0; k < vc->count; k++)
        vc->vals[k] = (int64_t)json_integer_value(json_array_get(v, k));
    tc_fr t[TC_PST_MAX_VARS];
    points_of(t, json_object_get(c, "trapdoors"));
    tc_error err;
    tc_pst_setup_opts o = {2, true, NULL, NULL};
    assert_int_equal(tc_pst_setup(&err, &vc->srs, &vc->shape, t, TC_PST_ORIGIN_EXPLICIT, &o), TC_OK);
}

static void check_keys(const vcase *vc, const json_t *c)
{
    const json_t *ck = json_object_get(c, "ck"), *mk = json_object_get(c, "mk");
    if (json_is_array(ck)) {
        assert_int_equal(json_array_size(ck), vc->count);
        for (size_t b = 0; b < vc->count; b++)
            assert_point_hex(&vc->srs.ck[b], json_string_value(json_array_get(ck, b)), "ck");
    }
    if (json_is_array(mk)) {
        for (size_t b = 0; b < vc->count; b++)
            assert_point_hex(&vc->srs.mk[b], json_string_value(json_array_get(mk, b)), "mk");
    }
    const json_t *vk = json_object_get(c, "vk");
    assert_point_hex(&vc->srs.vk.g1, tu_str(vk, "g1"), "vk.g1");
    assert_g2_hex(&vc->srs.vk.g2, tu_str(vk, "g2"), "vk.g2");
    for (int i = 0; i < vc->shape.m; i++)
        assert_g2_hex(&vc->srs.vk.tau[i],
                      json_string_value(json_array_get(json_object_get(vk, "tau_g2"), (size_t)i)),
                      "vk.tau_g2");
}

static void check_commitment(vcase *vc, const json_t *c)
{
    tc_error err;
    tc_g1 cm, cf, cmono;
    assert_int_equal(tc_pst_commit_i64(&err, &cm, &vc->srs, vc->vals, vc->count, 2), TC_OK);
    assert_g1_hex(&cm, tu_str(c, "commitment"), vc->name);
    tc_g1_to_affine(&vc->c, &cm);
    /* from field values and from the monomial coefficients: the same point */
    tc_fr *fv = malloc(vc->count * sizeof *fv), *coef = malloc(vc->count * sizeof *coef);
    const json_t *cj = json_object_get(c, "coefficients");
    for (size_t k = 0; k < vc->count; k++) {
        tc_fr_from_i64(&fv[k], vc->vals[k]);
        fr_dec(&coef[k], json_string_value(json_array_get(cj, k)));
    }
    assert_int_equal(tc_pst_commit_fr(&err, &cf, &vc->srs, fv, vc->count, 1), TC_OK);
    assert_int_equal(tc_pst_commit_monomial(&err, &cmono, &vc->srs, coef, vc->count, 1), TC_OK);
    assert_true(tc_g1_eq(&cm, &cf));
    assert_true(tc_g1_eq(&cm, &cmono));
    free(fv);
    free(coef);
}

/* Builds an opening from a vector row; false when a point does not decode. */
static bool row_opening(tc_pst_opening *o, const json_t *row, int m)
{
    memset(o, 0, sizeof *o);
    o->m = m;
    points_of(o->z, json_object_get(row, "point"));
    fr_dec(&o->y, tu_str(row, "y"));
    const json_t *pr = json_object_get(row, "proofs");
    if (json_array_size(pr) != (size_t)m)
        return false;
    for (int i = 0; i < m; i++)
        if (!point_of(&o->pi[i], json_string_value(json_array_get(pr, (size_t)i))))
            return false;
    return true;
}

static void check_openings(const vcase *vc, const json_t *c)
{
    tc_error err;
    const json_t *ops = json_object_get(c, "openings");
    size_t n = json_array_size(ops), n_good = 0;
    tc_pst_opening *good = calloc(n + 1, sizeof *good);
    tc_g1_affine *cs = calloc(n + 1, sizeof *cs);
    tc_pst_opening bad;
    bool have_bad = false;
    for (size_t k = 0; k < n; k++) {
        const json_t *row = json_array_get(ops, k);
        bool expect = json_is_true(json_object_get(row, "expect"));
        tc_pst_opening o;
        bool decoded = row_opening(&o, row, vc->shape.m), ok = false;
        if (decoded)
            assert_int_equal(tc_pst_verify(&err, &ok, &vc->srs.vk, &vc->c, &o), TC_OK);
        if (ok != expect)
            fail_msg("%s opening %zu: verify %d, expected %d", vc->name, k, ok, expect);
        if (!expect) {
            if (decoded && !have_bad)
                bad = o, have_bad = true;
            continue;
        }
        /* our prover gives the same bytes */
        tc_pst_opening mine;
        assert_int_equal(tc_pst_open(&err, &mine, &vc->srs, vc->vals, vc->count, o.z, 1, 2), TC_OK);
        assert_true(tc_fr_eq(&mine.y, &o.y));
        const json_t *pr = json_object_get(row, "proofs");
        for (int i = 0; i < vc->shape.m; i++)
            assert_point_hex(&mine.pi[i], json_string_value(json_array_get(pr, (size_t)i)), "proof");
        good[n_good] = o;
        cs[n_good++] = vc->c;
    }
    /* batch: all honest rows together accept; one bad row rejects */
    bool ok = false;
    assert_int_equal(tc_pst_verify_batch(&err, &ok, &vc->srs.vk, cs, good, n_good, 2), TC_OK);
    assert_true(ok);
    if (have_bad) {
        good[n_good] = bad;
        cs[n_good] = vc->c;
        assert_int_equal(tc_pst_verify_batch(&err, &ok, &vc->srs.vk, cs, good, n_good + 1, 2), TC_OK);
        assert_false(ok);
    }
    free(good);
    free(cs);
}

static void check_slices(const vcase *vc, const json_t *c)
{
    tc_error err;
    const json_t *sl = json_object_get(c, "slice_openings");
    for (size_t k = 0; k < json_array_size(sl); k++) {
        const json_t *row = json_array_get(sl, k);
        bool expect = json_is_true(json_object_get(row, "expect"));
        tc_pst_slice s;
        memset(&s, 0, sizeof s);
        s.j = (int)json_integer_value(json_object_get(row, "j"));
        points_of(s.z, json_object_get(row, "point"));
        const json_t *sv = json_object_get(row, "slice_values");
        s.count = json_array_size(sv);
        s.values = malloc((s.count + 1) * sizeof *s.values);
        for (size_t b = 0; b < s.count; b++)
            fr_dec(&s.values[b], json_string_value(json_array_get(sv, b)));
        const json_t *pr = json_object_get(row, "proofs");
        bool decoded = json_array_size(pr) == (size_t)s.j, ok = false;
        for (int i = 0; decoded && i < s.j; i++)
            decoded = point_of(&s.pi[i], json_string_value(json_array_get(pr, (size_t)i)));
        const tc_g1_affine *keys = tc_pst_srs_level(&vc->srs, s.j);
        /* the slice commitment C_g */
        tc_g1 cg;
        assert_int_equal(tc_pst_msm_fr_var(&err, &cg, keys, s.values, s.count, 1), TC_OK);
        assert_g1_hex(&cg, tu_str(row, "slice_commitment"), "slice commitment");
        if (decoded)
            assert_int_equal(tc_pst_verify_slice(&err, &ok, &vc->srs.vk, keys, &vc->c, &s), TC_OK);
        if (ok != expect)
            fail_msg("%s slice %zu: verify %d, expected %d", vc->name, k, ok, expect);
        if (expect) {
            tc_pst_slice mine;
            assert_int_equal(tc_pst_open_slice(&err, &mine, &vc->srs, vc->vals, vc->count, s.z,
                                               s.j, 2), TC_OK);
            assert_int_equal(mine.count, s.count);
            for (size_t b = 0; b < s.count; b++)
                assert_true(tc_fr_eq(&mine.values[b], &s.values[b]));
            for (int i = 0; i < s.j; i++)
                assert_point_hex(&mine.pi[i], json_string_value(json_array_get(pr, (size_t)i)),
                                 "slice proof");
            tc_pst_slice_free(&mine);
        }
        tc_pst_slice_free(&s);
    }
}

static void test_vectors(void **state)
{
    (void)state;
    const json_t *cases = json_object_get(vectors, "cases");
    assert_int_equal(json_array_size(cases), 15);
    for (size_t ci = 0; ci < json_array_size(cases); ci++) {
        const json_t *c = json_array_get(cases, ci);
        vcase vc;
        load_case(&vc, c);
        check_keys(&vc, c);
        check_commitment(&vc, c);
        check_openings(&vc, c);
        check_slices(&vc, c);
        tc_error err;
        bool ok = false;
        assert_int_equal(tc_pst_srs_check(&err, &ok, &vc.srs, 2), TC_OK);
        if (!ok)
            fail_msg("%s: srs check: %s", vc.name, err.msg);
        tc_pst_srs_free(&vc.srs);
        free(vc.vals);
    }
}

int main(void)
{
    vectors = tu_load_json("vectors/pst.json");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
