/* select: every public known-answer vector of vectors/layer-selection
 * (README there: formats and tolerances). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tensor/safetensors.h"
#include "select/select.h"
#include "util/util.h"

#define VEC_DIR TC_TEST_DATA_DIR "/vectors/layer-selection/"
#define MODEL_DIR TC_SOURCE_DIR "/models/stories260K"

static json_t *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", VEC_DIR, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (j == NULL)
        fail_msg("%s: %s", path, je.text);
    return j;
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("missing number %s", key);
    return json_number_value(v);
}

static size_t idx(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("missing integer %s", key);
    return (size_t)json_integer_value(v);
}

static void close_rel(double got, double want, double tol, const char *what, const char *id)
{
    double d = fabs(got - want), s = fmax(fabs(want), 1e-300);
    if (!(d <= tol * s) && !(got == want))
        fail_msg("%s %s: got %.17g want %.17g (rel %.3g)", id, what, got, want, d / s);
}

static double *doubles(json_t *a, size_t *n)
{
    *n = json_array_size(a);
    double *x = malloc((*n ? *n : 1) * sizeof *x);
    for (size_t i = 0; i < *n; i++)
        x[i] = json_number_value(json_array_get(a, i));
    return x;
}

static uint64_t *u64s(json_t *a, size_t *n)
{
    *n = json_array_size(a);
    uint64_t *x = malloc((*n ? *n : 1) * sizeof *x);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(a, i);
        x[i] = json_is_integer(v) ? (uint64_t)json_integer_value(v)
                                  : (uint64_t)json_number_value(v);
    }
    return x;
}

/* Compares one fit with an `expected` entry (README tolerances). */
static void check_fit(const tc_esd_fit *f, json_t *e, const char *id, double tol)
{
    const char *status = json_string_value(json_object_get(e, "status"));
    assert_non_null(status);
    if (strcmp(status, "ok") != 0) {
        if (f->ok)
            fail_msg("%s: fit should fail", id);
        assert_string_equal(f->reason, json_string_value(json_object_get(e, "reason")));
        assert_int_equal(f->num_evals, idx(e, "num_evals"));
        assert_int_equal(f->num_candidates, idx(e, "num_candidates"));
        return;
    }
    if (!f->ok)
        fail_msg("%s: fit failed: %s", id, f->reason);
    assert_int_equal(f->num_evals, idx(e, "num_evals"));
    assert_int_equal(f->num_candidates, idx(e, "num_candidates"));
    assert_int_equal(f->xmin_index, idx(e, "xmin_index"));
    assert_int_equal(f->n_tail, idx(e, "n_tail"));
    close_rel(f->alpha, num(e, "alpha"), tol, "alpha", id);
    close_rel(f->xmin, num(e, "xmin"), tol, "xmin", id);
    close_rel(f->D, num(e, "D"), tol, "D", id);
    if (json_object_get(e, "peak_bin") != NULL) {
        assert_int_equal(f->peak_bin, idx(e, "peak_bin"));
        close_rel(f->peak, num(e, "peak"), tol, "peak", id);
        close_rel(f->xmin_range_lo, num(e, "xmin_range_lo"), tol, "xmin_range_lo", id);
        close_rel(f->xmin_range_hi, num(e, "xmin_range_hi"), tol, "xmin_range_hi", id);
    }
}

static const tc_select_metric all_metrics[] = {TC_METRIC_ALPHA_PEAK, TC_METRIC_ALPHA_MID,
                                               TC_METRIC_ALPHA};

