/* The public API: setup → commit → open → verify round trips with every
 * kind of opening, the JSON and binary encodings, saved and loaded keys;
 * tampered values, proofs and commitments rejected; bad arguments answered
 * with TC_EARG and a message, never a crash; quantization and scalars
 * against hand-computed answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/testutil.h"
#include "api/api_test.h"
#include "tensorcommit.h"

/* The call fails with status `want` and a non-empty message. */

static const uint32_t dims[3] = {4, 3, 5};
#define N 60

typedef struct fixture {
    tc_srs *srs;
    tc_vk *vk;                  /* with slice level 1 */
    int64_t grid[N];
    tc_commitment c;
} fixture;

static int setup(void **state)
{
    static fixture f;
    tc_prng g;
    tc_prng_seed(&g, tu_seed("test_api"));
    for (int i = 0; i < N; i++)
        f.grid[i] = (int64_t)tc_prng_next(&g) >> (i % 40);
    OK(tc_srs_setup_seeded(err, &f.srs, dims, 3, (const uint8_t *)"api", 3, 2));
    OK(tc_vk_from_srs(err, &f.vk, f.srs, 1));
    OK(tc_commit_var(err, &f.c, f.srs, f.grid, dims, 3, 2));
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tc_vk_free(f->vk);
    tc_srs_free(f->srs);
    return 0;
}

static bool verifies(const tc_vk *vk, const tc_proof *p)
{
    bool ok = true;
    OK(tc_proof_verify_var(err, &ok, vk, p));
    return ok;
}

/* A proof with two grid openings, one field opening and two slices. */
static tc_proof *full_proof(const fixture *f, const int64_t *grid)
{
    const uint32_t pts[6] = {0, 0, 0, 3, 2, 4};
    tc_scalar z[3], pre[2];
    tc_proof *p = NULL;
    tc_scalar_from_i64(&z[0], -7);
    OK(tc_scalar_from_dec(err, &z[1], "12345678901234567890123456789"));
    tc_scalar_from_i64(&z[2], 99);
    tc_scalar_from_i64(&pre[0], 2);
    tc_scalar_from_i64(&pre[1], 1);
    OK(tc_proof_new(err, &p, f->srs, &f->c));
    OK(tc_proof_open_grid_var(err, p, f->srs, grid, dims, 3, pts, 2, 2));
    OK(tc_proof_open_field_var(err, p, f->srs, grid, dims, 3, z, 1, 1));
    OK(tc_proof_open_slice_var(err, p, f->srs, grid, dims, 3, pre, 1, 1));
    OK(tc_proof_open_slice_var(err, p, f->srs, grid, dims, 3, pre, 2, 1));
    return p;
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    tc_proof *p = full_proof(f, f->grid);
    assert_int_equal(tc_proof_n_openings(p), 3);
    assert_int_equal(tc_proof_n_slices(p), 2);
    assert_true(verifies(f->vk, p));
    /* a grid opening's value is the grid entry; a field one is the evaluation */
    tc_scalar z[3], y, want;
    OK(tc_proof_opening(err, z, &y, p, 1));
    tc_scalar_from_i64(&want, f->grid[3 * 15 + 2 * 5 + 4]);
    assert_memory_equal(y.bytes, want.bytes, 32);
    OK(tc_proof_opening(err, z, &y, p, 2));
    OK(tc_grid_eval_var(err, &want, f->grid, dims, 3, z));
    assert_memory_equal(y.bytes, want.bytes, 32);
    /* JSON and binary round trips reproduce the same encodings and verify */
    char *j1 = NULL, *j2 = NULL;
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t n1 = 0, n2 = 0;
    tc_proof *pj = NULL, *pb = NULL;
    OK(tc_proof_to_json(err, &j1, p));
    OK(tc_proof_from_json(err, &pj, j1, strlen(j1)));
    OK(tc_proof_to_json(err, &j2, pj));
    assert_string_equal(j1, j2);
    OK(tc_proof_to_bytes(err, &b1, &n1, pj));
    OK(tc_proof_from_bytes(err, &pb, b1, n1));
    OK(tc_proof_to_bytes(err, &b2, &n2, pb));
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    assert_true(verifies(f->vk, pb));
    /* every byte of the binary form counts: flipping any one rejects */
    size_t rejected = 0;
    for (size_t i = 0; i < n1; i++) {
        tc_proof *t = NULL;
        tc_error e = {0};
        b1[i] ^= 0x01;
        bool ok = true;
        if (tc_proof_from_bytes(&e, &t, b1, n1) != TC_OK ||
            tc_proof_verify_var(&e, &ok, f->vk, t) != TC_OK || !ok)
            rejected++, assert_true(e.msg[0] != '\0');
        tc_proof_free(t);
        b1[i] ^= 0x01;
    }
    assert_int_equal(rejected, n1);
    /* truncations are malformed, never a crash */
    for (size_t len = 0; len < n1; len += 7) {
        tc_proof *t = NULL;
        FAILS(TC_EFORMAT, tc_proof_from_bytes(err, &t, b1, len));
        assert_null(t);
    }
    tc_free(j1), tc_free(j2), tc_free(b1), tc_free(b2);
    tc_proof_free(pj), tc_proof_free(pb), tc_proof_free(p);
}

