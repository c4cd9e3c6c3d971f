/* The architecture table; config.json / generation_config.json ->
 * tc_model_config. */
#include "model/config.h"
#include "model/model_internal.h"
#include "util/json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Prunable matrices of a block in module-registration order (HF modeling
 * files), not in key order. */
static const tc_block_names llama_blocks = {
    {"model.layers.%zu.", NULL},
    {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
     "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", NULL}};
static const tc_block_names opt_blocks = {
    {"model.decoder.layers.%zu.", "decoder.layers.%zu."},
    {"self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj", "fc1",
     "fc2", NULL, NULL}};
static const tc_block_names gpt2_blocks = {
    {"transformer.h.%zu.", "h.%zu."},
    {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", NULL, NULL, NULL, NULL}};

static const tc_arch_info arch_table[] = {
    {"llama", TC_ARCH_LLAMA, tc_arch_llama_load, "num_hidden_layers", &llama_blocks},
    {"mistral", TC_ARCH_LLAMA, tc_arch_llama_load, "num_hidden_layers", &llama_blocks},
    {"qwen2", TC_ARCH_QWEN2, tc_arch_qwen2_load, "num_hidden_layers", &llama_blocks},
    {"qwen3", TC_ARCH_LLAMA, NULL, "num_hidden_layers", &llama_blocks},
    {"opt", TC_ARCH_LLAMA, NULL, "num_hidden_layers", &opt_blocks},
    {"gpt2", TC_ARCH_GPT2, tc_arch_gpt2_load, "n_layer", &gpt2_blocks},
};

const tc_arch_info *tc_arch_find(const char *model_type)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(arch_table); i++)
        if (strcmp(arch_table[i].model_type, model_type) == 0)
            return &arch_table[i];
    return NULL;
}

void tc_arch_list(char *out, size_t len, bool engine_only)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < TC_ARRAY_LEN(arch_table) && n < len; i++) {
        if (engine_only && arch_table[i].load == NULL)
            continue;
        int k = snprintf(out + n, len - n, "%s%s", n ? ", " : "", arch_table[i].model_type);
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

/* The first model_type the engine runs as a. */
const char *tc_arch_name(tc_arch a)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(arch_table); i++)
        if (arch_table[i].load != NULL && arch_table[i].arch == a)
            return arch_table[i].model_type;
    return "?";
}

typedef struct reader {
    tc_error *err;
    const char *path;
    json_t *root;
} reader;

/* A positive integer field; `required` false returns def when absent/null. */
static tc_status get_int(const reader *r, int *out, const char *key, bool required, int def)
{
    json_t *v = json_object_get(r->root, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return tc_fail(r->err, TC_EFORMAT, "%s: missing required field \"%s\"", r->path, key);
        *out = def;
        return TC_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > (1 << 30))
        return tc_fail(r->err, TC_EFORMAT, "%s: \"%s\" must be a positive integer", r->path, key);
    *out = (int)json_integer_value(v);
    return TC_OK;
}

static tc_status get_float(const reader *r, float *out, const char *key, bool required,
                           float def)
{
    json_t *v = json_object_get(r->root, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return tc_fail(r->err, TC_EFORMAT, "%s: missing required field \"%s\"", r->path, key);
        *out = def;
        return TC_OK;
    }
    /* checked after the conversion: 1e300 or 1e-60 are not usable floats */
    float f = json_is_number(v) ? (float)json_number_value(v) : 0.0f;
    if (!(f > 0) || !isfinite(f))
        return tc_fail(r->err, TC_EFORMAT, "%s: \"%s\" must be a positive number within float range",
                       r->path, key);
    *out = f;
    return TC_OK;
}

static tc_status get_bool(const reader *r, bool *out, const char *key, bool def)
{
    json_t *v = json_object_get(r->root, key);
    if (v == NULL || json_is_null(v)) {
        *out = def;
        return TC_OK;
    }
    if (!json_is_boolean(v))
        return tc_fail(r->err, TC_EFORMAT, "%s: \"%s\" must be true or false", r->path, key);
    *out = json_is_true(v);
    return TC_OK;
}

/* bos: an int or null; eos: an int, a list of ints, or null.  Ids outside
 * the vocabulary are rejected. */