static void test_esd_vectors(void **state)
{
    (void)state;
    json_t *root = load("esd_vectors.json"), *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) >= 10);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *cs = json_array_get(cases, c);
        const char *id = json_string_value(json_object_get(cs, "id"));
        size_t n;
        double *ev = doubles(json_object_get(cs, "eigenvalues"), &n);
        json_t *exp = json_object_get(cs, "expected");
        double alpha_peak = NAN;
        for (size_t m = 0; m < 3; m++) {
            tc_esd_fit f;
            tc_error err = {0};
            assert_int_equal(tc_esd_fit_metric(&err, &f, ev, n, all_metrics[m]), TC_OK);
            char what[64];
            snprintf(what, sizeof what, "%s/%s", id, tc_select_metric_name(all_metrics[m]));
            check_fit(&f, json_object_get(exp, tc_select_metric_name(all_metrics[m])), what,
                      1e-9);
            if (all_metrics[m] == TC_METRIC_ALPHA_PEAK)
                alpha_peak = f.ok ? f.alpha : NAN;
        }
        /* Norm metrics on the unfiltered list. */
        json_t *mt = json_object_get(cs, "metrics");
        tc_esd_norms nm;
        tc_error err = {0};
        assert_int_equal(tc_esd_norms_compute(&err, &nm, ev, n), TC_OK);
        close_rel(nm.spectral_norm, num(mt, "spectral_norm"), 1e-9, "spectral_norm", id);
        close_rel(nm.norm, num(mt, "norm"), 1e-9, "norm", id);
        close_rel(nm.log_norm, num(mt, "log_norm"), 1e-9, "log_norm", id);
        close_rel(nm.log_spectral_norm, num(mt, "log_spectral_norm"), 1e-9, "log_spectral_norm",
                  id);
        close_rel(nm.stable_rank, num(mt, "stable_rank"), 1e-9, "stable_rank", id);
        json_t *ah = json_object_get(mt, "alpha_hat_peak");
        if (json_is_number(ah))
            close_rel(tc_esd_alpha_hat(alpha_peak, nm.spectral_norm), json_number_value(ah),
                      1e-9, "alpha_hat_peak", id);
        json_t *lan = json_object_get(mt, "log_alpha_norm_peak");
        if (json_is_number(lan))
            close_rel(tc_esd_log_alpha_norm(ev, n, alpha_peak), json_number_value(lan), 1e-9,
                      "log_alpha_norm_peak", id);
        free(ev);
    }
    json_decref(root);
}

static void test_matrix_vectors(void **state)
{
    (void)state;
    json_t *root = load("matrix_vectors.json"), *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) >= 3);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *cs = json_array_get(cases, c), *sh = json_object_get(cs, "shape");
        const char *id = json_string_value(json_object_get(cs, "id"));
        size_t rows = (size_t)json_integer_value(json_array_get(sh, 0));
        size_t cols = (size_t)json_integer_value(json_array_get(sh, 1));
        json_t *wj = json_object_get(cs, "weight");
        double *w = malloc(rows * cols * sizeof *w);
        for (size_t r = 0; r < rows; r++)
            for (size_t k = 0; k < cols; k++)
                w[r * cols + k] = json_number_value(json_array_get(json_array_get(wj, r), k));
        size_t n;
        double *want = doubles(json_object_get(cs, "eigenvalues"), &n);
        assert_int_equal(n, rows < cols ? rows : cols);
        double *got = malloc(n * sizeof *got), *w2 = malloc(rows * cols * sizeof *w2);
        tc_error err = {0};
        for (int m = 0; m < 2; m++) {
            tc_eig_method method = m ? TC_EIG_GRAM : TC_EIG_SVD;
            memcpy(w2, w, rows * cols * sizeof *w2);
            assert_int_equal(tc_esd_eigenvalues_with(&err, got, w2, rows, cols, method), TC_OK);
            double tol = 1e-12 * fmax(1.0, want[n - 1]);
            for (size_t j = 0; j < n; j++)
                if (!(fabs(got[j] - want[j]) <= tol))
                    fail_msg("%s (%s): eigenvalue %zu got %.17g want %.17g", id,
                             tc_eig_method_name(method), j, got[j], want[j]);
        }
        free(w2);
        free(w);
        free(want);
        free(got);
    }
    json_decref(root);
}

static void test_mapping_vectors(void **state)
{
    (void)state;
    json_t *root = load("mapping_vectors.json"), *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) >= 6);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *cs = json_array_get(cases, c);
        const char *id = json_string_value(json_object_get(cs, "id"));
        size_t L, L2, L3, L4;
        double *m = doubles(json_object_get(cs, "metrics"), &L);
        uint64_t *p = u64s(json_object_get(cs, "num_parameters"), &L2);
        double *wr = doubles(json_object_get(cs, "pruning_ratios"), &L3);
        double *ws = doubles(json_object_get(cs, "significance_scores"), &L4);
        assert_int_equal(L, L2);
        assert_int_equal(L, L3);
        assert_int_equal(L, L4);
        tc_select_map_params mp;
        tc_select_map_params_default(&mp, idx(cs, "num_blocks"));
        mp.sparsity = num(cs, "sparsity_ratio");
        mp.epsilon = num(cs, "epsilon");
        assert_true(tc_select_mapping_parse(
            &mp.mapping, json_string_value(json_object_get(cs, "mapping_type"))));
        mp.clamp = json_is_true(json_object_get(cs, "clamp"));
        double *r = malloc(L * sizeof *r), *s = malloc(L * sizeof *s);
        tc_error err = {0};
        assert_int_equal(tc_select_map(&err, r, s, m, p, L, &mp), TC_OK);
        for (size_t l = 0; l < L; l++) {
            if (wr[l] == 0 || ws[l] == 0) {
                assert_true(fabs(r[l] - wr[l]) <= 1e-12 && fabs(s[l] - ws[l]) <= 1e-12);
                continue;
            }
            close_rel(r[l], wr[l], 1e-12, "pruning_ratio", id);
            close_rel(s[l], ws[l], 1e-12, "significance", id);
        }
        free(m);
        free(p);
        free(wr);
        free(ws);
        free(r);
        free(s);
    }
    json_decref(root);
}

