/* The window model of the G1 MSM: modelled time of a bucket pass by window
 * and kernel, the automatic window of the plain MSM and the window of a
 * fixed-base table (docs/msm.md, "Window choice"). */
#include "ec/msm_impl.h"

#include <math.h>

/* The window model: modelled time, in ns on the reference machine (a
 * 2-core x86-64 Xeon with AVX-512 IFMA, 2 MiB L2 per core), of one bucket
 * pass, with one set of figures per batch-addition kernel.  The figures are
 * a least-squares fit (relative error, non-negative) to the plain MSM timed
 * on one thread with every window forced (bench_msm --windows), n = 2^10,
 * 2^12, ..., 2^20, 254-, 40- and 16-bit scalars, 156 timings per kernel
 * (docs/msm.md, "Window choice").  Only their ratios matter.
 *   add_xyzz     a mixed XYZZ addition into a bucket (c < 10, and windows
 *                whose few live buckets collide so often that the deferred
 *                additions go to the XYZZ parts)
 *   add_batch    a batch-affine addition, by c (batch sizes, and cache:
 *                the affine buckets outgrow L2 at c = 16)
 *   add_crowded  a batch-affine addition in a window with fewer than
 *                2·cap live buckets (short rounds, many deferrals)
 *   red_serial   a live bucket in the serial XYZZ reduction (c < 10)
 *   red_step     an addition in the lock-step reduction (c ≥ 10): about
 *                one per live bucket and one per non-empty bucket
 *   step         a lock-step step (its batches' inversions)
 *   scan         reading a point for a window once the points outgrow L2
 *                (n·72 bytes > 4 MiB)
 *   bucket       a bucket of the set (clearing, the state scans)
 *   task         a task (set-up, the window's result)
 *   thread_*     the extra wall time of running on more than one thread
 *                (start, join; with IFMA, batch-affine windows pay ~0.1 ms
 *                more: the other core's vector unit warming up), from
 *                the same sweep on two threads
 * Doublings (c per window, serial) are ~150 ns with either kernel.  The
 * batch figures for c = 15..17 and add_crowded and thread_* were then
 * adjusted by hand (within ~25 %) to minimise the loss of the chosen window
 * against the fastest measured one over the one- and two-thread sweeps. */
typedef struct msm_model {
    double add_xyzz, add_batch[8], add_crowded;   /* add_batch[c − 10] */
    double red_serial, red_step, step, scan, bucket, task;
    double thread_batch, thread_xyzz;             /* start-up with T > 1 */
} msm_model;

/* AVX-512 IFMA batch kernel (msm_ifma.c): a batch-affine addition is
 * ~2.6 times cheaper than a mixed XYZZ one. */
static const msm_model MODEL_IFMA = {
    160, {61, 60, 60, 58, 58, 56, 61, 68}, 140, 416, 58, 1990, 1.7, 0, 0, 130000, 40000,
};
/* Scalar batch kernel (TC_NO_IFMA=1, or no IFMA): ~1.3 times cheaper. */
static const msm_model MODEL_SCALAR = {
    170, {126, 128, 126, 129, 129, 133, 140, 143}, 156, 505, 121, 1425, 2.1, 14, 14800, 60000,
    60000,
};
enum { MODEL_DBL_NS = 150 };

/* Batch capacity and lock-step segments of a bucket set for window c, as
 * msm_core.c sets them (batch_cap, reduce_segments). */
static double model_cap(unsigned c)
{
    double nb = (double)((size_t)1 << (c - 1));
    return c < 10 ? 0 : nb / 4 < 1024 ? nb / 4 : 1024;
}

static double model_steps(unsigned c)
{
    size_t nb = (size_t)1 << (c - 1), k = (size_t)model_cap(c) / 2;
    while (k > 1 && nb / k < 16)
        k /= 2;
    return (double)(nb / k + 1);
}

