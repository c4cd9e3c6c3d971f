/*
 * Byte encodings of scalars and points (docs/design.md §3.1, tests/vectors/README.md).
 *
 * Canonical (arkworks-compatible "compressed"):
 *   Fr  32 bytes, the canonical value little-endian; must be < r.
 *   G1  32 bytes: x little-endian; byte 31 carries two flags in its top bits,
 *       0x80 = y is the larger of {y, p − y}, 0x40 = the point at infinity
 *       (written as 31 zero bytes then 0x40).
 *   G2  64 bytes: x.c0 then x.c1, each 32 bytes little-endian; the flags sit
 *       in byte 63 (top bits of x.c1); "larger" is arkworks' Fp2 order
 *       (c1 first, c0 when c1 = 0).  x.c0 carries no flags.
 * Uncompressed affine, for bulk storage (arkworks' uncompressed layout,
 * ark-serialize 0.4 and later):
 *   G1  64 bytes: x ‖ y, each 32 bytes little-endian; the flags sit in byte
 *       63 (the top bits of y): 0x80 when y is the larger root, as in the
 *       compressed form, and infinity is all zero but 0x40 in byte 63.
 *   G2  128 bytes: x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, the same flags on byte 127.
 *   The decoder requires the 0x80 flag to match y (arkworks ignores it).
 * Ethereum (EIP-196/197), big-endian, uncompressed, infinity = all zero:
 *   G1  64 bytes: x ‖ y.
 *   G2  128 bytes: x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 (imaginary part first).
 *
 * Decoders are strict and return TC_EFORMAT with one distinct message per
 * fault; the checks run in this order: length, all-zero bytes, both flags
 * set, a coordinate ≥ p (after clearing the flag bits), infinity flag with
 * any other bit set, not on the curve, (uncompressed) y-sign flag not
 * matching y, not in the order-r subgroup (G2; G1 has cofactor 1).  The
 * messages name the group but no file: callers add the file and offset.
 * The Ethereum decoders check range, curve and subgroup.
 */
#ifndef TC_EC_ENCODING_H
#define TC_EC_ENCODING_H

#include "ec/curve.h"
#include "util/util.h"

#define TC_FR_BYTES 32
#define TC_G1_BYTES 32
#define TC_G2_BYTES 64
#define TC_G1_UNCOMPRESSED_BYTES 64
#define TC_G2_UNCOMPRESSED_BYTES 128
#define TC_G1_ETH_BYTES 64
#define TC_G2_ETH_BYTES 128

#define TC_FLAG_Y_LARGEST 0x80
#define TC_FLAG_INFINITY 0x40

/* Why an encoding was rejected (TC_POINT_OK when it was not). */
typedef enum tc_point_fault {
    TC_POINT_OK = 0,
    TC_POINT_BAD_LENGTH,
    TC_POINT_ALL_ZERO,          /* all-zero bytes (infinity is 0x40, not 0) */
    TC_POINT_BOTH_FLAGS,        /* infinity and y-sign flag both set */
    TC_POINT_NONCANONICAL,      /* a coordinate ≥ p */
    TC_POINT_INFINITY_NONZERO,  /* infinity flag with other bits set */
    TC_POINT_NOT_ON_CURVE,
    TC_POINT_NOT_IN_SUBGROUP,
    TC_POINT_BAD_FLAGS          /* uncompressed: the y-sign flag does not match y */
} tc_point_fault;

/* A short English description of a fault ("x >= p (non-canonical)", …). */
const char *tc_point_fault_str(tc_point_fault f);

/* ---- Fr ---- */
/* tc_fr_to_bytes (field.h) writes the 32-byte canonical form. */
tc_status tc_fr_decode(tc_error *err, tc_fr *out, const uint8_t *in, size_t len) TC_MUST_CHECK;

/* ---- compressed points ---- */
void tc_g1_to_bytes(uint8_t out[TC_G1_BYTES], const tc_g1_affine *a);
void tc_g2_to_bytes(uint8_t out[TC_G2_BYTES], const tc_g2_affine *a);
/* Strict decoders: the fault, and the point only when TC_POINT_OK. */
tc_point_fault tc_g1_decode(tc_g1_affine *out, const uint8_t in[TC_G1_BYTES]);
tc_point_fault tc_g2_decode(tc_g2_affine *out, const uint8_t in[TC_G2_BYTES]);
/* The same with a status and message; len must be the exact size.  Cost: one
 * Fp square root (G1); an Fp2 square root and the subgroup check (G2). */
tc_status tc_g1_from_bytes(tc_error *err, tc_g1_affine *out,
                           const uint8_t *in, size_t len) TC_MUST_CHECK;
tc_status tc_g2_from_bytes(tc_error *err, tc_g2_affine *out,
                           const uint8_t *in, size_t len) TC_MUST_CHECK;

/* ---- uncompressed (arkworks layout) ---- */
void tc_g1_to_bytes_uncompressed(uint8_t out[TC_G1_UNCOMPRESSED_BYTES], const tc_g1_affine *a);
void tc_g2_to_bytes_uncompressed(uint8_t out[TC_G2_UNCOMPRESSED_BYTES], const tc_g2_affine *a);
tc_point_fault tc_g1_decode_uncompressed(tc_g1_affine *out, const uint8_t in[TC_G1_UNCOMPRESSED_BYTES]);
tc_point_fault tc_g2_decode_uncompressed(tc_g2_affine *out, const uint8_t in[TC_G2_UNCOMPRESSED_BYTES]);
tc_status tc_g1_from_bytes_uncompressed(tc_error *err, tc_g1_affine *out,
                                        const uint8_t *in, size_t len) TC_MUST_CHECK;
tc_status tc_g2_from_bytes_uncompressed(tc_error *err, tc_g2_affine *out,
                                        const uint8_t *in, size_t len) TC_MUST_CHECK;

/* ---- Ethereum EIP-196/197 (big-endian) ---- */
void tc_g1_to_eth(uint8_t out[TC_G1_ETH_BYTES], const tc_g1_affine *a);
void tc_g2_to_eth(uint8_t out[TC_G2_ETH_BYTES], const tc_g2_affine *a);
tc_status tc_g1_from_eth(tc_error *err, tc_g1_affine *out,
                         const uint8_t *in, size_t len) TC_MUST_CHECK;
tc_status tc_g2_from_eth(tc_error *err, tc_g2_affine *out,
                         const uint8_t *in, size_t len) TC_MUST_CHECK;

#endif
