/* tensorcommit select — ESD significance scores and the exact multi-verifier
 * range optimiser (docs/layer-selection.md).
 *
 *   select scores   --model DIR --out scores.json
 *   select optimize --scores scores.json --budgets B1,B2 --out plan.json
 *   select fit      --eigenvalues eig.json
 *   select solve    --instance inst.json
 */
#include "cli.h"
#include "util/json.h"
#include "select/select.h"
#include "util/util.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VERB "select"

static const char *usage_text =
    "usage: tensorcommit select <scores|optimize|fit|solve> [options]\n"
    "\n"
    "Per-layer significance from the power-law fit of each weight matrix's\n"
    "eigenvalue spectrum, and the exact choice of one contiguous range per\n"
    "verifier within its budget (docs/layer-selection.md).\n"
    "\n"
    "  select scores --model DIR --out scores.json [options]\n"
    "      --metric alpha_peak|alpha_mid|alpha   fit of the ESD tail (alpha_peak)\n"
    "      --sparsity S       target mean pruning ratio in [0,1] (0.7)\n"
    "      --epsilon E        relative spread of the ratios in [0,1] (0.3)\n"
    "      --mapping block_wise|layer_wise       (block_wise)\n"
    "      --no-clamp         keep ratios outside [0,1] (AlphaPruning behaviour)\n"
    "      --threads N        matrices analysed in parallel\n"
    "                         (default: the usable CPUs, at most 64)\n"
    "      --eig svd|gram     eigenvalues by SVD (exact rank filter; default) or\n"
    "                         by the Gram matrix (about 3x faster, same scores on\n"
    "                         full-rank weights)\n"
    "      --quiet            no progress on stderr\n"
    "  select optimize --scores scores.json --budgets B1,B2,.. --out plan.json\n"
    "      --unit block|matrix   units of the ranges (block)\n"
    "      --plot plan.png       chart of significance and the chosen ranges\n"
    "      budgets are parameter counts, one per verifier (integers >= 0)\n"
    "  select fit --eigenvalues eig.json [--case ID] [--metric M] [--out fit.json]\n"
    "      eigenvalues: a JSON array, an object with \"eigenvalues\", or a\n"
    "      vectors file with \"cases\" (pick one with --case)\n"
    "  select solve --instance inst.json [--case ID] [--out result.json]\n"
    "      instance: {\"values\": [..], \"costs\": [..], \"budgets\": [..]} or a\n"
    "      vectors file with \"cases\"; prints {optimum, assignment}\n"
    "\n"
    "Outputs are written atomically (stdout when --out is absent for fit/solve).\n"
    "exit status: 0 ok, 2 usage error, 3 bad input or other error\n";

/* ------------------------------------------------------------ options */

typedef struct opts {
    const char *verb;            /* "select <sub-command>", for messages */
    const char *model, *out, *scores, *budgets, *plot, *eigenvalues, *instance, *case_id;
    const char *metric, *mapping, *unit, *sparsity, *epsilon, *eig;
    int threads;                 /* 0: not given */
    bool no_clamp, quiet;
} opts;

