/* Encoding: added tokens, normalizer, added tokens on the normalized text,
 * pre-tokenizer, BPE, post-processor — the order of the library's
 * TokenizerImpl::encode_single_sequence and AddedVocabulary::
 * extract_and_normalize. */
#include "tokenizer/tokenizer_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct added_split {
    size_t start, end;
    int32_t token; /* index into tok->added, -1 for text */
} added_split;

typedef struct added_splits {
    added_split *v;
    size_t n, cap;
} added_splits;

static bool splits_push(added_splits *s, size_t a, size_t b, int32_t token)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        added_split *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (added_split){a, b, token};
    return true;
}

static bool ends_with_word(const char *s, size_t n)
{
    uint32_t cp;
    if (n == 0)
        return false;
    size_t k = tok_utf8_prev_len(s, n);
    tok_utf8_next(s + n - k, k, &cp);
    return tok_is_word_char(cp);
}

static bool starts_with_word(const char *s, size_t n)
{
    uint32_t cp;
    if (n == 0)
        return false;
    tok_utf8_next(s, n, &cp);
    return tok_is_word_char(cp);
}

/* AddedVocabulary::find_matches: leftmost-longest matches of the trie's
 * patterns, filtered by single_word and widened by lstrip / rstrip. */
static bool find_added(const tc_tok *tok, const tok_trie *trie, const char *s, size_t n,
                       added_splits *out)
{
    size_t start_offset = 0, i = 0;
    out->n = 0;
    while (trie->n > 0 && i < n) {
        size_t mlen = 0;
        int32_t t = tok_trie_longest(trie, s + i, n - i, &mlen);
        if (t < 0) {
            i++;
            continue;
        }
        size_t start = i, stop = i + mlen;
        const tok_added *a = &tok->added[t];
        i = stop; /* matches do not overlap */
        if (a->single_word && ((start > 0 && ends_with_word(s, start)) ||
                               (stop < n && starts_with_word(s + stop, n - stop))))
            continue;
        if (a->lstrip) {
            size_t ns = start;
            while (ns > 0) {
                uint32_t cp;
                size_t k = tok_utf8_prev_len(s, ns);
                tok_utf8_next(s + ns - k, k, &cp);
                if (!tok_is_whitespace(cp))
                    break;
                ns -= k;
            }
            start = ns > start_offset ? ns : start_offset;
        }
        if (a->rstrip)
            while (stop < n) {
                uint32_t cp;
                size_t k = tok_utf8_next(s + stop, n - stop, &cp);
                if (!tok_is_whitespace(cp))
                    break;
                stop += k;
            }
        if (start < start_offset)
            continue; /* inside what an rstrip already consumed */
        if (start_offset < start && !splits_push(out, start_offset, start, -1))
            return false;
        if (!splits_push(out, start, stop, t))
            return false;
        start_offset = stop;
        if (i < stop)
            i = stop;
    }
    if (start_offset < n && !splits_push(out, start_offset, n, -1))
        return false;
    return true;
}

static tc_status oom(tok_ctx *c)
{
    return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory while encoding");
}

/* Pre-tokenizes one normalized piece and runs BPE on each pre-token. */
static tc_status encode_words(tok_ctx *c, const char *s, size_t n, bool at_start, tok_ids *out)
{
    const tc_tok *tok = c->tok;
    tok_pieces l = {0}, tmp = {0};
    tc_status st = TC_OK;
    if (n == 0)
        return TC_OK;
    if (tok->pre == NULL)
        return tok_bpe_word(c, s, n, out);
    if (!tok_pieces_add(&l, s, n, at_start)) {
        st = oom(c);
        goto out;
    }
    st = tok_pre_tokenize(c, tok->pre, &l, &tmp);
    if (st != TC_OK)
        goto out;
    for (size_t i = 0; i < l.n && st == TC_OK; i++)
        st = tok_bpe_word(c, l.text.p + l.v[i].off, l.v[i].len, out);
out:
    tok_pieces_free(&l);
    tok_pieces_free(&tmp);
    return st;
}

