/* libFuzzer target: safetensors files (tc_st_open maps a path, so the input
 * is written to a scratch file first).  Any input must open or be refused
 * with a message.  An opened file must keep the documented invariants:
 * nbytes = numel x dtype size = the shape's product x dtype size, tensors in
 * data-offset order and disjoint, every name found by tc_st_find, and every
 * byte of every tensor readable (a span outside the mapping would fault). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tensor/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tensor(const tc_st_file *f, const tc_st_tensor *t, size_t file_size)
{
    size_t numel = 1;
    FUZZ_CHECK(t->ndim >= 0 && t->ndim <= TC_ST_MAX_DIMS);
    for (int d = 0; d < t->ndim; d++) {
        FUZZ_CHECK(t->shape[d] >= 0);
        FUZZ_CHECK(!__builtin_mul_overflow(numel, (size_t)t->shape[d], &numel));
    }
    FUZZ_CHECK(numel == t->numel);
    FUZZ_CHECK(t->nbytes == t->numel * tc_dtype_size(t->dtype));
    FUZZ_CHECK(t->nbytes <= file_size);
    FUZZ_CHECK(tc_st_find(f, t->name) == t);
    const uint8_t *p = t->data;
    uint8_t acc = 0;
    for (size_t i = 0; i < t->nbytes; i++)
        acc ^= p[i];
    (void)acc;
    if (t->dtype == TC_DTYPE_F32 || t->dtype == TC_DTYPE_F16 || t->dtype == TC_DTYPE_BF16 ||
        t->dtype == TC_DTYPE_F64) {
        float *out = malloc((t->numel ? t->numel : 1) * sizeof *out);
        tc_error err = {0};
        FUZZ_CHECK(out != NULL);
        FUZZ_CHECK(tc_st_to_f32(&err, out, t) == TC_OK);
        free(out);
    } else {
        tc_error err = {0};
        FUZZ_CHECK(tc_st_to_f32(&err, NULL, t) == TC_EUNSUPPORTED);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("model.safetensors", data, size);
    tc_error err = {0};
    tc_st_file *f = NULL;
    if (tc_st_open(&err, &f, path) != TC_OK) {
        FUZZ_CHECK(f == NULL && err.msg[0] != '\0');
        return 0;
    }
    size_t n = tc_st_count(f);
    const uint8_t *prev_end = NULL;
    for (size_t i = 0; i < n; i++) {
        const tc_st_tensor *t = tc_st_get(f, i);
        check_tensor(f, t, size);
        const uint8_t *begin = t->data;
        FUZZ_CHECK(prev_end == NULL || begin >= prev_end);
        prev_end = begin + t->nbytes;
    }
    tc_st_close(f);
    return 0;
}
