/* libFuzzer target: the encoder and decoder on arbitrary bytes, with the
 * GPT-2 and Qwen3 test tokenizers and the bundled stories260K one.  The first
 * input byte picks the tokenizer and add_special_tokens.  Invalid UTF-8 must be refused; for
 * GPT-2 (byte-level, no normalizer) decode(encode(s)) must equal s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tc_tok *toks[3]; /* loaded once for the whole run */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const dirs[3] = {"tests/models/gpt2-tokenizer",
                                        "tests/models/qwen-tokenizer", "models/stories260K"};
    (void)argc;
    (void)argv;
    for (int i = 0; i < 3; i++) {
        char path[512];
        tc_error err = {0};
        snprintf(path, sizeof path, "%s/%s", TC_SOURCE_DIR, dirs[i]);
        if (tc_tok_load(&err, &toks[i], path) != TC_OK) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            abort();
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int which = data[0] % 3;
    bool special = (data[0] >> 2) & 1;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    tc_tok *tok = toks[which];
    tc_error err = {0};
    uint32_t *ids = NULL;
    size_t n = 0;
    tc_status st = tc_tok_encode(&err, tok, &ids, &n, text, len, special);
    if (st == TC_EFORMAT)
        return 0; /* invalid UTF-8 */
    if (st != TC_OK)
        __builtin_trap();
    char *back = NULL;
    size_t back_len = 0;
    if (tc_tok_decode(&err, tok, &back, &back_len, ids, n, false) != TC_OK)
        __builtin_trap();
    if (which == 0 && (back_len != len || memcmp(back, text, len) != 0))
        __builtin_trap();
    free(back);
    free(ids);
    return 0;
}
