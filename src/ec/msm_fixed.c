/* Fixed-base batch generation (setup), the small G2 MSM, and the slow
 * reference MSM used by tests. */
#include "ec/msm_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* --------------------------------------------------------- reference */

void tc_msm_g1_ref(tc_g1 *out, const tc_g1_affine *bases, tc_scalars s, size_t n)
{
    tc_g1 acc, p, t;
    tc_g1_set_infinity(&acc);
    for (size_t i = 0; i < n; i++) {
        tc_fr k;
        bool neg = false;
        switch (s.kind) {
        case TC_SCALAR_FR:
            k = s.v.fr[i];
            break;
        case TC_SCALAR_I64: {
            int64_t v = s.v.i64[i];
            uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            uint64_t l[4] = {m, 0, 0, 0};
            neg = v < 0;
            (void)tc_fr_from_limbs(&k, l);   /* < 2^64 < r */
            break;
        }
        case TC_SCALAR_I128: {
            tc_i128 v = s.v.i128[i];
            unsigned __int128 m = v < 0 ? 0 - (unsigned __int128)v : (unsigned __int128)v;
            uint64_t l[4] = {(uint64_t)m, (uint64_t)(m >> 64), 0, 0};
            neg = v < 0;
            (void)tc_fr_from_limbs(&k, l);
            break;
        }
        default:
            tc_fr_zero(&k);
        }
        tc_g1_from_affine(&p, &bases[i]);
        tc_g1_mul_ref(&t, &p, &k);
        if (neg)
            tc_g1_neg(&t, &t);
        tc_g1_add(&acc, &acc, &t);
    }
    *out = acc;
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

static int32_t fb_digit(const uint64_t m[4], unsigned w, unsigned c)
{
    size_t start = (size_t)w * c;
    uint64_t v, mask = ((uint64_t)2 << c) - 1;
    if (start == 0) {
        v = (m[0] << 1) & mask;
    } else {
        size_t s = start - 1, idx = s >> 6;
        unsigned sh = (unsigned)(s & 63);
        v = m[idx] >> sh;
        if (sh + c + 1 > 64 && idx + 1 < 4)
            v |= m[idx + 1] << (64 - sh);
        v &= mask;
    }
    return (int32_t)((v + 1) >> 1) - (int32_t)(((v >> c) & 1) << c);
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
                int32_t d = fb_digit(j->canon[i], w, j->c);
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
    tc_fp_batch_inv(inv, inv, h, inv_scr);
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

tc_status tc_g1_fixed_base_batch(tc_error *err, tc_g1_affine *out, const tc_g1_affine *base,
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

/* ------------------------------------------------------------- G2 */

/* Unsigned windows of c bits, Jacobian buckets over Fp2 with mixed
 * additions, running-sum reduction; for the handful of points in a
 * verification key or a ceremony transcript. */
static unsigned g2_window(size_t n)
{
    unsigned c = 1;
    while (c < 12 && ((size_t)1 << (c + 2)) < n)
        c++;
    return n < 4 ? 1 : c;
}

size_t tc_msm_g2_scratch_size(size_t n)
{
    size_t a, b;
    if (!tc_mul_size(&a, n, 32))
        return 0;
    b = ((size_t)1 << g2_window(n)) * sizeof(tc_g2) + 192;   /* + alignment */
    return tc_add_size(&a, a, b) ? a : 0;
}

static unsigned g2_bits(const uint64_t m[4], unsigned pos, unsigned c)
{
    unsigned idx = pos >> 6, sh = pos & 63;
    uint64_t v = m[idx] >> sh;
    if (sh + c > 64 && idx + 1 < 4)
        v |= m[idx + 1] << (64 - sh);
    return (unsigned)(v & (((uint64_t)1 << c) - 1));
}

tc_status tc_msm_g2(tc_error *err, tc_g2 *out, const tc_g2_affine *bases, const tc_fr *k,
                    size_t n, void *scratch, size_t scratch_size)
{
    if (n == 0) {
        tc_g2_set_infinity(out);
        return TC_OK;
    }
    if (scratch == NULL || scratch_size < tc_msm_g2_scratch_size(n))
        return tc_fail(err, TC_EARG, "msm g2: scratch of %zu bytes is too small for n = %zu",
                       scratch_size, n);
    msm_arena arena = {(uint8_t *)scratch, scratch_size, 0};
    unsigned c = g2_window(n);
    size_t nb = (size_t)1 << c;     /* buckets 1..2^c − 1 use slots 1.. */
    uint64_t(*canon)[4] = msm_arena_take(&arena, n * 32);
    tc_g2 *bk = msm_arena_take(&arena, nb * sizeof(tc_g2));
    if (canon == NULL || bk == NULL)
        return tc_fail(err, TC_EINTERNAL, "msm g2: scratch layout");
    for (size_t i = 0; i < n; i++)
        tc_fr_to_limbs(canon[i], &k[i]);
    unsigned nw = (254 + c - 1) / c;
    tc_g2 acc, run, sum;
    tc_g2_set_infinity(&acc);
    for (unsigned w = nw; w-- > 0;) {
        for (unsigned d = 0; d < c; d++)
            tc_g2_dbl(&acc, &acc);
        for (size_t j = 0; j < nb; j++)
            tc_g2_set_infinity(&bk[j]);
        for (size_t i = 0; i < n; i++) {
            unsigned d = g2_bits(canon[i], w * c, c);
            if (d != 0 && !bases[i].infinity)
                tc_g2_add_affine(&bk[d], &bk[d], &bases[i]);
        }
        tc_g2_set_infinity(&run);
        tc_g2_set_infinity(&sum);
        for (size_t j = nb; j-- > 1;) {
            tc_g2_add(&run, &run, &bk[j]);
            tc_g2_add(&sum, &sum, &run);
        }
        tc_g2_add(&acc, &acc, &sum);
    }
    *out = acc;
    return TC_OK;
}