static tc_status get_special(const reader *r, tc_model_config *c, bool override)
{
    json_t *b = json_object_get(r->root, "bos_token_id");
    if (json_is_integer(b)) {
        if (json_integer_value(b) < 0 || json_integer_value(b) >= c->vocab)
            return tc_fail(r->err, TC_EFORMAT, "%s: bos_token_id outside the vocabulary", r->path);
        c->bos_id = (int)json_integer_value(b);
    } else if (b != NULL && !json_is_null(b)) {
        return tc_fail(r->err, TC_EFORMAT, "%s: bos_token_id must be an integer", r->path);
    }
    json_t *e = json_object_get(r->root, "eos_token_id");
    if (e == NULL || json_is_null(e))
        return TC_OK;
    if (override)
        c->n_eos = 0;
    size_t n = json_is_array(e) ? json_array_size(e) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_is_array(e) ? json_array_get(e, i) : e;
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= c->vocab)
            return tc_fail(r->err, TC_EFORMAT, "%s: eos_token_id must be ids in the vocabulary",
                           r->path);
        int id = (int)json_integer_value(v);
        bool dup = false;
        for (int k = 0; k < c->n_eos; k++)
            dup |= c->eos_ids[k] == id;
        if (dup)
            continue;
        if (c->n_eos == TC_MAX_STOP_IDS)
            return tc_fail(r->err, TC_EUNSUPPORTED, "%s: more than %d eos ids", r->path,
                           TC_MAX_STOP_IDS);
        c->eos_ids[c->n_eos++] = id;
    }
    return TC_OK;
}

/* A number field of the rope_scaling object: finite, within float range and
 * > 0.  Required for the types that name it (as transformers requires). */
static tc_status get_scaling_float(const reader *r, const json_t *rs, const char *type,
                                   const char *key, float *out)
{
    json_t *v = json_object_get(rs, key);
    if (v == NULL || json_is_null(v))
        return tc_fail(r->err, TC_EFORMAT, "%s: rope_scaling type \"%s\" needs \"%s\"", r->path,
                       type, key);
    float f = json_is_number(v) ? (float)json_number_value(v) : 0.0f;
    if (!(f > 0) || !isfinite(f))
        return tc_fail(r->err, TC_EFORMAT,
                       "%s: rope_scaling \"%s\" must be a positive number within float range",
                       r->path, key);
    *out = f;
    return TC_OK;
}

/* "rope_scaling": null or absent, or an object whose type is named by
 * "rope_type" or by the older "type" (both accepted, as transformers does;
 * when both are present they must agree).  "default" is plain RoPE. */
static tc_status get_rope_scaling(const reader *r, tc_rope_scaling *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->kind = TC_ROPE_DEFAULT;
    json_t *rs = json_object_get(r->root, "rope_scaling");
    if (rs == NULL || json_is_null(rs))
        return TC_OK;
    if (!json_is_object(rs))
        return tc_fail(r->err, TC_EFORMAT, "%s: rope_scaling must be an object or null", r->path);
    json_t *rt = json_object_get(rs, "rope_type"), *lt = json_object_get(rs, "type");
    if ((rt != NULL && !json_is_string(rt)) || (lt != NULL && !json_is_string(lt)))
        return tc_fail(r->err, TC_EFORMAT, "%s: rope_scaling type must be a string", r->path);
    if (rt == NULL && lt == NULL)
        return tc_fail(r->err, TC_EFORMAT, "%s: rope_scaling has no \"rope_type\" (or \"type\")",
                       r->path);
    const char *type = json_string_value(rt != NULL ? rt : lt);
    if (rt != NULL && lt != NULL && strcmp(type, json_string_value(lt)) != 0)
        return tc_fail(r->err, TC_EFORMAT,
                       "%s: rope_scaling \"rope_type\" \"%.64s\" and \"type\" \"%.64s\" disagree",
                       r->path, type, json_string_value(lt));
    tc_status s;
    if (!strcmp(type, "default"))
        return TC_OK;
    if (!strcmp(type, "linear")) {
        sc->kind = TC_ROPE_LINEAR;
        return get_scaling_float(r, rs, type, "factor", &sc->factor);
    }
    if (strcmp(type, "llama3") != 0)
        return tc_fail(r->err, TC_EUNSUPPORTED,
                       "%s: rope_scaling type \"%.64s\" is not supported (default, linear, llama3)",
                       r->path, type);
    sc->kind = TC_ROPE_LLAMA3;
    s = get_scaling_float(r, rs, type, "factor", &sc->factor);
    if (s == TC_OK)
        s = get_scaling_float(r, rs, type, "low_freq_factor", &sc->low_freq_factor);
    if (s == TC_OK)
        s = get_scaling_float(r, rs, type, "high_freq_factor", &sc->high_freq_factor);
    if (s != TC_OK)
        return s;
    if (!(sc->low_freq_factor < sc->high_freq_factor))
        return tc_fail(r->err, TC_EFORMAT,
                       "%s: rope_scaling low_freq_factor must be below high_freq_factor", r->path);
    json_t *om = json_object_get(rs, "original_max_position_embeddings");
    if (om == NULL || json_is_null(om))
        return tc_fail(r->err, TC_EFORMAT,
                       "%s: rope_scaling type \"llama3\" needs \"original_max_position_embeddings\"",
                       r->path);
    if (!json_is_integer(om) || json_integer_value(om) <= 0 || json_integer_value(om) > (1 << 30))
        return tc_fail(r->err, TC_EFORMAT,
                       "%s: rope_scaling \"original_max_position_embeddings\" must be a positive "
                       "integer", r->path);
    sc->original_max_pos = (int)json_integer_value(om);
    return TC_OK;
}

