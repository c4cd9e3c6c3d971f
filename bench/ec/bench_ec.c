/*
 * bench_ec: BN254 arithmetic timings, one thread.
 *
 *   bench_ec [--json out.json] [--filter SUBSTR] [--time SECONDS] [--list]
 *
 * Each figure is timed in samples of n back-to-back operations (n chosen so
 * a sample lasts about 100 µs, at least one operation); the per-operation
 * median, minimum and maximum over the samples are printed next to the
 * figure the best public C/C++ pairing library measured on the same machine
 * (issue 2) and the target, 1.15× that figure unless stated.  The machine is
 * shared, so medians over many samples are the numbers to quote.
 *
 * Adding a figure: write one function `bool fig_x(bench_ctx *c, size_t n)`
 * in the file of its concern (bench_ec_field.c, bench_ec_curve.c,
 * bench_ec_pairing.c), declare it in bench_ec.h, which states what the
 * function does at n = 0 and n > 0, and add one row to FIGURES.  A row whose
 * function is NULL is printed as "not measured", as is a figure that does not
 * apply on this machine.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/bench_util.h"
#include "bench_ec.h"
#include "ec/field.h"
#include "util/util.h"

typedef struct bench_figure {
    const char *key;      /* JSON name */
    const char *label;    /* printed name */
    double ref_ns;        /* the reference library's figure, 0 if none */
    double target_ns;     /* 0: 1.15 × ref_ns */
    bench_fn fn;          /* NULL: not measured yet */
} bench_figure;

/* The reference figures (best public library, same machine). */
static const bench_figure FIGURES[] = {
    {"fp_mul", "Fp mul", 22, 0, fig_fp_mul},
    {"fp_sqr", "Fp square", 18, 0, fig_fp_sqr},
    {"fp_inv", "Fp inverse", 715, 0, fig_fp_inv},
    {"fp_mul_c", "Fp mul (portable C)", 0, 0, fig_fp_mul_c},
    {"fp_sqr_c", "Fp square (portable C)", 0, 0, fig_fp_sqr_c},
    {"fp_mul_adx", "Fp mul (asm called directly)", 0, 0, fig_fp_mul_adx},
    {"fr_mul", "Fr mul", 0, 0, fig_fr_mul},
    {"fr_inv", "Fr inverse", 0, 0, fig_fr_inv},
    {"fp_legendre", "Fp Legendre symbol", 0, 0, fig_fp_legendre},
    {"fp_sqrt", "Fp sqrt (incl. x^2 per step)", 0, 0, fig_fp_sqrt},
    {"fr_sqrt", "Fr sqrt (incl. 2 sqr per step)", 0, 0, fig_fr_sqrt},
    {"g1_add_mixed", "G1 mixed add", 243, 0, fig_g1_add_mixed},
    {"g1_dbl", "G1 double", 178, 0, fig_g1_dbl},
    {"g1_mul", "G1 scalar mul (GLV)", 42000, 0, fig_g1_mul},
    {"g2_mul", "G2 scalar mul (GLS)", 70000, 0, fig_g2_mul},
    {"pairing", "pairing", 482000, 0, fig_pairing},
    {"miller_loop", "Miller loop", 246000, 0, fig_miller_loop},
    {"final_exp", "final exponentiation", 243000, 0, fig_final_exp},
    {"pairing_product_9", "product of 9 pairings (prepared G2)", 1670000, 1200000, fig_pairing_product_9},
    {"g2_prepare", "G2 prepare (line coefficients)", 0, 0, fig_g2_prepare},
    {"fp2_mul", "Fp2 mul", 0, 0, fig_fp2_mul},
    {"fp12_mul", "Fp12 mul", 0, 0, fig_fp12_mul},
    {"fp12_cyclotomic_sqr", "Fp12 cyclotomic square", 0, 0, fig_fp12_cyclotomic_sqr},
    {"g1_decompress", "G1 decompress + validate", 6800, 0, fig_g1_decompress},
    {"g1_add", "G1 add (Jacobian)", 0, 0, fig_g1_add},
    {"g2_add_mixed", "G2 mixed add", 0, 0, fig_g2_add_mixed},
    {"g2_dbl", "G2 double", 0, 0, fig_g2_dbl},
    {"g2_subgroup", "G2 subgroup check", 0, 0, fig_g2_subgroup},
    {"g2_decompress", "G2 decompress + validate", 0, 0, fig_g2_decompress},
};
#define N_FIGURES (sizeof FIGURES / sizeof FIGURES[0])

