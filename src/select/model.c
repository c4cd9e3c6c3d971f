/* Scores for a Hugging Face model folder: the prunable matrices of each
 * architecture (docs/layer-selection.md §2; the table in model/config.c),
 * read through the safetensors model view and converted exactly to double
 * (§3 step 1). */
#include "model/config.h"
#include "util/json.h"
#include "select/select.h"
#include "tensor/safetensors.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* model_type, its row of the architecture table and the block count from
 * config.json. */
static tc_status read_config(tc_error *err, char *model_type, size_t type_len,
                             const tc_arch_info **arch, size_t *num_blocks, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    json_t *root = NULL;
    tc_status st = tc_json_load(err, &root, path, (size_t)16 << 20, NULL);
    if (st != TC_OK)
        return st;
    json_t *t = json_object_get(root, "model_type");
    if (!json_is_string(t)) {
        st = tc_fail(err, TC_EFORMAT, "%s: missing \"model_type\"", path);
        goto out;
    }
    snprintf(model_type, type_len, "%s", json_string_value(t));
    *arch = tc_arch_find(json_string_value(t));
    if (*arch == NULL) {
        char names[256];
        tc_arch_list(names, sizeof names, false);
        st = tc_fail(err, TC_EUNSUPPORTED,
                     "%s: model_type \"%s\" has no prunable-matrix layout (%s)", path,
                     model_type, names);
        goto out;
    }
    json_t *v = json_object_get(root, (*arch)->n_layers_key);
    *num_blocks = json_is_integer(v) && json_integer_value(v) > 0 ? (size_t)json_integer_value(v)
                                                                   : 0;
    if (*num_blocks == 0)
        st = tc_fail(err, TC_EFORMAT, "%s: no positive \"%s\"", path, (*arch)->n_layers_key);
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

static const tc_st_tensor *find_weight(const tc_weights *w, const tc_block_names *a, size_t b,
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
                         const tc_block_names *a, size_t nb, const char *dir)
{
    size_t per = 0;
    while (per < TC_ARCH_MAX_MATRICES && a->matrices[per])
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
            const tc_st_tensor *t = find_weight(m->w, a, b, a->matrices[j], tname, sizeof tname);
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
            snprintf(ly->name, sizeof ly->name, "%zu.%s", b, a->matrices[j]);
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
    const tc_arch_info *a = NULL;
    size_t nb = 0;
    tc_status st = read_config(err, s->model_type, sizeof s->model_type, &a, &nb, model_dir);
    if (st != TC_OK)
        goto out;
    model_name_of(s->model_name, sizeof s->model_name, model_dir);
    st = tc_weights_open(err, &m.w, model_dir);
    if (st != TC_OK)
        goto out;
    st = collect(err, s, &m, a->blocks, nb, model_dir);
    if (st != TC_OK)
        goto out;
    s->map.num_blocks = nb;
    st = tc_select_scores_compute(err, s, load_matrix, &m, o);
    if (st != TC_OK)
        goto out;
    st = hash_model(err, s->model_sha256, model_dir);
out:
    free(m.tensors);
    tc_weights_close(m.w);
    if (st != TC_OK)
        tc_select_scores_free(s);
    return st;
}