/* Additions of m (point, digit) pairs into a set for window c of which
 * `live` buckets can be hit, and (*filled) the buckets they fill: the first
 * pair that hits a bucket is a copy, not an addition. */
static double adds_cost(const msm_model *k, double m, unsigned c, double live, double *filled)
{
    double cap = model_cap(c);
    double nz = m * (1.0 - 1.0 / (2.0 * live + 1.0));     /* nonzero digits */
    *filled = live * (1.0 - exp(-nz / live));
    double per = c < 10 || live < cap / 2 ? k->add_xyzz
                 : live < 2 * cap         ? k->add_crowded
                                          : k->add_batch[c - 10];
    return (nz - *filled) * per;
}

/* The reduction of a set with `live` reachable and `filled` non-empty
 * buckets. */
static double reduce_cost(const msm_model *k, unsigned c, double live, double filled)
{
    if (c < 10)
        return live * k->red_serial;
    return (live + filled) * k->red_step + model_steps(c) * k->step;
}

/* Per-task overheads of a pass of m pairs over n_total points. */
static double pass_overhead(const msm_model *k, double m, double n_total, unsigned c)
{
    double nb = (double)((size_t)1 << (c - 1));
    return k->task + nb * k->bucket + (n_total * 72.0 > 4194304.0 ? m * k->scan : 0);
}

/* One bucket pass: m pairs of n_total points into a set for window c of
 * which `live` buckets can be hit (digits of a window with fewer than c
 * bits left reach only 2^bits_left buckets). */
static double pass_cost(const msm_model *k, double m, double n_total, unsigned c, double live)
{
    double filled;
    double t = pass_overhead(k, m, n_total, c) + adds_cost(k, m, c, live, &filled);
    return t + reduce_cost(k, c, live, filled);
}

static void cost_table_init(msm_cost_table *ct, const msm_model *k, size_t n,
                            unsigned n_threads)
{
    ct->n = n ? n : 1;
    ct->n_threads = n_threads == 0 ? 1
                    : n_threads > TC_MSM_MAX_THREADS ? TC_MSM_MAX_THREADS
                                                     : n_threads;
    ct->k = k;
    for (unsigned h = 0; h < 2; h++)
        for (unsigned c = 0; c <= TC_MSM_MAX_WINDOW; c++)
            for (unsigned left = 0; left < TC_MSM_MAX_WINDOW; left++)
                ct->pass[h][c][left] = -1;
}

static double pass_of(msm_cost_table *ct, bool chunk, unsigned c, unsigned left)
{
    double *v = &ct->pass[chunk][c][left];
    if (*v < 0) {
        double dn = (double)ct->n;
        *v = pass_cost(ct->k, chunk ? dn / ct->n_threads : dn, dn, c,
                       (double)((size_t)1 << left));
    }
    return *v;
}

/* Modelled time of the plain MSM with window c.  The whole windows go to
 * the threads in rounds of n_threads (a round lasts as long as its dearest
 * window: the top window is in the last), then every thread does one chunk
 * of each leftover window; plus a start-up cost on more than one thread
 * and the serial doublings. */
double msm_plain_cost(msm_cost_table *ct, unsigned bits, unsigned c)
{
    unsigned nw = msm_windows_for(bits, c), t_n = ct->n_threads;
    unsigned left = bits - (nw - 1) * c;
    if ((size_t)nw * ct->n < 2048)
        t_n = 1;                       /* msm_run stays on one thread */
    msm_split sp = msm_split_for(nw, t_n);
    double full = nw > 1 ? pass_of(ct, false, c, c - 1) : 0, t;
    if (sp.split == 0) {
        unsigned rounds = (nw + t_n - 1) / t_n, last = nw - (rounds - 1) * t_n;
        double top = pass_of(ct, false, c, left);
        t = (rounds - 1) * full + (last > 1 && full > top ? full : top);
    } else {
        t = (double)(sp.whole / t_n) * full + pass_of(ct, true, c, left) +
            (sp.split > 1 ? (sp.split - 1) * pass_of(ct, true, c, c - 1) : 0);
    }
    if (t_n > 1)
        t += c >= 10 ? ct->k->thread_batch : ct->k->thread_xyzz;
    return t + (double)nw * c * MODEL_DBL_NS;
}

