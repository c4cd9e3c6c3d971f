/* jansson helpers: strict numbers, file loading with located errors. */
#include "select/json_util.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *tc_json_real(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

tc_status tc_json_dump(tc_error *err, char **out, json_t *root)
{
    *out = NULL;
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
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

tc_status tc_json_load_file(tc_error *err, json_t **root, const char *path, size_t max_len)
{
    *root = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    tc_status st = tc_read_file(err, &data, &len, path, max_len);
    if (st != TC_OK)
        return st;
    json_error_t je;
    *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    if (*root == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: invalid JSON at line %d column %d: %s", path,
                       je.line, je.column, je.text);
    return TC_OK;
}

tc_status tc_json_to_double(tc_error *err, double *out, json_t *v, const char *what,
                            size_t i, const char *path)
{
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return tc_fail(err, TC_EFORMAT, "%s: %s[%zu] is not a finite number", path, what, i);
    *out = json_number_value(v);
    return TC_OK;
}

tc_status tc_json_to_u64(tc_error *err, uint64_t *out, json_t *v, const char *what,
                         size_t i, const char *path)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return TC_OK;
    }
    if (json_is_real(v)) {
        double x = json_real_value(v);
        if (x >= 0 && x <= 9007199254740992.0 && x == floor(x)) {
            *out = (uint64_t)x;
            return TC_OK;
        }
    }
    return tc_fail(err, TC_EFORMAT, "%s: %s[%zu] is not a non-negative integer", path, what, i);
}

tc_status tc_json_get_double(tc_error *err, double *out, json_t *o, const char *key,
                             const char *path)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: missing \"%s\"", path, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return tc_fail(err, TC_EFORMAT, "%s: \"%s\" is not a finite number", path, key);
    *out = json_number_value(v);
    return TC_OK;
}

tc_status tc_json_get_u64(tc_error *err, uint64_t *out, json_t *o, const char *key,
                          const char *path)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: missing \"%s\"", path, key);
    tc_status st = tc_json_to_u64(err, out, v, key, 0, path);
    if (st != TC_OK)
        return tc_fail(err, TC_EFORMAT, "%s: \"%s\" is not a non-negative integer", path, key);
    return TC_OK;
}
