/*
 * bench_msm: G1 multi-scalar multiplication timings.
 *
 *   bench_msm [--full] [--with-22] [--min-log K] [--max-log K] [--reps R]
 *             [--threads LIST] [--kinds LIST] [--windows LIST] [--no-table]
 *             [--json out.json]
 *
 * Default (quick, for `make bench`): n = 2^10, 2^12, 2^14, 2^16.  --full:
 * 2^10 .. 2^21 (--with-22 adds 2^22).  Kinds: fr (254-bit canonical Fr),
 * s40 (signed 40-bit int64), s16 (signed 16-bit int64); LIST is comma
 * separated, e.g. --kinds s40,s16 --threads 1.  --windows 11,12,13 times
 * the plain MSM with each of these windows forced (tc_msm_opts.window)
 * instead of the automatic choice, to calibrate the window model; the
 * window used is printed on every row ("c" and "auto" or "forced").  For
 * each size, kind and
 * thread count the MSM is first checked (bases a_i·G with known a_i, so
 * the sum must be (Σ k_i·a_i)·G) and then timed R times (default 5 up to
 * 2^16, 3 above); the median, minimum and maximum, and ns per point, are
 * printed.  The table variant (--no-table to skip) builds a precomputed
 * SRS table for 41-bit scalars once per size and times s40 and s16 with
 * it.  The bases are produced by tc_g1_fixed_base_batch_var, whose time is
 * reported as the setup figure.  Next to the wall-clock figures, "cpu" is
 * the median process CPU time (all threads): on a shared machine it shows
 * the work done when the wall clock also counts waiting for a core.  The machine (CPU model, cores) is printed
 * first; figures from a shared machine are noisy: quote medians.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/bench_util.h"
#include "ec/msm.h"
#include "util/util.h"

/* The best public C++ pairing library on the same machine, one thread
 * (issue 3), in ms: {log2 n, full, 40-bit, 16-bit}. */
static const double REF_MS[][4] = {
    {16, 476, 291, 65},
    {20, 8200, 4100, 1060},
    {21, 14900, 7300, 0},
};

typedef struct kind_desc { const char *name; unsigned bits; } kind_desc;
static const kind_desc KINDS[] = {{"fr", 254}, {"s40", 40}, {"s16", 16}};
enum { N_KINDS = 3 };

typedef struct bench_opts {
    unsigned min_log, max_log, reps;
    unsigned threads[8], n_thread_counts;
    unsigned windows[TC_MSM_MAX_WINDOW], n_windows;   /* none: automatic */
    bool kinds[N_KINDS];
    bool table;
    const char *json;
} bench_opts;

static void print_machine(void)
{
    char model[256];
    bench_cpu_model(model, sizeof model);
    printf("machine: %s, %ld logical cores, Fp mul %s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
           tc_cpu_has_adx() ? "MULX/ADX assembly" : "portable C");
}

static double ref_ms(unsigned lg, unsigned kind)
{
    for (size_t i = 0; i < sizeof REF_MS / sizeof REF_MS[0]; i++)
        if ((unsigned)REF_MS[i][0] == lg)
            return REF_MS[i][1 + kind];
    return 0;
}

static int64_t rand_signed(tc_prng *g, unsigned bits)
{
    uint64_t m = tc_prng_next(g) >> (64 - bits);
    return (tc_prng_next(g) & 1) ? -(int64_t)m : (int64_t)m;
}

static void rand_fr(tc_prng *g, tc_fr *r)
{
    uint8_t b[64];
    for (int i = 0; i < 8; i++) {
        uint64_t v = tc_prng_next(g);
        memcpy(b + 8 * i, &v, 8);
    }
    tc_fr_from_bytes_wide(r, b);
}

/* (Σ k_i·a_i)·G for the check. */
static void expected(tc_g1 *r, const tc_fr *a, const tc_fr *k, size_t n)
{
    tc_fr s, t;
    tc_fr_zero(&s);
    for (size_t i = 0; i < n; i++) {
        tc_fr_mul(&t, &a[i], &k[i]);
        tc_fr_add(&s, &s, &t);
    }
    tc_g1 g;
    tc_g1_generator(&g);
    tc_g1_mul_var(r, &g, &s);
}

