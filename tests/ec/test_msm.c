/* MSM engine: the bucket method against independent answers.
 *   - the naive reference Σ tc_g1_mul_ref(k_i, P_i) on small n, for every
 *     window size the code can use;
 *   - for larger n, bases P_i = a_i·G with known a_i, so Σ k_i·P_i must
 *     equal (Σ k_i·a_i mod r)·G, computed in Fr and checked with one
 *     tc_g1_mul_ref;
 *   - edge cases (n = 0..3, zero scalars, r − 1, INT64_MIN, repeated and
 *     opposite bases, bases at infinity), thread-count independence (memcmp),
 *     the fixed-base table, fixed-base batch generation and G2;
 *   - the bucket reduction on its own (serial and lock-step batch-affine),
 *     on bucket sets built to hit its special cases, against Σ (j+1)·b_j
 *     computed in Fr from the buckets' known logarithms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/msm.h"
#include "ec/msm_ifma.h"
#include "ec/msm_impl.h"

static tc_prng rng;

/* ------------------------------------------------------------ helpers */

static void rand_fr(tc_fr *r)
{
    uint8_t b[64];
    for (int i = 0; i < 8; i++) {
        uint64_t v = tc_prng_next(&rng);
        memcpy(b + 8 * i, &v, 8);
    }
    tc_fr_from_bytes_wide(r, b);
}

static void fr_from_i128(tc_fr *r, tc_i128 v)
{
    unsigned __int128 m = v < 0 ? 0 - (unsigned __int128)v : (unsigned __int128)v;
    uint64_t l[4] = {(uint64_t)m, (uint64_t)(m >> 64), 0, 0};
    assert_true(tc_fr_from_limbs(r, l));
    if (v < 0)
        tc_fr_neg(r, r);
}

/* Random signed integer with exactly `bits` magnitude bits at most. */
static int64_t rand_i64(unsigned bits)
{
    uint64_t m = bits >= 64 ? tc_prng_next(&rng) >> 1 : tc_prng_next(&rng) >> (64 - bits);
    return (tc_prng_next(&rng) & 1) ? -(int64_t)m : (int64_t)m;
}

/* bases[i] = a[i]·G, with a few at infinity (a = 0) when `holes`. */
static void make_bases(tc_g1_affine *bases, tc_fr *a, size_t n, bool holes)
{
    tc_g1 g, p;
    tc_g1_generator(&g);
    for (size_t i = 0; i < n; i++) {
        rand_fr(&a[i]);
        if (holes && i % 17 == 5)
            tc_fr_zero(&a[i]);
        tc_g1_mul_var(&p, &g, &a[i]);
        tc_g1_to_affine(&bases[i], &p);
    }
}

/* The expected sum when bases are a_i·G: (Σ k_i·a_i)·G, via the reference. */
static void expect_by_logs(tc_g1 *r, const tc_fr *a, const tc_fr *k, size_t n)
{
    tc_fr s, t;
    tc_fr_zero(&s);
    for (size_t i = 0; i < n; i++) {
        tc_fr_mul(&t, &a[i], &k[i]);
        tc_fr_add(&s, &s, &t);
    }
    tc_g1 g;
    tc_g1_generator(&g);
    tc_g1_mul_ref(r, &g, &s);
}

static tc_g1 run_msm(const tc_g1_affine *bases, tc_scalars s, size_t n, unsigned threads,
                     unsigned window)
{
    tc_msm_opts o = {threads, window};
    size_t sz = tc_msm_g1_scratch_size(n, s.kind, &o);
    assert_true(sz > 0);
    void *scratch = malloc(sz);
    assert_non_null(scratch);
    tc_g1 out;
    tc_error err;
    tc_status st = tc_msm_g1_var(&err, &out, bases, s, n, &o, scratch, sz);
    if (st != TC_OK)
        fail_msg("tc_msm_g1_var: %s", err.msg);
    free(scratch);
    return out;
}

static void assert_g1_eq(const tc_g1 *a, const tc_g1 *b)
{
    if (!tc_g1_eq(a, b))
        fail_msg("points differ");
}

/* ------------------------------------------------------------- tests */

