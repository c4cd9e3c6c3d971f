/* libFuzzer target: a model folder's config.json (+ generation_config.json)
 * read by tc_model_config_load, which takes a folder: the input is written
 * to config.json in a scratch folder; bytes after the first NUL, if any,
 * become generation_config.json.  Any input must load or be refused with a
 * message; a loaded configuration must keep the invariants config.h states. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "model/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t first = nul != NULL ? (size_t)(nul - data) : size;
    (void)fuzz_write_file("config.json", data, first);
    if (nul != NULL)
        (void)fuzz_write_file("generation_config.json", nul + 1, size - first - 1);
    else
        fuzz_remove_file("generation_config.json");

    tc_error err = {0};
    tc_model_config c;
    if (tc_model_config_load(&err, &c, fuzz_scratch_dir()) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(c.arch == TC_ARCH_LLAMA || c.arch == TC_ARCH_QWEN2 || c.arch == TC_ARCH_GPT2);
    FUZZ_CHECK(memchr(c.model_type, 0, sizeof c.model_type) != NULL);
    FUZZ_CHECK(c.dim > 0 && c.n_layers > 0 && c.n_heads > 0 && c.n_kv_heads > 0);
    FUZZ_CHECK(c.head_dim > 0 && c.ffn > 0 && c.vocab > 0 && c.max_pos > 0);
    FUZZ_CHECK(c.sliding_window >= 0);
    FUZZ_CHECK(c.n_heads % c.n_kv_heads == 0);
    FUZZ_CHECK(c.arch == TC_ARCH_GPT2 || c.head_dim % 2 == 0);
    FUZZ_CHECK(isfinite(c.norm_eps) && c.norm_eps > 0);
    FUZZ_CHECK(c.arch == TC_ARCH_GPT2 || (isfinite(c.rope_theta) && c.rope_theta > 0));
    const tc_rope_scaling *rs = &c.rope_scaling;
    FUZZ_CHECK(rs->kind == TC_ROPE_DEFAULT || (isfinite(rs->factor) && rs->factor > 0));
    FUZZ_CHECK(rs->kind != TC_ROPE_LLAMA3 ||
               (rs->low_freq_factor > 0 && rs->low_freq_factor < rs->high_freq_factor &&
                isfinite(rs->high_freq_factor) && rs->original_max_pos > 0));
    FUZZ_CHECK(c.bos_id >= -1 && c.bos_id < c.vocab);
    FUZZ_CHECK(c.n_eos >= 0 && c.n_eos <= TC_MAX_STOP_IDS);
    for (int i = 0; i < c.n_eos; i++)
        FUZZ_CHECK(c.eos_ids[i] >= 0 && c.eos_ids[i] < c.vocab);
    return 0;
}
