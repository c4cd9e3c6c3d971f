/* Fixed bases: the table MSM (precomputed shifted copies of the bases,
 * msm.h) and the fixed-base batch of setup (many scalars times one base). */
#include "ec/msm_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* ------------------------------------------------------- table MSM */

size_t tc_msm_table_bytes(size_t n, unsigned c, unsigned max_bits)
{
    if (c == 0 || c > TC_MSM_MAX_WINDOW)
        return 0;
    size_t r;
    if (!tc_mul_size(&r, n, (size_t)msm_windows_for(max_bits, c) * sizeof(tc_g1_affine)))
        return 0;
    return r;
}

typedef struct table_job {
    tc_msm_table *t;
    const tc_g1_affine *bases;
    unsigned n_threads, id;
    msm_add_op *ops;         /* (TABLE_CHUNK) per worker */
    tc_fp *fe;               /* (3, TABLE_CHUNK) per worker: num, den, pref */
} table_job;

enum { TABLE_CHUNK = 4096 };

/* Column w = 2^c · column w−1, chunk by chunk: c rounds of batch-affine
 * doublings (each op adds a point to itself: the tangent case of
 * msm_batch_add, one inversion per chunk and round, ~7 multiplications per
 * doubling). */
static void *table_worker(void *arg)
{
    table_job *tj = arg;
    tc_msm_table *t = tj->t;
    size_t lo = t->n * tj->id / tj->n_threads, hi = t->n * (tj->id + 1) / tj->n_threads;
    for (size_t i = lo; i < hi; i++)
        t->pts[i] = tj->bases[i];
    for (size_t base = lo; base < hi; base += TABLE_CHUNK) {
        size_t m = hi - base < TABLE_CHUNK ? hi - base : TABLE_CHUNK;
        for (unsigned w = 1; w < t->n_windows; w++) {
            const tc_g1_affine *prev = t->pts + (size_t)(w - 1) * t->n + base;
            tc_g1_affine *cur = t->pts + (size_t)w * t->n + base;
            memcpy(cur, prev, m * sizeof *cur);
            for (unsigned k = 0; k < t->c; k++) {
                size_t cnt = 0;
                for (size_t i = 0; i < m; i++)
                    if (!cur[i].infinity)
                        tj->ops[cnt++] = (msm_add_op){&cur[i], &cur[i], false};
                msm_batch_add(tj->ops, cnt, tj->fe, tj->fe + TABLE_CHUNK,
                              tj->fe + 2 * TABLE_CHUNK);
            }
        }
    }
    return NULL;
}

tc_status tc_msm_table_init(tc_error *err, tc_msm_table *t, const tc_g1_affine *bases,
                            size_t n, unsigned c, unsigned max_bits, unsigned n_threads)
{
    tc_status st = TC_OK;
    table_job *jobs = NULL;
    memset(t, 0, sizeof *t);
    if (c == 0 || c > TC_MSM_MAX_WINDOW || max_bits == 0 || max_bits > 254)
        return tc_fail(err, TC_EARG, "msm table: window %u / max_bits %u out of range", c,
                       max_bits);
    if (n_threads == 0)
        n_threads = 1;
    if (n_threads > TC_MSM_MAX_THREADS)
        n_threads = TC_MSM_MAX_THREADS;
    size_t bytes = tc_msm_table_bytes(n, c, max_bits);
    if (bytes == 0 && n > 0)
        return tc_fail(err, TC_EARG, "msm table: size overflow for n = %zu", n);
    t->n = n;
    t->c = c;
    t->n_windows = msm_windows_for(max_bits, c);
    t->pts = malloc(bytes ? bytes : 1);
    jobs = calloc(n_threads, sizeof *jobs);
    if (t->pts == NULL || jobs == NULL) {
        st = tc_fail(err, TC_ENOMEM, "msm table: cannot allocate %zu bytes", bytes);
        goto out;
    }
    for (unsigned i = 0; i < n_threads; i++) {
        jobs[i] = (table_job){t, bases, n_threads, i, NULL, NULL};
        jobs[i].ops = malloc(TABLE_CHUNK * sizeof(msm_add_op));
        jobs[i].fe = malloc(3 * TABLE_CHUNK * sizeof(tc_fp));
        if (jobs[i].ops == NULL || jobs[i].fe == NULL) {
            st = tc_fail(err, TC_ENOMEM, "msm table: cannot allocate work buffers");
            goto out;
        }
    }
    tc_run_threads(table_worker, jobs, sizeof *jobs, n_threads);
out:
    if (jobs)
        for (unsigned i = 0; i < n_threads; i++) {
            free(jobs[i].ops);
            free(jobs[i].fe);
        }
    free(jobs);
    if (st != TC_OK)
        tc_msm_table_free(t);
    return st;
}

