/* receipt.json in a run folder: every field present, of its type and
 * allowed values, no unknown field (docs/formats.md "receipt.json"). */
#include "protocol/check_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/run.h"

static const tc_json_field receipt_fields[] = {
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
static const tc_json_field sampling_fields[] = {
    {"temperature", 'n', true}, {"top_k", 'i', true}, {"top_p", 'n', true}, {"seed", 's', true},
};
/* Informative: checked for their types only. */
static const tc_json_field environment_fields[] = {
    {"build", 'o', true},   {"cpu_features", 'a', true}, {"kernels", 'o', true},
    {"threads", 'i', true}, {"created_utc", 's', true},
};
static const tc_json_field build_fields[] = {
    {"version", 's', true},  {"git_commit", 's', true}, {"build_type", 's', true},
    {"c_flags", 's', true},  {"compiler", 's', true},
};
static const tc_json_field kernel_fields[] = {
    {"field_mul", 's', true}, {"msm_batch_add", 's', true}, {"blas", 's', true},
    {"blas_core", 's', true},
};

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

static tc_status check_sampling(tc_error *err, tc_run_receipt *r, const char *path)
{
    json_t *smp = json_object_get(r->root, "sampling");
    tc_status st = tc_json_check_fields(err, path, "sampling.", smp, sampling_fields,
                                        TC_ARRAY_LEN(sampling_fields));
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

static tc_status check_environment(tc_error *err, const tc_run_receipt *r, const char *path)
{
    json_t *env = json_object_get(r->root, "environment");
    tc_status st = tc_json_check_fields(err, path, "environment.", env, environment_fields,
                                TC_ARRAY_LEN(environment_fields));
    if (st == TC_OK)
        st = tc_json_check_fields(err, path, "environment.build.", json_object_get(env, "build"),
                          build_fields, TC_ARRAY_LEN(build_fields));
    if (st == TC_OK)
        st =
            tc_json_check_fields(err, path, "environment.kernels.", json_object_get(env, "kernels"),
                                 kernel_fields, TC_ARRAY_LEN(kernel_fields));
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

tc_status tc_run_receipt_read(tc_error *err, tc_run_receipt *r, const char *path)
{
    memset(r, 0, sizeof *r);
    tc_status st = tc_json_load_object(err, &r->root, path, 0, NULL);
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
    st = tc_json_check_fields(err, path, "", o, receipt_fields, TC_ARRAY_LEN(receipt_fields));
    if (st == TC_OK)
        st = check_sampling(err, r, path);
    if (st == TC_OK)
        st = check_environment(err, r, path);
    if (st != TC_OK)
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

void tc_run_receipt_free(tc_run_receipt *r)
{
    json_decref(r->root);
    free(r->tokens);
    memset(r, 0, sizeof *r);
}