static tc_status load_llama_like(const reader *r, tc_model_config *c)
{
    tc_status s;
    s = get_int(r, &c->dim, "hidden_size", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->ffn, "intermediate_size", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->n_layers, "num_hidden_layers", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->n_heads, "num_attention_heads", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->vocab, "vocab_size", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->n_kv_heads, "num_key_value_heads", false, c->n_heads);
    if (s == TC_OK)
        s = get_int(r, &c->head_dim, "head_dim", false, c->dim / c->n_heads);
    if (s == TC_OK)
        s = get_int(r, &c->max_pos, "max_position_embeddings", false, 2048);
    if (s == TC_OK)
        s = get_float(r, &c->rope_theta, "rope_theta", false, 10000.0f);
    if (s == TC_OK)
        s = get_float(r, &c->norm_eps, "rms_norm_eps", false, 1e-6f);
    if (s == TC_OK)
        s = get_bool(r, &c->tie_embeddings, "tie_word_embeddings", false);
    if (s != TC_OK)
        return s;
    if (c->arch == TC_ARCH_QWEN2) {
        c->qkv_bias = true;
    } else {
        bool ab = false;
        s = get_bool(r, &ab, "attention_bias", false);
        if (s == TC_OK)
            s = get_bool(r, &c->mlp_bias, "mlp_bias", false);
        if (s != TC_OK)
            return s;
        c->qkv_bias = c->o_bias = ab;
    }
    if (c->arch == TC_ARCH_QWEN2) {
        bool sw = false;
        s = get_bool(r, &sw, "use_sliding_window", false);
        if (s != TC_OK)
            return s;
        if (sw)
            return tc_fail(r->err, TC_EUNSUPPORTED, "%s: use_sliding_window is not supported",
                           r->path);
    } else {
        s = get_int(r, &c->sliding_window, "sliding_window", false, 0);
        if (s != TC_OK)
            return s;
    }
    s = get_rope_scaling(r, &c->rope_scaling);
    if (s != TC_OK)
        return s;
    json_t *act = json_object_get(r->root, "hidden_act");
    if (act != NULL && !json_is_null(act) &&
        (!json_is_string(act) || strcmp(json_string_value(act), "silu") != 0))
        return tc_fail(r->err, TC_EUNSUPPORTED, "%s: hidden_act %s is not supported (silu only)",
                       r->path, json_is_string(act) ? json_string_value(act) : "?");
    c->act = TC_ACT_SILU;
    return TC_OK;
}

