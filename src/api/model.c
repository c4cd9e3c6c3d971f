/* The public API: the model and the tokenizer (include/tensorcommit.h)
 * over src/model and src/tokenizer.  tc_model is the engine's own handle
 * (model/engine.h); each call runs a session of its own. */
#include "api/api_internal.h"

#include "model/engine.h"
#include "tokenizer/tokenizer.h"

#include <stdlib.h>

struct tc_tokenizer {
    tc_tok *tok;
};

void tc_model_dims(const tc_model *m, int *n_layers, size_t *dim, size_t *vocab,
                   size_t *max_pos)
{
    const tc_model_config *c = tc_model_cfg(m);
    if (n_layers != NULL)
        *n_layers = c->n_layers;
    if (dim != NULL)
        *dim = (size_t)c->dim;
    if (vocab != NULL)
        *vocab = (size_t)c->vocab;
    if (max_pos != NULL)
        *max_pos = (size_t)c->max_pos;
}

/* A session for `tokens` positions. */
static tc_status session(tc_error *err, tc_session **s, const tc_model *m, size_t tokens,
                         int n_threads, bool deterministic, const char *fn)
{
    *s = NULL;
    if (m == NULL)
        return tc_fail(err, TC_EARG, "%s: m is NULL", fn);
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "%s: n_threads %d < 1", fn, n_threads);
    if (tokens == 0 || tokens > (size_t)tc_model_cfg(m)->max_pos)
        return tc_fail(err, TC_EARG, "%s: %zu positions (1..%d)", fn, tokens,
                       tc_model_cfg(m)->max_pos);
    tc_engine_opts o = {.n_threads = n_threads, .deterministic = deterministic,
                        .max_seq = tokens};
    return tc_session_new(err, s, m, &o);
}

tc_status tc_model_generate(tc_error *err, int32_t *out, size_t *n_out, const tc_model *m,
                            const int32_t *prompt, size_t n_prompt, size_t max_new,
                            float temperature, uint64_t seed, int n_threads, bool deterministic)
{
    TC_API_NONNULL(err, out, "out");
    TC_API_NONNULL(err, n_out, "n_out");
    *n_out = 0;
    TC_API_NONNULL(err, prompt, "prompt");
    if (!(temperature >= 0.0f))
        return tc_fail(err, TC_EARG, "%s: temperature %g < 0", __func__, (double)temperature);
    tc_session *s = NULL;
    tc_status st = session(err, &s, m, n_prompt + max_new, n_threads, deterministic, __func__);
    if (st == TC_OK) {
        int32_t stop[TC_MAX_STOP_IDS + 1];
        size_t n_stop = tc_model_default_stop(m, stop);
        tc_sampler smp = {.temperature = temperature, .top_k = 0, .top_p = 1.0f, .seed = seed};
        st = tc_generate(err, s, prompt, n_prompt, max_new, &smp, stop, n_stop, out, n_out,
                         NULL, NULL);
    }
    tc_session_free(s);
    return st;
}

tc_status tc_model_capture(tc_error *err, float *hidden, const tc_model *m, const int32_t *tokens,
                           size_t T, int n_threads, bool deterministic)
{
    TC_API_NONNULL(err, hidden, "hidden");
    TC_API_NONNULL(err, tokens, "tokens");
    tc_session *s = NULL;
    tc_status st = session(err, &s, m, T, n_threads, deterministic, __func__);
    if (st == TC_OK)
        st = tc_capture(err, s, tokens, T, hidden, NULL, NULL);
    tc_session_free(s);
    return st;
}

tc_status tc_model_run_blocks(tc_error *err, float *out, const tc_model *m, const float *h_in,
                              size_t T, int first, int last, int n_threads, bool deterministic)
{
    TC_API_NONNULL(err, out, "out");
    TC_API_NONNULL(err, h_in, "h_in");
    TC_API_NONNULL(err, m, "m");
    int L = tc_model_cfg(m)->n_layers;
    if (first < 0 || first > last || last >= L)
        return tc_fail(err, TC_EARG, "%s: blocks %d..%d outside 0..%d", __func__, first, last,
                       L - 1);
    tc_session *s = NULL;
    tc_status st = session(err, &s, m, T, n_threads, deterministic, __func__);
    if (st == TC_OK)
        st = tc_session_run_blocks(err, s, h_in, T, first, last, out, NULL);
    tc_session_free(s);
    return st;
}

/* ---------------------------------------------------------- tokenizer */

tc_status tc_tokenizer_load(tc_error *err, tc_tokenizer **out, const char *path)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, path, "path");
    tc_tokenizer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    tc_status st = tc_tok_load(err, &t->tok, path);
    if (st != TC_OK) {
        free(t);
        return st;
    }
    *out = t;
    return TC_OK;
}

tc_status tc_tokenizer_encode(tc_error *err, uint32_t **ids, size_t *n_ids,
                              const tc_tokenizer *tok, const char *text, size_t len,
                              bool add_special)
{
    TC_API_NONNULL(err, ids, "ids");
    *ids = NULL;
    TC_API_NONNULL(err, n_ids, "n_ids");
    *n_ids = 0;
    TC_API_NONNULL(err, tok, "tok");
    TC_API_NONNULL(err, text, "text");
    return tc_tok_encode(err, tok->tok, ids, n_ids, text, len, add_special);
}

tc_status tc_tokenizer_decode(tc_error *err, char **text, size_t *len, const tc_tokenizer *tok,
                              const uint32_t *ids, size_t n_ids, bool skip_special)
{
    TC_API_NONNULL(err, text, "text");
    *text = NULL;
    TC_API_NONNULL(err, len, "len");
    *len = 0;
    TC_API_NONNULL(err, tok, "tok");
    if (n_ids > 0)
        TC_API_NONNULL(err, ids, "ids");
    return tc_tok_decode(err, tok->tok, text, len, ids, n_ids, skip_special);
}

void tc_tokenizer_free(tc_tokenizer *tok)
{
    if (tok == NULL)
        return;
    tc_tok_free(tok->tok);
    free(tok);
}
