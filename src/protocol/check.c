/* Re-checking a run folder against its receipt (see check.h). */
#include "protocol/check.h"

#include "protocol/audit.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/engine.h"
#include "protocol/textio.h"
#include "protocol/run.h"
#include "pst/pst.h"
#include "tensor/layout.h"
#include "tensor/npy.h"
#include "tensor/quantize.h"

typedef struct checker {
    const tc_check_opts *o;
    tc_check_result *res;
} checker;

static void report(checker *c, bool ok, const char *fmt, ...) TC_PRINTF(3, 4);
static void report(checker *c, bool ok, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->res->n_checks++;
    c->res->n_failed += !ok;
    if (c->o->report != NULL)
        c->o->report(c->o->report_ctx, ok, line);
}

/* An informative line: not a check, never a failure. */
static void note(checker *c, const char *line)
{
    if (c->o->note != NULL)
        c->o->note(c->o->report_ctx, line);
}

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static tc_status load_json(tc_error *err, json_t **out, const char *path)
{
    json_error_t je;
    *out = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL)
        return tc_fail(err, file_exists(path) ? TC_EFORMAT : TC_EIO, "%s: %s", path, je.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return tc_fail(err, TC_EFORMAT, "%s: not a JSON object", path);
    }
    return TC_OK;
}

/* ------------------------------------------------------------ receipt */

/* The receipt's fields, validated once (docs/formats.md "receipt.json"). */
typedef struct receipt {
    json_t *root;
    const char *commitment, *srs_id, *srs_origin, *srs_seed, *srs_command, *prompt, *text;
    const char *model_dir, *model_digest, *model_type;
    json_t *layout, *quant;
    int32_t *tokens;
    size_t n_tokens, n_prompt;
    bool deterministic;
    bool dequantized_inputs;     /* "block_inputs": "dequantized" */
    bool from_challenges;        /* "openings": "challenges" (run --no-open) */
    tc_sampler sampling;
} receipt;

static bool is_hex64(const char *s)
{
    uint8_t b[32];
    return s != NULL && strlen(s) == 64 && tc_hex_decode(b, 32, s);
}

/* One field of a JSON object: its key, its type and whether it must be
 * there.  Types: 's' string, 'h' 64 hex characters, 'i' integer, 'n'
 * number, 'b' boolean, 'o' object, 'a' array. */
typedef struct field {
    const char *key;
    char type;
    bool required;
} field;

static bool has_type(const json_t *v, char type)
{
    switch (type) {
    case 's': return json_is_string(v);
    case 'h': return is_hex64(json_string_value(v));
    case 'i': return json_is_integer(v);
    case 'n': return json_is_number(v);
    case 'b': return json_is_boolean(v);
    case 'o': return json_is_object(v);
    case 'a': return json_is_array(v);
    }
    return false;
}

static const char *type_name(char type)
{
    switch (type) {
    case 's': return "a string";
    case 'h': return "64 hex characters";
    case 'i': return "an integer";
    case 'n': return "a number";
    case 'b': return "true or false";
    case 'o': return "an object";
    }
    return "an array";
}

/* Every field of `obj` is listed, of its type; every required one is there. */
static tc_status check_fields(tc_error *err, const char *path, const char *where,
                              const json_t *obj, const field *f, size_t n)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(f[i].key, key) != 0)
            i++;
        if (i == n)
            return tc_fail(err, TC_EFORMAT, "%s: unknown field \"%s%s\"", path, where, key);
        if (!has_type(v, f[i].type))
            return tc_fail(err, TC_EFORMAT, "%s: field \"%s%s\" must be %s", path, where, key,
                           type_name(f[i].type));
    }
    for (size_t i = 0; i < n; i++)
        if (f[i].required && json_object_get(obj, f[i].key) == NULL)
            return tc_fail(err, TC_EFORMAT, "%s: field \"%s%s\" is missing", path, where,
                           f[i].key);
    return TC_OK;
}

static const field receipt_fields[] = {
    {"format", 's', true},          {"version", 'i', true},
    {"tool", 's', true},            {"commitment", 'h', true},
    {"srs_id", 'h', true},          {"srs_origin", 's', true},
    {"srs_seed", 's', false},       {"srs_setup_command", 's', false},
    {"model_dir", 's', true},       {"model_digest", 'h', true},
    {"model_type", 's', true},      {"prompt", 's', true},
    {"text", 's', true},            {"tokens", 'a', true},
    {"n_prompt_tokens", 'i', true}, {"deterministic", 'b', true},
    {"layout", 'o', true},          {"quantization", 'o', true},
    {"sampling", 'o', true},        {"environment", 'o', true},
    {"openings", 's', true},        {"block_inputs", 's', true},
};
static const field sampling_fields[] = {
    {"temperature", 'n', true}, {"top_k", 'i', true}, {"top_p", 'n', true}, {"seed", 's', true},
};
/* Informative: checked for their types only. */
static const field environment_fields[] = {
    {"build", 'o', true},   {"cpu_features", 'a', true}, {"kernels", 'o', true},
    {"threads", 'i', true}, {"created_utc", 's', true},
};
static const field build_fields[] = {
    {"version", 's', true},  {"git_commit", 's', true}, {"build_type", 's', true},
    {"c_flags", 's', true},  {"compiler", 's', true},
};
static const field kernel_fields[] = {
    {"field_mul", 's', true}, {"msm_batch_add", 's', true}, {"blas", 's', true},
    {"blas_core", 's', true},
};
#define COUNT(a) (sizeof(a) / sizeof *(a))

/* A u64 written as a decimal string. */
static bool parse_u64(uint64_t *out, const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 20 || strspn(s, "0123456789") != strlen(s))
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    *out = v;
    return errno == 0;
}

