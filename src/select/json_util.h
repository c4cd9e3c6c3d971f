/* Small jansson helpers for the select module's files. */
#ifndef TC_SELECT_JSON_UTIL_H
#define TC_SELECT_JSON_UTIL_H

#include "tensorcommit.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON number, or null for inf/NaN (JSON has neither). */
json_t *tc_json_real(double x);

/* Serialises (indented, members in insertion order, 17 significant digits,
 * trailing newline) and releases root.  *out is malloc'ed. */
tc_status tc_json_dump(tc_error *err, char **out, json_t *root) TC_MUST_CHECK;

/* Reads and parses a whole file; errors name the file and the line. */
tc_status tc_json_load_file(tc_error *err, json_t **root, const char *path,
                            size_t max_len) TC_MUST_CHECK;

/* Member `key` of object o as a finite double / a non-negative integer
 * (integral reals such as 1e15 accepted up to 2^53).  `path` names the file. */
tc_status tc_json_get_double(tc_error *err, double *out, json_t *o, const char *key,
                             const char *path) TC_MUST_CHECK;
tc_status tc_json_get_u64(tc_error *err, uint64_t *out, json_t *o, const char *key,
                          const char *path) TC_MUST_CHECK;
/* Element of an array as above; `what` names the array in messages. */
tc_status tc_json_to_double(tc_error *err, double *out, json_t *v, const char *what,
                            size_t i, const char *path) TC_MUST_CHECK;
tc_status tc_json_to_u64(tc_error *err, uint64_t *out, json_t *v, const char *what,
                         size_t i, const char *path) TC_MUST_CHECK;

#endif
