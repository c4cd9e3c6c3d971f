/* select: the subset DP against exhaustive search on random instances,
 * edge cases (budgets 0 and 1e15, M = 1, M = 16, L = 0 and 1), fit and
 * eigenvalue properties, and rejection of malformed input files.
 * The random seed is printed; TC_TEST_SEED=<n> replays a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "select/select.h"
#include "util/util.h"

static uint64_t seed;
static bool long_run; /* --long: ten times the random instances, larger ones */

/* ------------------------------------------------------------ MV-BCS */

typedef struct inst {
    size_t L, M;
    double v[64];
    uint64_t c[64];
    uint64_t b[TC_MVBCS_MAX_VERIFIERS + 2];
} inst;

static void random_instance(tc_prng *g, inst *in, bool integral)
{
    in->L = 1 + (size_t)tc_prng_below(g, long_run ? 12 : 9);
    in->M = 1 + (size_t)tc_prng_below(g, long_run ? 5 : 4);
    uint64_t maxc = 1 + tc_prng_below(g, 6), total = 0;
    bool ties = tc_prng_below(g, 4) == 0;
    for (size_t i = 0; i < in->L; i++) {
        if (integral)
            in->v[i] = (double)tc_prng_below(g, ties ? 3 : 10);
        else
            in->v[i] = tc_prng_double(g);
        if (tc_prng_below(g, 6) == 0)
            in->v[i] = 0;
        in->c[i] = 1 + tc_prng_below(g, maxc);
        total += in->c[i];
    }
    for (size_t k = 0; k < in->M; k++) {
        uint64_t r = tc_prng_below(g, 10);
        in->b[k] = r == 0 ? 0 : r == 1 ? (uint64_t)1e15 : tc_prng_below(g, total + 1);
    }
}

static void test_dp_vs_brute_force(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, seed);
    tc_error err = {0};
    int trials = long_run ? 40000 : 4000;
    for (int t = 0; t < trials; t++) {
        inst in;
        bool integral = t % 4 != 3;
        random_instance(&g, &in, integral);
        tc_mvbcs_range a[8], r[8];
        double opt, ref, chk;
        assert_int_equal(tc_mvbcs_solve(&err, &opt, a, in.v, in.c, in.L, in.b, in.M), TC_OK);
        assert_int_equal(tc_mvbcs_solve_ref(&err, &ref, r, in.v, in.c, in.L, in.b, in.M), TC_OK);
        if (integral ? opt != ref : fabs(opt - ref) > 1e-12 * fmax(1, ref))
            fail_msg("seed %llu instance %d: dp %.17g, brute force %.17g",
                     (unsigned long long)seed, t, opt, ref);
        assert_int_equal(tc_mvbcs_check(&err, &chk, a, in.v, in.c, in.L, in.b, in.M), TC_OK);
        assert_true(fabs(chk - opt) <= 1e-12 * fmax(1, opt));
        /* Canonical rule 1: an uncovered edge unit of value 0 is never taken. */
        for (size_t k = 0; k < in.M; k++)
            if (a[k].start >= 0) {
                assert_true(in.v[a[k].start] > 0 || a[k].start == a[k].end ||
                            in.v[a[k].end] > 0);
            }
    }
}

/* M = 1: the best budget-feasible interval by direct enumeration. */
static void test_single_verifier(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, seed ^ 0x51);
    tc_error err = {0};
    for (int t = 0; t < 500; t++) {
        size_t L = 1 + (size_t)tc_prng_below(&g, 40);
        double v[40];
        uint64_t c[40], b = tc_prng_below(&g, 60);
        for (size_t i = 0; i < L; i++) {
            v[i] = (double)tc_prng_below(&g, 100);
            c[i] = 1 + tc_prng_below(&g, 9);
        }
        double best = 0;
        for (size_t s = 0; s < L; s++) {
            double sum = 0;
            uint64_t cost = 0;
            for (size_t e = s; e < L; e++) {
                sum += v[e];
                cost += c[e];
                if (cost <= b && sum > best)
                    best = sum;
            }
        }
        tc_mvbcs_range a;
        double opt;
        assert_int_equal(tc_mvbcs_solve(&err, &opt, &a, v, c, L, &b, 1), TC_OK);
        assert_true(opt == best);
    }
}