/* Proofs of another grid, or claiming another value or commitment, fail. */
static void test_tampered(void **state)
{
    fixture *f = *state;
    int64_t other[N];
    memcpy(other, f->grid, sizeof other);
    other[N - 1] += 1;        /* the entry at (3, 2, 4) */
    tc_proof *p = full_proof(f, other);
    bool ok = true;
    OK(tc_proof_verify_var(err, &ok, f->vk, p));
    assert_false(ok);
    tc_proof_free(p);
    /* a changed value in the JSON text */
    p = full_proof(f, f->grid);
    char *json = NULL, *at;
    OK(tc_proof_to_json(err, &json, p));
    at = strstr(json, "\"value\": \"");
    assert_non_null(at);
    at += strlen("\"value\": \"");
    *at = *at == '1' ? '2' : '1';
    tc_proof *t = NULL;
    OK(tc_proof_from_json(err, &t, json, strlen(json)));
    assert_false(verifies(f->vk, t));
    tc_proof_free(t);
    tc_free(json);
    /* the same openings presented for another commitment */
    tc_commitment c2;
    tc_proof *q = NULL;
    OK(tc_commit_var(err, &c2, f->srs, other, dims, 3, 1));
    assert_memory_not_equal(c2.bytes, f->c.bytes, 32);
    OK(tc_proof_to_json(err, &json, p));
    char hex[65], hex2[65];
    tc_commitment_to_hex(hex, &f->c);
    tc_commitment_to_hex(hex2, &c2);
    memcpy(strstr(json, hex), hex2, 64);
    OK(tc_proof_from_json(err, &q, json, strlen(json)));
    assert_false(verifies(f->vk, q));
    /* batch: all good passes, one bad among them fails */
    const tc_proof *two[2] = {p, p};
    OK(tc_proof_verify_batch_var(err, &ok, f->vk, two, 2, 2));
    assert_true(ok);
    two[1] = q;
    OK(tc_proof_verify_batch_var(err, &ok, f->vk, two, 2, 2));
    assert_false(ok);
    tc_free(json);
    tc_proof_free(q);
    tc_proof_free(p);
}

/* Saved and loaded SRS and keys (both forms) give the same answers. */
static void test_files(void **state)
{
    fixture *f = *state;
    char dir[64], path[128];
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "api"), 0);
    tc_srs *s2 = NULL;
    tc_vk *v2 = NULL, *v3 = NULL, *v0 = NULL;
    uint8_t id[32], id2[32];
    uint32_t d[TC_MAX_DIMS];
    bool ok = false;
    snprintf(path, sizeof path, "%s/srs.tcs", dir);
    OK(tc_srs_save(err, f->srs, path));
    OK(tc_srs_load(err, &s2, path, 2));
    tc_srs_id(id, f->srs);
    tc_srs_id(id2, s2);
    assert_memory_equal(id, id2, 32);
    assert_int_equal(tc_srs_shape(d, s2), 3);
    assert_memory_equal(d, dims, sizeof dims);
    OK(tc_srs_check_var(err, &ok, s2, 2));
    assert_true(ok);
    tc_commitment c2;
    OK(tc_commit_var(err, &c2, s2, f->grid, dims, 3, 1));
    assert_memory_equal(c2.bytes, f->c.bytes, 32);
    snprintf(path, sizeof path, "%s/vk.json", dir);
    OK(tc_vk_save(err, f->vk, path, false));
    OK(tc_vk_load(err, &v2, path, 1));
    snprintf(path, sizeof path, "%s/vk.tcv", dir);
    OK(tc_vk_save(err, v2, path, true));
    OK(tc_vk_load(err, &v3, path, 1));
    assert_int_equal(tc_vk_slice_level(v3), 1);
    tc_vk_srs_id(id2, v3);
    assert_memory_equal(id, id2, 32);
    assert_true(tc_vk_is_testing(v3));
    tc_proof *p = full_proof(f, f->grid);
    assert_true(verifies(v2, p));
    assert_true(verifies(v3, p));
    /* a key without slice levels cannot check slices: a usage error */
    OK(tc_vk_from_srs(err, &v0, s2, 0));
    assert_int_equal(tc_vk_slice_level(v0), 0);
    FAILS(TC_EARG, tc_proof_verify_var(err, &ok, v0, p));
    assert_false(ok);
    /* a file that is not a key, and a key whose embedded levels were swapped */
    tc_vk *bad = NULL;
    snprintf(path, sizeof path, "%s/junk.json", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"shape\": [4, 3, 5]}", fp);
    fclose(fp);
    FAILS(TC_EFORMAT, tc_vk_load(err, &bad, path, 1));
    assert_null(bad);
    snprintf(path, sizeof path, "%s/vk.json", dir);
    json_t *doc = json_load_file(path, 0, NULL);
    json_t *l1 = json_object_get(json_object_get(doc, "slice_levels"), "1");
    assert_true(json_array_size(l1) == 15);
    json_t *first = json_incref(json_array_get(l1, 0));
    json_array_set(l1, 0, json_array_get(l1, 1));
    json_array_set_new(l1, 1, first);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    FAILS(TC_EFORMAT, tc_vk_load(err, &bad, path, 1));
    assert_null(bad);
    tc_proof_free(p);
    tc_vk_free(v0), tc_vk_free(v2), tc_vk_free(v3);
    tc_srs_free(s2);
    tu_rmtree(dir);
}