/* ------------------------------------------------------------- harness */

typedef struct bench_result {
    bool measured;
    bool ok;
    double median_ns, min_ns, max_ns;
    size_t samples, ops_per_sample;
    uint64_t sink;
} bench_result;

static double target_of(const bench_figure *f)
{
    return f->target_ns > 0 ? f->target_ns : 1.15 * f->ref_ns;
}

enum { MAX_SAMPLES = 2001 };

static bench_result measure(const bench_figure *f, double budget_s, tc_prng seed)
{
    bench_result res = {0};
    if (f->fn == NULL)
        return res;
    res.measured = true;
    bench_ctx c = {0};
    c.rng = seed;
    res.ok = f->fn(&c, 0);
    if (c.skip) {
        res.measured = false;
        res.ok = true;
        goto out;
    }
    if (!res.ok)
        goto out;
    /* calibrate: n so one sample takes about 100 µs */
    size_t n = 1;
    for (;;) {
        double t0 = tc_now();
        f->fn(&c, n);
        double dt = tc_now() - t0;
        if (dt >= 100e-6 || n >= ((size_t)1 << 30))
            break;
        n *= dt < 10e-6 ? 8 : 2;
    }
    static double per_op[MAX_SAMPLES];     /* bench only: one figure at a time */
    size_t s = 0;
    double start = tc_now();
    while (s < MAX_SAMPLES && (s < 11 || tc_now() - start < budget_s)) {
        double t0 = tc_now();
        f->fn(&c, n);
        per_op[s++] = (tc_now() - t0) * 1e9 / (double)n;
    }
    qsort(per_op, s, sizeof per_op[0], bench_cmp_double);
    res.samples = s;
    res.ops_per_sample = n;
    res.min_ns = per_op[0];
    res.max_ns = per_op[s - 1];
    res.median_ns = s % 2 ? per_op[s / 2] : 0.5 * (per_op[s / 2 - 1] + per_op[s / 2]);
out:
    res.sink = c.sink;
    free(c.mem);
    return res;
}

static void fmt_time(char *out, size_t len, double ns)
{
    if (ns < 1e3)
        snprintf(out, len, "%.1f ns", ns);
    else if (ns < 1e6)
        snprintf(out, len, "%.2f us", ns / 1e3);
    else
        snprintf(out, len, "%.3f ms", ns / 1e6);
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: bench_ec [--json FILE] [--filter SUBSTR] [--time SECONDS] [--list]\n"
            "  BN254 field/curve/pairing timings, one thread: median, min, max per\n"
            "  operation, with the reference library's figure and the target (1.15x).\n"
            "  --json FILE      also write the figures as JSON\n"
            "  --filter SUBSTR  only figures whose key contains SUBSTR\n"
            "  --time SECONDS   sampling time per figure (default 1.0)\n"
            "  --list           list the figure keys and exit\n");
}

static json_t *result_json(const bench_figure *f, const bench_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(f->key));
    json_object_set_new(o, "label", json_string(f->label));
    json_object_set_new(o, "measured", json_boolean(r->measured && r->ok));
    if (f->ref_ns > 0) {
        json_object_set_new(o, "reference_ns", json_real(f->ref_ns));
        json_object_set_new(o, "target_ns", json_real(target_of(f)));
    }
    if (r->measured && r->ok) {
        json_object_set_new(o, "median_ns", json_real(r->median_ns));
        json_object_set_new(o, "min_ns", json_real(r->min_ns));
        json_object_set_new(o, "max_ns", json_real(r->max_ns));
        json_object_set_new(o, "samples", json_integer((json_int_t)r->samples));
        json_object_set_new(o, "ops_per_sample", json_integer((json_int_t)r->ops_per_sample));
        if (f->ref_ns > 0)
            json_object_set_new(o, "ratio_to_target", json_real(r->median_ns / target_of(f)));
    }
    return o;
}