static tc_status check_sampling(tc_error *err, receipt *r, const char *path)
{
    json_t *smp = json_object_get(r->root, "sampling");
    tc_status st = check_fields(err, path, "sampling.", smp, sampling_fields, COUNT(sampling_fields));
    if (st != TC_OK)
        return st;
    double temp = json_number_value(json_object_get(smp, "temperature"));
    double top_p = json_number_value(json_object_get(smp, "top_p"));
    json_int_t top_k = json_integer_value(json_object_get(smp, "top_k"));
    if (!(temp >= 0 && temp <= 100))
        return tc_fail(err, TC_EFORMAT, "%s: sampling.temperature must be in 0..100", path);
    if (!(top_p > 0 && top_p <= 1))
        return tc_fail(err, TC_EFORMAT, "%s: sampling.top_p must be in (0, 1]", path);
    if (top_k < 0 || top_k > INT32_MAX)
        return tc_fail(err, TC_EFORMAT, "%s: sampling.top_k must be ≥ 0", path);
    if (!parse_u64(&r->sampling.seed, json_string_value(json_object_get(smp, "seed"))))
        return tc_fail(err, TC_EFORMAT, "%s: sampling.seed must be a decimal string below 2^64",
                       path);
    r->sampling.temperature = (float)temp;
    r->sampling.top_p = (float)top_p;
    r->sampling.top_k = (int)top_k;
    return TC_OK;
}

static tc_status check_environment(tc_error *err, const receipt *r, const char *path)
{
    json_t *env = json_object_get(r->root, "environment");
    tc_status st = check_fields(err, path, "environment.", env, environment_fields,
                                COUNT(environment_fields));
    if (st == TC_OK)
        st = check_fields(err, path, "environment.build.", json_object_get(env, "build"),
                          build_fields, COUNT(build_fields));
    if (st == TC_OK)
        st = check_fields(err, path, "environment.kernels.", json_object_get(env, "kernels"),
                          kernel_fields, COUNT(kernel_fields));
    if (st != TC_OK)
        return st;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(env, "cpu_features"), i, v)
        if (!json_is_string(v))
            return tc_fail(err, TC_EFORMAT, "%s: environment.cpu_features[%zu] is not a string",
                           path, i);
    if (json_integer_value(json_object_get(env, "threads")) < 1)
        return tc_fail(err, TC_EFORMAT, "%s: environment.threads must be ≥ 1", path);
    return TC_OK;
}

static tc_status read_receipt(tc_error *err, receipt *r, const char *path)
{
    tc_status st = load_json(err, &r->root, path);
    if (st != TC_OK)
        return st;
    json_t *o = r->root;
    const char *format = json_string_value(json_object_get(o, "format"));
    json_t *version = json_object_get(o, "version");
    if (format == NULL || strcmp(format, "tensorcommit-receipt") != 0)
        return tc_fail(err, TC_EFORMAT, "%s: \"format\" is not \"tensorcommit-receipt\"", path);
    if (!json_is_integer(version) || json_integer_value(version) != TC_RECEIPT_VERSION)
        return tc_fail(err, TC_EFORMAT, "%s: \"version\" is not %d, the receipt version this "
                       "tool reads (make the run again with this version)", path,
                       TC_RECEIPT_VERSION);
    if ((st = check_fields(err, path, "", o, receipt_fields, COUNT(receipt_fields))) != TC_OK ||
        (st = check_sampling(err, r, path)) != TC_OK ||
        (st = check_environment(err, r, path)) != TC_OK)
        return st;
    r->commitment = json_string_value(json_object_get(o, "commitment"));
    r->srs_id = json_string_value(json_object_get(o, "srs_id"));
    r->srs_origin = json_string_value(json_object_get(o, "srs_origin"));
    r->srs_seed = json_string_value(json_object_get(o, "srs_seed"));
    r->srs_command = json_string_value(json_object_get(o, "srs_setup_command"));
    r->prompt = json_string_value(json_object_get(o, "prompt"));
    r->text = json_string_value(json_object_get(o, "text"));
    r->model_dir = json_string_value(json_object_get(o, "model_dir"));
    r->model_digest = json_string_value(json_object_get(o, "model_digest"));
    r->model_type = json_string_value(json_object_get(o, "model_type"));
    r->layout = json_object_get(o, "layout");
    r->quant = json_object_get(o, "quantization");
    r->deterministic = json_is_true(json_object_get(o, "deterministic"));
    const char *bi = json_string_value(json_object_get(o, "block_inputs"));
    const char *op = json_string_value(json_object_get(o, "openings"));
    if (strcmp(bi, "dequantized") && strcmp(bi, "raw"))
        return tc_fail(err, TC_EFORMAT, "%s: block_inputs must be \"dequantized\" or \"raw\"",
                       path);
    if (strcmp(op, "proofs.json") && strcmp(op, "challenges"))
        return tc_fail(err, TC_EFORMAT, "%s: openings must be \"proofs.json\" or "
                       "\"challenges\"", path);
    r->dequantized_inputs = !strcmp(bi, "dequantized");
    r->from_challenges = !strcmp(op, "challenges");
    if (r->dequantized_inputs && !r->deterministic)
        return tc_fail(err, TC_EFORMAT, "%s: block_inputs \"dequantized\" needs a deterministic "
                       "run", path);
    tc_pst_origin origin;
    if (!tc_pst_origin_from_name(&origin, r->srs_origin))
        return tc_fail(err, TC_EFORMAT, "%s: srs_origin must be \"random\", \"seeded\", "
                       "\"explicit\" or \"ceremony\"", path);
    if ((r->srs_seed == NULL) != (r->srs_command == NULL))
        return tc_fail(err, TC_EFORMAT, "%s: srs_seed and srs_setup_command come together", path);
    json_t *toks = json_object_get(o, "tokens");
    r->n_tokens = json_array_size(toks);
    if (r->n_tokens == 0)
        return tc_fail(err, TC_EFORMAT, "%s: \"tokens\" is empty", path);
    json_int_t npv = json_integer_value(json_object_get(o, "n_prompt_tokens"));
    if (npv < 1 || (size_t)npv > r->n_tokens)
        return tc_fail(err, TC_EFORMAT, "%s: n_prompt_tokens is out of range", path);
    r->n_prompt = (size_t)npv;
    r->tokens = malloc(r->n_tokens * sizeof *r->tokens);
    if (r->tokens == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n_tokens; i++) {
        json_t *t = json_array_get(toks, i);
        if (!json_is_integer(t) || json_integer_value(t) < 0 || json_integer_value(t) > INT32_MAX)
            return tc_fail(err, TC_EFORMAT, "%s: token %zu is not a token id", path, i);
        r->tokens[i] = (int32_t)json_integer_value(t);
    }
    return TC_OK;
}

