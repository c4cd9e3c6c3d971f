/* The inference engine: a loaded model (immutable weights + config) and a
 * session (KV cache, activations arena, threads) that runs forward passes,
 * generation, capture and partial execution.
 *
 * Hidden states follow Hugging Face output_hidden_states: index 0 is the
 * embedding output, index i (1 <= i < L) the output of block i-1, index L the
 * output of the final norm applied to block L-1's output. */
#ifndef TC_MODEL_ENGINE_H
#define TC_MODEL_ENGINE_H

#include "model/config.h"
#include "tensor/safetensors.h"

typedef struct tc_model tc_model;
typedef struct tc_session tc_session;

/* Loads config.json, generation_config.json and the safetensors weights of
 * the folder `dir`.  F32 weights stay memory-mapped when aligned; F16/BF16
 * are converted exactly to f32; GPT-2's Conv1D weights are transposed.
 * A tensor in the weights that the architecture config.json describes does
 * not read is TC_EFORMAT naming the file and the tensor (config and weights
 * disagree), except RoPE inv_freq buffers, GPT-2's attn.bias/attn.masked_bias
 * mask buffers and a tied lm_head.weight (docs/engine.md). */
tc_status tc_model_load(tc_error *err, tc_model **out, const char *dir) TC_MUST_CHECK;
void tc_model_free(tc_model *m); /* NULL-safe */
const tc_model_config *tc_model_cfg(const tc_model *m);
/* The output head's weights (vocab, dim), row-major (the token embedding
 * when tied). */
const float *tc_model_head_weights(const tc_model *m);
/* Number of weight parameters (every tensor used by the forward pass). */
size_t tc_model_params(const tc_model *m);

/* ------------------------------------------------------------ capture hook */

typedef enum tc_site {
    TC_SITE_EMBED,      /* embedding output (layer = -1) */
    TC_SITE_BLOCK_OUT,  /* raw output of block `layer` */
    TC_SITE_FINAL_NORM, /* final norm of the last block's output (layer = L-1) */
    TC_SITE_LOGITS      /* logits (width = vocab) (layer = L-1) */
} tc_site;

/* The engine calls fn(ctx, layer, site, pos0, n_tok, width, NULL) first: a
 * true return says the site is wanted; it then calls it again with `data`
 * (n_tok, width) holding positions pos0 .. pos0 + n_tok - 1 (the data
 * call's return value is ignored).  A site may come in several calls with
 * consecutive pos0 (logits come in chunks).  Hooks run on the caller's
 * thread and must not keep `data`. */
typedef bool (*tc_hook_fn)(void *ctx, int layer, tc_site site, size_t pos0, size_t n_tok,
                           size_t width, const float *data);
typedef struct tc_hook {
    tc_hook_fn fn;
    void *ctx;
} tc_hook;

/* ----------------------------------------------------------------- session */

/* Rounds n hidden values in place (see tc_engine_opts.round). */
typedef void (*tc_round_fn)(void *ctx, float *x, size_t n);

typedef struct tc_engine_opts {
    int n_threads;      /* >= 1 */
    bool deterministic; /* fixed-order kernels only: same bits for any thread
                           count and x86-64 machine (same build) */
    size_t max_seq;     /* capacity in tokens; 0 = the model's max positions */
    /* Block-boundary rounding (NULL: none).  When set, the engine applies
     * round to the embedding output, to every block output but the last,
     * and to the final norm's output, each right after the hook has seen
     * the unrounded values: the next block (or the output head) reads the
     * rounded ones.  With round = dequantize ∘ quantize, what a block reads
     * is exactly what a verifier gets back from the committed integers, so
     * re-executing a block range from opened values repeats the prover's
     * computation bit for bit (deterministic mode; docs/audit.md). */
    tc_round_fn round;
    void *round_ctx;
} tc_engine_opts;

tc_status tc_session_new(tc_error *err, tc_session **out, const tc_model *m,
                         const tc_engine_opts *opts) TC_MUST_CHECK;
void tc_session_free(tc_session *s); /* NULL-safe */
size_t tc_session_capacity(const tc_session *s);
const tc_model *tc_session_model(const tc_session *s);

/* Runs tokens[0..n) at positions pos .. pos + n - 1, appending their keys
 * and values to the cache (which must hold positions 0 .. pos - 1 from
 * earlier calls).  n > 1 uses sgemm (default mode); n == 1 the SIMD matvec.
 * When logits_last is non-NULL it receives the last position's logits
 * (vocab).  The hook (or NULL) sees every site of these positions. */
