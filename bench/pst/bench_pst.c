/* PST timings (docs/design.md §8): setup, commit, one grid opening, one slice at
 * j = 2, one random field point, verify one, batch-verify many, on a grid of
 * signed 40-bit values (default shape 6^8 = 1,679,616 values, 2 threads).
 * Every result is checked (the openings verify) before it is timed.
 *
 * usage: bench_pst [--shape 6,6,..] [--threads N] [--batch K] [--reps R] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/bench_util.h"
#include "pst/pst.h"

static void report(const char *what, double *v, int n, const char *target)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    double scale = v[n / 2] < 0.01 ? 1e3 : 1.0;
    const char *unit = scale > 1 ? "ms" : "s ";
    printf("  %-28s median %9.3f %s  min %9.3f  max %9.3f   (n=%d, target %s)\n", what,
           v[n / 2] * scale, unit, v[0] * scale, v[n - 1] * scale, n, target);
    fflush(stdout);
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

static void die(const char *what, const tc_error *err)
{
    fprintf(stderr, "bench_pst: %s: %s\n", what, err->msg);
    exit(1);
}

static void need(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "bench_pst: check failed: %s\n", what);
        exit(1);
    }
}

static void random_fr(tc_prng *g, tc_fr *r)
{
    uint8_t b[64];
    for (int i = 0; i < 8; i++) {
        uint64_t v = tc_prng_next(g);
        memcpy(b + 8 * i, &v, 8);
    }
    tc_fr_from_bytes_wide(r, b);
}

int main(int argc, char **argv)
{
    tc_pst_shape s;
    int threads = 2, reps = 3, batch = 1000;
    (void)tc_pst_shape_parse(&s, "6,6,6,6,6,6,6,6");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--shape") && i + 1 < argc) {
            if (!tc_pst_shape_parse(&s, argv[++i]))
                return fprintf(stderr, "bad --shape\n"), 2;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            batch = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench_pst [--shape 6,6,..] [--threads N] [--batch K] [--reps R]\n");
            return 2;
        }
    }
    if (threads < 1 || reps < 1 || batch < 1 || s.m < 3)
        return fprintf(stderr, "bad arguments (shape needs at least 3 axes)\n"), 2;
    machine();
    char sh[128];
    tc_pst_shape_str(sh, sizeof sh, &s);
    size_t n = tc_pst_suffix_size(&s, 0);
    printf("pst: shape %s (%zu values, signed 40-bit), %d threads\n", sh, n, threads);
    tc_error err = {0};
    tc_prng g;
    tc_prng_seed(&g, 42);
    int64_t *vals = malloc(n * sizeof *vals);
    for (size_t k = 0; k < n; k++)
        vals[k] = (int64_t)tc_prng_below(&g, (uint64_t)1 << 41) - ((int64_t)1 << 40);
    double *t = malloc((size_t)(reps > 50 ? reps : 50) * sizeof *t);

    /* setup (one run: it is the slowest step) */
    tc_pst_srs srs;
    tc_pst_setup_opts so = {threads, false, NULL, NULL};
    const uint8_t seed[4] = {1, 2, 3, 4};
    double t0 = tc_now();
    if (tc_pst_setup_seeded(&err, &srs, &s, seed, sizeof seed, &so) != TC_OK)
        die("setup", &err);
    t[0] = tc_now() - t0;
    report("setup (trapdoor)", t, 1, "< 5 s");

    /* commit */
    tc_g1 c;
    tc_g1_affine ca;
    for (int r = 0; r < reps; r++) {
        t0 = tc_now();
        if (tc_pst_commit_i64(&err, &c, &srs, vals, n, threads) != TC_OK)
            die("commit", &err);
        t[r] = tc_now() - t0;
    }
    tc_g1_to_affine(&ca, &c);
    report("commit", t, reps, "< 0.5 s");

    /* one grid point */
    tc_fr z[TC_PST_MAX_VARS];
    tc_pst_opening o;
    bool ok = false;
    for (int i = 0; i < s.m; i++)
        tc_fr_from_u64(&z[i], tc_prng_below(&g, s.n[i]));
    for (int r = 0; r < reps; r++) {
        t0 = tc_now();
        if (tc_pst_open(&err, &o, &srs, vals, n, z, 1, threads) != TC_OK)
            die("open grid", &err);
        t[r] = tc_now() - t0;
    }
    need(tc_pst_verify(&err, &ok, &srs.vk, &ca, &o) == TC_OK && ok, "grid opening verifies");
    report("open grid point", t, reps, "< 0.7 s");

    /* one slice at j = 2 */
    tc_pst_slice sl;
    for (int r = 0; r < reps; r++) {
        t0 = tc_now();
        if (tc_pst_open_slice(&err, &sl, &srs, vals, n, z, 2, threads) != TC_OK)
            die("open slice", &err);
        t[r] = tc_now() - t0;
        if (r + 1 < reps)
            tc_pst_slice_free(&sl);
    }
    need(tc_pst_verify_slice(&err, &ok, &srs.vk, tc_pst_srs_level(&srs, 2), &ca, &sl) == TC_OK && ok,
         "slice verifies");
    tc_pst_slice_free(&sl);
    report("open slice j=2", t, reps, "< 1 s");

    /* one random field point */
    tc_fr zf[TC_PST_MAX_VARS];
    tc_pst_opening of;
    for (int i = 0; i < s.m; i++)
        random_fr(&g, &zf[i]);
    t0 = tc_now();
    if (tc_pst_open(&err, &of, &srs, vals, n, zf, 1, threads) != TC_OK)
        die("open field", &err);
    t[0] = tc_now() - t0;
    need(tc_pst_verify(&err, &ok, &srs.vk, &ca, &of) == TC_OK && ok, "field opening verifies");
    report("open random field point", t, 1, "-");

    /* verify one */
    for (int r = 0; r < 50; r++) {
        t0 = tc_now();
        if (tc_pst_verify(&err, &ok, &srs.vk, &ca, &o) != TC_OK || !ok)
            die("verify", &err);
        t[r] = tc_now() - t0;
    }
    report("verify one", t, 50, "< 1.5 ms");

    /* batch: openings sharing the grid prefix z_0..z_{m-4}; the last three
     * coordinates vary (grid, field, field), so every proof differs in its
     * last points and the shared prefix is computed once */
    int m = s.m;
    tc_fr *zb = malloc((size_t)batch * (size_t)m * sizeof *zb);
    tc_pst_opening *ob = malloc((size_t)batch * sizeof *ob);
    tc_g1_affine *cb = malloc((size_t)batch * sizeof *cb);
    for (int k = 0; k < batch; k++) {
        memcpy(zb + (size_t)k * m, z, (size_t)m * sizeof *z);
        tc_fr_from_u64(&zb[(size_t)k * m + m - 3], tc_prng_below(&g, s.n[m - 3]));
        random_fr(&g, &zb[(size_t)k * m + m - 2]);
        random_fr(&g, &zb[(size_t)k * m + m - 1]);
        cb[k] = ca;
    }
    /* group equal third-to-last coordinates so the prefix work is shared */
    t0 = tc_now();
    if (tc_pst_open(&err, ob, &srs, vals, n, zb, (size_t)batch, threads) != TC_OK)
        die("open batch", &err);
    printf("  (made %d openings in %.2f s)\n", batch, tc_now() - t0);
    for (int k = 0; k < batch; k += batch / 10 + 1)
        need(tc_pst_verify(&err, &ok, &srs.vk, &cb[k], &ob[k]) == TC_OK && ok, "batch member");
    for (int r = 0; r < reps; r++) {
        t0 = tc_now();
        if (tc_pst_verify_batch(&err, &ok, &srs.vk, cb, ob, (size_t)batch, threads) != TC_OK || !ok)
            die("batch verify", &err);
        t[r] = tc_now() - t0;
    }
    char what[64];
    snprintf(what, sizeof what, "batch-verify %d", batch);
    report(what, t, reps, "< 50 ms for 1000");
    free(zb);
    free(ob);
    free(cb);
    free(t);
    free(vals);
    tc_pst_srs_free(&srs);
    return 0;
}
