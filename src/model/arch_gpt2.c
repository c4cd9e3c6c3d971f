/* GPT-2: HF GPT2LMHeadModel names, with or without the "transformer."
 * prefix.  Learned positions (wpe), LayerNorm with bias, gelu_new, fused
 * c_attn (q | k | v along the output axis), Conv1D weights stored
 * [in, out] (y = x W + b) which are transposed here to [out, in]. */
#include "model/model_internal.h"

#include <stdio.h>
#include <string.h>

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

/* Loads a Conv1D weight [in, out] and returns its [out, in] transpose. */
static tc_status conv1d(tc_error *err, tc_model *m, const float **out, const char *name,
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

tc_status tc_arch_gpt2_load(tc_error *err, tc_model *m)
{
    const tc_model_config *c = &m->cfg;
    int64_t dim = c->dim, ffn = c->ffn;
    tc_status s;
    char nm[256];
    const char *pre = tc_weights_find(m->files, "transformer.wte.weight") ? "transformer." : "";
    m->layernorm = true;
    m->learned_pos = true;
    snprintf(nm, sizeof nm, "%swte.weight", pre);
    if ((s = tc_model_tensor(err, m, &m->tok_embed, nm, 2, c->vocab, dim)))
        return s;
    snprintf(nm, sizeof nm, "%swpe.weight", pre);
    if ((s = tc_model_tensor(err, m, &m->pos_embed, nm, 2, c->max_pos, dim)))
        return s;
    for (int l = 0; l < c->n_layers; l++) {
        tc_layer_weights *L = &m->layers[l];
        const float *qkv_w, *qkv_b;
#define NAME(suffix) snprintf(nm, sizeof nm, "%sh.%d.%s", pre, l, suffix)
        if ((NAME("ln_1.weight"), s = tc_model_tensor(err, m, &L->attn_norm, nm, 1, dim, 0)) ||
            (NAME("ln_1.bias"), s = tc_model_tensor(err, m, &L->attn_norm_b, nm, 1, dim, 0)) ||
            (NAME("ln_2.weight"), s = tc_model_tensor(err, m, &L->ffn_norm, nm, 1, dim, 0)) ||
            (NAME("ln_2.bias"), s = tc_model_tensor(err, m, &L->ffn_norm_b, nm, 1, dim, 0)) ||
            (NAME("attn.c_attn.weight"), s = conv1d(err, m, &qkv_w, nm, dim, 3 * dim)) ||
            (NAME("attn.c_attn.bias"), s = tc_model_tensor(err, m, &qkv_b, nm, 1, 3 * dim, 0)) ||
            (NAME("attn.c_proj.weight"), s = conv1d(err, m, &L->wo, nm, dim, dim)) ||
            (NAME("attn.c_proj.bias"), s = tc_model_tensor(err, m, &L->bo, nm, 1, dim, 0)) ||
            (NAME("mlp.c_fc.weight"), s = conv1d(err, m, &L->w_up, nm, dim, ffn)) ||
            (NAME("mlp.c_fc.bias"), s = tc_model_tensor(err, m, &L->b_up, nm, 1, ffn, 0)) ||
            (NAME("mlp.c_proj.weight"), s = conv1d(err, m, &L->w_down, nm, ffn, dim)) ||
            (NAME("mlp.c_proj.bias"), s = tc_model_tensor(err, m, &L->b_down, nm, 1, dim, 0)))
            return s;
#undef NAME
        L->wq = qkv_w;
        L->wk = qkv_w + dim * dim;
        L->wv = qkv_w + 2 * dim * dim;
        L->bq = qkv_b;
        L->bk = qkv_b + dim;
        L->bv = qkv_b + 2 * dim;
    }
    snprintf(nm, sizeof nm, "%sln_f.weight", pre);
    if ((s = tc_model_tensor(err, m, &m->final_norm, nm, 1, dim, 0)))
        return s;
    snprintf(nm, sizeof nm, "%sln_f.bias", pre);
    if ((s = tc_model_tensor(err, m, &m->final_norm_b, nm, 1, dim, 0)))
        return s;
    if (c->tie_embeddings)
        m->lm_head = m->tok_embed;
    else if ((s = tc_model_tensor(err, m, &m->lm_head, "lm_head.weight", 2, c->vocab, dim)))
        return s;
    return TC_OK;
}
