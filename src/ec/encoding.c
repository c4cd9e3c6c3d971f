/* Scalar and point encodings; the byte layouts are in encoding.h. */
#include "ec/encoding.h"

#include <string.h>

#define FLAGS_MASK (TC_FLAG_Y_LARGEST | TC_FLAG_INFINITY)

const char *tc_point_fault_str(tc_point_fault f)
{
    switch (f) {
    case TC_POINT_OK: return "valid";
    case TC_POINT_BAD_LENGTH: return "wrong length";
    case TC_POINT_ALL_ZERO: return "all-zero bytes (the point at infinity is encoded with flag 0x40)";
    case TC_POINT_BOTH_FLAGS: return "both the infinity and the y-sign flag are set";
    case TC_POINT_NONCANONICAL: return "coordinate >= p (non-canonical)";
    case TC_POINT_INFINITY_NONZERO: return "infinity flag with other bits set";
    case TC_POINT_NOT_ON_CURVE: return "not on the curve";
    case TC_POINT_NOT_IN_SUBGROUP: return "not in the order-r subgroup";
    case TC_POINT_BAD_FLAGS: return "y-sign flag does not match y";
    }
    return "unknown fault";
}

static bool all_zero(const uint8_t *in, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= in[i];
    return acc == 0;
}

static tc_status fault_status(tc_error *err, const char *what, tc_point_fault f,
                              size_t len, size_t want)
{
    if (f == TC_POINT_OK)
        return TC_OK;
    if (f == TC_POINT_BAD_LENGTH)
        return tc_fail(err, TC_EFORMAT, "%s: %zu bytes, expected %zu", what, len, want);
    return tc_fail(err, TC_EFORMAT, "%s: %s", what, tc_point_fault_str(f));
}

/* ---------------------------------------------------------------- Fr */

tc_status tc_fr_decode(tc_error *err, tc_fr *out, const uint8_t *in, size_t len)
{
    if (len != TC_FR_BYTES)
        return tc_fail(err, TC_EFORMAT, "Fr scalar: %zu bytes, expected %d", len, TC_FR_BYTES);
    if (!tc_fr_from_bytes(out, in))
        return tc_fail(err, TC_EFORMAT, "Fr scalar: value >= r (non-canonical)");
    return TC_OK;
}

/* ---------------------------------------------------------- compressed */

/* Copies a 32-byte little-endian field element with the flag bits of its
 * last byte cleared. */
static void strip_flags(uint8_t out[32], const uint8_t in[32])
{
    memcpy(out, in, 32);
    out[31] &= (uint8_t)~FLAGS_MASK;
}

void tc_g1_to_bytes(uint8_t out[TC_G1_BYTES], const tc_g1_affine *a)
{
    if (a->infinity) {
        memset(out, 0, TC_G1_BYTES);
        out[31] = TC_FLAG_INFINITY;
        return;
    }
    tc_fp_to_bytes(out, &a->x);
    if (tc_fp_is_lexlargest(&a->y))
        out[31] |= TC_FLAG_Y_LARGEST;
}

void tc_g2_to_bytes(uint8_t out[TC_G2_BYTES], const tc_g2_affine *a)
{
    if (a->infinity) {
        memset(out, 0, TC_G2_BYTES);
        out[63] = TC_FLAG_INFINITY;
        return;
    }
    tc_fp_to_bytes(out, &a->x.c0);
    tc_fp_to_bytes(out + 32, &a->x.c1);
    if (tc_fp2_is_lexlargest(&a->y))
        out[63] |= TC_FLAG_Y_LARGEST;
}

/* The checks every compressed or uncompressed decoding starts with, on the
 * flag byte `flags` of an encoding of n bytes. */
static tc_point_fault check_flags(const uint8_t *in, size_t n, uint8_t flags)
{
    if (all_zero(in, n))
        return TC_POINT_ALL_ZERO;
    if ((flags & FLAGS_MASK) == FLAGS_MASK)
        return TC_POINT_BOTH_FLAGS;
    return TC_POINT_OK;
}

/* After the coordinates passed the range check: an infinity flag must stand
 * alone. */