void tc_msm_table_free(tc_msm_table *t)
{
    if (t == NULL)
        return;
    free(t->pts);
    memset(t, 0, sizeof *t);
}

size_t tc_msm_g1_table_scratch_size(const tc_msm_table *t, size_t n, tc_scalar_kind kind,
                                    const tc_msm_opts *opts)
{
    /* the table path needs n_threads task slots and bucket sets for t->c;
     * the fallback needs what the plain MSM needs */
    tc_msm_opts o = {msm_clamp_threads(opts), 0};
    size_t plain = tc_msm_g1_scratch_size(n, kind, &o);
    unsigned th = o.n_threads;
    size_t tab = msm_layout_total(t->c, th, th, kind == TC_SCALAR_FR ? n : 0);
    if (plain == 0 || tab == 0)
        return 0;
    return plain > tab ? plain : tab;
}

tc_status tc_msm_g1_table_var(tc_error *err, tc_g1 *out, const tc_msm_table *t,
                              tc_scalars scalars, size_t n, const tc_msm_opts *opts,
                              void *scratch, size_t scratch_size)
{
    if (n > t->n)
        return tc_fail(err, TC_EARG, "msm table: %zu scalars for a table of %zu bases", n,
                       t->n);
    return msm_run(err, out, t->pts, t->n, t->n_windows, opts && opts->window, scalars,
                   n, msm_clamp_threads(opts), t->c, scratch, scratch_size);
}

/* ------------------------------------------------ fixed-base batches */

/* Table of signed multiples: tab[w·h + j] = (j+1)·2^(c·w)·G for j < h =
 * 2^(c−1), w < W = ⌊254/c⌋ + 1.  Every k = Σ_w d_w·2^(cw) with Booth
 * digits d_w, so k·G = Σ_w sign(d_w)·tab[w·h + |d_w| − 1]: W − 1 additions
 * and no doublings per output (the fixed-base windowed method, e.g.
 * Handbook of Applied Cryptography, Algorithm 14.109, with signed digits).
 * The outputs are accumulated in affine form, one batch-affine round per
 * window over a chunk of outputs: the destinations are distinct, so no
 * conflicts arise. */
enum { FB_CHUNK = 2048 };

typedef struct fb_job {
    const tc_g1_affine *tab;     /* (W, h) */
    unsigned c, n_windows;
    const tc_fr *k;
    tc_g1_affine *out;
    size_t n;
    unsigned n_threads, id;
    uint64_t (*canon)[4];        /* (FB_CHUNK) */
    msm_add_op *ops;             /* (FB_CHUNK) */
    tc_fp *num, *den, *pref;     /* (FB_CHUNK) */
} fb_job;

/* The window minimising W·(n·adds + h·table entries), in multiplications. */
static unsigned fb_window(size_t n)
{
    unsigned best = 4;
    double best_cost = 0;
    for (unsigned c = 4; c <= 16; c++) {
        double cost = (double)(254 / c + 1) * ((double)n * 6.5 + (double)(1u << (c - 1)) * 20.0);
        if (c == 4 || cost < best_cost) {
            best = c;
            best_cost = cost;
        }
    }
    return best;
}

static void *fb_worker(void *arg)
{
    fb_job *j = arg;
    size_t h = (size_t)1 << (j->c - 1);
    size_t lo = j->n * j->id / j->n_threads, hi = j->n * (j->id + 1) / j->n_threads;
    for (size_t base = lo; base < hi; base += FB_CHUNK) {
        size_t m = hi - base < FB_CHUNK ? hi - base : FB_CHUNK;
        tc_g1_affine *out = j->out + base;
        for (size_t i = 0; i < m; i++) {
            tc_fr_to_limbs(j->canon[i], &j->k[base + i]);
            tc_fp_zero(&out[i].x);
            tc_fp_zero(&out[i].y);
            out[i].infinity = true;
        }
        for (unsigned w = 0; w < j->n_windows; w++) {
            size_t k = 0;
            for (size_t i = 0; i < m; i++) {
                int32_t d = msm_booth_digit(j->canon[i], w, j->c);
                if (d == 0)
                    continue;
                const tc_g1_affine *q = &j->tab[(size_t)w * h + (size_t)(d < 0 ? -d : d) - 1];
                if (out[i].infinity) {
                    out[i].x = q->x;
                    msm_fp_cneg(&out[i].y, &q->y, d < 0);
                    out[i].infinity = false;
                } else {
                    __builtin_prefetch(q);
                    __builtin_prefetch((const uint8_t *)q + 64);
                    j->ops[k++] = (msm_add_op){&out[i], q, d < 0};
                }
            }
            msm_batch_add(j->ops, k, j->num, j->den, j->pref);
        }
        for (size_t i = 0; i < m; i++)
            TC_VERIFY_CHECK(out[i].infinity || tc_g1_affine_is_on_curve(&out[i]));
    }
    return NULL;
}

