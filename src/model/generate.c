/* Token selection (greedy, temperature, top-k, top-p) and the generation
 * loop over the KV cache. */
#include "model/model_internal.h"
#include "model/kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first largest element, as torch.argmax picks on ties (the strict >
 * matters); -1 when any element is NaN. */
static int32_t argmax(const float *x, size_t n)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            return -1;
        if (x[i] > x[best])
            best = i;
    }
    return (int32_t)best;
}

static bool any_nan(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return true;
    return false;
}

/* Sort key: probability descending, then id ascending (a total order, so the
 * result never depends on qsort's algorithm). */
static int cmp_desc(const void *a, const void *b, const float *p)
{
    int32_t i = *(const int32_t *)a, j = *(const int32_t *)b;
    if (p[i] != p[j])
        return p[i] > p[j] ? -1 : 1;
    return (i > j) - (i < j);
}

/* Merge sort of ids by cmp_desc (stable, no recursion-depth surprises:
 * depth log2(vocab)). */
static void sort_ids(int32_t *ids, int32_t *tmp, size_t n, const float *p)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_ids(ids, tmp, h, p);
    sort_ids(ids + h, tmp, n - h, p);
    size_t a = 0, b = h, k = 0;
    while (a < h && b < n)
        tmp[k++] = cmp_desc(&ids[a], &ids[b], p) <= 0 ? ids[a++] : ids[b++];
    while (a < h)
        tmp[k++] = ids[a++];
    while (b < n)
        tmp[k++] = ids[b++];
    memcpy(ids, tmp, n * sizeof *ids);
}

int32_t tc_sample(const tc_sampler *smp, tc_prng *rng, float *logits, size_t vocab,
                  float *scratch, int32_t *iscratch)
{
    if (!(smp->temperature > 0.0f))
        return argmax(logits, vocab);
    if (any_nan(logits, vocab))
        return -1;
    for (size_t i = 0; i < vocab; i++)
        logits[i] /= smp->temperature;
    tc_vec_softmax(logits, vocab);
    size_t keep = vocab;
    bool filter = (smp->top_k > 0 && (size_t)smp->top_k < vocab) || smp->top_p < 1.0f;
    int32_t *ids = iscratch;
    for (size_t i = 0; i < vocab; i++)
        ids[i] = (int32_t)i;
    if (filter) {
        sort_ids(ids, (int32_t *)scratch, vocab, logits);
        if (smp->top_k > 0 && (size_t)smp->top_k < keep)
            keep = (size_t)smp->top_k;
        if (smp->top_p < 1.0f) {
            double cum = 0, total = 0;
            for (size_t i = 0; i < keep; i++)
                total += logits[ids[i]];
            for (size_t i = 0; i < keep; i++) {
                cum += logits[ids[i]];
                if (cum >= smp->top_p * total) {
                    keep = i + 1;
                    break;
                }
            }
        }
    }
    double total = 0;
    for (size_t i = 0; i < keep; i++)
        total += logits[ids[i]];
    double r = tc_prng_double(rng) * total, acc = 0;
    for (size_t i = 0; i < keep; i++) {
        acc += logits[ids[i]];
        if (r < acc)
            return ids[i];
    }
    return ids[keep - 1];
}

tc_status tc_generate(tc_error *err, tc_session *s, const int32_t *prompt, size_t n_prompt,
                      size_t max_new, const tc_sampler *smp, const int32_t *stop, size_t n_stop,
                      int32_t *out, size_t *n_out, tc_token_fn on_token, void *ctx)
{
    return tc_generate_hooked(err, s, prompt, n_prompt, max_new, smp, stop, n_stop, out, n_out,
                              on_token, ctx, NULL);
}

tc_status tc_generate_hooked(tc_error *err, tc_session *s, const int32_t *prompt, size_t n_prompt,
                             size_t max_new, const tc_sampler *smp, const int32_t *stop,
                             size_t n_stop, int32_t *out, size_t *n_out, tc_token_fn on_token,
                             void *ctx, const tc_hook *hook)
{
    const tc_model_config *c = tc_model_cfg(tc_session_model(s));
    size_t vocab = (size_t)c->vocab;
    *n_out = 0;
    if (n_prompt == 0)
        return tc_fail(err, TC_EARG, "the prompt has no tokens (a model needs at least BOS)");
    if (n_prompt > tc_session_capacity(s))
        return tc_fail(err, TC_EARG, "prompt of %zu tokens exceeds the context of %zu",
                       n_prompt, tc_session_capacity(s));
    tc_status st = TC_OK;
    float *logits = malloc(vocab * sizeof *logits);
    float *scratch = malloc(vocab * sizeof *scratch);
    int32_t *iscratch = malloc(vocab * sizeof *iscratch);
    if (logits == NULL || scratch == NULL || iscratch == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    tc_prng rng;
    tc_prng_seed(&rng, smp->seed);
    memcpy(out, prompt, n_prompt * sizeof *out);
    size_t n = n_prompt;
    st = tc_session_forward(err, s, prompt, n_prompt, 0, hook, logits);
    if (st != TC_OK)
        goto out;
    /* Generation stops at max_new, at a stop token (kept), or when the
     * sequence fills the context (the capture pass needs it all). */
    while (n - n_prompt < max_new && n < tc_session_capacity(s)) {
        int32_t tok = tc_sample(smp, &rng, logits, vocab, scratch, iscratch);
        if (tok < 0) {
            st = tc_fail(err, TC_EFORMAT,
                         "the model's logits at position %zu are NaN (weights or activations "
                         "not finite): no token can be chosen", n - 1);
            goto out;
        }
        out[n++] = tok;
        bool go = on_token == NULL || on_token(ctx, tok);
        bool stopped = false;
        for (size_t i = 0; i < n_stop; i++)
            stopped |= stop[i] == tok;
        if (!go || stopped || n - n_prompt == max_new || n == tc_session_capacity(s))
            break;
        st = tc_session_forward(err, s, &out[n - 1], 1, n - 1, hook, logits);
        if (st != TC_OK)
            goto out;
    }
    *n_out = n;
out:
    free(logits);
    free(scratch);
    free(iscratch);
    return st;
}
