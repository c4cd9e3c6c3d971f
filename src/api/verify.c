/* The public API: verification of proofs (include/tensorcommit.h). */
#include "api/api_internal.h"

#include <stdlib.h>
#include <string.h>

/* The checks before any pairing: usable input (status), and items that did
 * not decode, which are rejected (*ok false, reason in err). */
static tc_status verify_prepare(tc_error *err, bool *ok, const tc_vk *vk, const tc_proof *p,
                                size_t index)
{
    const tc_pst_proof_file *f = &p->f;
    *ok = false;
    if (!tc_pst_shape_eq(&f->shape, &vk->f.vk.shape)) {
        char a[128], b[128];
        tc_pst_shape_str(a, sizeof a, &f->shape);
        tc_pst_shape_str(b, sizeof b, &vk->f.vk.shape);
        return tc_fail(err, TC_EARG, "proof %zu: shape %s is not the key's shape %s", index, a, b);
    }
    if (f->n_open == 0 && f->n_slice == 0)
        return tc_fail(err, TC_EARG, "proof %zu holds no openings and no slices", index);
    for (size_t k = 0; k < f->n_slice; k++)
        if (f->slice_fault[k][0] == '\0' && tc_api_level_keys(vk, f->slice[k].j) == NULL)
            return tc_fail(err, TC_EARG, "proof %zu: the key holds no level-%d keys for slice %zu",
                           index, f->slice[k].j, k);
    tc_error why = {0};
    if (tc_api_proof_faults(&why, p) != TC_OK) {
        tc_fail(err, TC_OK, "proof %zu: rejected: %s", index, why.msg);
        return TC_OK;
    }
    *ok = true;
    return TC_OK;
}

/* Every slice of p, one by one; *ok false naming the first rejected one. */
static tc_status verify_slices(tc_error *err, bool *ok, const tc_vk *vk, const tc_proof *p,
                               size_t index)
{
    const tc_pst_proof_file *f = &p->f;
    for (size_t k = 0; k < f->n_slice && *ok; k++) {
        const tc_pst_slice *s = &f->slice[k];
        tc_status st = tc_pst_verify_slice(err, ok, &vk->f.vk, tc_api_level_keys(vk, s->j),
                                           &f->commitment, s);
        if (st != TC_OK)
            return st;
        if (!*ok)
            tc_fail(err, TC_OK, "proof %zu: slice %zu rejected: the pairing check fails", index, k);
    }
    return TC_OK;
}

/* One by one, to name the first rejected opening after a failed batch. */
static tc_status find_rejected(tc_error *err, bool *ok, const tc_vk *vk,
                               const tc_proof *const *p, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        for (size_t q = 0; q < p[i]->f.n_open; q++) {
            tc_status st = tc_pst_verify(err, ok, &vk->f.vk, &p[i]->f.commitment,
                                         &p[i]->f.open[q]);
            if (st != TC_OK)
                return st;
            if (!*ok) {
                tc_fail(err, TC_OK, "proof %zu: opening %zu rejected: the pairing check fails",
                        i, q);
                return TC_OK;
            }
        }
    }
    *ok = false;   /* the batch failed: some opening is wrong even if none shows */
    tc_fail(err, TC_OK, "the batch check fails");
    return TC_OK;
}

/* All openings of the k proofs in one folded check. */
static tc_status verify_openings(tc_error *err, bool *ok, const tc_vk *vk,
                                 const tc_proof *const *p, size_t k, int n_threads)
{
    size_t n = 0, at = 0;
    for (size_t i = 0; i < k; i++)
        n += p[i]->f.n_open;
    *ok = true;
    if (n == 0)
        return TC_OK;
    tc_g1_affine *c = malloc(n * sizeof *c);
    tc_pst_opening *o = malloc(n * sizeof *o);
    tc_status st = TC_OK;
    if (c == NULL || o == NULL)
        st = tc_fail(err, TC_ENOMEM, "out of memory for %zu openings", n);
    for (size_t i = 0; i < k && st == TC_OK; i++)
        for (size_t q = 0; q < p[i]->f.n_open; q++, at++) {
            c[at] = p[i]->f.commitment;
            o[at] = p[i]->f.open[q];
        }
    if (st == TC_OK)
        st = n == 1 ? tc_pst_verify(err, ok, &vk->f.vk, c, o)
                    : tc_pst_verify_batch(err, ok, &vk->f.vk, c, o, n, n_threads);
    free(c);
    free(o);
    if (st == TC_OK && !*ok)
        st = find_rejected(err, ok, vk, p, k);
    return st;
}

tc_status tc_proof_verify_batch_var(tc_error *err, bool *ok, const tc_vk *vk,
                                    const tc_proof *const *p, size_t k, int n_threads)
{
    TC_API_NONNULL(err, ok, "ok");
    *ok = false;
    TC_API_NONNULL(err, vk, "vk");
    if (k > 0)
        TC_API_NONNULL(err, p, "p");
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "%s: n_threads %d < 1", __func__, n_threads);
    for (size_t i = 0; i < k; i++)
        if (p[i] == NULL)
            return tc_fail(err, TC_EARG, "%s: p[%zu] is NULL", __func__, i);
    bool all = true;
    for (size_t i = 0; i < k; i++) {
        tc_status st = verify_prepare(err, ok, vk, p[i], i);
        if (st != TC_OK)
            return st;
        all = all && *ok;
    }
    if (!all) {             /* the reason of the first rejection is in err */
        *ok = false;
        return TC_OK;
    }
    tc_status st = verify_openings(err, ok, vk, p, k, n_threads);
    for (size_t i = 0; i < k && st == TC_OK && *ok; i++)
        st = verify_slices(err, ok, vk, p[i], i);
    if (st != TC_OK)
        *ok = false;
    return st;
}

tc_status tc_proof_verify_var(tc_error *err, bool *ok, const tc_vk *vk, const tc_proof *p)
{
    TC_API_NONNULL(err, ok, "ok");
    *ok = false;
    TC_API_NONNULL(err, p, "p");
    return tc_proof_verify_batch_var(err, ok, vk, &p, 1, 1);
}
