/* make_random_model: writes a Hugging Face llama model folder with seeded
 * random f32 weights (config.json, generation_config.json,
 * model.safetensors), for benchmarks.  The default shape has stories110M's
 * proportions: dim 768, 12 layers, 12 heads, FFN 2048, vocab 32000, 1024
 * positions, tied embeddings (about 110 M parameters, 440 MB).
 *
 * usage: make_random_model --out DIR [--dim 768] [--layers 12] [--heads 12]
 *        [--kv-heads 12] [--ffn 2048] [--vocab 32000] [--max-pos 1024]
 *        [--seed 1] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

typedef struct shape {
    int dim, layers, heads, kv_heads, ffn, vocab, max_pos;
    uint64_t seed;
} shape;

typedef struct entry {
    char name[96];
    int ndim;
    long long d0, d1;
    int kind; /* 0 = random matrix, 1 = ones (norm gains) */
} entry;

static size_t build_entries(entry *e, const shape *s)
{
    size_t n = 0;
    int hd = s->dim / s->heads;
    long long q = s->dim, kv = (long long)s->kv_heads * hd;
    e[n++] = (entry){"model.embed_tokens.weight", 2, s->vocab, s->dim, 0};
    for (int l = 0; l < s->layers; l++) {
        const struct {
            const char *suffix;
            int ndim;
            long long d0, d1;
            int kind;
        } per[] = {
            {"input_layernorm.weight", 1, s->dim, 0, 1},
            {"self_attn.q_proj.weight", 2, q, s->dim, 0},
            {"self_attn.k_proj.weight", 2, kv, s->dim, 0},
            {"self_attn.v_proj.weight", 2, kv, s->dim, 0},
            {"self_attn.o_proj.weight", 2, s->dim, q, 0},
            {"post_attention_layernorm.weight", 1, s->dim, 0, 1},
            {"mlp.gate_proj.weight", 2, s->ffn, s->dim, 0},
            {"mlp.up_proj.weight", 2, s->ffn, s->dim, 0},
            {"mlp.down_proj.weight", 2, s->dim, s->ffn, 0},
        };
        for (size_t i = 0; i < TC_ARRAY_LEN(per); i++) {
            snprintf(e[n].name, sizeof e[n].name, "model.layers.%d.%s", l, per[i].suffix);
            e[n].ndim = per[i].ndim;
            e[n].d0 = per[i].d0;
            e[n].d1 = per[i].d1;
            e[n].kind = per[i].kind;
            n++;
        }
    }
    e[n++] = (entry){"model.norm.weight", 1, s->dim, 0, 1};
    return n;
}

static size_t numel(const entry *e)
{
    return (size_t)e->d0 * (size_t)(e->ndim == 2 ? e->d1 : 1);
}