static tc_status check_tokens(tc_error *err, checker *c, const receipt *r, tc_session *sess,
                              const tc_layout *lay, const tc_quant_params *q,
                              const int64_t *grid, float *scratch);

/* ------------------------------------------------------- proofs vs grid */

/* Grid index of z when every coordinate is a grid point; false otherwise. */
static bool grid_index(const tc_pst_shape *s, const tc_fr *z, int j, size_t *index)
{
    size_t idx = 0;
    for (int i = 0; i < j; i++) {
        uint32_t u;
        if (!tc_pst_grid_index(&u, &z[i], s->n[i]))
            return false;
        idx = idx * s->n[i] + u;
    }
    *index = idx;
    return true;
}

/* Checks every opening and slice; *n_items counts them and levels[j] is set
 * for each slice level j (vk.json must embed it). */
static tc_status check_proofs(tc_error *err, checker *c, const tc_pst_srs *srs,
                              const tc_g1_affine *commitment, const int64_t *grid,
                              const char *path, size_t *n_items, bool *levels)
{
    uint8_t *text = NULL;
    size_t len;
    tc_pst_proof_file pf;
    tc_fr *vals = NULL;
    memset(&pf, 0, sizeof pf);
    tc_status st = tc_read_file(err, &text, &len, path, (size_t)1 << 30);
    if (st != TC_OK)
        return st;
    if ((st = tc_pst_proof_decode(err, &pf, (const char *)text, len, path)) != TC_OK)
        goto out;
    *n_items = pf.n_open + pf.n_slice;
    for (size_t k = 0; k < pf.n_slice; k++)
        if (pf.slice_fault[k][0] == '\0')
            levels[pf.slice[k].j] = true;
    bool same_c = pf.commitment_fault[0] == '\0' && tc_g1_affine_eq(&pf.commitment, commitment);
    report(c, same_c, "proofs.json: commitment %s the receipt's", same_c ? "is" : "is NOT");
    bool same_shape = tc_pst_shape_eq(&pf.shape, &srs->shape);
    report(c, same_shape, "proofs.json: shape %s the grid's", same_shape ? "is" : "is NOT");
    if (!same_shape)
        goto out;
    const tc_pst_shape *s = &srs->shape;
    size_t N = tc_pst_suffix_size(s, 0);
    for (size_t k = 0; k < pf.n_open; k++) {
        const tc_pst_opening *op = &pf.open[k];
        if (pf.open_fault[k][0] != '\0') {
            report(c, false, "opening %zu: rejected: %s", k, pf.open_fault[k]);
            continue;
        }
        bool ok = false;
        if ((st = tc_pst_verify(err, &ok, &srs->vk, commitment, op)) != TC_OK)
            goto out;
        tc_fr want;
        size_t idx;
        if (grid_index(s, op->z, s->m, &idx)) {
            tc_fr_from_i64(&want, grid[idx]);
        } else {
            if (vals == NULL) {
                if ((vals = malloc(N * sizeof *vals)) == NULL) {
                    st = tc_fail(err, TC_ENOMEM, "out of memory");
                    goto out;
                }
                for (size_t i = 0; i < N; i++)
                    tc_fr_from_i64(&vals[i], grid[i]);
            }
            if ((st = tc_pst_eval(err, &want, s, vals, op->z)) != TC_OK)
                goto out;
        }
        bool match = tc_fr_eq(&want, &op->y);
        report(c, ok && match, "opening %zu: proof %s, value %s the grid's", k,
               ok ? "verifies" : "REJECTED", match ? "is" : "is NOT");
    }
    for (size_t k = 0; k < pf.n_slice; k++) {
        const tc_pst_slice *sl = &pf.slice[k];
        if (pf.slice_fault[k][0] != '\0') {
            report(c, false, "slice %zu: rejected: %s", k, pf.slice_fault[k]);
            continue;
        }
        bool ok = false;
        if ((st = tc_pst_verify_slice(err, &ok, &srs->vk, tc_pst_srs_level(srs, sl->j), commitment,
                                      sl)) != TC_OK)
            goto out;
        size_t base = 0, rest = tc_pst_suffix_size(s, sl->j);
        bool match = grid_index(s, sl->z, sl->j, &base) && sl->count == rest;
        for (size_t r = 0; match && r < rest; r++) {
            tc_fr want;
            tc_fr_from_i64(&want, grid[base * rest + r]);
            match = tc_fr_eq(&want, &sl->values[r]);
        }
        report(c, ok && match, "slice %zu (j = %d): proof %s, values %s the grid's", k, sl->j,
               ok ? "verifies" : "REJECTED", match ? "are" : "are NOT");
    }
out:
    free(vals);
    tc_pst_proof_file_free(&pf);
    free(text);
    return st;
}

/* ------------------------------------------------------- the SRS and vk */

/* The receipt's SRS claims: its origin is the file's, and a recorded seed
 * gives the SRS's trapdoors ([t_i]₂ = t_i·[1]₂) and its setup command. */
static void check_srs_claims(checker *c, const receipt *r, const tc_pst_srs *srs,
                             const char *srs_path)
{
    const char *origin = tc_pst_origin_name(srs->origin);
    bool same = !strcmp(origin, r->srs_origin);
    report(c, same, "%s: origin %s %s the receipt's srs_origin (%s)", srs_path, origin,
           same ? "is" : "is NOT", r->srs_origin);
    if (r->srs_seed == NULL)
        return;
    uint8_t seed[TC_PST_MAX_SEED];
    size_t len = strlen(r->srs_seed) / 2;
    bool ok = srs->origin == TC_PST_ORIGIN_SEEDED && strlen(r->srs_seed) % 2 == 0 && len >= 1 &&
              len <= sizeof seed && tc_hex_decode(seed, len, r->srs_seed);
    if (ok) {
        tc_fr t[TC_PST_MAX_VARS];
        tc_g2 g2, tg;
        tc_pst_seed_trapdoors(t, srs->shape.m, seed, len);
        tc_g2_from_affine(&g2, &srs->vk.g2);
        for (int i = 0; ok && i < srs->shape.m; i++) {
            tc_g2 want;
            tc_g2_mul_var(&want, &g2, &t[i]);
            tc_g2_from_affine(&tg, &srs->vk.tau[i]);
            ok = tc_g2_eq(&want, &tg);
        }
        memset(t, 0, sizeof t);
    }
    report(c, ok, "%s: the receipt's srs_seed %s the SRS's trapdoors", srs_path,
           ok ? "gives" : "does NOT give");
    char cmd[256];
    tc_run_srs_setup_command(cmd, sizeof cmd, srs->shape.n, srs->shape.m, r->srs_seed);
    same = !strcmp(cmd, r->srs_command);
    report(c, same, "receipt: srs_setup_command %s `%s`", same ? "is" : "is NOT", cmd);
}