int main(int argc, char **argv)
{
    const char *json_path = NULL, *filter = NULL;
    double budget = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json_path = argv[++i];
        } else if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
            filter = argv[++i];
        } else if (!strcmp(argv[i], "--time") && i + 1 < argc) {
            char *end;
            budget = strtod(argv[++i], &end);
            if (*end != '\0' || !(budget > 0 && budget < 3600)) {
                fprintf(stderr, "bench_ec: --time wants seconds in (0, 3600), got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--list")) {
            for (size_t k = 0; k < N_FIGURES; k++)
                printf("%s\n", FIGURES[k].key);
            return 0;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench_ec: unknown or incomplete argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    char cpu[256], date[64];
    bench_cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    printf("bench_ec  %s  |  %s  |  asm (ADX/BMI2): %s  |  1 thread\n", date, cpu,
           tc_cpu_has_adx() ? "yes" : "no");
    printf("%-38s %11s %11s %11s %11s %11s %7s\n", "figure", "median", "min", "max",
           "reference", "target", "/target");

    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "bench", json_string("bench_ec"));
    json_object_set_new(root, "date", json_string(date));
    json_object_set_new(root, "cpu", json_string(cpu));
    json_object_set_new(root, "asm_adx", json_boolean(tc_cpu_has_adx()));
    json_object_set_new(root, "threads", json_integer(1));

    tc_prng seed;
    tc_prng_seed(&seed, 20261126);
    int failed = 0;
    uint64_t sink = 0;
    for (size_t k = 0; k < N_FIGURES; k++) {
        const bench_figure *f = &FIGURES[k];
        if (filter != NULL && strstr(f->key, filter) == NULL)
            continue;
        bench_result r = measure(f, budget, seed);
        char med[32] = "-", mn[32] = "-", mx[32] = "-", ref[32] = "-", tgt[32] = "-",
             ratio[16] = "-";
        if (f->ref_ns > 0) {
            fmt_time(ref, sizeof ref, f->ref_ns);
            fmt_time(tgt, sizeof tgt, target_of(f));
        }
        if (!r.measured) {
            snprintf(med, sizeof med, "not measured");
        } else if (!r.ok) {
            snprintf(med, sizeof med, "WRONG RESULT");
            failed = 1;
        } else {
            fmt_time(med, sizeof med, r.median_ns);
            fmt_time(mn, sizeof mn, r.min_ns);
            fmt_time(mx, sizeof mx, r.max_ns);
            if (f->ref_ns > 0)
                snprintf(ratio, sizeof ratio, "%.2f", r.median_ns / target_of(f));
        }
        printf("%-38s %11s %11s %11s %11s %11s %7s\n", f->label, med, mn, mx, ref, tgt, ratio);
        fflush(stdout);
        json_array_append_new(arr, result_json(f, &r));
        sink ^= r.sink;
    }
    json_object_set_new(root, "figures", arr);
    int rc = failed ? 1 : 0;
    if (json_path != NULL) {
        char *text = json_dumps(root, JSON_INDENT(2));
        tc_error err = {0};
        if (text == NULL ||
            tc_write_file_atomic(&err, json_path, text, strlen(text)) != TC_OK) {
            fprintf(stderr, "bench_ec: cannot write %s: %s\n", json_path,
                    text == NULL ? "out of memory" : err.msg);
            rc = 3;
        }
        free(text);
    }
    json_decref(root);
    if (sink == 0x5a5a5a5a5a5a5a5aULL)     /* keeps the results alive */
        printf("(sink)\n");
    return rc;
}