/* Normalizes one piece of raw text, splits it on the normalized added
 * tokens, and encodes the rest. */
static tc_status encode_raw(tok_ctx *c, const char *s, size_t n, bool at_start, tok_ids *out)
{
    const tc_tok *tok = c->tok;
    tok_buf norm = {0};
    added_splits sp = {0};
    tc_status st = TC_OK;
    if (tok->norm != NULL) {
        st = tok_normalize(c, tok->norm, s, n, &norm);
        if (st != TC_OK)
            goto out;
        s = norm.p;
        n = norm.n;
    }
    if (!find_added(tok, &tok->trie_norm, s, n, &sp)) {
        st = oom(c);
        goto out;
    }
    for (size_t i = 0; i < sp.n && st == TC_OK; i++) {
        const added_split *a = &sp.v[i];
        if (a->token >= 0)
            st = tok_ids_push(out, tok->added[a->token].id) ? TC_OK : oom(c);
        else
            st = encode_words(c, s + a->start, a->end - a->start, at_start && a->start == 0, out);
    }
out:
    free(sp.v);
    tok_buf_free(&norm);
    return st;
}

static tc_status encode_text(tok_ctx *c, const char *text, size_t len, tok_ids *out)
{
    added_splits sp = {0};
    tc_status st = TC_OK;
    if (!find_added(c->tok, &c->tok->trie_raw, text, len, &sp))
        return oom(c);
    for (size_t i = 0; i < sp.n && st == TC_OK; i++) {
        const added_split *a = &sp.v[i];
        if (a->token >= 0)
            st = tok_ids_push(out, c->tok->added[a->token].id) ? TC_OK : oom(c);
        else
            st = encode_raw(c, text + a->start, a->end - a->start, a->start == 0, out);
    }
    free(sp.v);
    return st;
}

tc_status tc_tok_encode(tc_error *err, const tc_tok *tok, uint32_t **ids, size_t *n_ids,
                        const char *text, size_t len, bool add_special)
{
    tok_ctx c = {.tok = tok, .err = err};
    tok_ids seq = {0}, res = {0};
    tc_status st;
    if (ids == NULL || n_ids == NULL || tok == NULL || (text == NULL && len > 0))
        return tc_fail(err, TC_EARG, "tc_tok_encode: bad arguments");
    *ids = NULL;
    *n_ids = 0;
    size_t bad = tok_utf8_check(text, len);
    if (bad != len)
        return tc_fail(err, TC_EFORMAT,
                       "invalid UTF-8 in the text at byte offset %zu (byte 0x%02X)", bad,
                       (unsigned)(uint8_t)text[bad]);
    st = tok_matcher_init(err, &c.m);
    if (st != TC_OK)
        return st;
    if (tok_cache_new(&c.cache) != TC_OK) {
        st = oom(&c);
        goto out;
    }
    st = encode_text(&c, text, len, &seq);
    if (st != TC_OK)
        goto out;
    if (!add_special) {
        res = seq;
        seq = (tok_ids){0};
    } else {
        for (size_t i = 0; i < tok->n_tmpl && st == TC_OK; i++) {
            const tok_tmpl_elem *e = &tok->tmpl[i];
            size_t n = e->is_seq ? seq.n : e->n_ids;
            const uint32_t *v = e->is_seq ? seq.v : e->ids;
            for (size_t k = 0; k < n && st == TC_OK; k++)
                if (!tok_ids_push(&res, v[k]))
                    st = oom(&c);
        }
        if (st != TC_OK)
            goto out;
    }
    if (res.v == NULL) {
        res.v = malloc(sizeof *res.v); /* callers get a non-NULL empty array */
        if (res.v == NULL) {
            st = oom(&c);
            goto out;
        }
        res.n = 0;
    }
    *ids = res.v;
    *n_ids = res.n;
    res = (tok_ids){0};
out:
    tok_ids_free(&seq);
    tok_ids_free(&res);
    tok_segs_free(&c.segs);
    tok_cache_free(c.cache);
    tok_matcher_free(&c.m);
    return st;
}
