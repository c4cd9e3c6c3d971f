/* Timings of the core operations for `tensorcommit selftest` (see
 * selftest_timing.h): each result is checked before it is timed. */
#include "selftest_timing.h"

#include <stdlib.h>
#include <string.h>

#include "ec/curve.h"
#include "ec/field.h"
#include "ec/msm.h"
#include "ec/pairing.h"
#include "pst/pst.h"

typedef struct timing_run {
    int n_threads;
    cli_timing_fn emit;
    void *ctx;
} timing_run;

#define ST_MAX_REPS 9

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reports reps samples (seconds per rep) divided by ops per rep. */
static void report(const timing_run *o, const char *name, const char *what,
                 double *t, int reps, double ops)
{
    cli_timing tm = {.name = name, .what = what, .reps = reps};
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    tm.median = (reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2])) / ops;
    tm.min = t[0] / ops;
    tm.max = t[reps - 1] / ops;
    o->emit(o->ctx, &tm);
}

static void random_fr(tc_fr *k, tc_prng *g)
{
    uint8_t b[64];
    for (int i = 0; i < 8; i++) {
        uint64_t w = tc_prng_next(g);
        memcpy(b + 8 * i, &w, 8);
    }
    tc_fr_from_bytes_wide(k, b);
}

/* A signed value with |v| < 2^40. */
static int64_t random_i40(tc_prng *g)
{
    uint64_t w = tc_prng_next(g);
    int64_t mag = (int64_t)(w & ((UINT64_C(1) << 40) - 1));
    return (w >> 63) ? -mag : mag;
}

static void time_field(const timing_run *o, tc_prng *g)
{
    enum { REPS = 7, N_MUL = 200000, N_INV = 5000 };
    double t[ST_MAX_REPS];
    volatile uint64_t sink;   /* keeps the timed chains alive */
    tc_fr ka, kb;
    tc_fp x, y;
    random_fr(&ka, g);
    random_fr(&kb, g);
    /* any nonzero Fp values will do: reuse the limbs below r < p */
    memcpy(x.l, ka.l, sizeof x.l);
    memcpy(y.l, kb.l, sizeof y.l);
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = tc_now();
        for (int i = 0; i < N_MUL; i++)
            tc_fp_mul(&x, &x, &y);
        t[rep] = tc_now() - t0;
    }
    sink = x.l[0];
    report(o, "fp_mul", "Fp Montgomery product", t, REPS, N_MUL);
    tc_fp one;
    tc_fp_one(&one);
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = tc_now();
        for (int i = 0; i < N_INV; i++) {
            tc_fp_inv_var(&x, &x);
            tc_fp_add(&x, &x, &one);   /* keep the chain from cycling */
        }
        t[rep] = tc_now() - t0;
    }
    sink = x.l[0];
    (void)sink;
    report(o, "fp_inv", "Fp inverse", t, REPS, N_INV);
}