static int write_text(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tc_error err = {0};
    if (tc_write_file_atomic(&err, path, text, strlen(text)) != TC_OK) {
        fprintf(stderr, "make_random_model: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int parse_int(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v <= 0 || v > (1 << 24))
        return 0;
    *out = (int)v;
    return 1;
}

int main(int argc, char **argv)
{
    shape s = {768, 12, 12, 12, 2048, 32000, 1024, 1};
    const char *out = NULL;
    for (int i = 1; i < argc; i += 2) {   /* options come in pairs */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = v != NULL;
        if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--dim")) ok = ok && parse_int(v, &s.dim);
        else if (!strcmp(a, "--layers")) ok = ok && parse_int(v, &s.layers);
        else if (!strcmp(a, "--heads")) ok = ok && parse_int(v, &s.heads);
        else if (!strcmp(a, "--kv-heads")) ok = ok && parse_int(v, &s.kv_heads);
        else if (!strcmp(a, "--ffn")) ok = ok && parse_int(v, &s.ffn);
        else if (!strcmp(a, "--vocab")) ok = ok && parse_int(v, &s.vocab);
        else if (!strcmp(a, "--max-pos")) ok = ok && parse_int(v, &s.max_pos);
        else if (!strcmp(a, "--seed")) ok = ok && (s.seed = strtoull(v, NULL, 10), 1);
        else ok = 0;
        if (!ok) {
            fprintf(stderr, "usage: make_random_model --out DIR [--dim 768] [--layers 12] "
                            "[--heads 12] [--kv-heads 12] [--ffn 2048] [--vocab 32000] "
                            "[--max-pos 1024] [--seed 1]\n");
            return 2;
        }
    }
    if (out == NULL || s.dim % s.heads != 0 || s.heads % s.kv_heads != 0 ||
        (s.dim / s.heads) % 2 != 0) {
        fprintf(stderr, "make_random_model: --out is required; dim/heads must be even and "
                        "heads a multiple of kv-heads\n");
        return 2;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_random_model: %s: %s\n", out, strerror(errno));
        return 3;
    }
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\n  \"architectures\": [\"LlamaForCausalLM\"],\n  \"model_type\": \"llama\",\n"
             "  \"hidden_size\": %d,\n  \"intermediate_size\": %d,\n"
             "  \"num_hidden_layers\": %d,\n  \"num_attention_heads\": %d,\n"
             "  \"num_key_value_heads\": %d,\n  \"vocab_size\": %d,\n"
             "  \"max_position_embeddings\": %d,\n  \"rms_norm_eps\": 1e-05,\n"
             "  \"rope_theta\": 10000.0,\n  \"hidden_act\": \"silu\",\n"
             "  \"tie_word_embeddings\": true,\n  \"bos_token_id\": 1,\n"
             "  \"eos_token_id\": 2,\n  \"torch_dtype\": \"float32\"\n}\n",
             s.dim, s.ffn, s.layers, s.heads, s.kv_heads, s.vocab, s.max_pos);
    if (write_text(out, "config.json", cfg) ||
        write_text(out, "generation_config.json", "{\"bos_token_id\": 1, \"eos_token_id\": 2}\n"))
        return 3;

    size_t cap = 9 * (size_t)s.layers + 2;
    entry *e = calloc(cap, sizeof *e);
    if (e == NULL)
        return 3;
    size_t n = build_entries(e, &s);
    /* header: {"name":{"dtype":"F32","shape":[..],"data_offsets":[b,e]},...} */
    size_t hcap = n * 200 + 64, hl = 0, off = 0;
    char *hdr = malloc(hcap);
    if (hdr == NULL)
        return 3;
    hl += (size_t)snprintf(hdr + hl, hcap - hl, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (size_t i = 0; i < n; i++) {
        size_t bytes = numel(&e[i]) * 4;
        if (e[i].ndim == 2)
            hl += (size_t)snprintf(hdr + hl, hcap - hl,
                                   ",\"%s\":{\"dtype\":\"F32\",\"shape\":[%lld,%lld],"
                                   "\"data_offsets\":[%zu,%zu]}",
                                   e[i].name, e[i].d0, e[i].d1, off, off + bytes);
        else
            hl += (size_t)snprintf(hdr + hl, hcap - hl,
                                   ",\"%s\":{\"dtype\":\"F32\",\"shape\":[%lld],"
                                   "\"data_offsets\":[%zu,%zu]}",
                                   e[i].name, e[i].d0, off, off + bytes);
        off += bytes;
    }
    hl += (size_t)snprintf(hdr + hl, hcap - hl, "}");
    while (hl % 8 != 0)
        hdr[hl++] = ' ';

    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        fprintf(stderr, "make_random_model: %s: %s\n", tmp, strerror(errno));
        return 3;
    }
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)((uint64_t)hl >> (8 * i));
    int ok = fwrite(len8, 1, 8, f) == 8 && fwrite(hdr, 1, hl, f) == hl;
    tc_prng g;
    tc_prng_seed(&g, s.seed);
    float *buf = malloc(1 << 20);
    for (size_t i = 0; ok && buf && i < n; i++) {
        size_t left = numel(&e[i]);
        /* uniform in [-a, a] with a = sqrt(3 / fan_in): unit-variance outputs */
        double fan_in = e[i].ndim == 2 ? (double)e[i].d1 : 1.0;
        double a = e[i].kind ? 0.0 : 1.7320508 / __builtin_sqrt(fan_in);
        while (ok && left > 0) {
            size_t k = left < (1 << 18) ? left : (1 << 18);
            for (size_t j = 0; j < k; j++)
                buf[j] = e[i].kind ? 1.0f : (float)((tc_prng_double(&g) * 2 - 1) * a);
            ok = fwrite(buf, 4, k, f) == k;
            left -= k;
        }
    }
    ok = ok && buf != NULL && fclose(f) == 0 && rename(tmp, path) == 0;
    free(buf);
    free(hdr);
    free(e);
    if (!ok) {
        fprintf(stderr, "make_random_model: %s: write failed\n", path);
        return 3;
    }
    printf("%s: %zu tensors, %zu bytes of weights\n", out, n, off);
    return 0;
}
