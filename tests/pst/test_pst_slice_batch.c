/* Batch verification of slices (tc_pst_verify_slices_batch): every honest
 * batch is accepted on both paths (int64 values and field values) and
 * agrees with verifying each slice alone; a batch with one changed value,
 * one changed or swapped proof point, two slices' proofs exchanged, or
 * another commitment is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "pst/pst.h"

enum { K = 4 };

typedef struct batch {
    tc_pst_shape s;
    int j;
    size_t count, rest;
    int64_t *grid;
    tc_pst_srs srs;
    tc_g1_affine c;
    tc_pst_slice sl[K];
    int64_t *vals[K];
} batch;

static void batch_init(batch *b, tc_prng *g, int m, int j)
{
    tc_error err;
    memset(b, 0, sizeof *b);
    b->s.m = m;
    for (int i = 0; i < m; i++)
        b->s.n[i] = 2 + (uint32_t)tc_prng_below(g, 3);
    b->j = j;
    b->count = tc_pst_suffix_size(&b->s, 0);
    b->rest = tc_pst_suffix_size(&b->s, j);
    b->grid = malloc(b->count * sizeof *b->grid);
    for (size_t i = 0; i < b->count; i++)
        b->grid[i] = (int64_t)tc_prng_below(g, (uint64_t)1 << 41) - ((int64_t)1 << 40);
    uint8_t seed[8] = {1, 2, 3, (uint8_t)m, (uint8_t)j};
    tc_pst_setup_opts o = {2, false, NULL, NULL};
    assert_int_equal(tc_pst_setup_seeded(&err, &b->srs, &b->s, seed, sizeof seed, &o), TC_OK);
    assert_int_equal(tc_pst_vk_prepare(&err, &b->srs.vk), TC_OK);
    tc_g1 c;
    assert_int_equal(tc_pst_commit_i64(&err, &c, &b->srs, b->grid, b->count, 2), TC_OK);
    tc_g1_to_affine(&b->c, &c);
    for (int q = 0; q < K; q++) {
        tc_fr z[TC_PST_MAX_VARS];
        size_t off = 0;
        for (int i = 0; i < j; i++) {
            uint32_t v = (uint32_t)tc_prng_below(g, b->s.n[i]);
            tc_fr_from_u64(&z[i], v);
            off = off * b->s.n[i] + v;
        }
        assert_int_equal(tc_pst_open_slice(&err, &b->sl[q], &b->srs, b->grid, b->count, z, j, 1),
                         TC_OK);
        b->vals[q] = malloc(b->rest * sizeof *b->vals[q]);
        memcpy(b->vals[q], b->grid + off * b->rest, b->rest * sizeof *b->grid);
    }
}

static void batch_free(batch *b)
{
    for (int q = 0; q < K; q++) {
        tc_pst_slice_free(&b->sl[q]);
        free(b->vals[q]);
    }
    tc_pst_srs_free(&b->srs);
    free(b->grid);
}

/* The batch's verdict on both paths; they must agree. */
static bool verdict(const batch *b, const tc_g1_affine *c)
{
    tc_error err;
    bool ok_i = false, ok_f = false;
    const tc_g1_affine *keys = tc_pst_srs_level(&b->srs, b->j);
    assert_int_equal(tc_pst_verify_slices_batch(&err, &ok_i, &b->srs.vk, keys, c, b->sl, K,
                                                (const int64_t *const *)b->vals, 2), TC_OK);
    assert_int_equal(tc_pst_verify_slices_batch(&err, &ok_f, &b->srs.vk, keys, c, b->sl, K,
                                                NULL, 1), TC_OK);
    assert_int_equal(ok_i, ok_f);
    return ok_i;
}

static void test_slice_batch(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, tu_seed("test_pst_slice_batch"));
    for (int m = 2; m <= 4; m++)
        for (int j = 1; j < m; j++) {
            batch b;
            batch_init(&b, &g, m, j);
            assert_true(verdict(&b, &b.c));
            /* each slice alone agrees */
            for (int q = 0; q < K; q++) {
                tc_error err;
                bool ok = false;
                assert_int_equal(tc_pst_verify_slice(&err, &ok, &b.srs.vk,
                                                     tc_pst_srs_level(&b.srs, j), &b.c, &b.sl[q]),
                                 TC_OK);
                assert_true(ok);
            }
            /* one value changed (in both representations) */
            size_t r = (size_t)tc_prng_below(&g, b.rest);
            int q = (int)tc_prng_below(&g, K);
            b.vals[q][r] += 1;
            tc_fr_from_i64(&b.sl[q].values[r], b.vals[q][r]);
            assert_false(verdict(&b, &b.c));
            b.vals[q][r] -= 1;
            tc_fr_from_i64(&b.sl[q].values[r], b.vals[q][r]);
            assert_true(verdict(&b, &b.c));
            /* a proof point replaced by the generator */
            tc_g1_affine keep = b.sl[q].pi[0];
            b.sl[q].pi[0] = b.srs.vk.g1;
            assert_false(verdict(&b, &b.c));
            b.sl[q].pi[0] = keep;
            /* two proof points of one slice exchanged (j >= 2) */
            if (j >= 2) {
                tc_g1_affine t = b.sl[q].pi[0];
                b.sl[q].pi[0] = b.sl[q].pi[1];
                b.sl[q].pi[1] = t;
                bool same = tc_g1_affine_eq(&b.sl[q].pi[0], &b.sl[q].pi[1]);
                assert_true(verdict(&b, &b.c) == same);
                b.sl[q].pi[1] = b.sl[q].pi[0];
                b.sl[q].pi[0] = t;
            }
            /* the proofs of two slices exchanged, where they differ (on an
             * axis of size 2 the quotient does not depend on the coordinate,
             * so two prefixes can share every proof point) */
            int q2 = (q + 1) % K;
            bool same_proof = true;
            for (int i = 0; i < j; i++)
                same_proof &= tc_g1_affine_eq(&b.sl[q].pi[i], &b.sl[q2].pi[i]);
            if (!same_proof) {
                tc_g1_affine tmp[TC_PST_MAX_VARS];
                memcpy(tmp, b.sl[q].pi, sizeof tmp);
                memcpy(b.sl[q].pi, b.sl[q2].pi, sizeof tmp);
                memcpy(b.sl[q2].pi, tmp, sizeof tmp);
                assert_false(verdict(&b, &b.c));
                memcpy(b.sl[q2].pi, b.sl[q].pi, sizeof tmp);
                memcpy(b.sl[q].pi, tmp, sizeof tmp);
            }
            /* another commitment */
            tc_g1_affine other = b.srs.vk.g1;
            assert_false(verdict(&b, &other));
            assert_true(verdict(&b, &b.c));
            batch_free(&b);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_slice_batch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