/* Process CPU time (all threads): on a shared machine it shows the work
 * done even when the wall clock includes waiting for a core. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct run_stats { double med, min, max, cpu; } run_stats;

static run_stats stats(double *t, double *cpu, unsigned reps)
{
    qsort(t, reps, sizeof *t, bench_cmp_double);
    qsort(cpu, reps, sizeof *cpu, bench_cmp_double);
    return (run_stats){t[reps / 2], t[0], t[reps - 1], cpu[reps / 2]};
}

static json_t *g_rows;

static void report(const char *variant, unsigned lg, size_t n, unsigned kind, unsigned th,
                   unsigned c, bool forced, run_stats s)
{
    double ref = th == 1 && !forced && strcmp(variant, "plain") == 0 ? ref_ms(lg, kind) : 0;
    printf("  %-6s %-4s 2^%-2u t=%u c=%-2u %-6s  median %10.2f ms  min %10.2f  max %10.2f"
           "  %8.1f ns/pt  cpu %10.2f ms",
           variant, KINDS[kind].name, lg, th, c, forced ? "forced" : "auto", s.med * 1e3,
           s.min * 1e3, s.max * 1e3, s.med * 1e9 / (double)n, s.cpu * 1e3);
    if (ref > 0)
        printf("  (reference %.0f ms: %.2fx)", ref, ref / (s.med * 1e3));
    printf("\n");
    fflush(stdout);
    if (g_rows)
        json_array_append_new(g_rows,
                              json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:f, s:f, s:f, s:f, s:f}",
                                        "variant", variant, "kind", KINDS[kind].name,
                                        "log_n", (int)lg, "threads", (int)th, "window",
                                        (int)c, "forced", (int)forced, "median_ms",
                                        s.med * 1e3, "min_ms", s.min * 1e3, "max_ms",
                                        s.max * 1e3, "ns_per_point", s.med * 1e9 / (double)n,
                                        "cpu_ms", s.cpu * 1e3));
}

static bool parse_list(const char *s, unsigned *out, unsigned *count, unsigned max,
                       unsigned long max_value)
{
    *count = 0;
    while (*s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v == 0 || v > max_value || *count == max)
            return false;
        out[(*count)++] = (unsigned)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return false;
    }
    return *count > 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_msm [--full] [--with-22] [--min-log K] [--max-log K] "
                    "[--reps R] [--threads 1,2] [--kinds fr,s40,s16] [--windows 12,13] "
                    "[--no-table] [--json out.json]\n");
    return 2;
}

static bool parse_args(bench_opts *o, int argc, char **argv)
{
    *o = (bench_opts){10, 16, 0, {1, 2}, 2, {0}, 0, {true, true, true}, true, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--full") == 0) {
            o->max_log = o->max_log < 21 ? 21 : o->max_log;
        } else if (strcmp(a, "--with-22") == 0) {
            o->max_log = 22;
        } else if (strcmp(a, "--min-log") == 0 && v) {
            o->min_log = (unsigned)atoi(v);
            i++;
        } else if (strcmp(a, "--max-log") == 0 && v) {
            o->max_log = (unsigned)atoi(v);
            i++;
        } else if (strcmp(a, "--reps") == 0 && v) {
            o->reps = (unsigned)atoi(v);
            i++;
        } else if (strcmp(a, "--threads") == 0 && v) {
            if (!parse_list(v, o->threads, &o->n_thread_counts, 8, TC_MSM_MAX_THREADS))
                return false;
            i++;
        } else if (strcmp(a, "--windows") == 0 && v) {
            if (!parse_list(v, o->windows, &o->n_windows, TC_MSM_MAX_WINDOW,
                            TC_MSM_MAX_WINDOW))
                return false;
            i++;
        } else if (strcmp(a, "--kinds") == 0 && v) {
            for (int k = 0; k < N_KINDS; k++)
                o->kinds[k] = strstr(v, KINDS[k].name) != NULL;
            i++;
        } else if (strcmp(a, "--no-table") == 0) {
            o->table = false;
        } else if (strcmp(a, "--json") == 0 && v) {
            o->json = v;
            i++;
        } else {
            return false;
        }
    }
    return o->min_log >= 1 && o->min_log <= o->max_log && o->max_log <= 24;
}

/* Times one MSM configuration; false if the result is wrong. */
static bool time_msm(const bench_opts *o, const tc_g1_affine *bases, const tc_msm_table *tab,
                     const tc_fr *a, const tc_fr *kfr, const int64_t *k64, unsigned kind,
                     unsigned lg, unsigned th, unsigned window, void *scratch,
                     size_t scratch_size)
{
    size_t n = (size_t)1 << lg;
    tc_scalars s = kind == 0 ? tc_scalars_fr(kfr) : tc_scalars_i64(k64);
    tc_msm_opts mo = {th, window};
    unsigned reps = o->reps ? o->reps : lg <= 16 ? 5 : 3;
    double t[64], cpu[64];
    if (reps > 64)
        reps = 64;
    tc_g1 r, want;
    tc_error err;
    for (unsigned rep = 0; rep <= reps; rep++) {
        double c0 = cpu_now(), t0 = tc_now();
        tc_status st = tab ? tc_msm_g1_table_var(&err, &r, tab, s, n, &mo, scratch, scratch_size)
                           : tc_msm_g1_var(&err, &r, bases, s, n, &mo, scratch, scratch_size);
        double t1 = tc_now(), c1 = cpu_now();
        if (st != TC_OK) {
            fprintf(stderr, "bench_msm: %s\n", err.msg);
            return false;
        }
        if (rep == 0) {   /* untimed: check the answer */
            expected(&want, a, kfr, n);
            if (!tc_g1_eq(&r, &want)) {
                fprintf(stderr, "bench_msm: wrong result for %s 2^%u t=%u\n",
                        KINDS[kind].name, lg, th);
                return false;
            }
            continue;
        }
        t[rep - 1] = t1 - t0;
        cpu[rep - 1] = c1 - c0;
    }
    unsigned c = tab ? tab->c : window ? window : tc_msm_g1_window(n, KINDS[kind].bits, th);
    report(tab ? "table" : "plain", lg, n, kind, th, c, tab == NULL && window != 0,
           stats(t, cpu, reps));
    return true;
}

