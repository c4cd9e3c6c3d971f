/* The public API: commit, open, proofs and their JSON, verify
 * (include/tensorcommit.h) over src/pst. */
#include "api/api_internal.h"

#include "ec/encoding.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ grids */

tc_status tc_commit_var(tc_error *err, tc_commitment *c, const tc_srs *srs, const int64_t *grid,
                        const uint32_t *dims, int ndim, int n_threads)
{
    TC_API_NONNULL(err, c, "c");
    TC_API_NONNULL(err, srs, "srs");
    tc_status st = tc_api_grid_check(err, &srs->s.shape, grid, dims, ndim, __func__);
    if (st != TC_OK)
        return st;
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "%s: n_threads %d < 1", __func__, n_threads);
    tc_g1 p;
    tc_g1_affine a;
    st = tc_pst_commit_i64(err, &p, &srs->s, grid, tc_pst_suffix_size(&srs->s.shape, 0),
                           n_threads);
    if (st != TC_OK)
        return st;
    tc_g1_to_affine(&a, &p);
    tc_g1_to_bytes(c->bytes, &a);
    return TC_OK;
}

tc_status tc_grid_eval_var(tc_error *err, tc_scalar *y, const int64_t *grid, const uint32_t *dims,
                           int ndim, const tc_scalar *z)
{
    tc_pst_shape s;
    tc_fr zf[TC_PST_MAX_VARS], yf;
    TC_API_NONNULL(err, y, "y");
    TC_API_NONNULL(err, grid, "grid");
    TC_API_NONNULL(err, z, "z");
    tc_status st = tc_api_shape(err, &s, dims, ndim, __func__);
    for (int i = 0; i < ndim && st == TC_OK; i++)
        st = tc_api_fr(err, &zf[i], &z[i], "a coordinate of z");
    if (st != TC_OK)
        return st;
    size_t n = tc_pst_suffix_size(&s, 0);
    tc_fr *vals = malloc(n * sizeof *vals);
    if (vals == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu values", n);
    for (size_t i = 0; i < n; i++)
        tc_fr_from_i64(&vals[i], grid[i]);
    st = tc_pst_eval(err, &yf, &s, vals, zf);
    free(vals);
    if (st == TC_OK)
        tc_api_scalar(y, &yf);
    return st;
}

/* ----------------------------------------------------------- proofs */

tc_status tc_proof_new(tc_error *err, tc_proof **out, const tc_srs *srs, const tc_commitment *c)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, srs, "srs");
    TC_API_NONNULL(err, c, "c");
    tc_g1_affine point;
    tc_error why = {0};
    if (tc_g1_from_bytes(&why, &point, c->bytes, sizeof c->bytes) != TC_OK)
        return tc_fail(err, TC_EFORMAT, "commitment: %s", why.msg);
    tc_proof *p = calloc(1, sizeof *p);
    if (p == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    p->f.shape = srs->s.shape;
    p->f.commitment = point;
    tc_hex_encode(p->f.commitment_hex, c->bytes, sizeof c->bytes);
    *out = p;
    return TC_OK;
}

typedef char fault_text[TC_PST_FAULT_LEN];

/* Grows an item array and its fault array (new faults zeroed) to hold
 * `need` items; *cap is updated only when both grew. */
static bool grow(void **items, size_t item_size, fault_text **faults, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = 2 * need;
    void *it = realloc(*items, n * item_size);
    if (it == NULL)
        return false;
    *items = it;
    fault_text *fa = realloc(*faults, n * sizeof *fa);
    if (fa == NULL)
        return false;
    *faults = fa;
    memset(fa + *cap, 0, (n - *cap) * sizeof *fa);
    *cap = n;
    return true;
}

/* Room for `more` openings and `more_s` slices. */
static tc_status proof_reserve(tc_error *err, tc_proof *p, size_t more, size_t more_s)
{
    tc_pst_proof_file *f = &p->f;
    void *open = f->open, *slice = f->slice;
    bool ok = grow(&open, sizeof *f->open, &f->open_fault, &p->cap_open, f->n_open + more);
    f->open = open;
    ok = ok && grow(&slice, sizeof *f->slice, &f->slice_fault, &p->cap_slice, f->n_slice + more_s);
    f->slice = slice;
    return ok ? TC_OK : tc_fail(err, TC_ENOMEM, "out of memory for a proof's items");
}