/* Every window 1..16 against the naive reference, for each scalar kind. */
static void test_every_window(void **state)
{
    (void)state;
    enum { N = 48 };
    tc_g1_affine bases[N];
    tc_fr a[N], kf[N];
    int64_t k64[N];
    tc_i128 k128[N];
    make_bases(bases, a, N, true);
    for (size_t i = 0; i < N; i++) {
        rand_fr(&kf[i]);
        k64[i] = rand_i64(1 + (unsigned)(i % 63));
        k128[i] = (tc_i128)rand_i64(60) * ((tc_i128)1 << 64) + (tc_i128)(tc_prng_next(&rng) >> 3);
    }
    kf[1] = (tc_fr){{0}};
    tc_fr_neg(&kf[2], &(tc_fr){{0}});   /* 0 */
    tc_fr_one(&kf[3]);
    tc_fr_neg(&kf[4], &kf[3]);          /* r − 1 */
    k64[0] = INT64_MIN;
    k64[1] = INT64_MIN + 1;
    k64[2] = INT64_MAX;
    k64[3] = 0;
    k128[0] = -k128[0];
    tc_g1 ref_fr, ref_64, ref_128;
    tc_msm_g1_ref(&ref_fr, bases, tc_scalars_fr(kf), N);
    tc_msm_g1_ref(&ref_64, bases, tc_scalars_i64(k64), N);
    tc_msm_g1_ref(&ref_128, bases, tc_scalars_i128(k128), N);
    for (unsigned c = 1; c <= TC_MSM_MAX_WINDOW; c++) {
        /* full width costs ~⌈255/c⌉ reductions of 2^(c−1) buckets: the
         * widest windows are covered by the integer kinds (same code path
         * for digits above bit 128 is exercised by c ≤ 14) */
        tc_g1 r;
        if (c <= 14 || c == TC_MSM_MAX_WINDOW) {
            r = run_msm(bases, tc_scalars_fr(kf), N, c == TC_MSM_MAX_WINDOW ? 2 : 1, c);
            assert_g1_eq(&r, &ref_fr);
        }
        r = run_msm(bases, tc_scalars_i64(k64), N, 1, c);
        assert_g1_eq(&r, &ref_64);
        r = run_msm(bases, tc_scalars_i128(k128), N, 2, c);
        assert_g1_eq(&r, &ref_128);
    }
}

/* The automatic window: in range for both batch kernels, a function of
 * (n, bits, threads, kernel) only (same answer when asked again, and the
 * kernel in use is the one tc_msm_g1_window follows), and covered by the
 * scratch query for every bit length a kind allows. */
static void test_window_choice(void **state)
{
    (void)state;
    bool ifma = tc_msm_uses_ifma();
    for (unsigned t = 1; t <= 3; t++)
        for (unsigned bits = 1; bits <= 254; bits += 11)
            for (size_t n = 1; n < ((size_t)1 << 24); n *= 7) {
                unsigned c0 = tc_msm_g1_window_kernel(n, bits, t, false);
                unsigned c1 = tc_msm_g1_window_kernel(n, bits, t, true);
                assert_true(c0 >= 1 && c0 <= TC_MSM_MAX_WINDOW);
                assert_true(c1 >= 1 && c1 <= TC_MSM_MAX_WINDOW);
                assert_int_equal(c0, tc_msm_g1_window_kernel(n, bits, t, false));
                assert_int_equal(c1, tc_msm_g1_window_kernel(n, bits, t, true));
                assert_int_equal(tc_msm_g1_window(n, bits, t), ifma ? c1 : c0);
            }
    static const size_t sizes[] = {1, 100, 5000, (size_t)1 << 16};
    static const unsigned kind_bits[] = {254, 64, 128};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (unsigned kind = 0; kind < 3; kind++)
            for (unsigned t = 1; t <= 2; t++) {
                tc_msm_opts o = {t, 0};
                size_t all = tc_msm_g1_scratch_size(sizes[si], (tc_scalar_kind)kind, &o);
                for (unsigned bits = 1; bits <= kind_bits[kind]; bits += 7) {
                    o.window = tc_msm_g1_window(sizes[si], bits, t);
                    assert_true(all >= tc_msm_g1_scratch_size(sizes[si], (tc_scalar_kind)kind,
                                                              &o));
                    o.window = 0;
                }
            }
    /* the table window is in range too */
    for (size_t n = 1; n < ((size_t)1 << 24); n *= 7)
        for (unsigned bits = 1; bits <= 254; bits += 23) {
            unsigned c = tc_msm_table_window(n, bits);
            assert_true(c >= 1 && c <= TC_MSM_MAX_WINDOW);
        }
}

