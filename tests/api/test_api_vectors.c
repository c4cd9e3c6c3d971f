/* The public API against the known answers of tests/vectors/pst.json (made
 * by an independent implementation): setup from the given trapdoors, the
 * commitment, every honest opening's value and proof bytes and every honest
 * slice through tc_proof_to_json; each honest item verifies, and every
 * expect:false item, read back through tc_proof_from_json, is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "api/api_test.h"
#include "tensorcommit.h"

static json_t *vectors;

static void scalars_of(tc_scalar *z, const json_t *arr)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        OK(tc_scalar_from_dec(err, &z[i], json_string_value(json_array_get(arr, i))));
}

/* The case's grid as int64 and its shape. */
static int64_t *grid_of(const json_t *c, uint32_t *dims, int *ndim)
{
    const json_t *shape = json_object_get(c, "shape"), *vals = json_object_get(c, "values");
    *ndim = (int)json_array_size(shape);
    for (int i = 0; i < *ndim; i++)
        dims[i] = (uint32_t)json_integer_value(json_array_get(shape, (size_t)i));
    int64_t *g = malloc(json_array_size(vals) * sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < json_array_size(vals); i++)
        g[i] = json_integer_value(json_array_get(vals, i));
    return g;
}

/* The first item of `key` in the proof's JSON text. */
static json_t *first_item(const tc_proof *p, const char *key)
{
    char *text = NULL;
    OK(tc_proof_to_json(err, &text, p));
    json_t *root = json_loads(text, 0, NULL);
    tc_free(text);
    assert_non_null(root);
    json_t *item = json_incref(json_array_get(json_object_get(root, key), 0));
    json_decref(root);
    assert_non_null(item);
    return item;
}

/* Verifies a proof made of one vector row: ok, or rejected (at decoding, as
 * an item's fault, or by the pairing check). */
static bool row_verifies(const tc_vk *vk, const json_t *c, const json_t *row, bool slice)
{
    json_t *doc = json_pack("{s:O, s:O, s:[], s:[]}", "commitment", json_object_get(c, "commitment"),
                            "shape", json_object_get(c, "shape"), "openings", "slices");
    json_t *item = slice ? json_pack("{s:O, s:O, s:O}", "prefix", json_object_get(row, "point"),
                                     "values", json_object_get(row, "slice_values"), "proof",
                                     json_object_get(row, "proofs"))
                         : json_pack("{s:O, s:O, s:O}", "point", json_object_get(row, "point"),
                                     "value", json_object_get(row, "y"), "proof",
                                     json_object_get(row, "proofs"));
    json_array_append_new(json_object_get(doc, slice ? "slices" : "openings"), item);
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    tc_error err = {0};
    tc_proof *p = NULL;
    bool ok = false;
    if (tc_proof_from_json(&err, &p, text, strlen(text)) == TC_OK &&
        tc_proof_verify_var(&err, &ok, vk, p) != TC_OK)
        fail_msg("verify: %s", err.msg);
    tc_proof_free(p);
    free(text);
    return ok;
}

static void check_opening(const json_t *c, const json_t *o, const tc_srs *srs, const tc_vk *vk,
                          const int64_t *grid, const uint32_t *dims, int ndim,
                          const tc_commitment *cm)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    bool expect = json_is_true(json_object_get(o, "expect"));
    if (expect) {
        tc_scalar z[TC_MAX_DIMS], y;
        char dec[80];
        tc_proof *p = NULL;
        scalars_of(z, json_object_get(o, "point"));
        OK(tc_grid_eval_var(err, &y, grid, dims, ndim, z));
        OK(tc_scalar_to_dec(err, dec, &y));
        assert_string_equal(dec, json_string_value(json_object_get(o, "y")));
        OK(tc_proof_new(err, &p, srs, cm));
        OK(tc_proof_open_field_var(err, p, srs, grid, dims, ndim, z, 1, 2));
        json_t *item = first_item(p, "openings");
        if (!json_equal(json_object_get(item, "proof"), json_object_get(o, "proofs")) ||
            !json_equal(json_object_get(item, "value"), json_object_get(o, "y")))
            fail_msg("%s: opening differs from the vector", name);
        json_decref(item);
        bool ok = false;
        OK(tc_proof_verify_var(err, &ok, vk, p));
        assert_true(ok);
        tc_proof_free(p);
    }
    if (row_verifies(vk, c, o, false) != expect)
        fail_msg("%s: an opening with expect %d", name, expect);
}

static void check_slice(const json_t *c, const json_t *s, const tc_srs *srs, const tc_vk *vk,
                        const int64_t *grid, const uint32_t *dims, int ndim,
                        const tc_commitment *cm)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    bool expect = json_is_true(json_object_get(s, "expect"));
    if (expect) {
        tc_scalar z[TC_MAX_DIMS];
        tc_proof *p = NULL;
        const json_t *pt = json_object_get(s, "point");
        scalars_of(z, pt);
        OK(tc_proof_new(err, &p, srs, cm));
        OK(tc_proof_open_slice_var(err, p, srs, grid, dims, ndim, z, (int)json_array_size(pt), 1));
        json_t *item = first_item(p, "slices");
        if (!json_equal(json_object_get(item, "proof"), json_object_get(s, "proofs")) ||
            !json_equal(json_object_get(item, "values"), json_object_get(s, "slice_values")))
            fail_msg("%s: slice differs from the vector", name);
        json_decref(item);
        tc_proof_free(p);
    }
    if (row_verifies(vk, c, s, true) != expect)
        fail_msg("%s: a slice with expect %d", name, expect);
}

static void test_vectors(void **state)
{
    (void)state;
    const json_t *cases = json_object_get(vectors, "cases");
    assert_true(json_array_size(cases) >= 10);
    for (size_t ci = 0; ci < json_array_size(cases); ci++) {
        const json_t *c = json_array_get(cases, ci);
        uint32_t dims[TC_MAX_DIMS];
        int ndim;
        int64_t *grid = grid_of(c, dims, &ndim);
        tc_scalar t[TC_MAX_DIMS];
        tc_srs *srs = NULL;
        tc_vk *vk = NULL;
        tc_commitment cm;
        char hex[65];
        scalars_of(t, json_object_get(c, "trapdoors"));
        OK(tc_srs_setup_trapdoors(err, &srs, dims, ndim, t, 2));
        assert_true(tc_srs_is_testing(srs));
        OK(tc_vk_from_srs(err, &vk, srs, 1));
        OK(tc_commit_var(err, &cm, srs, grid, dims, ndim, 2));
        tc_commitment_to_hex(hex, &cm);
        assert_string_equal(hex, json_string_value(json_object_get(c, "commitment")));
        const json_t *o, *s;
        size_t k;
        json_array_foreach(json_object_get(c, "openings"), k, o)
            check_opening(c, o, srs, vk, grid, dims, ndim, &cm);
        json_array_foreach(json_object_get(c, "slice_openings"), k, s)
            check_slice(c, s, srs, vk, grid, dims, ndim, &cm);
        tc_vk_free(vk);
        tc_srs_free(srs);
        free(grid);
    }
}

int main(void)
{
    vectors = tu_load_json("vectors/pst.json");
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_vectors)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
