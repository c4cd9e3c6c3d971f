/* bench_select: ESD scores for a 110M-proportioned model and the exact
 * MV-BCS optimiser with M = 8 and M = 16 verifiers over L = 80 blocks.
 *
 *   bench_select [--model DIR] [--threads N] [--reps N] [--skip-scores]
 *
 * Without --model the scores run on seeded Gaussian matrices with the
 * shapes of a 12-layer, 768-wide llama-style model: per layer q, k, v, o
 * (768, 768), gate and up (2048, 768), down (768, 2048), 84 matrices.
 * Prints median / min / max and the machine. */
#include "../common/bench_util.h"
#include "select/select.h"
#include "util/util.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_LAYERS 12
#define D_MODEL 768
#define D_FF 2048

static void report(const char *what, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, bench_cmp_double);
    printf("%-44s median %9.3f ms  min %9.3f  max %9.3f  (%d runs)\n", what,
           1e3 * t[n / 2], 1e3 * t[0], 1e3 * t[n - 1], n);
}

/* Process CPU seconds (all threads): with other work on the machine, the
 * wall time alone overstates the cost. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double load_average(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static void print_machine(void)
{
    char model[256];
    bench_cpu_model(model, sizeof model);
    printf("machine: %s, %ld online CPUs\n", model, sysconf(_SC_NPROCESSORS_ONLN));
}

/* ------------------------------------------------- random 110M model */

/* tc_select_load_fn: matrix `index` from its own seed (thread-safe), values
 * N(0, 0.02²) by Box-Muller. */
static tc_status load_random(void *ctx, tc_error *err, double *w, size_t index)
{
    const tc_select_scores *s = ctx;
    (void)err;
    tc_prng g;
    tc_prng_seed(&g, 0xbe7c4 + index);
    size_t n = (size_t)(s->layers[index].shape[0] * s->layers[index].shape[1]);
    for (size_t j = 0; j < n; j += 2) {
        double u1 = 1.0 - tc_prng_double(&g), u2 = tc_prng_double(&g);
        double r = 0.02 * sqrt(-2 * log(u1));
        w[j] = r * cos(2 * M_PI * u2);
        if (j + 1 < n)
            w[j + 1] = r * sin(2 * M_PI * u2);
    }
    return TC_OK;
}

static tc_status random_model(tc_error *err, tc_select_scores *s)
{
    static const char *paths[7] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                   "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                   "mlp.down_proj"};
    static const uint64_t shapes[7][2] = {{D_MODEL, D_MODEL}, {D_MODEL, D_MODEL},
                                          {D_MODEL, D_MODEL}, {D_MODEL, D_MODEL},
                                          {D_FF, D_MODEL},    {D_FF, D_MODEL},
                                          {D_MODEL, D_FF}};
    tc_select_scores_init(s);
    snprintf(s->model_name, sizeof s->model_name, "random-110M-shapes");
    snprintf(s->model_type, sizeof s->model_type, "llama");
    s->num_layers = N_LAYERS * 7;
    s->map.num_blocks = N_LAYERS;
    s->layers = calloc(s->num_layers, sizeof *s->layers);
    if (s->layers == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t b = 0; b < N_LAYERS; b++)
        for (size_t j = 0; j < 7; j++) {
            tc_select_layer *ly = &s->layers[b * 7 + j];
            snprintf(ly->name, sizeof ly->name, "%zu.%s", b, paths[j]);
            ly->shape[0] = shapes[j][0];
            ly->shape[1] = shapes[j][1];
            ly->num_parameters = shapes[j][0] * shapes[j][1];
            ly->block_index = b;
        }
    return TC_OK;
}

static int blas_threads_default;