static void test_budget_edges(void **state)
{
    (void)state;
    tc_error err = {0};
    double v[5] = {0, 3, 0, 2, 0};
    uint64_t c[5] = {4, 5, 6, 7, 8};
    tc_mvbcs_range a[3];
    double opt;
    /* All budgets 0: nothing. */
    uint64_t zero[3] = {0, 0, 0};
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, c, 5, zero, 3), TC_OK);
    assert_true(opt == 0);
    for (int k = 0; k < 3; k++)
        assert_true(a[k].start == -1 && a[k].end == -1);
    /* 1e15: one verifier takes every valued unit, zero-valued edges left out. */
    uint64_t huge[3] = {0, (uint64_t)1e15, (uint64_t)1e15};
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, c, 5, huge, 3), TC_OK);
    assert_true(opt == 5);
    assert_true(a[0].start == -1);
    /* Tie between verifiers 2 and 3: the lowest index gets the rightmost
     * interval, the other what is left (rule 2, reconstruction from the right). */
    assert_true(a[1].start == 3 && a[1].end == 3);
    assert_true(a[2].start == 1 && a[2].end == 1);
    /* Costs near the 64-bit limit overflow cleanly. */
    uint64_t cbig[2] = {UINT64_MAX - 1, 5};
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, cbig, 2, huge, 3), TC_EFORMAT);
}

static void test_small_L(void **state)
{
    (void)state;
    tc_error err = {0};
    tc_mvbcs_range a[4];
    double opt = -1;
    uint64_t b[4] = {2, 7, 7, 0};
    /* L = 0. */
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, NULL, NULL, 0, b, 4), TC_OK);
    assert_true(opt == 0 && a[0].start == -1 && a[3].start == -1);
    /* L = 1: the lowest-index verifier that can pay takes it. */
    double v = 2.5;
    uint64_t c = 7;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, &v, &c, 1, b, 4), TC_OK);
    assert_true(opt == 2.5);
    assert_true(a[0].start == -1 && a[1].start == 0 && a[1].end == 0 && a[2].start == -1);
    /* L = 1, value 0: not covered. */
    v = 0;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, &v, &c, 1, b, 4), TC_OK);
    assert_true(opt == 0 && a[1].start == -1);
    /* M = 0. */
    v = 1;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, &v, &c, 1, b, 0), TC_OK);
    assert_true(opt == 0);
}

/* M = 16 single-unit verifiers over 20 unit-cost blocks: the optimum is the
 * sum of the 16 largest values; verifiers with budget 0 do not count toward
 * the limit; 17 usable verifiers are refused. */
static void test_sixteen_verifiers(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, seed ^ 0x16);
    tc_error err = {0};
    double v[20], sorted[20];
    uint64_t c[20], b[18];
    for (size_t i = 0; i < 20; i++) {
        v[i] = (double)(1 + tc_prng_below(&g, 1000));
        sorted[i] = v[i];
        c[i] = 1;
    }
    for (size_t i = 0; i < 20; i++)
        for (size_t j = i + 1; j < 20; j++)
            if (sorted[j] > sorted[i]) {
                double t = sorted[i];
                sorted[i] = sorted[j];
                sorted[j] = t;
            }
    double want = 0;
    for (size_t i = 0; i < 16; i++)
        want += sorted[i];
    for (size_t k = 0; k < 18; k++)
        b[k] = 1;
    b[5] = 0;
    b[17] = 0;
    tc_mvbcs_range a[18];
    double opt, chk;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, c, 20, b, 17), TC_OK);
    assert_true(opt == want);
    assert_true(a[5].start == -1);
    assert_int_equal(tc_mvbcs_check(&err, &chk, a, v, c, 20, b, 17), TC_OK);
    assert_true(chk == want);
    b[5] = 1;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, c, 20, b, 17), TC_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "16"));

    /* A table beyond the memory cap is refused before any allocation. */
    enum { BIG = 10000 };
    double *vb = calloc(BIG, sizeof *vb);
    uint64_t *cb = malloc(BIG * sizeof *cb);
    for (size_t i = 0; i < BIG; i++)
        cb[i] = 1;
    for (size_t k = 0; k < 16; k++)
        b[k] = 1;
    tc_mvbcs_range abig[16];
    assert_int_equal(tc_mvbcs_solve(&err, &opt, abig, vb, cb, BIG, b, 16), TC_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "MiB"));
    free(vb);
    free(cb);

    /* Mixed budgets, M = 16 over L = 40: the DP is at least as good as any
     * 8-verifier sub-instance and as a greedy left-to-right packing. */
    uint64_t c2[40], b2[16];
    double v2[40];
    for (size_t i = 0; i < 40; i++) {
        v2[i] = tc_prng_double(&g);
        c2[i] = 1 + tc_prng_below(&g, 5);
    }
    for (size_t k = 0; k < 16; k++)
        b2[k] = tc_prng_below(&g, 8);
    double o16, o8;
    tc_mvbcs_range a16[16];
    assert_int_equal(tc_mvbcs_solve(&err, &o16, a16, v2, c2, 40, b2, 16), TC_OK);
    assert_int_equal(tc_mvbcs_solve(&err, &o8, a16, v2, c2, 40, b2, 8), TC_OK);
    assert_true(o16 >= o8);
    assert_int_equal(tc_mvbcs_solve(&err, &o16, a16, v2, c2, 40, b2, 16), TC_OK);
    assert_int_equal(tc_mvbcs_check(&err, &chk, a16, v2, c2, 40, b2, 16), TC_OK);
    assert_true(fabs(chk - o16) <= 1e-12 * o16);
}

