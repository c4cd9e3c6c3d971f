/* libFuzzer target: the byte decoders of ec/encoding.h.  The first byte
 * picks the decoder, the rest is its input, passed with its real length:
 *   0 Fr   1 G1 compressed   2 G2 compressed   3 G1 uncompressed
 *   4 G2 uncompressed   5 G1 Ethereum   6 G2 Ethereum   7 all of them on
 *   the leading bytes of the rest.
 * Whatever decodes must be canonical (re-encodes to the same bytes), on the
 * curve and in the subgroup, and decode to the same point from every other
 * encoding of it; the status and fault forms of a decoder must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec/curve.h"
#include "ec/encoding.h"
#include "ec/field.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fr(const uint8_t *in, size_t len)
{
    tc_error err = {0};
    tc_fr a;
    if (tc_fr_decode(&err, &a, in, len) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    uint8_t out[TC_FR_BYTES];
    FUZZ_CHECK(len == TC_FR_BYTES);
    tc_fr_to_bytes(out, &a);
    FUZZ_CHECK(memcmp(out, in, TC_FR_BYTES) == 0);
}

/* Every encoding of a decoded G1 point must decode back to it. */
static void check_g1_point(const tc_g1_affine *p)
{
    uint8_t c[TC_G1_BYTES], u[TC_G1_UNCOMPRESSED_BYTES], e[TC_G1_ETH_BYTES];
    tc_g1_affine q;
    tc_error err = {0};
    FUZZ_CHECK(tc_g1_affine_is_on_curve(p));
    tc_g1_to_bytes(c, p);
    FUZZ_CHECK(tc_g1_decode(&q, c) == TC_POINT_OK && tc_g1_affine_eq(&q, p));
    tc_g1_to_bytes_uncompressed(u, p);
    FUZZ_CHECK(tc_g1_decode_uncompressed(&q, u) == TC_POINT_OK && tc_g1_affine_eq(&q, p));
    tc_g1_to_eth(e, p);
    FUZZ_CHECK(tc_g1_from_eth(&err, &q, e, sizeof e) == TC_OK && tc_g1_affine_eq(&q, p));
}

static void check_g2_point(const tc_g2_affine *p)
{
    uint8_t c[TC_G2_BYTES], u[TC_G2_UNCOMPRESSED_BYTES], e[TC_G2_ETH_BYTES];
    tc_g2_affine q;
    tc_error err = {0};
    FUZZ_CHECK(tc_g2_affine_is_on_curve(p));
    FUZZ_CHECK(tc_g2_affine_in_subgroup(p));
    tc_g2_to_bytes(c, p);
    FUZZ_CHECK(tc_g2_decode(&q, c) == TC_POINT_OK && tc_g2_affine_eq(&q, p));
    tc_g2_to_bytes_uncompressed(u, p);
    FUZZ_CHECK(tc_g2_decode_uncompressed(&q, u) == TC_POINT_OK && tc_g2_affine_eq(&q, p));
    tc_g2_to_eth(e, p);
    FUZZ_CHECK(tc_g2_from_eth(&err, &q, e, sizeof e) == TC_OK && tc_g2_affine_eq(&q, p));
}

static void check_g1(const uint8_t *in, size_t len, int form)
{
    tc_error err = {0};
    tc_g1_affine a, b;
    uint8_t out[TC_G1_ETH_BYTES];
    tc_status st;
    size_t want;
    if (form == 0) {
        want = TC_G1_BYTES;
        st = tc_g1_from_bytes(&err, &a, in, len);
    } else if (form == 1) {
        want = TC_G1_UNCOMPRESSED_BYTES;
        st = tc_g1_from_bytes_uncompressed(&err, &a, in, len);
    } else {
        want = TC_G1_ETH_BYTES;
        st = tc_g1_from_eth(&err, &a, in, len);
    }
    if (len == want && form < 2) {
        tc_point_fault f = form == 0 ? tc_g1_decode(&b, in) : tc_g1_decode_uncompressed(&b, in);
        FUZZ_CHECK((f == TC_POINT_OK) == (st == TC_OK));
        FUZZ_CHECK(f == TC_POINT_OK || tc_point_fault_str(f) != NULL);
        if (f == TC_POINT_OK)
            FUZZ_CHECK(tc_g1_affine_eq(&a, &b));
    }
    if (st != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(len == want);
    if (form == 0)
        tc_g1_to_bytes(out, &a);
    else if (form == 1)
        tc_g1_to_bytes_uncompressed(out, &a);
    else
        tc_g1_to_eth(out, &a);
    FUZZ_CHECK(memcmp(out, in, want) == 0);
    check_g1_point(&a);
}

static void check_g2(const uint8_t *in, size_t len, int form)
{
    tc_error err = {0};
    tc_g2_affine a, b;
    uint8_t out[TC_G2_ETH_BYTES];
    tc_status st;
    size_t want;
    if (form == 0) {
        want = TC_G2_BYTES;
        st = tc_g2_from_bytes(&err, &a, in, len);
    } else if (form == 1) {
        want = TC_G2_UNCOMPRESSED_BYTES;
        st = tc_g2_from_bytes_uncompressed(&err, &a, in, len);
    } else {
        want = TC_G2_ETH_BYTES;
        st = tc_g2_from_eth(&err, &a, in, len);
    }
    if (len == want && form < 2) {
        tc_point_fault f = form == 0 ? tc_g2_decode(&b, in) : tc_g2_decode_uncompressed(&b, in);
        FUZZ_CHECK((f == TC_POINT_OK) == (st == TC_OK));
        FUZZ_CHECK(f == TC_POINT_OK || tc_point_fault_str(f) != NULL);
        if (f == TC_POINT_OK)
            FUZZ_CHECK(tc_g2_affine_eq(&a, &b));
    }
    if (st != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(len == want);
    if (form == 0)
        tc_g2_to_bytes(out, &a);
    else if (form == 1)
        tc_g2_to_bytes_uncompressed(out, &a);
    else
        tc_g2_to_eth(out, &a);
    FUZZ_CHECK(memcmp(out, in, want) == 0);
    check_g2_point(&a);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    /* Copy to an exact-size heap buffer so ASan sees any over-read. */
    uint8_t *buf = malloc(len ? len : 1);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, in, len);
    switch (data[0] & 7) {
    case 0: check_fr(buf, len); break;
    case 1: check_g1(buf, len, 0); break;
    case 2: check_g2(buf, len, 0); break;
    case 3: check_g1(buf, len, 1); break;
    case 4: check_g2(buf, len, 1); break;
    case 5: check_g1(buf, len, 2); break;
    case 6: check_g2(buf, len, 2); break;
    default:
        check_fr(buf, min_size(len, TC_FR_BYTES));
        check_g1(buf, min_size(len, TC_G1_BYTES), 0);
        check_g2(buf, min_size(len, TC_G2_BYTES), 0);
        check_g1(buf, min_size(len, TC_G1_UNCOMPRESSED_BYTES), 1);
        check_g2(buf, min_size(len, TC_G2_UNCOMPRESSED_BYTES), 1);
        check_g1(buf, min_size(len, TC_G1_ETH_BYTES), 2);
        check_g2(buf, min_size(len, TC_G2_ETH_BYTES), 2);
        break;
    }
    free(buf);
    return 0;
}
