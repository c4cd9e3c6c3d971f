/*
 * The AVX-512 IFMA batch addition (src/ec/msm_ifma.c) against the scalar
 * one and against the curve code's projective addition: random batches of
 * every size class (a partial last group of eight, one group, many), both
 * signs, the aliasing msm_batch_add allows, and the batches the vector
 * path must refuse without touching anything.  On a CPU without IFMA the
 * comparisons that need it are skipped, and the refusal is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/curve.h"
#include "ec/msm_ifma.h"

static tc_prng rng;

static void random_fr(tc_fr *k)
{
    uint64_t v[4];
    for (int i = 0; i < 4; i++)
        v[i] = tc_prng_next(&rng);
    v[3] &= 0x0fffffffffffffffULL;     /* < 2^252 < r */
    assert_true(tc_fr_from_limbs(k, v));
}

/* n random points k·G, affine. */
static tc_g1_affine *random_points(size_t n)
{
    tc_g1_affine *a = calloc(n, sizeof *a);
    tc_g1 g, t;
    tc_fr k;
    assert_non_null(a);
    tc_g1_generator(&g);
    for (size_t i = 0; i < n; i++) {
        random_fr(&k);
        tc_g1_mul_var(&t, &g, &k);
        tc_g1_to_affine(&a[i], &t);
    }
    return a;
}

typedef struct batch {
    size_t k;
    tc_g1_affine *dst, *src;     /* (k) each */
    msm_add_op *ops;             /* (k) */
    tc_fp *num, *den, *pref;     /* (k) scratch */
} batch;

static void batch_new(batch *b, size_t k)
{
    b->k = k;
    b->dst = random_points(k);
    b->src = random_points(k);
    b->ops = calloc(k, sizeof *b->ops);
    b->num = calloc(k, sizeof(tc_fp));
    b->den = calloc(k, sizeof(tc_fp));
    b->pref = calloc(k, sizeof(tc_fp));
    assert_non_null(b->ops);
    for (size_t i = 0; i < k; i++)
        b->ops[i] = (msm_add_op){&b->dst[i], &b->src[i], tc_prng_below(&rng, 2) != 0};
}

static void batch_free(batch *b)
{
    free(b->dst);
    free(b->src);
    free(b->ops);
    free(b->num);
    free(b->den);
    free(b->pref);
}

/* The same batch over a copy of the destinations (ops re-pointed). */
static void batch_copy(batch *c, const batch *b)
{
    *c = *b;
    c->dst = malloc(b->k * sizeof *c->dst);
    c->src = malloc(b->k * sizeof *c->src);
    c->ops = malloc(b->k * sizeof *c->ops);
    c->num = calloc(b->k, sizeof(tc_fp));
    c->den = calloc(b->k, sizeof(tc_fp));
    c->pref = calloc(b->k, sizeof(tc_fp));
    memcpy(c->dst, b->dst, b->k * sizeof *c->dst);
    memcpy(c->src, b->src, b->k * sizeof *c->src);
    for (size_t i = 0; i < b->k; i++) {
        const tc_g1_affine *s = b->ops[i].src;
        /* a source is one of b's sources or one of b's destinations */
        const tc_g1_affine *ns = s >= b->dst && s < b->dst + b->k ? c->dst + (s - b->dst)
                                                                   : c->src + (s - b->src);
        c->ops[i] = (msm_add_op){c->dst + (b->ops[i].dst - b->dst), ns, b->ops[i].neg};
    }
}

/* Runs b through the IFMA path and a copy through the scalar path; the
 * results must be identical, and each must be dst + ±src by the curve
 * code (for the sources read before any write). */
static void check_batch(batch *b)
{
    batch s;
    batch_copy(&s, b);
    tc_g1_affine *want = malloc(b->k * sizeof *want);
    for (size_t i = 0; i < b->k; i++) {
        tc_g1 p, q;
        tc_g1_affine src = *b->ops[i].src;
        if (b->ops[i].neg)
            tc_g1_affine_neg(&src, &src);
        tc_g1_from_affine(&p, b->ops[i].dst);
        tc_g1_from_affine(&q, &src);
        tc_g1_add(&p, &p, &q);
        tc_g1_to_affine(&want[i], &p);
    }
    assert_true(msm_batch_add_ifma(b->ops, b->k, b->pref));
    msm_batch_add_scalar(s.ops, s.k, s.num, s.den, s.pref);
    for (size_t i = 0; i < b->k; i++) {
        if (memcmp(&b->dst[i].x, &s.dst[i].x, sizeof(tc_fp)) != 0 ||
            memcmp(&b->dst[i].y, &s.dst[i].y, sizeof(tc_fp)) != 0 || b->dst[i].infinity)
            fail_msg("k = %zu, addition %zu: vector and scalar results differ", b->k, i);
        if (!tc_g1_affine_eq(&b->dst[i], &want[i]))
            fail_msg("k = %zu, addition %zu: not the curve sum", b->k, i);
    }
    free(want);
    batch_free(&s);
}

