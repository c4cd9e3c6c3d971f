/* libFuzzer target: SRS files (tc_pst_srs_decode).  Each input is decoded as
 * given, and again with its trailing SHA-256 recomputed, so that mutations
 * reach the header and point checks behind the digest.  Anything that
 * decodes must re-encode to exactly the same bytes (the format is
 * canonical) and carry its digest as srs->id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "pst/pst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decode(const uint8_t *buf, size_t len)
{
    tc_error err = {0};
    tc_pst_srs srs;
    if (tc_pst_srs_decode(&err, &srs, buf, len, "fuzz.srs", 1) != TC_OK) {
        FUZZ_CHECK(srs.ck == NULL && srs.mk == NULL && srs.vk.prep == NULL);
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(tc_pst_shape_check(&err, &srs.shape) == TC_OK);
    FUZZ_CHECK(len >= 32 && memcmp(srs.id, buf + len - 32, 32) == 0);
    FUZZ_CHECK(srs.level_off[srs.shape.m] + 1 == srs.n_points);
    uint8_t *out = NULL;
    size_t out_len = 0;
    FUZZ_CHECK(tc_pst_srs_encode(&err, &out, &out_len, &srs) == TC_OK);
    FUZZ_CHECK(out_len == len && memcmp(out, buf, len) == 0);
    free(out);
    tc_pst_srs_free(&srs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact-size heap copies, so ASan sees any over-read. */
    uint8_t *buf = malloc(size ? size : 1);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, data, size);
    check_decode(buf, size);
    if (size >= 32) {
        uint8_t digest[32];
        tc_sha256_oneshot(digest, buf, size - 32);
        if (memcmp(digest, buf + size - 32, 32) != 0) {
            memcpy(buf + size - 32, digest, 32);
            check_decode(buf, size);
        }
    }
    free(buf);
    return 0;
}