tc_status tc_session_forward(tc_error *err, tc_session *s, const int32_t *tokens, size_t n,
                             size_t pos, const tc_hook *hook, float *logits_last) TC_MUST_CHECK;

/* Partial execution: given h_in (T, dim), the hidden states entering block
 * `first` for positions 0 .. T-1, runs blocks first..last and writes their
 * outputs in the HF convention to out (last - first + 1, T, dim): block i's
 * raw output, except that when last is the final block its entry is after
 * the final norm.  The hook, when given, sees the raw block outputs (and the
 * final norm).  The numbers are the same bits as tc_session_forward over the
 * whole sequence from position 0.  Overwrites the session's KV cache. */
tc_status tc_session_run_blocks(tc_error *err, tc_session *s, const float *h_in, size_t T,
                                int first, int last, float *out, const tc_hook *hook) TC_MUST_CHECK;

/* The output head on T final hidden states h (T, dim) (after the final
 * norm) with the kernels generation uses for the last position: logits
 * (T, vocab).  Deterministic sessions run the T rows in one pass (the same
 * bits as one at a time, and the head's weights read once); others one
 * position at a time, as generation does. */
tc_status tc_session_head(tc_error *err, tc_session *s, const float *h, size_t T,
                          float *logits) TC_MUST_CHECK;

/* The embedding output (hidden state 0) of tokens[0..T) at positions
 * 0..T-1: out (T, dim).  Token ids outside the vocabulary are TC_EARG. */
tc_status tc_model_embed(tc_error *err, const tc_model *m, const int32_t *tokens, size_t T,
                         float *out) TC_MUST_CHECK;

/* ------------------------------------------------------------- generation */

typedef struct tc_sampler {
    float temperature; /* 0 = greedy (argmax, lowest id on ties) */
    int top_k;         /* 0 = off */
    float top_p;       /* 1 = off; keep the smallest prefix of the sorted
                          distribution with mass >= top_p */
    uint64_t seed;
} tc_sampler;

/* The stop set used by default: every eos id of the configuration, plus
 * bos when the model is a llama-architecture model whose bos differs from
 * eos (llama2.c-style story models end a text by emitting BOS, and run.c
 * stops there).  Returns the count written to stop (at most
 * TC_MAX_STOP_IDS + 1). */
size_t tc_model_default_stop(const tc_model *m, int32_t *stop);

/* Picks the next token from logits (vocab) (modified in place); greedy
 * takes the first maximum.  -1 when a logit is NaN. */
int32_t tc_sample(const tc_sampler *smp, tc_prng *rng, float *logits, size_t vocab,
                  float *scratch /* (vocab) */, int32_t *iscratch /* (vocab) */);

typedef bool (*tc_token_fn)(void *ctx, int32_t token); /* false = stop early */

/* Generates up to max_new tokens after the prompt (n_prompt >= 1), stopping
 * after a token in stop[0..n_stop) (which is kept in the output).
 * out (n_prompt + max_new) receives prompt + new tokens; *n_out their count.
 * on_token (or NULL) sees each new token as it is chosen.  The KV cache
 * starts empty. */
tc_status tc_generate(tc_error *err, tc_session *s, const int32_t *prompt, size_t n_prompt,
                      size_t max_new, const tc_sampler *smp, const int32_t *stop, size_t n_stop,
                      int32_t *out, size_t *n_out, tc_token_fn on_token, void *ctx) TC_MUST_CHECK;

/* The same, with a hook that sees every site of every position the
 * generation runs: the prompt's prefill and each new token but the last
 * (which is sampled, never fed back).  Hidden states seen this way come from
 * the decoding kernels, not from one pass over the whole sequence. */
tc_status tc_generate_hooked(tc_error *err, tc_session *s, const int32_t *prompt, size_t n_prompt,
                             size_t max_new, const tc_sampler *smp, const int32_t *stop,
                             size_t n_stop, int32_t *out, size_t *n_out, tc_token_fn on_token,
                             void *ctx, const tc_hook *hook) TC_MUST_CHECK;

/* ---------------------------------------------------------------- capture */

/* One forward pass over tokens[0..T) from position 0 recording, when the
 * pointers are non-NULL: hidden (L+1, T, dim) in the HF convention,
 * layer_out (L, T, dim) raw block outputs, logits (T, vocab). */
tc_status tc_capture(tc_error *err, tc_session *s, const int32_t *tokens, size_t T,
                     float *hidden, float *layer_out, float *logits) TC_MUST_CHECK;

#endif