static void test_random_batches(void **state)
{
    (void)state;
    if (!tc_msm_uses_ifma()) {
        skip();
        return;
    }
    static const size_t sizes[] = {16, 17, 23, 24, 64, 65, 127, 200, 1024};
    for (size_t n = 0; n < sizeof sizes / sizeof sizes[0]; n++) {
        batch b;
        batch_new(&b, sizes[n]);
        check_batch(&b);
        batch_free(&b);
    }
}

/* Op i's source is op j's destination for some j < i: it must read the
 * value from before the call, as in the scalar code (within one group of
 * eight and across groups). */
static void test_aliasing(void **state)
{
    (void)state;
    if (!tc_msm_uses_ifma()) {
        skip();
        return;
    }
    for (int rep = 0; rep < 4; rep++) {
        batch b;
        batch_new(&b, 100);
        for (size_t i = 1; i < b.k; i += 1 + tc_prng_below(&rng, 5)) {
            size_t j = rep % 2 ? (i / 8) * 8 + tc_prng_below(&rng, i % 8 + 1) : tc_prng_below(&rng, i);
            if (j < i)
                b.ops[i].src = &b.dst[j];
        }
        check_batch(&b);
        batch_free(&b);
    }
}

/* Sums whose coordinates are large or small: points ±G, 2G, ... added to
 * random points exercise the reductions differently from random pairs. */
static void test_small_multiples(void **state)
{
    (void)state;
    if (!tc_msm_uses_ifma()) {
        skip();
        return;
    }
    batch b;
    batch_new(&b, 256);
    tc_g1 g, t;
    tc_g1_generator(&g);
    t = g;
    for (size_t i = 0; i < b.k; i++) {
        tc_g1_to_affine(&b.src[i], &t);
        tc_g1_add(&t, &t, &g);
    }
    check_batch(&b);
    batch_free(&b);
}

/* Batches the vector path must leave to the scalar code, unchanged:
 * equal x (doubling, opposite points, the same object), an infinite
 * operand, a small batch; and every batch when the CPU has no IFMA. */
static void test_refusals(void **state)
{
    (void)state;
    for (int kind = 0; kind < 5; kind++) {
        batch b;
        batch_new(&b, kind == 4 ? MSM_IFMA_MIN_BATCH - 1 : 40);
        size_t i = tc_prng_below(&rng, b.k);
        if (kind == 0)
            b.src[i] = b.dst[i];                          /* doubling */
        else if (kind == 1)
            tc_g1_affine_neg(&b.src[i], &b.dst[i]);       /* opposite */
        else if (kind == 2)
            b.ops[i].src = b.ops[i].dst;                  /* in place */
        else if (kind == 3)
            b.src[i].infinity = true;
        tc_g1_affine *before = malloc(b.k * sizeof *before);
        memcpy(before, b.dst, b.k * sizeof *before);
        assert_false(msm_batch_add_ifma(b.ops, b.k, b.pref));
        assert_memory_equal(before, b.dst, b.k * sizeof *before);
        free(before);
        if (kind != 3) {       /* the scalar code finishes them; same as the curve code */
            batch s;
            batch_copy(&s, &b);
            msm_batch_add(b.ops, b.k, b.num, b.den, b.pref);
            msm_batch_add_scalar(s.ops, s.k, s.num, s.den, s.pref);
            assert_memory_equal(b.dst, s.dst, b.k * sizeof *b.dst);
            batch_free(&s);
        }
        batch_free(&b);
    }
    if (!tc_msm_uses_ifma()) {
        batch b;
        batch_new(&b, 64);
        assert_false(msm_batch_add_ifma(b.ops, b.k, b.pref));
        batch_free(&b);
    }
}

int main(void)
{
    tc_prng_seed(&rng, tu_seed("test_msm_ifma"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_batches),
        cmocka_unit_test(test_aliasing),
        cmocka_unit_test(test_small_multiples),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
