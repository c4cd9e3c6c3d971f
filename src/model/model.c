/* Model folder loading: config, weights, architecture dispatch. */
#include "model/model_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/verify.h"

/* Decoding reads every weight once per token, so its speed is the memory
 * bandwidth one core gets.  Weights in 2 MiB pages (Linux transparent huge
 * pages) decode 1-7 % faster than in the 4 KiB pages of the file mapping on
 * the reference machine (BENCHMARKS.md), but copying them there costs
 * 0.3-1.4 s of page faults for 438 MB on the same machine (a virtual one:
 * memory first touched is slow), which pays off only after a few hundred
 * tokens.  So it is opt-in: with TC_HUGE_PAGES=1 in the environment, F32
 * tensors are copied out of the mapping into 2 MiB-aligned buffers advised
 * to use huge pages.  Converted (F16, BF16) tensors always get such buffers
 * when they are 2 MiB or more. */
#define HUGE_PAGE ((size_t)1 << 21)

static bool huge_pages_wanted(void)
{
#if defined(MADV_HUGEPAGE)
    const char *want = getenv("TC_HUGE_PAGES");
    if (want == NULL || strcmp(want, "1") != 0)
        return false;
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == NULL)
        return false;
    char line[128] = "";
    bool ok = fgets(line, sizeof line, f) != NULL &&
              (strstr(line, "[always]") != NULL || strstr(line, "[madvise]") != NULL);
    fclose(f);
    return ok;
#else
    return false;
#endif
}

static void *alloc_weights(size_t bytes)
{
    void *p = NULL;
    if (bytes < HUGE_PAGE)
        return aligned_alloc(64, (bytes + 63) / 64 * 64);
    size_t len = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, len) != 0)
        return NULL;
#if defined(MADV_HUGEPAGE)
    (void)madvise(p, len, MADV_HUGEPAGE);   /* advice only: fine if refused */
#endif
    return p;
}

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
    float *p = alloc_weights(n ? n * sizeof(float) : 1);
    if (p != NULL)
        m->owned[m->n_owned++] = p;
    return p;
}

/* Remembers that the architecture read tensor t (see check_all_used). */
static tc_status note_used(tc_error *err, tc_model *m, const tc_st_tensor *t)
{
    if (m->n_used == m->cap_used) {
        size_t cap = m->cap_used ? 2 * m->cap_used : 64;
        const void **u = realloc(m->used, cap * sizeof *u);
        if (u == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory");
        m->used = u;
        m->cap_used = cap;
    }
    m->used[m->n_used++] = t;
    return TC_OK;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;
    return (x > y) - (x < y);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Tensors a checkpoint may hold that the computation never reads, by
 * design: RoPE's inv_freq buffers (recomputed from config.json), GPT-2's
 * causal-mask buffers (attn.bias, attn.masked_bias: constants), and
 * lm_head.weight when the embeddings are tied (Hugging Face replaces it
 * with the embedding matrix). */
static bool ignorable(const tc_model *m, const char *name)
{
    if (ends_with(name, ".rotary_emb.inv_freq"))
        return true;
    if (m->cfg.arch == TC_ARCH_GPT2 &&
        (ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias")))
        return true;
    return m->cfg.tie_embeddings && !strcmp(name, "lm_head.weight");
}

/* Every tensor in the weight files is read by the architecture config.json
 * describes, or is ignorable: weights the config does not use mean the
 * config and the weights disagree (e.g. fewer layers than the checkpoint
 * holds), and the model would compute something else than was trained. */
static tc_status check_all_used(tc_error *err, tc_model *m)
{
    qsort(m->used, m->n_used, sizeof *m->used, cmp_ptr);
    for (size_t i = 0; i < tc_weights_count(m->files); i++) {
        const tc_st_tensor *t = tc_weights_get(m->files, i);
        const void *key = t;
        if (bsearch(&key, m->used, m->n_used, sizeof *m->used, cmp_ptr) == NULL &&
            !ignorable(m, t->name))
            return tc_fail(err, TC_EFORMAT,
                           "%s: tensor '%s' is not used by the %s model config.json describes "
                           "(%d layers): the config and the weights disagree",
                           tc_weights_file_of(m->files, t), t->name, m->cfg.model_type,
                           m->cfg.n_layers);
    }
    return TC_OK;
}

static tc_status get_tensor(tc_error *err, tc_model *m, const float **out, const char *name,
                            int ndim, int64_t d0, int64_t d1, bool required)
{
    *out = NULL;
    TC_VERIFY_CHECK((ndim == 1 || ndim == 2) && d0 > 0 && (ndim == 1 || d1 > 0));
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
    /* the caller reads exactly d0·d1 floats */
    TC_VERIFY_CHECK(t->numel == (size_t)d0 * (ndim == 2 ? (size_t)d1 : 1));
    bool aligned_f32 = t->dtype == TC_DTYPE_F32 && ((uintptr_t)t->data & 3) == 0;
    float *copy = NULL;
    if (aligned_f32 && m->copy_f32 && t->numel * sizeof(float) >= HUGE_PAGE)
        copy = tc_model_alloc(m, t->numel);        /* NULL: stay in the mapping */
    if (copy != NULL) {
        memcpy(copy, t->data, t->numel * sizeof(float));
        *out = copy;
    } else if (aligned_f32) {
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
    return note_used(err, m, t);
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
    free(m->used);
    tc_weights_close(m->files);
    free(m);
}

tc_status tc_model_load(tc_error *err, tc_model **out, const char *dir)
{
    *out = NULL;
    tc_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
    m->copy_f32 = huge_pages_wanted();
    tc_status s = tc_model_config_load(err, &m->cfg, dir);
    if (s == TC_OK)
        s = tc_weights_open(err, &m->files, dir);
    if (s == TC_OK) {
        m->layers = calloc((size_t)m->cfg.n_layers, sizeof *m->layers);
        if (m->layers == NULL)
            s = tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
    }
    if (s == TC_OK)
        s = tc_arch_find(m->cfg.model_type)->load(err, m);
    if (s == TC_OK)
        s = check_all_used(err, m);
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