/* One row of the table, tab[j] = (j+1)·step for j < h, normalised with one
 * inversion; step becomes 2^c·step. */
static void fb_build_row(tc_g1_affine *tab, msm_xyzz *tmp, tc_fp *inv, tc_fp *inv_scr,
                         size_t h, msm_xyzz *step)
{
    tmp[0] = *step;
    for (size_t j = 1; j < h; j++) {
        tmp[j] = tmp[j - 1];
        msm_xyzz_add(&tmp[j], step);
    }
    msm_xyzz_dbl(step, &tmp[h - 1]);      /* 2·2^(c−1) = 2^c times */
    for (size_t i = 0; i < h; i++)
        tc_fp_mul(&inv[i], &tmp[i].zz, &tmp[i].zzz);
    tc_fp_batch_inv_var(inv, inv, h, inv_scr);
    for (size_t i = 0; i < h; i++) {
        if (msm_xyzz_is_inf(&tmp[i])) {   /* not for a point of order r */
            tc_fp_zero(&tab[i].x);
            tc_fp_zero(&tab[i].y);
            tab[i].infinity = true;
            continue;
        }
        tc_fp izz, izzz;
        tc_fp_mul(&izz, &inv[i], &tmp[i].zzz);
        tc_fp_mul(&izzz, &inv[i], &tmp[i].zz);
        tc_fp_mul(&tab[i].x, &tmp[i].x, &izz);
        tc_fp_mul(&tab[i].y, &tmp[i].y, &izzz);
        tab[i].infinity = false;
        TC_VERIFY_CHECK(tc_g1_affine_is_on_curve(&tab[i]));
    }
}

static void fb_free_jobs(fb_job *jobs, unsigned n)
{
    if (jobs == NULL)
        return;
    for (unsigned i = 0; i < n; i++) {
        free(jobs[i].canon);
        free(jobs[i].ops);
        free(jobs[i].num);
        free(jobs[i].den);
        free(jobs[i].pref);
    }
    free(jobs);
}

tc_status tc_g1_fixed_base_batch_var(tc_error *err, tc_g1_affine *out, const tc_g1_affine *base,
                                     const tc_fr *k, size_t n, unsigned n_threads)
{
    tc_status st = TC_OK;
    tc_g1_affine *tab = NULL;
    msm_xyzz *tmp = NULL;
    tc_fp *inv = NULL, *inv_scr = NULL;
    fb_job *jobs = NULL;
    if (n_threads == 0)
        n_threads = 1;
    if (n_threads > TC_MSM_MAX_THREADS)
        n_threads = TC_MSM_MAX_THREADS;
    if (n == 0)
        return TC_OK;
    if (base->infinity) {
        for (size_t i = 0; i < n; i++) {
            tc_fp_zero(&out[i].x);
            tc_fp_zero(&out[i].y);
            out[i].infinity = true;
        }
        return TC_OK;
    }
    unsigned c = fb_window(n), nw = 254 / c + 1;
    size_t h = (size_t)1 << (c - 1);
    tab = malloc((size_t)nw * h * sizeof *tab);
    tmp = malloc(h * sizeof *tmp);
    inv = malloc(h * sizeof *inv);
    inv_scr = malloc(h * sizeof *inv_scr);
    jobs = calloc(n_threads, sizeof *jobs);
    if (!tab || !tmp || !inv || !inv_scr || !jobs) {
        st = tc_fail(err, TC_ENOMEM, "fixed-base batch: cannot allocate the table");
        goto out;
    }
    msm_xyzz step;
    msm_xyzz_from_affine(&step, base);
    for (unsigned w = 0; w < nw; w++)
        fb_build_row(tab + (size_t)w * h, tmp, inv, inv_scr, h, &step);
    for (unsigned i = 0; i < n_threads; i++) {
        fb_job *j = &jobs[i];
        *j = (fb_job){tab, c, nw, k, out, n, n_threads, i, NULL, NULL, NULL, NULL, NULL};
        j->canon = malloc(FB_CHUNK * sizeof *j->canon);
        j->ops = malloc(FB_CHUNK * sizeof *j->ops);
        j->num = malloc(FB_CHUNK * sizeof *j->num);
        j->den = malloc(FB_CHUNK * sizeof *j->den);
        j->pref = malloc(FB_CHUNK * sizeof *j->pref);
        if (!j->canon || !j->ops || !j->num || !j->den || !j->pref) {
            st = tc_fail(err, TC_ENOMEM, "fixed-base batch: cannot allocate work buffers");
            goto out;
        }
    }
    tc_run_threads(fb_worker, jobs, sizeof *jobs, n_threads);
out:
    fb_free_jobs(jobs, n_threads);
    free(tab);
    free(tmp);
    free(inv);
    free(inv_scr);
    return st;
}
