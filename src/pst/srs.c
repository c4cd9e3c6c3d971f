/* PST setup from trapdoors (docs/design.md §3.2–3.3): Lagrange keys at every level,
 * the optional monomial key, the verification key. */
#include "pst/pst.h"

#include "ec/msm.h"

#include <stdlib.h>
#include <string.h>

const char *tc_pst_origin_name(tc_pst_origin o)
{
    switch (o) {
    case TC_PST_ORIGIN_RANDOM: return "random";
    case TC_PST_ORIGIN_SEEDED: return "seeded";
    case TC_PST_ORIGIN_EXPLICIT: return "explicit";
    case TC_PST_ORIGIN_CEREMONY: return "ceremony";
    }
    return "?";
}

bool tc_pst_origin_from_name(tc_pst_origin *o, const char *name)
{
    for (int v = TC_PST_ORIGIN_RANDOM; v <= TC_PST_ORIGIN_CEREMONY; v++)
        if (name != NULL && !strcmp(name, tc_pst_origin_name((tc_pst_origin)v))) {
            *o = (tc_pst_origin)v;
            return true;
        }
    return false;
}

bool tc_pst_origin_is_testing(tc_pst_origin o)
{
    return o == TC_PST_ORIGIN_SEEDED || o == TC_PST_ORIGIN_EXPLICIT;
}

/* Overwrites secrets in a way the compiler keeps. */
static void wipe(void *p, size_t len)
{
    volatile uint8_t *v = p;
    while (len--)
        *v++ = 0;
}

static void progress(const tc_pst_setup_opts *o, const char *stage, double frac)
{
    if (o->progress != NULL)
        o->progress(o->progress_ctx, stage, frac);
}

void tc_pst_srs_free(tc_pst_srs *srs)
{
    if (srs == NULL)
        return;
    free(srs->ck);
    free(srs->mk);
    tc_pst_vk_free(&srs->vk);
    memset(srs, 0, sizeof *srs);
}

/* Sets level offsets and n_points from the shape. */
static void layout_levels(tc_pst_srs *srs)
{
    size_t off = 0;
    for (int j = 0; j <= srs->shape.m; j++) {
        srs->level_off[j] = off;
        off += tc_pst_suffix_size(&srs->shape, j);
    }
    srs->n_points = off;
}

/* Tensor product s[b] = Π_i v_i[b_i] in C order, v_i = per-axis tables. */
static void tensor_product(tc_fr *s, const tc_pst_shape *shape,
                           const tc_fr v[][TC_PST_MAX_N])
{
    size_t size = 1;
    tc_fr_one(&s[0]);
    /* build from the last axis: s_i[u, rest] = v_i[u]·s_{i+1}[rest] */
    for (int i = shape->m - 1; i >= 0; i--) {
        uint32_t n = shape->n[i];
        for (uint32_t u = n; u-- > 0;)
            for (size_t r = 0; r < size; r++)
                tc_fr_mul(&s[(size_t)u * size + r], &s[r], &v[i][u]);
        size *= n;
    }
}

typedef struct level_job {
    const tc_g1_affine *in;  /* (n, rest) */
    tc_g1 *acc;              /* (rest) */
    uint32_t n;
    size_t rest;
} level_job;

static void level_range(void *ctx, size_t lo, size_t hi)
{
    const level_job *j = ctx;
    for (size_t r = lo; r < hi; r++) {
        tc_g1_from_affine(&j->acc[r], &j->in[r]);
        for (uint32_t u = 1; u < j->n; u++)
            tc_g1_add_affine(&j->acc[r], &j->acc[r], &j->in[(size_t)u * j->rest + r]);
    }
}

typedef struct affine_job {
    tc_g1_affine *out;
    const tc_g1 *in;
    tc_fp *scratch;
} affine_job;

static void affine_range(void *ctx, size_t lo, size_t hi)
{
    const affine_job *j = ctx;
    tc_g1_batch_to_affine(j->out + lo, j->in + lo, hi - lo, j->scratch + lo);
}

