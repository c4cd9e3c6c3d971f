/* Engine throughput: prefill (prompt) and decode tokens/s, 1 and 2 threads,
 * default and deterministic mode; for large models the default mode again
 * with the weights copied into huge pages (TC_HUGE_PAGES=1); and the
 * bandwidth one core gets from the decode matvec on a 448 MiB matrix, the
 * ceiling for decoding (tokens/s ≤ bandwidth / weight bytes).
 *
 * usage: bench_engine [--reps R] [--prefill N] [--decode N] [MODEL_DIR ...]
 * Default models: the bundled stories260K (models/), and /tmp/rand110m when
 * present (make it with tools/make_random_model --out /tmp/rand110m).
 * Before timing, each model's prefill logits are checked against the
 * decode path's (two different kernels) on the same tokens. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/bench_util.h"
#include "model/engine.h"
#include "model/kernels.h"
#include "util/util.h"

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    printf("  %-34s median %9.1f  min %9.1f  max %9.1f tok/s\n", what, v[n / 2], v[0], v[n - 1]);
}

static void machine(void)
{
    struct utsname u;
    char model[512];
    bench_cpu_model(model, sizeof model);
    uname(&u);
    printf("machine: %s, %ld online cpus, %s %s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
           u.sysname, u.machine);
}

/* The prefill's last logits against the same sequence fed token by token. */
static int check(const tc_model *m, const int32_t *ids, size_t n)
{
    tc_error err = {0};
    size_t V = (size_t)tc_model_cfg(m)->vocab;
    float *a = malloc(V * sizeof *a), *b = malloc(V * sizeof *b);
    tc_engine_opts o = {.n_threads = 1, .max_seq = n};
    tc_session *s = NULL;
    int bad = a == NULL || b == NULL || tc_session_new(&err, &s, m, &o) != TC_OK ||
              tc_session_forward(&err, s, ids, n, 0, NULL, a) != TC_OK;
    for (size_t t = 0; !bad && t < n; t++)
        bad = tc_session_forward(&err, s, ids + t, 1, t, NULL, b) != TC_OK;
    double d = 0, mag = 0;
    for (size_t i = 0; !bad && i < V; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        mag = fmax(mag, fabs((double)a[i]));
    }
    if (bad || !(d <= 1e-3 * (1 + mag))) {
        fprintf(stderr, "check failed: %s (max diff %g)\n", err.msg, d);
        bad = 1;
    }
    tc_session_free(s);
    free(a);
    free(b);
    return bad;
}

/* huge: load with TC_HUGE_PAGES=1 (weights copied into huge pages, see
 * src/model/model.c) and time the default mode only. */