/* n = 0, 1, 2, 3 with edge scalars, against the reference. */
static void test_small_n(void **state)
{
    (void)state;
    tc_g1_affine bases[3];
    tc_fr a[3];
    make_bases(bases, a, 3, false);
    tc_g1 r = run_msm(bases, tc_scalars_fr(a), 0, 1, 0);
    assert_true(tc_g1_is_infinity(&r));
    static const int64_t edges64[] = {0, 1, -1, 2, INT64_MIN, INT64_MIN + 1, INT64_MAX, -12345};
    tc_fr edges_fr[6];
    tc_fr_zero(&edges_fr[0]);
    tc_fr_one(&edges_fr[1]);
    tc_fr_neg(&edges_fr[2], &edges_fr[1]);           /* r − 1 */
    tc_fr_add(&edges_fr[3], &edges_fr[2], &edges_fr[2]);  /* r − 2 */
    rand_fr(&edges_fr[4]);
    tc_fr_from_u64(&edges_fr[5], 1ull << 63);
    for (size_t n = 1; n <= 3; n++) {
        for (size_t e = 0; e < 8; e++) {
            int64_t k64[3];
            tc_fr kf[3];
            tc_i128 k128[3];
            for (size_t i = 0; i < n; i++) {
                k64[i] = edges64[(e + 3 * i) % 8];
                kf[i] = edges_fr[(e + i) % 6];
                k128[i] = (tc_i128)k64[i] * (tc_i128)(i + 1) * ((tc_i128)1 << 62);
            }
            tc_g1 ref;
            tc_msm_g1_ref(&ref, bases, tc_scalars_i64(k64), n);
            r = run_msm(bases, tc_scalars_i64(k64), n, 1, 0);
            assert_g1_eq(&r, &ref);
            tc_msm_g1_ref(&ref, bases, tc_scalars_fr(kf), n);
            r = run_msm(bases, tc_scalars_fr(kf), n, 2, 0);
            assert_g1_eq(&r, &ref);
            tc_msm_g1_ref(&ref, bases, tc_scalars_i128(k128), n);
            r = run_msm(bases, tc_scalars_i128(k128), n, 1, 0);
            assert_g1_eq(&r, &ref);
        }
    }
}

/* INT64_MIN: −2^63 as an integer times P, not reduced anywhere. */
static void test_int64_min(void **state)
{
    (void)state;
    tc_g1_affine bases[2];
    tc_fr a[2];
    make_bases(bases, a, 2, false);
    int64_t k[2] = {INT64_MIN, INT64_MIN + 1};
    tc_fr kf[2];
    tc_fr_from_i64(&kf[0], INT64_MIN);
    tc_fr_from_i64(&kf[1], INT64_MIN + 1);
    tc_g1 want, got;
    expect_by_logs(&want, a, kf, 2);
    for (unsigned c = 1; c <= TC_MSM_MAX_WINDOW; c += 5) {
        got = run_msm(bases, tc_scalars_i64(k), 2, 1, c);
        assert_g1_eq(&got, &want);
    }
    /* and the 128-bit extremes: −2^127, −2^127 + 1 (and 2^127 − 1 below) */
    const tc_i128 i128_max = (tc_i128)(((unsigned __int128)1 << 127) - 1);
    tc_i128 k128[2] = {-i128_max - 1, -i128_max};
    fr_from_i128(&kf[0], k128[0]);
    fr_from_i128(&kf[1], k128[1]);
    expect_by_logs(&want, a, kf, 2);
    for (unsigned c = 2; c <= TC_MSM_MAX_WINDOW; c += 5) {
        got = run_msm(bases, tc_scalars_i128(k128), 2, 2, c);
        assert_g1_eq(&got, &want);
    }
    k128[1] = i128_max;
    fr_from_i128(&kf[1], k128[1]);
    expect_by_logs(&want, a, kf, 2);
    got = run_msm(bases, tc_scalars_i128(k128), 2, 1, 0);
    assert_g1_eq(&got, &want);
}

/* A few hundred and 2^12 terms, all kinds, against the discrete-log check,
 * and 1, 2, 3 threads byte-identical. */
