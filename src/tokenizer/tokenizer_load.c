/* Loading tokenizer.json: every field is validated here, once; the encoder
 * and decoder then trust the parsed structures. */
#include "tokenizer/tokenizer_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOK_MAX_FILE ((size_t)1 << 30)

typedef struct loader {
    tc_error *err;
    const char *name;
} loader;

#define FAIL(L, st, ...) tc_fail((L)->err, (st), __VA_ARGS__)

/* ---- JSON field helpers ------------------------------------------------- */

static tc_status get_bool(loader *L, json_t *obj, const char *key, bool dflt, bool *out,
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
static tc_status get_str(loader *L, json_t *obj, const char *key, bool required,
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

static tc_status dup_str(loader *L, char **out, const char *s, size_t len)
{
    *out = malloc(len + 1);
    if (*out == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return TC_OK;
}

static tc_status get_size(loader *L, json_t *obj, const char *key, size_t dflt, size_t *out,
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
static tc_status get_char(loader *L, json_t *obj, const char *key, uint32_t dflt, uint32_t *out,
                          const char *where)
{
    const char *s;
    size_t len;
    tc_status st = get_str(L, obj, key, false, &s, &len, where);
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

static const char *type_of(json_t *obj)
{
    json_t *t = json_object_get(obj, "type");
    return json_is_string(t) ? json_string_value(t) : NULL;
}

static tc_status get_pattern(loader *L, json_t *obj, tok_pattern *p, const char *where)
{
    json_t *pat = json_object_get(obj, "pattern");
    json_t *v;
    char w[128];
    if (!json_is_object(pat))
        return FAIL(L, TC_EFORMAT, "%s: %s.pattern is missing or not an object", L->name, where);
    if ((v = json_object_get(pat, "String")) != NULL) {
        if (!json_is_string(v))
            return FAIL(L, TC_EFORMAT, "%s: %s.pattern.String is not a string", L->name, where);
        p->kind = TOK_PAT_STRING;
        p->len = json_string_length(v);
        return dup_str(L, &p->str, json_string_value(v), p->len);
    }
    if ((v = json_object_get(pat, "Regex")) != NULL) {
        if (!json_is_string(v))
            return FAIL(L, TC_EFORMAT, "%s: %s.pattern.Regex is not a string", L->name, where);
        p->kind = TOK_PAT_REGEX;
        snprintf(w, sizeof w, "%.60s: %.30s.pattern", L->name, where);
        return tok_regex_compile(L->err, &p->re, json_string_value(v), json_string_length(v), w);
    }
    return FAIL(L, TC_EFORMAT, "%s: %s.pattern has neither String nor Regex", L->name, where);
}

static tc_status get_behavior(loader *L, json_t *obj, tok_behavior dflt, tok_behavior *out,
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
    tc_status st = get_str(L, obj, "behavior", false, &s, &len, where);
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
static tc_status get_prepend(loader *L, json_t *obj, tok_prepend *out, const char *where)
{
    const char *s;
    size_t len;
    tc_status st = get_str(L, obj, "prepend_scheme", false, &s, &len, where);
    if (st != TC_OK)
        return st;
    if (s == NULL) {
        bool add;
        st = get_bool(L, obj, "add_prefix_space", true, &add, where);
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

static tc_status get_array(loader *L, json_t *obj, const char *key, json_t **arr, const char *where)
{
    *arr = json_object_get(obj, key);
    if (!json_is_array(*arr))
        return FAIL(L, TC_EFORMAT, "%s: %s.%s is missing or not an array", L->name, where, key);
    return TC_OK;
}

/* ---- normalizers ---------------------------------------------------------- */

void tok_norm_free(tok_norm *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_items; i++)
        tok_norm_free(&n->items[i]);
    free(n->items);
    tok_pattern_free(&n->pat);
    free(n->content);
}

static tc_status parse_norm(loader *L, json_t *j, tok_norm *n, int depth)
{
    static const struct {
        const char *name;
        tok_norm_type t;
    } simple[] = {{"NFC", TOK_NORM_NFC}, {"NFD", TOK_NORM_NFD}, {"NFKC", TOK_NORM_NFKC},
                  {"NFKD", TOK_NORM_NFKD}, {"Lowercase", TOK_NORM_LOWERCASE}};
    const char *t = type_of(j);
    const char *s;
    size_t len;
    tc_status st;
    if (!json_is_object(j) || t == NULL)
        return FAIL(L, TC_EFORMAT, "%s: a normalizer is not an object with a \"type\"", L->name);
    if (depth > TOK_MAX_DEPTH)
        return FAIL(L, TC_EUNSUPPORTED, "%s: normalizers nested too deeply", L->name);
    for (size_t i = 0; i < TC_ARRAY_LEN(simple); i++)
        if (strcmp(t, simple[i].name) == 0) {
            n->type = simple[i].t;
            return TC_OK;
        }
    if (strcmp(t, "Sequence") == 0) {
        json_t *arr, *item;
        size_t i;
        n->type = TOK_NORM_SEQUENCE;
        if ((st = get_array(L, j, "normalizers", &arr, "normalizer Sequence")) != TC_OK)
            return st;
        n->items = calloc(json_array_size(arr) + 1, sizeof *n->items);
        if (n->items == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        json_array_foreach(arr, i, item)
        {
            n->n_items = i + 1;
            if ((st = parse_norm(L, item, &n->items[i], depth + 1)) != TC_OK)
                return st;
        }
        return TC_OK;
    }
    if (strcmp(t, "Prepend") == 0) {
        n->type = TOK_NORM_PREPEND;
        if ((st = get_str(L, j, "prepend", true, &s, &len, "normalizer Prepend")) != TC_OK)
            return st;
        n->content_len = len;
        return dup_str(L, &n->content, s, len);
    }
    if (strcmp(t, "Replace") == 0) {
        n->type = TOK_NORM_REPLACE;
        if ((st = get_pattern(L, j, &n->pat, "normalizer Replace")) != TC_OK)
            return st;
        if ((st = get_str(L, j, "content", true, &s, &len, "normalizer Replace")) != TC_OK)
            return st;
        n->content_len = len;
        return dup_str(L, &n->content, s, len);
    }
    if (strcmp(t, "Strip") == 0) {
        n->type = TOK_NORM_STRIP;
        if ((st = get_bool(L, j, "strip_left", true, &n->strip_left, "normalizer Strip")) != TC_OK)
            return st;
        return get_bool(L, j, "strip_right", true, &n->strip_right, "normalizer Strip");
    }
    return FAIL(L, TC_EUNSUPPORTED, "%s: normalizer \"%.40s\" is not supported", L->name, t);
}

/* ---- pre-tokenizers -------------------------------------------------------- */

void tok_pre_free(tok_pre *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_items; i++)
        tok_pre_free(&p->items[i]);
    free(p->items);
    tok_pattern_free(&p->pat);
}

static tc_status parse_pre(loader *L, json_t *j, tok_pre *p, int depth)
{
    const char *t = type_of(j);
    tc_status st;
    if (!json_is_object(j) || t == NULL)
        return FAIL(L, TC_EFORMAT, "%s: a pre_tokenizer is not an object with a \"type\"", L->name);
    if (depth > TOK_MAX_DEPTH)
        return FAIL(L, TC_EUNSUPPORTED, "%s: pre_tokenizers nested too deeply", L->name);
    if (strcmp(t, "Sequence") == 0) {
        json_t *arr, *item;
        size_t i;
        p->type = TOK_PRE_SEQUENCE;
        if ((st = get_array(L, j, "pretokenizers", &arr, "pre_tokenizer Sequence")) != TC_OK)
            return st;
        p->items = calloc(json_array_size(arr) + 1, sizeof *p->items);
        if (p->items == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        json_array_foreach(arr, i, item)
        {
            p->n_items = i + 1;
            if ((st = parse_pre(L, item, &p->items[i], depth + 1)) != TC_OK)
                return st;
        }
        return TC_OK;
    }
    if (strcmp(t, "ByteLevel") == 0) {
        p->type = TOK_PRE_BYTELEVEL;
        if ((st = get_bool(L, j, "add_prefix_space", true, &p->add_prefix_space,
                           "pre_tokenizer ByteLevel")) != TC_OK)
            return st;
        return get_bool(L, j, "use_regex", true, &p->use_regex, "pre_tokenizer ByteLevel");
    }
    if (strcmp(t, "Split") == 0) {
        p->type = TOK_PRE_SPLIT;
        if ((st = get_pattern(L, j, &p->pat, "pre_tokenizer Split")) != TC_OK)
            return st;
        if ((st = get_bool(L, j, "invert", false, &p->invert, "pre_tokenizer Split")) != TC_OK)
            return st;
        if (json_object_get(j, "behavior") == NULL)
            return FAIL(L, TC_EFORMAT, "%s: pre_tokenizer Split.behavior is missing", L->name);
        return get_behavior(L, j, TOK_SPLIT_ISOLATED, &p->behavior, "pre_tokenizer Split");
    }
    if (strcmp(t, "Metaspace") == 0) {
        p->type = TOK_PRE_METASPACE;
        if ((st = get_char(L, j, "replacement", 0x2581, &p->replacement,
                           "pre_tokenizer Metaspace")) != TC_OK)
            return st;
        if ((st = get_prepend(L, j, &p->prepend, "pre_tokenizer Metaspace")) != TC_OK)
            return st;
        return get_bool(L, j, "split", true, &p->split, "pre_tokenizer Metaspace");
    }
    if (strcmp(t, "Digits") == 0) {
        p->type = TOK_PRE_DIGITS;
        return get_bool(L, j, "individual_digits", false, &p->individual_digits,
                        "pre_tokenizer Digits");
    }
    if (strcmp(t, "Punctuation") == 0) {
        p->type = TOK_PRE_PUNCTUATION;
        return get_behavior(L, j, TOK_SPLIT_ISOLATED, &p->behavior, "pre_tokenizer Punctuation");
    }
    if (strcmp(t, "Whitespace") == 0) {
        p->type = TOK_PRE_WHITESPACE;
        return TC_OK;
    }
    if (strcmp(t, "WhitespaceSplit") == 0) {
        p->type = TOK_PRE_WHITESPACE_SPLIT;
        return TC_OK;
    }
    return FAIL(L, TC_EUNSUPPORTED, "%s: pre_tokenizer \"%.40s\" is not supported", L->name, t);
}

/* ---- decoders ------------------------------------------------------------------ */

void tok_dec_free(tok_dec *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n_items; i++)
        tok_dec_free(&d->items[i]);
    free(d->items);
    tok_pattern_free(&d->pat);
    free(d->content);
}

static tc_status parse_dec(loader *L, json_t *j, tok_dec *d, int depth)
{
    const char *t = type_of(j);
    const char *s;
    size_t len;
    tc_status st;
    if (!json_is_object(j) || t == NULL)
        return FAIL(L, TC_EFORMAT, "%s: a decoder is not an object with a \"type\"", L->name);
    if (depth > TOK_MAX_DEPTH)
        return FAIL(L, TC_EUNSUPPORTED, "%s: decoders nested too deeply", L->name);
    if (strcmp(t, "Sequence") == 0) {
        json_t *arr, *item;
        size_t i;
        d->type = TOK_DEC_SEQUENCE;
        if ((st = get_array(L, j, "decoders", &arr, "decoder Sequence")) != TC_OK)
            return st;
        d->items = calloc(json_array_size(arr) + 1, sizeof *d->items);
        if (d->items == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        json_array_foreach(arr, i, item)
        {
            d->n_items = i + 1;
            if ((st = parse_dec(L, item, &d->items[i], depth + 1)) != TC_OK)
                return st;
        }
        return TC_OK;
    }
    if (strcmp(t, "ByteLevel") == 0) {
        d->type = TOK_DEC_BYTELEVEL;
        return TC_OK;
    }
    if (strcmp(t, "ByteFallback") == 0) {
        d->type = TOK_DEC_BYTEFALLBACK;
        return TC_OK;
    }
    if (strcmp(t, "Fuse") == 0) {
        d->type = TOK_DEC_FUSE;
        return TC_OK;
    }
    if (strcmp(t, "Metaspace") == 0) {
        d->type = TOK_DEC_METASPACE;
        if ((st = get_char(L, j, "replacement", 0x2581, &d->replacement, "decoder Metaspace")) !=
            TC_OK)
            return st;
        return get_prepend(L, j, &d->prepend, "decoder Metaspace");
    }
    if (strcmp(t, "Replace") == 0) {
        d->type = TOK_DEC_REPLACE;
        if ((st = get_pattern(L, j, &d->pat, "decoder Replace")) != TC_OK)
            return st;
        if ((st = get_str(L, j, "content", true, &s, &len, "decoder Replace")) != TC_OK)
            return st;
        d->content_len = len;
        return dup_str(L, &d->content, s, len);
    }
    if (strcmp(t, "Strip") == 0) {
        d->type = TOK_DEC_STRIP;
        if ((st = get_char(L, j, "content", ' ', &d->strip_char, "decoder Strip")) != TC_OK)
            return st;
        if ((st = get_size(L, j, "start", 0, &d->start, "decoder Strip")) != TC_OK)
            return st;
        return get_size(L, j, "stop", 0, &d->stop, "decoder Strip");
    }
    return FAIL(L, TC_EUNSUPPORTED, "%s: decoder \"%.40s\" is not supported", L->name, t);
}

/* ---- post-processor ----------------------------------------------------------------- */

static void tmpl_free(tok_tmpl_elem *t, size_t n)
{
    for (size_t i = 0; t != NULL && i < n; i++)
        free(t[i].ids);
    free(t);
}

/* Substitutes the sequence element of *cur by `repl` (a template of its
 * own), so that processors compose in the order a Sequence applies them. */
static tc_status tmpl_substitute(loader *L, tok_tmpl_elem **cur, size_t *n_cur,
                                 const tok_tmpl_elem *repl, size_t n_repl)
{
    size_t total = 0;
    for (size_t i = 0; i < *n_cur; i++)
        total += (*cur)[i].is_seq ? n_repl : 1;
    tok_tmpl_elem *out = calloc(total + 1, sizeof *out);
    if (out == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    size_t k = 0;
    for (size_t i = 0; i < *n_cur; i++) {
        const tok_tmpl_elem *src = (*cur)[i].is_seq ? repl : &(*cur)[i];
        size_t cnt = (*cur)[i].is_seq ? n_repl : 1;
        for (size_t r = 0; r < cnt; r++, k++) {
            out[k].is_seq = src[r].is_seq;
            out[k].n_ids = src[r].n_ids;
            if (src[r].n_ids) {
                out[k].ids = malloc(src[r].n_ids * sizeof(uint32_t));
                if (out[k].ids == NULL) {
                    tmpl_free(out, total);
                    return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
                }
                memcpy(out[k].ids, src[r].ids, src[r].n_ids * sizeof(uint32_t));
            }
        }
    }
    tmpl_free(*cur, *n_cur);
    *cur = out;
    *n_cur = total;
    return TC_OK;
}

static tc_status parse_id(loader *L, json_t *v, uint32_t *id, const char *where)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= TOK_MAX_ID)
        return FAIL(L, TC_EFORMAT, "%s: %s is not a token id", L->name, where);
    *id = (uint32_t)json_integer_value(v);
    return TC_OK;
}

static tc_status template_single(loader *L, json_t *j, tok_tmpl_elem **out, size_t *n_out)
{
    json_t *single, *specials, *item;
    size_t i;
    tc_status st;
    if ((st = get_array(L, j, "single", &single, "post_processor TemplateProcessing")) != TC_OK)
        return st;
    specials = json_object_get(j, "special_tokens");
    if (specials != NULL && !json_is_object(specials))
        return FAIL(L, TC_EFORMAT, "%s: post_processor special_tokens is not an object", L->name);
    *out = calloc(json_array_size(single) + 1, sizeof **out);
    if (*out == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    json_array_foreach(single, i, item)
    {
        json_t *sp = json_object_get(item, "SpecialToken");
        json_t *sq = json_object_get(item, "Sequence");
        *n_out = i + 1;
        if (json_is_object(sq)) {
            json_t *sid = json_object_get(sq, "id");
            if (!json_is_string(sid))
                return FAIL(L, TC_EFORMAT, "%s: template Sequence has no id", L->name);
            (*out)[i].is_seq = strcmp(json_string_value(sid), "A") == 0;
            continue;
        }
        if (!json_is_object(sp) || !json_is_string(json_object_get(sp, "id")))
            return FAIL(L, TC_EFORMAT,
                        "%s: template piece %zu is neither SpecialToken nor Sequence",
                        L->name, i);
        const char *name = json_string_value(json_object_get(sp, "id"));
        json_t *def = specials ? json_object_get(specials, name) : NULL;
        json_t *ids = def ? json_object_get(def, "ids") : NULL;
        if (!json_is_array(ids))
            return FAIL(L, TC_EFORMAT, "%s: template special token \"%.40s\" has no ids", L->name,
                        name);
        (*out)[i].n_ids = json_array_size(ids);
        (*out)[i].ids = calloc((*out)[i].n_ids + 1, sizeof(uint32_t));
        if ((*out)[i].ids == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        for (size_t k = 0; k < (*out)[i].n_ids; k++)
            if ((st = parse_id(L, json_array_get(ids, k), &(*out)[i].ids[k],
                               "a template special token id")) != TC_OK)
                return st;
    }
    return TC_OK;
}

/* RobertaProcessing / BertProcessing: cls A sep, with "cls": [token, id]. */
static tc_status cls_sep_single(loader *L, json_t *j, tok_tmpl_elem **out, size_t *n_out)
{
    const char *keys[2] = {"cls", "sep"};
    tc_status st;
    *out = calloc(3, sizeof **out);
    if (*out == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    *n_out = 3;
    (*out)[1].is_seq = true;
    for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(j, keys[k]);
        tok_tmpl_elem *e = &(*out)[k == 0 ? 0 : 2];
        if (!json_is_array(v) || json_array_size(v) != 2)
            return FAIL(L, TC_EFORMAT, "%s: post_processor %s is not [token, id]", L->name,
                        keys[k]);
        e->ids = malloc(sizeof(uint32_t));
        if (e->ids == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        e->n_ids = 1;
        if ((st = parse_id(L, json_array_get(v, 1), e->ids, "a post_processor id")) != TC_OK)
            return st;
    }
    return TC_OK;
}

static tc_status parse_post(loader *L, json_t *j, tc_tok *tok, int depth)
{
    const char *t = type_of(j);
    tok_tmpl_elem *repl = NULL;
    size_t n_repl = 0;
    tc_status st = TC_OK;
    if (!json_is_object(j) || t == NULL)
        return FAIL(L, TC_EFORMAT, "%s: post_processor is not an object with a \"type\"", L->name);
    if (depth > TOK_MAX_DEPTH)
        return FAIL(L, TC_EUNSUPPORTED, "%s: post_processors nested too deeply", L->name);
    if (strcmp(t, "ByteLevel") == 0)
        return TC_OK; /* offsets only */
    if (strcmp(t, "Sequence") == 0) {
        json_t *arr, *item;
        size_t i;
        if ((st = get_array(L, j, "processors", &arr, "post_processor Sequence")) != TC_OK)
            return st;
        json_array_foreach(arr, i, item) if ((st = parse_post(L, item, tok, depth + 1)) != TC_OK)
            return st;
        return TC_OK;
    }
    if (strcmp(t, "TemplateProcessing") == 0)
        st = template_single(L, j, &repl, &n_repl);
    else if (strcmp(t, "RobertaProcessing") == 0 || strcmp(t, "BertProcessing") == 0)
        st = cls_sep_single(L, j, &repl, &n_repl);
    else
        return FAIL(L, TC_EUNSUPPORTED, "%s: post_processor \"%.40s\" is not supported",
                    L->name, t);
    if (st == TC_OK)
        st = tmpl_substitute(L, &tok->tmpl, &tok->n_tmpl, repl, n_repl);
    tmpl_free(repl, n_repl);
    return st;
}

/* ---- the BPE model ---------------------------------------------------------------------- */

static tc_status parse_vocab(loader *L, json_t *vocab, tc_tok *tok, uint32_t *max_id)
{
    const char *key;
    json_t *v;
    size_t total = 0, off = 0;
    void *it;
    *max_id = 0;
    for (it = json_object_iter(vocab); it; it = json_object_iter_next(vocab, it)) {
        size_t klen = json_object_iter_key_len(it);
        uint32_t id;
        tc_status st = parse_id(L, json_object_iter_value(it), &id, "a model.vocab value");
        if (st != TC_OK)
            return st;
        if (id > *max_id)
            *max_id = id;
        total += klen + 1;
    }
    tok->arena = malloc(total + 1);
    if (tok->arena == NULL || !tok_strmap_init(&tok->bpe.vocab, json_object_size(vocab)))
        return FAIL(L, TC_ENOMEM, "%s: out of memory for the vocabulary", L->name);
    for (it = json_object_iter(vocab); it; it = json_object_iter_next(vocab, it)) {
        key = json_object_iter_key(it);
        size_t klen = json_object_iter_key_len(it);
        v = json_object_iter_value(it);
        memcpy(tok->arena + off, key, klen);
        tok->arena[off + klen] = '\0';
        if (!tok_strmap_set(&tok->bpe.vocab, tok->arena + off, klen,
                            (uint32_t)json_integer_value(v)))
            return FAIL(L, TC_ENOMEM, "%s: out of memory for the vocabulary", L->name);
        off += klen + 1;
    }
    return TC_OK;
}

static tc_status vocab_id(loader *L, const tc_tok *tok, const char *s, size_t n, uint32_t *id,
                          size_t rank)
{
    if (!tok_strmap_get(&tok->bpe.vocab, s, n, id))
        return FAIL(L, TC_EFORMAT, "%s: merge %zu uses \"%.*s\", which is not in the vocabulary",
                    L->name, rank, (int)(n > 40 ? 40 : n), s);
    return TC_OK;
}

static tc_status parse_merges(loader *L, json_t *merges, tc_tok *tok)
{
    tok_buf cat = {0};
    json_t *m;
    size_t i;
    tc_status st = TC_OK;
    size_t plen = tok->bpe.prefix_len;
    if (!tok_pairmap_init(&tok->bpe.merges, json_array_size(merges)))
        return FAIL(L, TC_ENOMEM, "%s: out of memory for the merges", L->name);
    json_array_foreach(merges, i, m)
    {
        const char *a, *b;
        size_t la, lb;
        if (json_is_string(m)) {
            const char *s = json_string_value(m);
            size_t n = json_string_length(m);
            const char *sp = memchr(s, ' ', n);
            if (sp == NULL) {
                st = FAIL(L, TC_EFORMAT, "%s: merge %zu is not \"a b\"", L->name, i);
                goto out;
            }
            a = s;
            la = (size_t)(sp - s);
            b = sp + 1;
            lb = n - la - 1;
        } else if (json_is_array(m) && json_array_size(m) == 2 &&
                   json_is_string(json_array_get(m, 0)) && json_is_string(json_array_get(m, 1))) {
            a = json_string_value(json_array_get(m, 0));
            la = json_string_length(json_array_get(m, 0));
            b = json_string_value(json_array_get(m, 1));
            lb = json_string_length(json_array_get(m, 1));
        } else {
            st = FAIL(L, TC_EFORMAT, "%s: merge %zu is neither \"a b\" nor [\"a\", \"b\"]",
                      L->name, i);
            goto out;
        }
        uint32_t ida, idb, idn;
        if ((st = vocab_id(L, tok, a, la, &ida, i)) != TC_OK ||
            (st = vocab_id(L, tok, b, lb, &idb, i)) != TC_OK)
            goto out;
        /* merged token: a + b without its continuing-subword prefix */
        size_t skip = lb >= plen ? plen : lb;
        cat.n = 0;
        if (!tok_buf_put(&cat, a, la) || !tok_buf_put(&cat, b + skip, lb - skip)) {
            st = FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
            goto out;
        }
        if ((st = vocab_id(L, tok, cat.p, cat.n, &idn, i)) != TC_OK)
            goto out;
        /* as in the library's hash map, a repeated pair keeps the later rank */
        tok_pairmap_set(&tok->bpe.merges, ida, idb, (uint32_t)i, idn);
    }
out:
    tok_buf_free(&cat);
    return st;
}

static tc_status parse_model(loader *L, json_t *j, tc_tok *tok, uint32_t *max_id)
{
    const char *t;
    const char *s;
    size_t len;
    json_t *vocab, *merges, *dropout;
    tc_status st;
    if (!json_is_object(j))
        return FAIL(L, TC_EFORMAT, "%s: model is missing or not an object", L->name);
    t = type_of(j);
    if (t == NULL && json_object_get(j, "type") != NULL)
        return FAIL(L, TC_EFORMAT, "%s: model.type is not a string", L->name);
    if (t != NULL && strcmp(t, "BPE") != 0)
        return FAIL(L, TC_EUNSUPPORTED, "%s: model \"%.40s\" is not supported (only BPE)",
                    L->name, t);
    if (t == NULL && json_object_get(j, "merges") == NULL)
        return FAIL(L, TC_EUNSUPPORTED, "%s: model without type or merges is not BPE", L->name);
    dropout = json_object_get(j, "dropout");
    if (dropout != NULL && !json_is_null(dropout)) {
        if (!json_is_number(dropout))
            return FAIL(L, TC_EFORMAT, "%s: model.dropout is not a number", L->name);
        if (json_number_value(dropout) != 0.0)
            return FAIL(L, TC_EUNSUPPORTED, "%s: BPE dropout (random encodings) is not supported",
                        L->name);
    }
    vocab = json_object_get(j, "vocab");
    merges = json_object_get(j, "merges");
    if (!json_is_object(vocab))
        return FAIL(L, TC_EFORMAT, "%s: model.vocab is missing or not an object", L->name);
    if (merges == NULL || json_is_null(merges))
        merges = NULL;
    else if (!json_is_array(merges))
        return FAIL(L, TC_EFORMAT, "%s: model.merges is not an array", L->name);
    tok_bpe *bpe = &tok->bpe;
    if ((st = get_bool(L, j, "fuse_unk", false, &bpe->fuse_unk, "model")) != TC_OK ||
        (st = get_bool(L, j, "byte_fallback", false, &bpe->byte_fallback, "model")) != TC_OK ||
        (st = get_bool(L, j, "ignore_merges", false, &bpe->ignore_merges, "model")) != TC_OK)
        return st;
    if ((st = get_str(L, j, "unk_token", false, &s, &len, "model")) != TC_OK)
        return st;
    if (s != NULL) {
        bpe->has_unk = true;
        bpe->unk_len = len;
        if ((st = dup_str(L, &bpe->unk_token, s, len)) != TC_OK)
            return st;
    }
    if ((st = get_str(L, j, "continuing_subword_prefix", false, &s, &len, "model")) != TC_OK)
        return st;
    if (s != NULL && len > 0) {
        bpe->prefix_len = len;
        if ((st = dup_str(L, &bpe->prefix, s, len)) != TC_OK)
            return st;
    }
    if ((st = get_str(L, j, "end_of_word_suffix", false, &s, &len, "model")) != TC_OK)
        return st;
    if (s != NULL && len > 0) {
        bpe->suffix_len = len;
        if ((st = dup_str(L, &bpe->suffix, s, len)) != TC_OK)
            return st;
    }
    if ((st = parse_vocab(L, vocab, tok, max_id)) != TC_OK)
        return st;
    if (merges != NULL && (st = parse_merges(L, merges, tok)) != TC_OK)
        return st;
    for (unsigned b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        if (!tok_strmap_get(&bpe->vocab, name, 6, &bpe->byte_ids[b]))
            bpe->byte_ids[b] = TOK_NO_ID;
    }
    return TC_OK;
}

/* ---- added tokens ------------------------------------------------------------------------ */

/* The id the library gives an added token: its id if the content is already
 * known (added before, or in the model vocabulary), else the next id after
 * the model vocabulary and the added tokens so far.  The library does the
 * same when it loads a file (AddedVocabulary::add_tokens); the "id" written
 * in the file only triggers a warning there when it differs. */
static uint32_t added_id(const tc_tok *tok, const char *s, size_t len, bool *have_max,
                         uint32_t *max)
{
    uint32_t id;
    size_t model_size = tok->bpe.vocab.count;
    if (!tok_strmap_get(&tok->added_map, s, len, &id) &&
        !tok_strmap_get(&tok->bpe.vocab, s, len, &id)) {
        if (!*have_max)
            id = (uint32_t)model_size;
        else
            id = (*max >= model_size || model_size == 0) ? *max + 1 : (uint32_t)model_size;
    }
    if (!*have_max || id > *max)
        *max = id;
    *have_max = true;
    return id;
}

static tc_status parse_added(loader *L, json_t *arr, tc_tok *tok, uint32_t *max_id)
{
    json_t *item;
    size_t i;
    tc_status st;
    bool have_max = false;
    uint32_t max_added = 0, file_id;
    if (!tok_strmap_init(&tok->added_map, arr ? json_array_size(arr) : 0))
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    if (arr == NULL || json_is_null(arr))
        return TC_OK;
    if (!json_is_array(arr))
        return FAIL(L, TC_EFORMAT, "%s: added_tokens is not an array", L->name);
    tok->added = calloc(json_array_size(arr) + 1, sizeof *tok->added);
    if (tok->added == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    json_array_foreach(arr, i, item)
    {
        tok_added *a = &tok->added[tok->n_added];
        const char *s;
        size_t len;
        if (!json_is_object(item))
            return FAIL(L, TC_EFORMAT, "%s: added_tokens[%zu] is not an object", L->name, i);
        if ((st = parse_id(L, json_object_get(item, "id"), &file_id, "an added token id")) !=
                TC_OK ||
            (st = get_str(L, item, "content", true, &s, &len, "added token")) != TC_OK ||
            (st = get_bool(L, item, "special", false, &a->special, "added token")) != TC_OK ||
            (st = get_bool(L, item, "normalized", !a->special, &a->normalized, "added token")) !=
                TC_OK ||
            (st = get_bool(L, item, "single_word", false, &a->single_word, "added token")) !=
                TC_OK ||
            (st = get_bool(L, item, "lstrip", false, &a->lstrip, "added token")) != TC_OK ||
            (st = get_bool(L, item, "rstrip", false, &a->rstrip, "added token")) != TC_OK)
            return st;
        if (len == 0)
            continue; /* the library ignores empty added tokens */
        uint32_t known;
        if (tok_strmap_get(&tok->added_map, s, len, &known)) {
            /* the same content again: its later flags replace the earlier */
            for (size_t k = 0; k < tok->n_added; k++)
                if (tok->added[k].len == len && memcmp(tok->added[k].content, s, len) == 0) {
                    tok_added *e = &tok->added[k];
                    e->special = a->special;
                    e->normalized = a->normalized;
                    e->single_word = a->single_word;
                    e->lstrip = a->lstrip;
                    e->rstrip = a->rstrip;
                }
            continue;
        }
        a->len = len;
        if ((st = dup_str(L, &a->content, s, len)) != TC_OK)
            return st;
        a->id = added_id(tok, s, len, &have_max, &max_added);
        if (a->id >= TOK_MAX_ID)
            return FAIL(L, TC_EFORMAT, "%s: too many added tokens", L->name);
        if (!tok_strmap_set(&tok->added_map, a->content, a->len, a->id))
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        if (a->id > *max_id)
            *max_id = a->id;
        tok->n_added++;
    }
    return TC_OK;
}

/* Builds the id table and the special flags. */
static tc_status index_tokens(loader *L, tc_tok *tok, uint32_t max_id)
{
    tok->n_ids = (size_t)max_id + 1;
    tok->id_str = calloc(tok->n_ids, sizeof *tok->id_str);
    tok->id_len = calloc(tok->n_ids, sizeof *tok->id_len);
    tok->id_special = calloc(tok->n_ids, 1);
    if (tok->id_str == NULL || tok->id_len == NULL || tok->id_special == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    const tok_strmap *v = &tok->bpe.vocab;
    for (size_t i = 0; i <= v->mask; i++)
        if (v->slots[i].s != NULL) {
            tok->id_str[v->slots[i].id] = (char *)v->slots[i].s;
            tok->id_len[v->slots[i].id] = v->slots[i].len;
        }
    for (size_t i = 0; i < tok->n_added; i++) {
        /* a token whose content is in the model vocabulary has its id */
        tok_added *a = &tok->added[i];
        tok->id_str[a->id] = a->content;
        tok->id_len[a->id] = (uint32_t)a->len;
        tok->id_special[a->id] = a->special;
    }
    return TC_OK;
}

/* The pattern of each added token, and the two tries (special tokens first,
 * then the others, in file order, as the library builds its matchers). */
static tc_status build_tries(loader *L, tc_tok *tok)
{
    tok_ctx c = {.tok = tok, .err = L->err};
    tok_buf nb = {0};
    tc_status st = tok_matcher_init(L->err, &c.m);
    if (st != TC_OK)
        return st;
    for (int pass = 0; pass < 2 && st == TC_OK; pass++)
        for (size_t i = 0; i < tok->n_added; i++) {
            tok_added *a = &tok->added[i];
            if (a->special != (pass == 0))
                continue;
            if (a->normalized && tok->norm != NULL) {
                if ((st = tok_normalize(&c, tok->norm, a->content, a->len, &nb)) != TC_OK)
                    break;
                if ((st = dup_str(L, &a->pattern, nb.p ? nb.p : "", nb.n)) != TC_OK)
                    break;
                a->pattern_len = nb.n;
            } else {
                if ((st = dup_str(L, &a->pattern, a->content, a->len)) != TC_OK)
                    break;
                a->pattern_len = a->len;
            }
            tok_trie *t = a->normalized ? &tok->trie_norm : &tok->trie_raw;
            if (!tok_trie_add(t, a->pattern, a->pattern_len, (int32_t)i)) {
                st = FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
                break;
            }
        }
    tok_buf_free(&nb);
    tok_segs_free(&c.segs);
    tok_matcher_free(&c.m);
    return st;
}

/* ---- top level ------------------------------------------------------------ */

static tc_status check_unsupported_top(loader *L, json_t *root)
{
    json_t *tr = json_object_get(root, "truncation");
    json_t *pad = json_object_get(root, "padding");
    if (tr != NULL && !json_is_null(tr))
        return FAIL(L, TC_EUNSUPPORTED, "%s: truncation is not supported (set it to null)",
                    L->name);
    if (pad != NULL && !json_is_null(pad)) {
        /* BatchLongest padding leaves a single encoding unchanged */
        json_t *strategy = json_object_get(pad, "strategy");
        json_t *multiple = json_object_get(pad, "pad_to_multiple_of");
        if (!json_is_string(strategy) || strcmp(json_string_value(strategy), "BatchLongest") != 0 ||
            (multiple != NULL && !json_is_null(multiple)))
            return FAIL(L, TC_EUNSUPPORTED, "%s: padding other than BatchLongest is not supported",
                        L->name);
    }
    return TC_OK;
}

static tc_status parse_root(loader *L, json_t *root, tc_tok *tok)
{
    json_t *j;
    uint32_t max_id = 0;
    tc_status st;
    if (!json_is_object(root))
        return FAIL(L, TC_EFORMAT, "%s: the top level is not a JSON object", L->name);
    if ((st = check_unsupported_top(L, root)) != TC_OK)
        return st;
    if ((st = parse_model(L, json_object_get(root, "model"), tok, &max_id)) != TC_OK)
        return st;
    if ((st = parse_added(L, json_object_get(root, "added_tokens"), tok, &max_id)) != TC_OK)
        return st;
    if ((st = index_tokens(L, tok, max_id)) != TC_OK)
        return st;
    if ((j = json_object_get(root, "normalizer")) != NULL && !json_is_null(j)) {
        if ((tok->norm = calloc(1, sizeof *tok->norm)) == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        if ((st = parse_norm(L, j, tok->norm, 0)) != TC_OK)
            return st;
    }
    if ((j = json_object_get(root, "pre_tokenizer")) != NULL && !json_is_null(j)) {
        if ((tok->pre = calloc(1, sizeof *tok->pre)) == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        if ((st = parse_pre(L, j, tok->pre, 0)) != TC_OK)
            return st;
    }
    if ((j = json_object_get(root, "decoder")) != NULL && !json_is_null(j)) {
        if ((tok->dec = calloc(1, sizeof *tok->dec)) == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        if ((st = parse_dec(L, j, tok->dec, 0)) != TC_OK)
            return st;
    }
    tok->tmpl = calloc(1, sizeof *tok->tmpl);
    if (tok->tmpl == NULL)
        return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
    tok->tmpl[0].is_seq = true;
    tok->n_tmpl = 1;
    if ((j = json_object_get(root, "post_processor")) != NULL && !json_is_null(j))
        if ((st = parse_post(L, j, tok, 0)) != TC_OK)
            return st;
    for (size_t i = 0; i < tok->n_tmpl; i++)
        for (size_t k = 0; k < tok->tmpl[i].n_ids; k++)
            if (tok->tmpl[i].ids[k] >= tok->n_ids || tok->id_str[tok->tmpl[i].ids[k]] == NULL)
                return FAIL(L, TC_EFORMAT, "%s: post_processor id %u is not in the vocabulary",
                            L->name, tok->tmpl[i].ids[k]);
    if ((st = build_tries(L, tok)) != TC_OK)
        return st;
    static const char gpt2[] =
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static const char ws[] = "\\w+|[^\\w\\s]+";
    st = tok_regex_compile(L->err, &tok->gpt2_re, gpt2, sizeof gpt2 - 1, "ByteLevel");
    if (st != TC_OK)
        return st;
    return tok_regex_compile(L->err, &tok->ws_re, ws, sizeof ws - 1, "Whitespace");
}

void tc_tok_free(tc_tok *tok)
{
    if (tok == NULL)
        return;
    free(tok->name);
    free(tok->arena);
    free(tok->id_str);
    free(tok->id_len);
    free(tok->id_special);
    tok_strmap_free(&tok->bpe.vocab);
    tok_pairmap_free(&tok->bpe.merges);
    free(tok->bpe.unk_token);
    free(tok->bpe.prefix);
    free(tok->bpe.suffix);
    for (size_t i = 0; tok->added != NULL && i < tok->n_added; i++) {
        free(tok->added[i].content);
        free(tok->added[i].pattern);
    }
    free(tok->added);
    tok_strmap_free(&tok->added_map);
    tok_trie_free(&tok->trie_raw);
    tok_trie_free(&tok->trie_norm);
    tok_norm_free(tok->norm);
    free(tok->norm);
    tok_pre_free(tok->pre);
    free(tok->pre);
    tok_dec_free(tok->dec);
    free(tok->dec);
    tmpl_free(tok->tmpl, tok->n_tmpl);
    tok_regex_free(&tok->gpt2_re);
    tok_regex_free(&tok->ws_re);
    free(tok);
}

tc_status tc_tok_load_json(tc_error *err, tc_tok **out, const char *json, size_t len,
                           const char *name)
{
    loader L = {err, name ? name : "tokenizer.json"};
    json_error_t jerr;
    json_t *root = NULL;
    tc_tok *tok = NULL;
    tc_status st;
    *out = NULL;
    if (json == NULL)
        return tc_fail(err, TC_EARG, "tc_tok_load_json: no text");
    root = json_loadb(json, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: not valid JSON at line %d column %d: %s", L.name,
                       jerr.line, jerr.column, jerr.text);
    tok = calloc(1, sizeof *tok);
    if (tok == NULL) {
        st = tc_fail(err, TC_ENOMEM, "%s: out of memory", L.name);
        goto out;
    }
    if ((st = dup_str(&L, &tok->name, L.name, strlen(L.name))) != TC_OK)
        goto out;
    L.name = tok->name;
    if ((st = parse_root(&L, root, tok)) != TC_OK)
        goto out;
    *out = tok;
    tok = NULL;
out:
    tc_tok_free(tok);
    json_decref(root);
    return st;
}

tc_status tc_tok_load(tc_error *err, tc_tok **out, const char *path)
{
    struct stat sb;
    char *file = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    tc_status st;
    *out = NULL;
    if (path == NULL)
        return tc_fail(err, TC_EARG, "tc_tok_load: no path");
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        size_t n = strlen(path) + sizeof "/tokenizer.json";
        file = malloc(n);
        if (file == NULL)
            return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
        snprintf(file, n, "%s/tokenizer.json", path);
    }
    const char *name = file ? file : path;
    st = tc_read_file(err, &data, &len, name, TOK_MAX_FILE);
    if (st == TC_OK)
        st = tc_tok_load_json(err, out, (const char *)data, len, name);
    free(data);
    free(file);
    return st;
}
