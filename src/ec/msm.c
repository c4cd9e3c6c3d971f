/* G1 multi-scalar multiplication: scalar views, scratch layout, tasks and
 * threads, and the driver shared by the plain and the table MSM.  The
 * algorithm and its references are in msm.h; the window model is
 * msm_window.c, the table MSM msm_table.c. */
#include "ec/msm_impl.h"

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

/* ------------------------------------------------------- window choice */

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

/* ----------------------------------------------------- scratch layout */

size_t msm_layout_total(unsigned c, unsigned n_tasks, unsigned n_threads, size_t canon_n)
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

unsigned msm_clamp_threads(const tc_msm_opts *o)
{
    unsigned t = o && o->n_threads ? o->n_threads : 1;
    return t > TC_MSM_MAX_THREADS ? TC_MSM_MAX_THREADS : t;
}

/* Scratch for a given window, worst case over what that window implies. */
static size_t scratch_for_window(size_t n, tc_scalar_kind kind, unsigned c, unsigned t)
{
    unsigned max_nw = msm_windows_for(kind_max_bits(kind), c), tasks = 1;
    for (unsigned nw = 1; nw <= max_nw; nw++) {
        unsigned k = msm_split_for(nw, t).n_tasks;
        if (k > tasks)
            tasks = k;
    }
    return msm_layout_total(c, tasks, t, kind == TC_SCALAR_FR ? n : 0);
}

size_t tc_msm_g1_scratch_size(size_t n, tc_scalar_kind kind, const tc_msm_opts *opts)
{
    unsigned t = msm_clamp_threads(opts);
    if (opts && opts->window)
        return opts->window <= TC_MSM_MAX_WINDOW ? scratch_for_window(n, kind, opts->window, t) : 0;
    /* the largest need over every bit length the automatic choice may see;
     * fewer windows need fewer task slots, so the maximum of each part */
    size_t best = 0;
    unsigned maxb = kind_max_bits(kind);
    msm_cost_table ct;
    msm_cost_table_current(&ct, n, t);
    for (unsigned bits = 1; bits <= maxb; bits++) {
        unsigned c = msm_choose_window(&ct, bits);
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
        int32_t d = msm_booth_digit(m, w, job->c);
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

/* Shared driver of the plain and the table MSM (msm_impl.h). */
tc_status msm_run(tc_error *err, tc_g1 *out, const tc_g1_affine *pts, size_t stride,
                  unsigned table_windows, bool table_always, tc_scalars scalars, size_t n,
                  unsigned n_threads, unsigned forced_c, void *scratch, size_t scratch_size)
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
    msm_cost_table_current(&ct, n, n_threads);
    unsigned c_auto = msm_choose_window(&ct, bits);
    if (table_windows && msm_windows_for(bits, forced_c) <= table_windows &&
        (table_always ||
         msm_table_cost(n, bits, n_threads, forced_c) <= msm_plain_cost(&ct, bits, c_auto))) {
        job.table = true;
        job.c = forced_c;
        job.n_windows = msm_windows_for(bits, forced_c);
        job.n_chunks = n_threads < n ? n_threads : (unsigned)n;
        job.n_tasks = job.n_chunks;
    } else {
        unsigned c_plain = table_windows ? 0 : forced_c;   /* table too narrow: plain MSM */
        job.c = c_plain ? c_plain : c_auto;
        job.n_windows = msm_windows_for(bits, job.c);
        job.split = msm_split_for(job.n_windows, n_threads);
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

tc_status tc_msm_g1_var(tc_error *err, tc_g1 *out, const tc_g1_affine *bases, tc_scalars scalars,
                        size_t n, const tc_msm_opts *opts, void *scratch, size_t scratch_size)
{
    return msm_run(err, out, bases, 0, 0, false, scalars, n, msm_clamp_threads(opts),
                   opts ? opts->window : 0, scratch, scratch_size);
}

bool tc_msm_uses_ifma(void)
{
    return tc_cpu.ifma != 0;
}