static tc_point_fault check_infinity(const uint8_t *in, size_t n)
{
    uint8_t acc = in[n - 1] & (uint8_t)~TC_FLAG_INFINITY;
    for (size_t i = 0; i + 1 < n; i++)
        acc |= in[i];
    return acc ? TC_POINT_INFINITY_NONZERO : TC_POINT_OK;
}

tc_point_fault tc_g1_decode(tc_g1_affine *out, const uint8_t in[TC_G1_BYTES])
{
    uint8_t flags = in[31], xb[32];
    tc_point_fault f = check_flags(in, TC_G1_BYTES, flags);
    if (f != TC_POINT_OK)
        return f;
    strip_flags(xb, in);
    tc_fp x, y, rhs;
    if (!tc_fp_from_bytes(&x, xb))
        return TC_POINT_NONCANONICAL;
    if (flags & TC_FLAG_INFINITY) {
        f = check_infinity(in, TC_G1_BYTES);
        if (f == TC_POINT_OK)
            *out = (tc_g1_affine){.infinity = true};
        return f;
    }
    tc_fp_sqr(&rhs, &x);                       /* y² = x³ + 3 */
    tc_fp_mul(&rhs, &rhs, &x);
    tc_fp_from_u64(&y, 3);
    tc_fp_add(&rhs, &rhs, &y);
    if (!tc_fp_sqrt_var(&y, &rhs))                 /* the smaller root */
        return TC_POINT_NOT_ON_CURVE;
    if (flags & TC_FLAG_Y_LARGEST)
        tc_fp_neg(&y, &y);
    out->x = x;
    out->y = y;
    out->infinity = false;
    return TC_POINT_OK;
}

tc_point_fault tc_g2_decode(tc_g2_affine *out, const uint8_t in[TC_G2_BYTES])
{
    uint8_t flags = in[63], c1b[32];
    tc_point_fault f = check_flags(in, TC_G2_BYTES, flags);
    if (f != TC_POINT_OK)
        return f;
    strip_flags(c1b, in + 32);
    tc_g2_affine p;
    if (!tc_fp_from_bytes(&p.x.c0, in) || !tc_fp_from_bytes(&p.x.c1, c1b))
        return TC_POINT_NONCANONICAL;
    if (flags & TC_FLAG_INFINITY) {
        f = check_infinity(in, TC_G2_BYTES);
        if (f == TC_POINT_OK)
            *out = (tc_g2_affine){.infinity = true};
        return f;
    }
    tc_fp2 rhs, b;
    tc_fp2_sqr(&rhs, &p.x);                    /* y² = x³ + b' */
    tc_fp2_mul(&rhs, &rhs, &p.x);
    tc_g2_twist_b(&b);
    tc_fp2_add(&rhs, &rhs, &b);
    if (!tc_fp2_sqrt_var(&p.y, &rhs))              /* the root that is not "larger" */
        return TC_POINT_NOT_ON_CURVE;
    if (flags & TC_FLAG_Y_LARGEST)
        tc_fp2_neg(&p.y, &p.y);
    p.infinity = false;
    if (!tc_g2_affine_in_subgroup(&p))
        return TC_POINT_NOT_IN_SUBGROUP;
    *out = p;
    return TC_POINT_OK;
}

tc_status tc_g1_from_bytes(tc_error *err, tc_g1_affine *out, const uint8_t *in, size_t len)
{
    tc_point_fault f = len == TC_G1_BYTES ? tc_g1_decode(out, in) : TC_POINT_BAD_LENGTH;
    return fault_status(err, "G1 point", f, len, TC_G1_BYTES);
}

tc_status tc_g2_from_bytes(tc_error *err, tc_g2_affine *out, const uint8_t *in, size_t len)
{
    tc_point_fault f = len == TC_G2_BYTES ? tc_g2_decode(out, in) : TC_POINT_BAD_LENGTH;
    return fault_status(err, "G2 point", f, len, TC_G2_BYTES);
}

/* -------------------------------------------------------- uncompressed */

void tc_g1_to_bytes_uncompressed(uint8_t out[TC_G1_UNCOMPRESSED_BYTES], const tc_g1_affine *a)
{
    if (a->infinity) {
        memset(out, 0, TC_G1_UNCOMPRESSED_BYTES);
        out[63] = TC_FLAG_INFINITY;
        return;
    }
    tc_fp_to_bytes(out, &a->x);
    tc_fp_to_bytes(out + 32, &a->y);
    if (tc_fp_is_lexlargest(&a->y))
        out[63] |= TC_FLAG_Y_LARGEST;
}