/* The research tool's recurrence as the specification describes it (§7.7):
 * verifiers in input order, no "empty" transition.  Kept here only to show,
 * against the vectors' recorded values, what it misses. */
static double original_recurrence(const double *v, const uint64_t *c, size_t L,
                                  const uint64_t *b, size_t M)
{
    double V[64] = {0}, prev[64] = {0}, cur[64];
    uint64_t C[64] = {0};
    assert_true(L < 64);
    for (size_t i = 0; i < L; i++) {
        V[i + 1] = V[i] + v[i];
        C[i + 1] = C[i] + c[i];
    }
    for (size_t k = 0; k < M; k++) {
        cur[0] = 0;
        for (size_t i = 1; i <= L; i++) {
            double best = cur[i - 1];
            for (size_t r = 0; r < i; r++)
                if (C[i] - C[r] <= b[k] && prev[r] + V[i] - V[r] > best)
                    best = prev[r] + V[i] - V[r];
            cur[i] = best;
        }
        memcpy(prev, cur, sizeof prev);
    }
    return prev[L];
}

static void test_mvbcs_vectors(void **state)
{
    (void)state;
    json_t *root = load("mvbcs_vectors.json"), *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) >= 124);
    size_t strict = 0, original_short = 0;
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *cs = json_array_get(cases, c);
        const char *id = json_string_value(json_object_get(cs, "id"));
        size_t L, L2, M;
        double *v = doubles(json_object_get(cs, "values"), &L);
        uint64_t *cost = u64s(json_object_get(cs, "costs"), &L2);
        uint64_t *bud = u64s(json_object_get(cs, "budgets"), &M);
        assert_int_equal(L, L2);
        tc_mvbcs_range *a = malloc((M ? M : 1) * sizeof *a);
        double opt, chk;
        tc_error err = {0};
        assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, cost, L, bud, M), TC_OK);
        double want = num(cs, "optimal_value");
        if (json_is_true(json_object_get(cs, "value_exact"))) {
            if (opt != want)
                fail_msg("%s: optimum %.17g, want exactly %.17g", id, opt, want);
        } else {
            close_rel(opt, want, 1e-9, "optimum", id);
        }
        assert_int_equal(tc_mvbcs_check(&err, &chk, a, v, cost, L, bud, M), TC_OK);
        close_rel(chk, want, 1e-9, "assignment value", id);
        double orig = original_recurrence(v, cost, L, bud, M);
        close_rel(orig, num(cs, "original_tool_value"), 1e-9, "original_tool_value", id);
        assert_true(orig <= opt + 1e-9 * opt);
        original_short += orig < opt - 1e-9 * opt;
        if (json_is_true(json_object_get(cs, "canonical_assignment_strict"))) {
            json_t *ca = json_object_get(cs, "canonical_assignment");
            assert_int_equal(json_array_size(ca), M);
            for (size_t k = 0; k < M; k++) {
                json_t *p = json_array_get(ca, k);
                if (a[k].start != json_integer_value(json_array_get(p, 0)) ||
                    a[k].end != json_integer_value(json_array_get(p, 1)))
                    fail_msg("%s: verifier %zu got [%lld, %lld]", id, k, (long long)a[k].start,
                             (long long)a[k].end);
            }
            strict++;
        }
        free(v);
        free(cost);
        free(bud);
        free(a);
    }
    assert_true(strict > 100);
    printf("mvbcs vectors: the input-order recurrence misses the optimum on %zu of %zu\n",
           original_short, json_array_size(cases));
    assert_true(original_short > 0);
    json_decref(root);
}