/* The two counterexamples of docs/layer-selection.md §7.7. */
static void test_free_order(void **state)
{
    (void)state;
    tc_error err = {0};
    double v[2] = {1, 10};
    uint64_t c[2] = {1, 10}, b[2] = {10, 1};
    tc_mvbcs_range a[2];
    double opt;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, c, 2, b, 2), TC_OK);
    assert_true(opt == 11);
    assert_true(a[0].start == 1 && a[1].start == 0);
    double v1 = 1;
    uint64_t c1 = 5;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, &v1, &c1, 1, b, 2), TC_OK);
    assert_true(opt == 1 && a[0].start == 0 && a[1].start == -1);
}

static void test_mvbcs_rejects(void **state)
{
    (void)state;
    tc_error err = {0};
    tc_mvbcs_range a[1];
    double opt;
    uint64_t c[2] = {1, 1}, b = 5;
    double bad[2] = {1, -1};
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, bad, c, 2, &b, 1), TC_EFORMAT);
    bad[1] = NAN;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, bad, c, 2, &b, 1), TC_EFORMAT);
    double ok[2] = {1, 1};
    uint64_t c0[2] = {1, 0};
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, ok, c0, 2, &b, 1), TC_EFORMAT);
    /* check() refuses infeasible assignments. */
    tc_mvbcs_range two[2] = {{0, 1}, {1, 1}};
    uint64_t bb[2] = {5, 5};
    assert_int_equal(tc_mvbcs_check(&err, &opt, two, ok, c, 2, bb, 2), TC_EFORMAT);
    tc_mvbcs_range over[1] = {{0, 2}};
    assert_int_equal(tc_mvbcs_check(&err, &opt, over, ok, c, 2, bb, 1), TC_EFORMAT);
    tc_mvbcs_range costly[1] = {{0, 1}};
    uint64_t b1 = 1;
    assert_int_equal(tc_mvbcs_check(&err, &opt, costly, ok, c, 2, &b1, 1), TC_EFORMAT);
}