static void test_large_n(void **state)
{
    (void)state;
    static const size_t sizes[] = {300, 4096};
    for (size_t si = 0; si < 2; si++) {
        size_t n = sizes[si];
        tc_g1_affine *bases = malloc(n * sizeof *bases);
        tc_fr *a = malloc(n * sizeof *a), *kf = malloc(n * sizeof *kf);
        tc_fr *kf64 = malloc(n * sizeof *kf64), *kf128 = malloc(n * sizeof *kf128);
        int64_t *k64 = malloc(n * sizeof *k64);
        tc_i128 *k128 = malloc(n * sizeof *k128);
        assert_true(bases && a && kf && kf64 && kf128 && k64 && k128);
        make_bases(bases, a, n, true);
        for (size_t i = 0; i < n; i++) {
            rand_fr(&kf[i]);
            k64[i] = rand_i64(i % 3 == 0 ? 40 : 16);
            k128[i] = (tc_i128)rand_i64(50) * (tc_i128)(int64_t)(tc_prng_next(&rng) >> 1);
            tc_fr_from_i64(&kf64[i], k64[i]);
            fr_from_i128(&kf128[i], k128[i]);
        }
        tc_fr_zero(&kf[7]);
        tc_fr_one(&kf[8]);
        tc_fr_neg(&kf[8], &kf[8]);
        k64[9] = INT64_MIN + 1;
        tc_fr_from_i64(&kf64[9], k64[9]);
        tc_g1 want, got, got2, got3;
        expect_by_logs(&want, a, kf, n);
        got = run_msm(bases, tc_scalars_fr(kf), n, 1, 0);
        assert_g1_eq(&got, &want);
        got2 = run_msm(bases, tc_scalars_fr(kf), n, 2, 0);
        assert_memory_equal(&got, &got2, sizeof got);
        /* the same sum with the 64-bit scalars as Fr must agree */
        expect_by_logs(&want, a, kf64, n);
        got = run_msm(bases, tc_scalars_i64(k64), n, 1, 0);
        assert_g1_eq(&got, &want);
        got2 = run_msm(bases, tc_scalars_i64(k64), n, 2, 0);
        got3 = run_msm(bases, tc_scalars_i64(k64), n, 3, 0);
        assert_memory_equal(&got, &got2, sizeof got);
        assert_memory_equal(&got, &got3, sizeof got);
        got2 = run_msm(bases, tc_scalars_fr(kf64), n, 2, 0);
        assert_g1_eq(&got, &got2);
        got2 = run_msm(bases, tc_scalars_i64(k64), n, 2, 11);   /* batch-affine */
        assert_memory_equal(&got, &got2, sizeof got);
        expect_by_logs(&want, a, kf128, n);
        got = run_msm(bases, tc_scalars_i128(k128), n, 1, 0);
        assert_g1_eq(&got, &want);
        got2 = run_msm(bases, tc_scalars_i128(k128), n, 2, 13);
        assert_memory_equal(&got, &got2, sizeof got);
        free(bases);
        free(a);
        free(kf);
        free(kf64);
        free(kf128);
        free(k64);
        free(k128);
    }
}

/* Heavy bucket collisions: one base repeated (with its negation) thousands
 * of times, tiny scalars, batch-affine windows: exercises doubling and
 * cancellation inside a batch, deferred conflicts and the XYZZ overflow.
 * Σ k_i·(±P) = (Σ ±k_i)·P. */
static void test_repeated_bases(void **state)
{
    (void)state;
    enum { N = 5000 };
    tc_g1_affine *bases = malloc(N * sizeof *bases);
    int64_t *k = malloc(N * sizeof *k);
    assert_true(bases && k);
    tc_g1_affine p, q;
    tc_fr a;
    make_bases(&p, &a, 1, false);
    make_bases(&q, &a, 1, false);
    tc_g1_affine pn;
    tc_g1_affine_neg(&pn, &p);
    int64_t sp = 0, sq = 0;
    for (size_t i = 0; i < N; i++) {
        k[i] = (int64_t)tc_prng_below(&rng, 7) - 3;
        if (i % 400 == 0)
            k[i] = (int64_t)tc_prng_below(&rng, 1u << 20);
        unsigned sel = (unsigned)tc_prng_below(&rng, 10);
        if (sel < 5) {
            bases[i] = p;
            sp += k[i];
        } else if (sel < 8) {
            bases[i] = pn;
            sp -= k[i];
        } else if (sel < 9) {
            bases[i] = q;
            sq += k[i];
        } else {
            bases[i].infinity = true;
            tc_fp_zero(&bases[i].x);
            tc_fp_zero(&bases[i].y);
        }
    }
    tc_g1 want, t, gp, gq;
    tc_fr f;
    tc_g1_from_affine(&gp, &p);
    tc_g1_from_affine(&gq, &q);
    tc_fr_from_i64(&f, sp);
    tc_g1_mul_ref(&want, &gp, &f);
    tc_fr_from_i64(&f, sq);
    tc_g1_mul_ref(&t, &gq, &f);
    tc_g1_add(&want, &want, &t);
    for (unsigned c = 9; c <= TC_MSM_MAX_WINDOW; c++) {
        tc_g1 got = run_msm(bases, tc_scalars_i64(k), N, 1 + c % 2, c);
        assert_g1_eq(&got, &want);
    }
    tc_g1 got = run_msm(bases, tc_scalars_i64(k), N, 1, 0);
    assert_g1_eq(&got, &want);
    /* all zero scalars */
    memset(k, 0, N * sizeof *k);
    got = run_msm(bases, tc_scalars_i64(k), N, 2, 0);
    assert_true(tc_g1_is_infinity(&got));
    free(bases);
    free(k);
}