/* The two counterexamples of §7.7: input order (11 vs 1) and the missing
 * "empty" transition (1 vs 0). */
static void test_original_counterexamples(void **state)
{
    (void)state;
    double v[2] = {1, 10}, opt;
    uint64_t c[2] = {1, 10}, b[2] = {10, 1};
    tc_mvbcs_range a[2];
    tc_error err = {0};
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, v, c, 2, b, 2), TC_OK);
    assert_true(opt == 11 && original_recurrence(v, c, 2, b, 2) == 1);
    double v1 = 1;
    uint64_t c1 = 5;
    assert_int_equal(tc_mvbcs_solve(&err, &opt, a, &v1, &c1, 1, b, 2), TC_OK);
    assert_true(opt == 1 && original_recurrence(&v1, &c1, 1, b, 2) == 0);
}

/* stories260K_fits.json: fits from the listed eigenvalues, and our own
 * eigenvalues of the model's matrices against them. */
static void test_stories_fits(void **state)
{
    (void)state;
    json_t *root = load("stories260K_fits.json"), *mats = json_object_get(root, "matrices");
    assert_int_equal(json_array_size(mats), 35);
    tc_select_scores sc;
    tc_select_options o;
    tc_select_options_default(&o);
    tc_error err = {0};
    assert_int_equal(tc_select_scores_from_model(&err, &sc, MODEL_DIR, &o), TC_OK);
    assert_int_equal(sc.num_layers, 35);
    tc_weights *wts = NULL;
    assert_int_equal(tc_weights_open(&err, &wts, MODEL_DIR), TC_OK);
    for (size_t i = 0; i < 35; i++) {
        json_t *mj = json_array_get(mats, i);
        const char *name = json_string_value(json_object_get(mj, "name"));
        assert_string_equal(sc.layers[i].name, name);
        json_t *sh = json_object_get(mj, "shape");
        assert_int_equal(sc.layers[i].shape[0], json_integer_value(json_array_get(sh, 0)));
        assert_int_equal(sc.layers[i].shape[1], json_integer_value(json_array_get(sh, 1)));
        size_t n;
        double *ev = doubles(json_object_get(mj, "eigenvalues"), &n);
        for (size_t m = 0; m < 3; m++) {
            tc_esd_fit f;
            assert_int_equal(tc_esd_fit_metric(&err, &f, ev, n, all_metrics[m]), TC_OK);
            char what[128];
            snprintf(what, sizeof what, "%s/%s", name, tc_select_metric_name(all_metrics[m]));
            check_fit(&f, json_object_get(mj, tc_select_metric_name(all_metrics[m])), what, 1e-9);
        }
        json_t *mt = json_object_get(mj, "metrics");
        tc_esd_norms nm;
        assert_int_equal(tc_esd_norms_compute(&err, &nm, ev, n), TC_OK);
        close_rel(nm.norm, num(mt, "norm"), 1e-9, "norm", name);
        close_rel(nm.stable_rank, num(mt, "stable_rank"), 1e-9, "stable_rank", name);

        /* Our eigenvalues of the stored weight, and the fits on them. */
        size_t rows = (size_t)sc.layers[i].shape[0], cols = (size_t)sc.layers[i].shape[1];
        assert_int_equal(n, rows < cols ? rows : cols);
        const char *dot = strchr(name, '.');
        char tname[160];
        snprintf(tname, sizeof tname, "model.layers.%.*s.%s.weight", (int)(dot - name), name,
                 dot + 1);
        const tc_st_tensor *t = tc_weights_find(wts, tname);
        assert_non_null(t);
        float *f = malloc(t->numel * sizeof *f);
        double *w = malloc(t->numel * sizeof *w), *mine = malloc(n * sizeof *mine);
        assert_int_equal(tc_st_to_f32(&err, f, t), TC_OK);
        for (int e = 0; e < 2; e++) {
            tc_eig_method method = e ? TC_EIG_GRAM : TC_EIG_SVD;
            for (size_t j = 0; j < t->numel; j++)
                w[j] = f[j];
            assert_int_equal(tc_esd_eigenvalues_with(&err, mine, w, rows, cols, method), TC_OK);
            for (size_t j = 0; j < n; j++)
                if (!(fabs(mine[j] - ev[j]) <= 1e-12 * fmax(1.0, ev[n - 1])))
                    fail_msg("%s (%s): eigenvalue %zu got %.17g want %.17g", name,
                             tc_eig_method_name(method), j, mine[j], ev[j]);
            for (size_t m = 0; m < 3; m++) {
                tc_esd_fit fm;
                assert_int_equal(tc_esd_fit_metric(&err, &fm, mine, n, all_metrics[m]), TC_OK);
                char what[160];
                snprintf(what, sizeof what, "%s/%s (own eigenvalues, %s)", name,
                         tc_select_metric_name(all_metrics[m]), tc_eig_method_name(method));
                check_fit(&fm, json_object_get(mj, tc_select_metric_name(all_metrics[m])), what,
                          1e-9);
            }
        }
        free(f);
        free(w);
        free(mine);
        close_rel(sc.layers[i].metric_value,
                  num(json_object_get(mj, "alpha_peak"), "alpha"), 1e-9, "model alpha_peak",
                  name);
        free(ev);
    }
    tc_weights_close(wts);
    tc_select_scores_free(&sc);
    json_decref(root);
}

