/* Scores for a Hugging Face model folder: the prunable matrices of each
 * architecture (docs/layer-selection.md §2), read through the safetensors
 * model view and converted exactly to double (§3 step 1). */
#include "tensor/safetensors.h"
#include "select/json_util.h"
#include "select/select.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PER_BLOCK 8

/* Prunable matrices of one block, in module-registration order (§2 table). */
typedef struct arch_layout {
    const char *types[4];         /* config.json model_type values */
    const char *prefixes[2];      /* block tensor prefixes, "%zu" = block */
    const char *paths[MAX_PER_BLOCK];
} arch_layout;

static const arch_layout layouts[] = {
    {{"llama", "mistral", "qwen2", "qwen3"},
     {"model.layers.%zu.", NULL},
     {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
      "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", NULL}},
    {{"opt", NULL, NULL, NULL},
     {"model.decoder.layers.%zu.", "decoder.layers.%zu."},
     {"self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj",
      "fc1", "fc2", NULL, NULL}},
    {{"gpt2", NULL, NULL, NULL},
     {"transformer.h.%zu.", "h.%zu."},
     {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", NULL, NULL, NULL, NULL}},
};

static const arch_layout *find_layout(const char *model_type)
{
    for (size_t a = 0; a < TC_ARRAY_LEN(layouts); a++)
        for (size_t t = 0; t < 4 && layouts[a].types[t]; t++)
            if (strcmp(layouts[a].types[t], model_type) == 0)
                return &layouts[a];
    return NULL;
}

/* model_type and the block count from config.json. */
static tc_status read_config(tc_error *err, char *model_type, size_t type_len,
                             size_t *num_blocks, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    json_t *root = NULL;
    tc_status st = tc_json_load_file(err, &root, path, (size_t)16 << 20);
    if (st != TC_OK)
        return st;
    json_t *t = json_object_get(root, "model_type");
    if (!json_is_string(t)) {
        st = tc_fail(err, TC_EFORMAT, "%s: missing \"model_type\"", path);
        goto out;
    }
    snprintf(model_type, type_len, "%s", json_string_value(t));
    *num_blocks = 0;
    static const char *keys[] = {"num_hidden_layers", "n_layer", "num_layers"};
    for (size_t i = 0; i < TC_ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(root, keys[i]);
        if (json_is_integer(v) && json_integer_value(v) > 0) {
            *num_blocks = (size_t)json_integer_value(v);
            break;
        }
    }
    if (*num_blocks == 0)
        st = tc_fail(err, TC_EFORMAT, "%s: no positive \"num_hidden_layers\"", path);
out:
    json_decref(root);
    return st;
}

typedef struct model_src {
    tc_weights *w;
    const tc_st_tensor **tensors; /* (num_layers) */
} model_src;

/* tc_select_load_fn: exact conversion of a stored weight to double. */
static tc_status load_matrix(void *ctx, tc_error *err, double *w, size_t index)
{
    const model_src *m = ctx;
    const tc_st_tensor *t = m->tensors[index];
    if (t->dtype == TC_DTYPE_F64) {
        memcpy(w, t->data, t->numel * sizeof *w);  /* little-endian host */
        return TC_OK;
    }
    float *f = malloc(t->numel * sizeof *f);
    if (f == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", t->name);
    tc_status st = tc_st_to_f32(err, f, t);
    for (size_t j = 0; st == TC_OK && j < t->numel; j++)
        w[j] = f[j];
    free(f);
    return st;
}

static const tc_st_tensor *find_weight(const tc_weights *w, const arch_layout *a, size_t b,
                                       const char *path, char *name, size_t name_len)
{
    for (size_t p = 0; p < 2 && a->prefixes[p]; p++) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, a->prefixes[p], b);
        snprintf(name, name_len, "%s%s.weight", prefix, path);
        const tc_st_tensor *t = tc_weights_find(w, name);
        if (t != NULL)
            return t;
    }
    char prefix[128];
    snprintf(prefix, sizeof prefix, a->prefixes[0], b);
    snprintf(name, name_len, "%s%s.weight", prefix, path);
    return NULL;
}

static tc_status collect(tc_error *err, tc_select_scores *s, model_src *m,
                         const arch_layout *a, size_t nb, const char *dir)
{
    size_t per = 0;
    while (per < MAX_PER_BLOCK && a->paths[per])
        per++;
    s->num_layers = nb * per;
    s->layers = calloc(s->num_layers, sizeof *s->layers);
    m->tensors = calloc(s->num_layers, sizeof *m->tensors);
    if (!s->layers || !m->tensors)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu matrices", s->num_layers);
    for (size_t b = 0; b < nb; b++)
        for (size_t j = 0; j < per; j++) {
            size_t l = b * per + j;
            char tname[256];
            const tc_st_tensor *t = find_weight(m->w, a, b, a->paths[j], tname, sizeof tname);
            if (t == NULL)
                return tc_fail(err, TC_EFORMAT, "%s: no tensor %s (block %zu of %zu)", dir,
                               tname, b, nb);
            if (t->ndim != 2 || t->shape[0] <= 0 || t->shape[1] <= 0)
                return tc_fail(err, TC_EFORMAT, "%s: %s is not a 2-D matrix",
                               tc_weights_file_of(m->w, t), t->name);
            if (t->dtype != TC_DTYPE_F32 && t->dtype != TC_DTYPE_F16 &&
                t->dtype != TC_DTYPE_BF16 && t->dtype != TC_DTYPE_F64)
                return tc_fail(err, TC_EUNSUPPORTED, "%s: %s has dtype %s, not a float type",
                               tc_weights_file_of(m->w, t), t->name, tc_dtype_name(t->dtype));
            m->tensors[l] = t;
            tc_select_layer *ly = &s->layers[l];
            snprintf(ly->name, sizeof ly->name, "%zu.%s", b, a->paths[j]);
            ly->shape[0] = (uint64_t)t->shape[0];
            ly->shape[1] = (uint64_t)t->shape[1];
            ly->num_parameters = (uint64_t)t->numel;
            ly->block_index = b;
        }
    return TC_OK;
}

/* SHA-256 of dir/model.safetensors, streamed; "" when there is none. */
static tc_status hash_model(tc_error *err, char out[65], const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return TC_OK; /* sharded: the digest is optional */
    tc_sha256 h;
    tc_status st = tc_sha256_init(&h);
    unsigned char *buf = malloc(1 << 20);
    if (st == TC_OK && buf == NULL)
        st = tc_fail(err, TC_ENOMEM, "out of memory");
    size_t n;
    while (st == TC_OK && (n = fread(buf, 1, 1 << 20, f)) > 0)
        tc_sha256_update(&h, buf, n);
    if (st == TC_OK && ferror(f))
        st = tc_fail(err, TC_EIO, "%s: read error", path);
    if (st == TC_OK) {
        uint8_t d[32];
        tc_sha256_final(&h, d);
        tc_hex_encode(out, d, 32);
    } else {
        tc_sha256_free(&h);
    }
    free(buf);
    fclose(f);
    return st;
}

static void model_name_of(char *out, size_t len, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t b = n;
    while (b > 0 && dir[b - 1] != '/')
        b--;
    snprintf(out, len, "%.*s", (int)(n - b), dir + b);
}

tc_status tc_select_scores_from_model(tc_error *err, tc_select_scores *s,
                                      const char *model_dir, const tc_select_options *o)
{
    tc_select_scores_init(s);
    model_src m = {0};
    size_t nb = 0;
    tc_status st = read_config(err, s->model_type, sizeof s->model_type, &nb, model_dir);
    if (st != TC_OK)
        goto out;
    const arch_layout *a = find_layout(s->model_type);
    if (a == NULL) {
        st = tc_fail(err, TC_EUNSUPPORTED,
                     "%s/config.json: model_type \"%s\" has no prunable-matrix layout "
                     "(llama, mistral, qwen2, qwen3, opt, gpt2)",
                     model_dir, s->model_type);
        goto out;
    }
    model_name_of(s->model_name, sizeof s->model_name, model_dir);
    if ((st = tc_weights_open(err, &m.w, model_dir)) != TC_OK)
        goto out;
    if ((st = collect(err, s, &m, a, nb, model_dir)) != TC_OK)
        goto out;
    s->map.num_blocks = nb;
    if ((st = tc_select_scores_compute(err, s, load_matrix, &m, o)) != TC_OK)
        goto out;
    st = hash_model(err, s->model_sha256, model_dir);
out:
    free(m.tensors);
    tc_weights_close(m.w);
    if (st != TC_OK)
        tc_select_scores_free(s);
    return st;
}
