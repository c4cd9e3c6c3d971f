/* Loading the pipeline components of tokenizer.json: normalizers,
 * pre-tokenizers, decoders and the post-processor. */
#include "tokenizer/tokenizer_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

tc_status tok_load_norm(tok_loader *L, json_t *j, tok_norm *n, int depth)
{
    static const struct {
        const char *name;
        tok_norm_type t;
    } simple[] = {{"NFC", TOK_NORM_NFC}, {"NFD", TOK_NORM_NFD}, {"NFKC", TOK_NORM_NFKC},
                  {"NFKD", TOK_NORM_NFKD}, {"Lowercase", TOK_NORM_LOWERCASE}};
    const char *t = tok_load_type(j);
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
        st = tok_load_array(L, j, "normalizers", &arr, "normalizer Sequence");
        if (st != TC_OK)
            return st;
        n->items = calloc(json_array_size(arr) + 1, sizeof *n->items);
        if (n->items == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        json_array_foreach(arr, i, item)
        {
            n->n_items = i + 1;
            st = tok_load_norm(L, item, &n->items[i], depth + 1);
            if (st != TC_OK)
                return st;
        }
        return TC_OK;
    }
    if (strcmp(t, "Prepend") == 0) {
        n->type = TOK_NORM_PREPEND;
        st = tok_load_str(L, j, "prepend", true, &s, &len, "normalizer Prepend");
        if (st != TC_OK)
            return st;
        n->content_len = len;
        return tok_load_dup(L, &n->content, s, len);
    }
    if (strcmp(t, "Replace") == 0) {
        n->type = TOK_NORM_REPLACE;
        st = tok_load_pattern(L, j, &n->pat, "normalizer Replace");
        if (st != TC_OK)
            return st;
        st = tok_load_str(L, j, "content", true, &s, &len, "normalizer Replace");
        if (st != TC_OK)
            return st;
        n->content_len = len;
        return tok_load_dup(L, &n->content, s, len);
    }
    if (strcmp(t, "Strip") == 0) {
        n->type = TOK_NORM_STRIP;
        st = tok_load_bool(L, j, "strip_left", true, &n->strip_left, "normalizer Strip");
        if (st != TC_OK)
            return st;
        return tok_load_bool(L, j, "strip_right", true, &n->strip_right, "normalizer Strip");
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

tc_status tok_load_pre(tok_loader *L, json_t *j, tok_pre *p, int depth)
{
    const char *t = tok_load_type(j);
    tc_status st;
    if (!json_is_object(j) || t == NULL)
        return FAIL(L, TC_EFORMAT, "%s: a pre_tokenizer is not an object with a \"type\"", L->name);
    if (depth > TOK_MAX_DEPTH)
        return FAIL(L, TC_EUNSUPPORTED, "%s: pre_tokenizers nested too deeply", L->name);
    if (strcmp(t, "Sequence") == 0) {
        json_t *arr, *item;
        size_t i;
        p->type = TOK_PRE_SEQUENCE;
        st = tok_load_array(L, j, "pretokenizers", &arr, "pre_tokenizer Sequence");
        if (st != TC_OK)
            return st;
        p->items = calloc(json_array_size(arr) + 1, sizeof *p->items);
        if (p->items == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        json_array_foreach(arr, i, item)
        {
            p->n_items = i + 1;
            st = tok_load_pre(L, item, &p->items[i], depth + 1);
            if (st != TC_OK)
                return st;
        }
        return TC_OK;
    }
    if (strcmp(t, "ByteLevel") == 0) {
        p->type = TOK_PRE_BYTELEVEL;
        st = tok_load_bool(L, j, "add_prefix_space", true, &p->add_prefix_space,
                      "pre_tokenizer ByteLevel");
        if (st != TC_OK)
            return st;
        return tok_load_bool(L, j, "use_regex", true, &p->use_regex, "pre_tokenizer ByteLevel");
    }
    if (strcmp(t, "Split") == 0) {
        p->type = TOK_PRE_SPLIT;
        st = tok_load_pattern(L, j, &p->pat, "pre_tokenizer Split");
        if (st != TC_OK)
            return st;
        st = tok_load_bool(L, j, "invert", false, &p->invert, "pre_tokenizer Split");
        if (st != TC_OK)
            return st;
        if (json_object_get(j, "behavior") == NULL)
            return FAIL(L, TC_EFORMAT, "%s: pre_tokenizer Split.behavior is missing", L->name);
        return tok_load_behavior(L, j, TOK_SPLIT_ISOLATED, &p->behavior, "pre_tokenizer Split");
    }
    if (strcmp(t, "Metaspace") == 0) {
        p->type = TOK_PRE_METASPACE;
        st = tok_load_char(L, j, "replacement", 0x2581, &p->replacement,
                      "pre_tokenizer Metaspace");
        if (st != TC_OK)
            return st;
        st = tok_load_prepend(L, j, &p->prepend, "pre_tokenizer Metaspace");
        if (st != TC_OK)
            return st;
        return tok_load_bool(L, j, "split", true, &p->split, "pre_tokenizer Metaspace");
    }
    if (strcmp(t, "Digits") == 0) {
        p->type = TOK_PRE_DIGITS;
        return tok_load_bool(L, j, "individual_digits", false, &p->individual_digits,
                        "pre_tokenizer Digits");
    }
    if (strcmp(t, "Punctuation") == 0) {
        p->type = TOK_PRE_PUNCTUATION;
        return tok_load_behavior(L, j, TOK_SPLIT_ISOLATED, &p->behavior,
                                 "pre_tokenizer Punctuation");
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

tc_status tok_load_dec(tok_loader *L, json_t *j, tok_dec *d, int depth)
{
    const char *t = tok_load_type(j);
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
        st = tok_load_array(L, j, "decoders", &arr, "decoder Sequence");
        if (st != TC_OK)
            return st;
        d->items = calloc(json_array_size(arr) + 1, sizeof *d->items);
        if (d->items == NULL)
            return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
        json_array_foreach(arr, i, item)
        {
            d->n_items = i + 1;
            st = tok_load_dec(L, item, &d->items[i], depth + 1);
            if (st != TC_OK)
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
        st = tok_load_char(L, j, "replacement", 0x2581, &d->replacement, "decoder Metaspace");
        if (st != TC_OK)
            return st;
        return tok_load_prepend(L, j, &d->prepend, "decoder Metaspace");
    }
    if (strcmp(t, "Replace") == 0) {
        d->type = TOK_DEC_REPLACE;
        st = tok_load_pattern(L, j, &d->pat, "decoder Replace");
        if (st != TC_OK)
            return st;
        st = tok_load_str(L, j, "content", true, &s, &len, "decoder Replace");
        if (st != TC_OK)
            return st;
        d->content_len = len;
        return tok_load_dup(L, &d->content, s, len);
    }
    if (strcmp(t, "Strip") == 0) {
        d->type = TOK_DEC_STRIP;
        st = tok_load_char(L, j, "content", ' ', &d->strip_char, "decoder Strip");
        if (st != TC_OK)
            return st;
        st = tok_load_size(L, j, "start", 0, &d->start, "decoder Strip");
        if (st != TC_OK)
            return st;
        return tok_load_size(L, j, "stop", 0, &d->stop, "decoder Strip");
    }
    return FAIL(L, TC_EUNSUPPORTED, "%s: decoder \"%.40s\" is not supported", L->name, t);
}

/* ---- post-processor ----------------------------------------------------------------- */

void tok_tmpl_free(tok_tmpl_elem *t, size_t n)
{
    for (size_t i = 0; t != NULL && i < n; i++)
        free(t[i].ids);
    free(t);
}

/* Substitutes the sequence element of *cur by `repl` (a template of its
 * own), so that processors compose in the order a Sequence applies them. */
static tc_status tmpl_substitute(tok_loader *L, tok_tmpl_elem **cur, size_t *n_cur,
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
                    tok_tmpl_free(out, total);
                    return FAIL(L, TC_ENOMEM, "%s: out of memory", L->name);
                }
                memcpy(out[k].ids, src[r].ids, src[r].n_ids * sizeof(uint32_t));
            }
        }
    }
    tok_tmpl_free(*cur, *n_cur);
    *cur = out;
    *n_cur = total;
    return TC_OK;
}

static tc_status template_single(tok_loader *L, json_t *j, tok_tmpl_elem **out, size_t *n_out)
{
    json_t *single, *specials, *item;
    size_t i;
    tc_status st;
    st = tok_load_array(L, j, "single", &single, "post_processor TemplateProcessing");
    if (st != TC_OK)
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
        for (size_t k = 0; k < (*out)[i].n_ids; k++) {
            st = tok_load_id(L, json_array_get(ids, k), &(*out)[i].ids[k],
                             "a template special token id");
            if (st != TC_OK)
                return st;
        }
    }
    return TC_OK;
}

/* RobertaProcessing / BertProcessing: cls A sep, with "cls": [token, id]. */
static tc_status cls_sep_single(tok_loader *L, json_t *j, tok_tmpl_elem **out, size_t *n_out)
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
        st = tok_load_id(L, json_array_get(v, 1), e->ids, "a post_processor id");
        if (st != TC_OK)
            return st;
    }
    return TC_OK;
}

tc_status tok_load_post(tok_loader *L, json_t *j, tc_tok *tok, int depth)
{
    const char *t = tok_load_type(j);
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
        st = tok_load_array(L, j, "processors", &arr, "post_processor Sequence");
        if (st != TC_OK)
            return st;
        json_array_foreach(arr, i, item)
        {
            st = tok_load_post(L, item, tok, depth + 1);
            if (st != TC_OK)
                return st;
        }
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
    tok_tmpl_free(repl, n_repl);
    return st;
}
