/* libFuzzer target: vk.json (tc_pst_vk_decode).  Any input must decode or be
 * refused with a message; a decoded key must have its shape checked, be
 * prepared for verification, and hold the slice levels its shape implies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec/curve.h"
#include "fuzz_util.h"
#include "pst/pst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_error err = {0};
    tc_pst_vk_file vf;
    if (tc_pst_vk_decode(&err, &vf, (const char *)data, size, "vk.json") != TC_OK) {
        FUZZ_CHECK(vf.vk.prep == NULL && err.msg[0] != '\0');
        for (int j = 0; j <= TC_PST_MAX_VARS; j++)
            FUZZ_CHECK(vf.levels[j] == NULL);
        return 0;
    }
    FUZZ_CHECK(tc_pst_shape_check(&err, &vf.vk.shape) == TC_OK);
    FUZZ_CHECK(vf.vk.prep != NULL);
    FUZZ_CHECK(vf.levels[0] == NULL);
    for (int j = 1; j <= vf.vk.shape.m; j++) {
        if (vf.levels[j] == NULL)
            continue;
        size_t n = tc_pst_suffix_size(&vf.vk.shape, j);
        for (size_t b = 0; b < n; b++)
            FUZZ_CHECK(tc_g1_affine_is_on_curve(&vf.levels[j][b]));
    }
    for (int i = 0; i < vf.vk.shape.m; i++)
        FUZZ_CHECK(tc_g2_affine_in_subgroup(&vf.vk.tau[i]));
    FUZZ_CHECK(tc_pst_vk_prepare(&err, &vf.vk) == TC_OK); /* idempotent */
    tc_pst_vk_file_free(&vf);
    return 0;
}
