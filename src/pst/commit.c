/* PST commitments: C = Σ_b T[b]·ck_0[b] = [f(t)]₁ (docs/design.md §3.2). */
#include "pst/pst.h"

#include <stdlib.h>

tc_status tc_pst_msm_var(tc_error *err, tc_g1 *out, const tc_g1_affine *keys, tc_scalars sc,
                         size_t count, int n_threads)
{
    tc_msm_opts o = {(unsigned)(n_threads < 1 ? 1 : n_threads), 0};
    size_t size = tc_msm_g1_scratch_size(count, sc.kind, &o);
    if (size == 0)
        return tc_fail(err, TC_EARG, "MSM of %zu terms too large", count);
    void *scratch = malloc(size);
    if (scratch == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for an MSM of %zu terms", count);
    tc_status st = tc_msm_g1_var(err, out, keys, sc, count, &o, scratch, size);
    free(scratch);
    return st;
}

tc_status tc_pst_msm_fr_var(tc_error *err, tc_g1 *out, const tc_g1_affine *keys,
                            const tc_fr *vals, size_t count, int n_threads)
{
    return tc_pst_msm_var(err, out, keys, tc_scalars_fr(vals), count, n_threads);
}

tc_status tc_pst_msm_i64_var(tc_error *err, tc_g1 *out, const tc_g1_affine *keys,
                             const int64_t *vals, size_t count, int n_threads)
{
    return tc_pst_msm_var(err, out, keys, tc_scalars_i64(vals), count, n_threads);
}

tc_status tc_pst_commit_i64(tc_error *err, tc_g1 *c, const tc_pst_srs *srs, const int64_t *vals,
                            size_t count, int n_threads)
{
    tc_status st = tc_pst_check_count(err, &srs->shape, count);
    if (st != TC_OK)
        return st;
    return tc_pst_msm_i64_var(err, c, srs->ck, vals, count, n_threads);
}

tc_status tc_pst_commit_fr(tc_error *err, tc_g1 *c, const tc_pst_srs *srs, const tc_fr *vals,
                           size_t count, int n_threads)
{
    tc_status st = tc_pst_check_count(err, &srs->shape, count);
    if (st != TC_OK)
        return st;
    return tc_pst_msm_fr_var(err, c, srs->ck, vals, count, n_threads);
}

tc_status tc_pst_commit_monomial(tc_error *err, tc_g1 *c, const tc_pst_srs *srs,
                                 const tc_fr *coef, size_t count, int n_threads)
{
    tc_status st = tc_pst_check_count(err, &srs->shape, count);
    if (st != TC_OK)
        return st;
    if (srs->mk == NULL)
        return tc_fail(err, TC_EARG, "the SRS has no monomial key");
    return tc_pst_msm_fr_var(err, c, srs->mk, coef, count, n_threads);
}
