/* Model configuration: config.json (+ generation_config.json) of a Hugging
 * Face model folder, reduced to what the engine needs. */
#ifndef TC_MODEL_CONFIG_H
#define TC_MODEL_CONFIG_H

#include "util/util.h"

#define TC_MAX_STOP_IDS 16

typedef enum tc_arch { TC_ARCH_LLAMA, TC_ARCH_QWEN2, TC_ARCH_GPT2 } tc_arch;
typedef enum tc_act { TC_ACT_SILU, TC_ACT_GELU_NEW, TC_ACT_GELU } tc_act;

/* config.json "rope_scaling" (Hugging Face transformers' rope_type):
 * LINEAR divides every inverse frequency by factor (positions / factor);
 * LLAMA3 divides those whose wavelength is above
 * original_max_pos / low_freq_factor by factor, keeps those below
 * original_max_pos / high_freq_factor, and interpolates smoothly between. */
typedef enum tc_rope_kind { TC_ROPE_DEFAULT, TC_ROPE_LINEAR, TC_ROPE_LLAMA3 } tc_rope_kind;

typedef struct tc_rope_scaling {
    tc_rope_kind kind;
    float factor;           /* > 0 (LINEAR, LLAMA3) */
    float low_freq_factor;  /* LLAMA3: 0 < low < high */
    float high_freq_factor;
    int original_max_pos;   /* LLAMA3: original_max_position_embeddings */
} tc_rope_scaling;

/* Invariants after tc_model_config_load: every size > 0, n_heads is a
 * multiple of n_kv_heads, head_dim is even (RoPE), eos ids in [0, vocab). */
typedef struct tc_model_config {
    tc_arch arch;
    char model_type[32];   /* as written in config.json ("llama", "mistral", ...) */
    int dim;               /* hidden_size / n_embd */
    int n_layers;
    int n_heads;
    int n_kv_heads;        /* == n_heads without GQA; 1 for MQA */
    int head_dim;          /* head_dim, else dim / n_heads */
    int ffn;               /* intermediate_size / n_inner (4 * dim when null) */
    int vocab;
    int max_pos;           /* max_position_embeddings / n_positions */
    int sliding_window;    /* mistral: attention window (0 = none); sessions
                              hold at most this many positions, where sliding
                              and full attention agree */
    float rope_theta;      /* RoPE base (llama, qwen2) */
    tc_rope_scaling rope_scaling;
    float norm_eps;        /* rms_norm_eps / layer_norm_epsilon */
    bool tie_embeddings;   /* lm_head shares the token embedding */
    bool qkv_bias;         /* q/k/v projections have biases (qwen2, gpt2) */
    bool mlp_bias;         /* llama "mlp_bias" */
    bool o_bias;           /* llama "attention_bias" also biases o_proj */
    tc_act act;
    int bos_id;            /* -1 when absent */
    int eos_ids[TC_MAX_STOP_IDS];
    int n_eos;             /* from config.json and generation_config.json */
} tc_model_config;

/* Reads `dir`/config.json and, when present, `dir`/generation_config.json
 * (its bos/eos override; eos may be an int or a list).  A missing required
 * field is TC_EFORMAT naming config.json and the field; an unknown
 * model_type, rope_scaling type (other than default, linear and llama3) or
 * activation is TC_EUNSUPPORTED. */
tc_status tc_model_config_load(tc_error *err, tc_model_config *cfg, const char *dir) TC_MUST_CHECK;

const char *tc_arch_name(tc_arch a);

/* ---- the architecture table --------------------------------------------- */

#define TC_ARCH_MAX_MATRICES 8

struct tc_model; /* model/engine.h */

/* The tensor names of a block that layer selection reads
 * (docs/layer-selection.md §2).  A block's tensors are named
 * prefix + matrix + ".weight", the prefix formatted with the block index. */
typedef struct tc_block_names {
    const char *prefixes[2];                       /* "%zu" = block; [1] or NULL */
    const char *matrices[TC_ARCH_MAX_MATRICES];    /* module-registration order,
                                                      NULL after the last */
} tc_block_names;

/* One row per config.json model_type: what the engine runs and what layer
 * selection reads.  An architecture is added here and in its arch_<name>.c. */
typedef struct tc_arch_info {
    const char *model_type;      /* config.json "model_type" */
    tc_arch arch;                /* the engine's architecture (when load is set) */
    /* Fills the model's layer layout from the weights (arch_<name>.c);
     * NULL when the engine does not run this model_type. */
    tc_status (*load)(tc_error *err, struct tc_model *m);
    const char *n_layers_key;    /* config.json field holding the block count */
    const tc_block_names *blocks;
} tc_arch_info;

/* The row of model_type, or NULL when the table has none. */
const tc_arch_info *tc_arch_find(const char *model_type);

/* The table's model types, comma-separated in table order ("llama,
 * mistral, ..."), only those the engine runs when engine_only. */
void tc_arch_list(char *out, size_t len, bool engine_only);

#endif