static tc_status load_gpt2(const reader *r, tc_model_config *c)
{
    tc_status s;
    s = get_int(r, &c->dim, "n_embd", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->n_layers, "n_layer", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->n_heads, "n_head", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->vocab, "vocab_size", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->max_pos, "n_positions", true, 0);
    if (s == TC_OK)
        s = get_int(r, &c->ffn, "n_inner", false, c->dim <= (1 << 30) / 4 ? 4 * c->dim : -1);
    if (s == TC_OK)
        s = get_float(r, &c->norm_eps, "layer_norm_epsilon", false, 1e-5f);
    if (s == TC_OK)
        s = get_bool(r, &c->tie_embeddings, "tie_word_embeddings", true);
    if (s != TC_OK)
        return s;
    if (c->ffn <= 0 || c->ffn > (1 << 30))   /* the 4·n_embd default must fit too */
        return tc_fail(r->err, TC_EFORMAT, "%s: n_inner (4 * n_embd by default) is too large",
                       r->path);
    c->n_kv_heads = c->n_heads;
    c->head_dim = c->dim / c->n_heads;
    c->qkv_bias = c->o_bias = c->mlp_bias = true;
    bool flag = false;
    s = get_bool(r, &flag, "scale_attn_by_inverse_layer_idx", false);
    if (s != TC_OK)
        return s;
    if (flag)
        return tc_fail(r->err, TC_EUNSUPPORTED, "%s: scale_attn_by_inverse_layer_idx", r->path);
    s = get_bool(r, &flag, "scale_attn_weights", true);
    if (s != TC_OK)
        return s;
    if (!flag)
        return tc_fail(r->err, TC_EUNSUPPORTED, "%s: scale_attn_weights false", r->path);
    json_t *act = json_object_get(r->root, "activation_function");
    const char *a = json_is_string(act) ? json_string_value(act) : "gelu_new";
    if (!strcmp(a, "gelu_new") || !strcmp(a, "gelu_pytorch_tanh"))
        c->act = TC_ACT_GELU_NEW;
    else
        return tc_fail(r->err, TC_EUNSUPPORTED, "%s: activation_function %s is not supported",
                       r->path, a);
    return TC_OK;
}

static tc_status check(const reader *r, tc_model_config *c)
{
    if (c->dim % c->n_heads != 0 && c->arch == TC_ARCH_GPT2)
        return tc_fail(r->err, TC_EFORMAT, "%s: n_embd is not a multiple of n_head", r->path);
    if (c->n_heads % c->n_kv_heads != 0)
        return tc_fail(r->err, TC_EFORMAT,
                       "%s: num_attention_heads %d is not a multiple of num_key_value_heads %d",
                       r->path, c->n_heads, c->n_kv_heads);
    if (c->head_dim <= 0 || (c->arch != TC_ARCH_GPT2 && c->head_dim % 2 != 0))
        return tc_fail(r->err, TC_EFORMAT, "%s: head_dim %d must be positive and even", r->path,
                       c->head_dim);
    return TC_OK;
}

/* config.json and generation_config.json are a few kilobytes */
#define CONFIG_MAX_FILE ((size_t)16 << 20)

tc_status tc_model_config_load(tc_error *err, tc_model_config *cfg, const char *dir)
{
    char path[4096], gpath[4096];
    tc_model_config c;
    memset(&c, 0, sizeof c);
    c.bos_id = -1;
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(gpath, sizeof gpath, "%s/generation_config.json", dir);
    reader r = {err, path, NULL};
    tc_status s = tc_json_load_object(err, &r.root, path, CONFIG_MAX_FILE, NULL);
    if (s != TC_OK)
        return s;
    json_t *mt = json_object_get(r.root, "model_type");
    if (!json_is_string(mt)) {
        s = tc_fail(err, TC_EFORMAT, "%s: missing required field \"model_type\"", path);
        goto out;
    }
    const char *t = json_string_value(mt);
    snprintf(c.model_type, sizeof c.model_type, "%s", t);
    const tc_arch_info *a = tc_arch_find(t);
    if (a != NULL && a->load != NULL) {
        c.arch = a->arch;
        s = c.arch == TC_ARCH_GPT2 ? load_gpt2(&r, &c) : load_llama_like(&r, &c);
    } else {
        char names[256];
        tc_arch_list(names, sizeof names, true);
        s = tc_fail(err, TC_EUNSUPPORTED, "%s: model_type \"%s\" is not supported (%s)", path, t,
                    names);
    }
    if (s == TC_OK)
        s = check(&r, &c);
    if (s == TC_OK)
        s = get_special(&r, &c, false);
    if (s != TC_OK)
        goto out;
    json_decref(r.root);
    r.root = NULL;
    if (access(gpath, F_OK) == 0) {
        r.path = gpath;
        s = tc_json_load_object(err, &r.root, gpath, CONFIG_MAX_FILE, NULL);
        if (s != TC_OK)
            goto out;
        s = get_special(&r, &c, true);
        if (s != TC_OK)
            goto out;
    }
    *cfg = c;
out:
    json_decref(r.root);
    return s;
}
