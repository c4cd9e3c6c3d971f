/* libFuzzer target: the tokenizer.json loader.  Any input must load or be
 * refused with a message; a loaded tokenizer must then encode and decode a
 * fixed text without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char probe[] = "Hello world, 123 <s> caf\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD!\n\t ";
    tc_error err = {0};
    tc_tok *tok = NULL;
    tc_status st = tc_tok_load_json(&err, &tok, (const char *)data, size, "fuzz.json");
    if (st != TC_OK) {
        if (tok != NULL || err.msg[0] == '\0')
            __builtin_trap(); /* a failure must leave no tokenizer and say why */
        return 0;
    }
    uint32_t *ids = NULL;
    size_t n = 0;
    for (int special = 0; special < 2; special++) {
        if (tc_tok_encode(&err, tok, &ids, &n, probe, sizeof probe - 1, special) == TC_OK) {
            char *text = NULL;
            size_t len = 0;
            for (size_t i = 0; i < n; i++)
                if (ids[i] >= tc_tok_vocab_size(tok))
                    __builtin_trap(); /* every id must come from the file */
            if (tc_tok_decode(&err, tok, &text, &len, ids, n, special) == TC_OK)
                free(text);
            free(ids);
            ids = NULL;
        }
    }
    tc_tok_free(tok);
    return 0;
}
