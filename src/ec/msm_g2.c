/* The small G2 MSM (verification keys, ceremony-sized inputs). */
#include "ec/msm_impl.h"

#include "util/util.h"

/* Unsigned windows of c bits, Jacobian buckets over Fp2 with mixed
 * additions, running-sum reduction; for the handful of points in a
 * verification key or a ceremony transcript. */
static unsigned g2_window(size_t n)
{
    unsigned c = 1;
    while (c < 12 && ((size_t)1 << (c + 2)) < n)
        c++;
    return n < 4 ? 1 : c;
}

size_t tc_msm_g2_scratch_size(size_t n)
{
    size_t a, b;
    if (!tc_mul_size(&a, n, 32))
        return 0;
    b = ((size_t)1 << g2_window(n)) * sizeof(tc_g2) + 192;   /* + alignment */
    return tc_add_size(&a, a, b) ? a : 0;
}

static unsigned g2_bits(const uint64_t m[4], unsigned pos, unsigned c)
{
    unsigned idx = pos >> 6, sh = pos & 63;
    uint64_t v = m[idx] >> sh;
    if (sh + c > 64 && idx + 1 < 4)
        v |= m[idx + 1] << (64 - sh);
    return (unsigned)(v & (((uint64_t)1 << c) - 1));
}

tc_status tc_msm_g2_var(tc_error *err, tc_g2 *out, const tc_g2_affine *bases, const tc_fr *k,
                        size_t n, void *scratch, size_t scratch_size)
{
    if (n == 0) {
        tc_g2_set_infinity(out);
        return TC_OK;
    }
    if (scratch == NULL || scratch_size < tc_msm_g2_scratch_size(n))
        return tc_fail(err, TC_EARG, "msm g2: scratch of %zu bytes is too small for n = %zu",
                       scratch_size, n);
    msm_arena arena = {(uint8_t *)scratch, scratch_size, 0};
    unsigned c = g2_window(n);
    size_t nb = (size_t)1 << c;     /* buckets 1..2^c − 1 use slots 1.. */
    uint64_t(*canon)[4] = msm_arena_take(&arena, n * 32);
    tc_g2 *bk = msm_arena_take(&arena, nb * sizeof(tc_g2));
    if (canon == NULL || bk == NULL)
        return tc_fail(err, TC_EINTERNAL, "msm g2: scratch layout");
    for (size_t i = 0; i < n; i++)
        tc_fr_to_limbs(canon[i], &k[i]);
    unsigned nw = (254 + c - 1) / c;
    tc_g2 acc, run, sum;
    tc_g2_set_infinity(&acc);
    for (unsigned w = nw; w-- > 0;) {
        for (unsigned d = 0; d < c; d++)
            tc_g2_dbl(&acc, &acc);
        for (size_t j = 0; j < nb; j++)
            tc_g2_set_infinity(&bk[j]);
        for (size_t i = 0; i < n; i++) {
            unsigned d = g2_bits(canon[i], w * c, c);
            if (d != 0 && !bases[i].infinity)
                tc_g2_add_affine(&bk[d], &bk[d], &bases[i]);
        }
        tc_g2_set_infinity(&run);
        tc_g2_set_infinity(&sum);
        for (size_t j = nb; j-- > 1;) {
            tc_g2_add(&run, &run, &bk[j]);
            tc_g2_add(&sum, &sum, &run);
        }
        tc_g2_add(&acc, &acc, &sum);
    }
    *out = acc;
    return TC_OK;
}