/* level j+1 = Σ_u level j [u, ·]: additions only. */
static tc_status sum_levels(tc_error *err, tc_pst_srs *srs, const tc_pst_setup_opts *o)
{
    size_t rest_max = srs->shape.m > 0 ? tc_pst_suffix_size(&srs->shape, 1) : 1;
    tc_g1 *acc = malloc(rest_max * sizeof *acc);
    tc_fp *scratch = malloc(rest_max * sizeof *scratch);
    tc_status st = TC_OK;
    if (acc == NULL || scratch == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory summing key levels");
        goto out;
    }
    for (int j = 0; j < srs->shape.m; j++) {
        size_t rest = tc_pst_suffix_size(&srs->shape, j + 1);
        level_job lj = {tc_pst_srs_level(srs, j), acc, srs->shape.n[j], rest};
        tc_pst_parallel(o->n_threads, rest, level_range, &lj);
        affine_job aj = {srs->ck + srs->level_off[j + 1], acc, scratch};
        tc_pst_parallel(o->n_threads, rest, affine_range, &aj);
        progress(o, "levels", (double)(j + 1) / srs->shape.m);
    }
out:
    free(acc);
    free(scratch);
    return st;
}

tc_status tc_pst_setup(tc_error *err, tc_pst_srs *srs, const tc_pst_shape *shape,
                       const tc_fr *t, tc_pst_origin origin, const tc_pst_setup_opts *opts)
{
    memset(srs, 0, sizeof *srs);
    tc_pst_setup_opts o = opts ? *opts : (tc_pst_setup_opts){1, false, NULL, NULL};
    if (o.n_threads < 1)
        o.n_threads = 1;
    tc_status st = tc_pst_shape_check(err, shape);
    if (st != TC_OK)
        return st;
    size_t total = tc_pst_suffix_size(shape, 0);
    tc_fr per_axis[TC_PST_MAX_VARS][TC_PST_MAX_N];
    tc_fr *scalars = NULL;
    srs->shape = *shape;
    srs->origin = origin;
    layout_levels(srs);

    scalars = malloc(total * sizeof *scalars);
    srs->ck = malloc(srs->n_points * sizeof *srs->ck);
    if (scalars == NULL || srs->ck == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for an SRS of %zu points", srs->n_points);
        goto out;
    }
    /* level 0: [Π_i λ_{i,b_i}(t_i)]₁ */
    for (int i = 0; i < shape->m; i++)
        tc_pst_lagrange(per_axis[i], NULL, shape->n[i], &t[i]);
    tensor_product(scalars, shape, (const tc_fr(*)[TC_PST_MAX_N])per_axis);
    progress(&o, "lagrange key", 0.0);
    tc_g1_affine gen;
    tc_g1_affine_generator(&gen);
    /* variable time in the trapdoor-derived scalars; why that is accepted:
     * docs/pst.md, "Timing" */
    st = tc_g1_fixed_base_batch_var(err, srs->ck, &gen, scalars, total, (unsigned)o.n_threads);
    if (st != TC_OK)
        goto out;
    progress(&o, "lagrange key", 1.0);
    st = sum_levels(err, srs, &o);
    if (st != TC_OK)
        goto out;

    if (o.monomial) {
        srs->mk = malloc(total * sizeof *srs->mk);
        if (srs->mk == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory for a monomial key of %zu points", total);
            goto out;
        }
        for (int i = 0; i < shape->m; i++) {
            tc_fr_one(&per_axis[i][0]);
            for (uint32_t a = 1; a < shape->n[i]; a++)
                tc_fr_mul(&per_axis[i][a], &per_axis[i][a - 1], &t[i]);
        }
        tensor_product(scalars, shape, (const tc_fr(*)[TC_PST_MAX_N])per_axis);
        progress(&o, "monomial key", 0.0);
        st = tc_g1_fixed_base_batch_var(err, srs->mk, &gen, scalars, total,
                                        (unsigned)o.n_threads);
        if (st != TC_OK)
            goto out;
        progress(&o, "monomial key", 1.0);
    }

    /* verification key */
    srs->vk.shape = *shape;
    srs->vk.g1 = gen;
    tc_g2_affine_generator(&srs->vk.g2);
    for (int i = 0; i < shape->m; i++)
        tc_g2_mul_ct(&srs->vk.tau[i], &srs->vk.g2, &t[i]);   /* t_i is secret */
    st = tc_pst_vk_prepare(err, &srs->vk);
out:
    wipe(per_axis, sizeof per_axis);
    if (scalars != NULL) {
        wipe(scalars, total * sizeof *scalars);
        free(scalars);
    }
    if (st != TC_OK)
        tc_pst_srs_free(srs);
    return st;
}

