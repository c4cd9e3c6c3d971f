/* Thread pool: condition variables plus a bounded spin (see pool.h). */
#include "model/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* About 0.1-0.5 ms of pause instructions before blocking: enough to catch the
 * next kernel of a decoding step, short enough not to steal a core from
 * OpenBLAS during prefill. */
enum { SPIN_ITERS = 3000 };

typedef struct worker {
    struct tc_pool *pool;
    int index;
    pthread_t thread;
} worker;

struct tc_pool {
    int n_threads;
    worker *workers;              /* (n_threads - 1) */
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    atomic_uint_fast64_t generation;
    atomic_int pending;
    atomic_size_t next;           /* next chunk of the current job */
    bool stop;
    /* the current job */
    tc_pool_fn fn;
    void *ctx;
    size_t n, align;
};

/* The job's items go out in chunks from a shared counter: a thread that
 * finishes early (the caller, who needs no wake-up, or a core that reads
 * memory faster) takes more of them, so no thread idles at the end of a
 * step.  About CHUNKS_PER_THREAD chunks per thread, each a multiple of
 * `align` items but the last.  Which thread runs a chunk never changes a
 * result: every item is computed by one call, whatever its range. */
enum { CHUNKS_PER_THREAD = 8 };

static void run_chunks(tc_pool *p)
{
    size_t units = (p->n + p->align - 1) / p->align;
    size_t n_chunks = (size_t)p->n_threads * CHUNKS_PER_THREAD;
    if (n_chunks > units)
        n_chunks = units;
    for (;;) {
        size_t c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (c >= n_chunks)
            return;
        size_t b = units * c / n_chunks * p->align, e = units * (c + 1) / n_chunks * p->align;
        p->fn(p->ctx, b, e < p->n ? e : p->n);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    tc_pool *p = w->pool;
    uint64_t seen = 0;
    for (;;) {
        uint64_t g = 0;
        for (int s = 0; s < SPIN_ITERS; s++) {
            g = atomic_load_explicit(&p->generation, memory_order_acquire);
            if (g != seen)
                break;
            cpu_relax();
        }
        if (g == seen) {
            pthread_mutex_lock(&p->mu);
            while (!p->stop && atomic_load(&p->generation) == seen)
                pthread_cond_wait(&p->wake, &p->mu);
            bool stop = p->stop;
            g = atomic_load(&p->generation);
            pthread_mutex_unlock(&p->mu);
            if (stop)
                return NULL;
        }
        seen = g;
        run_chunks(p);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

tc_status tc_pool_new(tc_error *err, tc_pool **out, int n_threads)
{
    *out = NULL;
    if (n_threads < 1 || n_threads > 256)
        return tc_fail(err, TC_EARG, "thread count %d outside 1..256", n_threads);
    tc_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for the thread pool");
    p->n_threads = n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->generation, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->next, 0);
    p->align = 1;
    if (n_threads > 1) {
        p->workers = calloc((size_t)n_threads - 1, sizeof *p->workers);
        if (p->workers == NULL) {
            tc_pool_free(p);
            return tc_fail(err, TC_ENOMEM, "out of memory for the thread pool");
        }
        for (int i = 0; i < n_threads - 1; i++) {
            p->workers[i].pool = p;
            p->workers[i].index = i + 1;
            if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
                p->n_threads = i + 1; /* join only those started */
                tc_pool_free(p);
                return tc_fail(err, TC_EINTERNAL, "cannot start thread %d", i + 1);
            }
        }
    }
    *out = p;
    return TC_OK;
}

void tc_pool_free(tc_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i + 1 < p->n_threads; i++)
        pthread_join(p->workers[i].thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p->workers);
    free(p);
}

int tc_pool_threads(const tc_pool *p)
{
    return p->n_threads;
}

void tc_pool_run(tc_pool *p, tc_pool_fn fn, void *ctx, size_t n, size_t align)
{
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->align = align ? align : 1;
    if (p->n_threads == 1 || n == 0) {
        if (n)
            fn(ctx, 0, n);
        return;
    }
    atomic_store(&p->pending, p->n_threads - 1);
    atomic_store(&p->next, 0);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    run_chunks(p);
    for (int s = 0; s < SPIN_ITERS && atomic_load_explicit(&p->pending, memory_order_acquire); s++)
        cpu_relax();
    if (atomic_load_explicit(&p->pending, memory_order_acquire)) {
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&p->pending) != 0)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}
