/* The JSON field readers of the tokenizer.json loader: each checks one
 * field's type and range and names the file and the field when it fails. */
#include "tokenizer/tokenizer_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tc_status tok_load_bool(tok_loader *L, json_t *obj, const char *key, bool dflt, bool *out,
                        const char *where)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        *out = dflt;
        return TC_OK;
    }
    if (!json_is_boolean(v))
        return FAIL(L, TC_EFORMAT, "%s: %s.%s is not a boolean", L->name, where, key);
    *out = json_is_true(v);
    return TC_OK;
}

/* A string field; *s NULL when absent or null and !required. */
tc_status tok_load_str(tok_loader *L, json_t *obj, const char *key, bool required,
                       const char **s, size_t *len, const char *where)
{
    json_t *v = json_object_get(obj, key);
    *s = NULL;
    *len = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return FAIL(L, TC_EFORMAT, "%s: %s.%s is missing", L->name, where, key);
        return TC_OK;
    }
    if (!json_is_string(v))
        return FAIL(L, TC_EFORMAT, "%s: %s.%s is not a string", L->name, where, key);
    *s = json_string_value(v);
    *len = json_string_length(v);
    return TC_OK;
}

tc_status tok_load_dup(tok_loader *L, char **out, const char *s, size_t len)
{
    *out = malloc(len + 1);
    if (*out == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return TC_OK;
}

tc_status tok_load_size(tok_loader *L, json_t *obj, const char *key, size_t dflt, size_t *out,
                        const char *where)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        *out = dflt;
        return TC_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return FAIL(L, TC_EFORMAT, "%s: %s.%s is not a non-negative integer", L->name, where, key);
    *out = (size_t)json_integer_value(v);
    return TC_OK;
}

/* A one-character string field (Metaspace replacement, Strip content). */
tc_status tok_load_char(tok_loader *L, json_t *obj, const char *key, uint32_t dflt,
                        uint32_t *out, const char *where)
{
    const char *s;
    size_t len;
    tc_status st = tok_load_str(L, obj, key, false, &s, &len, where);
    if (st != TC_OK)
        return st;
    if (s == NULL) {
        *out = dflt;
        return TC_OK;
    }
    if (len == 0 || tok_utf8_check(s, len) != len || tok_utf8_next(s, len, out) != len)
        return FAIL(L, TC_EFORMAT, "%s: %s.%s must be exactly one character", L->name, where, key);
    return TC_OK;
}

const char *tok_load_type(json_t *obj)
{
    json_t *t = json_object_get(obj, "type");
    return json_is_string(t) ? json_string_value(t) : NULL;
}

tc_status tok_load_pattern(tok_loader *L, json_t *obj, tok_pattern *p,
                           const char *where)
{
    json_t *pat = json_object_get(obj, "pattern");
    json_t *v;
    char w[128];
    if (!json_is_object(pat))
        return FAIL(L, TC_EFORMAT, "%s: %s.pattern is missing or not an object", L->name, where);
    v = json_object_get(pat, "String");
    if (v != NULL) {
        if (!json_is_string(v))
            return FAIL(L, TC_EFORMAT, "%s: %s.pattern.String is not a string", L->name, where);
        p->kind = TOK_PAT_STRING;
        p->len = json_string_length(v);
        return tok_load_dup(L, &p->str, json_string_value(v), p->len);
    }
    v = json_object_get(pat, "Regex");
    if (v != NULL) {
        if (!json_is_string(v))
            return FAIL(L, TC_EFORMAT, "%s: %s.pattern.Regex is not a string", L->name, where);
        p->kind = TOK_PAT_REGEX;
        snprintf(w, sizeof w, "%.60s: %.30s.pattern", L->name, where);
        return tok_regex_compile(L->err, &p->re, json_string_value(v), json_string_length(v), w);
    }
    return FAIL(L, TC_EFORMAT, "%s: %s.pattern has neither String nor Regex", L->name, where);
}

tc_status tok_load_behavior(tok_loader *L, json_t *obj, tok_behavior dflt, tok_behavior *out,
                            const char *where)
{
    static const struct {
        const char *name;
        tok_behavior b;
    } names[] = {{"Removed", TOK_SPLIT_REMOVED},
                 {"Isolated", TOK_SPLIT_ISOLATED},
                 {"MergedWithPrevious", TOK_SPLIT_MERGED_PREV},
                 {"MergedWithNext", TOK_SPLIT_MERGED_NEXT},
                 {"Contiguous", TOK_SPLIT_CONTIGUOUS}};
    const char *s;
    size_t len;
    tc_status st = tok_load_str(L, obj, "behavior", false, &s, &len, where);
    if (st != TC_OK)
        return st;
    if (s == NULL) {
        *out = dflt;
        return TC_OK;
    }
    for (size_t i = 0; i < TC_ARRAY_LEN(names); i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].b;
            return TC_OK;
        }
    return FAIL(L, TC_EUNSUPPORTED, "%s: %s.behavior \"%.40s\" is not supported", L->name,
                where, s);
}

/* prepend_scheme, or the older add_prefix_space boolean. */
tc_status tok_load_prepend(tok_loader *L, json_t *obj, tok_prepend *out,
                           const char *where)
{
    const char *s;
    size_t len;
    tc_status st = tok_load_str(L, obj, "prepend_scheme", false, &s, &len, where);
    if (st != TC_OK)
        return st;
    if (s == NULL) {
        bool add;
        st = tok_load_bool(L, obj, "add_prefix_space", true, &add, where);
        *out = add ? TOK_PREPEND_ALWAYS : TOK_PREPEND_NEVER;
        return st;
    }
    if (strcmp(s, "always") == 0)
        *out = TOK_PREPEND_ALWAYS;
    else if (strcmp(s, "first") == 0)
        *out = TOK_PREPEND_FIRST;
    else if (strcmp(s, "never") == 0)
        *out = TOK_PREPEND_NEVER;
    else
        return FAIL(L, TC_EFORMAT, "%s: %s.prepend_scheme \"%.40s\" is unknown", L->name, where, s);
    return TC_OK;
}

tc_status tok_load_id(tok_loader *L, json_t *v, uint32_t *id, const char *where)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= TOK_MAX_ID)
        return FAIL(L, TC_EFORMAT, "%s: %s is not a token id", L->name, where);
    *id = (uint32_t)json_integer_value(v);
    return TC_OK;
}

tc_status tok_load_array(tok_loader *L, json_t *obj, const char *key, json_t **arr,
                         const char *where)
{
    *arr = json_object_get(obj, key);
    if (!json_is_array(*arr))
        return FAIL(L, TC_EFORMAT, "%s: %s.%s is missing or not an array", L->name, where, key);
    return TC_OK;
}
