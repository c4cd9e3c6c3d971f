/* Prompt encoding, decoding and the capture folder writer (textio.h). */
#include "protocol/textio.h"
#include "tensor/npy.h"
#include "util/json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

tc_status tc_engine_tokenizer(tc_error *err, tc_tok **tok, const char *dir)
{
    *tok = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    if (access(path, F_OK) != 0)
        return TC_OK;
    return tc_tok_load(err, tok, path);
}

tc_status tc_engine_encode(tc_error *err, const tc_model *m, const tc_tok *tok, const char *prompt,
                           size_t extra, int32_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    uint32_t *raw = NULL;
    size_t nr = 0;
    tc_status s = tc_tok_encode(err, tok, &raw, &nr, prompt, strlen(prompt), true);
    if (s != TC_OK)
        return s;
    const tc_model_config *c = tc_model_cfg(m);
    size_t cnt = nr ? nr : 1;
    int32_t *out = malloc((cnt + extra) * sizeof *out);
    if (out == NULL) {
        free(raw);
        return tc_fail(err, TC_ENOMEM, "out of memory");
    }
    if (nr == 0) {
        if (c->bos_id < 0) {
            free(raw);
            free(out);
            return tc_fail(err, TC_EARG, "the prompt encodes to no tokens and the model has no BOS");
        }
        out[0] = c->bos_id;
    }
    for (size_t i = 0; i < nr; i++) {
        if (raw[i] >= (uint32_t)c->vocab) {
            s = tc_fail(err, TC_EFORMAT, "tokenizer id %u is outside the model's vocabulary (%d)",
                        raw[i], c->vocab);
            free(raw);
            free(out);
            return s;
        }
        out[i] = (int32_t)raw[i];
    }
    free(raw);
    *ids = out;
    *n = cnt;
    return TC_OK;
}

tc_status tc_engine_decode(tc_error *err, const tc_tok *tok, const int32_t *ids, size_t n,
                           char **text)
{
    *text = NULL;
    uint32_t *u = malloc((n ? n : 1) * sizeof *u);
    if (u == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        u[i] = (uint32_t)ids[i];
    size_t len;
    tc_status s = tc_tok_decode(err, tok, text, &len, u, n, true);
    free(u);
    return s;
}

/* ------------------------------------------------------------ capture out */

void tc_capture_layer_name(char *out, size_t cap, size_t l, size_t n_states)
{
    if (l == 0)
        snprintf(out, cap, "embeddings");
    else if (l + 1 == n_states)
        snprintf(out, cap, "final_norm");
    else
        snprintf(out, cap, "layer_%zu", l - 1);
}

void *tc_capture_layer_stats(const char *name, const float *x, size_t T, size_t dim)
{
    float mn = INFINITY, mx = -INFINITY;
    double sum = 0;
    for (size_t i = 0; i < T * dim; i++) {
        mn = x[i] < mn ? x[i] : mn;
        mx = x[i] > mx ? x[i] : mx;
        sum += x[i];
    }
    bool empty = T * dim == 0;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "shape", json_pack("[I, I]", (json_int_t)T, (json_int_t)dim));
    json_object_set_new(o, "min", json_real(empty ? 0.0 : mn));
    json_object_set_new(o, "max", json_real(empty ? 0.0 : mx));
    json_object_set_new(o, "mean", json_real(empty ? 0.0 : sum / (double)(T * dim)));
    json_object_set_new(o, "dtype", json_string("float32"));
    json_object_set_new(o, "precision_bits", json_integer(24));
    return o;
}

