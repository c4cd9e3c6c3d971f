/* PST scalars: Lagrange bases on {0..n−1}, the opening recursion of
 * docs/design.md §3.2 on values, evaluation and interpolation to monomials. */
#include "pst/pst.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- shapes */

tc_status tc_pst_shape_check(tc_error *err, const tc_pst_shape *s)
{
    if (s->m < 1 || s->m > TC_PST_MAX_VARS)
        return tc_fail(err, TC_EARG, "shape has %d variables (1..%d allowed)", s->m,
                       TC_PST_MAX_VARS);
    size_t total = 1;
    for (int i = 0; i < s->m; i++) {
        if (s->n[i] < 1 || s->n[i] > TC_PST_MAX_N)
            return tc_fail(err, TC_EARG, "shape axis %d has size %u (1..%d allowed)", i,
                           s->n[i], TC_PST_MAX_N);
        /* a grid point is 64 bytes in memory at least: keep far below SIZE_MAX */
        if (!tc_mul_size(&total, total, s->n[i]) || total > ((size_t)1 << 40))
            return tc_fail(err, TC_EARG, "shape has more than 2^40 grid points");
    }
    return TC_OK;
}

size_t tc_pst_suffix_size(const tc_pst_shape *s, int j)
{
    size_t r = 1;
    for (int i = j; i < s->m; i++)
        r *= s->n[i];
    return r;
}

bool tc_pst_shape_eq(const tc_pst_shape *a, const tc_pst_shape *b)
{
    if (a->m != b->m)
        return false;
    for (int i = 0; i < a->m; i++)
        if (a->n[i] != b->n[i])
            return false;
    return true;
}

