/* The loaded model's layout, shared by the architecture files and the
 * forward pass.  Every matrix is row-major [out, in] (nn.Linear layout);
 * GPT-2's Conv1D weights are transposed at load.  Pointers either point into
 * the mmapped file (F32, 4-byte aligned) or into buffers the model owns. */
#ifndef TC_MODEL_INTERNAL_H
#define TC_MODEL_INTERNAL_H

#include "model/engine.h"

typedef struct tc_layer_weights {
    const float *attn_norm, *attn_norm_b; /* (dim); _b LayerNorm only */
    const float *wq, *wk, *wv;            /* (q_dim, dim), (kv_dim, dim) x2 */
    const float *bq, *bk, *bv;            /* (q_dim), (kv_dim) or NULL */
    const float *wo, *bo;                 /* (dim, q_dim), (dim) or NULL */
    const float *ffn_norm, *ffn_norm_b;   /* (dim) */
    const float *w_gate;                  /* (ffn, dim), NULL for GPT-2 */
    const float *w_up, *b_up;             /* (ffn, dim), (ffn) or NULL */
    const float *w_down, *b_down;         /* (dim, ffn), (dim) or NULL */
    const float *b_gate;                  /* (ffn) or NULL */
} tc_layer_weights;

struct tc_model {
    tc_model_config cfg;
    tc_weights *files;
    bool layernorm;           /* LayerNorm (GPT-2) instead of RMSNorm */
    bool learned_pos;         /* learned position table instead of RoPE */
    const float *tok_embed;   /* (vocab, dim) */
    const float *pos_embed;   /* (max_pos, dim) or NULL */
    tc_layer_weights *layers; /* (n_layers) */
    const float *final_norm, *final_norm_b; /* (dim) */
    const float *lm_head;     /* (vocab, dim); == tok_embed when tied */
    size_t n_params;
    void **owned;             /* converted / transposed buffers */
    size_t n_owned, cap_owned;
    bool copy_f32;            /* copy F32 weights into huge-page buffers */
    const void **used;        /* tensors the architecture read (tc_st_tensor *) */
    size_t n_used, cap_used;
};

/* An f32 view of tensor `name` with the expected shape (ndim dims, listed);
 * converts/copies when the file's tensor is not aligned F32.  A missing
 * tensor or a shape mismatch is TC_EFORMAT naming the file and tensor. */
tc_status tc_model_tensor(tc_error *err, tc_model *m, const float **out, const char *name,
                          int ndim, int64_t d0, int64_t d1) TC_MUST_CHECK;
/* Like tc_model_tensor but returns NULL (TC_OK) when the tensor is absent. */
tc_status tc_model_tensor_opt(tc_error *err, tc_model *m, const float **out, const char *name,
                              int ndim, int64_t d0, int64_t d1) TC_MUST_CHECK;
/* A fresh owned buffer of n floats (freed with the model). */
float *tc_model_alloc(tc_model *m, size_t n);

/* Architecture loaders: fill m->layers and the other pointers. */
tc_status tc_arch_llama_load(tc_error *err, tc_model *m) TC_MUST_CHECK;
tc_status tc_arch_qwen2_load(tc_error *err, tc_model *m) TC_MUST_CHECK;
tc_status tc_arch_gpt2_load(tc_error *err, tc_model *m) TC_MUST_CHECK;
/* The llama-family layout (model.layers.N.self_attn.*, mlp.{gate,up,down}),
 * shared by llama, mistral and qwen2. */
tc_status tc_arch_llama_family_load(tc_error *err, tc_model *m) TC_MUST_CHECK;

#endif