/* The checks every opening call shares. */
static tc_status open_check(tc_error *err, const tc_proof *p, const tc_srs *srs,
                            const int64_t *grid, const uint32_t *dims, int ndim, int n_threads,
                            const char *fn)
{
    TC_API_NONNULL(err, p, "p");
    TC_API_NONNULL(err, srs, "srs");
    if (!tc_pst_shape_eq(&p->f.shape, &srs->s.shape))
        return tc_fail(err, TC_EARG, "%s: the proof and the SRS have different shapes", fn);
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "%s: n_threads %d < 1", fn, n_threads);
    return tc_api_grid_check(err, &srs->s.shape, grid, dims, ndim, fn);
}

/* Opens grid at the k points z (k, m) and appends the openings. */
static tc_status open_points(tc_error *err, tc_proof *p, const tc_srs *srs, const int64_t *grid,
                             const tc_fr *z, size_t k, int n_threads)
{
    tc_status st = proof_reserve(err, p, k, 0);
    if (st != TC_OK || k == 0)
        return st;
    st = tc_pst_open(err, p->f.open + p->f.n_open, &srs->s, grid,
                     tc_pst_suffix_size(&srs->s.shape, 0), z, k, n_threads);
    if (st == TC_OK)
        p->f.n_open += k;
    return st;
}