/* A sum that cancels to infinity: k·P + k·(−P). */
static void test_cancellation(void **state)
{
    (void)state;
    enum { N = 2048 };
    tc_g1_affine *bases = malloc(N * sizeof *bases);
    tc_fr *a = malloc(N * sizeof *a), *k = malloc(N * sizeof *k);
    assert_true(bases && a && k);
    make_bases(bases, a, N / 2, false);
    for (size_t i = 0; i < N / 2; i++) {
        tc_g1_affine_neg(&bases[N / 2 + i], &bases[i]);
        rand_fr(&k[i]);
        k[N / 2 + i] = k[i];
    }
    tc_g1 got = run_msm(bases, tc_scalars_fr(k), N, 2, 0);
    assert_true(tc_g1_is_infinity(&got));
    got = run_msm(bases, tc_scalars_fr(k), N, 1, 12);
    assert_true(tc_g1_is_infinity(&got));
    free(bases);
    free(a);
    free(k);
}

static void test_errors(void **state)
{
    (void)state;
    tc_g1_affine bases[4];
    tc_fr a[4];
    make_bases(bases, a, 4, false);
    tc_msm_opts o = {1, 0};
    size_t sz = tc_msm_g1_scratch_size(4, TC_SCALAR_FR, &o);
    uint8_t *scratch = malloc(sz);
    tc_g1 out;
    tc_error err;
    assert_int_equal(tc_msm_g1_var(&err, &out, bases, tc_scalars_fr(a), 4, &o, scratch, sz / 4),
                     TC_EARG);
    o.window = TC_MSM_MAX_WINDOW + 1;
    assert_int_equal(tc_msm_g1_var(&err, &out, bases, tc_scalars_fr(a), 4, &o, scratch, sz),
                     TC_EARG);
    /* unaligned scratch works */
    o.window = 0;
    assert_int_equal(tc_msm_g1_var(&err, &out, bases, tc_scalars_fr(a), 4, &o, scratch, sz),
                     TC_OK);
    free(scratch);
    scratch = malloc(sz + 64);
    tc_g1 out2;
    assert_int_equal(tc_msm_g1_var(&err, &out2, bases, tc_scalars_fr(a), 4, &o, scratch + 3,
                                   sz + 61),
                     TC_OK);
    assert_memory_equal(&out, &out2, sizeof out);
    free(scratch);
}

/* The fixed-base table against the plain MSM and the discrete-log check;
 * a prefix of the bases; scalars wider than the table (fallback). */
static void test_table(void **state)
{
    (void)state;
    enum { N = 3000 };
    tc_g1_affine *bases = malloc(N * sizeof *bases);
    tc_fr *a = malloc(N * sizeof *a), *kf = malloc(N * sizeof *kf);
    int64_t *k = malloc(N * sizeof *k);
    assert_true(bases && a && kf && k);
    make_bases(bases, a, N, true);
    for (size_t i = 0; i < N; i++) {
        k[i] = rand_i64(40);
        tc_fr_from_i64(&kf[i], k[i]);
    }
    static const unsigned windows[] = {3, 9, 11, 14};
    for (size_t wi = 0; wi < 4; wi++) {
        tc_msm_table t;
        tc_error err;
        unsigned c = windows[wi];
        assert_int_equal(tc_msm_table_init(&err, &t, bases, N, c, 41, 2), TC_OK);
        assert_int_equal(t.n_windows, 41 / c + 1);
        size_t n_use = wi == 1 ? N - 77 : N;
        for (unsigned th = 1; th <= 4; th++) {
            /* th 1, 2: the table forced; 3, 4: the model's choice */
            tc_msm_opts o = {th <= 2 ? th : th - 2, th <= 2 ? c : 0};
            size_t sz = tc_msm_g1_table_scratch_size(&t, n_use, TC_SCALAR_I64, &o);
            void *scratch = malloc(sz);
            tc_g1 got, want;
            assert_int_equal(tc_msm_g1_table_var(&err, &got, &t, tc_scalars_i64(k), n_use, &o,
                                                 scratch, sz),
                             TC_OK);
            expect_by_logs(&want, a, kf, n_use);
            assert_g1_eq(&got, &want);
            tc_g1 plain = run_msm(bases, tc_scalars_i64(k), n_use, o.n_threads, 0);
            assert_memory_equal(&got, &plain, sizeof got);
            free(scratch);
        }
        /* Fr scalars, full width: falls back to the plain MSM */
        tc_msm_opts o2 = {2, c};
        size_t sz = tc_msm_g1_table_scratch_size(&t, 500, TC_SCALAR_FR, &o2);
        void *scratch = malloc(sz);
        tc_g1 got, want;
        tc_fr *kr = malloc(500 * sizeof *kr);
        for (size_t i = 0; i < 500; i++)
            rand_fr(&kr[i]);
        assert_int_equal(tc_msm_g1_table_var(&err, &got, &t, tc_scalars_fr(kr), 500, &o2, scratch,
                                             sz),
                         TC_OK);
        expect_by_logs(&want, a, kr, 500);
        assert_g1_eq(&got, &want);
        free(kr);
        free(scratch);
        tc_msm_table_free(&t);
        tc_msm_table_free(&t);
    }
    free(bases);
    free(a);
    free(kf);
    free(k);
}

