/* Hugging Face tokenizer.json (BPE models) reproduced in C.
 *
 * Supported, with the semantics of the Rust `tokenizers` library (0.22):
 *   model          BPE (merges as "a b" strings or ["a", "b"] pairs, byte
 *                  fallback <0xNN>, unk_token + fuse_unk, ignore_merges,
 *                  continuing_subword_prefix, end_of_word_suffix)
 *   normalizers    Sequence, NFC, NFD, NFKC, NFKD, Lowercase, Prepend,
 *                  Replace (string or regex), Strip
 *   pre-tokenizers Sequence, ByteLevel, Split, Metaspace, Digits,
 *                  Punctuation, Whitespace, WhitespaceSplit
 *   added tokens   matched leftmost-longest before everything else, with
 *                  lstrip / rstrip / single_word / normalized / special
 *   post-processor TemplateProcessing, ByteLevel, RobertaProcessing,
 *                  BertProcessing, Sequence (single sequences)
 *   decoders       Sequence, ByteLevel, Metaspace, Replace, ByteFallback,
 *                  Fuse, Strip
 * Anything else (WordPiece / Unigram / WordLevel models, the Precompiled
 * normalizer, BPE dropout, truncation or padding, ...) is refused at load
 * with TC_EUNSUPPORTED and a message naming the component: never a silently
 * different encoding.
 *
 * Regular expressions run on PCRE2 (UTF + UCP, JIT when available); `\s` and
 * `\S` are rewritten to Unicode White_Space, as in the library's Oniguruma
 * patterns.  Normalization forms come from utf8proc.
 *
 * Input text must be valid UTF-8: Rust strings cannot hold anything else, so
 * the library never sees such input.  tc_tok_encode rejects invalid UTF-8
 * with TC_EFORMAT and a message giving the byte offset of the first bad
 * byte.  Texts may contain U+0000: every string has an explicit length.
 *
 * A loaded tc_tok is immutable: encode and decode may run concurrently from
 * several threads on the same tokenizer (each call keeps its own word cache
 * and regex match state).
 */
#ifndef TC_TOKENIZER_H
#define TC_TOKENIZER_H

#include "tensorcommit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tc_tok tc_tok;

/* Loads a tokenizer from `path`: a tokenizer.json file, or a folder that
 * contains one.  On success *tok owns everything; free with tc_tok_free. */
tc_status tc_tok_load(tc_error *err, tc_tok **tok, const char *path) TC_MUST_CHECK;

/* The same from a JSON document in memory; `name` names it in messages. */
tc_status tc_tok_load_json(tc_error *err, tc_tok **tok, const char *json,
                           size_t len, const char *name) TC_MUST_CHECK;

void tc_tok_free(tc_tok *tok); /* NULL-safe */

/* Encodes `len` bytes of UTF-8 text.  With add_special, the post-processor's
 * tokens (e.g. BOS) are added as the library's add_special_tokens=True does.
 * *ids (malloc'd, caller frees; non-NULL even when *n_ids is 0).
 * Cost: linear in the text, times the BPE merge work per new word. */
tc_status tc_tok_encode(tc_error *err, const tc_tok *tok, uint32_t **ids,
                        size_t *n_ids, const char *text, size_t len,
                        bool add_special) TC_MUST_CHECK;

/* Decodes ids to UTF-8 text (malloc'd, NUL-terminated; *len excludes the
 * NUL; the text itself may contain U+0000).  As in the library, ids with no
 * token are skipped, and skip_special drops the special added tokens. */
tc_status tc_tok_decode(tc_error *err, const tc_tok *tok, char **text,
                        size_t *len, const uint32_t *ids, size_t n_ids,
                        bool skip_special) TC_MUST_CHECK;

/* One more than the largest id of the model vocabulary or added tokens. */
size_t tc_tok_vocab_size(const tc_tok *tok);

/* The vocabulary string of `id` (byte-level or metaspace alphabet, not
 * decoded), or NULL when the id has none.  *len receives its length. */
const char *tc_tok_id_to_token(const tc_tok *tok, uint32_t id, size_t *len);

/* The id of an exact vocabulary string (added tokens first), or false. */
bool tc_tok_token_to_id(const tc_tok *tok, const char *s, size_t len, uint32_t *id);

/* Whether `id` is a special added token (skipped by skip_special). */
bool tc_tok_is_special(const tc_tok *tok, uint32_t id);

/* BOS: the first special token the post-processor puts before the text, or
 * -1 when it adds none.  EOS: the first one it puts after the text; failing
 * that, the first of the special added tokens "</s>", "<|endoftext|>",
 * "<|end_of_text|>", "<|im_end|>", "<|eot_id|>", "<eos>" present; else -1.
 * A model's config.json is the authority on EOS; this is a fallback. */
int64_t tc_tok_bos_id(const tc_tok *tok);
int64_t tc_tok_eos_id(const tc_tok *tok);

#endif