static int bench_model(const char *dir, int reps, size_t n_prefill, size_t n_decode, bool huge)
{
    tc_error err = {0};
    tc_model *m = NULL;
    if (huge)
        setenv("TC_HUGE_PAGES", "1", 1);
    else
        unsetenv("TC_HUGE_PAGES");
    double t_load = tc_now();
    if (tc_model_load(&err, &m, dir) != TC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    t_load = tc_now() - t_load;
    const tc_model_config *c = tc_model_cfg(m);
    size_t V = (size_t)c->vocab;
    if (n_prefill > (size_t)c->max_pos)
        n_prefill = (size_t)c->max_pos;
    if (n_decode + 1 > (size_t)c->max_pos)
        n_decode = (size_t)c->max_pos - 1;
    printf("%s: %s, %zu parameters (%.1f MB f32), dim %d, %d layers, vocab %d; "
           "loaded in %.2f s%s\n", dir, c->model_type, tc_model_params(m),
           (double)tc_model_params(m) * 4 / 1e6, c->dim, c->n_layers, c->vocab, t_load,
           huge ? " (TC_HUGE_PAGES=1: weights copied into huge pages)" : "");
    int32_t *ids = malloc(n_prefill * sizeof *ids);
    float *logits = malloc(V * sizeof *logits);
    tc_prng g;
    tc_prng_seed(&g, 5);
    for (size_t i = 0; i < n_prefill; i++)
        ids[i] = (int32_t)tc_prng_below(&g, V);
    if (check(m, ids, 8) != 0)
        return 1;
    double *v = malloc((size_t)reps * sizeof *v);
    for (int det = 0; det < (huge ? 1 : 2); det++)
        for (int th = 1; th <= 2; th++) {
            tc_engine_opts o = {.n_threads = th, .deterministic = det != 0};
            tc_session *s = NULL;
            if (tc_session_new(&err, &s, m, &o) != TC_OK) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            char what[96];
            for (int r = 0; r < reps; r++) {
                double t0 = tc_now();
                if (tc_session_forward(&err, s, ids, n_prefill, 0, NULL, logits) != TC_OK)
                    return 1;
                v[r] = (double)n_prefill / (tc_now() - t0);
            }
            snprintf(what, sizeof what, "prefill %zu, %d thread%s%s", n_prefill, th,
                     th > 1 ? "s" : "", det ? ", determ." : huge ? ", huge pages" : "");
            report(what, v, reps);
            for (int r = 0; r < reps; r++) {
                int32_t tok = 1 % (int32_t)V;
                double t0 = tc_now();
                for (size_t p = 0; p < n_decode; p++) {
                    if (tc_session_forward(&err, s, &tok, 1, p, NULL, logits) != TC_OK)
                        return 1;
                    size_t best = 0;
                    for (size_t i = 1; i < V; i++)
                        best = logits[i] > logits[best] ? i : best;
                    tok = (int32_t)best;
                }
                v[r] = (double)n_decode / (tc_now() - t0);
            }
            snprintf(what, sizeof what, "decode %zu, %d thread%s%s", n_decode, th,
                     th > 1 ? "s" : "", det ? ", determ." : huge ? ", huge pages" : "");
            report(what, v, reps);
            tc_session_free(s);
        }
    free(v);
    free(ids);
    free(logits);
    tc_model_free(m);
    return 0;
}

/* tc_matvec_fast over a 448 MiB (rows, 768) matrix on one core, in 4 KiB
 * and in 2 MiB pages: the read bandwidth decoding can expect. */
static void matvec_bandwidth(int reps)
{
    const size_t n = 768, rows = ((size_t)448 << 20) / (n * sizeof(float));
    const size_t bytes = rows * n * sizeof(float);
    for (int huge = 0; huge < 2; huge++) {
        float *w = NULL, *x = malloc(n * sizeof *x), *y = malloc(rows * sizeof *y);
        if (posix_memalign((void **)&w, (size_t)1 << 21, bytes) != 0 || x == NULL || y == NULL) {
            fprintf(stderr, "matvec bandwidth: out of memory\n");
            free(x);
            free(y);
            return;
        }
        madvise(w, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
        for (size_t i = 0; i < rows * n; i++)
            w[i] = (float)(i % 7) * 0.25f;
        for (size_t i = 0; i < n; i++)
            x[i] = 1.0f;
        double *v = malloc((size_t)reps * sizeof *v);
        for (int r = 0; r < reps; r++) {
            double t0 = tc_now();
            tc_matvec_fast(y, w, x, NULL, n, 0, rows);
            v[r] = (double)bytes / (tc_now() - t0) / 1e9;
        }
        qsort(v, (size_t)reps, sizeof *v, bench_cmp_double);
        printf("decode matvec read bandwidth, 1 thread, %s pages: median %.1f  min %.1f  max "
               "%.1f GB/s\n", huge ? "2 MiB" : "4 KiB", v[reps / 2], v[0], v[reps - 1]);
        free(v);
        free(w);
        free(x);
        free(y);
    }
}

/* Size of DIR/model.safetensors, or -1. */
static int64_t file_size(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

int main(int argc, char **argv)
{
    int reps = 5;
    size_t n_prefill = 512, n_decode = 128;
    const char *dirs[16];
    int nd = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--prefill") && i + 1 < argc)
            n_prefill = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--decode") && i + 1 < argc)
            n_decode = (size_t)atol(argv[++i]);
        else if (nd < 16)
            dirs[nd++] = argv[i];
    }
    if (reps < 1 || n_prefill < 1 || n_decode < 1) {
        fprintf(stderr, "usage: bench_engine [--reps R] [--prefill N] [--decode N] [DIR ...]\n");
        return 2;
    }
    if (nd == 0) {
        dirs[nd++] = TC_SOURCE_DIR "/models/stories260K";
        if (access("/tmp/rand110m/model.safetensors", R_OK) == 0)
            dirs[nd++] = "/tmp/rand110m";
    }
    machine();
    matvec_bandwidth(reps);
    /* the huge-page rows only where the weights span many 2 MiB pages */
    for (int i = 0; i < nd; i++) {
        if (bench_model(dirs[i], reps, n_prefill, n_decode, false) != 0)
            return 1;
        if (file_size(dirs[i]) >= ((int64_t)64 << 20) &&
            bench_model(dirs[i], reps, n_prefill, n_decode, true) != 0)
            return 1;
    }
    return 0;
}
