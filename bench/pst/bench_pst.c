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

/* One bench run: the arguments, the grid, its SRS and commitment, the grid
 * point opened, and the timing buffer. */
typedef struct pst_bench {
    tc_pst_shape s;
    int threads, reps, batch;
    tc_prng g;                 /* draws in a fixed order: grid, z, field point, batch */
    size_t n;                  /* values in the grid */
    int64_t *vals;             /* (n) signed 40-bit */
    double *t;                 /* (max(reps, 50)) seconds */
    tc_pst_srs srs;
    tc_g1_affine ca;           /* the commitment to vals */
    tc_fr z[TC_PST_MAX_VARS];  /* a random grid point */
    tc_pst_opening o;          /* its opening */
} pst_bench;

/* 0, or the exit status 2 after a message on stderr. */
static int parse_args(pst_bench *b, int argc, char **argv)
{
    b->threads = 2;
    b->reps = 3;
    b->batch = 1000;
    (void)tc_pst_shape_parse(&b->s, "6,6,6,6,6,6,6,6");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--shape") && i + 1 < argc) {
            if (!tc_pst_shape_parse(&b->s, argv[++i]))
                return fprintf(stderr, "bad --shape\n"), 2;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            b->threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            b->reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            b->batch = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench_pst [--shape 6,6,..] [--threads N] [--batch K] [--reps R]\n");
            return 2;
        }
    }
    if (b->threads < 1 || b->reps < 1 || b->batch < 1 || b->s.m < 3)
        return fprintf(stderr, "bad arguments (shape needs at least 3 axes)\n"), 2;
    return 0;
}

/* setup (one run: it is the slowest step), then commit */
static void bench_setup_commit(pst_bench *b)
{
    tc_error err = {0};
    tc_pst_setup_opts so = {b->threads, false, NULL, NULL};
    const uint8_t seed[4] = {1, 2, 3, 4};
    double t0 = tc_now();
    if (tc_pst_setup_seeded(&err, &b->srs, &b->s, seed, sizeof seed, &so) != TC_OK)
        die("setup", &err);
    b->t[0] = tc_now() - t0;
    report("setup (trapdoor)", b->t, 1, "< 5 s");

    tc_g1 c;
    for (int r = 0; r < b->reps; r++) {
        t0 = tc_now();
        if (tc_pst_commit_i64(&err, &c, &b->srs, b->vals, b->n, b->threads) != TC_OK)
            die("commit", &err);
        b->t[r] = tc_now() - t0;
    }
    tc_g1_to_affine(&b->ca, &c);
    report("commit", b->t, b->reps, "< 0.5 s");
}

/* one grid point, then one slice at j = 2 through it */
static void bench_open_grid(pst_bench *b)
{
    tc_error err = {0};
    bool ok = false;
    for (int i = 0; i < b->s.m; i++)
        tc_fr_from_u64(&b->z[i], tc_prng_below(&b->g, b->s.n[i]));
    for (int r = 0; r < b->reps; r++) {
        double t0 = tc_now();
        if (tc_pst_open(&err, &b->o, &b->srs, b->vals, b->n, b->z, 1, b->threads) != TC_OK)
            die("open grid", &err);
        b->t[r] = tc_now() - t0;
    }
    need(tc_pst_verify(&err, &ok, &b->srs.vk, &b->ca, &b->o) == TC_OK && ok,
         "grid opening verifies");
    report("open grid point", b->t, b->reps, "< 0.7 s");

    tc_pst_slice sl;
    for (int r = 0; r < b->reps; r++) {
        double t0 = tc_now();
        if (tc_pst_open_slice(&err, &sl, &b->srs, b->vals, b->n, b->z, 2, b->threads) != TC_OK)
            die("open slice", &err);
        b->t[r] = tc_now() - t0;
        if (r + 1 < b->reps)
            tc_pst_slice_free(&sl);
    }
    need(tc_pst_verify_slice(&err, &ok, &b->srs.vk, tc_pst_srs_level(&b->srs, 2), &b->ca, &sl) ==
             TC_OK && ok,
         "slice verifies");
    tc_pst_slice_free(&sl);
    report("open slice j=2", b->t, b->reps, "< 1 s");
}