static void compare_scores(const tc_select_scores *sc, json_t *want)
{
    json_t *layers = json_object_get(want, "layers");
    assert_int_equal(sc->num_layers, json_array_size(layers));
    assert_int_equal(sc->map.num_blocks, idx(want, "num_blocks"));
    for (size_t l = 0; l < sc->num_layers; l++) {
        json_t *lj = json_array_get(layers, l);
        const char *name = json_string_value(json_object_get(lj, "name"));
        assert_string_equal(sc->layers[l].name, name);
        assert_int_equal(sc->layers[l].num_parameters, idx(lj, "num_parameters"));
        assert_int_equal(sc->layers[l].block_index, idx(lj, "block_index"));
        close_rel(sc->layers[l].metric_value, num(lj, "metric_value"), 1e-9, "metric", name);
        double ws = num(lj, "significance_score"), wr = num(lj, "pruning_ratio");
        assert_true(fabs(sc->layers[l].significance - ws) <= 1e-9 * fmax(1e-3, fabs(ws)));
        assert_true(fabs(sc->layers[l].pruning_ratio - wr) <= 1e-9 * fmax(1e-3, fabs(wr)));
    }
    json_t *blocks = json_object_get(want, "blocks");
    for (size_t b = 0; b < sc->map.num_blocks; b++) {
        json_t *bj = json_array_get(blocks, b);
        assert_int_equal(sc->blocks[b].total_parameters, idx(bj, "total_parameters"));
        assert_int_equal(sc->blocks[b].start_layer, idx(bj, "start_layer_index"));
        assert_int_equal(sc->blocks[b].end_layer, idx(bj, "end_layer_index"));
        double w = num(bj, "sum_significance");
        assert_true(fabs(sc->blocks[b].sum_significance - w) <= 1e-9 * fmax(1e-3, w));
    }
}

static void test_stories_scores(void **state)
{
    (void)state;
    json_t *want = load("stories260K_scores.json");
    tc_select_options o;
    tc_select_options_default(&o);
    tc_select_scores s1, s2;
    tc_error err = {0};
    assert_int_equal(tc_select_scores_from_model(&err, &s1, MODEL_DIR, &o), TC_OK);
    compare_scores(&s1, want);
    assert_string_equal(s1.model_sha256,
                        json_string_value(json_object_get(want, "model_sha256")));
    assert_string_equal(s1.model_type, "llama");

    /* Threads change nothing: identical bits for 1 and 3 threads. */
    o.n_threads = 3;
    assert_int_equal(tc_select_scores_from_model(&err, &s2, MODEL_DIR, &o), TC_OK);
    assert_memory_equal(s1.layers, s2.layers, s1.num_layers * sizeof *s1.layers);
    assert_memory_equal(s1.blocks, s2.blocks, s1.map.num_blocks * sizeof *s1.blocks);
    tc_select_scores_free(&s2);

    /* The Gram route gives the same scores within the tolerance. */
    o.eig = TC_EIG_GRAM;
    assert_int_equal(tc_select_scores_from_model(&err, &s2, MODEL_DIR, &o), TC_OK);
    compare_scores(&s2, want);

    /* Our JSON reads back to the same numbers. */
    char *text = NULL;
    assert_int_equal(tc_select_scores_to_json(&err, &text, &s1), TC_OK);
    char path[] = "/tmp/tc_sel_scoresXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tc_write_file_atomic(&err, path, text, strlen(text)), TC_OK);
    tc_select_scores s3;
    assert_int_equal(tc_select_scores_read(&err, &s3, path), TC_OK);
    compare_scores(&s3, want);
    unlink(path);
    free(text);
    tc_select_scores_free(&s1);
    tc_select_scores_free(&s2);
    tc_select_scores_free(&s3);
    json_decref(want);
}

