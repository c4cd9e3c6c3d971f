/* Normalizers: each maps a string to a new string, as the library's
 * NormalizedString transformations do (offsets are not tracked: only the
 * normalized text matters for ids). */
#include "tokenizer/tokenizer_impl.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static tc_status oom(tok_ctx *c)
{
    return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory while normalizing");
}

static tc_status unicode_form(tok_ctx *c, tok_norm_type t, const char *s, size_t n, tok_buf *out)
{
    utf8proc_option_t opt = UTF8PROC_STABLE;
    utf8proc_uint8_t *res = NULL;
    switch (t) {
    case TOK_NORM_NFC: opt |= UTF8PROC_COMPOSE; break;
    case TOK_NORM_NFD: opt |= UTF8PROC_DECOMPOSE; break;
    case TOK_NORM_NFKC: opt |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    default: opt |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
    }
    if (n == 0)
        return TC_OK;
    if (n > (size_t)PTRDIFF_MAX / 8)
        return oom(c);
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &res, opt);
    if (r < 0) {
        free(res);
        if (r == UTF8PROC_ERROR_NOMEM || r == UTF8PROC_ERROR_OVERFLOW)
            return oom(c);
        return tc_fail(c->err, TC_EINTERNAL, "tokenizer: normalization failed: %s",
                       utf8proc_errmsg(r));
    }
    bool ok = tok_buf_put(out, res, (size_t)r);
    free(res);
    return ok ? TC_OK : oom(c);
}

/* Rust's char::to_lowercase: the simple mapping, except U+0130, whose full
 * lowercase is "i" + U+0307 (the only unconditional multi-character one). */
static tc_status lowercase(tok_ctx *c, const char *s, size_t n, tok_buf *out)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        i += tok_utf8_next(s + i, n - i, &cp);
        bool ok;
        if (cp == 0x130)
            ok = tok_buf_put(out, "i\xCC\x87", 3);
        else
            ok = tok_buf_put_cp(out, (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
        if (!ok)
            return oom(c);
    }
    return TC_OK;
}

static tc_status strip(tok_ctx *c, const tok_norm *nm, const char *s, size_t n, tok_buf *out)
{
    size_t a = 0, b = n;
    uint32_t cp;
    if (nm->strip_left)
        while (a < b) {
            size_t k = tok_utf8_next(s + a, b - a, &cp);
            if (!tok_is_whitespace(cp))
                break;
            a += k;
        }
    if (nm->strip_right)
        while (b > a) {
            size_t k = tok_utf8_prev_len(s + a, b - a);
            tok_utf8_next(s + b - k, k, &cp);
            if (!tok_is_whitespace(cp))
                break;
            b -= k;
        }
    return tok_buf_put(out, s + a, b - a) ? TC_OK : oom(c);
}

static tc_status replace(tok_ctx *c, const tok_norm *nm, const char *s, size_t n, tok_buf *out)
{
    tc_status st = tok_pattern_find(c->err, &c->m, &nm->pat, s, n, &c->segs);
    if (st != TC_OK)
        return st;
    for (size_t i = 0; i < c->segs.n; i++) {
        const tok_seg *g = &c->segs.v[i];
        bool ok = g->match ? tok_buf_put(out, nm->content, nm->content_len)
                           : tok_buf_put(out, s + g->start, g->end - g->start);
        if (!ok)
            return oom(c);
    }
    return TC_OK;
}

static tc_status apply_one(tok_ctx *c, const tok_norm *nm, const char *s, size_t n, tok_buf *out)
{
    switch (nm->type) {
    case TOK_NORM_NFC:
    case TOK_NORM_NFD:
    case TOK_NORM_NFKC:
    case TOK_NORM_NFKD:
        return unicode_form(c, nm->type, s, n, out);
    case TOK_NORM_LOWERCASE:
        return lowercase(c, s, n, out);
    case TOK_NORM_STRIP:
        return strip(c, nm, s, n, out);
    case TOK_NORM_REPLACE:
        return replace(c, nm, s, n, out);
    case TOK_NORM_PREPEND:
        /* the library prepends only to a non-empty string */
        if (n > 0 && !tok_buf_put(out, nm->content, nm->content_len))
            return oom(c);
        return tok_buf_put(out, s, n) ? TC_OK : oom(c);
    case TOK_NORM_SEQUENCE:
        break;
    }
    return tc_fail(c->err, TC_EINTERNAL, "tokenizer: bad normalizer type");
}

tc_status tok_normalize(tok_ctx *c, const tok_norm *norm, const char *s, size_t n, tok_buf *out)
{
    tok_buf a = {0}, b = {0};
    tc_status st = TC_OK;
    out->n = 0;
    if (norm->type != TOK_NORM_SEQUENCE) {
        st = apply_one(c, norm, s, n, out);
        goto out;
    }
    /* ping-pong through two buffers, then copy the result */
    if (!tok_buf_put(&a, s, n)) {
        st = oom(c);
        goto out;
    }
    for (size_t i = 0; i < norm->n_items; i++) {
        b.n = 0;
        st = tok_normalize(c, &norm->items[i], a.p, a.n, &b);
        if (st != TC_OK)
            goto out;
        tok_buf t = a;
        a = b;
        b = t;
    }
    if (!tok_buf_put(out, a.p, a.n))
        st = oom(c);
out:
    if (st == TC_OK && !tok_buf_reserve(out, 0))
        st = oom(c);
    tok_buf_free(&a);
    tok_buf_free(&b);
    return st;
}