/* -------------------------------------------------------- fits, eigen */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_fit_properties(void **state)
{
    (void)state;
    tc_error err = {0};
    tc_esd_fit f;
    double same[6] = {2, 2, 2, 2, 2, 2};
    assert_int_equal(tc_esd_fit_metric(&err, &f, same, 6, TC_METRIC_ALPHA), TC_OK);
    assert_false(f.ok);
    assert_string_equal(f.reason, "all candidate tails are constant");
    assert_int_equal(tc_esd_fit_metric(&err, &f, same, 0, TC_METRIC_ALPHA_PEAK), TC_OK);
    assert_false(f.ok);
    double neg[3] = {1, -1, 2};
    assert_int_equal(tc_esd_fit_metric(&err, &f, neg, 3, TC_METRIC_ALPHA), TC_EFORMAT);
    double inf[2] = {1, INFINITY};
    assert_int_equal(tc_esd_fit_metric(&err, &f, inf, 2, TC_METRIC_ALPHA), TC_EFORMAT);

    /* A Pareto(α = 2.5) sample: the full fit recovers α; alpha and
     * alpha_mid are scale invariant; the input order does not matter. */
    tc_prng g;
    tc_prng_seed(&g, seed ^ 0xe5d);
    enum { N = 2000 };
    static double x[N], y[N], z[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = pow(1.0 - tc_prng_double(&g), -1.0 / 1.5); /* density ∝ x^-2.5 */
        y[i] = 37.5 * x[i];
        z[N - 1 - i] = x[i];
    }
    tc_esd_fit fx, fy, fz;
    assert_int_equal(tc_esd_fit_metric(&err, &fx, x, N, TC_METRIC_ALPHA), TC_OK);
    assert_true(fx.ok && fabs(fx.alpha - 2.5) < 0.25);
    assert_int_equal(tc_esd_fit_metric(&err, &fy, y, N, TC_METRIC_ALPHA), TC_OK);
    assert_int_equal(fx.xmin_index, fy.xmin_index);
    assert_true(fabs(fx.alpha - fy.alpha) <= 1e-9 * fx.alpha);
    assert_int_equal(tc_esd_fit_metric(&err, &fz, z, N, TC_METRIC_ALPHA), TC_OK);
    assert_true(fx.alpha == fz.alpha && fx.D == fz.D);
    assert_int_equal(tc_esd_fit_metric(&err, &fx, x, N, TC_METRIC_ALPHA_MID), TC_OK);
    assert_int_equal(tc_esd_fit_metric(&err, &fy, y, N, TC_METRIC_ALPHA_MID), TC_OK);
    assert_true(fx.num_candidates == 1 && fx.xmin_index == N / 2);
    assert_true(fabs(fx.alpha - fy.alpha) <= 1e-9 * fx.alpha);
    /* The mid candidate's alpha is the Hill estimate on the upper half. */
    qsort(z, N, sizeof *z, cmp_double);
    double sum = 0;
    for (size_t j = N / 2; j < N; j++)
        sum += log(z[j] / z[N / 2]);
    assert_true(fabs(fx.alpha - (1 + (double)(N - N / 2) / sum)) <= 1e-12 * fx.alpha);
}

static void test_eigen_properties(void **state)
{
    (void)state;
    tc_error err = {0};
    /* Rank one: u vᵀ has one eigenvalue |u|²|v|², the rest exactly 0. */
    double u[5] = {1, -2, 0.5, 3, 1.25}, v[3] = {0.5, -1, 2};
    double w[15], ev[3];
    for (int m = 0; m < 4; m++) {
        /* both methods, both orientations */
        for (size_t i = 0; i < 5; i++)
            for (size_t j = 0; j < 3; j++) {
                if (m < 2)
                    w[i * 3 + j] = u[i] * v[j];
                else
                    w[j * 5 + i] = u[i] * v[j];
            }
        tc_eig_method method = m % 2 ? TC_EIG_GRAM : TC_EIG_SVD;
        assert_int_equal(tc_esd_eigenvalues_with(&err, ev, w, m < 2 ? 5 : 3, m < 2 ? 3 : 5,
                                                 method),
                         TC_OK);
        double want = (1 + 4 + 0.25 + 9 + 1.5625) * (0.25 + 1 + 4);
        assert_true(ev[0] == 0 && ev[1] == 0);
        assert_true(fabs(ev[2] - want) <= 1e-13 * want);
    }
    /* 2x2 closed form, and the transpose gives the same values. */
    double m[4] = {3, 1, -2, 4}, mt[4] = {3, -2, 1, 4}, e1[2], e2[2];
    assert_int_equal(tc_esd_eigenvalues(&err, e1, m, 2, 2), TC_OK);
    assert_int_equal(tc_esd_eigenvalues(&err, e2, mt, 2, 2), TC_OK);
    double tr = 9 + 1 + 4 + 16, det = (3 * 4 - 1 * (-2)) * (3 * 4 - 1 * (-2));
    double lo = (tr - sqrt(tr * tr - 4 * det)) / 2, hi = (tr + sqrt(tr * tr - 4 * det)) / 2;
    assert_true(fabs(e1[0] - lo) <= 1e-12 * hi && fabs(e1[1] - hi) <= 1e-12 * hi);
    assert_true(fabs(e2[0] - e1[0]) <= 1e-12 * hi && fabs(e2[1] - e1[1]) <= 1e-12 * hi);
    double nan_m[2] = {1, NAN};
    assert_int_equal(tc_esd_eigenvalues(&err, e1, nan_m, 1, 2), TC_EFORMAT);
}

