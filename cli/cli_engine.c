/* Prompt input shared by generate and capture: text through the model's
 * tokenizer, or explicit ids. */
#include "cli.h"

#include <stdlib.h>
#include <getopt.h>

#include "model/engine.h"
#include "protocol/textio.h"

int cli_prompt_ids(const char *verb, const tc_model *m, const tc_tok *tok, const char *model_dir,
                   const char *prompt, const char *tokens, int32_t **ids, size_t *n_ids)
{
    *ids = NULL;
    *n_ids = 0;
    if (prompt != NULL) {
        tc_error err = {0};
        if (tok == NULL) {
            cli_errorf(verb, "%s: no tokenizer.json; use --tokens", model_dir);
            return CLI_ERROR;
        }
        tc_status st = tc_engine_encode(&err, m, tok, prompt, 0, ids, n_ids);
        return st == TC_OK ? CLI_OK : cli_report(verb, &err, st);
    }
    int vocab = tc_model_cfg(m)->vocab;
    uint64_t *v = malloc((1 << 16) * sizeof *v);
    int n = v ? cli_parse_u64_list(tokens, v, 1 << 16) : -1;
    int32_t *out = n > 0 ? malloc((size_t)n * sizeof *out) : NULL;
    for (int i = 0; out != NULL && i < n; i++) {
        if (v[i] >= (uint64_t)vocab) {
            cli_usage(verb, "--tokens: id %llu is outside the vocabulary (%d)",
                       (unsigned long long)v[i], vocab);
            free(v);
            free(out);
            return CLI_USAGE;
        }
        out[i] = (int32_t)v[i];
    }
    free(v);
    if (out == NULL) {
        cli_usage(verb, "--tokens must be a comma-separated list of ids");
        return CLI_USAGE;
    }
    *ids = out;
    *n_ids = (size_t)n;
    return CLI_OK;
}

static bool parse_float(const char *s, float lo, float hi, float *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !(v >= lo && v <= hi))
        return false;
    *out = (float)v;
    return true;
}

int cli_gen_option(cli_gen_args *a, int code, const char *arg, const char *verb)
{
    switch (code) {
    case 'm': a->model = arg; return 1;
    case 'p': a->prompt = arg; return 1;
    case 'T': a->tokens = arg; return 1;
    case 'd': a->deterministic = true; return 1;
    case 'z': a->quiet = true; return 1;
    case 'n':
        if (cli_parse_int(arg, 0, 1 << 20, &a->max_new))
            return 1;
        cli_usage(verb, "--max-new-tokens must be an integer >= 0");
        return -1;
    case 'k':
        if (cli_parse_int(arg, 0, 1 << 30, &a->top_k))
            return 1;
        cli_usage(verb, "--top-k must be an integer >= 0");
        return -1;
    case 'j':
        return cli_threads_option(verb, arg, &a->threads) ? 1 : -1;
    case 't':
        if (parse_float(arg, 0.0f, 100.0f, &a->temperature))
            return 1;
        cli_usage(verb, "--temperature must be a number in 0..100");
        return -1;
    case 'P':
        if (parse_float(arg, 1e-6f, 1.0f, &a->top_p))
            return 1;
        cli_usage(verb, "--top-p must be a number in (0, 1]");
        return -1;
    case 's':
        if (cli_parse_u64(arg, &a->seed))
            return 1;
        cli_usage(verb, "--seed must be an unsigned integer");
        return -1;
    default:
        return 0;
    }
}

int cli_open_session(const char *verb, const tc_model *m, const cli_gen_args *a, size_t n_prompt,
                     tc_session **s, int32_t **seq)
{
    tc_error err = {0};
    *s = NULL;
    *seq = NULL;
    tc_engine_opts eo = {.n_threads = a->threads, .deterministic = a->deterministic,
                         .max_seq = n_prompt + (size_t)a->max_new};
    tc_status st = tc_session_new(&err, s, m, &eo);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    if (n_prompt > tc_session_capacity(*s)) {
        cli_usage(verb, "the prompt has %zu tokens; the model's context is %zu", n_prompt,
                   tc_session_capacity(*s));
        return CLI_ERROR;
    }
    if ((*seq = malloc((n_prompt + (size_t)a->max_new + 1) * sizeof **seq)) == NULL) {
        cli_usage(verb, "out of memory");
        return CLI_ERROR;
    }
    return CLI_OK;
}
