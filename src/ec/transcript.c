/* Fiat–Shamir transcript; the byte format is documented in transcript.h. */
#include "ec/transcript.h"

#include <string.h>

#include "ec/encoding.h"
#include "util/util.h"

#define DOMAIN "tensorcommit.transcript.v1"   /* 26 bytes */

enum { TAG_INIT = 0x00, TAG_ABSORB = 0x01, TAG_SQUEEZE = 0x02, TAG_BLOCK = 0x03 };

static void put_u64(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

/* u64(len) ‖ H(data) at out (40 bytes). */
static size_t put_hashed(uint8_t *out, const void *data, size_t len)
{
    put_u64(out, (uint64_t)len);
    tc_sha256_oneshot(out + 8, len ? data : "", len);
    return 40;
}

void tc_transcript_init(tc_transcript *t, const char *protocol)
{
    uint8_t rec[sizeof DOMAIN - 1 + 1 + 40];
    size_t n = sizeof DOMAIN - 1;
    memcpy(rec, DOMAIN, n);
    rec[n++] = TAG_INIT;
    n += put_hashed(rec + n, protocol, strlen(protocol));
    tc_sha256_oneshot(t->state, rec, n);
}

void tc_transcript_absorb(tc_transcript *t, const char *label, const void *msg, size_t len)
{
    uint8_t rec[32 + 1 + 40 + 40];
    size_t n = 32;
    memcpy(rec, t->state, 32);
    rec[n++] = TAG_ABSORB;
    n += put_hashed(rec + n, label, strlen(label));
    n += put_hashed(rec + n, msg, len);
    tc_sha256_oneshot(t->state, rec, n);
}

void tc_transcript_absorb_u64(tc_transcript *t, const char *label, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    tc_transcript_absorb(t, label, b, sizeof b);
}

void tc_transcript_absorb_fr(tc_transcript *t, const char *label, const tc_fr *a)
{
    uint8_t b[TC_FR_BYTES];
    tc_fr_to_bytes(b, a);
    tc_transcript_absorb(t, label, b, sizeof b);
}

void tc_transcript_absorb_g1(tc_transcript *t, const char *label, const tc_g1_affine *a)
{
    uint8_t b[TC_G1_BYTES];
    tc_g1_to_bytes(b, a);
    tc_transcript_absorb(t, label, b, sizeof b);
}

void tc_transcript_absorb_g2(tc_transcript *t, const char *label, const tc_g2_affine *a)
{
    uint8_t b[TC_G2_BYTES];
    tc_g2_to_bytes(b, a);
    tc_transcript_absorb(t, label, b, sizeof b);
}

/* S ← H(S ‖ 0x02 ‖ u64(|label|) ‖ H(label) ‖ u64(n)). */
static void squeeze(tc_transcript *t, const char *label, uint64_t n_out)
{
    uint8_t rec[32 + 1 + 40 + 8];
    size_t n = 32;
    memcpy(rec, t->state, 32);
    rec[n++] = TAG_SQUEEZE;
    n += put_hashed(rec + n, label, strlen(label));
    put_u64(rec + n, n_out);
    n += 8;
    tc_sha256_oneshot(t->state, rec, n);
}

/* block_j = H(S ‖ 0x03 ‖ u64(j)). */
static void block(uint8_t out[32], const tc_transcript *t, uint64_t j)
{
    uint8_t rec[32 + 1 + 8];
    memcpy(rec, t->state, 32);
    rec[32] = TAG_BLOCK;
    put_u64(rec + 33, j);
    tc_sha256_oneshot(out, rec, sizeof rec);
}

void tc_transcript_challenges_fr(tc_transcript *t, const char *label, tc_fr *out, size_t n)
{
    squeeze(t, label, (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t wide[64];
        block(wide, t, 2 * (uint64_t)i);
        block(wide + 32, t, 2 * (uint64_t)i + 1);
        tc_fr_from_bytes_wide(&out[i], wide);
    }
}

void tc_transcript_challenge_fr(tc_transcript *t, const char *label, tc_fr *out)
{
    tc_transcript_challenges_fr(t, label, out, 1);
}

void tc_transcript_challenge_bytes(tc_transcript *t, const char *label, uint8_t *out, size_t len)
{
    squeeze(t, label, (uint64_t)len);
    for (uint64_t j = 0; len > 0; j++) {
        uint8_t b[32];
        block(b, t, j);
        size_t k = len < 32 ? len : 32;
        memcpy(out, b, k);
        out += k;
        len -= k;
    }
}
