/* Model folder loading: config, weights, architecture dispatch. */
#include "model/model_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

float *tc_model_alloc(tc_model *m, size_t n)
{
    if (m->n_owned == m->cap_owned) {
        size_t cap = m->cap_owned ? 2 * m->cap_owned : 64;
        void **o = realloc(m->owned, cap * sizeof *o);
        if (o == NULL)
            return NULL;
        m->owned = o;
        m->cap_owned = cap;
    }
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p != NULL)
        m->owned[m->n_owned++] = p;
    return p;
}

static tc_status get_tensor(tc_error *err, tc_model *m, const float **out, const char *name,
                            int ndim, int64_t d0, int64_t d1, bool required)
{
    *out = NULL;
    const tc_st_tensor *t = tc_weights_find(m->files, name);
    if (t == NULL) {
        if (!required)
            return TC_OK;
        return tc_fail(err, TC_EFORMAT, "%s: missing tensor '%s'",
                       tc_weights_file_of(m->files, tc_weights_get(m->files, 0)), name);
    }
    const char *file = tc_weights_file_of(m->files, t);
    bool ok = t->ndim == ndim && t->shape[0] == d0 && (ndim == 1 || t->shape[1] == d1);
    if (!ok) {
        char got[96] = "";
        for (int i = 0; i < t->ndim && strlen(got) < 70; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), i ? ", %lld" : "%lld",
                     (long long)t->shape[i]);
        if (ndim == 1)
            return tc_fail(err, TC_EFORMAT, "%s: tensor '%s' has shape [%s], expected [%lld]",
                           file, name, got, (long long)d0);
        return tc_fail(err, TC_EFORMAT, "%s: tensor '%s' has shape [%s], expected [%lld, %lld]",
                       file, name, got, (long long)d0, (long long)d1);
    }
    if (t->dtype == TC_DTYPE_F32 && ((uintptr_t)t->data & 3) == 0) {
        *out = t->data;
    } else {
        float *buf = tc_model_alloc(m, t->numel);
        if (buf == NULL)
            return tc_fail(err, TC_ENOMEM, "%s: out of memory converting '%s'", file, name);
        tc_status s = tc_st_to_f32(err, buf, t);
        if (s != TC_OK)
            return tc_fail(err, s, "%s: tensor '%s' has dtype %s; F32, F16 or BF16 expected",
                           file, name, tc_dtype_name(t->dtype));
        *out = buf;
    }
    m->n_params += t->numel;
    return TC_OK;
}

tc_status tc_model_tensor(tc_error *err, tc_model *m, const float **out, const char *name,
                          int ndim, int64_t d0, int64_t d1)
{
    return get_tensor(err, m, out, name, ndim, d0, d1, true);
}

tc_status tc_model_tensor_opt(tc_error *err, tc_model *m, const float **out, const char *name,
                              int ndim, int64_t d0, int64_t d1)
{
    return get_tensor(err, m, out, name, ndim, d0, d1, false);
}

void tc_model_free(tc_model *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_owned; i++)
        free(m->owned[i]);
    free(m->owned);
    free(m->layers);
    tc_weights_close(m->files);
    free(m);
}

tc_status tc_model_load(tc_error *err, tc_model **out, const char *dir)
{
    *out = NULL;
    tc_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
    tc_status s = tc_model_config_load(err, &m->cfg, dir);
    if (s == TC_OK)
        s = tc_weights_open(err, &m->files, dir);
    if (s == TC_OK) {
        m->layers = calloc((size_t)m->cfg.n_layers, sizeof *m->layers);
        if (m->layers == NULL)
            s = tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
    }
    if (s == TC_OK) {
        switch (m->cfg.arch) {
        case TC_ARCH_LLAMA: s = tc_arch_llama_load(err, m); break;
        case TC_ARCH_QWEN2: s = tc_arch_qwen2_load(err, m); break;
        case TC_ARCH_GPT2: s = tc_arch_gpt2_load(err, m); break;
        }
    }
    if (s != TC_OK) {
        tc_model_free(m);
        return s;
    }
    *out = m;
    return TC_OK;
}

const tc_model_config *tc_model_cfg(const tc_model *m)
{
    return &m->cfg;
}

size_t tc_model_params(const tc_model *m)
{
    return m->n_params;
}

size_t tc_model_default_stop(const tc_model *m, int32_t *stop)
{
    size_t n = 0;
    for (int i = 0; i < m->cfg.n_eos; i++)
        stop[n++] = m->cfg.eos_ids[i];
    if (m->cfg.arch == TC_ARCH_LLAMA && m->cfg.bos_id >= 0) {
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= stop[i] == m->cfg.bos_id;
        if (!dup)
            stop[n++] = m->cfg.bos_id;
    }
    return n;
}