int main(int argc, char **argv)
{
    bench_opts o;
    if (!parse_args(&o, argc, argv))
        return usage();
    print_machine();
    int rc = 0;
    size_t nmax = (size_t)1 << o.max_log;
    tc_prng g;
    tc_prng_seed(&g, 20261126);
    tc_g1_affine *bases = malloc(nmax * sizeof *bases);
    tc_fr *a = malloc(nmax * sizeof *a);
    tc_fr *kfr[N_KINDS];
    int64_t *k64[N_KINDS];
    for (int k = 0; k < N_KINDS; k++) {
        kfr[k] = malloc(nmax * sizeof(tc_fr));
        k64[k] = malloc(nmax * sizeof(int64_t));
    }
    if (!bases || !a)
        return 3;
    for (size_t i = 0; i < nmax; i++) {
        rand_fr(&g, &a[i]);
        rand_fr(&g, &kfr[0][i]);
        for (int k = 1; k < N_KINDS; k++) {
            k64[k][i] = rand_signed(&g, KINDS[k].bits);
            tc_fr_from_i64(&kfr[k][i], k64[k][i]);
        }
    }
    tc_g1_affine gen;
    tc_g1_affine_generator(&gen);
    tc_error err;
    unsigned setup_threads = o.threads[o.n_thread_counts - 1];
    double t0 = tc_now();
    if (tc_g1_fixed_base_batch_var(&err, bases, &gen, a, nmax, setup_threads) != TC_OK) {
        fprintf(stderr, "bench_msm: %s\n", err.msg);
        return 3;
    }
    double t1 = tc_now();
    printf("setup: fixed-base batch k_i·G for 2^%u points, %u thread(s): %.3f s (%.0f ns/pt)\n",
           o.max_log, setup_threads, t1 - t0, (t1 - t0) * 1e9 / (double)nmax);
    if (o.json)
        g_rows = json_array();
    for (unsigned lg = o.min_log; lg <= o.max_log && rc == 0; lg++) {
        size_t n = (size_t)1 << lg;
        printf("n = 2^%u\n", lg);
        for (unsigned ti = 0; ti < o.n_thread_counts && rc == 0; ti++) {
            unsigned th = o.threads[ti];
            for (unsigned kind = 0; kind < N_KINDS && rc == 0; kind++) {
                if (!o.kinds[kind])
                    continue;
                unsigned nw = o.n_windows ? o.n_windows : 1;
                for (unsigned wi = 0; wi < nw && rc == 0; wi++) {
                    tc_msm_opts mo = {th, o.n_windows ? o.windows[wi] : 0};
                    size_t sz =
                        tc_msm_g1_scratch_size(n, kind ? TC_SCALAR_I64 : TC_SCALAR_FR, &mo);
                    void *scratch = malloc(sz);
                    if (!scratch || !time_msm(&o, bases, NULL, a, kfr[kind], k64[kind], kind,
                                              lg, th, mo.window, scratch, sz))
                        rc = 1;
                    free(scratch);
                }
            }
        }
        if (!o.table || rc != 0 || !(o.kinds[1] || o.kinds[2]))
            continue;
        tc_msm_table tab;
        unsigned c = tc_msm_table_window(n, 41);
        t0 = tc_now();
        if (tc_msm_table_init(&err, &tab, bases, n, c, 41, setup_threads) != TC_OK) {
            fprintf(stderr, "bench_msm: %s\n", err.msg);
            rc = 3;
            break;
        }
        t1 = tc_now();
        printf("  table: c = %u, %u copies, %.1f MiB, built in %.3f s (%u thread(s))\n", c,
               tab.n_windows, (double)tc_msm_table_bytes(n, c, 41) / 1048576.0, t1 - t0,
               setup_threads);
        for (unsigned ti = 0; ti < o.n_thread_counts && rc == 0; ti++)
            for (unsigned kind = 1; kind < N_KINDS && rc == 0; kind++) {
                if (!o.kinds[kind])
                    continue;
                unsigned th = o.threads[ti];
                tc_msm_opts mo = {th, 0};
                size_t sz = tc_msm_g1_table_scratch_size(&tab, n, TC_SCALAR_I64, &mo);
                void *scratch = malloc(sz);
                if (!scratch || !time_msm(&o, bases, &tab, a, kfr[kind], k64[kind], kind, lg,
                                          th, 0, scratch, sz))
                    rc = 1;
                free(scratch);
            }
        tc_msm_table_free(&tab);
    }
    if (g_rows) {
        if (json_dump_file(g_rows, o.json, JSON_INDENT(1)) != 0) {
            fprintf(stderr, "bench_msm: cannot write %s\n", o.json);
            rc = 3;
        }
        json_decref(g_rows);
    }
    free(bases);
    free(a);
    for (int k = 0; k < N_KINDS; k++) {
        free(kfr[k]);
        free(k64[k]);
    }
    return rc;
}
