/* JSON through jansson, one way for every module: files loaded with one
 * clear error line, typed reads of required and optional fields whose errors
 * name the file and the field, and text written with a final newline. */
#ifndef TC_UTIL_JSON_H
#define TC_UTIL_JSON_H

#include "tensorcommit.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------- loading */

/* Reads the file at path and parses it (duplicate keys refused).
 * max_len = 0 and digest = NULL: jansson reads the file itself, so it may be
 * a stream (a FIFO, /dev/stdin) of any length.  Otherwise the file must be a
 * regular file of at most max_len bytes (0: 4 GiB), and digest, when not
 * NULL, receives the SHA-256 of its bytes.
 * Errors, one line each: a file that cannot be read is TC_EIO naming it; text
 * that does not parse is TC_EFORMAT, "PATH: invalid JSON at line L column C:
 * WHAT".  *root is NULL after a failure. */
#define TC_JSON_MAX_INPUT ((size_t)1 << 32)
tc_status tc_json_load(tc_error *err, json_t **root, const char *path, size_t max_len,
                       uint8_t digest[32]) TC_MUST_CHECK;
/* The same, and the top must be an object ("PATH: not a JSON object"). */
tc_status tc_json_load_object(tc_error *err, json_t **root, const char *path, size_t max_len,
                              uint8_t digest[32]) TC_MUST_CHECK;

/* ---------------------------------------------------------- fields */

/* One member of an object: its key, its type and whether it must be there.
 * Types: 's' string, 'h' 64 hex characters, 'i' integer, 'n' number,
 * 'b' boolean, 'o' object, 'a' array. */
typedef struct tc_json_field {
    const char *key;
    char type;
    bool required;
} tc_json_field;

/* Every member of obj is one of f[0..n), of its type, and every required one
 * is there; else TC_EFORMAT, "PATH: unknown field "WHERE KEY"", "PATH: field
 * "WHERE KEY" must be a string", or "... is missing" (where: a prefix such
 * as "sampling.", or ""). */
tc_status tc_json_check_fields(tc_error *err, const char *path, const char *where,
                               const json_t *obj, const tc_json_field *f,
                               size_t n) TC_MUST_CHECK;

/* Member `key` of object o as a finite double / a non-negative integer
 * (integral reals such as 1e15 accepted up to 2^53); errors name path and
 * key ("PATH: missing "KEY"", "PATH: "KEY" is not a finite number"). */
tc_status tc_json_get_double(tc_error *err, double *out, const json_t *o, const char *key,
                             const char *path) TC_MUST_CHECK;
tc_status tc_json_get_u64(tc_error *err, uint64_t *out, const json_t *o, const char *key,
                          const char *path) TC_MUST_CHECK;
/* Element i of an array as above; `what` names the array in messages. */
tc_status tc_json_to_double(tc_error *err, double *out, const json_t *v, const char *what,
                            size_t i, const char *path) TC_MUST_CHECK;
tc_status tc_json_to_u64(tc_error *err, uint64_t *out, const json_t *v, const char *what,
                         size_t i, const char *path) TC_MUST_CHECK;

/* Member `key` of o as an integer in lo..hi; false when missing, of another
 * type or out of range (the caller words the error: the range is its). */
bool tc_json_int_in(const json_t *o, const char *key, json_int_t lo, json_int_t hi,
                    json_int_t *v);
/* A string of 64 hex characters (32 bytes). */
bool tc_json_is_hex32(const json_t *v);
/* Member `key` of o, 64 hex characters, copied into out; false when missing
 * or not 32 bytes of hex. */
bool tc_json_hex32(const json_t *o, const char *key, char out[65]);

/* ---------------------------------------------------------- writing */

/* The two layouts the project writes: two-space indent with sorted keys
 * (run folders, challenges, responses, layout and quantization files), and
 * one-space indent in insertion order with 17 significant digits (select). */
#define TC_JSON_SORTED (JSON_INDENT(2) | JSON_SORT_KEYS)
#define TC_JSON_ORDERED (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

/* A JSON number, or null for inf/NaN (JSON has neither). */
json_t *tc_json_real(double x);

/* The value as text with the given jansson flags and a final newline,
 * malloc'd into *out (NULL after a failure).  root is not released. */
tc_status tc_json_dump(tc_error *err, char **out, const json_t *root,
                       size_t flags) TC_MUST_CHECK;
/* tc_json_dump, then tc_write_file_atomic to path. */
tc_status tc_json_write(tc_error *err, const char *path, const json_t *root,
                        size_t flags) TC_MUST_CHECK;

#endif
