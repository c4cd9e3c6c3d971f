/* The slow reference MSM, for tests: one double-and-add scalar
 * multiplication per term (tc_g1_mul_ref) and Jacobian additions. */
#include "ec/msm.h"

void tc_msm_g1_ref(tc_g1 *out, const tc_g1_affine *bases, tc_scalars s, size_t n)
{
    tc_g1 acc, p, t;
    tc_g1_set_infinity(&acc);
    for (size_t i = 0; i < n; i++) {
        tc_fr k;
        bool neg = false;
        switch (s.kind) {
        case TC_SCALAR_FR:
            k = s.v.fr[i];
            break;
        case TC_SCALAR_I64: {
            int64_t v = s.v.i64[i];
            uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            uint64_t l[4] = {m, 0, 0, 0};
            neg = v < 0;
            (void)tc_fr_from_limbs(&k, l);   /* < 2^64 < r */
            break;
        }
        case TC_SCALAR_I128: {
            tc_i128 v = s.v.i128[i];
            unsigned __int128 m = v < 0 ? 0 - (unsigned __int128)v : (unsigned __int128)v;
            uint64_t l[4] = {(uint64_t)m, (uint64_t)(m >> 64), 0, 0};
            neg = v < 0;
            (void)tc_fr_from_limbs(&k, l);
            break;
        }
        default:
            tc_fr_zero(&k);
        }
        tc_g1_from_affine(&p, &bases[i]);
        tc_g1_mul_ref(&t, &p, &k);
        if (neg)
            tc_g1_neg(&t, &t);
        tc_g1_add(&acc, &acc, &t);
    }
    *out = acc;
}
