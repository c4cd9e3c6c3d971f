/* Loading an architecture's tensors from a table: one row per block tensor
 * (its name after the block prefix, where it goes, its shape in the model's
 * units, whether it must be there), read for every block, and the few
 * tensors outside the blocks. */
#include "model/arch_load.h"

#include <stdio.h>

/* dst (cols, rows) = transpose of src (rows, cols). */
static void transpose(float *dst, const float *src, size_t rows, size_t cols)
{
    const size_t B = 32;
    for (size_t r0 = 0; r0 < rows; r0 += B)
        for (size_t c0 = 0; c0 < cols; c0 += B)
            for (size_t r = r0; r < rows && r < r0 + B; r++)
                for (size_t c = c0; c < cols && c < c0 + B; c++)
                    dst[c * rows + r] = src[r * cols + c];
}

static int64_t unit_size(const tc_model_config *c, tc_arch_unit u)
{
    switch (u) {
    case TC_U_DIM: return c->dim;
    case TC_U_DIM3: return 3 * (int64_t)c->dim;
    case TC_U_FFN: return c->ffn;
    case TC_U_Q: return (int64_t)c->n_heads * c->head_dim;
    case TC_U_KV: return (int64_t)c->n_kv_heads * c->head_dim;
    case TC_U_NONE: break;
    }
    return 0;
}

static bool is_needed(const tc_model_config *c, tc_arch_need need)
{
    switch (need) {
    case TC_NEED_QKV_BIAS: return c->qkv_bias;
    case TC_NEED_O_BIAS: return c->o_bias;
    case TC_NEED_MLP_BIAS: return c->mlp_bias;
    case TC_NEED_ALWAYS: break;
    }
    return true;
}

/* A stored [in, out] matrix (GPT-2's Conv1D) as its [out, in] transpose. */
static tc_status load_transposed(tc_error *err, tc_model *m, const float **out, const char *name,
                                 int64_t in, int64_t outd)
{
    const float *w;
    tc_status s = tc_model_tensor(err, m, &w, name, 2, in, outd);
    if (s != TC_OK)
        return s;
    float *t = tc_model_alloc(m, (size_t)(in * outd));
    if (t == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory transposing '%s'", name);
    transpose(t, w, (size_t)in, (size_t)outd);
    *out = t;
    return TC_OK;
}

static tc_status load_one(tc_error *err, tc_model *m, tc_layer_weights *L,
                          const tc_arch_tensor *t, const char *name)
{
    const tc_model_config *c = &m->cfg;
    const float **slot = (const float **)((char *)L + t->field);
    int64_t d0 = unit_size(c, t->rows), d1 = unit_size(c, t->cols);
    if (t->transposed)
        return load_transposed(err, m, slot, name, d1, d0);
    int ndim = t->cols == TC_U_NONE ? 1 : 2;
    if (is_needed(c, t->need))
        return tc_model_tensor(err, m, slot, name, ndim, d0, d1);
    return tc_model_tensor_opt(err, m, slot, name, ndim, d0, d1);
}

tc_status tc_arch_load_blocks(tc_error *err, tc_model *m, const char *prefix,
                              const tc_arch_tensor *table, size_t n)
{
    char name[256];
    for (int l = 0; l < m->cfg.n_layers; l++) {
        for (size_t i = 0; i < n; i++) {
            snprintf(name, sizeof name, "%s%d.%s", prefix, l, table[i].suffix);
            tc_status s = load_one(err, m, &m->layers[l], &table[i], name);
            if (s != TC_OK)
                return s;
        }
    }
    return TC_OK;
}

tc_status tc_arch_load_head(tc_error *err, tc_model *m, const char *name)
{
    const tc_model_config *c = &m->cfg;
    /* Tied: Hugging Face ignores a stored lm_head.weight and uses the
     * embedding. */
    if (c->tie_embeddings) {
        m->lm_head = m->tok_embed;
        return TC_OK;
    }
    return tc_model_tensor(err, m, &m->lm_head, name, 2, c->vocab, c->dim);
}
