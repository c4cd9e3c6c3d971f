/* Re-execution of a run's model over the receipt's tokens (check.h: the
 * checks "with the model"). */
#include "protocol/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/textio.h"
#include "protocol/audit.h"
#include "protocol/run.h"

/* Replays the token choices: with the receipt's sampler and seed, the
 * logits of one pass over the receipt's tokens give each generated token
 * (greedy runs outside deterministic mode accept a token whose logit is
 * within 1e-4 of the largest: the recorded pass ran other kernels), and no
 * token before the last is a stop token. */
static tc_status check_sampling_replay(tc_error *err, tc_checker *c, const tc_run_receipt *r,
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
        tc_check_report(c, !stopped_early,
                        "sampling: the receipt's sampler (temperature %g, top_k %d, "
                        "top_p %g, seed %llu) chooses every generated token%s",
                        r->sampling.temperature, r->sampling.top_k, r->sampling.top_p,
                        (unsigned long long)r->sampling.seed,
                        stopped_early ? ", but a stop token comes before the last" : "");
    else
        tc_check_report(
            c, false,
            "sampling: the receipt's sampler (temperature %g, top_k %d, top_p %g, "
            "seed %llu) does NOT choose %zu of the generated tokens (first at position %zu)",
            r->sampling.temperature, r->sampling.top_k, r->sampling.top_p,
            (unsigned long long)r->sampling.seed, bad, first);
    return TC_OK;
}

static void token_report(void *ctx, bool ok, const char *line)
{
    tc_check_report(ctx, ok, "tokens: %s", line);
}

/* Check 4 of the audit (docs/audit.md): every generated token follows from
 * the committed final states, read from the grid (scratch: T·H floats). */
static tc_status check_tokens(tc_error *err, tc_checker *c, const tc_run_receipt *r,
                              tc_session *sess, const tc_layout *lay, const tc_quant_params *q,
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

/* The re-executed hidden states (L+1, T, H), quantized, against the grid:
 * how many differ by more than the tolerance, and the largest difference. */
static void compare_hidden(tc_checker *c, const tc_run_receipt *r, const tc_layout *lay,
                           const tc_quant_params *q, const int64_t *grid, const float *hidden)
{
    size_t L1 = lay->n_layers, T = lay->n_tokens, H = lay->hidden;
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
                if (d > tol)
                    n_bad++;
                if (d > worst) {
                    worst = d;
                    worst_layer = l;
                }
            }
    c->res->max_diff = worst;
    c->res->model_checked = true;
    tc_check_report(c, n_bad == 0,
                    "re-execution: %zu of %zu values differ from the grid by more than %g "
                    "(largest %.3g, in layer %zu)",
                    n_bad, L1 * T * H, tol, worst, worst_layer);
}

/* The prompt tokenizes to the receipt's prompt tokens, and the generated
 * tokens decode to its text. */
static tc_status check_text(tc_error *err, tc_checker *c, const tc_run_receipt *r,
                            const tc_model *model, tc_tok *tok)
{
    int32_t *ids = NULL;
    char *text = NULL;
    size_t n;
    tc_status st = tc_engine_encode(err, model, tok, r->prompt, 0, &ids, &n);
    if (st != TC_OK)
        return st;
    bool pm = n == r->n_prompt && !memcmp(ids, r->tokens, n * sizeof *ids);
    free(ids);
    tc_check_report(c, pm, "receipt: the prompt %s to the receipt's %zu prompt tokens",
                    pm ? "tokenizes" : "does NOT tokenize", r->n_prompt);
    st = tc_engine_decode(err, tok, r->tokens + r->n_prompt, r->n_tokens - r->n_prompt, &text);
    if (st != TC_OK)
        return st;
    bool tm = !strcmp(text, r->text);
    free(text);
    tc_check_report(c, tm, "receipt: the generated tokens %s to the receipt's text",
                    tm ? "decode" : "do NOT decode");
    return TC_OK;
}

tc_status tc_check_model_run(tc_error *err, tc_checker *c, const tc_run_receipt *r,
                             const char *model_dir, const tc_layout *lay, const tc_quant_params *q,
                             const int64_t *grid, json_int_t stats_vocab)
{
    tc_model *model = NULL;
    tc_session *sess = NULL;
    tc_tok *tok = NULL;
    float *hidden = NULL, *logits = NULL;
    uint8_t digest[32];
    char hex[65];
    tc_status st;
    st = tc_model_digest(err, digest, model_dir);
    if (st != TC_OK)
        return st;
    tc_hex_encode(hex, digest, 32);
    bool same = !strcmp(hex, r->model_digest);
    tc_check_report(c, same, "model %s: digest (config, tokenizer, weights) %s the receipt's",
                    model_dir, same ? "is" : "is NOT");
    st = tc_model_load(err, &model, model_dir);
    if (st == TC_OK)
        st = tc_engine_tokenizer(err, &tok, model_dir);
    if (st != TC_OK)
        goto out;
    const tc_model_config *cfg = tc_model_cfg(model);
    size_t L1 = (size_t)cfg->n_layers + 1, T = r->n_tokens, H = (size_t)cfg->dim;
    same = !strcmp(cfg->model_type, r->model_type) && stats_vocab == cfg->vocab;
    tc_check_report(c, same, "model: type %s and vocabulary %d %s the receipt's and stats.json's",
                    cfg->model_type, cfg->vocab, same ? "are" : "are NOT");
    bool dims = lay->n_layers == L1 && lay->n_tokens == T && lay->hidden == H;
    tc_check_report(c, dims, "model: %zu layers × %zu tokens × %zu hidden %s the layout", L1, T, H,
                    dims ? "match" : "do NOT match");
    if (!dims)
        goto out;
    for (size_t i = 0; i < T; i++)
        if (r->tokens[i] >= cfg->vocab) {
            tc_check_report(c, false, "receipt: token %zu (%d) is outside the vocabulary", i,
                            r->tokens[i]);
            goto out;
        }
    if (tok != NULL) {
        st = check_text(err, c, r, model, tok);
        if (st != TC_OK)
            goto out;
    }
    tc_engine_opts eo = {.n_threads = c->o->n_threads, .deterministic = r->deterministic,
                         .max_seq = T, .round = r->dequantized_inputs ? tc_audit_round : NULL,
                         .round_ctx = (void *)q};
    st = tc_session_new(err, &sess, model, &eo);
    if (st != TC_OK)
        goto out;
    hidden = malloc(L1 * T * H * sizeof *hidden);
    logits = malloc(T * (size_t)cfg->vocab * sizeof *logits);
    if (hidden == NULL || logits == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    st = tc_capture(err, sess, r->tokens, T, hidden, NULL, logits);
    if (st == TC_OK)
        st = check_sampling_replay(err, c, r, model, logits);
    if (st != TC_OK)
        goto out;
    compare_hidden(c, r, lay, q, grid, hidden);
    st = check_tokens(err, c, r, sess, lay, q, grid, hidden);
    if (st != TC_OK)
        goto out;
out:
    free(logits);
    free(hidden);
    tc_session_free(sess);
    tc_tok_free(tok);
    tc_model_free(model);
    return st;
}