void tc_pst_shape_str(char *out, size_t cap, const tc_pst_shape *s)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < s->m && used < cap; i++) {
        int w = snprintf(out + used, cap - used, i ? "x%u" : "%u", s->n[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

bool tc_pst_shape_parse(tc_pst_shape *s, const char *text)
{
    memset(s, 0, sizeof *s);
    const char *p = text;
    if (*p == '\0')
        return false;
    for (;;) {
        if (s->m == TC_PST_MAX_VARS || *p < '0' || *p > '9')
            return false;
        unsigned v = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (unsigned)(*p - '0');
            if (v > 1000)
                return false;
            p++;
        }
        s->n[s->m++] = v;
        if (*p == '\0')
            break;
        if (*p != ',' && *p != 'x')
            return false;
        p++;
    }
    tc_error e;
    return tc_pst_shape_check(&e, s) == TC_OK;
}

bool tc_pst_parse_fr_list(tc_fr *z, int *n, int max, const char *text)
{
    *n = 0;
    const char *p = text;
    if (p == NULL || *p == '\0')
        return false;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char buf[96];
        if (len == 0 || len >= sizeof buf || *n == max)
            return false;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (!tc_fr_from_dec(&z[*n], buf))
            return false;
        (*n)++;
        if (comma == NULL)
            return true;
        p = comma + 1;
    }
}

tc_status tc_pst_check_count(tc_error *err, const tc_pst_shape *s, size_t count)
{
    size_t want = tc_pst_suffix_size(s, 0);
    if (count != want) {
        char sh[128];
        tc_pst_shape_str(sh, sizeof sh, s);
        return tc_fail(err, TC_EARG, "tensor has %zu values, the SRS shape %s has %zu", count,
                       sh, want);
    }
    return TC_OK;
}

tc_status tc_pst_check_tensor_shape(tc_error *err, const tc_pst_shape *s, int ndim,
                                    const int64_t *dims, const char *name)
{
    char want[128], got[128];
    size_t used = 0;
    tc_pst_shape_str(want, sizeof want, s);
    got[0] = '\0';
    for (int i = 0; i < ndim && used < sizeof got; i++) {
        int w = snprintf(got + used, sizeof got - used, i ? "x%lld" : "%lld", (long long)dims[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    bool same = ndim == s->m;
    for (int i = 0; same && i < ndim; i++)
        same = dims[i] == (int64_t)s->n[i];
    bool flat = s->m > 8 && ndim == 1 && dims[0] >= 0 &&
                (uint64_t)dims[0] == (uint64_t)tc_pst_suffix_size(s, 0);
    if (!same && !flat)
        return tc_fail(err, TC_EFORMAT, "%s: tensor shape %s does not match the SRS shape %s", name,
                       ndim ? got : "()", want);
    return TC_OK;
}

/* ------------------------------------------------------------ Lagrange */

/* (Π_{k≠j} (j − k))⁻¹ in Fr: ± 1 / (j!·(n−1−j)!), exact in int64 for n ≤ 16. */
static void lagrange_weight(tc_fr *w, uint32_t n, uint32_t j)
{
    int64_t den = 1;
    for (uint32_t k = 0; k < n; k++)
        if (k != j)
            den *= (int64_t)j - (int64_t)k;
    tc_fr d;
    tc_fr_from_i64(&d, den);
    tc_fr_inv_var(w, &d);
}

void tc_pst_lagrange(tc_fr *lam, tc_fr *dlam, uint32_t n, const tc_fr *x)
{
    tc_fr diff[TC_PST_MAX_N]; /* x − k */
    for (uint32_t k = 0; k < n; k++) {
        tc_fr kk;
        tc_fr_from_u64(&kk, k);
        tc_fr_sub(&diff[k], x, &kk);
    }
    for (uint32_t j = 0; j < n; j++) {
        tc_fr w, prod;
        lagrange_weight(&w, n, j);
        tc_fr_one(&prod);
        for (uint32_t k = 0; k < n; k++)
            if (k != j)
                tc_fr_mul(&prod, &prod, &diff[k]);
        tc_fr_mul(&lam[j], &prod, &w);
        if (dlam == NULL)
            continue;
        /* λ'_j(x) = w_j · Σ_{l≠j} Π_{k≠j,l} (x − k) */
        tc_fr sum;
        tc_fr_zero(&sum);
        for (uint32_t l = 0; l < n; l++) {
            if (l == j)
                continue;
            tc_fr t;
            tc_fr_one(&t);
            for (uint32_t k = 0; k < n; k++)
                if (k != j && k != l)
                    tc_fr_mul(&t, &t, &diff[k]);
            tc_fr_add(&sum, &sum, &t);
        }
        tc_fr_mul(&dlam[j], &sum, &w);
    }
}

bool tc_pst_grid_index(uint32_t *u, const tc_fr *z, uint32_t n)
{
    uint64_t v[4];
    tc_fr_to_limbs(v, z);
    if (v[1] | v[2] | v[3] || v[0] >= n)
        return false;
    *u = (uint32_t)v[0];
    return true;
}

/* ------------------------------------------------------------- folding */

void tc_pst_fold(tc_fr *out, const tc_fr *in, uint32_t n, size_t rest, const tc_fr *w)
{
    for (size_t r = 0; r < rest; r++)
        tc_fr_mul(&out[r], &in[r], &w[0]);
    for (uint32_t u = 1; u < n; u++) {
        const tc_fr *row = in + (size_t)u * rest;
        for (size_t r = 0; r < rest; r++) {
            tc_fr t;
            tc_fr_mul(&t, &row[r], &w[u]);
            tc_fr_add(&out[r], &out[r], &t);
        }
    }
}

typedef struct quot_job {
    tc_fr *q, *fnext;
    const tc_fr *f;
    uint32_t n, g;
    bool on_grid;
    size_t rest;
    const tc_fr *lam, *dlam, *inv;
} quot_job;

/* Columns [lo, hi) of one quotient step. */
static void quot_range(void *ctx, size_t lo, size_t hi)
{
    const quot_job *j = ctx;
    size_t rest = j->rest;
    for (size_t r = lo; r < hi; r++) {
        tc_fr fz, t;
        if (j->on_grid) {
            fz = j->f[(size_t)j->g * rest + r];
        } else {
            tc_fr_zero(&fz);
            for (uint32_t u = 0; u < j->n; u++) {
                tc_fr_mul(&t, &j->f[(size_t)u * rest + r], &j->lam[u]);
                tc_fr_add(&fz, &fz, &t);
            }
        }
        for (uint32_t u = 0; u < j->n; u++) {
            if (j->on_grid && u == j->g)
                continue;
            tc_fr_sub(&t, &j->f[(size_t)u * rest + r], &fz);
            tc_fr_mul(&j->q[(size_t)u * rest + r], &t, &j->inv[u]);
        }
        if (j->on_grid) {
            tc_fr acc;
            tc_fr_zero(&acc);
            for (uint32_t u = 0; u < j->n; u++) {
                tc_fr_mul(&t, &j->f[(size_t)u * rest + r], &j->dlam[u]);
                tc_fr_add(&acc, &acc, &t);
            }
            j->q[(size_t)j->g * rest + r] = acc;
        }
        j->fnext[r] = fz;
    }
}

void tc_pst_quotient_step(tc_fr *q, tc_fr *fnext, const tc_fr *f, uint32_t n, size_t rest,
                          const tc_fr *z, int n_threads)
{
    tc_fr lam[TC_PST_MAX_N], dlam[TC_PST_MAX_N], inv[TC_PST_MAX_N], scratch[TC_PST_MAX_N];
    uint32_t g = 0;
    bool on_grid = tc_pst_grid_index(&g, z, n);
    tc_pst_lagrange(lam, on_grid ? dlam : NULL, n, z);
    /* 1/(u − z) for u ≠ z (the grid entry inverts 0 to 0 and is unused) */
    for (uint32_t u = 0; u < n; u++) {
        tc_fr uu;
        tc_fr_from_u64(&uu, u);
        tc_fr_sub(&inv[u], &uu, z);
    }
    tc_fr_batch_inv_var(inv, inv, n, scratch);
    quot_job job = {q, fnext, f, n, g, on_grid, rest, lam, dlam, inv};
    tc_pst_parallel(rest >= 4096 ? n_threads : 1, rest, quot_range, &job);
}

tc_status tc_pst_open_scalars(tc_error *err, tc_fr **q, tc_fr *fj, const tc_pst_shape *s,
                              const tc_fr *vals, const tc_fr *z, int j)
{
    tc_status st = tc_pst_shape_check(err, s);
    if (st != TC_OK)
        return st;
    if (j < 0 || j > s->m)
        return tc_fail(err, TC_EARG, "opening depth %d outside 0..%d", j, s->m);
    tc_fr *cur = NULL, *next = NULL;
    size_t size = tc_pst_suffix_size(s, 0);
    cur = malloc(size * sizeof *cur);
    next = malloc((size / s->n[0] + 1) * sizeof *next);
    if (cur == NULL || next == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory opening a %zu-value tensor", size);
        goto out;
    }
    memcpy(cur, vals, size * sizeof *cur);
    for (int i = 0; i < j; i++) {
        size_t rest = size / s->n[i];
        tc_pst_quotient_step(q[i], next, cur, s->n[i], rest, &z[i], 1);
        memcpy(cur, next, rest * sizeof *cur);
        size = rest;
    }
    memcpy(fj, cur, size * sizeof *fj);
out:
    free(cur);
    free(next);
    return st;
}

tc_status tc_pst_eval(tc_error *err, tc_fr *y, const tc_pst_shape *s, const tc_fr *vals,
                      const tc_fr *z)
{
    tc_status st = tc_pst_shape_check(err, s);
    if (st != TC_OK)
        return st;
    size_t size = tc_pst_suffix_size(s, 0);
    tc_fr *a = malloc(size * sizeof *a), *b = malloc((size / s->n[0]) * sizeof *b);
    if (a == NULL || b == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory evaluating a %zu-value tensor", size);
        goto out;
    }
    memcpy(a, vals, size * sizeof *a);
    for (int i = 0; i < s->m; i++) {
        tc_fr lam[TC_PST_MAX_N];
        tc_pst_lagrange(lam, NULL, s->n[i], &z[i]);
        size /= s->n[i];
        tc_pst_fold(b, a, s->n[i], size, lam);
        memcpy(a, b, size * sizeof *a);
    }
    *y = a[0];
out:
    free(a);
    free(b);
    return st;
}

/* -------------------------------------------------------- interpolation */

void tc_pst_lagrange_monomials(tc_fr *mat, uint32_t n)
{
    /* λ_u(x) = w_u · Π_{k≠u} (x − k): multiply out the product */
    for (uint32_t u = 0; u < n; u++) {
        tc_fr poly[TC_PST_MAX_N + 1], w;
        for (uint32_t a = 0; a <= n; a++)
            tc_fr_zero(&poly[a]);
        tc_fr_one(&poly[0]);
        uint32_t deg = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (k == u)
                continue;
            tc_fr kk;
            tc_fr_from_u64(&kk, k);
            /* poly ← poly·(x − k) */
            poly[deg + 1] = poly[deg];
            for (uint32_t a = deg; a > 0; a--) {
                tc_fr t;
                tc_fr_mul(&t, &poly[a], &kk);
                tc_fr_sub(&poly[a], &poly[a - 1], &t);
            }
            tc_fr_mul(&poly[0], &poly[0], &kk);
            tc_fr_neg(&poly[0], &poly[0]);
            deg++;
        }
        lagrange_weight(&w, n, u);
        for (uint32_t a = 0; a < n; a++)
            tc_fr_mul(&mat[a * n + u], &poly[a], &w);
    }
}

typedef struct axis_job {
    tc_fr *data;          /* (pre, n, post) */
    const tc_fr *mat;     /* (n, n) */
    uint32_t n;
    size_t post;
} axis_job;

/* Applies mat along the middle axis for the outer blocks [lo, hi). */
static void axis_range(void *ctx, size_t lo, size_t hi)
{
    const axis_job *job = ctx;
    uint32_t n = job->n;
    tc_fr col[TC_PST_MAX_N];
    for (size_t blk = lo; blk < hi; blk++) {
        tc_fr *base = job->data + blk * n * job->post;
        for (size_t s = 0; s < job->post; s++) {
            for (uint32_t u = 0; u < n; u++)
                col[u] = base[(size_t)u * job->post + s];
            for (uint32_t a = 0; a < n; a++) {
                tc_fr acc;
                tc_fr_zero(&acc);
                for (uint32_t u = 0; u < n; u++) {
                    tc_fr t;
                    tc_fr_mul(&t, &job->mat[a * n + u], &col[u]);
                    tc_fr_add(&acc, &acc, &t);
                }
                base[(size_t)a * job->post + s] = acc;
            }
        }
    }
}

tc_status tc_pst_interpolate(tc_error *err, tc_fr *coef, const tc_fr *vals,
                             const tc_pst_shape *s, int n_threads)
{
    tc_status st = tc_pst_shape_check(err, s);
    if (st != TC_OK)
        return st;
    size_t total = tc_pst_suffix_size(s, 0);
    if (coef != vals)
        memmove(coef, vals, total * sizeof *coef);
    size_t pre = 1;
    for (int i = 0; i < s->m; i++) {
        tc_fr mat[TC_PST_MAX_N * TC_PST_MAX_N];
        uint32_t n = s->n[i];
        size_t post = total / pre / n;
        tc_pst_lagrange_monomials(mat, n);
        axis_job job = {coef, mat, n, post};
        tc_pst_parallel(n_threads, pre, axis_range, &job);
        pre *= n;
    }
    return TC_OK;
}

tc_status tc_pst_coefficients_json(tc_error *err, char **json, const tc_pst_shape *s,
                                   const tc_fr *coef)
{
    *json = NULL;
    size_t total = tc_pst_suffix_size(s, 0);
    size_t cap;
    if (!tc_mul_size(&cap, total, 84) || !tc_add_size(&cap, cap, 64 + 8 * (size_t)s->m))
        return tc_fail(err, TC_EARG, "coefficient export too large");
    char *buf = malloc(cap);
    if (buf == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory writing %zu coefficients", total);
    uint32_t bound = 0;
    size_t used = (size_t)sprintf(buf, "{\"dims\": [");
    for (int i = 0; i < s->m; i++) {
        used += (size_t)sprintf(buf + used, i ? ", %u" : "%u", s->n[i]);
        if (s->n[i] > bound)
            bound = s->n[i];
    }
    used += (size_t)sprintf(buf + used, "], \"degree_bound\": %u, \"coefficients\": [", bound);
    for (size_t k = 0; k < total; k++) {
        char dec[80];
        tc_fr_to_dec(dec, &coef[k]);
        used += (size_t)sprintf(buf + used, k ? ", \"%s\"" : "\"%s\"", dec);
    }
    used += (size_t)sprintf(buf + used, "]}\n");
    *json = buf;
    return TC_OK;
}

/* ------------------------------------------------------------ threads */

typedef struct range_task {
    tc_pst_range_fn fn;
    void *ctx;
    size_t lo, hi;
} range_task;

static void *range_main(void *arg)
{
    range_task *t = arg;
    t->fn(t->ctx, t->lo, t->hi);
    return NULL;
}

void tc_pst_parallel(int n_threads, size_t count, tc_pst_range_fn fn, void *ctx)
{
    enum { MAX_THREADS = 64 };
    if (n_threads < 1)
        n_threads = 1;
    if (n_threads > MAX_THREADS)
        n_threads = MAX_THREADS;
    if ((size_t)n_threads > count)
        n_threads = count ? (int)count : 1;
    if (n_threads == 1) {
        fn(ctx, 0, count);
        return;
    }
    range_task tasks[MAX_THREADS];
    for (int k = 0; k < n_threads; k++) {
        tasks[k] = (range_task){fn, ctx, count * (size_t)k / (size_t)n_threads,
                                count * (size_t)(k + 1) / (size_t)n_threads};
    }
    /* fixed ranges, whichever thread runs them: the same results */
    tc_run_threads(range_main, tasks, sizeof tasks[0], (unsigned)n_threads);
}