/* k_i·G in bulk against tc_g1_mul_ref, including 0, 1, r − 1, small k. */
static void test_fixed_base(void **state)
{
    (void)state;
    enum { N = 700 };
    tc_fr *k = malloc(N * sizeof *k);
    tc_g1_affine *out = malloc(N * sizeof *out), g;
    assert_true(k && out);
    for (size_t i = 0; i < N; i++)
        rand_fr(&k[i]);
    tc_fr_zero(&k[0]);
    tc_fr_one(&k[1]);
    tc_fr_neg(&k[2], &k[1]);
    tc_fr_from_u64(&k[3], 2);
    tc_fr_from_u64(&k[4], 4095);
    tc_fr_from_u64(&k[5], 2048);
    k[6] = k[2];
    tc_g1 gen, p;
    tc_g1_affine_generator(&g);
    tc_g1_from_affine(&gen, &g);
    for (unsigned th = 1; th <= 2; th++) {
        tc_error err;
        assert_int_equal(tc_g1_fixed_base_batch_var(&err, out, &g, k, N, th), TC_OK);
        for (size_t i = 0; i < N; i += (i < 10 ? 1 : 7)) {
            tc_g1 want;
            tc_g1_mul_ref(&want, &gen, &k[i]);
            tc_g1_from_affine(&p, &out[i]);
            assert_g1_eq(&p, &want);
            assert_true(out[i].infinity || tc_g1_affine_is_on_curve(&out[i]));
        }
    }
    /* another base */
    tc_fr s;
    rand_fr(&s);
    tc_g1 h;
    tc_g1_mul_var(&h, &gen, &s);
    tc_g1_affine ha;
    tc_g1_to_affine(&ha, &h);
    tc_error err;
    assert_int_equal(tc_g1_fixed_base_batch_var(&err, out, &ha, k, 50, 2), TC_OK);
    for (size_t i = 0; i < 50; i++) {
        tc_g1 want;
        tc_g1_mul_ref(&want, &h, &k[i]);
        tc_g1_from_affine(&p, &out[i]);
        assert_g1_eq(&p, &want);
    }
    free(k);
    free(out);
}

static void test_g2(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 5, 40};
    tc_g2 gen;
    tc_g2_generator(&gen);
    for (size_t si = 0; si < 5; si++) {
        size_t n = sizes[si];
        tc_g2_affine bases[40];
        tc_fr k[40];
        tc_g2 want, t;
        tc_g2_set_infinity(&want);
        for (size_t i = 0; i < n; i++) {
            tc_fr a;
            rand_fr(&a);
            tc_g2_mul_var(&t, &gen, &a);
            tc_g2_to_affine(&bases[i], &t);
            rand_fr(&k[i]);
            if (i == 1)
                tc_fr_zero(&k[i]);
            if (i == 2)
                tc_fr_neg(&k[i], &k[0]);
            if (i == 3)
                bases[i].infinity = true;
            tc_g2 b;
            tc_g2_from_affine(&b, &bases[i]);
            tc_g2_mul_ref(&t, &b, &k[i]);
            tc_g2_add(&want, &want, &t);
        }
        size_t sz = tc_msm_g2_scratch_size(n);
        void *scratch = malloc(sz ? sz : 1);
        tc_g2 got;
        tc_error err;
        assert_int_equal(tc_msm_g2_var(&err, &got, bases, k, n, scratch, sz), TC_OK);
        assert_true(tc_g2_eq(&got, &want));
        free(scratch);
    }
}

