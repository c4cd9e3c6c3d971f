/* PST verification (docs/design.md §3.2):
 *     e(C − y·[1]₁ + Σ_i z_i·π_i, [1]₂) · Π_i e(π_i, −[t_i]₂) = 1,
 * one multi-Miller loop over m + 1 pairs whose G2 sides are fixed by the
 * verification key (prepared once), and one final exponentiation.  Batches
 * fold k openings with random weights ρ_k into the same m + 1 pairs; the
 * SRS check folds its structural equations the same way. */
#include "pst/pst.h"

#include "ec/pairing.h"

#include <stdlib.h>
#include <string.h>

/* prep[0] = [1]₂, prep[1 + i] = −[t_i]₂ */
tc_status tc_pst_vk_prepare(tc_error *err, tc_pst_vk *vk)
{
    if (vk->prep != NULL)
        return TC_OK;
    int m = vk->shape.m;
    tc_g2_prepared *prep = malloc((size_t)(m + 1) * sizeof *prep);
    if (prep == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory preparing the verification key");
    tc_g2_prepare(&prep[0], &vk->g2);
    for (int i = 0; i < m; i++) {
        tc_g2_affine neg = vk->tau[i];
        tc_fp2_neg(&neg.y, &neg.y);
        tc_g2_prepare(&prep[1 + i], &neg);
    }
    vk->prep = prep;
    return TC_OK;
}

void tc_pst_vk_free(tc_pst_vk *vk)
{
    if (vk == NULL)
        return;
    free(vk->prep);
    vk->prep = NULL;
}

/* Records why a proof was rejected; the status stays TC_OK. */
static void reject(tc_error *err, const char *why)
{
    if (err != NULL) {
        (void)tc_fail(err, TC_OK, "%s", why);
    }
}

/* Π e(p_i, prep_i) over [1]₂ and the first n of −[t_i]₂. */
static bool product_is_one(const tc_pst_vk *vk, const tc_g1_affine *p, int n)
{
    return tc_pairing_product_is_one(p, (const tc_g2_prepared *)vk->prep, (size_t)n + 1);
}

/* a[0] = A = base + Σ_{i<n} z_i·π_i, a[1 + i] = π_i. */
static tc_status fold_proof(tc_error *err, tc_g1_affine *a, const tc_g1 *base, const tc_fr *z,
                            const tc_g1_affine *pi, int n)
{
    tc_g1 acc = *base, t;
    if (n > 0) {
        tc_status st = tc_pst_msm_var(err, &t, pi, tc_scalars_fr(z), (size_t)n, 1);
        if (st != TC_OK)
            return st;
        tc_g1_add(&acc, &acc, &t);
    }
    tc_g1_to_affine(&a[0], &acc);
    memcpy(a + 1, pi, (size_t)n * sizeof *pi);
    return TC_OK;
}

static tc_status need_prepared(tc_error *err, const tc_pst_vk *vk)
{
    if (vk->prep == NULL)
        return tc_fail(err, TC_EARG, "verification key not prepared");
    return TC_OK;
}

tc_status tc_pst_verify(tc_error *err, bool *ok, const tc_pst_vk *vk, const tc_g1_affine *c,
                        const tc_pst_opening *o)
{
    *ok = false;
    tc_status st = need_prepared(err, vk);
    if (st != TC_OK)
        return st;
    if (o->m != vk->shape.m)
        return tc_fail(err, TC_EARG, "opening has %d coordinates, the key's shape has %d", o->m,
                       vk->shape.m);
    /* base = C − y·[1]₁ */
    tc_g1 base, yg;
    tc_g1_from_affine(&base, &vk->g1);
    tc_g1_mul_var(&yg, &base, &o->y);
    tc_g1_neg(&yg, &yg);
    tc_g1_from_affine(&base, c);
    tc_g1_add(&base, &base, &yg);
    tc_g1_affine a[TC_PST_MAX_VARS + 1];
    st = fold_proof(err, a, &base, o->z, o->pi, o->m);
    if (st != TC_OK)
        return st;
    *ok = product_is_one(vk, a, o->m);
    if (!*ok)
        reject(err, "pairing equation does not hold");
    return TC_OK;
}

tc_status tc_pst_verify_slice(tc_error *err, bool *ok, const tc_pst_vk *vk,
                              const tc_g1_affine *keys, const tc_g1_affine *c,
                              const tc_pst_slice *s)
{
    *ok = false;
    tc_status st = need_prepared(err, vk);
    if (st != TC_OK)
        return st;
    if (s->j < 1 || s->j > vk->shape.m)
        return tc_fail(err, TC_EARG, "slice level %d outside 1..%d", s->j, vk->shape.m);
    if (s->count != tc_pst_suffix_size(&vk->shape, s->j))
        return tc_fail(err, TC_EARG, "slice has %zu values, level %d has %zu", s->count, s->j,
                       tc_pst_suffix_size(&vk->shape, s->j));
    /* base = C − C_g, C_g = Σ values·keys */
    tc_g1 cg, base;
    st = tc_pst_msm_fr_var(err, &cg, keys, s->values, s->count, 1);
    if (st != TC_OK)
        return st;
    tc_g1_neg(&cg, &cg);
    tc_g1_from_affine(&base, c);
    tc_g1_add(&base, &base, &cg);
    tc_g1_affine a[TC_PST_MAX_VARS + 1];
    st = fold_proof(err, a, &base, s->z, s->pi, s->j);
    if (st != TC_OK)
        return st;
    *ok = product_is_one(vk, a, s->j);
    if (!*ok)
        reject(err, "pairing equation does not hold");
    return TC_OK;
}

/* 128-bit random weights from the OS as field elements, read in chunks. */
static tc_status random_weights(tc_error *err, tc_fr *rho, size_t k)
{
    enum { CHUNK = 1024 };
    uint64_t buf[2 * CHUNK];
    for (size_t at = 0; at < k; at += CHUNK) {
        size_t n = k - at < CHUNK ? k - at : CHUNK;
        tc_status st = tc_os_random(err, buf, n * 16);
        if (st != TC_OK)
            return st;
        for (size_t i = 0; i < n; i++) {
            uint64_t v[4] = {buf[2 * i], buf[2 * i + 1], 0, 0};
            (void)tc_fr_from_limbs(&rho[at + i], v);   /* < 2^128 < r */
        }
    }
    return TC_OK;
}

tc_status tc_pst_verify_batch(tc_error *err, bool *ok, const tc_pst_vk *vk, const tc_g1_affine *c,
                              const tc_pst_opening *o, size_t k, int n_threads)
{
    *ok = false;
    tc_status st = need_prepared(err, vk);
    if (st != TC_OK)
        return st;
    int m = vk->shape.m;
    for (size_t q = 0; q < k; q++)
        if (o[q].m != m)
            return tc_fail(err, TC_EARG, "opening %zu has %d coordinates, the key's shape has %d",
                           q, o[q].m, m);
    if (k == 0) {
        *ok = true;
        return TC_OK;
    }
    size_t big = k * (size_t)(m + 1) + 1;
    tc_fr *rho = malloc(k * sizeof *rho), *sc = malloc(big * sizeof *sc);
    tc_g1_affine *pts = malloc(big * sizeof *pts), *col = malloc(k * sizeof *col);
    if (rho == NULL || sc == NULL || pts == NULL || col == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory batch-verifying %zu openings", k);
        goto out;
    }
    st = random_weights(err, rho, k);
    if (st != TC_OK)
        goto out;
    /* A = Σ_q ρ_q·(C_q − y_q·[1]₁ + Σ_i z_{q,i}·π_{q,i}) */
    tc_fr ysum;
    tc_fr_zero(&ysum);
    size_t at = 0;
    for (size_t q = 0; q < k; q++) {
        tc_fr t;
        tc_fr_mul(&t, &rho[q], &o[q].y);
        tc_fr_add(&ysum, &ysum, &t);
        pts[at] = c[q];
        sc[at++] = rho[q];
        for (int i = 0; i < m; i++) {
            pts[at] = o[q].pi[i];
            tc_fr_mul(&sc[at++], &rho[q], &o[q].z[i]);
        }
    }
    pts[at] = vk->g1;
    tc_fr_neg(&sc[at++], &ysum);
    tc_g1 acc;
    tc_g1_affine a[TC_PST_MAX_VARS + 1];
    st = tc_pst_msm_fr_var(err, &acc, pts, sc, at, n_threads);
    if (st != TC_OK)
        goto out;
    tc_g1_to_affine(&a[0], &acc);
    /* B_i = Σ_q ρ_q·π_{q,i} */
    for (int i = 0; i < m; i++) {
        for (size_t q = 0; q < k; q++)
            col[q] = o[q].pi[i];
        st = tc_pst_msm_fr_var(err, &acc, col, rho, k, n_threads);
        if (st != TC_OK)
            goto out;
        tc_g1_to_affine(&a[1 + i], &acc);
    }
    *ok = product_is_one(vk, a, m);
    if (!*ok)
        reject(err, "batch pairing equation does not hold: at least one opening is invalid");
out:
    free(rho);
    free(sc);
    free(pts);
    free(col);
    return st;
}

/* ------------------------------------------------------------ SRS check */

/* The Lagrange key levels first..m that a structural check looks at, each
 * held apart (an SRS keeps them contiguous, vk.json does not): lv[j] has
 * tc_pst_suffix_size(s, j) points and lv[m] is the single point that must
 * be [1]₁.  The verification key supplies [1]₁, [1]₂ and [t_j]₂. */
typedef struct key_levels {
    const tc_pst_shape *s;
    const tc_pst_vk *vk;
    int first;                                  /* 0 for a whole SRS */
    const tc_g1_affine *lv[TC_PST_MAX_VARS + 1];
} key_levels;

/* Level sums: Σ_{j≥first} Σ_r ρ_{j,r}·(ck_{j+1}[r] − Σ_u ck_j[u, r]) = 0,
 * and ck_m = [1]₁.  One weighted sum over all points with 128-bit weights
 * (one MSM per level, since the levels need not be contiguous). */
static tc_status check_sums(tc_error *err, bool *ok, const key_levels *kl, int n_threads)
{
    const tc_pst_shape *s = kl->s;
    size_t off[TC_PST_MAX_VARS + 2] = {0};
    for (int j = kl->first; j <= s->m; j++)
        off[j + 1] = off[j] + tc_pst_suffix_size(s, j);
    size_t total = off[s->m + 1];
    tc_fr *sc = malloc(total * sizeof *sc);
    tc_fr *rw = malloc(tc_pst_suffix_size(s, kl->first < s->m ? kl->first + 1 : s->m) * sizeof *rw);
    tc_status st = TC_OK;
    if (sc == NULL || rw == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory checking the key levels");
        goto out;
    }
    for (size_t i = 0; i < total; i++)
        tc_fr_zero(&sc[i]);
    for (int j = kl->first; j < s->m; j++) {
        size_t rest = tc_pst_suffix_size(s, j + 1);
        tc_fr *lo = sc + off[j], *hi = sc + off[j + 1];
        st = random_weights(err, rw, rest);
        if (st != TC_OK)
            goto out;
        for (size_t r = 0; r < rest; r++) {
            tc_fr rho = rw[r];
            tc_fr_add(&hi[r], &hi[r], &rho);
            tc_fr_neg(&rho, &rho);
            for (uint32_t u = 0; u < s->n[j]; u++)
                tc_fr_add(&lo[(size_t)u * rest + r], &lo[(size_t)u * rest + r], &rho);
        }
    }
    tc_g1 sum, part;
    tc_g1_set_infinity(&sum);
    for (int j = kl->first; j <= s->m; j++) {
        st = tc_pst_msm_fr_var(err, &part, kl->lv[j], sc + off[j], off[j + 1] - off[j],
                               n_threads);
        if (st != TC_OK)
            goto out;
        tc_g1_add(&sum, &sum, &part);
    }
    tc_g1 top, gen;
    tc_g1_from_affine(&top, kl->lv[s->m]);
    tc_g1_from_affine(&gen, &kl->vk->g1);
    tc_g1 g0;
    tc_g1_generator(&g0);
    *ok = tc_g1_is_infinity(&sum) && tc_g1_eq(&top, &gen) && tc_g1_eq(&gen, &g0);
    if (!*ok)
        reject(err, tc_g1_is_infinity(&sum) ? "the last key level is not [1]₁"
                                            : "a key level is not the sum of the level below");
out:
    free(sc);
    free(rw);
    return st;
}

/* Lagrange ratios: with w_u = 1/Π_{k≠u}(u − k), (x − u)·λ_u(x)/w_u is the
 * same for every u, so for level j and every u ≥ 1 and rest r
 *     t_j·(P_u/w_u − P_0/w_0) = u·P_u/w_u,   P_u = ck_j[u, r].
 * Folded with random weights over j = first..m−1 into
 *     Π_j e(X_j, [t_j]₂) · e(−Σ_j Y_j, [1]₂) = 1.
 * With the level sums and ck_m = [1]₁ this pins ck_j = λ_j(t_j)·ck_{j+1},
 * from level m − 1 down to level first. */
static tc_status check_ratios(tc_error *err, bool *ok, const key_levels *kl, int n_threads)
{
    const tc_pst_shape *s = kl->s;
    int n_lv = s->m - kl->first;
    size_t n0 = tc_pst_suffix_size(s, kl->first);
    tc_fr *sx = malloc(n0 * sizeof *sx), *sy = malloc(n0 * sizeof *sy), *rw = malloc(n0 * sizeof *rw);
    tc_g1_affine p[TC_PST_MAX_VARS + 1];
    tc_g2_prepared *prep = malloc((size_t)(n_lv + 1) * sizeof *prep);
    tc_g1 ysum;
    tc_status st = TC_OK;
    if (sx == NULL || sy == NULL || rw == NULL || prep == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory checking the key levels");
        goto out;
    }
    tc_g1_set_infinity(&ysum);
    for (int j = kl->first; j < s->m; j++) {
        uint32_t n = s->n[j];
        size_t rest = tc_pst_suffix_size(s, j + 1), size = (size_t)n * rest;
        const tc_g1_affine *lvl = kl->lv[j];
        tc_fr winv[TC_PST_MAX_N];   /* 1/w_u = Π_{k≠u}(u − k) */
        for (uint32_t u = 0; u < n; u++) {
            int64_t d = 1;
            for (uint32_t k = 0; k < n; k++)
                if (k != u)
                    d *= (int64_t)u - (int64_t)k;
            tc_fr_from_i64(&winv[u], d);
        }
        for (size_t i = 0; i < size; i++)
            tc_fr_zero(&sx[i]), tc_fr_zero(&sy[i]);
        st = random_weights(err, rw, size);
        if (st != TC_OK)
            goto out;
        for (uint32_t u = 1; u < n; u++)
            for (size_t r = 0; r < rest; r++) {
                tc_fr rho = rw[(size_t)u * rest + r], a, b, uu;
                tc_fr_mul(&a, &rho, &winv[u]);
                tc_fr_add(&sx[(size_t)u * rest + r], &sx[(size_t)u * rest + r], &a);
                tc_fr_mul(&b, &rho, &winv[0]);
                tc_fr_sub(&sx[r], &sx[r], &b);
                tc_fr_from_u64(&uu, u);
                tc_fr_mul(&a, &a, &uu);
                tc_fr_add(&sy[(size_t)u * rest + r], &sy[(size_t)u * rest + r], &a);
            }
        tc_g1 x, y;
        st = tc_pst_msm_fr_var(err, &x, lvl, sx, size, n_threads);
        if (st == TC_OK)
            st = tc_pst_msm_fr_var(err, &y, lvl, sy, size, n_threads);
        if (st != TC_OK)
            goto out;
        int at = 1 + j - kl->first;
        tc_g1_to_affine(&p[at], &x);
        tc_g2_prepare(&prep[at], &kl->vk->tau[j]);
        tc_g1_add(&ysum, &ysum, &y);
    }
    tc_g1_neg(&ysum, &ysum);
    tc_g1_to_affine(&p[0], &ysum);
    tc_g2_prepare(&prep[0], &kl->vk->g2);
    *ok = tc_pairing_product_is_one(p, prep, (size_t)n_lv + 1);
    if (!*ok)
        reject(err, "the Lagrange key does not match the verification key");
out:
    free(sx);
    free(sy);
    free(rw);
    free(prep);
    return st;
}

/* Checks (1) and (2) on the levels of kl. */
static tc_status check_levels(tc_error *err, bool *ok, const key_levels *kl, int n_threads)
{
    *ok = false;
    tc_status st = check_sums(err, ok, kl, n_threads);
    if (st != TC_OK || !*ok)
        return st;
    return check_ratios(err, ok, kl, n_threads);
}

/* The monomial key against the Lagrange key: for random values v,
 * Σ v·ck_0 = Σ interpolate(v)·mk. */
static tc_status check_monomial(tc_error *err, bool *ok, const tc_pst_srs *srs, int n_threads)
{
    size_t n0 = tc_pst_suffix_size(&srs->shape, 0);
    tc_fr *v = malloc(n0 * sizeof *v), *c = malloc(n0 * sizeof *c);
    tc_status st = TC_OK;
    if (v == NULL || c == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory checking the SRS");
        goto out;
    }
    st = random_weights(err, v, n0);
    if (st != TC_OK)
        goto out;
    st = tc_pst_interpolate(err, c, v, &srs->shape, n_threads);
    tc_g1 a, b;
    if (st == TC_OK)
        st = tc_pst_commit_fr(err, &a, srs, v, n0, n_threads);
    if (st == TC_OK)
        st = tc_pst_commit_monomial(err, &b, srs, c, n0, n_threads);
    if (st != TC_OK)
        goto out;
    *ok = tc_g1_eq(&a, &b);
    if (!*ok)
        reject(err, "the monomial key does not match the Lagrange key");
out:
    free(v);
    free(c);
    return st;
}

tc_status tc_pst_srs_check(tc_error *err, bool *ok, const tc_pst_srs *srs, int n_threads)
{
    key_levels kl = {&srs->shape, &srs->vk, 0, {0}};
    for (int j = 0; j <= srs->shape.m; j++)
        kl.lv[j] = tc_pst_srs_level(srs, j);
    tc_status st = check_levels(err, ok, &kl, n_threads);
    if (st != TC_OK || !*ok)
        return st;
    if (srs->mk != NULL)
        st = check_monomial(err, ok, srs, n_threads);
    return st;
}

tc_status tc_pst_vk_check_levels(tc_error *err, bool *ok, const tc_pst_vk_file *vf,
                                 int n_threads)
{
    const tc_pst_shape *s = &vf->vk.shape;
    *ok = false;
    key_levels kl = {s, &vf->vk, s->m, {0}};
    for (int j = s->m - 1; j >= 1; j--)
        if (vf->levels[j] != NULL)
            kl.first = j;
    for (int j = kl.first; j < s->m; j++) {
        if (vf->levels[j] == NULL)   /* the format before levels J..m−1 */
            return tc_fail(err, TC_OK,
                           "slice level %d is embedded without level %d above it, which the "
                           "check needs: regenerate the file with `tensorcommit vk`",
                           kl.first, j);
        kl.lv[j] = vf->levels[j];
    }
    kl.lv[s->m] = vf->levels[s->m] != NULL ? vf->levels[s->m] : &vf->vk.g1;
    return check_levels(err, ok, &kl, n_threads);
}

/* ------------------------------------------------------- slice batches */

/* k slices at the same level j of one commitment c, folded with random
 * weights ρ_q from the OS:
 *     e(Σ_q ρ_q·(C − C_g,q + Σ_i z_{q,i}·π_{q,i}), [1]₂) · Π_i e(Σ_q ρ_q·π_{q,i}, −[t_i]₂) = 1,
 * where Σ_q ρ_q·C_g,q = Σ_r (Σ_q ρ_q·v_q[r])·keys[r] is one MSM over the
 * level's keys.  j + 1 Miller loops in all. */
tc_status tc_pst_verify_slices_batch(tc_error *err, bool *ok, const tc_pst_vk *vk,
                                     const tc_g1_affine *keys, const tc_g1_affine *c,
                                     const tc_pst_slice *s, size_t k,
                                     const int64_t *const *vals_i64, int n_threads)
{
    *ok = false;
    tc_status st = need_prepared(err, vk);
    if (st != TC_OK)
        return st;
    if (k == 0) {
        *ok = true;
        return TC_OK;
    }
    int j = s[0].j;
    if (j < 1 || j > vk->shape.m)
        return tc_fail(err, TC_EARG, "slice level %d outside 1..%d", j, vk->shape.m);
    size_t count = tc_pst_suffix_size(&vk->shape, j);
    for (size_t q = 0; q < k; q++)
        if (s[q].j != j || s[q].count != count)
            return tc_fail(err, TC_EARG, "slice %zu: level %d with %zu values, expected level %d "
                           "with %zu", q, s[q].j, s[q].count, j, count);
    size_t npts = 1 + k * (size_t)j;
    tc_fr *rho = malloc(k * sizeof *rho), *comb = malloc(count * sizeof *comb);
    tc_fr *sc = malloc(npts * sizeof *sc);
    tc_g1_affine *pts = malloc(npts * sizeof *pts), *col = malloc(k * sizeof *col);
    if (rho == NULL || comb == NULL || sc == NULL || pts == NULL || col == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory batch-verifying %zu slices", k);
        goto out;
    }
    st = random_weights(err, rho, k);
    if (st != TC_OK)
        goto out;
    /* A = (Σ ρ)·C + Σ_{q,i} ρ_q·z_{q,i}·π_{q,i} − Σ_q ρ_q·C_g,q, where Σ_q ρ_q·C_g,q is
     * either k small-scalar MSMs (int64 values) folded by ρ, or one MSM of
     * comb[r] = Σ_q ρ_q·v_q[r] */
    for (size_t r = 0; r < count && vals_i64 == NULL; r++) {
        tc_fr_zero(&comb[r]);
        for (size_t q = 0; q < k; q++) {
            tc_fr t;
            tc_fr_mul(&t, &rho[q], &s[q].values[r]);
            tc_fr_add(&comb[r], &comb[r], &t);
        }
    }
    tc_fr rsum;
    tc_fr_zero(&rsum);
    size_t at = 0;
    for (size_t q = 0; q < k; q++) {
        tc_fr_add(&rsum, &rsum, &rho[q]);
        for (int i = 0; i < j; i++) {
            pts[at] = s[q].pi[i];
            tc_fr_mul(&sc[at++], &rho[q], &s[q].z[i]);
        }
    }
    pts[at] = *c;
    sc[at++] = rsum;
    tc_g1 acc, cg;
    st = tc_pst_msm_fr_var(err, &acc, pts, sc, at, n_threads);
    if (st != TC_OK)
        goto out;
    if (vals_i64 == NULL) {
        st = tc_pst_msm_fr_var(err, &cg, keys, comb, count, n_threads);
    } else {
        for (size_t q = 0; q < k && st == TC_OK; q++) {
            tc_g1 cq;
            st = tc_pst_msm_i64_var(err, &cq, keys, vals_i64[q], count, n_threads);
            if (st == TC_OK)
                tc_g1_to_affine(&col[q], &cq);
        }
        if (st == TC_OK)
            st = tc_pst_msm_fr_var(err, &cg, col, rho, k, n_threads);
    }
    if (st != TC_OK)
        goto out;
    tc_g1_neg(&cg, &cg);
    tc_g1_add(&acc, &acc, &cg);
    tc_g1_affine a[TC_PST_MAX_VARS + 1];
    tc_g1_to_affine(&a[0], &acc);
    for (int i = 0; i < j; i++) {
        for (size_t q = 0; q < k; q++)
            col[q] = s[q].pi[i];
        st = tc_pst_msm_fr_var(err, &acc, col, rho, k, n_threads);
        if (st != TC_OK)
            goto out;
        tc_g1_to_affine(&a[1 + i], &acc);
    }
    *ok = product_is_one(vk, a, j);
    if (!*ok)
        reject(err, "batch pairing equation does not hold: at least one slice is invalid");
out:
    free(rho);
    free(comb);
    free(sc);
    free(pts);
    free(col);
    return st;
}
