/* PRNG, OS randomness, SHA-256, hex, clock. */
#include "util/util.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <errno.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void tc_prng_seed(tc_prng *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t tc_prng_next(tc_prng *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t tc_prng_below(tc_prng *g, uint64_t bound)
{
    /* rejection sampling on the top of the range */
    uint64_t lim = UINT64_MAX - (UINT64_MAX % bound);
    for (;;) {
        uint64_t x = tc_prng_next(g);
        if (x < lim)
            return x % bound;
    }
}

double tc_prng_double(tc_prng *g)
{
    return (double)(tc_prng_next(g) >> 11) * 0x1.0p-53;
}

tc_status tc_os_random(tc_error *err, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = getrandom(p, len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return tc_fail(err, TC_EIO, "getrandom failed: %s", strerror(errno));
        p += r;
        len -= (size_t)r;
    }
    return TC_OK;
}

tc_status tc_sha256_init(tc_sha256 *h)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    h->ctx = c;
    if (c == NULL)
        return TC_ENOMEM;
    if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(c);
        h->ctx = NULL;
        return TC_EINTERNAL;
    }
    return TC_OK;
}

void tc_sha256_update(tc_sha256 *h, const void *data, size_t len)
{
    EVP_DigestUpdate((EVP_MD_CTX *)h->ctx, data, len);
}

void tc_sha256_final(tc_sha256 *h, uint8_t out[32])
{
    unsigned int n = 32;
    EVP_DigestFinal_ex((EVP_MD_CTX *)h->ctx, out, &n);
    tc_sha256_free(h);
}

void tc_sha256_free(tc_sha256 *h)
{
    if (h != NULL && h->ctx != NULL) {
        EVP_MD_CTX_free((EVP_MD_CTX *)h->ctx);
        h->ctx = NULL;
    }
}

void tc_sha256_oneshot(uint8_t out[32], const void *data, size_t len)
{
    unsigned int n = 32;
    EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void tc_hex_encode(char *out, const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool tc_hex_decode(uint8_t *out, size_t len, const char *hex)
{
    if (strlen(hex) != 2 * len)
        return false;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

double tc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
