/* PST openings (docs/design.md §3.2): at grid points with small-scalar quotients, at
 * any field point, and slices at the first j variables.
 *
 * The recursion walks the axes.  F_i, the values of f_i on the suffix grid
 * D_i × … × D_{m−1}, starts as the int64 tensor.  While every coordinate so
 * far is a grid point, F_i is a sub-tensor of T (a view, no copy) and Q_i is
 * an integer tensor divided by small integers: we multiply it by a common
 * denominator D_i, run a small-scalar MSM over level i of the key, and
 * multiply the result by D_i⁻¹.  From the first non-grid coordinate on, F_i
 * and Q_i are field tensors (tc_pst_quotient_step) and the MSMs take full
 * field scalars. */
#include "pst/pst.h"

#include <stdlib.h>
#include <string.h>

void tc_pst_slice_free(tc_pst_slice *s)
{
    if (s == NULL)
        return;
    free(s->values);
    s->values = NULL;
}

/* ------------------------------------------------ grid-axis denominators */

static int64_t gcd64(int64_t a, int64_t b)
{
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int64_t lcm64(int64_t a, int64_t b) { return a / gcd64(a, b) * b; }

/* Integer weights for the quotient on an axis of size n at grid point g:
 *   D·Q[u, r] = row[u]·(F[u, r] − F[g, r])    for u ≠ g   (row[u] = D/(u−g))
 *   D·Q[g, r] = Σ_u dcol[u]·F[u, r]                       (dcol[u] = D·λ'_u(g))
 * D is the least common denominator of all of them.  For n ≤ 16 every
 * quantity fits in int64: D ≤ C(15,7)·lcm(1..15) < 2^32. */
typedef struct grid_weights {
    int64_t d;
    int64_t row[TC_PST_MAX_N];
    int64_t dcol[TC_PST_MAX_N];
} grid_weights;

static void grid_weights_init(grid_weights *w, uint32_t n, uint32_t g)
{
    int64_t num[TC_PST_MAX_N], den[TC_PST_MAX_N];
    /* λ'_u(g) = Π_{k≠u,g}(g−k) / Π_{k≠u}(u−k) for u ≠ g */
    for (uint32_t u = 0; u < n; u++) {
        if (u == g)
            continue;
        int64_t a = 1, b = 1;
        for (uint32_t k = 0; k < n; k++) {
            if (k != u && k != g)
                a *= (int64_t)g - (int64_t)k;
            if (k != u)
                b *= (int64_t)u - (int64_t)k;
        }
        int64_t c = gcd64(a, b);
        a /= c, b /= c;
        if (b < 0)
            a = -a, b = -b;
        num[u] = a, den[u] = b;
    }
    /* λ'_g(g) = Σ_{k≠g} 1/(g−k) */
    int64_t sn = 0, sd = 1;
    for (uint32_t k = 0; k < n; k++) {
        if (k == g)
            continue;
        int64_t kd = (int64_t)g - (int64_t)k;
        int64_t l = lcm64(sd, kd < 0 ? -kd : kd);
        sn = sn * (l / sd) + (l / kd);
        sd = l;
        int64_t c = gcd64(sn, sd);
        if (c > 1)
            sn /= c, sd /= c;
    }
    num[g] = sn, den[g] = sd;
    int64_t d = 1;
    for (uint32_t u = 0; u < n; u++) {
        d = lcm64(d, den[u]);
        if (u != g)
            d = lcm64(d, (int64_t)u > (int64_t)g ? (int64_t)u - g : (int64_t)g - u);
    }
    w->d = d;
    for (uint32_t u = 0; u < n; u++) {
        w->dcol[u] = d / den[u] * num[u];
        w->row[u] = u == g ? 0 : d / ((int64_t)u - (int64_t)g);
    }
}

typedef struct grid_job {
    const int64_t *f;     /* (n, rest) */
    tc_i128 *q;           /* (n, rest) */
    const grid_weights *w;
    uint32_t n, g;
    size_t rest;
} grid_job;

static void grid_range(void *ctx, size_t lo, size_t hi)
{
    const grid_job *j = ctx;
    const int64_t *fg = j->f + (size_t)j->g * j->rest;
    for (size_t r = lo; r < hi; r++) {
        tc_i128 acc = 0;
        for (uint32_t u = 0; u < j->n; u++) {
            tc_i128 v = j->f[(size_t)u * j->rest + r];
            acc += v * j->w->dcol[u];
            if (u != j->g)
                j->q[(size_t)u * j->rest + r] = (v - fg[r]) * j->w->row[u];
        }
        j->q[(size_t)j->g * j->rest + r] = acc;
    }
}

/* π = D⁻¹·Σ Q·D·keys for an int64 F_i and a grid coordinate g. */
static tc_status grid_proof(tc_error *err, tc_g1 *pi, const tc_g1_affine *keys,
                            const int64_t *f, uint32_t n, size_t rest, uint32_t g, int n_threads)
{
    grid_weights w;
    grid_weights_init(&w, n, g);
    size_t size = (size_t)n * rest;
    tc_i128 *q = malloc(size * sizeof *q);
    int64_t *q64 = NULL;
    tc_status st = TC_OK;
    if (q == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for a quotient of %zu values", size);
        goto out;
    }
    grid_job job = {f, q, &w, n, g, rest};
    tc_pst_parallel(n_threads, rest, grid_range, &job);
    bool fits = true;
    for (size_t k = 0; k < size && fits; k++)
        fits = q[k] >= INT64_MIN && q[k] <= INT64_MAX;
    tc_g1 sum;
    if (fits) {
        q64 = malloc(size * sizeof *q64);
        if (q64 == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory for a quotient of %zu values", size);
            goto out;
        }
        for (size_t k = 0; k < size; k++)
            q64[k] = (int64_t)q[k];
        st = tc_pst_msm_var(err, &sum, keys, tc_scalars_i64(q64), size, n_threads);
    } else {
        st = tc_pst_msm_var(err, &sum, keys, tc_scalars_i128(q), size, n_threads);
    }
    if (st != TC_OK)
        goto out;
    tc_fr dinv;
    tc_fr_from_u64(&dinv, (uint64_t)w.d);
    tc_fr_inv_var(&dinv, &dinv);
    tc_g1_mul_var(pi, &sum, &dinv);
out:
    free(q);
    free(q64);
    return st;
}

/* -------------------------------------------------------- the recursion */

/* The state of one opening after i axes, kept between points so that
 * points sharing leading coordinates share the work. */
typedef struct open_state {
    int depth;                          /* axes done for the cached point */
    tc_fr z[TC_PST_MAX_VARS];           /* its coordinates */
    const int64_t *f64[TC_PST_MAX_VARS + 1]; /* F_i as an int64 view, or NULL */
    tc_fr *ffr[TC_PST_MAX_VARS + 1];    /* F_i as field values (owned), or NULL */
    tc_g1_affine pi[TC_PST_MAX_VARS];
} open_state;

static void state_free(open_state *s)
{
    for (int i = 0; i <= TC_PST_MAX_VARS; i++)
        free(s->ffr[i]);
    memset(s, 0, sizeof *s);
}

typedef struct cvt_job {
    tc_fr *out;
    const int64_t *in;
} cvt_job;

static void cvt_range(void *ctx, size_t lo, size_t hi)
{
    const cvt_job *j = ctx;
    for (size_t k = lo; k < hi; k++)
        tc_fr_from_i64(&j->out[k], j->in[k]);
}

/* Advances the state by axis i for coordinate z (F_i present). */
static tc_status step(tc_error *err, open_state *s, const tc_pst_srs *srs, int i, const tc_fr *z,
                      int n_threads)
{
    uint32_t n = srs->shape.n[i], g;
    size_t rest = tc_pst_suffix_size(&srs->shape, i + 1), size = (size_t)n * rest;
    const tc_g1_affine *keys = tc_pst_srs_level(srs, i);
    tc_fr *q = NULL, *fin = NULL;
    tc_g1 pi;
    tc_status st = TC_OK;
    free(s->ffr[i + 1]);
    s->ffr[i + 1] = NULL;
    s->f64[i + 1] = NULL;
    if (s->f64[i] != NULL && tc_pst_grid_index(&g, z, n)) {
        st = grid_proof(err, &pi, keys, s->f64[i], n, rest, g, n_threads);
        if (st != TC_OK)
            goto out;
        s->f64[i + 1] = s->f64[i] + (size_t)g * rest;
    } else {
        const tc_fr *f = s->ffr[i];
        if (f == NULL) {
            fin = malloc(size * sizeof *fin);
            if (fin == NULL) {
                st = tc_fail(err, TC_ENOMEM, "out of memory opening %zu values", size);
                goto out;
            }
            cvt_job cj = {fin, s->f64[i]};
            tc_pst_parallel(n_threads, size, cvt_range, &cj);
            f = fin;
        }
        q = malloc(size * sizeof *q);
        s->ffr[i + 1] = malloc(rest * sizeof(tc_fr));
        if (q == NULL || s->ffr[i + 1] == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory opening %zu values", size);
            goto out;
        }
        tc_pst_quotient_step(q, s->ffr[i + 1], f, n, rest, z, n_threads);
        st = tc_pst_msm_fr_var(err, &pi, keys, q, size, n_threads);
        if (st != TC_OK)
            goto out;
    }
    tc_g1_to_affine(&s->pi[i], &pi);
    s->z[i] = *z;
    s->depth = i + 1;
out:
    free(q);
    free(fin);
    return st;
}

/* Runs the recursion to depth j for point z, reusing the cached prefix. */
static tc_status advance(tc_error *err, open_state *s, const tc_pst_srs *srs, const tc_fr *z,
                         int j, int n_threads)
{
    int keep = 0;
    while (keep < s->depth && keep < j && tc_fr_eq(&s->z[keep], &z[keep]))
        keep++;
    s->depth = keep;
    for (int i = keep; i < j; i++) {
        tc_status st = step(err, s, srs, i, &z[i], n_threads);
        if (st != TC_OK)
            return st;
    }
    return TC_OK;
}

/* The values of F_j (count of them) as field elements. */
static void level_values(tc_fr *out, const open_state *s, int j, size_t count)
{
    if (s->f64[j] != NULL) {
        for (size_t k = 0; k < count; k++)
            tc_fr_from_i64(&out[k], s->f64[j][k]);
    } else {
        memcpy(out, s->ffr[j], count * sizeof *out);
    }
}

tc_status tc_pst_open(tc_error *err, tc_pst_opening *out, const tc_pst_srs *srs,
                      const int64_t *vals, size_t count, const tc_fr *z, size_t k, int n_threads)
{
    tc_status st = tc_pst_check_count(err, &srs->shape, count);
    if (st != TC_OK)
        return st;
    int m = srs->shape.m;
    open_state s;
    memset(&s, 0, sizeof s);
    s.f64[0] = vals;
    for (size_t p = 0; p < k; p++) {
        const tc_fr *zp = z + p * (size_t)m;
        st = advance(err, &s, srs, zp, m, n_threads);
        if (st != TC_OK)
            break;
        memset(&out[p], 0, sizeof out[p]);
        out[p].m = m;
        memcpy(out[p].z, zp, (size_t)m * sizeof *zp);
        memcpy(out[p].pi, s.pi, (size_t)m * sizeof *s.pi);
        level_values(&out[p].y, &s, m, 1);
    }
    state_free(&s);
    return st;
}

tc_status tc_pst_open_slice(tc_error *err, tc_pst_slice *out, const tc_pst_srs *srs,
                            const int64_t *vals, size_t count, const tc_fr *z, int j,
                            int n_threads)
{
    memset(out, 0, sizeof *out);
    tc_status st = tc_pst_check_count(err, &srs->shape, count);
    if (st != TC_OK)
        return st;
    if (j < 1 || j > srs->shape.m)
        return tc_fail(err, TC_EARG, "slice level %d outside 1..%d", j, srs->shape.m);
    open_state s;
    memset(&s, 0, sizeof s);
    s.f64[0] = vals;
    st = advance(err, &s, srs, z, j, n_threads);
    if (st != TC_OK)
        goto out;
    out->j = j;
    memcpy(out->z, z, (size_t)j * sizeof *z);
    memcpy(out->pi, s.pi, (size_t)j * sizeof *s.pi);
    out->count = tc_pst_suffix_size(&srs->shape, j);
    out->values = malloc(out->count * sizeof *out->values);
    if (out->values == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for a slice of %zu values", out->count);
        goto out;
    }
    level_values(out->values, &s, j, out->count);
out:
    state_free(&s);
    if (st != TC_OK)
        tc_pst_slice_free(out);
    return st;
}