/* vk.json is the SRS's verification key, with the SRS's id and origin, and
 * embeds the SRS's own Lagrange levels, including every slice's level. */
static tc_status check_vk(tc_error *err, checker *c, const tc_pst_srs *srs, const char *path,
                          const bool *slice_levels)
{
    uint8_t *text = NULL;
    size_t len;
    tc_pst_vk_file vf;
    tc_error e2 = {0};
    char why[300] = "";
    memset(&vf, 0, sizeof vf);
    tc_status st = tc_read_file(err, &text, &len, path, (size_t)1 << 32);
    if (st != TC_OK)
        return st;
    if (tc_pst_vk_decode(&e2, &vf, (const char *)text, len, path) != TC_OK) {
        snprintf(why, sizeof why, "%.280s", e2.msg);
    } else if (!tc_pst_shape_eq(&vf.vk.shape, &srs->shape)) {
        snprintf(why, sizeof why, "its shape is not the SRS's");
    } else if (memcmp(vf.srs_id, srs->id, 32) != 0) {
        snprintf(why, sizeof why, "its srs_id is not the SRS's id");
    } else if (vf.origin != srs->origin) {
        snprintf(why, sizeof why, "its origin %s is not the SRS's %s",
                 tc_pst_origin_name(vf.origin), tc_pst_origin_name(srs->origin));
    } else if (!tc_g1_affine_eq(&vf.vk.g1, &srs->vk.g1) ||
               !tc_g2_affine_eq(&vf.vk.g2, &srs->vk.g2)) {
        snprintf(why, sizeof why, "g1/g2 are not the SRS's");
    }
    const tc_pst_shape *s = &srs->shape;
    for (int i = 0; why[0] == '\0' && i < s->m; i++)
        if (!tc_g2_affine_eq(&vf.vk.tau[i], &srs->vk.tau[i]))
            snprintf(why, sizeof why, "tau_g2[%d] is not the SRS's", i);
    for (int j = 1; why[0] == '\0' && j <= s->m; j++) {
        if (vf.levels[j] == NULL) {
            if (slice_levels[j] && j < s->m)
                snprintf(why, sizeof why, "level %d, which a slice in proofs.json uses, is not "
                         "embedded", j);
            continue;
        }
        const tc_g1_affine *want = tc_pst_srs_level(srs, j);
        for (size_t b = 0; b < tc_pst_suffix_size(s, j); b++)
            if (!tc_g1_affine_eq(&vf.levels[j][b], &want[b])) {
                snprintf(why, sizeof why, "slice_levels[%d][%zu] is not the SRS's key", j, b);
                break;
            }
    }
    report(c, why[0] == '\0', "vk.json %s: %s", why[0] ? "is NOT the SRS's verification key"
                                                      : "is the SRS's verification key",
           why[0] ? why : "shape, srs_id, origin, g1, g2, tau_g2 and slice levels");
    tc_pst_vk_file_free(&vf);
    free(text);
    return TC_OK;
}

/* ------------------------------------------------------- the capture */

/* hidden_states.npy, quantized with the receipt's rule and laid out with
 * layout.json, gives grid.npy exactly: padding included. */
static tc_status check_hidden(tc_error *err, checker *c, const tc_layout *lay,
                              const tc_quant_params *q, const int64_t *grid, const char *path,
                              tc_npy *hs)
{
    tc_status st = tc_npy_read(err, hs, path);
    if (st != TC_OK)
        return st;
    size_t L1 = lay->n_layers, T = lay->n_tokens, H = lay->hidden;
    if (hs->dtype != TC_NPY_F32 || hs->ndim != 3 || (size_t)hs->shape[0] != L1 ||
        (size_t)hs->shape[1] != T || (size_t)hs->shape[2] != H) {
        report(c, false, "hidden_states.npy: not float32 of the layout's shape (%zu, %zu, %zu)",
               L1, T, H);
        tc_npy_free(hs);
        return TC_OK;
    }
    int64_t *qv = malloc(hs->count * sizeof *qv), *g2 = malloc(lay->grid_size * sizeof *g2);
    tc_error qe = {0};
    if (qv == NULL || g2 == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
    } else if (tc_quantize_f32(&qe, q, qv, hs->data, L1, T * H) != TC_OK ||
               tc_layout_fill(&qe, lay, g2, qv) != TC_OK) {
        report(c, false, "hidden_states.npy: cannot be quantized and laid out: %s", qe.msg);
    } else {
        size_t n_bad = 0, first = 0;
        for (size_t i = 0; i < lay->grid_size; i++)
            if (g2[i] != grid[i] && n_bad++ == 0)
                first = i;
        if (n_bad == 0)
            report(c, true, "hidden_states.npy, quantized and laid out, is grid.npy");
        else
            report(c, false, "hidden_states.npy, quantized and laid out, is NOT grid.npy: %zu "
                   "of %zu values differ (first at grid index %zu)", n_bad, lay->grid_size, first);
    }
    free(qv);
    free(g2);
    return st;
}

static bool same_f32(const json_t *v, float x)
{
    return json_is_number(v) && (float)json_number_value(v) == x;
}

/* stats.json: every field is the receipt's, or recomputed from the hidden
 * states (min, max exactly; the mean to the 9 digits written), except
 * "model" (the path the run read) and "hidden_states_convention" (text):
 * informative.  *vocab is its vocab_size (checked against the model). */