static tc_status time_group(tc_error *err, const timing_run *o, tc_prng *g)
{
    enum { REPS = 7, N_MUL = 50, N_PAIR = 10, N_PROD = 9 };
    double t[ST_MAX_REPS];
    tc_fr k[N_MUL];
    tc_g1 gen, acc;
    tc_g1_generator(&gen);
    for (int i = 0; i < N_MUL; i++)
        random_fr(&k[i], g);
    tc_g1_set_infinity(&acc);
    for (int rep = 0; rep < REPS; rep++) {
        tc_g1 p;
        double t0 = tc_now();
        for (int i = 0; i < N_MUL; i++) {
            tc_g1_mul_var(&p, &gen, &k[i]);
            tc_g1_add(&acc, &acc, &p);
        }
        t[rep] = tc_now() - t0;
    }
    volatile bool sink = tc_g1_is_infinity(&acc);
    (void)sink;
    report(o, "g1_mul", "G1 scalar multiplication, 254-bit scalar", t, REPS, N_MUL);

    /* pairing: e(aG1, G2)·e(−aG1, G2) = 1 checks the inputs first */
    tc_g1_affine p[N_PROD];
    tc_g2_affine q[N_PROD];
    tc_g2_prepared *prep = malloc(N_PROD * sizeof *prep);
    if (prep == NULL)
        return tc_fail(err, TC_ENOMEM, "selftest: out of memory");
    tc_g2 g2;
    tc_g2_generator(&g2);
    for (int i = 0; i < N_PROD; i++) {
        tc_g1 pp;
        tc_g2 qq;
        tc_fr a, b;
        random_fr(&a, g);
        random_fr(&b, g);
        tc_g1_mul_var(&pp, &gen, &a);
        tc_g2_mul_var(&qq, &g2, &b);
        tc_g1_to_affine(&p[i], &pp);
        tc_g2_to_affine(&q[i], &qq);
        tc_g2_prepare(&prep[i], &q[i]);
    }
    tc_fp12 f1, f2;
    tc_g1_affine pn;
    tc_g1_affine_neg(&pn, &p[0]);
    tc_pairing(&f1, &p[0], &q[0]);
    tc_pairing(&f2, &pn, &q[0]);
    tc_fp12_mul(&f1, &f1, &f2);
    if (!tc_fp12_is_one(&f1)) {
        free(prep);
        return tc_fail(err, TC_EINTERNAL, "selftest: e(P, Q)·e(-P, Q) is not 1");
    }
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = tc_now();
        for (int i = 0; i < N_PAIR; i++)
            tc_pairing(&f1, &p[i % N_PROD], &q[i % N_PROD]);
        t[rep] = tc_now() - t0;
    }
    report(o, "pairing", "e(P, Q): prepare, Miller loop, final exponentiation", t, REPS, N_PAIR);

    bool one = true;
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = tc_now();
        for (int i = 0; i < N_PAIR; i++)
            one = tc_pairing_product_is_one(p, prep, N_PROD) && one;
        t[rep] = tc_now() - t0;
    }
    free(prep);
    if (one)   /* nine random pairs multiplying to 1: a broken pairing */
        return tc_fail(err, TC_EINTERNAL, "selftest: a random pairing product is 1");
    report(o, "pairing_product_9", "product of 9 pairings, G2 prepared", t, REPS, N_PAIR);
    return TC_OK;
}

static tc_status time_msm(tc_error *err, const timing_run *o, tc_prng *g)
{
    enum { REPS = 7, LOG_N = 14, N = 1 << LOG_N };
    double t[ST_MAX_REPS];
    tc_status s = TC_OK;
    tc_fr *k = malloc(N * sizeof *k);
    int64_t *v = malloc(N * sizeof *v);
    tc_g1_affine *bases = malloc(N * sizeof *bases);
    tc_msm_opts mo = {.n_threads = (unsigned)o->n_threads, .window = 0};
    size_t scratch_size = tc_msm_g1_scratch_size(N, TC_SCALAR_I64, &mo);
    void *scratch = scratch_size ? malloc(scratch_size) : NULL;
    if (k == NULL || v == NULL || bases == NULL || scratch == NULL) {
        s = tc_fail(err, TC_ENOMEM, "selftest: out of memory");
        goto out;
    }
    /* bases k_i·G, so Σ v_i·(k_i·G) = (Σ v_i·k_i)·G checks the MSM */
    tc_g1_affine gen;
    tc_g1_affine_generator(&gen);
    for (size_t i = 0; i < N; i++) {
        random_fr(&k[i], g);
        v[i] = random_i40(g);
    }
    s = tc_g1_fixed_base_batch_var(err, bases, &gen, k, N, (unsigned)o->n_threads);
    if (s != TC_OK)
        goto out;
    tc_fr sum, term;
    tc_fr_zero(&sum);
    for (size_t i = 0; i < N; i++) {
        tc_fr_from_i64(&term, v[i]);
        tc_fr_mul(&term, &term, &k[i]);
        tc_fr_add(&sum, &sum, &term);
    }
    tc_g1 want, got, g1;
    tc_g1_generator(&g1);
    tc_g1_mul_var(&want, &g1, &sum);
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = tc_now();
        s = tc_msm_g1_var(err, &got, bases, tc_scalars_i64(v), N, &mo, scratch, scratch_size);
        t[rep] = tc_now() - t0;
        if (s != TC_OK)
            goto out;
        if (!tc_g1_eq(&got, &want)) {
            s = tc_fail(err, TC_EINTERNAL, "selftest: MSM 2^14 disagrees with the scalar sum");
            goto out;
        }
    }
    report(o, "msm_2^14_i40", "G1 MSM, 2^14 points, signed 40-bit scalars", t, REPS, 1);
