/* The public API: the verification key (include/tensorcommit.h). */
#include "api/api_internal.h"

#include <stdlib.h>
#include <string.h>

/* Copies [1]₁, [1]₂, [t_i]₂ and levels J..m−1 of srs into f (J = m: none). */
static tc_status vk_extract(tc_error *err, tc_pst_vk_file *f, const tc_pst_srs *srs, int J)
{
    memset(f, 0, sizeof *f);
    f->vk = srs->vk;
    f->vk.prep = NULL;
    memcpy(f->srs_id, srs->id, 32);
    f->origin = srs->origin;
    for (int j = J; j < srs->shape.m; j++) {
        size_t n = tc_pst_suffix_size(&srs->shape, j);
        f->levels[j] = malloc(n * sizeof *f->levels[j]);
        if (f->levels[j] == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory for slice level %d", j);
        memcpy(f->levels[j], tc_pst_srs_level(srs, j), n * sizeof *f->levels[j]);
    }
    return tc_pst_vk_prepare(err, &f->vk);
}

tc_status tc_vk_from_srs(tc_error *err, tc_vk **out, const tc_srs *srs, int slice_level)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, srs, "srs");
    int m = srs->s.shape.m;
    if (slice_level < 0 || slice_level > m)
        return tc_fail(err, TC_EARG, "tc_vk_from_srs: slice level %d outside 0..%d",
                       slice_level, m);
    tc_vk *vk = calloc(1, sizeof *vk);
    if (vk == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    tc_status st = vk_extract(err, &vk->f, &srs->s, slice_level == 0 ? m : slice_level);
    if (st != TC_OK) {
        tc_vk_free(vk);
        return st;
    }
    *out = vk;
    return TC_OK;
}

tc_status tc_vk_load(tc_error *err, tc_vk **out, const char *path, int n_threads)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, path, "path");
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "tc_vk_load: n_threads %d < 1", n_threads);
    tc_vk *vk = calloc(1, sizeof *vk);
    if (vk == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    bool ok = false;
    tc_status st = tc_pst_vk_file_load(err, &vk->f, path, n_threads);
    if (st == TC_OK)
        st = tc_pst_vk_check_levels(err, &ok, &vk->f, n_threads);
    if (st == TC_OK && !ok) {
        tc_error why = {0};
        tc_fail(&why, TC_EFORMAT, "%s: bad slice keys: %s", path, err ? err->msg : "");
        if (err != NULL)
            *err = why;
        st = TC_EFORMAT;
    }
    if (st == TC_OK)
        st = tc_pst_vk_prepare(err, &vk->f.vk);
    if (st != TC_OK) {
        tc_vk_free(vk);
        return st;
    }
    *out = vk;
    return TC_OK;
}

/* The keys of level j held by f (level m is [1]₁), or NULL. */
static const tc_g1_affine *level_keys(const tc_pst_vk_file *f, int j)
{
    if (j == f->vk.shape.m && f->levels[j] == NULL)
        return &f->vk.g1;
    return f->levels[j];
}

/* The smallest embedded level, m when none. */
static int first_level(const tc_pst_vk_file *f)
{
    int m = f->vk.shape.m;
    for (int j = 1; j < m; j++)
        if (f->levels[j] != NULL)
            return j;
    return m;
}

/* An SRS holding only what the key's encoders read: shape, origin, id, the
 * verification key and levels J..m (level m is [1]₁).  view->ck is owned. */
static tc_status srs_view(tc_error *err, tc_pst_srs *view, const tc_pst_vk_file *f, int J)
{
    const tc_pst_shape *s = &f->vk.shape;
    memset(view, 0, sizeof *view);
    view->shape = *s;
    view->origin = f->origin;
    view->vk = f->vk;
    memcpy(view->id, f->srs_id, 32);
    size_t n = 0;
    for (int j = J; j <= s->m; j++)
        n += tc_pst_suffix_size(s, j);
    view->ck = malloc(n * sizeof *view->ck);
    if (view->ck == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for the key's levels");
    size_t at = 0;
    for (int j = J; j <= s->m; j++) {
        size_t k = tc_pst_suffix_size(s, j);
        view->level_off[j] = at;
        memcpy(view->ck + at, level_keys(f, j), k * sizeof *view->ck);
        at += k;
    }
    view->n_points = n;
    return TC_OK;
}

tc_status tc_vk_save(tc_error *err, const tc_vk *vk, const char *path, bool binary)
{
    TC_API_NONNULL(err, vk, "vk");
    TC_API_NONNULL(err, path, "path");
    int m = vk->f.vk.shape.m, J = first_level(&vk->f);
    tc_pst_srs view;
    uint8_t *buf = NULL;
    size_t len = 0;
    char *json = NULL;
    tc_status st = srs_view(err, &view, &vk->f, J);
    if (st == TC_OK && binary)
        st = tc_pst_vk_bin_encode(err, &buf, &len, &view, J);
    else if (st == TC_OK)
        st = tc_pst_vk_encode(err, &json, &view, &J, J < m ? 1 : 0);
    if (st == TC_OK)
        st = binary ? tc_write_file_atomic(err, path, buf, len)
                    : tc_write_file_atomic(err, path, json, strlen(json));
    free(view.ck);
    free(buf);
    free(json);
    return st;
}

const tc_g1_affine *tc_api_level_keys(const tc_vk *vk, int j)
{
    return level_keys(&vk->f, j);
}

int tc_vk_slice_level(const tc_vk *vk)
{
    int J = first_level(&vk->f);
    return J < vk->f.vk.shape.m ? J : 0;
}

int tc_vk_shape(uint32_t dims[TC_MAX_DIMS], const tc_vk *vk)
{
    for (int i = 0; i < TC_MAX_DIMS; i++)
        dims[i] = i < vk->f.vk.shape.m ? vk->f.vk.shape.n[i] : 0;
    return vk->f.vk.shape.m;
}

void tc_vk_srs_id(uint8_t id[32], const tc_vk *vk)
{
    memcpy(id, vk->f.srs_id, 32);
}

bool tc_vk_is_testing(const tc_vk *vk)
{
    return tc_pst_origin_is_testing(vk->f.origin);
}

void tc_vk_free(tc_vk *vk)
{
    if (vk == NULL)
        return;
    tc_pst_vk_file_free(&vk->f);
    free(vk);
}
