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

/* Writes `len` bytes to `path`, which is resolved first (file.c):
 *   "-" is standard output; a character or block device or a FIFO is opened
 *   and written through; a symbolic link is followed and the file it names
 *   replaced (the link stays); a regular file, or a name not there yet, is
 *   written under a temporary name in its folder, fsync'd and renamed over
 *   it, so a crash never leaves a partial file; a folder is refused. */
tc_status tc_write_file_atomic(tc_error *err, const char *path,
                               const void *data, size_t len) TC_MUST_CHECK;

/* Several outputs, all or nothing: each add writes a temporary file (a
 * stream target keeps a copy of the data instead); commit writes the streams,
 * then renames every temporary file into place; on any failure, and on
 * discard, the temporary files are removed and no regular target changed.
 * Two adds naming the same file are refused.  Commit and discard free the
 * set; discard after commit does nothing. */
typedef struct tc_file_set { struct tc_file_out *files; size_t n; } tc_file_set;
void tc_file_set_init(tc_file_set *s);
tc_status tc_file_set_add(tc_error *err, tc_file_set *s, const char *path,
                          const void *data, size_t len) TC_MUST_CHECK;
tc_status tc_file_set_commit(tc_error *err, tc_file_set *s) TC_MUST_CHECK;
void tc_file_set_discard(tc_file_set *s);

/* Follows path while it is a symbolic link (each relative target read from
 * the link's folder) to the name a write replaces; that name need not exist.
 * *out is malloc'd. */
tc_status tc_path_resolve(tc_error *err, const char *path, char **out) TC_MUST_CHECK;
/* The resolved name as an absolute path with a canonical folder (the last
 * component need not exist), to tell whether two names are one file; "-"
 * stays "-".  NULL when the folder does not exist (or out of memory). */
char *tc_path_canonical(const char *path);

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

/* Thread counts are `int` in every public function and options struct of
 * the modules above util (≥ 1; some accept 0 as 1, as they say).
 *
 * Runs fn(args + i·size) once for every i < n (n ≤ TC_MAX_THREADS): i = 0
 * on the calling thread, the others on threads of their own, and a call
 * whose thread cannot be started on the calling thread afterwards.  Returns
 * when all have returned.  Callers make their results independent of which
 * thread makes which call. */
#define TC_MAX_THREADS 256
void tc_run_threads(void *(*fn)(void *), void *args, size_t size, int n);

#endif
