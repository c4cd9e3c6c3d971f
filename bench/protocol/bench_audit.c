/* bench_audit: the audit's two figures of merit.
 *
 *   bench_audit policies --model DIR [--scores F] [--cases 100] [--png chart.png]
 *     Random budget cases (1–4 verifiers, each budget 5–50 % of the blocks'
 *     parameters, seeded): per policy, the expected covered significance
 *     (Σ s_i·p_i / Σ s_i, which is also the probability of catching one
 *     falsified block chosen in proportion to significance), the smallest
 *     per-block coverage (the probability of catching the block an
 *     adversary would pick: the worst block) and the mean coverage (one
 *     falsified block chosen uniformly).  Coverage is exact for uniform and
 *     exact, Monte Carlo for weighted (its standard error printed).
 *
 *   bench_audit cost --model DIR [--tokens 64] [--budget 25] [--threads 2]
 *     One deterministic run (--no-open) of `tokens` new tokens, a challenge
 *     of one budget (percent of the blocks' parameters, uniform policy, the
 *     same seed each time), the response and the audit, against a full
 *     re-execution by the verifier: the model loaded, one forward pass over
 *     every token and the output head at every generated position (what a
 *     verifier without the audit needs to check the same tokens).  Prints
 *     medians of 3.
 *
 *   bench_audit tolerance --model DIR [--tokens 64] [--prover-threads 1]
 *                         [--verifier-threads 2] [--run RUNDIR]
 *     The honest differences the BLAS-mode tolerance must absorb: a
 *     default-mode run with the prover's thread count, then every block
 *     re-executed alone from the committed input with the verifier's, its
 *     output compared with the committed one.  Prints per block the largest
 *     and mean |diff| and the largest |value| (for a relative reading).
 *     --run takes a default-mode run made elsewhere (another build or
 *     machine: the prover's kernels) instead of making one.
 */
#include <cairo.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/bench_util.h"
#include "model/engine.h"
#include "protocol/textio.h"
#include "protocol/audit.h"
#include "protocol/run.h"
#include "tensor/layout.h"
#include "tensor/npy.h"
#include "util/json.h"

static void die(const char *what, const tc_error *e)
{
    fprintf(stderr, "bench_audit: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
    exit(1);
}

static const char *arg_value(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return def;
}

/* ------------------------------------------------------------ policies */

typedef struct figures {
    double covered, worst, mean, stderr_max;
} figures;

static void chart(const char *path, const char *title, figures f[3])
{
    const int W = 720, Hh = 420;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, Hh);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 15);
    cairo_move_to(cr, 20, 28);
    cairo_show_text(cr, title);
    const char *metric[3] = {"covered significance", "worst block caught", "mean block caught"};
    const char *pol[3] = {"weighted", "exact", "uniform"};
    const double col[3][3] = {{0.16, 0.44, 0.70}, {0.85, 0.37, 0.0}, {0.4, 0.65, 0.12}};
    double x0 = 60, y0 = 360, plot_h = 280, group_w = 200, bar_w = 50;
    cairo_set_line_width(cr, 1);
    for (int k = 0; k <= 4; k++) {                   /* axis and grid */
        double y = y0 - plot_h * k / 4;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x0 + 3 * group_w, y);
        cairo_stroke(cr);
        char lab[16];
        snprintf(lab, sizeof lab, "%.2f", k / 4.0);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_font_size(cr, 11);
        cairo_move_to(cr, 20, y + 4);
        cairo_show_text(cr, lab);
    }
    for (int m = 0; m < 3; m++) {
        for (int p = 0; p < 3; p++) {
            double v = m == 0 ? f[p].covered : m == 1 ? f[p].worst : f[p].mean;
            double x = x0 + m * group_w + 20 + p * (bar_w + 6);
            cairo_set_source_rgb(cr, col[p][0], col[p][1], col[p][2]);
            cairo_rectangle(cr, x, y0 - plot_h * v, bar_w, plot_h * v);
            cairo_fill(cr);
            char lab[16];
            snprintf(lab, sizeof lab, "%.3f", v);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_set_font_size(cr, 10);
            cairo_move_to(cr, x + 6, y0 - plot_h * v - 4);
            cairo_show_text(cr, lab);
        }
        cairo_set_font_size(cr, 12);
        cairo_move_to(cr, x0 + m * group_w + 20, y0 + 20);
        cairo_show_text(cr, metric[m]);
    }
    for (int p = 0; p < 3; p++) {                    /* legend */
        cairo_set_source_rgb(cr, col[p][0], col[p][1], col[p][2]);
        cairo_rectangle(cr, x0 + p * 130, Hh - 30, 14, 14);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x0 + p * 130 + 20, Hh - 19);
        cairo_show_text(cr, pol[p]);
    }
    cairo_destroy(cr);
    if (cairo_surface_write_to_png(sf, path) != CAIRO_STATUS_SUCCESS)
        fprintf(stderr, "bench_audit: cannot write %s\n", path);
    cairo_surface_destroy(sf);
}

