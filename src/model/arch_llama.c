/* Llama (also Mistral-style configs): HF LlamaForCausalLM names.
 *   model.embed_tokens.weight (vocab, dim)
 *   model.layers.N.input_layernorm.weight, post_attention_layernorm.weight
 *   model.layers.N.self_attn.{q,k,v,o}_proj.{weight,bias}
 *   model.layers.N.mlp.{gate,up,down}_proj.{weight,bias}
 *   model.norm.weight, lm_head.weight (absent or equal when tied) */
#include "model/arch_load.h"

#define F TC_ARCH_FIELD
static const tc_arch_tensor llama_block[] = {
    {"input_layernorm.weight", F(attn_norm), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"post_attention_layernorm.weight", F(ffn_norm), TC_U_DIM, TC_U_NONE, TC_NEED_ALWAYS, false},
    {"self_attn.q_proj.weight", F(wq), TC_U_Q, TC_U_DIM, TC_NEED_ALWAYS, false},
    {"self_attn.k_proj.weight", F(wk), TC_U_KV, TC_U_DIM, TC_NEED_ALWAYS, false},
    {"self_attn.v_proj.weight", F(wv), TC_U_KV, TC_U_DIM, TC_NEED_ALWAYS, false},
    {"self_attn.o_proj.weight", F(wo), TC_U_DIM, TC_U_Q, TC_NEED_ALWAYS, false},
    {"self_attn.q_proj.bias", F(bq), TC_U_Q, TC_U_NONE, TC_NEED_QKV_BIAS, false},
    {"self_attn.k_proj.bias", F(bk), TC_U_KV, TC_U_NONE, TC_NEED_QKV_BIAS, false},
    {"self_attn.v_proj.bias", F(bv), TC_U_KV, TC_U_NONE, TC_NEED_QKV_BIAS, false},
    {"self_attn.o_proj.bias", F(bo), TC_U_DIM, TC_U_NONE, TC_NEED_O_BIAS, false},
    {"mlp.gate_proj.weight", F(w_gate), TC_U_FFN, TC_U_DIM, TC_NEED_ALWAYS, false},
    {"mlp.up_proj.weight", F(w_up), TC_U_FFN, TC_U_DIM, TC_NEED_ALWAYS, false},
    {"mlp.down_proj.weight", F(w_down), TC_U_DIM, TC_U_FFN, TC_NEED_ALWAYS, false},
    {"mlp.gate_proj.bias", F(b_gate), TC_U_FFN, TC_U_NONE, TC_NEED_MLP_BIAS, false},
    {"mlp.up_proj.bias", F(b_up), TC_U_FFN, TC_U_NONE, TC_NEED_MLP_BIAS, false},
    {"mlp.down_proj.bias", F(b_down), TC_U_DIM, TC_U_NONE, TC_NEED_MLP_BIAS, false},
};
#undef F

tc_status tc_arch_llama_family_load(tc_error *err, tc_model *m)
{
    const tc_model_config *c = &m->cfg;
    m->layernorm = false;
    m->learned_pos = false;
    tc_status s = tc_model_tensor(err, m, &m->tok_embed, "model.embed_tokens.weight", 2,
                                  c->vocab, c->dim);
    if (s == TC_OK)
        s = tc_arch_load_blocks(err, m, "model.layers.", llama_block,
                                sizeof llama_block / sizeof llama_block[0]);
    if (s == TC_OK)
        s = tc_model_tensor(err, m, &m->final_norm, "model.norm.weight", 1, c->dim, 0);
    if (s == TC_OK)
        s = tc_arch_load_head(err, m, "lm_head.weight");
    return s;
}

tc_status tc_arch_llama_load(tc_error *err, tc_model *m)
{
    return tc_arch_llama_family_load(err, m);
}
