/* A small thread pool for the engine's own kernels.  Workers block on a
 * condition variable after a short bounded spin, so they never compete with
 * OpenBLAS's threads during prefill.  Work is handed out in chunks of
 * index ranges from a shared counter (pool.c), so which thread computes an
 * item varies; callers compute every item independently of its range, so
 * results never depend on it. */
#ifndef TC_MODEL_POOL_H
#define TC_MODEL_POOL_H

#include "util/util.h"

typedef struct tc_pool tc_pool;

/* fn(ctx, begin, end) for a contiguous part of [0, n); every part runs
 * exactly once; tc_pool_run returns when all have finished. */
typedef void (*tc_pool_fn)(void *ctx, size_t begin, size_t end);

/* n_threads >= 1 (the caller's thread counts as one). */
tc_status tc_pool_new(tc_error *err, tc_pool **out, int n_threads) TC_MUST_CHECK;
void tc_pool_free(tc_pool *p); /* NULL-safe; joins the workers */
int tc_pool_threads(const tc_pool *p);

/* Splits [0, n) into chunks, each a multiple of `align` items (except the
 * last), and runs them on the pool's threads. */
void tc_pool_run(tc_pool *p, tc_pool_fn fn, void *ctx, size_t n, size_t align);

#endif
