/* G1 multi-scalar multiplication: scalar views and signed digits, window
 * choice, scratch layout, tasks and threads, the plain and the table MSM.
 * The algorithm and its references are in msm.h; the cost model in
 * docs/msm.md. */
#include "ec/msm_impl.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ec/msm_ifma.h"
#include "util/util.h"

/* --------------------------------------------------------- scalar view */

/* Magnitudes as limbs: Fr scalars converted once to canonical integers
 * (in scratch), integer scalars read in place with their signs. */
typedef struct msm_scalar_src {
    tc_scalar_kind kind;
    const uint64_t (*canon)[4];   /* (n) canonical Fr, when kind is FR */
    const int64_t *i64;           /* (n) */
    const tc_i128 *i128;          /* (n) */
} msm_scalar_src;

static unsigned bit_length(uint64_t hi_or, unsigned base)
{
    return hi_or ? base + 64 - (unsigned)__builtin_clzll(hi_or) : 0;
}

static unsigned kind_max_bits(tc_scalar_kind kind)
{
    return kind == TC_SCALAR_FR ? 254 : kind == TC_SCALAR_I64 ? 64 : 128;
}

/* Magnitude limbs and sign of scalar i. */
static inline void scalar_at(uint64_t m[4], bool *neg, const msm_scalar_src *s, size_t i)
{
    switch (s->kind) {
    case TC_SCALAR_FR:
        memcpy(m, s->canon[i], 32);
        *neg = false;
        return;
    case TC_SCALAR_I64: {
        int64_t v = s->i64[i];
        *neg = v < 0;
        m[0] = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        m[1] = m[2] = m[3] = 0;
        return;
    }
    case TC_SCALAR_I128: {
        tc_i128 v = s->i128[i];
        unsigned __int128 u = v < 0 ? 0 - (unsigned __int128)v : (unsigned __int128)v;
        *neg = v < 0;
        m[0] = (uint64_t)u;
        m[1] = (uint64_t)(u >> 64);
        m[2] = m[3] = 0;
        return;
    }
    }
}

/* Booth (signed) digit w of width c: with bits b_j of the magnitude and
 * b_{−1} = 0, d_w = Σ_{j<c} b_{wc+j}·2^j + b_{wc−1} − 2^c·b_{wc+c−1}, so
 * d_w ∈ [−2^(c−1), 2^(c−1)] and Σ_w d_w·2^(wc) = m as long as the top
 * window's last bit is zero, i.e. W = ⌊bits/c⌋ + 1 windows (Booth 1951;
 * the c+1 bits read overlap by one, so digits are independent). */
