/* JSON through jansson (see json.h). */
#include "util/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* ---------------------------------------------------------- loading */

/* A stream or a file of any length: jansson opens and reads it. */
static tc_status load_by_name(tc_error *err, json_t **root, const char *path)
{
    json_error_t je;
    *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (*root != NULL)
        return TC_OK;
    if (je.line < 0)                    /* the file could not be read */
        return tc_fail(err, TC_EIO, "%s: %s", path, je.text);
    return tc_fail(err, TC_EFORMAT, "%s: invalid JSON at line %d column %d: %s", path, je.line,
                   je.column, je.text);
}

tc_status tc_json_load(tc_error *err, json_t **root, const char *path, size_t max_len,
                       uint8_t digest[32])
{
    *root = NULL;
    if (max_len == 0 && digest == NULL)
        return load_by_name(err, root, path);
    uint8_t *data = NULL;
    size_t len = 0;
    tc_status st = tc_read_file(err, &data, &len, path, max_len ? max_len : (size_t)1 << 32);
    if (st != TC_OK)
        return st;
    if (digest != NULL)
        tc_sha256_oneshot(digest, data, len);
    json_error_t je;
    *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    if (*root == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: invalid JSON at line %d column %d: %s", path,
                       je.line, je.column, je.text);
    return TC_OK;
}

tc_status tc_json_load_object(tc_error *err, json_t **root, const char *path, size_t max_len,
                              uint8_t digest[32])
{
    tc_status st = tc_json_load(err, root, path, max_len, digest);
    if (st != TC_OK || json_is_object(*root))
        return st;
    json_decref(*root);
    *root = NULL;
    return tc_fail(err, TC_EFORMAT, "%s: not a JSON object", path);
}

/* ---------------------------------------------------------- fields */

bool tc_json_is_hex32(const json_t *v)
{
    const char *s = json_string_value(v);
    uint8_t b[32];
    return s != NULL && strlen(s) == 64 && tc_hex_decode(b, 32, s);
}

bool tc_json_hex32(const json_t *o, const char *key, char out[65])
{
    const json_t *v = json_object_get(o, key);
    if (!tc_json_is_hex32(v))
        return false;
    memcpy(out, json_string_value(v), 65);
    return true;
}

static bool has_type(const json_t *v, char type)
{
    switch (type) {
    case 's': return json_is_string(v);
    case 'h': return tc_json_is_hex32(v);
    case 'i': return json_is_integer(v);
    case 'n': return json_is_number(v);
    case 'b': return json_is_boolean(v);
    case 'o': return json_is_object(v);
    case 'a': return json_is_array(v);
    }
    return false;
}

static const char *type_name(char type)
{
    switch (type) {
    case 's': return "a string";
    case 'h': return "64 hex characters";
    case 'i': return "an integer";
    case 'n': return "a number";
    case 'b': return "true or false";
    case 'o': return "an object";
    }
    return "an array";
}

tc_status tc_json_check_fields(tc_error *err, const char *path, const char *where,
                               const json_t *obj, const tc_json_field *f, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(f[i].key, key) != 0)
            i++;
        if (i == n)
            return tc_fail(err, TC_EFORMAT, "%s: unknown field \"%s%s\"", path, where, key);
        if (!has_type(v, f[i].type))
            return tc_fail(err, TC_EFORMAT, "%s: field \"%s%s\" must be %s", path, where, key,
                           type_name(f[i].type));
    }
    for (size_t i = 0; i < n; i++)
        if (f[i].required && json_object_get(obj, f[i].key) == NULL)
            return tc_fail(err, TC_EFORMAT, "%s: field \"%s%s\" is missing", path, where,
                           f[i].key);
    return TC_OK;
}

bool tc_json_int_in(const json_t *o, const char *key, json_int_t lo, json_int_t hi,
                    json_int_t *v)
{
    const json_t *x = json_object_get(o, key);
    if (!json_is_integer(x))
        return false;
    *v = json_integer_value(x);
    return *v >= lo && *v <= hi;
}

tc_status tc_json_to_double(tc_error *err, double *out, const json_t *v, const char *what,
                            size_t i, const char *path)
{
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return tc_fail(err, TC_EFORMAT, "%s: %s[%zu] is not a finite number", path, what, i);
    *out = json_number_value(v);
    return TC_OK;
}

/* A non-negative integer, or an integral real up to 2^53. */
static bool as_u64(uint64_t *out, const json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    double x = json_is_real(v) ? json_real_value(v) : -1;
    if (x >= 0 && x <= 9007199254740992.0 && x == floor(x)) {
        *out = (uint64_t)x;
        return true;
    }
    return false;
}

tc_status tc_json_to_u64(tc_error *err, uint64_t *out, const json_t *v, const char *what,
                         size_t i, const char *path)
{
    if (!as_u64(out, v))
        return tc_fail(err, TC_EFORMAT, "%s: %s[%zu] is not a non-negative integer", path, what,
                       i);
    return TC_OK;
}

tc_status tc_json_get_double(tc_error *err, double *out, const json_t *o, const char *key,
                             const char *path)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: missing \"%s\"", path, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return tc_fail(err, TC_EFORMAT, "%s: \"%s\" is not a finite number", path, key);
    *out = json_number_value(v);
    return TC_OK;
}

tc_status tc_json_get_u64(tc_error *err, uint64_t *out, const json_t *o, const char *key,
                          const char *path)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: missing \"%s\"", path, key);
    if (!as_u64(out, v))
        return tc_fail(err, TC_EFORMAT, "%s: \"%s\" is not a non-negative integer", path, key);
    return TC_OK;
}

/* ---------------------------------------------------------- writing */

json_t *tc_json_real(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

tc_status tc_json_dump(tc_error *err, char **out, const json_t *root, size_t flags)
{
    *out = NULL;
    char *text = json_dumps(root, flags);
    if (text == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory serialising JSON");
    size_t n = strlen(text);
    char *t = realloc(text, n + 2);
    if (t == NULL) {
        free(text);
        return tc_fail(err, TC_ENOMEM, "out of memory serialising JSON");
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    *out = t;
    return TC_OK;
}

tc_status tc_json_write(tc_error *err, const char *path, const json_t *root, size_t flags)
{
    char *text = NULL;
    tc_status st = tc_json_dump(err, &text, root, flags);
    if (st == TC_OK)
        st = tc_write_file_atomic(err, path, text, strlen(text));
    free(text);
    return st;
}