void tc_g2_to_bytes_uncompressed(uint8_t out[TC_G2_UNCOMPRESSED_BYTES], const tc_g2_affine *a)
{
    if (a->infinity) {
        memset(out, 0, TC_G2_UNCOMPRESSED_BYTES);
        out[127] = TC_FLAG_INFINITY;
        return;
    }
    tc_fp_to_bytes(out, &a->x.c0);
    tc_fp_to_bytes(out + 32, &a->x.c1);
    tc_fp_to_bytes(out + 64, &a->y.c0);
    tc_fp_to_bytes(out + 96, &a->y.c1);
    if (tc_fp2_is_lexlargest(&a->y))
        out[127] |= TC_FLAG_Y_LARGEST;
}

/* Reads n consecutive 32-byte little-endian coordinates; the flag bits of
 * the last one are cleared first. */
static tc_point_fault read_coords(tc_fp *c, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b[32];
        if (i + 1 == n)
            strip_flags(b, in + 32 * i);
        else
            memcpy(b, in + 32 * i, 32);
        if (!tc_fp_from_bytes(&c[i], b))
            return TC_POINT_NONCANONICAL;
    }
    return TC_POINT_OK;
}

tc_point_fault tc_g1_decode_uncompressed(tc_g1_affine *out, const uint8_t in[TC_G1_UNCOMPRESSED_BYTES])
{
    uint8_t flags = in[63];
    tc_point_fault f = check_flags(in, TC_G1_UNCOMPRESSED_BYTES, flags);
    if (f != TC_POINT_OK)
        return f;
    tc_fp c[2];
    f = read_coords(c, in, 2);
    if (f != TC_POINT_OK)
        return f;
    if (flags & TC_FLAG_INFINITY) {
        f = check_infinity(in, TC_G1_UNCOMPRESSED_BYTES);
        if (f == TC_POINT_OK)
            *out = (tc_g1_affine){.infinity = true};
        return f;
    }
    tc_g1_affine p = {.x = c[0], .y = c[1], .infinity = false};
    if (!tc_g1_affine_is_on_curve(&p))
        return TC_POINT_NOT_ON_CURVE;
    if (((flags & TC_FLAG_Y_LARGEST) != 0) != tc_fp_is_lexlargest(&p.y))
        return TC_POINT_BAD_FLAGS;
    *out = p;
    return TC_POINT_OK;
}

tc_point_fault tc_g2_decode_uncompressed(tc_g2_affine *out, const uint8_t in[TC_G2_UNCOMPRESSED_BYTES])
{
    uint8_t flags = in[127];
    tc_point_fault f = check_flags(in, TC_G2_UNCOMPRESSED_BYTES, flags);
    if (f != TC_POINT_OK)
        return f;
    tc_fp c[4];
    f = read_coords(c, in, 4);
    if (f != TC_POINT_OK)
        return f;
    if (flags & TC_FLAG_INFINITY) {
        f = check_infinity(in, TC_G2_UNCOMPRESSED_BYTES);
        if (f == TC_POINT_OK)
            *out = (tc_g2_affine){.infinity = true};
        return f;
    }
    tc_g2_affine p = {.x = {c[0], c[1]}, .y = {c[2], c[3]}, .infinity = false};
    if (!tc_g2_affine_is_on_curve(&p))
        return TC_POINT_NOT_ON_CURVE;
    if (((flags & TC_FLAG_Y_LARGEST) != 0) != tc_fp2_is_lexlargest(&p.y))
        return TC_POINT_BAD_FLAGS;
    if (!tc_g2_affine_in_subgroup(&p))
        return TC_POINT_NOT_IN_SUBGROUP;
    *out = p;
    return TC_POINT_OK;
}

tc_status tc_g1_from_bytes_uncompressed(tc_error *err, tc_g1_affine *out,
                                        const uint8_t *in, size_t len)
{
    tc_point_fault f = len == TC_G1_UNCOMPRESSED_BYTES ? tc_g1_decode_uncompressed(out, in)
                                                       : TC_POINT_BAD_LENGTH;
    return fault_status(err, "G1 point (uncompressed)", f, len, TC_G1_UNCOMPRESSED_BYTES);
}