/* NULLs, bad shapes and out-of-range arguments: TC_EARG with a message. */
static void test_bad_args(void **state)
{
    fixture *f = *state;
    tc_srs *s = NULL;
    tc_vk *v = NULL;
    tc_proof *p = NULL;
    tc_commitment c;
    tc_scalar z[3], big;
    bool ok = true;
    const uint32_t too_big[1] = {17}, zero[1] = {0}, wrong[3] = {4, 5, 3};
    uint32_t many[25];
    for (int i = 0; i < 25; i++)
        many[i] = 2;
    FAILS(TC_EARG, tc_srs_setup(err, NULL, dims, 3, 1));
    FAILS(TC_EARG, tc_srs_setup(err, &s, NULL, 3, 1));
    FAILS(TC_EARG, tc_srs_setup(err, &s, dims, 0, 1));
    FAILS(TC_EARG, tc_srs_setup(err, &s, many, 25, 1));
    FAILS(TC_EARG, tc_srs_setup(err, &s, too_big, 1, 1));
    FAILS(TC_EARG, tc_srs_setup(err, &s, zero, 1, 1));
    FAILS(TC_EARG, tc_srs_setup(err, &s, dims, 3, 0));
    FAILS(TC_EARG, tc_srs_setup_seeded(err, &s, dims, 3, NULL, 0, 1));
    FAILS(TC_EARG, tc_srs_setup_trapdoors(err, &s, dims, 3, NULL, 1));
    memset(big.bytes, 0xff, 32);          /* ≥ r: not a scalar */
    z[0] = z[1] = z[2] = big;
    FAILS(TC_EARG, tc_srs_setup_trapdoors(err, &s, dims, 3, z, 1));
    assert_null(s);
    FAILS(TC_EIO, tc_srs_load(err, &s, "/nonexistent/srs.tcs", 1));
    FAILS(TC_EARG, tc_srs_load(err, &s, NULL, 1));
    FAILS(TC_EARG, tc_vk_from_srs(err, &v, f->srs, 4));
    FAILS(TC_EARG, tc_vk_from_srs(err, &v, NULL, 0));
    FAILS(TC_EARG, tc_commit_var(err, &c, f->srs, NULL, dims, 3, 1));
    FAILS(TC_EARG, tc_commit_var(err, &c, f->srs, f->grid, wrong, 3, 1));
    FAILS(TC_EARG, tc_commit_var(err, &c, f->srs, f->grid, dims, 2, 1));
    FAILS(TC_EARG, tc_commit_var(err, &c, NULL, f->grid, dims, 3, 1));
    FAILS(TC_EARG, tc_proof_new(err, &p, f->srs, NULL));
    memset(c.bytes, 0xff, 32);
    FAILS(TC_EFORMAT, tc_proof_new(err, &p, f->srs, &c));
    FAILS(TC_EFORMAT, tc_commitment_from_hex(err, &c, "zz"));
    OK(tc_proof_new(err, &p, f->srs, &f->c));
    const uint32_t outside[3] = {4, 0, 0};
    FAILS(TC_EARG, tc_proof_open_grid_var(err, p, f->srs, f->grid, dims, 3, outside, 1, 1));
    FAILS(TC_EARG, tc_proof_open_grid_var(err, p, f->srs, f->grid, dims, 3, NULL, 1, 1));
    FAILS(TC_EARG, tc_proof_open_field_var(err, p, f->srs, f->grid, dims, 3, z, 1, 1));
    FAILS(TC_EARG, tc_proof_open_slice_var(err, p, f->srs, f->grid, dims, 3, z, 4, 1));
    FAILS(TC_EARG, tc_proof_open_slice_var(err, p, f->srs, f->grid, dims, 3, z, 1, 1));
    FAILS(TC_EARG, tc_proof_open_slice_var(err, NULL, f->srs, f->grid, dims, 3, z, 1, 1));
    /* nothing was appended by the failures; an empty proof proves nothing */
    assert_int_equal(tc_proof_n_openings(p) + tc_proof_n_slices(p), 0);
    FAILS(TC_EARG, tc_proof_verify_var(err, &ok, f->vk, p));
    assert_false(ok);
    FAILS(TC_EARG, tc_proof_verify_var(err, NULL, f->vk, p));
    FAILS(TC_EARG, tc_proof_verify_var(err, &ok, NULL, p));
    FAILS(TC_EARG, tc_proof_verify_var(err, &ok, f->vk, NULL));
    FAILS(TC_EARG, tc_proof_opening(err, z, &big, p, 0));
    tc_proof_free(p);
    p = NULL;
    FAILS(TC_EFORMAT, tc_proof_from_json(err, &p, "{", 1));
    FAILS(TC_EFORMAT, tc_proof_from_json(err, &p, "{\"shape\": [4]}", 14));
    assert_null(p);
    FAILS(TC_EARG, tc_proof_from_bytes(err, &p, NULL, 0));
    FAILS(TC_EFORMAT, tc_scalar_to_dec(err, (char[80]){0}, &big));
    FAILS(TC_EFORMAT, tc_scalar_from_dec(err, &big, "-1"));
    tc_srs_free(NULL), tc_vk_free(NULL), tc_proof_free(NULL), tc_free(NULL);
    /* passing no tc_error is allowed */
    assert_int_equal(tc_srs_setup(NULL, &s, NULL, 3, 1), TC_EARG);
}