/* ------------------------------------------------- bucket reduction */

/* A palette of points with known logs: pal[i] = lg[i]·G, pal[1] = 2·pal[0]. */
enum { PAL = 16 };

static void make_palette(tc_g1_affine pal[PAL], tc_fr lg[PAL])
{
    make_bases(pal, lg, PAL, false);
    tc_fr_add(&lg[1], &lg[0], &lg[0]);
    tc_g1 g, p;
    tc_g1_generator(&g);
    tc_g1_mul_var(&p, &g, &lg[1]);
    tc_g1_to_affine(&pal[1], &p);
}

/* Bucket j of b gets ±pal[i]; want += ±(j+1)·lg[i]. */
static void push_logged(msm_buckets *b, tc_fr *want, uint32_t j, const tc_g1_affine *pal,
                        const tc_fr *lg, unsigned i, bool neg)
{
    tc_fr w, t;
    tc_fr_from_i64(&w, (int64_t)j + 1);
    tc_fr_mul(&t, &w, &lg[i]);
    if (neg)
        tc_fr_neg(&t, &t);
    tc_fr_add(want, want, &t);
    msm_buckets_push(b, j, &pal[i], neg);
}

/* Fills a bucket set block by block (64 buckets a block; the lock-step
 * segments are 8..64 buckets long, so blocks cover whole segments) with
 * patterns for each special case of the reduction:
 *   0: random, 0..3 points a bucket;   1: P, −P alternating (running sums
 *   return to infinity);   2: per 4 buckets from the top: —, P, −2P, P
 *   (the weighted sum returns to infinity);   3: empty;   4: one point at
 *   the block's top (the weighted sum doubles: sum = run);   5: XYZZ
 *   overflow: buckets hit 1100 times by P, and 600 times each by P and −P
 *   (an overflow part that cancels);   6: random.
 * The top quarter stays empty (segments whose sums stay at infinity). */
static void fill_patterns(msm_buckets *b, tc_fr *want, const tc_g1_affine *pal, const tc_fr *lg)
{
    for (uint32_t j = 0; j < (uint32_t)(b->nb * 3 / 4); j++) {
        unsigned kind = (j / 64) % 7, r = j % 4;
        switch (kind) {
        case 1:
            push_logged(b, want, j, pal, lg, 0, j % 2 == 0);
            break;
        case 2:
            if (r != 0)
                push_logged(b, want, j, pal, lg, r == 2 ? 1 : 0, r == 2);
            break;
        case 3:
            break;
        case 4:
            if (j % 64 == 63)
                push_logged(b, want, j, pal, lg, 2, false);
            break;
        case 5:
            if (j % 64 == 5)
                for (int k = 0; k < 1100; k++)
                    push_logged(b, want, j, pal, lg, 3, false);
            else if (j % 64 == 9)
                for (int k = 0; k < 1200; k++)
                    push_logged(b, want, j, pal, lg, 4, k % 2 != 0);
            else
                push_logged(b, want, j, pal, lg, 5, j % 3 == 0);
            break;
        default: {
            unsigned m = (unsigned)tc_prng_below(&rng, 4);
            for (unsigned k = 0; k < m; k++)
                push_logged(b, want, j, pal, lg, (unsigned)tc_prng_below(&rng, PAL),
                            tc_prng_below(&rng, 2) != 0);
            break;
        }
        }
    }
}

/* msm_buckets_reduce against Σ (j+1)·b_j, for windows with the serial
 * reduction (c = 9, 10) and the lock-step one (c ≥ 11). */
static void test_bucket_reduce(void **state)
{
    (void)state;
    tc_g1_affine pal[PAL];
    tc_fr lg[PAL];
    make_palette(pal, lg);
    static const unsigned windows[] = {9, 10, 11, 12, 13, 16};
    for (size_t wi = 0; wi < sizeof windows / sizeof windows[0]; wi++) {
        unsigned c = windows[wi];
        void *mem = malloc(msm_buckets_bytes(c));
        assert_non_null(mem);
        msm_buckets b;
        msm_buckets_carve(&b, c, mem);
        msm_buckets_clear(&b);
        tc_fr want;
        tc_fr_zero(&want);
        fill_patterns(&b, &want, pal, lg);
        msm_buckets_flush(&b);
        size_t n_ext = 0;
        for (size_t j = 0; j < b.nb; j++)
            n_ext += (b.state[j] & 2) != 0;
        assert_true(n_ext > 0);             /* the overflow path was taken */
        msm_xyzz r;
        msm_buckets_reduce(&r, &b);
        tc_g1 got, exp, g;
        msm_xyzz_to_g1(&got, &r);
        tc_g1_generator(&g);
        tc_g1_mul_ref(&exp, &g, &want);
        assert_g1_eq(&got, &exp);
        /* a set with nothing in it, and one with a single bucket */
        msm_buckets_clear(&b);
        msm_buckets_flush(&b);
        msm_buckets_reduce(&r, &b);
        assert_true(msm_xyzz_is_inf(&r));
        msm_buckets_clear(&b);
        tc_fr_zero(&want);
        push_logged(&b, &want, (uint32_t)(b.nb - 1), pal, lg, 6, true);
        msm_buckets_flush(&b);
        msm_buckets_reduce(&r, &b);
        msm_xyzz_to_g1(&got, &r);
        tc_g1_mul_ref(&exp, &g, &want);
        assert_g1_eq(&got, &exp);
        free(mem);
    }
}