static void test_mapping_properties(void **state)
{
    (void)state;
    tc_error err = {0};
    double m[6] = {2, 2, 2, 2, 2, 2}, r[6], s[6];
    uint64_t p[6] = {10, 20, 30, 10, 20, 30};
    tc_select_map_params mp;
    tc_select_map_params_default(&mp, 2);
    assert_int_equal(tc_select_map(&err, r, s, m, p, 6, &mp), TC_OK);
    for (int l = 0; l < 6; l++)
        assert_true(fabs(r[l] - 0.7) < 1e-15 && fabs(s[l] - 0.3) < 1e-15);
    /* Without clamping the weighted mean is exactly S (up to rounding). */
    double m2[6] = {1.5, 3, 2.5, 4, 2, 6};
    mp.mapping = TC_MAP_LAYER_WISE;
    mp.clamp = false;
    assert_int_equal(tc_select_map(&err, r, s, m2, p, 6, &mp), TC_OK);
    double wm = 0, tp = 0;
    for (int l = 0; l < 6; l++) {
        wm += (double)p[l] * r[l];
        tp += (double)p[l];
    }
    assert_true(fabs(wm / tp - 0.7) < 1e-14);
    assert_true(r[5] / r[0] > 1.3 / 0.7 - 1e-12); /* spread (1+ε)/(1-ε) */
    mp.num_blocks = 4;
    assert_int_equal(tc_select_map(&err, r, s, m2, p, 6, &mp), TC_EFORMAT);
    mp.num_blocks = 2;
    mp.sparsity = 1.5;
    assert_int_equal(tc_select_map(&err, r, s, m2, p, 6, &mp), TC_EARG);
}

/* ---------------------------------------------------------- input files */

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tc_sel_inXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static tc_status read_inst(const char *text, const char *case_id, tc_error *err)
{
    char *path = write_tmp(text);
    tc_mvbcs_instance in;
    tc_status s = tc_mvbcs_instance_read(err, &in, path, case_id);
    tc_mvbcs_instance_free(&in);
    unlink(path);
    return s;
}

static void test_instance_files(void **state)
{
    (void)state;
    tc_error err = {0};
    assert_int_equal(read_inst("{\"values\":[1,2.5],\"costs\":[1,2],\"budgets\":[1e15,0]}",
                               NULL, &err),
                     TC_OK);
    static const char *bad[] = {
        "{\"values\":[1,2],\"costs\":[1,2]}",
        "{\"values\":[1,-2],\"costs\":[1,2],\"budgets\":[3]}",
        "{\"values\":[1,\"x\"],\"costs\":[1,2],\"budgets\":[3]}",
        "{\"values\":[1,2],\"costs\":[1,0],\"budgets\":[3]}",
        "{\"values\":[1,2],\"costs\":[1,2.5],\"budgets\":[3]}",
        "{\"values\":[1,2],\"costs\":[1],\"budgets\":[3]}",
        "{\"values\":[1,2],\"costs\":[1,2],\"budgets\":[-1]}",
        "{\"values\":[1,2],\"costs\":[1,2],\"budgets\":[1.5]}",
        "{\"values\":[1,2],\"costs\":[1,2],\"budgets\":[3],\"L\":3}",
        "{\"values\":[1,2],\"costs\":[1,2],\"budgets\":[3],\"M\":2}",
        "{\"values\":[1,2],\"costs\":[1,2],\"budgets\":[3]",
        "{\"values\":[1,2],\"values\":[1,2],\"costs\":[1,2],\"budgets\":[3]}",
        "[1,2,3]",
        "{\"cases\":[{\"id\":\"a\",\"values\":[],\"costs\":[],\"budgets\":[]}]}",
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(bad); i++) {
        tc_status s = read_inst(bad[i], NULL, &err);
        if (s != TC_EFORMAT)
            fail_msg("accepted bad instance %zu: %s", i, bad[i]);
        assert_non_null(strstr(err.msg, "/tmp/tc_sel_in"));
    }
    const char *cases = "{\"cases\":[{\"id\":\"a\",\"values\":[],\"costs\":[],\"budgets\":[]}]}";
    assert_int_equal(read_inst(cases, "a", &err), TC_OK);
    assert_int_equal(read_inst(cases, "b", &err), TC_EFORMAT);
    tc_mvbcs_instance in;
    assert_int_equal(tc_mvbcs_instance_read(&err, &in, "/nonexistent/x.json", NULL), TC_EIO);
}