/* z (k, m) from the caller's points: indices (grid) or scalars (field). */
static tc_status points_fr(tc_error *err, tc_fr **z, const tc_pst_shape *s, const uint32_t *idx,
                           const tc_scalar *field, size_t k, const char *fn)
{
    size_t m = (size_t)s->m, n;
    if (!tc_mul_size(&n, k, m) || (*z = malloc((n ? n : 1) * sizeof **z)) == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory for %zu points", fn, k);
    for (size_t i = 0; i < n; i++) {
        if (field != NULL && !tc_fr_from_bytes(&(*z)[i], field[i].bytes))
            return tc_fail(err, TC_EARG, "%s: coordinate %zu of point %zu is not canonical",
                           fn, i % m, i / m);
        if (field == NULL && idx[i] >= s->n[i % m])
            return tc_fail(err, TC_EARG, "%s: index %u of point %zu is outside axis %zu (0..%u)",
                           fn, idx[i], i / m, i % m, s->n[i % m] - 1);
        if (field == NULL)
            tc_fr_from_u64(&(*z)[i], idx[i]);
    }
    return TC_OK;
}

static tc_status open_many(tc_error *err, tc_proof *p, const tc_srs *srs, const int64_t *grid,
                           const uint32_t *dims, int ndim, const uint32_t *idx,
                           const tc_scalar *field, size_t k, int n_threads, const char *fn)
{
    tc_fr *z = NULL;
    tc_status st = open_check(err, p, srs, grid, dims, ndim, n_threads, fn);
    if (st == TC_OK && k > 0 && idx == NULL && field == NULL)
        st = tc_fail(err, TC_EARG, "%s: the points are NULL", fn);
    if (st == TC_OK)
        st = points_fr(err, &z, &srs->s.shape, idx, field, k, fn);
    if (st == TC_OK)
        st = open_points(err, p, srs, grid, z, k, n_threads);
    free(z);
    return st;
}

tc_status tc_proof_open_grid_var(tc_error *err, tc_proof *p, const tc_srs *srs,
                                 const int64_t *grid, const uint32_t *dims, int ndim,
                                 const uint32_t *point, size_t k, int n_threads)
{
    return open_many(err, p, srs, grid, dims, ndim, point, NULL, k, n_threads, __func__);
}

tc_status tc_proof_open_field_var(tc_error *err, tc_proof *p, const tc_srs *srs,
                                  const int64_t *grid, const uint32_t *dims, int ndim,
                                  const tc_scalar *z, size_t k, int n_threads)
{
    return open_many(err, p, srs, grid, dims, ndim, NULL, z, k, n_threads, __func__);
}

tc_status tc_proof_open_slice_var(tc_error *err, tc_proof *p, const tc_srs *srs,
                                  const int64_t *grid, const uint32_t *dims, int ndim,
                                  const tc_scalar *prefix, int j, int n_threads)
{
    tc_fr z[TC_PST_MAX_VARS];
    tc_status st = open_check(err, p, srs, grid, dims, ndim, n_threads, __func__);
    if (st != TC_OK)
        return st;
    TC_API_NONNULL(err, prefix, "prefix");
    if (j < 1 || j > srs->s.shape.m)
        return tc_fail(err, TC_EARG, "%s: j = %d outside 1..%d", __func__, j, srs->s.shape.m);
    for (int i = 0; i < j; i++)
        if (!tc_fr_from_bytes(&z[i], prefix[i].bytes))
            return tc_fail(err, TC_EARG, "%s: prefix[%d] is not canonical", __func__, i);
    st = proof_reserve(err, p, 0, 1);
    if (st == TC_OK)
        st = tc_pst_open_slice(err, &p->f.slice[p->f.n_slice], &srs->s, grid,
                               tc_pst_suffix_size(&srs->s.shape, 0), z, j, n_threads);
    if (st == TC_OK)
        p->f.n_slice++;
    return st;
}

void tc_proof_commitment(tc_commitment *c, const tc_proof *p)
{
    /* a decoded proof whose commitment did not decode keeps its hex text */
    if (!tc_hex_decode(c->bytes, sizeof c->bytes, p->f.commitment_hex))
        memset(c->bytes, 0, sizeof c->bytes);
}

size_t tc_proof_n_openings(const tc_proof *p)
{
    return p->f.n_open;
}

size_t tc_proof_n_slices(const tc_proof *p)
{
    return p->f.n_slice;
}

tc_status tc_proof_opening(tc_error *err, tc_scalar *z, tc_scalar *y, const tc_proof *p, size_t i)
{
    TC_API_NONNULL(err, p, "p");
    TC_API_NONNULL(err, z, "z");
    TC_API_NONNULL(err, y, "y");
    if (i >= p->f.n_open)
        return tc_fail(err, TC_EARG, "%s: opening %zu of %zu", __func__, i, p->f.n_open);
    if (p->f.open_fault[i][0] != '\0')
        return tc_fail(err, TC_EFORMAT, "opening %zu: %s", i, p->f.open_fault[i]);
    for (int k = 0; k < p->f.open[i].m; k++)
        tc_api_scalar(&z[k], &p->f.open[i].z[k]);
    tc_api_scalar(y, &p->f.open[i].y);
    return TC_OK;
}

/* TC_EFORMAT naming the first item of p that did not decode. */
tc_status tc_api_proof_faults(tc_error *err, const tc_proof *p)
{
    const tc_pst_proof_file *f = &p->f;
    if (f->commitment_fault[0] != '\0')
        return tc_fail(err, TC_EFORMAT, "commitment: %s", f->commitment_fault);
    for (size_t k = 0; k < f->n_open; k++)
        if (f->open_fault[k][0] != '\0')
            return tc_fail(err, TC_EFORMAT, "opening %zu: %s", k, f->open_fault[k]);
    for (size_t k = 0; k < f->n_slice; k++)
        if (f->slice_fault[k][0] != '\0')
            return tc_fail(err, TC_EFORMAT, "slice %zu: %s", k, f->slice_fault[k]);
    return TC_OK;
}

tc_status tc_proof_to_json(tc_error *err, char **json, const tc_proof *p)
{
    TC_API_NONNULL(err, json, "json");
    *json = NULL;
    TC_API_NONNULL(err, p, "p");
    tc_status st = tc_api_proof_faults(err, p);
    if (st != TC_OK)
        return st;
    const tc_pst_proof_file *f = &p->f;
    return tc_pst_proof_encode(err, json, &f->shape, &f->commitment, f->open, f->n_open,
                               f->slice, f->n_slice);
}

tc_status tc_proof_from_json(tc_error *err, tc_proof **out, const char *json, size_t len)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, json, "json");
    tc_proof *p = calloc(1, sizeof *p);
    if (p == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    tc_status st = tc_pst_proof_decode(err, &p->f, json, len, "proof");
    if (st != TC_OK) {
        tc_proof_free(p);
        return st;
    }
    p->cap_open = p->f.n_open;
    p->cap_slice = p->f.n_slice;
    *out = p;
    return TC_OK;
}

void tc_proof_free(tc_proof *p)
{
    if (p == NULL)
        return;
    tc_pst_proof_file_free(&p->f);
    free(p);
}