tc_status tc_g2_from_bytes_uncompressed(tc_error *err, tc_g2_affine *out,
                                        const uint8_t *in, size_t len)
{
    tc_point_fault f = len == TC_G2_UNCOMPRESSED_BYTES ? tc_g2_decode_uncompressed(out, in)
                                                       : TC_POINT_BAD_LENGTH;
    return fault_status(err, "G2 point (uncompressed)", f, len, TC_G2_UNCOMPRESSED_BYTES);
}

/* ------------------------------------------------------------ Ethereum */

static void fp_to_be(uint8_t out[32], const tc_fp *a)
{
    uint8_t le[32];
    tc_fp_to_bytes(le, a);
    for (int i = 0; i < 32; i++)
        out[i] = le[31 - i];
}

static bool fp_from_be(tc_fp *r, const uint8_t in[32])
{
    uint8_t le[32];
    for (int i = 0; i < 32; i++)
        le[i] = in[31 - i];
    return tc_fp_from_bytes(r, le);
}

void tc_g1_to_eth(uint8_t out[TC_G1_ETH_BYTES], const tc_g1_affine *a)
{
    if (a->infinity) {
        memset(out, 0, TC_G1_ETH_BYTES);
        return;
    }
    fp_to_be(out, &a->x);
    fp_to_be(out + 32, &a->y);
}

void tc_g2_to_eth(uint8_t out[TC_G2_ETH_BYTES], const tc_g2_affine *a)
{
    if (a->infinity) {
        memset(out, 0, TC_G2_ETH_BYTES);
        return;
    }
    fp_to_be(out, &a->x.c1);
    fp_to_be(out + 32, &a->x.c0);
    fp_to_be(out + 64, &a->y.c1);
    fp_to_be(out + 96, &a->y.c0);
}

/* EIP-196/197 have no flags: all zero is infinity, and every coordinate
 * must be < p. */
tc_status tc_g1_from_eth(tc_error *err, tc_g1_affine *out, const uint8_t *in, size_t len)
{
    if (len != TC_G1_ETH_BYTES)
        return fault_status(err, "G1 point (EIP-196)", TC_POINT_BAD_LENGTH, len, TC_G1_ETH_BYTES);
    if (all_zero(in, len)) {
        *out = (tc_g1_affine){.infinity = true};
        return TC_OK;
    }
    tc_g1_affine p = {.infinity = false};
    tc_point_fault f = TC_POINT_OK;
    if (!fp_from_be(&p.x, in) || !fp_from_be(&p.y, in + 32))
        f = TC_POINT_NONCANONICAL;
    else if (!tc_g1_affine_is_on_curve(&p))
        f = TC_POINT_NOT_ON_CURVE;
    if (f == TC_POINT_OK)
        *out = p;
    return fault_status(err, "G1 point (EIP-196)", f, len, TC_G1_ETH_BYTES);
}

tc_status tc_g2_from_eth(tc_error *err, tc_g2_affine *out, const uint8_t *in, size_t len)
{
    if (len != TC_G2_ETH_BYTES)
        return fault_status(err, "G2 point (EIP-197)", TC_POINT_BAD_LENGTH, len, TC_G2_ETH_BYTES);
    if (all_zero(in, len)) {
        *out = (tc_g2_affine){.infinity = true};
        return TC_OK;
    }
    tc_g2_affine p = {.infinity = false};
    tc_point_fault f = TC_POINT_OK;
    if (!fp_from_be(&p.x.c1, in) || !fp_from_be(&p.x.c0, in + 32) ||
        !fp_from_be(&p.y.c1, in + 64) || !fp_from_be(&p.y.c0, in + 96))
        f = TC_POINT_NONCANONICAL;
    else if (!tc_g2_affine_is_on_curve(&p))
        f = TC_POINT_NOT_ON_CURVE;
    else if (!tc_g2_affine_in_subgroup(&p))
        f = TC_POINT_NOT_IN_SUBGROUP;
    if (f == TC_POINT_OK)
        *out = p;
    return fault_status(err, "G2 point (EIP-197)", f, len, TC_G2_ETH_BYTES);
}
