/* Text in and out of the engine (the folder's tokenizer.json) and the
 * capture folder writer shared by the CLI commands. */
#ifndef TC_PROTOCOL_TEXTIO_H
#define TC_PROTOCOL_TEXTIO_H

#include "model/engine.h"
#include "tokenizer/tokenizer.h"

/* Loads `dir`/tokenizer.json when present: *tok stays NULL (TC_OK) when the
 * folder has none. */
tc_status tc_engine_tokenizer(tc_error *err, tc_tok **tok, const char *dir) TC_MUST_CHECK;

/* Encodes a prompt with special tokens added as the tokenizer's
 * post-processor does (BOS for llama-style tokenizers).  When that gives no
 * tokens the model's bos id is used; an id outside the model's vocabulary
 * is TC_EFORMAT.  *ids is malloc'd with room for `extra` more ids. */
tc_status tc_engine_encode(tc_error *err, const tc_model *m, const tc_tok *tok, const char *prompt,
                           size_t extra, int32_t **ids, size_t *n) TC_MUST_CHECK;

/* Decodes ids (skipping special tokens) to a malloc'd NUL-terminated text. */
tc_status tc_engine_decode(tc_error *err, const tc_tok *tok, const int32_t *ids, size_t n,
                           char **text) TC_MUST_CHECK;

/* What a capture folder holds (docs/engine.md). */
typedef struct tc_capture_out {
    const char *model_dir;
    const char *prompt;      /* or NULL (token input) */
    const char *text;        /* decoded text of the generated part, or NULL */
    const int32_t *tokens;   /* (n_tokens) prompt + generated */
    size_t n_tokens, n_prompt;
    const float *hidden;     /* (L+1, n_tokens, dim) */
    const float *logits;     /* (n_tokens, vocab), or NULL: no logits.npy */
    bool deterministic;
} tc_capture_out;

/* stats.json's name of hidden state l of n_states (L+1): "embeddings",
 * "layer_I" (block I's output) or "final_norm". */
void tc_capture_layer_name(char *out, size_t cap, size_t l, size_t n_states);
/* stats.json's entry for one hidden state x (T, dim): name, shape, min,
 * max, mean, dtype and precision_bits (a new jansson json_t *). */
void *tc_capture_layer_stats(const char *name, const float *x, size_t T, size_t dim);

/* Writes dir/hidden_states.npy, tokens.npy, logits.npy (when given) and stats.json,
 * creating `dir` when missing.  Every file and stats are encoded in memory
 * first and each is written under a temporary name and renamed. */
tc_status tc_capture_write(tc_error *err, const char *dir, const tc_model *m,
                           const tc_capture_out *c) TC_MUST_CHECK;

#endif