unsigned msm_choose_window(msm_cost_table *ct, unsigned bits)
{
    unsigned best = 1;
    double best_cost = 0;
    for (unsigned c = 1; c <= TC_MSM_MAX_WINDOW; c++) {
        double t = msm_plain_cost(ct, bits, c);
        if (c == 1 || t < best_cost) {
            best = c;
            best_cost = t;
        }
    }
    return best;
}

static const msm_model *model_for(bool ifma) { return ifma ? &MODEL_IFMA : &MODEL_SCALAR; }

/* The table of the kernel in use. */
void msm_cost_table_current(msm_cost_table *ct, size_t n, unsigned n_threads)
{
    cost_table_init(ct, model_for(tc_cpu.ifma != 0), n, n_threads);
}

/* Buckets the top window of n_windows can hit: 2^(bits − (n_windows − 1)·c). */
static double top_live_buckets(unsigned bits, unsigned c, unsigned n_windows)
{
    return (double)((size_t)1 << (bits - (n_windows - 1) * c));
}

/* Modelled time of the table MSM: each thread puts a chunk of the points,
 * every window, into one bucket set and reduces it once.  The top window's
 * pairs reach fewer buckets (40-bit scalars on a c = 15 table: 1024 of
 * 16384, a third of every batch on them: crowded), so they are costed on
 * their own. */
double msm_table_cost(size_t n, unsigned bits, unsigned n_threads, unsigned c)
{
    const msm_model *k = model_for(tc_cpu.ifma != 0);
    unsigned nw = msm_windows_for(bits, c);
    double m = (double)n / n_threads, nb = (double)((size_t)1 << (c - 1));
    double f_full = 0, f_top;
    double t = pass_overhead(k, m * nw, (double)n * nw, c);
    if (nw > 1)
        t += adds_cost(k, m * (nw - 1), c, nb, &f_full);
    t += adds_cost(k, m, c, top_live_buckets(bits, c, nw), &f_top);
    t += reduce_cost(k, c, nb, f_full + f_top < nb ? f_full + f_top : nb);
    if (n_threads > 1)
        t += c >= 10 ? k->thread_batch : k->thread_xyzz;
    return t;
}

unsigned tc_msm_g1_window_kernel(size_t n, unsigned bits, unsigned n_threads, bool ifma)
{
    msm_cost_table ct;
    cost_table_init(&ct, model_for(ifma), n, n_threads);
    return msm_choose_window(&ct, bits ? bits : 1);
}

unsigned tc_msm_g1_window(size_t n, unsigned bits, unsigned n_threads)
{
    return tc_msm_g1_window_kernel(n, bits, n_threads, tc_cpu.ifma != 0);
}

unsigned tc_msm_table_window(size_t n, unsigned max_bits)
{
    /* all windows share one bucket set: one pass of W·n pairs.  The
     * scalars are the table's max_bits or a little narrower, whose top
     * window can be much more crowded (41-bit table, c = 15: 40-bit
     * scalars reach 1024 buckets in it, 41-bit ones 2048), so the window
     * is costed for both and the dearer counts */
    unsigned best = 1;
    double best_cost = 0;
    for (unsigned c = 1; c <= TC_MSM_MAX_WINDOW; c++) {
        double t = msm_table_cost(n, max_bits, 1, c);
        if (max_bits > 1) {
            double t1 = msm_table_cost(n, max_bits - 1, 1, c);
            t = t1 > t ? t1 : t;
        }
        if (c == 1 || t < best_cost) {
            best = c;
            best_cost = t;
        }
    }
    return best;
}