static int policies(int argc, char **argv)
{
    const char *model = arg_value(argc, argv, "--model", NULL);
    const char *scores = arg_value(argc, argv, "--scores", NULL);
    const char *png = arg_value(argc, argv, "--png", NULL);
    int cases = atoi(arg_value(argc, argv, "--cases", "100"));
    if (model == NULL && scores == NULL)
        die("policies needs --model DIR or --scores F", NULL);
    tc_error e = {0};
    tc_audit_blocks b;
    if (tc_audit_blocks_from_model(&e, &b, model, scores, 2) != TC_OK)
        die("scores", &e);
    uint64_t total = 0;
    double ssum = 0;
    for (size_t i = 0; i < b.L; i++) {
        total += b.cost[i];
        ssum += b.significance[i];
    }
    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    printf("policies on %s: %zu blocks, %llu parameters, significance", model ? model : scores,
           b.L, (unsigned long long)total);
    for (size_t i = 0; i < b.L; i++)
        printf(" %.2f", b.significance[i]);
    printf("\n%d cases of 1-4 verifiers, budgets 5-50 %% each (seed 1); CPU %s\n\n", cases, cpu);
    figures f[3] = {{0}};
    double *cov = malloc(b.L * sizeof *cov), *covu = malloc(b.L * sizeof *covu);
    tc_prng g;
    tc_prng_seed(&g, 1);
    for (int c = 0; c < cases; c++) {
        size_t M = 1 + (size_t)tc_prng_below(&g, 4);
        uint64_t budgets[4];
        for (size_t k = 0; k < M; k++)
            budgets[k] = (uint64_t)((0.05 + 0.45 * tc_prng_double(&g)) * (double)total);
        for (int p = 0; p < 3; p++) {
            double se;
            if (tc_policy_coverage(&e, cov, covu, &se, &b, budgets, M, (tc_policy)p, 2000) !=
                TC_OK)
                die("coverage", &e);
            double covered = 0, worst = 1, mean = 0;
            for (size_t i = 0; i < b.L; i++) {
                covered += b.significance[i] * cov[i];
                worst = fmin(worst, cov[i]);
                mean += cov[i];
            }
            f[p].covered += (ssum > 0 ? covered / ssum : 0) / cases;
            f[p].worst += worst / cases;
            f[p].mean += mean / (double)b.L / cases;
            f[p].stderr_max = fmax(f[p].stderr_max, se);
        }
    }
    printf("| policy | expected covered significance | worst block caught | mean block caught "
           "| MC std. error |\n| --- | --- | --- | --- | --- |\n");
    for (int p = 0; p < 3; p++)
        printf("| %s | %.4f | %.4f | %.4f | %.4f |\n", tc_policy_name((tc_policy)p),
               f[p].covered, f[p].worst, f[p].mean, f[p].stderr_max);
    printf("\n(averages over the cases; 'caught' = P(the one falsified block is re-executed))\n");
    if (png != NULL) {
        char title[256];
        snprintf(title, sizeof title, "challenge policies, %zu blocks, %d budget cases", b.L,
                 cases);
        chart(png, title, f);
        printf("chart: %s\n", png);
    }
    free(cov);
    free(covu);
    tc_audit_blocks_free(&b);
    return 0;
}