/* Whole MSMs whose buckets take the lock-step reduction's special cases:
 * activations like the prover's (|k| in 2^25..2^30, a quarter of them one
 * value), scalars with an all-zero low window (every bucket of window 0
 * empty), pairs that cancel, on bases from a small palette (equal points in
 * buckets); 1 and 2 threads, forced and automatic windows; against
 * (Σ k_i·a_i)·G. */
static void test_lockstep_msm(void **state)
{
    (void)state;
    enum { N = 20000 };
    tc_g1_affine pal[PAL];
    tc_fr lg[PAL];
    make_palette(pal, lg);
    tc_g1_affine *bases = malloc(N * sizeof *bases);
    tc_fr *a = malloc(N * sizeof *a), *kf = malloc(N * sizeof *kf);
    int64_t *k = malloc(N * sizeof *k);
    assert_true(bases && a && kf && k);
    for (size_t i = 0; i < N; i++) {
        unsigned p = (unsigned)tc_prng_below(&rng, PAL);
        bases[i] = pal[p];
        a[i] = lg[p];
    }
    for (int pattern = 0; pattern < 3; pattern++) {
        for (size_t i = 0; i < N; i++) {
            int64_t m = (int64_t)tc_prng_below(&rng, 1u << 30) | ((int64_t)1 << 25);
            if (pattern == 0 && i % 4 == 1)
                m = 123456789;
            if (pattern == 1)
                m = (m >> 16) << 16;     /* low window all zero */
            k[i] = tc_prng_below(&rng, 2) ? -m : m;
            if (pattern == 2 && i % 2 == 1) {
                k[i] = k[i - 1];         /* k·P + k·(−P) */
                tc_g1_affine_neg(&bases[i], &bases[i - 1]);
                tc_fr_neg(&a[i], &a[i - 1]);
            }
            tc_fr_from_i64(&kf[i], k[i]);
        }
        tc_g1 want, got, got2;
        expect_by_logs(&want, a, kf, N);
        if (pattern == 2)
            assert_true(tc_g1_is_infinity(&want));
        got = run_msm(bases, tc_scalars_i64(k), N, 1, 0);
        assert_g1_eq(&got, &want);
        got2 = run_msm(bases, tc_scalars_i64(k), N, 2, 0);
        assert_memory_equal(&got, &got2, sizeof got);
        got2 = run_msm(bases, tc_scalars_i64(k), N, 2, 16);
        assert_memory_equal(&got, &got2, sizeof got);
        got2 = run_msm(bases, tc_scalars_i64(k), N, 1, 13);
        assert_memory_equal(&got, &got2, sizeof got);
        if (pattern != 1)
            continue;
        /* the unsigned kind: the same sums from Fr scalars */
        got2 = run_msm(bases, tc_scalars_fr(kf), N, 2, 0);
        assert_g1_eq(&got2, &want);
        got2 = run_msm(bases, tc_scalars_fr(kf), N, 1, 11);
        assert_g1_eq(&got2, &want);
    }
    free(bases);
    free(a);
    free(kf);
    free(k);
}

int main(void)
{
    tc_prng_seed(&rng, tu_seed("test_msm"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_window),
        cmocka_unit_test(test_window_choice),
        cmocka_unit_test(test_small_n),
        cmocka_unit_test(test_int64_min),
        cmocka_unit_test(test_large_n),
        cmocka_unit_test(test_repeated_bases),
        cmocka_unit_test(test_cancellation),
        cmocka_unit_test(test_bucket_reduce),
        cmocka_unit_test(test_lockstep_msm),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_fixed_base),
        cmocka_unit_test(test_g2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
