/* Internal helpers shared by every module: error detail, checked sizes,
 * files written atomically, a seeded PRNG, SHA-256. */
#ifndef TC_UTIL_H
#define TC_UTIL_H

#include "tensorcommit.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define TC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TC_PRINTF(a, b)
#endif

#define TC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Records status and a formatted message in *err (when err is non-NULL) and
 * returns the status, so a failure reads `return tc_fail(err, TC_EFORMAT, ...)`. */
tc_status tc_fail(tc_error *err, tc_status s, const char *fmt, ...) TC_PRINTF(3, 4);
void tc_error_clear(tc_error *err);

/* Checked size arithmetic: return false on overflow. */
static inline bool tc_mul_size(size_t *out, size_t a, size_t b)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool tc_add_size(size_t *out, size_t a, size_t b)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Whole-file read into a fresh buffer (NUL-terminated for text use; *len
 * excludes the NUL).  Fails cleanly above max_len. */
tc_status tc_read_file(tc_error *err, uint8_t **data, size_t *len,
                       const char *path, size_t max_len) TC_MUST_CHECK;

/* Writes `len` bytes to `path` through a temporary file in the same folder,
 * fsync, then rename: a crash never leaves a partial file. */
tc_status tc_write_file_atomic(tc_error *err, const char *path,
                               const void *data, size_t len) TC_MUST_CHECK;

/* A small, fast, seeded PRNG (xoshiro256**, seeded by splitmix64) for tests,
 * padding and sampling.  Not for secrets: those come from tc_os_random. */
typedef struct tc_prng { uint64_t s[4]; } tc_prng;
void tc_prng_seed(tc_prng *g, uint64_t seed);
uint64_t tc_prng_next(tc_prng *g);
/* Uniform in [0, bound) without modulo bias; bound > 0. */
uint64_t tc_prng_below(tc_prng *g, uint64_t bound);
/* Uniform double in [0, 1) with 53 random bits. */
double tc_prng_double(tc_prng *g);

/* Fills buf from the operating system's random source. */
tc_status tc_os_random(tc_error *err, void *buf, size_t len) TC_MUST_CHECK;

/* SHA-256 (OpenSSL libcrypto). */
typedef struct tc_sha256 { void *ctx; } tc_sha256;
tc_status tc_sha256_init(tc_sha256 *h) TC_MUST_CHECK;
void tc_sha256_update(tc_sha256 *h, const void *data, size_t len);
void tc_sha256_final(tc_sha256 *h, uint8_t out[32]);   /* also frees */
void tc_sha256_free(tc_sha256 *h);                      /* NULL-safe */
void tc_sha256_oneshot(uint8_t out[32], const void *data, size_t len);

/* Hex: lower-case encoding; decoding accepts either case and an exact length. */
void tc_hex_encode(char *out, const uint8_t *in, size_t len); /* out: 2*len+1 */
bool tc_hex_decode(uint8_t *out, size_t len, const char *hex);

/* Monotonic clock in seconds. */
double tc_now(void);

/* Runs fn(args + i·size) once for every i < n (n ≤ TC_MAX_THREADS): i = 0
 * on the calling thread, the others on threads of their own, and a call
 * whose thread cannot be started on the calling thread afterwards.  Returns
 * when all have returned.  Callers make their results independent of which
 * thread makes which call. */
#define TC_MAX_THREADS 256u
void tc_run_threads(void *(*fn)(void *), void *args, size_t size, unsigned n);

#endif