static void test_eigenvalue_files(void **state)
{
    (void)state;
    tc_error err = {0};
    static const struct {
        const char *text;
        tc_status want;
        size_t n;
    } cases[] = {
        {"[1, 2, 3.5]", TC_OK, 3},
        {"{\"eigenvalues\": [0, 4]}", TC_OK, 2},
        {"{\"eigenvalues\": []}", TC_OK, 0},
        {"[1, -2]", TC_EFORMAT, 0},
        {"[1, \"2\"]", TC_EFORMAT, 0},
        {"{\"evals\": [1]}", TC_EFORMAT, 0},
        {"[1, 2", TC_EFORMAT, 0},
        {"", TC_EFORMAT, 0},
        {"{\"cases\": [{\"id\": \"x\", \"eigenvalues\": [1]}]}", TC_EFORMAT, 0},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
        char *path = write_tmp(cases[i].text);
        double *ev = NULL;
        size_t n = 99;
        tc_status s = tc_select_eigenvalues_read(&err, &ev, &n, path, NULL);
        if (s != cases[i].want)
            fail_msg("eigenvalue file %zu (%s): status %d", i, cases[i].text, (int)s);
        if (s == TC_OK)
            assert_int_equal(n, cases[i].n);
        free(ev);
        unlink(path);
    }
}

static void test_scores_files(void **state)
{
    (void)state;
    tc_error err = {0};
    static const char *bad[] = {
        "{}",
        "{\"layers\": []}",
        "{\"layers\": [{\"num_parameters\": 5}]}",
        "{\"layers\": [{\"significance_score\": -0.1, \"num_parameters\": 5}]}",
        "{\"layers\": [{\"significance_score\": 0.1, \"num_parameters\": 0}]}",
        "{\"num_blocks\": 2, \"layers\": [{\"significance_score\": 0.1, \"num_parameters\": 5}]}",
        ("{\"layers\": [{\"significance_score\": 0.1, \"num_parameters\": 5, \"block_index\": 1},"
         " {\"significance_score\": 0.1, \"num_parameters\": 5, \"block_index\": 0}]}"),
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(bad); i++) {
        char *path = write_tmp(bad[i]);
        tc_select_scores s;
        tc_status st = tc_select_scores_read(&err, &s, path);
        unlink(path);
        if (st != TC_EFORMAT)
            fail_msg("accepted bad scores file %zu: %s", i, bad[i]);
    }
    /* The original tool's minimal shape is enough. */
    char *path = write_tmp("{\"num_blocks\": 1, \"layers\": [{\"significance_score\": 0.25,"
                           " \"num_parameters\": 5}, {\"significance_score\": 0.5,"
                           " \"num_parameters\": 7}]}");
    tc_select_scores s;
    assert_int_equal(tc_select_scores_read(&err, &s, path), TC_OK);
    unlink(path);
    assert_int_equal(s.map.num_blocks, 1);
    assert_true(s.blocks[0].sum_significance == 0.75 && s.blocks[0].total_parameters == 12);
    tc_select_scores_free(&s);
}

int main(int argc, char **argv)
{
    long_run = argc > 1 && strcmp(argv[1], "--long") == 0;
    const char *env = getenv("TC_TEST_SEED");
    seed = env ? strtoull(env, NULL, 0) : 0x5e1ec7ULL;
    printf("test_select_unit: seed %llu (TC_TEST_SEED to replay)%s\n",
           (unsigned long long)seed, long_run ? ", long run" : "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dp_vs_brute_force), cmocka_unit_test(test_single_verifier),
        cmocka_unit_test(test_budget_edges),      cmocka_unit_test(test_small_L),
        cmocka_unit_test(test_sixteen_verifiers), cmocka_unit_test(test_free_order),
        cmocka_unit_test(test_mvbcs_rejects),     cmocka_unit_test(test_fit_properties),
        cmocka_unit_test(test_eigen_properties),  cmocka_unit_test(test_mapping_properties),
        cmocka_unit_test(test_instance_files),    cmocka_unit_test(test_eigenvalue_files),
        cmocka_unit_test(test_scores_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
