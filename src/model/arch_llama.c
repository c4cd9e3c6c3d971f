/* Llama (also Mistral-style configs): HF LlamaForCausalLM names.
 *   model.embed_tokens.weight (vocab, dim)
 *   model.layers.N.input_layernorm.weight, post_attention_layernorm.weight
 *   model.layers.N.self_attn.{q,k,v,o}_proj.{weight,bias}
 *   model.layers.N.mlp.{gate,up,down}_proj.{weight,bias}
 *   model.norm.weight, lm_head.weight (absent or equal when tied) */
#include "model/model_internal.h"

#include <stdio.h>

tc_status tc_arch_llama_family_load(tc_error *err, tc_model *m)
{
    const tc_model_config *c = &m->cfg;
    int64_t dim = c->dim, q = (int64_t)c->n_heads * c->head_dim,
            kv = (int64_t)c->n_kv_heads * c->head_dim, ffn = c->ffn;
    tc_status s;
    char nm[256];
    m->layernorm = false;
    m->learned_pos = false;
    if ((s = tc_model_tensor(err, m, &m->tok_embed, "model.embed_tokens.weight", 2, c->vocab, dim)))
        return s;
    for (int l = 0; l < c->n_layers; l++) {
        tc_layer_weights *L = &m->layers[l];
#define W(field, suffix, nd, a, b, req)                                               \
    do {                                                                              \
        snprintf(nm, sizeof nm, "model.layers.%d.%s", l, suffix);                     \
        s = (req) ? tc_model_tensor(err, m, &L->field, nm, nd, a, b)                  \
                  : tc_model_tensor_opt(err, m, &L->field, nm, nd, a, b);             \
        if (s != TC_OK)                                                               \
            return s;                                                                 \
    } while (0)
        W(attn_norm, "input_layernorm.weight", 1, dim, 0, true);
        W(ffn_norm, "post_attention_layernorm.weight", 1, dim, 0, true);
        W(wq, "self_attn.q_proj.weight", 2, q, dim, true);
        W(wk, "self_attn.k_proj.weight", 2, kv, dim, true);
        W(wv, "self_attn.v_proj.weight", 2, kv, dim, true);
        W(wo, "self_attn.o_proj.weight", 2, dim, q, true);
        W(bq, "self_attn.q_proj.bias", 1, q, 0, c->qkv_bias);
        W(bk, "self_attn.k_proj.bias", 1, kv, 0, c->qkv_bias);
        W(bv, "self_attn.v_proj.bias", 1, kv, 0, c->qkv_bias);
        W(bo, "self_attn.o_proj.bias", 1, dim, 0, c->o_bias);
        W(w_gate, "mlp.gate_proj.weight", 2, ffn, dim, true);
        W(w_up, "mlp.up_proj.weight", 2, ffn, dim, true);
        W(w_down, "mlp.down_proj.weight", 2, dim, ffn, true);
        W(b_gate, "mlp.gate_proj.bias", 1, ffn, 0, c->mlp_bias);
        W(b_up, "mlp.up_proj.bias", 1, ffn, 0, c->mlp_bias);
        W(b_down, "mlp.down_proj.bias", 1, dim, 0, c->mlp_bias);
#undef W
    }
    if ((s = tc_model_tensor(err, m, &m->final_norm, "model.norm.weight", 1, dim, 0)))
        return s;
    /* Tied: HF ignores a stored lm_head.weight and uses the embedding. */
    if (c->tie_embeddings) {
        m->lm_head = m->tok_embed;
    } else if ((s = tc_model_tensor(err, m, &m->lm_head, "lm_head.weight", 2, c->vocab, dim))) {
        return s;
    }
    return TC_OK;
}

tc_status tc_arch_llama_load(tc_error *err, tc_model *m)
{
    return tc_arch_llama_family_load(err, m);
}