static tc_status check_stats(tc_error *err, checker *c, const receipt *r, const tc_npy *hs,
                             const char *path, json_int_t *vocab)
{
    static const field stats_fields[] = {
        {"format", 's', true},          {"version", 'i', true},
        {"model", 's', true},           {"model_type", 's', true},
        {"prompt", 's', true},          {"generated_text", 's', true},
        {"n_tokens", 'i', true},        {"n_prompt_tokens", 'i', true},
        {"n_layers", 'i', true},        {"hidden_size", 'i', true},
        {"vocab_size", 'i', true},      {"deterministic", 'b', true},
        {"hidden_states_convention", 's', true}, {"layers", 'a', true},
    };
    json_t *o;
    tc_error fe = {0};
    char why[300] = "";
    tc_status st = load_json(err, &o, path);
    if (st != TC_OK)
        return st;
    *vocab = json_integer_value(json_object_get(o, "vocab_size"));
#define GETS(k) json_string_value(json_object_get(o, k))
#define GETI(k) json_integer_value(json_object_get(o, k))
    if (check_fields(&fe, "stats.json", "", o, stats_fields, COUNT(stats_fields)) != TC_OK)
        snprintf(why, sizeof why, "%.280s", fe.msg);
    else if (strcmp(GETS("format"), "tensorcommit-capture") != 0 || GETI("version") != 1)
        snprintf(why, sizeof why, "format/version are not tensorcommit-capture 1");
    else if (strcmp(GETS("model_type"), r->model_type) != 0 || strcmp(GETS("prompt"), r->prompt) ||
             strcmp(GETS("generated_text"), r->text) ||
             json_is_true(json_object_get(o, "deterministic")) != r->deterministic)
        snprintf(why, sizeof why, "model_type, prompt, generated_text or deterministic differ "
                 "from the receipt");
    else if ((size_t)GETI("n_tokens") != r->n_tokens || (size_t)GETI("n_prompt_tokens") != r->n_prompt)
        snprintf(why, sizeof why, "n_tokens or n_prompt_tokens differ from the receipt");
    else if (hs->data == NULL)
        snprintf(why, sizeof why, "hidden_states.npy is unusable");
    else if (GETI("n_layers") + 1 != hs->shape[0] || GETI("hidden_size") != hs->shape[2])
        snprintf(why, sizeof why, "n_layers or hidden_size differ from hidden_states.npy");
#undef GETS
#undef GETI
    size_t L1 = why[0] ? 0 : (size_t)hs->shape[0], T = (size_t)hs->shape[1],
           H = (size_t)hs->shape[2];
    json_t *layers = json_object_get(o, "layers");
    if (why[0] == '\0' && json_array_size(layers) != L1)
        snprintf(why, sizeof why, "\"layers\" does not hold %zu entries", L1);
    for (size_t l = 0; why[0] == '\0' && l < L1; l++) {
        const float *x = (const float *)hs->data + l * T * H;
        float mn = INFINITY, mx = -INFINITY;
        double sum = 0;
        for (size_t i = 0; i < T * H; i++) {
            mn = x[i] < mn ? x[i] : mn;
            mx = x[i] > mx ? x[i] : mx;
            sum += x[i];
        }
        double mean = T * H != 0 ? sum / (double)(T * H) : 0.0;
        if (T * H == 0)
            mn = mx = 0.0f;
        char name[64];
        if (l == 0)
            snprintf(name, sizeof name, "embeddings");
        else if (l + 1 == L1)
            snprintf(name, sizeof name, "final_norm");
        else
            snprintf(name, sizeof name, "layer_%zu", l - 1);
        json_t *e = json_array_get(layers, l), *shape = json_object_get(e, "shape");
        json_t *mj = json_object_get(e, "mean");
        const char *nm = json_string_value(json_object_get(e, "name"));
        const char *dt = json_string_value(json_object_get(e, "dtype"));
        bool ok = json_is_object(e) && json_object_size(e) == 7 && nm && !strcmp(nm, name) &&
                  json_array_size(shape) == 2 &&
                  json_integer_value(json_array_get(shape, 0)) == (json_int_t)T &&
                  json_integer_value(json_array_get(shape, 1)) == (json_int_t)H &&
                  same_f32(json_object_get(e, "min"), mn) && same_f32(json_object_get(e, "max"), mx) &&
                  json_is_number(mj) &&
                  fabs(json_number_value(mj) - mean) <= 1e-8 * fabs(mean) + 1e-300 &&
                  dt && !strcmp(dt, "float32") &&
                  json_integer_value(json_object_get(e, "precision_bits")) == 24;
        if (!ok)
            snprintf(why, sizeof why, "layers[%zu] is not %s's name, shape, min, max and mean",
                     l, name);
    }
    report(c, why[0] == '\0', "stats.json %s%s%s", why[0] ? "does NOT describe the run: " :
           "describes the run and hidden_states.npy", why, why[0] ? "" : " (\"model\" is informative)");
    json_decref(o);
    return TC_OK;
}

/* results.json: what run found must be what verify finds (every proof
 * verified and matched, the counts); "seconds",
 * "commit_overhead_vs_generate" and "artefact_bytes" are informative (a
 * file's size says nothing the file itself does not), checked for type. */
static tc_status check_results(tc_error *err, checker *c, const char *path,
                               size_t n_items, size_t n_values, size_t grid_size)
{
    static const field results_fields[] = {
        {"seconds", 'o', true},     {"commit_overhead_vs_generate", 'n', true},
        {"n_values", 'i', true},    {"grid_size", 'i', true},
        {"n_openings", 'i', true},  {"n_verified", 'i', true},
        {"n_matched", 'i', true},   {"all_proofs_verified", 'b', true},
        {"all_ground_truth_matched", 'b', true}, {"artefact_bytes", 'o', true},
    };
    json_t *o;
    tc_error fe = {0};
    char why[300] = "";
    tc_status st = load_json(err, &o, path);
    if (st != TC_OK)
        return st;
#define GETI(k) json_integer_value(json_object_get(o, k))
    if (check_fields(&fe, "results.json", "", o, results_fields, COUNT(results_fields)) != TC_OK)
        snprintf(why, sizeof why, "%.280s", fe.msg);
    else if (!json_is_true(json_object_get(o, "all_proofs_verified")) ||
             !json_is_true(json_object_get(o, "all_ground_truth_matched")))
        snprintf(why, sizeof why, "it says not every proof verified or matched the grid");
    else if ((size_t)GETI("n_openings") != n_items || (size_t)GETI("n_verified") != n_items ||
             (size_t)GETI("n_matched") != n_items)
        snprintf(why, sizeof why, "n_openings/n_verified/n_matched are not the %zu proofs in "
                 "proofs.json", n_items);
    else if ((size_t)GETI("n_values") != n_values || (size_t)GETI("grid_size") != grid_size)
        snprintf(why, sizeof why, "n_values or grid_size are not the layout's");
#undef GETI
    const char *key;
    json_t *v;
    json_object_foreach(why[0] ? NULL : json_object_get(o, "seconds"), key, v)
        if (!json_is_number(v) || json_number_value(v) < 0) {
            snprintf(why, sizeof why, "seconds.%s is not a number ≥ 0", key);
            break;
        }
    json_object_foreach(why[0] ? NULL : json_object_get(o, "artefact_bytes"), key, v)
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(why, sizeof why, "artefact_bytes.%s is not a size", key);
            break;
        }
    report(c, why[0] == '\0', "results.json %s%s", why[0] ? "does NOT hold: " :
           "holds (all proofs verified and matched, counts; timings and file sizes informative)",
           why);
    json_decref(o);
    return TC_OK;
}

