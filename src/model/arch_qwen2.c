/* Qwen2: the llama layout with q/k/v biases (always present; config.c sets
 * qkv_bias) and no o_proj bias.  use_sliding_window is ignored: the HF
 * model only applies it when the flag is true. */
#include "model/model_internal.h"

tc_status tc_arch_qwen2_load(tc_error *err, tc_model *m)
{
    return tc_arch_llama_family_load(err, m);
}