/* Every sub-command takes the same options; each reads the ones it uses. */
static const struct option longopts[] = {
    {"model", required_argument, NULL, 'm'},    {"out", required_argument, NULL, 'o'},
    {"scores", required_argument, NULL, 'S'},   {"budgets", required_argument, NULL, 'b'},
    {"plot", required_argument, NULL, 'p'},     {"eigenvalues", required_argument, NULL, 'e'},
    {"instance", required_argument, NULL, 'i'}, {"case", required_argument, NULL, 'c'},
    {"metric", required_argument, NULL, 'M'},   {"mapping", required_argument, NULL, 'a'},
    {"unit", required_argument, NULL, 'u'},     {"sparsity", required_argument, NULL, 's'},
    {"epsilon", required_argument, NULL, 'E'},  {"threads", required_argument, NULL, 'j'},
    {"eig", required_argument, NULL, 'g'},      {"no-clamp", no_argument, NULL, 'C'},
    {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The value of option `code` into o; false when it is not a value option. */
static bool set_value(opts *o, int code, const char *arg)
{
    const char **dst;
    switch (code) {
    case 'm': dst = &o->model; break;
    case 'o': dst = &o->out; break;
    case 'S': dst = &o->scores; break;
    case 'b': dst = &o->budgets; break;
    case 'p': dst = &o->plot; break;
    case 'e': dst = &o->eigenvalues; break;
    case 'i': dst = &o->instance; break;
    case 'c': dst = &o->case_id; break;
    case 'M': dst = &o->metric; break;
    case 'a': dst = &o->mapping; break;
    case 'u': dst = &o->unit; break;
    case 's': dst = &o->sparsity; break;
    case 'E': dst = &o->epsilon; break;
    case 'g': dst = &o->eig; break;
    default: return false;
    }
    *dst = arg;
    return true;
}

/* argv[0] is "select <sub-command>".  Returns -1 on success, else the exit
 * code (help: 0, usage error: 2, after one line and the hint). */
static int parse_opts(opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->verb = argv[0];
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, longopts)) != -1) {
        if (set_value(o, c, optarg))
            continue;
        switch (c) {
        case 'j':
            if (!cli_threads_option(o->verb, optarg, &o->threads))
                return CLI_USAGE;
            break;
        case 'C':
            o->no_clamp = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return CLI_OK;
        default:
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_extra_args(o->verb, argc, argv, optind);
    return -1;
}

static bool need(const opts *o, const char *v, const char *name)
{
    if (v == NULL)
        cli_usage(o->verb, "%s is required", name);
    return v != NULL;
}

static bool parse_real(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= lo && x <= hi))
        return false;
    *out = x;
    return true;
}