/* ------------------------------------------------------- re-execution */

/* Replays the token choices: with the receipt's sampler and seed, the
 * logits of one pass over the receipt's tokens give each generated token
 * (greedy runs outside deterministic mode accept a token whose logit is
 * within 1e-4 of the largest: the recorded pass ran other kernels), and no
 * token before the last is a stop token. */
static tc_status check_sampling_replay(tc_error *err, checker *c, const receipt *r,
                                       const tc_model *model, const float *logits)
{
    size_t V = (size_t)tc_model_cfg(model)->vocab, T = r->n_tokens, bad = 0, first = 0;
    int32_t stop[TC_MAX_STOP_IDS + 1];
    size_t n_stop = tc_model_default_stop(model, stop);
    float *row = malloc(V * sizeof *row), *scratch = malloc(V * sizeof *scratch);
    int32_t *iscratch = malloc(V * sizeof *iscratch);
    if (row == NULL || scratch == NULL || iscratch == NULL) {
        free(row), free(scratch), free(iscratch);
        return tc_fail(err, TC_ENOMEM, "out of memory");
    }
    tc_prng rng;
    tc_prng_seed(&rng, r->sampling.seed);
    bool greedy = r->sampling.temperature == 0.0f, stopped_early = false;
    for (size_t p = r->n_prompt; p < T; p++) {
        const float *lg = logits + (p - 1) * V;
        memcpy(row, lg, V * sizeof *row);
        int32_t want = tc_sample(&r->sampling, &rng, row, V, scratch, iscratch), got = r->tokens[p];
        bool ok = want == got;
        if (!ok && greedy && !r->deterministic && got >= 0 && (size_t)got < V)
            ok = lg[got] >= lg[want] - 1e-4f;
        if (!ok && bad++ == 0)
            first = p;
        for (size_t i = 0; p + 1 < T && i < n_stop; i++)
            stopped_early |= stop[i] == got;
    }
    free(row), free(scratch), free(iscratch);
    if (bad == 0)
        report(c, !stopped_early, "sampling: the receipt's sampler (temperature %g, top_k %d, "
               "top_p %g, seed %llu) chooses every generated token%s", r->sampling.temperature,
               r->sampling.top_k, r->sampling.top_p, (unsigned long long)r->sampling.seed,
               stopped_early ? ", but a stop token comes before the last" : "");
    else
        report(c, false, "sampling: the receipt's sampler (temperature %g, top_k %d, top_p %g, "
               "seed %llu) does NOT choose %zu of the generated tokens (first at position %zu)",
               r->sampling.temperature, r->sampling.top_k, r->sampling.top_p,
               (unsigned long long)r->sampling.seed, bad, first);
    return TC_OK;
}