static char *stats_json(const tc_model *m, const tc_capture_out *c)
{
    const tc_model_config *cfg = tc_model_cfg(m);
    size_t T = c->n_tokens, dim = (size_t)cfg->dim, L = (size_t)cfg->n_layers;
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("tensorcommit-capture"));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "model", json_string(c->model_dir));
    json_object_set_new(root, "model_type", json_string(cfg->model_type));
    json_object_set_new(root, "prompt", c->prompt ? json_string(c->prompt) : json_null());
    json_object_set_new(root, "generated_text", c->text ? json_string(c->text) : json_null());
    json_object_set_new(root, "n_tokens", json_integer((json_int_t)T));
    json_object_set_new(root, "n_prompt_tokens", json_integer((json_int_t)c->n_prompt));
    json_object_set_new(root, "n_layers", json_integer((json_int_t)L));
    json_object_set_new(root, "hidden_size", json_integer((json_int_t)dim));
    json_object_set_new(root, "vocab_size", json_integer(cfg->vocab));
    json_object_set_new(root, "deterministic", json_boolean(c->deterministic));
    json_object_set_new(root, "hidden_states_convention",
                        json_string("HF output_hidden_states: [embeddings, block 0 .. block L-2 "
                                    "outputs, final_norm(block L-1 output)]"));
    json_t *layers = json_array();
    for (size_t l = 0; l <= L; l++) {
        char name[64];
        tc_capture_layer_name(name, sizeof name, l, L + 1);
        json_array_append_new(layers,
                              tc_capture_layer_stats(name, c->hidden + l * T * dim, T, dim));
    }
    json_object_set_new(root, "layers", layers);
    char *text = NULL;
    if (tc_json_dump(NULL, &text, root, TC_JSON_SORTED | JSON_REAL_PRECISION(9)) != TC_OK)
        text = NULL;
    json_decref(root);
    return text;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

tc_status tc_capture_write(tc_error *err, const char *dir, const tc_model *m,
                           const tc_capture_out *c)
{
    const tc_model_config *cfg = tc_model_cfg(m);
    size_t T = c->n_tokens;
    tc_status s = TC_OK;
    uint8_t *buf[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    const char *names[4] = {"hidden_states.npy", "tokens.npy", "logits.npy", "stats.json"};
    char *stats = NULL, *path = NULL;
    int64_t *tok64 = malloc((T ? T : 1) * sizeof *tok64);
    if (tok64 == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t i = 0; i < T; i++)
        tok64[i] = c->tokens[i];
    int64_t hs[3] = {cfg->n_layers + 1, (int64_t)T, cfg->dim};
    int64_t ts[1] = {(int64_t)T};
    int64_t ls[2] = {(int64_t)T, cfg->vocab};
    s = tc_npy_encode(err, &buf[0], &len[0], TC_NPY_F32, c->hidden, 3, hs);
    if (s == TC_OK)
        s = tc_npy_encode(err, &buf[1], &len[1], TC_NPY_I64, tok64, 1, ts);
    if (s == TC_OK && c->logits != NULL)
        s = tc_npy_encode(err, &buf[2], &len[2], TC_NPY_F32, c->logits, 2, ls);
    if (s != TC_OK)
        goto out;
    stats = stats_json(m, c);
    if (stats == NULL) {
        s = tc_fail(err, TC_ENOMEM, "out of memory for stats.json");
        goto out;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        s = tc_fail(err, TC_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
        goto out;
    }
    /* all files or none: a failure leaves an earlier capture in dir as it was */
    tc_file_set set;
    tc_file_set_init(&set);
    for (int i = 0; i < 4 && s == TC_OK; i++) {
        if (i == 2 && c->logits == NULL)
            continue;                     /* logits are optional */
        free(path);
        path = join(dir, names[i]);
        if (path == NULL) {
            s = tc_fail(err, TC_ENOMEM, "out of memory");
            break;
        }
        s = i < 3 ? tc_file_set_add(err, &set, path, buf[i], len[i])
                  : tc_file_set_add(err, &set, path, stats, strlen(stats));
    }
    if (s == TC_OK)
        s = tc_file_set_commit(err, &set);
    tc_file_set_discard(&set);
out:
    free(path);
    free(stats);
    free(tok64);
    for (int i = 0; i < 3; i++)
        free(buf[i]);
    return s;
}