/* ---------------------------------------------------------------- cost */

static double median3(double *v)
{
    qsort(v, 3, sizeof *v, bench_cmp_double);
    return v[1];
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* The verifier without the audit: load, the model digest (it too must know
 * its model is the receipt's), one pass over every token, the head at every
 * generated position. */
static double full_reexecution(const char *model_dir, const int32_t *tokens, size_t T,
                               size_t n_prompt, int threads)
{
    tc_error e = {0};
    double t0 = tc_now();
    tc_model *m;
    tc_session *s;
    uint8_t digest[32];
    if (tc_model_load(&e, &m, model_dir) != TC_OK || tc_model_digest(&e, digest, model_dir) != TC_OK)
        die("model", &e);
    tc_engine_opts eo = {.n_threads = threads, .deterministic = true, .max_seq = T};
    if (tc_session_new(&e, &s, m, &eo) != TC_OK)
        die("session", &e);
    const tc_model_config *c = tc_model_cfg(m);
    size_t L1 = (size_t)c->n_layers + 1, H = (size_t)c->dim, V = (size_t)c->vocab;
    float *hidden = malloc(L1 * T * H * sizeof *hidden), *logits = malloc(32 * V * sizeof *logits);
    if (tc_capture(&e, s, tokens, T, hidden, NULL, NULL) != TC_OK)
        die("capture", &e);
    for (size_t p = n_prompt; p < T; p += 32)       /* in chunks, as the audit does */
        if (tc_session_head(&e, s, hidden + ((L1 - 1) * T + p - 1) * H, T - p < 32 ? T - p : 32,
                            logits) != TC_OK)
            die("head", &e);
    double t = tc_now() - t0;
    free(hidden);
    free(logits);
    tc_session_free(s);
    tc_model_free(m);
    return t;
}

/* The files of one cost measurement, all under a fresh directory in /tmp. */
typedef struct cost_paths {
    char dir[32];
    char run[4200], chp[4200], rsp[4200], rcp[4200], vkp[4200];
    char tcv[4200], srsp[4200], cache[4200];
} cost_paths;

static void cost_paths_make(cost_paths *p)
{
    snprintf(p->dir, sizeof p->dir, "/tmp/bench_audit_XXXXXX");
    if (mkdtemp(p->dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(p->run, sizeof p->run, "%s/run", p->dir);
    snprintf(p->chp, sizeof p->chp, "%s/challenge.json", p->dir);
    snprintf(p->rsp, sizeof p->rsp, "%s/response.json", p->dir);
    snprintf(p->rcp, sizeof p->rcp, "%s/run/receipt.json", p->dir);
    snprintf(p->vkp, sizeof p->vkp, "%s/run/vk.json", p->dir);
    snprintf(p->tcv, sizeof p->tcv, "%s/vk.tcv", p->dir);
    snprintf(p->srsp, sizeof p->srsp, "%s/run/srs.tcs", p->dir);
    snprintf(p->cache, sizeof p->cache, "%s/cache", p->dir);
}

static void remove_dir(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_audit: could not remove %s\n", dir);
}

/* What is audited: the run's tokens, the blocks and the challenge drawn. */
typedef struct cost_case {
    tc_audit_blocks b;
    tc_challenge ch;
    uint64_t total, budget, used;   /* parameters: all blocks, asked, challenged */
    int32_t *toks;                  /* (T) the receipt's tokens */
    size_t T, n_prompt;
} cost_case;

/* One deterministic run without openings: what the prover commits to. */
static void cost_run(const cost_paths *p, const char *model, size_t tokens, int threads)
{
    tc_error e = {0};
    tc_run_opts ro;
    tc_run_opts_default(&ro);
    ro.model_dir = model;
    ro.prompt = "Once upon a time";
    ro.max_new_tokens = tokens;
    ro.deterministic = true;
    ro.no_open = true;
    ro.n_threads = threads;
    ro.out_dir = p->run;
    tc_run_summary sum;
    if (tc_run(&e, &sum, &ro) != TC_OK)
        die("run", &e);
}

/* The receipt's digests into the challenge, its tokens into k. */
static void cost_read_receipt(cost_case *k, const char *rcp)
{
    tc_error e = {0};
    json_t *obj;
    uint8_t d[32];
    if (tc_json_load_object(&e, &obj, rcp, TC_JSON_MAX_INPUT, d) != TC_OK)
        die("receipt", &e);
    tc_challenge *ch = &k->ch;
    snprintf(ch->commitment, 65, "%s", json_string_value(json_object_get(obj, "commitment")));
    snprintf(ch->srs_id, 65, "%s", json_string_value(json_object_get(obj, "srs_id")));
    snprintf(ch->model_digest, 65, "%s", json_string_value(json_object_get(obj, "model_digest")));
    tc_hex_encode(ch->receipt_digest, d, 32);
    memset(ch->nonce, 'a', 64);
    k->T = json_array_size(json_object_get(obj, "tokens"));
    k->n_prompt = (size_t)json_integer_value(json_object_get(obj, "n_prompt_tokens"));
    k->toks = malloc(k->T * sizeof *k->toks);
    for (size_t i = 0; i < k->T; i++)
        k->toks[i] = (int32_t)json_integer_value(json_array_get(json_object_get(obj, "tokens"), i));
    json_decref(obj);
}

/* The challenge: uniform policy, one budget (pct of the blocks' parameters),
 * a fixed seed; written to p->chp. */
static void cost_challenge(cost_case *k, const cost_paths *p, const char *model, double pct,
                           int threads)
{
    tc_error e = {0};
    if (tc_audit_blocks_from_model(&e, &k->b, model, NULL, threads) != TC_OK)
        die("scores", &e);
    k->total = 0;
    for (size_t i = 0; i < k->b.L; i++)
        k->total += k->b.cost[i];
    k->budget = (uint64_t)(pct / 100.0 * (double)k->total);
    memset(&k->ch, 0, sizeof k->ch);
    cost_read_receipt(k, p->rcp);
    uint8_t seed[32] = {7};
    if (tc_challenge_draw(&e, &k->ch, &k->b, &k->budget, 1, TC_POLICY_UNIFORM, seed) != TC_OK)
        die("challenge", &e);
    char *json;
    if (tc_challenge_to_json(&e, &json, &k->ch) != TC_OK ||
        tc_write_file_atomic(&e, p->chp, json, strlen(json)) != TC_OK)
        die("challenge write", &e);
    free(json);
    k->used = 0;
    for (int i = k->ch.first[0]; i <= k->ch.last[0] && i > 0; i++)
        k->used += k->b.cost[i - 1];
}

/* The binary key beside vk.json, what a verifier of a large grid uses:
 * written to p->tcv. */
static void cost_write_vk_bin(const cost_paths *p, const cost_case *k, int threads)
{
    tc_error e = {0};
    tc_pst_srs srs;
    uint8_t *kb;
    size_t kl;
    if (tc_pst_srs_load(&e, &srs, p->srsp, threads) != TC_OK)
        die("srs", &e);
    /* the layer variables: the shape's leading variables whose product is the
     * padded layer count (the first axis of the structured layout) */
    int J = 0;
    size_t lp = 1, want_lp = 1;
    tc_layout full;
    if (tc_layout_structured(&e, &full, k->b.L + 1, k->T, 1) != TC_OK)
        die("layout", &e);
    want_lp = full.padded[0];
    while (lp < want_lp && J < srs.shape.m)
        lp *= srs.shape.n[J++];
    if (tc_pst_vk_bin_encode(&e, &kb, &kl, &srs, J) != TC_OK ||
        tc_write_file_atomic(&e, p->tcv, kb, kl) != TC_OK)
        die("vk.tcv", &e);
    free(kb);
    tc_pst_srs_free(&srs);
}

/* Seconds per repetition (3) of each timed step. */
typedef struct cost_times {
    double respond[3], audit[3], full[3], audit_json[3];
    double openings[3], ranges[3], tokens[3];   /* from the audit's report */
    double digest[3], vk[3], cached[3];
} cost_times;

/* The audit report's own seconds for its openings, ranges and tokens checks. */
static void report_seconds(const json_t *report, double *openings, double *ranges,
                           double *tokens)
{
    json_t *chk = json_object_get(report, "checks");
    for (size_t i = 0; i < json_array_size(chk); i++) {
        const json_t *c = json_array_get(chk, i);
        const char *nm = json_string_value(json_object_get(c, "name"));
        double sec = json_number_value(json_object_get(c, "seconds"));
        if (!strcmp(nm, "openings"))
            *openings = sec;
        else if (!strcmp(nm, "ranges"))
            *ranges = sec;
        else if (!strcmp(nm, "tokens"))
            *tokens = sec;
    }
}

/* Repetition r: respond, audit with vk.tcv then vk.json, the full
 * re-execution, and the model digest and key check on their own. */
static void cost_time_round(cost_times *t, int r, const cost_paths *p, const cost_case *k,
                            const char *model, int threads)
{
    tc_error e = {0};
    tc_respond_opts so = {.run_dir = p->run, .challenge_path = p->chp, .out_path = p->rsp,
                          .n_threads = threads};
    double t0 = tc_now();
    if (tc_respond(&e, &so) != TC_OK)
        die("respond", &e);
    t->respond[r] = tc_now() - t0;
    tc_audit_opts ao = {.receipt_path = p->rcp, .vk_path = p->tcv, .model_dir = model,
                        .challenge_path = p->chp, .response_path = p->rsp, .tolerance = -1,
                        .n_threads = threads};
    tc_audit_result res;
    t0 = tc_now();
    if (tc_audit(&e, &res, &ao) != TC_OK)
        die("audit", &e);
    t->audit[r] = tc_now() - t0;
    if (!res.accept)
        die("the honest run was rejected", NULL);
    report_seconds(res.report_json, &t->openings[r], &t->ranges[r], &t->tokens[r]);
    json_decref(res.report_json);
    ao.vk_path = p->vkp;                    /* the same with vk.json */
    t0 = tc_now();
    if (tc_audit(&e, &res, &ao) != TC_OK || !res.accept)
        die("audit with vk.json", &e);
    t->audit_json[r] = tc_now() - t0;
    json_decref(res.report_json);
    t->full[r] = full_reexecution(model, k->toks, k->T, k->n_prompt, threads);
    /* the parts that depend on the model and the key, not on the run */
    uint8_t dg[32];
    t0 = tc_now();
    if (tc_model_digest(&e, dg, model) != TC_OK)
        die("digest", &e);
    t->digest[r] = tc_now() - t0;
    tc_pst_vk_file vf;
    bool ok = false;
    t0 = tc_now();
    if (tc_pst_vk_file_load(&e, &vf, p->tcv, threads) != TC_OK ||
        tc_pst_vk_check_levels(&e, &ok, &vf, threads) != TC_OK || !ok)
        die("vk", &e);
    t->vk[r] = tc_now() - t0;
    tc_pst_vk_file_free(&vf);
}

/* A verifier that remembers its checked key and its model's digest: one
 * audit fills the cache, three more are timed. */
static void cost_time_cached(cost_times *t, const cost_paths *p, const char *model, int threads)
{
    tc_error e = {0};
    for (int r = -1; r < 3; r++) {
        tc_audit_opts ao = {.receipt_path = p->rcp, .vk_path = p->tcv, .model_dir = model,
                            .challenge_path = p->chp, .response_path = p->rsp, .tolerance = -1,
                            .cache_dir = p->cache, .n_threads = threads};
        tc_audit_result res;
        double t0 = tc_now();
        if (tc_audit(&e, &res, &ao) != TC_OK || !res.accept)
            die("audit with a cache", &e);
        if (r >= 0)
            t->cached[r] = tc_now() - t0;       /* r = -1 fills the cache */
        json_decref(res.report_json);
    }
}

static void cost_print(cost_times *t, const cost_paths *p, const cost_case *k,
                       const char *model, double pct, int threads)
{
    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    printf("audit cost on %s, %zu tokens (%zu generated), deterministic, %d threads; CPU %s\n",
           model, k->T, k->T - k->n_prompt, threads, cpu);
    printf("budget %.0f %% = %llu parameters: blocks %d..%d of %zu (%.1f %% of the blocks' "
           "parameters)\n", pct, (unsigned long long)k->budget, k->ch.first[0], k->ch.last[0],
           k->b.L, 100.0 * (double)k->used / (double)k->total);
    double a = median3(t->audit), f = median3(t->full), rr = median3(t->respond);
    printf("| figure | seconds (median of 3) |\n| --- | --- |\n");
    printf("| prover: respond (%zu slices) | %.3f |\n", k->ch.n_open, rr);
    printf("| verifier: audit with vk.tcv (load, verify openings, re-execute, token check) | %.3f |\n",
           a);
    printf("| of which: openings (batch) / ranges (re-execution) / tokens (head) | %.3f / %.3f / %.3f |\n",
           median3(t->openings), median3(t->ranges), median3(t->tokens));
    printf("| verifier: the same audit with vk.json | %.3f |\n", median3(t->audit_json));
    printf("| verifier: audit with vk.tcv and a warm --cache (key checked, digest known) | %.3f "
           "|\n", median3(t->cached));
    printf("| verifier: full re-execution (load, model digest, one pass, head at generated "
           "positions) | %.3f |\n", f);
    double dg = median3(t->digest), vk = median3(t->vk);
    printf("| in both: the model digest | %.3f |\n", dg);
    printf("| audit only: load and check vk.tcv (once per key) | %.3f |\n", vk);
    printf("audit / full re-execution = %.1f %%; without the key check (done once per key) "
           "%.1f %%; re-execution alone (ranges / full pass and head less the digest) %.1f %%\n",
           100.0 * a / f, 100.0 * (a - vk) / f,
           100.0 * median3(t->ranges) / (f - dg - median3(t->tokens)));
    printf("with --cache: audit / full re-execution with the digest known = %.1f %%\n",
           100.0 * median3(t->cached) / (f - dg));
    printf("response %ld bytes, vk.json %ld bytes, vk.tcv %ld bytes, receipt %ld bytes\n",
           file_size(p->rsp), file_size(p->vkp), file_size(p->tcv), file_size(p->rcp));
}

static int cost(int argc, char **argv)
{
    const char *model = arg_value(argc, argv, "--model", NULL);
    size_t tokens = (size_t)atoi(arg_value(argc, argv, "--tokens", "64"));
    double pct = atof(arg_value(argc, argv, "--budget", "25"));
    int threads = atoi(arg_value(argc, argv, "--threads", "2"));
    if (model == NULL)
        die("cost needs --model DIR", NULL);
    cost_paths p;
    cost_paths_make(&p);
    cost_run(&p, model, tokens, threads);
    cost_case k;
    cost_challenge(&k, &p, model, pct, threads);
    cost_write_vk_bin(&p, &k, threads);
    cost_times t = {0};
    for (int r = 0; r < 3; r++)
        cost_time_round(&t, r, &p, &k, model, threads);
    cost_time_cached(&t, &p, model, threads);
    cost_print(&t, &p, &k, model, pct, threads);
    free(k.toks);
    tc_challenge_free(&k.ch);
    tc_audit_blocks_free(&k.b);
    remove_dir(p.dir);
    return 0;
}

static int tolerance(int argc, char **argv)
{
    const char *model = arg_value(argc, argv, "--model", NULL);
    size_t tokens = (size_t)atoi(arg_value(argc, argv, "--tokens", "64"));
    int pt = atoi(arg_value(argc, argv, "--prover-threads", "1"));
    int vt = atoi(arg_value(argc, argv, "--verifier-threads", "2"));
    const char *given = arg_value(argc, argv, "--run", NULL);
    if (model == NULL)
        die("tolerance needs --model DIR", NULL);
    char dir[] = "/tmp/bench_audit_XXXXXX", run[4200], path[4300];
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(run, sizeof run, "%s/run", dir);
    tc_error e = {0};
    tc_run_opts ro;
    tc_run_opts_default(&ro);   /* the default quantization: what `run` used */
    ro.model_dir = model;
    ro.prompt = "Once upon a time";
    ro.max_new_tokens = tokens;
    ro.no_open = true;
    ro.n_threads = pt;
    ro.out_dir = run;
    tc_run_summary sum = {0};
    if (given != NULL)
        snprintf(run, sizeof run, "%s", given);
    else if (tc_run(&e, &sum, &ro) != TC_OK)
        die("run", &e);
    snprintf(path, sizeof path, "%s/hidden_states.npy", run);
    tc_npy hs;
    if (tc_npy_read(&e, &hs, path) != TC_OK)
        die("hidden_states.npy", &e);
    tc_model *m;
    tc_session *s;
    if (tc_model_load(&e, &m, model) != TC_OK)
        die("model", &e);
    const tc_model_config *c = tc_model_cfg(m);
    size_t L = (size_t)c->n_layers, H = (size_t)c->dim;
    size_t T = (size_t)hs.shape[1], n = T * H;
    tc_engine_opts eo = {.n_threads = vt, .max_seq = T};
    if (tc_session_new(&e, &s, m, &eo) != TC_OK)
        die("session", &e);
    const tc_quant_params *q = &ro.quant;
    const float *h = hs.data;
    float *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    printf("honest BLAS-mode differences on %s, %zu tokens, prover %s, verifier %d thread(s); "
           "CPU %s\n", model, T, given ? given : pt == 1 ? "1 thread" : "2 threads", vt, cpu);
    printf("| block | max abs diff | mean abs diff | max abs value | max diff / max value |\n"
           "| --- | --- | --- | --- | --- |\n");
    double worst = 0, worst_rel = 0;
    for (size_t b = 1; b <= L; b++) {
        for (size_t i = 0; i < n; i++) {
            int64_t v;
            in[i] = tc_quant_value_f32(q, h[(b - 1) * n + i], &v) ? (float)tc_dequant_value(q, v)
                                                                  : h[(b - 1) * n + i];
        }
        if (tc_session_run_blocks(&e, s, in, T, (int)b - 1, (int)b - 1, out, NULL) != TC_OK)
            die("run_blocks", &e);
        double mx = 0, mean = 0, mv = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t v, w;
            if (!tc_quant_value_f32(q, out[i], &v) || !tc_quant_value_f32(q, h[b * n + i], &w))
                die("unquantizable value", NULL);
            double d = fabs(tc_dequant_value(q, v) - tc_dequant_value(q, w));
            mx = fmax(mx, d);
            mean += d / (double)n;
            mv = fmax(mv, fabs((double)h[b * n + i]));
        }
        printf("| %zu | %.3g | %.3g | %.3g | %.3g |\n", b, mx, mean, mv, mx / mv);
        worst = fmax(worst, mx);
        worst_rel = fmax(worst_rel, mx / mv);
    }
    printf("largest: %.3g absolute, %.3g of the layer's largest value\n", worst, worst_rel);
    free(in);
    free(out);
    tc_npy_free(&hs);
    tc_session_free(s);
    tc_model_free(m);
    remove_dir(dir);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "tolerance"))
        return tolerance(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "policies"))
        return policies(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "cost"))
        return cost(argc, argv);
    fprintf(stderr, "usage: bench_audit policies --model DIR [--scores F] [--cases 100] "
                    "[--png chart.png]\n"
                    "       bench_audit cost --model DIR [--tokens 64] [--budget 25] "
                    "[--threads 2]\n");
    return 2;
}