static int bench_scores(const char *model, size_t threads, int reps, tc_eig_method eig)
{
    double t[16];
    tc_select_options o;
    tc_select_options_default(&o);
    o.n_threads = threads;
    o.eig = eig;
    /* One BLAS thread per worker: OpenBLAS's own threads would compete
     * with ours for the same cores. */
    openblas_set_num_threads(threads > 1 ? 1 : blas_threads_default);
    double first_sig = NAN, cpu = 0, load0 = load_average();
    for (int r = 0; r < reps; r++) {
        tc_error err = {0};
        tc_select_scores s;
        tc_status st;
        double t0 = tc_now(), c0 = cpu_now();
        if (model) {
            st = tc_select_scores_from_model(&err, &s, model, &o);
        } else {
            st = random_model(&err, &s);
            if (st == TC_OK)
                st = tc_select_scores_compute(&err, &s, load_random, &s, &o);
        }
        t[r] = tc_now() - t0;
        cpu += cpu_now() - c0;
        if (st != TC_OK) {
            fprintf(stderr, "bench_select: %s\n", err.msg);
            return 1;
        }
        /* Check before trusting the time: every fit succeeded, results
         * are the same on every run. */
        for (size_t l = 0; l < s.num_layers; l++)
            if (!s.layers[l].fit_ok) {
                fprintf(stderr, "bench_select: fit of %s failed\n", s.layers[l].name);
                return 1;
            }
        if (r == 0) {
            first_sig = s.layers[0].significance;
            printf("scores: %zu matrices, %zu blocks, alpha_peak range [%.4f, %.4f]\n",
                   s.num_layers, s.map.num_blocks, s.layers[0].metric_value,
                   s.layers[s.num_layers - 1].metric_value);
        } else if (s.layers[0].significance != first_sig) {
            fprintf(stderr, "bench_select: results differ between runs\n");
            return 1;
        }
        tc_select_scores_free(&s);
    }
    char what[128];
    snprintf(what, sizeof what, "scores %s, %s, %zu thread%s (BLAS %d)",
             model ? model : "(random 110M)", tc_eig_method_name(eig), threads,
             threads == 1 ? "" : "s", openblas_get_num_threads());
    report(what, t, reps);
    printf("  cpu %.2f s per run (all threads); load average %.2f before, %.2f after\n",
           cpu / reps, load0, load_average());
    return 0;
}

/* ---------------------------------------------------------- optimiser */

static int bench_mvbcs(size_t M, int reps)
{
    enum { L = 80 };
    double v[L], t[16];
    uint64_t c[L], b[16];
    tc_prng g;
    tc_prng_seed(&g, 0x0b7 + M);
    uint64_t total = 0;
    for (size_t i = 0; i < L; i++) {
        v[i] = tc_prng_double(&g);
        c[i] = 7000000 + tc_prng_below(&g, 200000);  /* ~ one 110M-style block */
        total += c[i];
    }
    for (size_t k = 0; k < M; k++)
        b[k] = total / (4 * M) + tc_prng_below(&g, total / (2 * M));
    tc_mvbcs_range a[16];
    double opt = 0, chk = 0;
    for (int r = 0; r < reps; r++) {
        tc_error err = {0};
        double t0 = tc_now();
        tc_status st = tc_mvbcs_solve(&err, &opt, a, v, c, L, b, M);
        t[r] = tc_now() - t0;
        if (st != TC_OK || tc_mvbcs_check(&err, &chk, a, v, c, L, b, M) != TC_OK ||
            fabs(chk - opt) > 1e-9 * opt) {
            fprintf(stderr, "bench_select: MV-BCS M=%zu failed: %s\n", M, err.msg);
            return 1;
        }
    }
    char what[128];
    snprintf(what, sizeof what, "MV-BCS subset DP, M = %zu, L = %d", M, L);
    report(what, t, reps);
    printf("  optimum %.6f of %.6f\n", opt, chk);
    return 0;
}

int main(int argc, char **argv)
{
    const char *model = NULL;
    size_t threads = 0;
    int reps = 3;
    bool skip_scores = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--skip-scores"))
            skip_scores = true;
        else {
            fprintf(stderr, "usage: bench_select [--model DIR] [--threads N] [--reps N] "
                            "[--skip-scores]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > 16)
        reps = 3;
    print_machine();
    blas_threads_default = openblas_get_num_threads();
    int rc = 0;
    rc |= bench_mvbcs(8, 15 < reps * 5 ? 15 : reps * 5);
    rc |= bench_mvbcs(16, reps);
    if (!skip_scores) {
        for (int e = 0; e < 2; e++) {
            tc_eig_method eig = e ? TC_EIG_GRAM : TC_EIG_SVD;
            if (threads)
                rc |= bench_scores(model, threads, reps, eig);
            else {
                rc |= bench_scores(model, 1, reps, eig);
                rc |= bench_scores(model, 2, reps, eig);
            }
        }
    }
    return rc;
}