static tc_status check_model(tc_error *err, checker *c, const receipt *r, const char *model_dir,
                             const tc_layout *lay, const tc_quant_params *q, const int64_t *grid,
                             json_int_t stats_vocab)
{
    tc_model *model = NULL;
    tc_session *sess = NULL;
    tc_tok *tok = NULL;
    int32_t *ids = NULL;
    char *text = NULL;
    float *hidden = NULL, *logits = NULL;
    double *layer_max = NULL;
    uint8_t digest[32];
    char hex[65];
    tc_status st;
    if ((st = tc_model_digest(err, digest, model_dir)) != TC_OK)
        return st;
    tc_hex_encode(hex, digest, 32);
    bool same = !strcmp(hex, r->model_digest);
    report(c, same, "model %s: digest (config, tokenizer, weights) %s the receipt's", model_dir,
           same ? "is" : "is NOT");
    if ((st = tc_model_load(err, &model, model_dir)) != TC_OK ||
        (st = tc_engine_tokenizer(err, &tok, model_dir)) != TC_OK)
        goto out;
    const tc_model_config *cfg = tc_model_cfg(model);
    size_t L1 = (size_t)cfg->n_layers + 1, T = r->n_tokens, H = (size_t)cfg->dim;
    same = !strcmp(cfg->model_type, r->model_type) && stats_vocab == cfg->vocab;
    report(c, same, "model: type %s and vocabulary %d %s the receipt's and stats.json's",
           cfg->model_type, cfg->vocab, same ? "are" : "are NOT");
    bool dims = lay->n_layers == L1 && lay->n_tokens == T && lay->hidden == H;
    report(c, dims, "model: %zu layers × %zu tokens × %zu hidden %s the layout", L1, T, H,
           dims ? "match" : "do NOT match");
    if (!dims)
        goto out;
    for (size_t i = 0; i < T; i++)
        if (r->tokens[i] >= cfg->vocab) {
            report(c, false, "receipt: token %zu (%d) is outside the vocabulary", i, r->tokens[i]);
            goto out;
        }
    if (tok != NULL) {
        size_t n;
        if ((st = tc_engine_encode(err, model, tok, r->prompt, 0, &ids, &n)) != TC_OK)
            goto out;
        bool pm = n == r->n_prompt && !memcmp(ids, r->tokens, n * sizeof *ids);
        report(c, pm, "receipt: the prompt %s to the receipt's %zu prompt tokens",
               pm ? "tokenizes" : "does NOT tokenize", r->n_prompt);
        if ((st = tc_engine_decode(err, tok, r->tokens + r->n_prompt, T - r->n_prompt, &text)) != TC_OK)
            goto out;
        bool tm = !strcmp(text, r->text);
        report(c, tm, "receipt: the generated tokens %s to the receipt's text",
               tm ? "decode" : "do NOT decode");
    }
    tc_engine_opts eo = {.n_threads = c->o->n_threads, .deterministic = r->deterministic,
                         .max_seq = T, .round = r->dequantized_inputs ? tc_audit_round : NULL,
                         .round_ctx = (void *)q};
    if ((st = tc_session_new(err, &sess, model, &eo)) != TC_OK)
        goto out;
    hidden = malloc(L1 * T * H * sizeof *hidden);
    logits = malloc(T * (size_t)cfg->vocab * sizeof *logits);
    layer_max = calloc(L1, sizeof *layer_max);
    if (hidden == NULL || logits == NULL || layer_max == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = tc_capture(err, sess, r->tokens, T, hidden, NULL, logits)) != TC_OK ||
        (st = check_sampling_replay(err, c, r, model, logits)) != TC_OK)
        goto out;
    double tol = c->o->tolerance >= 0 ? c->o->tolerance : (r->deterministic ? 0.0 : 1e-4);
    double worst = 0;
    size_t worst_layer = 0, n_bad = 0;
    for (size_t l = 0; l < L1; l++)
        for (size_t t = 0; t < T; t++)
            for (size_t h = 0; h < H; h++) {
                int64_t v = grid[tc_layout_ltoh_to_index(lay, l, t, h)], v2;
                float x = hidden[(l * T + t) * H + h];
                double d;
                if (tc_quant_value_f32(q, x, &v2))
                    d = fabs(tc_dequant_value(q, v2) - tc_dequant_value(q, v));
                else
                    d = INFINITY;
                if (d > layer_max[l])
                    layer_max[l] = d;
                if (d > tol)
                    n_bad++;
                if (d > worst) {
                    worst = d;
                    worst_layer = l;
                }
            }
    c->res->max_diff = worst;
    c->res->model_checked = true;
    report(c, n_bad == 0,
           "re-execution: %zu of %zu values differ from the grid by more than %g "
           "(largest %.3g, in layer %zu)", n_bad, L1 * T * H, tol, worst, worst_layer);
    if ((st = check_tokens(err, c, r, sess, lay, q, grid, hidden)) != TC_OK)
        goto out;
out:
    free(layer_max);
    free(logits);
    free(hidden);
    free(text);
    free(ids);
    tc_session_free(sess);
    tc_tok_free(tok);
    tc_model_free(model);
    return st;
}

static void token_report(void *ctx, bool ok, const char *line)
{
    report(ctx, ok, "tokens: %s", line);
}

/* Check 4 of the audit (docs/audit.md): every generated token follows from
 * the committed final states, read from the grid (scratch: T·H floats). */
static tc_status check_tokens(tc_error *err, checker *c, const receipt *r, tc_session *sess,
                              const tc_layout *lay, const tc_quant_params *q,
                              const int64_t *grid, float *scratch)
{
    size_t T = r->n_tokens, H = lay->hidden, L = lay->n_layers - 1;
    for (size_t t = 0; t < T; t++)
        for (size_t h = 0; h < H; h++)
            scratch[t * H + h] =
                (float)tc_dequant_value(q, grid[tc_layout_ltoh_to_index(lay, L, t, h)]);
    bool exact = r->deterministic && r->dequantized_inputs;
    tc_token_check tr;
    tc_status st = tc_check_tokens(err, &tr, sess, q, exact, &r->sampling, r->tokens, T,
                                   r->n_prompt, scratch);
    if (st == TC_OK)
        tc_token_check_lines(&tr, exact, token_report, c);
    return st;
}

/* ---------------------------------------------------------------- main */