static void check_selection(const tc_select_scores *sc, const char *file)
{
    json_t *want = load(file), *in = json_object_get(want, "input"),
           *res = json_object_get(want, "results");
    const char *gran = json_string_value(json_object_get(in, "granularity"));
    size_t M;
    uint64_t *bud = u64s(json_object_get(in, "budgets"), &M);
    tc_select_plan p;
    tc_error err = {0};
    assert_int_equal(tc_select_plan_solve(&err, &p, sc,
                                          strcmp(gran, "block") == 0 ? TC_UNIT_BLOCK
                                                                     : TC_UNIT_MATRIX,
                                          bud, M),
                     TC_OK);
    assert_int_equal(p.L, idx(in, "num_layers"));
    close_rel(p.optimum, num(res, "optimal_benefit"), 1e-9, "optimal_benefit", file);
    close_rel(p.computed, num(res, "computed_benefit"), 1e-9, "computed_benefit", file);
    json_t *as = json_object_get(res, "assignments");
    assert_int_equal(json_array_size(as), M);
    for (size_t k = 0; k < M; k++) {
        json_t *a = json_array_get(as, k);
        assert_int_equal(p.assignment[k].start, json_integer_value(json_object_get(a, "start_layer")));
        assert_int_equal(p.assignment[k].end, json_integer_value(json_object_get(a, "end_layer")));
    }
    /* The document we write has the same shape and numbers. */
    char *text = NULL;
    assert_int_equal(tc_select_plan_to_json(&err, &text, &p, sc, "stories260K_scores.json"),
                     TC_OK);
    json_error_t je;
    json_t *got = json_loads(text, 0, &je);
    assert_non_null(got);
    json_t *gr = json_object_get(got, "results");
    assert_int_equal(json_integer_value(json_object_get(gr, "total_cost")),
                     json_integer_value(json_object_get(res, "total_cost")));
    close_rel(json_number_value(json_object_get(gr, "total_benefit")),
              num(res, "total_benefit"), 1e-9, "total_benefit", file);
    json_t *ga = json_object_get(gr, "assignments");
    for (size_t k = 0; k < M; k++) {
        json_t *a = json_array_get(as, k), *g = json_array_get(ga, k);
        assert_int_equal(json_integer_value(json_object_get(g, "cost")),
                         json_integer_value(json_object_get(a, "cost")));
        assert_int_equal(json_array_size(json_object_get(g, "layers")),
                         json_array_size(json_object_get(a, "layers")));
        json_t *gl = json_object_get(g, "layers"), *al = json_object_get(a, "layers");
        for (size_t u = 0; u < json_array_size(al); u++)
            assert_string_equal(
                json_string_value(json_object_get(json_array_get(gl, u), "name")),
                json_string_value(json_object_get(json_array_get(al, u), "name")));
    }
    json_decref(got);
    free(text);
    tc_select_plan_free(&p);
    free(bud);
    json_decref(want);
}

static const char *selections[] = {
    "stories260K_select_block_45312_90624_60000.json",
    "stories260K_select_block_226560_0.json",
    "stories260K_select_matrix_30000_20000_50000_9000.json",
};

static void test_stories_selections(void **state)
{
    (void)state;
    tc_select_scores given, ours;
    tc_error err = {0};
    assert_int_equal(tc_select_scores_read(&err, &given, VEC_DIR "stories260K_scores.json"),
                     TC_OK);
    tc_select_options o;
    tc_select_options_default(&o);
    assert_int_equal(tc_select_scores_from_model(&err, &ours, MODEL_DIR, &o), TC_OK);
    for (size_t i = 0; i < TC_ARRAY_LEN(selections); i++) {
        check_selection(&given, selections[i]);
        check_selection(&ours, selections[i]);
    }
    tc_select_scores_free(&given);
    tc_select_scores_free(&ours);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esd_vectors),        cmocka_unit_test(test_matrix_vectors),
        cmocka_unit_test(test_mapping_vectors),    cmocka_unit_test(test_mvbcs_vectors),
        cmocka_unit_test(test_original_counterexamples),
        cmocka_unit_test(test_stories_fits),       cmocka_unit_test(test_stories_scores),
        cmocka_unit_test(test_stories_selections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