static void test_scalars(void **state)
{
    (void)state;
    static const char r_minus_1[] =
        "21888242871839275222246405745257275088548364400416034343698204186575808495616";
    char dec[80];
    tc_scalar a, b;
    tc_scalar_from_i64(&a, -1);
    OK(tc_scalar_to_dec(err, dec, &a));
    assert_string_equal(dec, r_minus_1);
    OK(tc_scalar_from_dec(err, &b, r_minus_1));
    assert_memory_equal(a.bytes, b.bytes, 32);
    FAILS(TC_EFORMAT, tc_scalar_from_dec(err, &b,
          "21888242871839275222246405745257275088548364400416034343698204186575808495617"));
    tc_scalar_from_i64(&a, 258);          /* little-endian bytes 02 01 */
    assert_int_equal(a.bytes[0], 2);
    assert_int_equal(a.bytes[1], 1);
}

/* Hand-computed: round half to even on the exact binary value. */
static void test_quantize(void **state)
{
    (void)state;
    const float x[5] = {1.5f, 0.1f, -2.53125f, 2.5e-8f, -3.0f};
    int64_t v[5];
    OK(tc_quantize_decimal(err, v, x, 5, 16, 50, 40));     /* s = 8 */
    assert_int_equal(v[0], 150000000);
    assert_int_equal(v[1], 10000000);       /* 0.1f = 0.100000001490116… */
    assert_int_equal(v[2], -253125000);
    assert_int_equal(v[3], 3);              /* 2.5e-8f = 2.50000003e-8: 2.50000003 → 3 */
    assert_int_equal(v[4], -300000000);
    const float ties[4] = {0.5f, 1.5f, 2.5f, -2.5f};
    OK(tc_quantize_decimal(err, v, ties, 4, 0, 0, 40));      /* s = 0: exact ties */
    assert_int_equal(v[0], 0);
    assert_int_equal(v[1], 2);
    assert_int_equal(v[2], 2);
    assert_int_equal(v[3], -2);
    OK(tc_quantize_binary(err, v, x, 5, 4, 40));
    assert_int_equal(v[0], 24);
    assert_int_equal(v[1], 2);              /* 1.6000000238… */
    assert_int_equal(v[2], -40);            /* −40.5 → −40, half to even */
    assert_int_equal(v[3], 0);
    assert_int_equal(v[4], -48);
    const float bad[2] = {1.0f, NAN};
    tc_error e = {0};
    assert_int_not_equal(tc_quantize_binary(&e, v, bad, 2, 0, 40), TC_OK);
    assert_non_null(strstr(e.msg, "1"));    /* names the position */
    const float huge[1] = {1e30f};
    assert_int_not_equal(tc_quantize_binary(&e, v, huge, 1, 0, 40), TC_OK);
    FAILS(TC_EARG, tc_quantize_binary(err, v, x, 5, 0, 64));
    FAILS(TC_EARG, tc_quantize_decimal(err, v, x, 5, 16, 101, 40));
    FAILS(TC_EARG, tc_quantize_decimal(err, NULL, x, 5, 16, 50, 40));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_files),      cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_scalars),    cmocka_unit_test(test_quantize),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