/* one random field point, then verifying the grid opening alone */
static void bench_open_field_verify(pst_bench *b)
{
    tc_error err = {0};
    bool ok = false;
    tc_fr zf[TC_PST_MAX_VARS];
    tc_pst_opening of;
    for (int i = 0; i < b->s.m; i++)
        random_fr(&b->g, &zf[i]);
    double t0 = tc_now();
    if (tc_pst_open(&err, &of, &b->srs, b->vals, b->n, zf, 1, b->threads) != TC_OK)
        die("open field", &err);
    b->t[0] = tc_now() - t0;
    need(tc_pst_verify(&err, &ok, &b->srs.vk, &b->ca, &of) == TC_OK && ok,
         "field opening verifies");
    report("open random field point", b->t, 1, "-");

    for (int r = 0; r < 50; r++) {
        t0 = tc_now();
        if (tc_pst_verify(&err, &ok, &b->srs.vk, &b->ca, &b->o) != TC_OK || !ok)
            die("verify", &err);
        b->t[r] = tc_now() - t0;
    }
    report("verify one", b->t, 50, "< 1.5 ms");
}

/* batch: openings sharing the grid prefix z_0..z_{m-4}; the last three
 * coordinates vary (grid, field, field), so every proof differs in its
 * last points and the shared prefix is computed once */
static void bench_batch(pst_bench *b)
{
    tc_error err = {0};
    bool ok = false;
    int m = b->s.m, batch = b->batch;
    tc_fr *zb = malloc((size_t)batch * (size_t)m * sizeof *zb);
    tc_pst_opening *ob = malloc((size_t)batch * sizeof *ob);
    tc_g1_affine *cb = malloc((size_t)batch * sizeof *cb);
    for (int k = 0; k < batch; k++) {
        memcpy(zb + (size_t)k * m, b->z, (size_t)m * sizeof *b->z);
        tc_fr_from_u64(&zb[(size_t)k * m + m - 3], tc_prng_below(&b->g, b->s.n[m - 3]));
        random_fr(&b->g, &zb[(size_t)k * m + m - 2]);
        random_fr(&b->g, &zb[(size_t)k * m + m - 1]);
        cb[k] = b->ca;
    }
    /* group equal third-to-last coordinates so the prefix work is shared */
    double t0 = tc_now();
    if (tc_pst_open(&err, ob, &b->srs, b->vals, b->n, zb, (size_t)batch, b->threads) != TC_OK)
        die("open batch", &err);
    printf("  (made %d openings in %.2f s)\n", batch, tc_now() - t0);
    for (int k = 0; k < batch; k += batch / 10 + 1)
        need(tc_pst_verify(&err, &ok, &b->srs.vk, &cb[k], &ob[k]) == TC_OK && ok, "batch member");
    for (int r = 0; r < b->reps; r++) {
        t0 = tc_now();
        if (tc_pst_verify_batch(&err, &ok, &b->srs.vk, cb, ob, (size_t)batch, b->threads) != TC_OK ||
            !ok)
            die("batch verify", &err);
        b->t[r] = tc_now() - t0;
    }
    char what[64];
    snprintf(what, sizeof what, "batch-verify %d", batch);
    report(what, b->t, b->reps, "< 50 ms for 1000");
    free(zb);
    free(ob);
    free(cb);
}

int main(int argc, char **argv)
{
    pst_bench b = {0};
    int rc = parse_args(&b, argc, argv);
    if (rc != 0)
        return rc;
    machine();
    char sh[128];
    tc_pst_shape_str(sh, sizeof sh, &b.s);
    b.n = tc_pst_suffix_size(&b.s, 0);
    printf("pst: shape %s (%zu values, signed 40-bit), %d threads\n", sh, b.n, b.threads);
    tc_prng_seed(&b.g, 42);
    b.vals = malloc(b.n * sizeof *b.vals);
    for (size_t k = 0; k < b.n; k++)
        b.vals[k] = (int64_t)tc_prng_below(&b.g, (uint64_t)1 << 41) - ((int64_t)1 << 40);
    b.t = malloc((size_t)(b.reps > 50 ? b.reps : 50) * sizeof *b.t);
    bench_setup_commit(&b);
    bench_open_grid(&b);
    bench_open_field_verify(&b);
    bench_batch(&b);
    free(b.t);
    free(b.vals);
    tc_pst_srs_free(&b.srs);
    return 0;
}