static inline int32_t booth_digit(const uint64_t m[4], unsigned w, unsigned c)
{
    uint64_t v;
    size_t start = (size_t)w * c;
    uint64_t mask = ((uint64_t)2 << c) - 1;     /* c + 1 bits */
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

/* ------------------------------------------------------- window choice */

static unsigned windows_for(unsigned bits, unsigned c) { return bits / c + 1; }

/* Tasks of the plain MSM.  With W windows on T threads, the first
 * W − (W mod T) windows are one task each and the last W mod T windows are
 * each split into T point chunks, so every thread gets the same work: whole
 * windows and one chunk of each leftover window, at the price of
 * (T − 1)·(W mod T) extra bucket reductions.  Task t < W − r is window t;
 * after that, tasks go window by window, chunk by chunk.  The split depends
 * only on W and T; the result does not depend on it. */
typedef struct msm_split { unsigned whole, split, parts, n_tasks; } msm_split;

static msm_split split_for(unsigned n_windows, unsigned n_threads)
{
    msm_split sp;
    unsigned r = n_threads > 1 ? n_windows % n_threads : 0;
    sp.whole = n_windows - r;
    sp.split = r;
    sp.parts = r ? n_threads : 1;
    sp.n_tasks = sp.whole + r * sp.parts;
    return sp;
}

/* Window, chunk and number of chunks of task t. */
static void task_of(const msm_split *sp, unsigned t, unsigned *w, unsigned *j, unsigned *p)
{
    if (t < sp->whole) {
        *w = t;
        *j = 0;
        *p = 1;
    } else {
        *w = sp->whole + (t - sp->whole) / sp->parts;
        *j = (t - sp->whole) % sp->parts;
        *p = sp->parts;
    }
}

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

/* Pass costs for one (model, n, n_threads), by window c and by the number
 * of bits left to the window (it reaches 2^left buckets; left = c − 1 for
 * every window but the top one, whose digits have bits − (W − 1)·c < c
 * bits plus the carry): whole windows over n points, and chunks over
 * n/n_threads.  They do not depend on the scalars' bit length, so one
 * table serves the choice for every bit length; entries are filled when
 * first needed (negative: not yet). */
typedef struct msm_cost_table {
    size_t n;
    unsigned n_threads;
    const msm_model *k;
    double pass[2][TC_MSM_MAX_WINDOW + 1][TC_MSM_MAX_WINDOW];   /* [chunk][c][left] */
} msm_cost_table;

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
static double plain_cost_of(msm_cost_table *ct, unsigned bits, unsigned c)
{
    unsigned nw = windows_for(bits, c), t_n = ct->n_threads;
    unsigned left = bits - (nw - 1) * c;
    if ((size_t)nw * ct->n < 2048)
        t_n = 1;                       /* msm_run stays on one thread */
    msm_split sp = split_for(nw, t_n);
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

static unsigned choose_window(msm_cost_table *ct, unsigned bits)
{
    unsigned best = 1;
    double best_cost = 0;
    for (unsigned c = 1; c <= TC_MSM_MAX_WINDOW; c++) {
        double t = plain_cost_of(ct, bits, c);
        if (c == 1 || t < best_cost) {
            best = c;
            best_cost = t;
        }
    }
    return best;
}

static const msm_model *model_for(bool ifma) { return ifma ? &MODEL_IFMA : &MODEL_SCALAR; }

/* The table of the kernel in use. */
static void cost_table_current(msm_cost_table *ct, size_t n, unsigned n_threads)
{
    cost_table_init(ct, model_for(msm_ifma_available()), n, n_threads);
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
static double table_cost(size_t n, unsigned bits, unsigned n_threads, unsigned c)
{
    const msm_model *k = model_for(msm_ifma_available());
    unsigned nw = windows_for(bits, c);
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
    return choose_window(&ct, bits ? bits : 1);
}

unsigned tc_msm_g1_window(size_t n, unsigned bits, unsigned n_threads)
{
    return tc_msm_g1_window_kernel(n, bits, n_threads, msm_ifma_available());
}

/* ----------------------------------------------------- scratch layout */

static size_t layout_total(unsigned c, unsigned n_tasks, unsigned n_threads, size_t canon_n)
{
    size_t total = 64;
    size_t canon;
    if (!tc_mul_size(&canon, canon_n, 32))
        return 0;
    total += msm_round_up(canon);
    total += msm_round_up((size_t)n_tasks * sizeof(msm_xyzz));
    size_t b;
    if (!tc_mul_size(&b, msm_buckets_bytes(c), n_threads))
        return 0;
    if (!tc_add_size(&total, total, b))
        return 0;
    return total;
}

static unsigned clamp_threads(const tc_msm_opts *o)
{
    unsigned t = o && o->n_threads ? o->n_threads : 1;
    return t > TC_MSM_MAX_THREADS ? TC_MSM_MAX_THREADS : t;
}

/* Scratch for a given window, worst case over what that window implies. */
static size_t scratch_for_window(size_t n, tc_scalar_kind kind, unsigned c, unsigned t)
{
    unsigned max_nw = windows_for(kind_max_bits(kind), c), tasks = 1;
    for (unsigned nw = 1; nw <= max_nw; nw++) {
        unsigned k = split_for(nw, t).n_tasks;
        if (k > tasks)
            tasks = k;
    }
    return layout_total(c, tasks, t, kind == TC_SCALAR_FR ? n : 0);
}

size_t tc_msm_g1_scratch_size(size_t n, tc_scalar_kind kind, const tc_msm_opts *opts)
{
    unsigned t = clamp_threads(opts);
    if (opts && opts->window)
        return opts->window <= TC_MSM_MAX_WINDOW ? scratch_for_window(n, kind, opts->window, t) : 0;
    /* the largest need over every bit length the automatic choice may see;
     * fewer windows need fewer task slots, so the maximum of each part */
    size_t best = 0;
    unsigned maxb = kind_max_bits(kind);
    msm_cost_table ct;
    cost_table_current(&ct, n, t);
    for (unsigned bits = 1; bits <= maxb; bits++) {
        unsigned c = choose_window(&ct, bits);
        size_t s = scratch_for_window(n, kind, c, t);
        if (s == 0)
            return 0;
        if (s > best)
            best = s;
    }
    return best;
}

/* ------------------------------------------------------ tasks, threads */

typedef struct msm_job {
    const tc_g1_affine *bases;   /* (n_windows·n) for a table, else (n) */
    size_t n;                    /* scalars */
    size_t stride;               /* distance between table copies, 0 if none */
    msm_scalar_src src;
    unsigned c, n_windows, n_tasks;
    msm_split split;             /* plain MSM: tasks ↔ (window, chunk) */
    unsigned n_chunks;           /* table: task j is chunk j of n_chunks */
    bool table;                  /* task j: chunk j over every window */
    msm_xyzz *results;           /* (n_tasks) */
    uint8_t *bucket_mem;         /* (n_threads · bucket_bytes) */
    size_t bucket_bytes;
    atomic_uint next;
} msm_job;

static void chunk_range(size_t *lo, size_t *hi, size_t n, unsigned j, unsigned p)
{
    *lo = n * j / p;
    *hi = n * (j + 1) / p;
}

static void accumulate(msm_buckets *b, const msm_job *job, unsigned w,
                       const tc_g1_affine *pts, size_t lo, size_t hi)
{
    uint64_t m[4];
    bool sneg = false;
    for (size_t i = lo; i < hi; i++) {
        if (i + 8 < hi)
            __builtin_prefetch(&pts[i + 8]);   /* 72-byte points: the line ahead */
        scalar_at(m, &sneg, &job->src, i);
        int32_t d = booth_digit(m, w, job->c);
        if (d == 0 || pts[i].infinity)   /* the base is read only when needed */
            continue;
        bool neg = (d < 0) != sneg;
        uint32_t j = (uint32_t)(d < 0 ? -d : d) - 1;
        msm_buckets_push(b, j, &pts[i], neg);
    }
}

static void run_task(msm_job *job, msm_buckets *b, unsigned t)
{
    size_t lo, hi;
    msm_buckets_clear(b);
    if (job->table) {
        chunk_range(&lo, &hi, job->n, t, job->n_chunks);
        for (unsigned w = 0; w < job->n_windows; w++)
            accumulate(b, job, w, job->bases + (size_t)w * job->stride, lo, hi);
    } else {
        unsigned w, j, p;
        task_of(&job->split, t, &w, &j, &p);
        chunk_range(&lo, &hi, job->n, j, p);
        accumulate(b, job, w, job->bases, lo, hi);
    }
    msm_buckets_flush(b);
    msm_buckets_reduce(&job->results[t], b);
}

typedef struct msm_worker { msm_job *job; unsigned id; } msm_worker;

static void *worker_main(void *arg)
{
    msm_worker *wk = arg;
    msm_job *job = wk->job;
    msm_buckets b;
    msm_buckets_carve(&b, job->c, job->bucket_mem + (size_t)wk->id * job->bucket_bytes);
    for (;;) {
        unsigned t = atomic_fetch_add(&job->next, 1);
        if (t >= job->n_tasks)
            break;
        run_task(job, &b, t);
    }
    return NULL;
}

/* Runs every task on up to n_threads threads (the caller included).  If a
 * thread cannot be started the others take its tasks: the result is the
 * same. */
static void run_tasks(msm_job *job, unsigned n_threads)
{
    msm_worker wk[TC_MSM_MAX_THREADS];
    atomic_init(&job->next, 0);
    for (unsigned i = 0; i < n_threads; i++)
        wk[i] = (msm_worker){job, i};
    tc_run_threads(worker_main, wk, sizeof wk[0], n_threads);
}

/* Σ_w 2^(cw)·(Σ_j chunk sums of window w), Horner from the top window;
 * fixed order. */
static void combine_windows(msm_xyzz *r, const msm_job *job)
{
    const msm_split *sp = &job->split;
    msm_xyzz acc;
    msm_xyzz_set_inf(&acc);
    for (unsigned w = job->n_windows; w-- > 0;) {
        if (w + 1 < job->n_windows)
            for (unsigned k = 0; k < job->c; k++)
                msm_xyzz_dbl(&acc, &acc);
        if (w < sp->whole) {
            msm_xyzz_add(&acc, &job->results[w]);
            continue;
        }
        size_t first = sp->whole + (size_t)(w - sp->whole) * sp->parts;
        for (unsigned j = 0; j < sp->parts; j++)
            msm_xyzz_add(&acc, &job->results[first + j]);
    }
    *r = acc;
}

/* Reads the scalars once: canonical Fr limbs into `canon`, and the largest
 * bit length present. */
static tc_status prepare_scalars(tc_error *err, msm_scalar_src *src, unsigned *bits,
                                 tc_scalars s, size_t n, uint64_t (*canon)[4])
{
    uint64_t acc[4] = {0, 0, 0, 0};
    src->kind = s.kind;
    switch (s.kind) {
    case TC_SCALAR_FR:
        for (size_t i = 0; i < n; i++) {
            tc_fr_to_limbs(canon[i], &s.v.fr[i]);
            for (int l = 0; l < 4; l++)
                acc[l] |= canon[i][l];
        }
        src->canon = (const uint64_t(*)[4])canon;
        break;
    case TC_SCALAR_I64:
        for (size_t i = 0; i < n; i++) {
            int64_t v = s.v.i64[i];
            acc[0] |= v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        }
        src->i64 = s.v.i64;
        break;
    case TC_SCALAR_I128:
        for (size_t i = 0; i < n; i++) {
            tc_i128 v = s.v.i128[i];
            unsigned __int128 u = v < 0 ? 0 - (unsigned __int128)v : (unsigned __int128)v;
            acc[0] |= (uint64_t)u;
            acc[1] |= (uint64_t)(u >> 64);
        }
        src->i128 = s.v.i128;
        break;
    default:
        return tc_fail(err, TC_EARG, "msm: unknown scalar kind %d", (int)s.kind);
    }
    *bits = 0;
    for (unsigned l = 4; l-- > 0;)
        if (acc[l]) {
            *bits = bit_length(acc[l], 64 * l);
            break;
        }
    return TC_OK;
}

/* Shared driver of the plain and the table MSM. */
static tc_status msm_run(tc_error *err, tc_g1 *out, const tc_g1_affine *pts, size_t stride,
                         unsigned table_windows, bool table_always, tc_scalars scalars,
                         size_t n, unsigned n_threads, unsigned forced_c, void *scratch,
                         size_t scratch_size)
{
    if (n_threads > TC_MSM_MAX_THREADS)
        n_threads = TC_MSM_MAX_THREADS;
    if (n_threads == 0)
        n_threads = 1;
    if (forced_c > TC_MSM_MAX_WINDOW)
        return tc_fail(err, TC_EARG, "msm: window %u out of range 1..%u", forced_c,
                       TC_MSM_MAX_WINDOW);
    if (n > 0 && (pts == NULL || scratch == NULL))
        return tc_fail(err, TC_EARG, "msm: NULL bases or scratch with n = %zu", n);
    msm_arena arena = {(uint8_t *)scratch, scratch_size, 0};
    uint64_t(*canon)[4] = NULL;
    if (scalars.kind == TC_SCALAR_FR && n > 0) {
        canon = msm_arena_take(&arena, n * 32);
        if (canon == NULL)
            goto small;
    }
    msm_job job;
    memset(&job, 0, sizeof job);
    unsigned bits;
    tc_status st = prepare_scalars(err, &job.src, &bits, scalars, n, canon);
    if (st != TC_OK)
        return st;
    if (n == 0 || bits == 0) {
        tc_g1_set_infinity(out);
        return TC_OK;
    }
    job.bases = pts;
    job.n = n;
    job.stride = stride;
    /* the table when it covers the scalars and the model does not expect the
     * plain MSM with its own window to be faster (e.g. 16-bit scalars on a
     * table built with a 14-bit window: two table passes against one
     * 17-bit window) */
    msm_cost_table ct;
    cost_table_current(&ct, n, n_threads);
    unsigned c_auto = choose_window(&ct, bits);
    if (table_windows && windows_for(bits, forced_c) <= table_windows &&
        (table_always ||
         table_cost(n, bits, n_threads, forced_c) <= plain_cost_of(&ct, bits, c_auto))) {
        job.table = true;
        job.c = forced_c;
        job.n_windows = windows_for(bits, forced_c);
        job.n_chunks = n_threads < n ? n_threads : (unsigned)n;
        job.n_tasks = job.n_chunks;
    } else {
        unsigned c_plain = table_windows ? 0 : forced_c;   /* table too narrow: plain MSM */
        job.c = c_plain ? c_plain : c_auto;
        job.n_windows = windows_for(bits, job.c);
        job.split = split_for(job.n_windows, n_threads);
        job.n_tasks = job.split.n_tasks;
    }
    unsigned th = n_threads < job.n_tasks ? n_threads : job.n_tasks;
    if ((size_t)job.n_windows * n < 2048)
        th = 1;   /* less work than starting a thread (~50 µs); same result */
    job.results = msm_arena_take(&arena, (size_t)job.n_tasks * sizeof(msm_xyzz));
    job.bucket_bytes = msm_round_up(msm_buckets_bytes(job.c));
    job.bucket_mem = job.results ? msm_arena_take(&arena, (size_t)th * job.bucket_bytes) : NULL;
    if (job.bucket_mem == NULL)
        goto small;
    run_tasks(&job, th);
    msm_xyzz r;
    if (job.table) {
        msm_xyzz_set_inf(&r);
        for (unsigned j = 0; j < job.n_chunks; j++)
            msm_xyzz_add(&r, &job.results[j]);
    } else {
        combine_windows(&r, &job);
    }
    msm_xyzz_to_g1(out, &r);
    return TC_OK;
small:
    return tc_fail(err, TC_EARG, "msm: scratch of %zu bytes is too small for n = %zu",
                   scratch_size, n);
}

tc_status tc_msm_g1(tc_error *err, tc_g1 *out, const tc_g1_affine *bases, tc_scalars scalars,
                    size_t n, const tc_msm_opts *opts, void *scratch, size_t scratch_size)
{
    return msm_run(err, out, bases, 0, 0, false, scalars, n, clamp_threads(opts),
                   opts ? opts->window : 0, scratch, scratch_size);
}

/* ------------------------------------------------------- fixed bases */

size_t tc_msm_table_bytes(size_t n, unsigned c, unsigned max_bits)
{
    if (c == 0 || c > TC_MSM_MAX_WINDOW)
        return 0;
    size_t r;
    if (!tc_mul_size(&r, n, (size_t)windows_for(max_bits, c) * sizeof(tc_g1_affine)))
        return 0;
    return r;
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
        double t = table_cost(n, max_bits, 1, c);
        if (max_bits > 1) {
            double t1 = table_cost(n, max_bits - 1, 1, c);
            t = t1 > t ? t1 : t;
        }
        if (c == 1 || t < best_cost) {
            best = c;
            best_cost = t;
        }
    }
    return best;
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
    t->n_windows = windows_for(max_bits, c);
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
    tc_msm_opts o = {clamp_threads(opts), 0};
    size_t plain = tc_msm_g1_scratch_size(n, kind, &o);
    unsigned th = o.n_threads;
    size_t tab = layout_total(t->c, th, th, kind == TC_SCALAR_FR ? n : 0);
    if (plain == 0 || tab == 0)
        return 0;
    return plain > tab ? plain : tab;
}

tc_status tc_msm_g1_table(tc_error *err, tc_g1 *out, const tc_msm_table *t, tc_scalars scalars,
                          size_t n, const tc_msm_opts *opts, void *scratch, size_t scratch_size)
{
    if (n > t->n)
        return tc_fail(err, TC_EARG, "msm table: %zu scalars for a table of %zu bases", n,
                       t->n);
    return msm_run(err, out, t->pts, t->n, t->n_windows, opts && opts->window, scalars,
                   n, clamp_threads(opts), t->c, scratch, scratch_size);
}

bool tc_msm_uses_ifma(void)
{
    return msm_ifma_available();
}
