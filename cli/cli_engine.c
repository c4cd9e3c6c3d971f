/* Prompt input shared by generate and capture: text through the model's
 * tokenizer, or explicit ids. */
#include "cli.h"

#include <stdlib.h>

#include "model/textio.h"

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
            cli_errorf(verb, "--tokens: id %llu is outside the vocabulary (%d)",
                       (unsigned long long)v[i], vocab);
            free(v);
            free(out);
            return CLI_USAGE;
        }
        out[i] = (int32_t)v[i];
    }
    free(v);
    if (out == NULL) {
        cli_errorf(verb, "--tokens must be a comma-separated list of ids");
        return CLI_USAGE;
    }
    *ids = out;
    *n_ids = (size_t)n;
    return CLI_OK;
}