tc_status tc_run_check(tc_error *err, tc_check_result *res, const tc_check_opts *o)
{
    checker c = {o, res};
    receipt r;
    json_t *qj = NULL, *lj = NULL;
    tc_pst_srs srs;
    tc_npy grid = {0}, hs = {0};
    uint8_t *ctext = NULL;
    char path[4096], srs_path[4096];
    tc_status st;
    memset(res, 0, sizeof *res);
    memset(&r, 0, sizeof r);
    memset(&srs, 0, sizeof srs);

    path_in(path, sizeof path, o->run_dir, "receipt.json");
    if ((st = read_receipt(err, &r, path)) != TC_OK)
        goto out;
    note(&c, "receipt.json: \"environment\" (build, CPU, kernels, threads, time), \"tool\" and "
             "\"model_dir\" are informative: checked for their types only");

    /* commitment.txt */
    size_t clen;
    path_in(path, sizeof path, o->run_dir, "commitment.txt");
    if ((st = tc_read_file(err, &ctext, &clen, path, 1024)) != TC_OK)
        goto out;
    while (clen > 0 && (ctext[clen - 1] == '\n' || ctext[clen - 1] == '\r'))
        ctext[--clen] = '\0';
    bool same = strlen((char *)ctext) == clen && !strcmp((char *)ctext, r.commitment);
    report(&c, same, "commitment.txt %s the receipt's commitment", same ? "is" : "is NOT");

    /* quantization.json and layout.json */
    tc_quant_params q;
    tc_layout lay;
    path_in(path, sizeof path, o->run_dir, "quantization.json");
    if ((st = load_json(err, &qj, path)) != TC_OK)
        goto out;
    same = json_equal(qj, r.quant);
    report(&c, same, "quantization.json %s the receipt's quantization", same ? "is" : "is NOT");
    if ((st = tc_quant_from_json(err, &q, r.quant, "receipt.json quantization")) != TC_OK)
        goto out;
    path_in(path, sizeof path, o->run_dir, "layout.json");
    if ((st = load_json(err, &lj, path)) != TC_OK)
        goto out;
    same = json_equal(lj, r.layout);
    report(&c, same, "layout.json %s the receipt's layout", same ? "is" : "is NOT");
    if ((st = tc_layout_read(err, &lay, path)) != TC_OK)
        goto out;
    if (lay.n_tokens != r.n_tokens) {
        report(&c, false, "layout.json: %zu tokens, the receipt %zu", lay.n_tokens, r.n_tokens);
        goto out;
    }

    /* the SRS */
    if (o->srs_path != NULL)
        snprintf(srs_path, sizeof srs_path, "%s", o->srs_path);
    else
        path_in(srs_path, sizeof srs_path, o->run_dir, "srs.tcs");
    if (o->srs_path == NULL && !file_exists(srs_path)) {
        st = tc_fail(err, TC_EIO, "%s: not found: a run made with `run --srs` keeps its SRS "
                                  "elsewhere; pass it with --srs", srs_path);
        goto out;
    }
    if ((st = tc_pst_srs_load(err, &srs, srs_path, o->n_threads)) != TC_OK)
        goto out;
    char idhex[65];
    tc_hex_encode(idhex, srs.id, 32);
    same = !strcmp(idhex, r.srs_id);
    res->srs_from_run = o->srs_path == NULL;
    res->srs_testing = tc_pst_origin_is_testing(srs.origin);
    res->srs_origin = tc_pst_origin_name(srs.origin);
    /* The id only ties the SRS to the receipt; an SRS taken from the folder
     * is the prover's own, so say where it came from and its stated origin
     * (a seeded SRS lets anyone with the seed forge openings). */
    report(&c, same, "%s: SRS id %s the receipt's (%s, origin %s)", srs_path,
           same ? "is" : "is NOT",
           o->srs_path != NULL ? "given by the verifier" : "from the run folder: trusted as is",
           tc_pst_origin_name(srs.origin));
    check_srs_claims(&c, &r, &srs, srs_path);
    tc_pst_shape shape = {.m = lay.m};
    for (int i = 0; i < lay.m; i++)
        shape.n[i] = lay.shape[i];
    if (!tc_pst_shape_eq(&shape, &srs.shape)) {
        report(&c, false, "%s: the SRS's shape is not the layout's grid shape", srs_path);
        goto out;
    }

    /* grid.npy: shape, and the commitment it gives */
    path_in(path, sizeof path, o->run_dir, "grid.npy");
    if ((st = tc_npy_read(err, &grid, path)) != TC_OK)
        goto out;
    if (grid.dtype != TC_NPY_I64 || grid.count != lay.grid_size) {
        report(&c, false, "grid.npy: not an int64 array of the grid's %zu values", lay.grid_size);
        goto out;
    }
    tc_g1 cj;
    tc_g1_affine cg, cr;
    char why[TC_PST_FAULT_LEN];
    if ((st = tc_pst_commit_i64(err, &cj, &srs, grid.data, grid.count, o->n_threads)) != TC_OK)
        goto out;
    tc_g1_to_affine(&cg, &cj);
    if (!tc_pst_point_from_hex(&cr, r.commitment, why)) {
        report(&c, false, "receipt.json: the commitment does not decode: %s", why);
        goto out;
    }
    same = tc_g1_affine_eq(&cg, &cr);
    report(&c, same, "grid.npy %s to the receipt's commitment", same ? "commits" : "does NOT commit");

    /* proofs.json (none for a run made with --no-open), then vk.json (which
     * must embed every slice's level) */
    size_t n_items = 0;
    bool levels[TC_PST_MAX_VARS + 1] = {false};
    path_in(path, sizeof path, o->run_dir, "proofs.json");
    if (r.from_challenges) {
        bool none = !file_exists(path);
        report(&c, none, "proofs.json: %s", none ? "none (run with --no-open: openings come "
               "from challenges)" : "present, but the receipt says openings come from challenges");
    } else if ((st = check_proofs(err, &c, &srs, &cr, grid.data, path, &n_items, levels)) !=
               TC_OK) {
        goto out;
    }
    path_in(path, sizeof path, o->run_dir, "vk.json");
    if ((st = check_vk(err, &c, &srs, path, levels)) != TC_OK)
        goto out;

    /* the capture: hidden states, tokens, statistics */
    path_in(path, sizeof path, o->run_dir, "hidden_states.npy");
    if ((st = check_hidden(err, &c, &lay, &q, grid.data, path, &hs)) != TC_OK)
        goto out;
    path_in(path, sizeof path, o->run_dir, "tokens.npy");
    tc_npy tk = {0};
    if ((st = tc_npy_read(err, &tk, path)) != TC_OK)
        goto out;
    same = tk.dtype == TC_NPY_I64 && tk.ndim == 1 && tk.count == r.n_tokens;
    for (size_t i = 0; same && i < r.n_tokens; i++)
        same = ((int64_t *)tk.data)[i] == r.tokens[i];
    tc_npy_free(&tk);
    report(&c, same, "tokens.npy %s the receipt's tokens", same ? "holds" : "does NOT hold");
    json_int_t vocab = 0;
    path_in(path, sizeof path, o->run_dir, "stats.json");
    if ((st = check_stats(err, &c, &r, &hs, path, &vocab)) != TC_OK)
        goto out;

    /* results.json */
    path_in(path, sizeof path, o->run_dir, "results.json");
    if ((st = check_results(err, &c, path, n_items,
                            lay.n_layers * lay.n_tokens * lay.hidden, lay.grid_size)) != TC_OK)
        goto out;

    /* the model */
    const char *mdir = o->model_dir ? o->model_dir : r.model_dir;
    if (o->skip_model) {
        note(&c, "the model was not re-executed (--skip-model): digest, prompt, text, sampling "
                 "and hidden states are not re-checked against it");
    } else if (mdir == NULL || !file_exists(mdir)) {
        /* a missing input, not a rejection: exit 3 */
        st = tc_fail(err, TC_EIO, "model folder %s not found: cannot re-execute (pass --model, "
                                  "or --skip-model to check the commitments only)",
                     mdir ? mdir : "(none)");
    } else {
        st = check_model(err, &c, &r, mdir, &lay, &q, grid.data, vocab);
    }
out:
    tc_npy_free(&hs);
    tc_npy_free(&grid);
    tc_pst_srs_free(&srs);
    json_decref(qj);
    json_decref(lj);
    json_decref(r.root);
    free(r.tokens);
    free(ctext);
    return st;
}