tc_status tc_pst_setup_random(tc_error *err, tc_pst_srs *srs, const tc_pst_shape *shape,
                              const tc_pst_setup_opts *opts)
{
    memset(srs, 0, sizeof *srs);
    tc_status st = tc_pst_shape_check(err, shape);
    if (st != TC_OK)
        return st;
    tc_fr t[TC_PST_MAX_VARS];
    uint8_t wide[64];
    for (int i = 0; i < shape->m; i++) {
        st = tc_os_random(err, wide, sizeof wide);
        if (st != TC_OK)
            goto out;
        tc_fr_from_bytes_wide(&t[i], wide);
    }
    st = tc_pst_setup(err, srs, shape, t, TC_PST_ORIGIN_RANDOM, opts);
out:
    wipe(wide, sizeof wide);
    wipe(t, sizeof t);
    return st;
}

void tc_pst_seed_trapdoors(tc_fr *t, int m, const uint8_t *seed, size_t seed_len)
{
    static const char domain[] = "tensorcommit pst trapdoor";
    uint8_t buf[sizeof domain - 1 + TC_PST_MAX_SEED + 5], wide[64];
    size_t dlen = sizeof domain - 1;
    if (seed_len > TC_PST_MAX_SEED)
        seed_len = TC_PST_MAX_SEED;   /* callers check; never read past the seed */
    memcpy(buf, domain, dlen);
    memcpy(buf + dlen, seed, seed_len);
    size_t len = dlen + seed_len + 5;
    for (int i = 0; i < m; i++) {
        uint8_t *tail = buf + dlen + seed_len;
        tail[0] = (uint8_t)i, tail[1] = (uint8_t)(i >> 8), tail[2] = (uint8_t)(i >> 16);
        tail[3] = (uint8_t)(i >> 24);
        for (int half = 0; half < 2; half++) {
            tail[4] = (uint8_t)half;
            tc_sha256_oneshot(wide + 32 * half, buf, len);
        }
        tc_fr_from_bytes_wide(&t[i], wide);
    }
    wipe(wide, sizeof wide);
    wipe(buf, sizeof buf);
}

tc_status tc_pst_setup_seeded(tc_error *err, tc_pst_srs *srs, const tc_pst_shape *shape,
                              const uint8_t *seed, size_t seed_len,
                              const tc_pst_setup_opts *opts)
{
    memset(srs, 0, sizeof *srs);
    tc_status st = tc_pst_shape_check(err, shape);
    if (st != TC_OK)
        return st;
    if (seed_len > TC_PST_MAX_SEED)
        return tc_fail(err, TC_EARG, "seed longer than %d bytes", TC_PST_MAX_SEED);
    tc_fr t[TC_PST_MAX_VARS];
    tc_pst_seed_trapdoors(t, shape->m, seed, seed_len);
    st = tc_pst_setup(err, srs, shape, t, TC_PST_ORIGIN_SEEDED, opts);
    wipe(t, sizeof t);
    return st;
}
