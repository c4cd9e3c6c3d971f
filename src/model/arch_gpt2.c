/* GPT-2: HF GPT2LMHeadModel names, with or without the "transformer."
 * prefix.  Learned positions (wpe), LayerNorm with bias, gelu_new, fused
 * c_attn (q | k | v along the output axis), Conv1D weights stored
 * [in, out] (y = x W + b) which are transposed here to [out, in]. */
#include "model/arch_load.h"

#include <stdio.h>
#include <string.h>

/* c_attn's fused weight and bias land in wq / bq and are split below. */
#define F TC_ARCH_FIELD
static const tc_arch_tensor gpt2_block[] = {
    {"ln_1.weight", F(attn_norm), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"ln_1.bias", F(attn_norm_b), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"ln_2.weight", F(ffn_norm), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"ln_2.bias", F(ffn_norm_b), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"attn.c_attn.weight", F(wq), TC_U_DIM3, TC_U_DIM, TC_NEED_ALWAYS, true},
    {"attn.c_attn.bias", F(bq), TC_U_DIM3, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"attn.c_proj.weight", F(wo), TC_U_DIM, TC_U_DIM, TC_NEED_ALWAYS, true},
    {"attn.c_proj.bias", F(bo), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"mlp.c_fc.weight", F(w_up), TC_U_FFN, TC_U_DIM, TC_NEED_ALWAYS, true},
    {"mlp.c_fc.bias", F(b_up), TC_U_FFN, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"mlp.c_proj.weight", F(w_down), TC_U_DIM, TC_U_FFN, TC_NEED_ALWAYS, true},
    {"mlp.c_proj.bias", F(b_down), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
};
#undef F

/* q, k and v are consecutive row blocks of the fused (3 dim, dim) matrix. */
static void split_qkv(tc_layer_weights *L, int64_t dim)
{
    const float *w = L->wq, *b = L->bq;
    L->wk = w + dim * dim;
    L->wv = w + 2 * dim * dim;
    L->bk = b + dim;
    L->bv = b + 2 * dim;
}

tc_status tc_arch_gpt2_load(tc_error *err, tc_model *m)
{
    const tc_model_config *c = &m->cfg;
    char nm[256], blocks[64];
    const char *pre = tc_weights_find(m->files, "transformer.wte.weight") ? "transformer." : "";
    m->layernorm = true;
    m->learned_pos = true;
    snprintf(nm, sizeof nm, "%swte.weight", pre);
    tc_status s = tc_model_tensor(err, m, &m->tok_embed, nm, 2, c->vocab, c->dim);
    snprintf(nm, sizeof nm, "%swpe.weight", pre);
    if (s == TC_OK)
        s = tc_model_tensor(err, m, &m->pos_embed, nm, 2, c->max_pos, c->dim);
    snprintf(blocks, sizeof blocks, "%sh.", pre);
    if (s == TC_OK)
        s = tc_arch_load_blocks(err, m, blocks, gpt2_block,
                                sizeof gpt2_block / sizeof gpt2_block[0]);
    if (s != TC_OK)
        return s;
    for (int l = 0; l < c->n_layers; l++)
        split_qkv(&m->layers[l], c->dim);
    snprintf(nm, sizeof nm, "%sln_f.weight", pre);
    s = tc_model_tensor(err, m, &m->final_norm, nm, 1, c->dim, 0);
    snprintf(nm, sizeof nm, "%sln_f.bias", pre);
    if (s == TC_OK)
        s = tc_model_tensor(err, m, &m->final_norm_b, nm, 1, c->dim, 0);
    if (s == TC_OK)
        s = tc_arch_load_head(err, m, "lm_head.weight");
    return s;
}
