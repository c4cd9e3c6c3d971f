/*
 * Fiat–Shamir transcript over SHA-256: absorbs labelled messages (bytes,
 * scalars, points) and squeezes Fr challenges without modulo bias.
 *
 * Byte format (stable; docs/formats.md repeats it).  H = SHA-256,
 * u64(n) = 8 bytes little-endian, and every label and message enters as its
 * length and its hash, so each record has a fixed size and no two different
 * sequences of (label, message) give the same record stream:
 *
 *   init(protocol):         S ← H("tensorcommit.transcript.v1" ‖ 0x00 ‖
 *                                 u64(|protocol|) ‖ H(protocol))
 *   absorb(label, m):       S ← H(S ‖ 0x01 ‖ u64(|label|) ‖ H(label) ‖
 *                                 u64(|m|) ‖ H(m))
 *   squeeze(label, n):      S ← H(S ‖ 0x02 ‖ u64(|label|) ‖ H(label) ‖ u64(n))
 *                           block_j = H(S ‖ 0x03 ‖ u64(j)),  j = 0, 1, …
 *   challenge i of n:       c_i = (block_{2i} ‖ block_{2i+1}) read as a
 *                                 512-bit little-endian integer, mod r
 *                                 (statistical distance from uniform
 *                                 below 2^-250)
 *   challenge bytes:        block_0 ‖ block_1 ‖ … truncated to the length
 *
 * Typed messages: an Fr scalar is its 32-byte canonical little-endian form,
 * a G1/G2 point its compressed encoding (encoding.h), a u64 8 bytes LE.
 * The 26-byte domain string is ASCII, without a terminator.  Labels are
 * NUL-terminated strings whose bytes (without the NUL) are hashed.
 *
 * No allocation (SHA-256 one-shot calls), no failure modes.
 */
#ifndef TC_EC_TRANSCRIPT_H
#define TC_EC_TRANSCRIPT_H

#include "ec/curve.h"

typedef struct tc_transcript {
    uint8_t state[32];   /* S: the hash of everything absorbed so far */
} tc_transcript;

void tc_transcript_init(tc_transcript *t, const char *protocol);
void tc_transcript_absorb(tc_transcript *t, const char *label, const void *msg, size_t len);
void tc_transcript_absorb_u64(tc_transcript *t, const char *label, uint64_t v);
void tc_transcript_absorb_fr(tc_transcript *t, const char *label, const tc_fr *a);
void tc_transcript_absorb_g1(tc_transcript *t, const char *label, const tc_g1_affine *a);
void tc_transcript_absorb_g2(tc_transcript *t, const char *label, const tc_g2_affine *a);
/* n challenges from one squeeze (out: n elements). */
void tc_transcript_challenges_fr(tc_transcript *t, const char *label, tc_fr *out, size_t n);
/* One challenge: the same as challenges_fr with n = 1. */
void tc_transcript_challenge_fr(tc_transcript *t, const char *label, tc_fr *out);
/* len bytes from one squeeze with n = len (e.g. a seed). */
void tc_transcript_challenge_bytes(tc_transcript *t, const char *label, uint8_t *out, size_t len);

#endif
