/* libFuzzer target: .npy parsing from memory (tc_npy_parse).  Any input must
 * parse or be refused with a message and a zeroed array.  A parsed array
 * must have count = product(shape), and encoding it and parsing the result
 * must give the same dtype, shape and bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tensor/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t elem_size(tc_npy_dtype d)
{
    return d == TC_NPY_F32 ? 4 : 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tc_error err = {0};
    tc_npy a, b;
    if (tc_npy_parse(&err, &a, data, size, "fuzz.npy") != TC_OK) {
        FUZZ_CHECK(a.data == NULL && a.count == 0 && a.ndim == 0 && err.msg[0] != '\0');
        return 0;
    }
    size_t count = 1;
    FUZZ_CHECK(a.ndim >= 0 && a.ndim <= TC_NPY_MAX_DIMS);
    for (int d = 0; d < a.ndim; d++) {
        FUZZ_CHECK(a.shape[d] >= 0);
        FUZZ_CHECK(!__builtin_mul_overflow(count, (size_t)a.shape[d], &count));
    }
    FUZZ_CHECK(count == a.count);
    FUZZ_CHECK(a.count * elem_size(a.dtype) <= size);
    FUZZ_CHECK(a.data != NULL && ((uintptr_t)a.data & 63) == 0);

    uint8_t *buf = NULL;
    size_t len = 0;
    FUZZ_CHECK(tc_npy_encode(&err, &buf, &len, a.dtype, a.data, a.ndim, a.shape) == TC_OK);
    FUZZ_CHECK(tc_npy_parse(&err, &b, buf, len, "re-encoded") == TC_OK);
    FUZZ_CHECK(b.dtype == a.dtype && b.ndim == a.ndim && b.count == a.count);
    FUZZ_CHECK(memcmp(b.shape, a.shape, sizeof a.shape[0] * (size_t)a.ndim) == 0);
    FUZZ_CHECK(memcmp(b.data, a.data, a.count * elem_size(a.dtype)) == 0);
    /* The writer is canonical: a second round gives the same bytes. */
    uint8_t *buf2 = NULL;
    size_t len2 = 0;
    FUZZ_CHECK(tc_npy_encode(&err, &buf2, &len2, b.dtype, b.data, b.ndim, b.shape) == TC_OK);
    FUZZ_CHECK(len2 == len && memcmp(buf2, buf, len) == 0);
    free(buf2);
    free(buf);
    tc_npy_free(&b);
    tc_npy_free(&a);
    FUZZ_CHECK(a.data == NULL);
    return 0;
}
