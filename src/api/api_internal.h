/* The handles behind include/tensorcommit.h and what the API's files share. */
#ifndef TC_API_INTERNAL_H
#define TC_API_INTERNAL_H

#include "pst/pst.h"

struct tc_srs {
    tc_pst_srs s;
};

struct tc_vk {
    tc_pst_vk_file f;
};

struct tc_proof {
    tc_pst_proof_file f;
    size_t cap_open, cap_slice;     /* allocated items */
};

/* TC_EARG naming `what` when p is NULL. */
#define TC_API_NONNULL(err, p, what)                                                    \
    do {                                                                                \
        if ((p) == NULL)                                                                \
            return tc_fail(err, TC_EARG, "%s: %s is NULL", __func__, what);            \
    } while (0)

/* Shape from (dims, ndim); TC_EARG naming fn when out of range. */
tc_status tc_api_shape(tc_error *err, tc_pst_shape *s, const uint32_t *dims, int ndim,
                       const char *fn) TC_MUST_CHECK;
/* TC_EARG unless (dims, ndim) is exactly `want`. */
tc_status tc_api_grid_check(tc_error *err, const tc_pst_shape *want, const int64_t *grid,
                            const uint32_t *dims, int ndim, const char *fn) TC_MUST_CHECK;
/* A canonical scalar into Fr; TC_EFORMAT naming what. */
tc_status tc_api_fr(tc_error *err, tc_fr *out, const tc_scalar *a, const char *what) TC_MUST_CHECK;
void tc_api_scalar(tc_scalar *out, const tc_fr *a);
/* The keys of slice level j held by vk (level m is [1]₁), or NULL. */
const tc_g1_affine *tc_api_level_keys(const tc_vk *vk, int j);
/* TC_EFORMAT naming the first item of p that did not decode. */
tc_status tc_api_proof_faults(tc_error *err, const tc_proof *p) TC_MUST_CHECK;

#endif