out:
    free(k);
    free(v);
    free(bases);
    free(scratch);
    return s;
}

static tc_status time_pst(tc_error *err, const timing_run *o, tc_prng *g)
{
    enum { REPS = 7, M = 5, SIDE = 6 };
    double t[ST_MAX_REPS];
    int nt = o->n_threads;
    tc_status s = TC_OK;
    tc_pst_srs srs;
    tc_pst_shape shape;
    memset(&srs, 0, sizeof srs);
    memset(&shape, 0, sizeof shape);
    shape.m = M;
    for (int i = 0; i < M; i++)
        shape.n[i] = SIDE;
    size_t n = tc_pst_suffix_size(&shape, 0);
    int64_t *vals = malloc(n * sizeof *vals);   /* (6, 6, 6, 6, 6) */
    if (vals == NULL)
        return tc_fail(err, TC_ENOMEM, "selftest: out of memory");
    for (size_t i = 0; i < n; i++)
        vals[i] = random_i40(g);
    static const uint8_t seed[] = "tensorcommit selftest";
    tc_pst_setup_opts so = {.n_threads = nt, .monomial = false};
    double t0 = tc_now();
    s = tc_pst_setup_seeded(err, &srs, &shape, seed, sizeof seed - 1, &so);
    t[0] = tc_now() - t0;
    if (s != TC_OK)
        goto out;
    report(o, "pst_setup_6^5", "PST setup from trapdoors, 6^5 grid (one run)", t, 1, 1);

    tc_g1 c;
    for (int rep = 0; rep < REPS; rep++) {
        t0 = tc_now();
        s = tc_pst_commit_i64(err, &c, &srs, vals, n, nt);
        t[rep] = tc_now() - t0;
        if (s != TC_OK)
            goto out;
    }
    report(o, "pst_commit_6^5", "PST commit, 6^5 signed 40-bit values", t, REPS, 1);

    tc_fr z[M];
    size_t idx = 0;
    for (int i = 0; i < M; i++) {
        uint32_t zi = (uint32_t)((i + 1) % SIDE);
        tc_fr_from_u64(&z[i], zi);
        idx = idx * SIDE + zi;
    }
    tc_pst_opening op;
    for (int rep = 0; rep < REPS; rep++) {
        t0 = tc_now();
        s = tc_pst_open(err, &op, &srs, vals, n, z, 1, nt);
        t[rep] = tc_now() - t0;
        if (s != TC_OK)
            goto out;
    }
    tc_fr want_y;
    tc_fr_from_i64(&want_y, vals[idx]);
    if (!tc_fr_eq(&op.y, &want_y)) {
        s = tc_fail(err, TC_EINTERNAL, "selftest: PST opening value differs from the grid");
        goto out;
    }
    report(o, "pst_open_6^5", "PST opening at one grid point, 6^5", t, REPS, 1);

    tc_g1_affine ca;
    tc_g1_to_affine(&ca, &c);
    enum { N_VERIFY = 10 };
    for (int rep = 0; rep < REPS; rep++) {
        bool all = true;
        t0 = tc_now();
        for (int i = 0; i < N_VERIFY; i++) {
            bool ok = false;
            s = tc_pst_verify(err, &ok, &srs.vk, &ca, &op);
            if (s != TC_OK)
                goto out;
            all = all && ok;
        }
        t[rep] = tc_now() - t0;
        if (!all) {
            s = tc_fail(err, TC_EINTERNAL, "selftest: PST opening does not verify");
            goto out;
        }
    }
    report(o, "pst_verify_m5", "PST verification of one opening, m = 5", t, REPS, N_VERIFY);
out:
    tc_pst_srs_free(&srs);
    free(vals);
    return s;
}

tc_status cli_selftest_timings(tc_error *err, int n_threads, cli_timing_fn emit, void *ctx)
{
    timing_run run = {.n_threads = n_threads > 0 ? n_threads : 1, .emit = emit, .ctx = ctx};
    const timing_run *opts = &run;
    tc_prng g;
    tc_prng_seed(&g, 20240611);
    time_field(opts, &g);
    tc_status s = time_group(err, opts, &g);
    if (s == TC_OK)
        s = time_msm(err, opts, &g);
    if (s == TC_OK)
        s = time_pst(err, opts, &g);
    return s;
}