/* A budget: a decimal integer, or an integral number such as 1e15. */
static bool parse_budget(const char *s, uint64_t *out)
{
    if (*s == '\0' || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (!errno && *end == '\0') {
        *out = x;
        return true;
    }
    double d;
    if (!parse_real(s, 0, 9007199254740992.0, &d) || d != floor(d))
        return false;
    *out = (uint64_t)d;
    return true;
}

static int parse_budgets(const char *verb, const char *s, uint64_t **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    *out = malloc(cap * sizeof **out);
    if (*out == NULL)
        return CLI_ERROR;
    *n = 0;
    char *copy = strdup(s), *save = NULL;
    if (copy == NULL)
        return CLI_ERROR;
    int rc = -1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (!parse_budget(tok, &(*out)[(*n)++])) {
            cli_usage(verb, "budget '%s' is not an integer >= 0", tok);
            rc = CLI_USAGE;
            break;
        }
    if (rc < 0 && *n != cap) {
        cli_usage(verb, "--budgets '%s' has an empty entry", s);
        rc = CLI_USAGE;
    }
    free(copy);
    return rc;
}

/* Writes text to path atomically, or to stdout when path is NULL. */
static int emit(const char *path, const char *text)
{
    if (path == NULL) {
        fputs(text, stdout);
        return fflush(stdout) == 0 ? CLI_OK : CLI_ERROR;
    }
    tc_error err = {0};
    tc_status s = tc_write_file_atomic(&err, path, text, strlen(text));
    return s == TC_OK ? CLI_OK : cli_report(VERB, &err, s);
}

/* ------------------------------------------------------------- scores */

typedef struct progress_state {
    bool tty;
    size_t last_decile;
    double t0;
} progress_state;

static void on_progress(void *ctx, size_t done, size_t total, const char *name)
{
    progress_state *p = ctx;
    if (p->tty) {
        fprintf(stderr, "\rselect scores: %zu/%zu %-40.40s", done, total, name);
        if (done == total)
            fputc('\n', stderr);
        return;
    }
    size_t decile = done * 10 / total;
    if (decile != p->last_decile || done == total) {
        p->last_decile = decile;
        fprintf(stderr, "select scores: %zu/%zu matrices (%.1f s)\n", done, total,
                tc_now() - p->t0);
    }
}

static int run_scores(int argc, char **argv)
{
    opts o;
    int rc = parse_opts(&o, argc, argv);
    if (rc >= 0)
        return rc;
    if (!need(&o, o.model, "--model") || !need(&o, o.out, "--out"))
        return CLI_USAGE;
    tc_select_options so;
    tc_select_options_default(&so);
    so.n_threads = cli_default_threads();
    double x;
    if (o.metric && !tc_select_metric_parse(&so.metric, o.metric))
        return cli_usage(o.verb, "unknown --metric '%s' (alpha_peak, alpha_mid, alpha)", o.metric);
    if (o.mapping && !tc_select_mapping_parse(&so.map.mapping, o.mapping))
        return cli_usage(o.verb, "unknown --mapping '%s' (block_wise, layer_wise)", o.mapping);
    if (o.eig && !tc_eig_method_parse(&so.eig, o.eig))
        return cli_usage(o.verb, "unknown --eig '%s' (svd, gram)", o.eig);
    if (o.sparsity) {
        if (!parse_real(o.sparsity, 0, 1, &x))
            return cli_usage(o.verb, "--sparsity must be a number in [0, 1]");
        so.map.sparsity = x;
    }
    if (o.epsilon) {
        if (!parse_real(o.epsilon, 0, 1, &x))
            return cli_usage(o.verb, "--epsilon must be a number in [0, 1]");
        so.map.epsilon = x;
    }
    if (o.threads > 0)
        so.n_threads = o.threads;
    so.map.clamp = !o.no_clamp;
    /* One BLAS thread per worker: OpenBLAS's own threads would compete with
     * ours for the same cores (this process does nothing else). */
    if (so.n_threads > 1)
        openblas_set_num_threads(1);
    progress_state ps = {.tty = isatty(STDERR_FILENO) != 0, .t0 = tc_now()};
    if (!o.quiet) {
        so.progress = on_progress;
        so.progress_ctx = &ps;
    }

    tc_error err = {0};
    tc_select_scores sc;
    char *text = NULL;
    tc_status s = tc_select_scores_from_model(&err, &sc, o.model, &so);
    if (s != TC_OK)
        return cli_report(VERB, &err, s);
    s = tc_select_scores_to_json(&err, &text, &sc);
    rc = s == TC_OK ? emit(o.out, text) : cli_report(VERB, &err, s);
    if (rc == CLI_OK && !o.quiet)
        fprintf(stderr, "select scores: %zu matrices in %zu blocks, %s -> %s\n", sc.num_layers,
                sc.map.num_blocks, tc_select_metric_name(sc.metric), o.out);
    free(text);
    tc_select_scores_free(&sc);
    return rc;
}

/* ----------------------------------------------------------- optimize */

static int run_optimize(int argc, char **argv)
{
    opts o;
    int rc = parse_opts(&o, argc, argv);
    if (rc >= 0)
        return rc;
    if (!need(&o, o.scores, "--scores") || !need(&o, o.budgets, "--budgets") ||
        !need(&o, o.out, "--out"))
        return CLI_USAGE;
    if (!cli_not_stdout(VERB, "--out", o.out, "standard output carries the summary") ||
        !cli_not_stdout(VERB, "--plot", o.plot, "a PNG chart needs a file"))
        return CLI_USAGE;
    tc_select_unit unit = TC_UNIT_BLOCK;
    if (o.unit && !strcmp(o.unit, "matrix"))
        unit = TC_UNIT_MATRIX;
    else if (o.unit && strcmp(o.unit, "block")) {
        return cli_usage(o.verb, "unknown --unit '%s' (block, matrix)", o.unit);
    }
    uint64_t *budgets = NULL;
    size_t M = 0;
    rc = parse_budgets(o.verb, o.budgets, &budgets, &M);
    if (rc >= 0) {
        free(budgets);
        return rc;
    }

    tc_error err = {0};
    tc_select_scores sc;
    tc_select_plan plan;
    char *text = NULL;
    tc_select_plan_init(&plan);
    tc_status s = tc_select_scores_read(&err, &sc, o.scores);
    if (s != TC_OK) {
        free(budgets);
        return cli_report(VERB, &err, s);
    }
    s = tc_select_plan_solve(&err, &plan, &sc, unit, budgets, M);
    if (s == TC_OK)
        s = tc_select_plan_to_json(&err, &text, &plan, &sc, o.scores);
    /* the plan and its chart: both files or neither */
    tc_file_set set;
    tc_file_set_init(&set);
    uint8_t *png = NULL;
    size_t png_len = 0;
    if (s == TC_OK && o.plot) {
        char title[400];
        snprintf(title, sizeof title, "%s: %zu verifiers over %zu %s",
                 sc.model_name[0] ? sc.model_name : o.scores, M, plan.L,
                 unit == TC_UNIT_BLOCK ? "blocks" : "matrices");
        s = tc_select_plot_png_encode(&err, &png, &png_len, &plan, title);
        if (s == TC_OK)
            s = tc_file_set_add(&err, &set, o.plot, png, png_len);
    }
    if (s == TC_OK)
        s = tc_file_set_add(&err, &set, o.out, text, strlen(text));
    if (s == TC_OK)
        s = tc_file_set_commit(&err, &set);
    tc_file_set_discard(&set);
    free(png);
    rc = s == TC_OK ? CLI_OK : cli_report(VERB, &err, s);
    if (rc == CLI_OK) {
        printf("optimum %.10g over %zu %s\n", plan.optimum, plan.L,
               unit == TC_UNIT_BLOCK ? "blocks" : "matrices");
        for (size_t k = 0; k < M; k++) {
            tc_mvbcs_range a = plan.assignment[k];
            if (a.start < 0)
                printf("  verifier %zu: nothing\n", k + 1);
            else
                printf("  verifier %zu: %lld..%lld\n", k + 1, (long long)a.start,
                       (long long)a.end);
        }
    }
    free(text);
    free(budgets);
    tc_select_plan_free(&plan);
    tc_select_scores_free(&sc);
    return rc;
}

/* ---------------------------------------------------------------- fit */

static json_t *fit_json(const tc_esd_fit *f, tc_select_metric m, const double *ev, size_t n)
{
    json_t *o = json_object();
    json_object_set_new(o, "metric", json_string(tc_select_metric_name(m)));
    tc_esd_mode mode = tc_select_metric_mode(m);
    json_object_set_new(o, "mode", json_string(mode == TC_ESD_FULL       ? "full"
                                               : mode == TC_ESD_XMIN_MID ? "xmin_mid"
                                                                          : "xmin_peak"));
    json_object_set_new(o, "filter_zeros", json_boolean(tc_select_metric_filter_zeros(m)));
    json_object_set_new(o, "status", json_string(f->ok ? "ok" : "failed"));
    json_object_set_new(o, "reason", f->ok ? json_null() : json_string(f->reason));
    json_object_set_new(o, "alpha", f->ok ? tc_json_real(f->alpha) : json_null());
    json_object_set_new(o, "xmin", f->ok ? tc_json_real(f->xmin) : json_null());
    json_object_set_new(o, "xmin_index", f->ok ? json_integer((json_int_t)f->xmin_index)
                                               : json_null());
    json_object_set_new(o, "D", f->ok ? tc_json_real(f->D) : json_null());
    json_object_set_new(o, "n_tail", f->ok ? json_integer((json_int_t)f->n_tail) : json_null());
    json_object_set_new(o, "num_evals", json_integer((json_int_t)f->num_evals));
    json_object_set_new(o, "num_candidates", json_integer((json_int_t)f->num_candidates));
    if (mode == TC_ESD_XMIN_PEAK && f->num_evals >= 2) {
        json_object_set_new(o, "peak", tc_json_real(f->peak));
        json_object_set_new(o, "peak_bin", json_integer(f->peak_bin));
        json_object_set_new(o, "xmin_range_lo", tc_json_real(f->xmin_range_lo));
        json_object_set_new(o, "xmin_range_hi", tc_json_real(f->xmin_range_hi));
    }
    tc_esd_norms nm;
    if (tc_esd_norms_compute(NULL, &nm, ev, n) == TC_OK) {
        json_t *mt = json_object();
        json_object_set_new(mt, "spectral_norm", tc_json_real(nm.spectral_norm));
        json_object_set_new(mt, "norm", tc_json_real(nm.norm));
        json_object_set_new(mt, "log_norm", tc_json_real(nm.log_norm));
        json_object_set_new(mt, "log_spectral_norm", tc_json_real(nm.log_spectral_norm));
        json_object_set_new(mt, "stable_rank", tc_json_real(nm.stable_rank));
        json_object_set_new(mt, "alpha_hat", f->ok ? tc_json_real(tc_esd_alpha_hat(
                                                         f->alpha, nm.spectral_norm))
                                                   : json_null());
        json_object_set_new(mt, "log_alpha_norm",
                            f->ok ? tc_json_real(tc_esd_log_alpha_norm(ev, n, f->alpha))
                                  : json_null());
        json_object_set_new(o, "metrics", mt);
    }
    return o;
}

static int run_fit(int argc, char **argv)
{
    opts o;
    int rc = parse_opts(&o, argc, argv);
    if (rc >= 0)
        return rc;
    if (!need(&o, o.eigenvalues, "--eigenvalues"))
        return CLI_USAGE;
    tc_select_metric m = TC_METRIC_ALPHA_PEAK;
    if (o.metric && !tc_select_metric_parse(&m, o.metric))
        return cli_usage(o.verb, "unknown --metric '%s' (alpha_peak, alpha_mid, alpha)", o.metric);
    tc_error err = {0};
    double *ev = NULL;
    size_t n = 0;
    tc_esd_fit f;
    char *text = NULL;
    tc_status s = tc_select_eigenvalues_read(&err, &ev, &n, o.eigenvalues, o.case_id);
    if (s == TC_OK)
        s = tc_esd_fit_metric(&err, &f, ev, n, m);
    if (s == TC_OK) {
        json_t *root = fit_json(&f, m, ev, n);
        s = tc_json_dump(&err, &text, root, TC_JSON_ORDERED);
        json_decref(root);
    }
    rc = s == TC_OK ? emit(o.out, text) : cli_report(VERB, &err, s);
    free(text);
    free(ev);
    return rc;
}

/* -------------------------------------------------------------- solve */

static int run_solve(int argc, char **argv)
{
    opts o;
    int rc = parse_opts(&o, argc, argv);
    if (rc >= 0)
        return rc;
    if (!need(&o, o.instance, "--instance"))
        return CLI_USAGE;
    tc_error err = {0};
    tc_mvbcs_instance in;
    tc_mvbcs_range *a = NULL;
    char *text = NULL;
    double opt = 0;
    tc_status s = tc_mvbcs_instance_read(&err, &in, o.instance, o.case_id);
    if (s != TC_OK)
        return cli_report(VERB, &err, s);
    a = malloc((in.M ? in.M : 1) * sizeof *a);
    if (a == NULL)
        s = tc_fail(&err, TC_ENOMEM, "out of memory");
    if (s == TC_OK)
        s = tc_mvbcs_solve(&err, &opt, a, in.values, in.costs, in.L, in.budgets, in.M);
    if (s != TC_OK) {
        char msg[sizeof err.msg];
        snprintf(msg, sizeof msg, "%s", err.msg);
        tc_fail(&err, s, "%s: %s", o.instance, msg);
    } else {
        json_t *root = json_object(), *as = json_array();
        json_object_set_new(root, "optimum", tc_json_real(opt));
        for (size_t k = 0; k < in.M; k++) {
            json_t *p = json_array();
            json_array_append_new(p, json_integer(a[k].start));
            json_array_append_new(p, json_integer(a[k].end));
            json_array_append_new(as, p);
        }
        json_object_set_new(root, "assignment", as);
        s = tc_json_dump(&err, &text, root, TC_JSON_ORDERED);
        json_decref(root);
    }
    rc = s == TC_OK ? emit(o.out, text) : cli_report(VERB, &err, s);
    free(text);
    free(a);
    tc_mvbcs_instance_free(&in);
    return rc;
}

int cmd_select(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage(VERB, "a sub-command is required (scores, optimize, fit, solve)");
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } subs[] = {{"scores", run_scores}, {"optimize", run_optimize}, {"fit", run_fit},
                {"solve", run_solve}};
    for (size_t i = 0; i < TC_ARRAY_LEN(subs); i++)
        if (!strcmp(sub, subs[i].name)) {
            /* the sub-command sees "select <sub>" as its argv[0], and its
             * messages and hints name it */
            char verb[32];
            snprintf(verb, sizeof verb, "%s %s", VERB, sub);
            argv[1] = verb;
            return subs[i].run(argc - 1, argv + 1);
        }
    return cli_usage(VERB, "unknown sub-command '%s' (scores, optimize, fit, solve)", sub);
}
