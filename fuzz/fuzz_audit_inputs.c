/* libFuzzer target: what a verifier or prover reads from the other side of
 * an audit.  The first byte picks the parser, the rest is the file:
 *   0  challenge.json   (tc_challenge_read, a path: scratch file)
 *   1  response.json    (tc_response_read, a path: scratch file)
 *   2  vk.tcv           (tc_pst_vk_bin_decode, from memory)
 * Any input must load or be refused with a message.  What loads must keep
 * the invariants the readers promise: a challenge's ranges inside 1..L and
 * its open list derived from them; a response's slices at one level with
 * their values as field elements; a binary key's levels on the curve and
 * the key re-encoding to the same bytes is not checked (the encoder needs an
 * SRS), but its shape is valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "protocol/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void challenge(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("challenge.json", data, size);
    tc_error err = {0};
    tc_challenge ch;
    if (tc_challenge_read(&err, &ch, path) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(ch.L >= 1 && ch.M >= 1 && ch.M <= TC_AUDIT_MAX_RANGES);
    for (size_t k = 0; k < ch.M; k++) {
        FUZZ_CHECK((ch.first[k] == 0) == (ch.last[k] == 0));
        FUZZ_CHECK(ch.first[k] <= ch.last[k] && (size_t)ch.last[k] <= ch.L);
    }
    FUZZ_CHECK(ch.n_open >= 1 && ch.n_open <= TC_AUDIT_MAX_OPEN);
    FUZZ_CHECK(ch.open_layers[0] == 0 && (size_t)ch.open_layers[ch.n_open - 1] == ch.L);
    for (size_t i = 1; i < ch.n_open; i++)
        FUZZ_CHECK(ch.open_layers[i - 1] < ch.open_layers[i]);
    tc_challenge_free(&ch);
}

static void response(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("response.json", data, size);
    tc_error err = {0};
    tc_response r;
    if (tc_response_read(&err, &r, path) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(r.n >= 1 && r.n <= TC_AUDIT_MAX_OPEN);
    FUZZ_CHECK(r.level >= 1 && r.level <= r.shape.m);
    size_t count = tc_pst_suffix_size(&r.shape, r.level);
    for (size_t i = 0; i < r.n; i++) {
        FUZZ_CHECK(r.slices[i].j == r.level && r.slices[i].count == count);
        for (size_t v = 0; v < count; v++) {
            tc_fr want;
            tc_fr_from_i64(&want, r.values[i][v]);
            FUZZ_CHECK(tc_fr_eq(&want, &r.slices[i].values[v]));
        }
    }
    tc_response_free(&r);
}

static void vk_bin(const uint8_t *data, size_t size)
{
    tc_error err = {0};
    tc_pst_vk_file vf;
    if (tc_pst_vk_bin_decode(&err, &vf, data, size, "vk.tcv", 1) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(tc_pst_shape_check(&err, &vf.vk.shape) == TC_OK);
    FUZZ_CHECK(vf.origin >= TC_PST_ORIGIN_RANDOM && vf.origin <= TC_PST_ORIGIN_CEREMONY);
    tc_pst_vk_file_free(&vf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0: challenge(data + 1, size - 1); break;
    case 1: response(data + 1, size - 1); break;
    default: vk_bin(data + 1, size - 1); break;
    }
    return 0;
}
