/* Decoding: ids to token strings, then the decoder chain (each decoder maps
 * a list of strings to a list of strings, as the library's decode_chain),
 * then concatenation.  Also the small id / token queries. */
#include "tokenizer/tokenizer_impl.h"

#include <stdlib.h>
#include <string.h>

static tc_status oom(tc_error *err)
{
    return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory while decoding");
}

static tc_status dec_bytelevel(tc_error *err, const tok_pieces *in, tok_pieces *out)
{
    tok_buf bytes = {0}, text = {0};
    tc_status st = TC_OK;
    for (size_t i = 0; i < in->n && st == TC_OK; i++) {
        const char *s = in->text.p + in->v[i].off;
        size_t n = in->v[i].len, mark = bytes.n, j = 0;
        bool all = true;
        while (j < n) {
            uint32_t cp;
            j += tok_utf8_next(s + j, n - j, &cp);
            int b = tok_cp_to_byte(cp);
            if (b < 0) {
                all = false;
                break;
            }
            if (!tok_buf_putc(&bytes, (char)b)) {
                st = oom(err);
                break;
            }
        }
        if (st == TC_OK && !all) {
            /* a token with a non-byte character goes through as it is */
            bytes.n = mark;
            if (!tok_buf_put(&bytes, s, n))
                st = oom(err);
        }
    }
    if (st == TC_OK && (!tok_utf8_lossy(&text, (const uint8_t *)bytes.p, bytes.n) ||
                        !tok_pieces_add(out, text.p, text.n, false)))
        st = oom(err);
    tok_buf_free(&bytes);
    tok_buf_free(&text);
    return st;
}

/* <0xNN> runs become their bytes when those form valid UTF-8, else one
 * U+FFFD per byte. */
static bool flush_bytes(tok_buf *bytes, tok_pieces *out)
{
    if (bytes->n == 0)
        return true;
    bool ok = true;
    if (tok_utf8_check(bytes->p, bytes->n) == bytes->n)
        ok = tok_pieces_add(out, bytes->p, bytes->n, false);
    else
        for (size_t k = 0; k < bytes->n && ok; k++)
            ok = tok_pieces_add(out, "\xEF\xBF\xBD", 3, false);
    bytes->n = 0;
    return ok;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static tc_status dec_bytefallback(tc_error *err, const tok_pieces *in, tok_pieces *out)
{
    tok_buf bytes = {0};
    tc_status st = TC_OK;
    for (size_t i = 0; i < in->n && st == TC_OK; i++) {
        const char *s = in->text.p + in->v[i].off;
        size_t n = in->v[i].len;
        if (n == 6 && memcmp(s, "<0x", 3) == 0 && s[5] == '>' && hex_digit(s[3]) >= 0 &&
            hex_digit(s[4]) >= 0) {
            if (!tok_buf_putc(&bytes, (char)(hex_digit(s[3]) * 16 + hex_digit(s[4]))))
                st = oom(err);
            continue;
        }
        if (!flush_bytes(&bytes, out) || !tok_pieces_add(out, s, n, false))
            st = oom(err);
    }
    if (st == TC_OK && !flush_bytes(&bytes, out))
        st = oom(err);
    tok_buf_free(&bytes);
    return st;
}

static tc_status dec_fuse(tc_error *err, const tok_pieces *in, tok_pieces *out)
{
    /* the pieces are stored back to back, but not necessarily in order */
    tok_buf all = {0};
    tc_status st = TC_OK;
    for (size_t i = 0; i < in->n && st == TC_OK; i++)
        if (!tok_buf_put(&all, in->text.p + in->v[i].off, in->v[i].len))
            st = oom(err);
    if (st == TC_OK && !tok_pieces_add(out, all.p, all.n, false))
        st = oom(err);
    tok_buf_free(&all);
    return st;
}

static tc_status dec_strip(tc_error *err, const tok_dec *d, const tok_pieces *in, tok_pieces *out)
{
    for (size_t i = 0; i < in->n; i++) {
        const char *s = in->text.p + in->v[i].off;
        size_t n = in->v[i].len, a = 0, b = n;
        uint32_t cp;
        for (size_t k = 0; k < d->start && a < n; k++) {
            size_t l = tok_utf8_next(s + a, n - a, &cp);
            if (cp != d->strip_char)
                break;
            a += l;
        }
        for (size_t k = 0; k < d->stop && b > a; k++) {
            size_t l = tok_utf8_prev_len(s, b);
            tok_utf8_next(s + b - l, l, &cp);
            if (cp != d->strip_char)
                break;
            b -= l;
        }
        if (!tok_pieces_add(out, s + a, b - a, false))
            return oom(err);
    }
    return TC_OK;
}

static tc_status dec_replace(tc_error *err, const tok_dec *d, const tok_pieces *in, tok_pieces *out)
{
    tok_matcher m = {0};
    tok_segs segs = {0};
    tok_buf t = {0};
    tc_status st = TC_OK;
    if (d->pat.kind == TOK_PAT_REGEX)
        st = tok_matcher_init(err, &m);
    if (st != TC_OK)
        return st;
    for (size_t i = 0; i < in->n && st == TC_OK; i++) {
        const char *s = in->text.p + in->v[i].off;
        size_t n = in->v[i].len;
        st = tok_pattern_find(err, &m, &d->pat, s, n, &segs);
        if (st != TC_OK)
            break;
        t.n = 0;
        for (size_t k = 0; k < segs.n && st == TC_OK; k++) {
            const tok_seg *g = &segs.v[k];
            bool ok = g->match ? tok_buf_put(&t, d->content, d->content_len)
                               : tok_buf_put(&t, s + g->start, g->end - g->start);
            if (!ok)
                st = oom(err);
        }
        if (st == TC_OK && !tok_pieces_add(out, t.p, t.n, false))
            st = oom(err);
    }
    tok_buf_free(&t);
    tok_segs_free(&segs);
    tok_matcher_free(&m);
    return st;
}

static tc_status dec_metaspace(tc_error *err, const tok_dec *d, const tok_pieces *in,
                               tok_pieces *out)
{
    tok_buf t = {0};
    tc_status st = TC_OK;
    for (size_t i = 0; i < in->n && st == TC_OK; i++) {
        const char *s = in->text.p + in->v[i].off;
        size_t n = in->v[i].len, j = 0;
        t.n = 0;
        while (j < n && st == TC_OK) {
            uint32_t cp;
            size_t k = tok_utf8_next(s + j, n - j, &cp);
            bool ok = true;
            if (cp != d->replacement)
                ok = tok_buf_put(&t, s + j, k);
            else if (i != 0 || d->prepend == TOK_PREPEND_NEVER)
                ok = tok_buf_putc(&t, ' ');
            if (!ok)
                st = oom(err);
            j += k;
        }
        if (st == TC_OK && !tok_pieces_add(out, t.p, t.n, false))
            st = oom(err);
    }
    tok_buf_free(&t);
    return st;
}

tc_status tok_decode_chain(tc_error *err, const tok_dec *d, tok_pieces *l, tok_pieces *tmp)
{
    tc_status st = TC_OK;
    if (d->type == TOK_DEC_SEQUENCE) {
        for (size_t i = 0; i < d->n_items && st == TC_OK; i++)
            st = tok_decode_chain(err, &d->items[i], l, tmp);
        return st;
    }
    tok_pieces_reset(tmp);
    switch (d->type) {
    case TOK_DEC_BYTELEVEL: st = dec_bytelevel(err, l, tmp); break;
    case TOK_DEC_BYTEFALLBACK: st = dec_bytefallback(err, l, tmp); break;
    case TOK_DEC_FUSE: st = dec_fuse(err, l, tmp); break;
    case TOK_DEC_STRIP: st = dec_strip(err, d, l, tmp); break;
    case TOK_DEC_REPLACE: st = dec_replace(err, d, l, tmp); break;
    case TOK_DEC_METASPACE: st = dec_metaspace(err, d, l, tmp); break;
    case TOK_DEC_SEQUENCE: break;
    }
    if (st != TC_OK)
        return st;
    tok_pieces t = *l;
    *l = *tmp;
    *tmp = t;
    return TC_OK;
}

tc_status tc_tok_decode(tc_error *err, const tc_tok *tok, char **text, size_t *len,
                        const uint32_t *ids, size_t n_ids, bool skip_special)
{
    tok_pieces l = {0}, tmp = {0};
    tok_buf out = {0};
    tc_status st = TC_OK;
    if (tok == NULL || text == NULL || len == NULL || (ids == NULL && n_ids > 0))
        return tc_fail(err, TC_EARG, "tc_tok_decode: bad arguments");
    *text = NULL;
    *len = 0;
    for (size_t i = 0; i < n_ids; i++) {
        uint32_t id = ids[i];
        if (id >= tok->n_ids || tok->id_str[id] == NULL)
            continue; /* the library skips ids without a token */
        if (skip_special && tok->id_special[id])
            continue;
        if (!tok_pieces_add(&l, tok->id_str[id], tok->id_len[id], false)) {
            st = oom(err);
            goto out;
        }
    }
    if (tok->dec != NULL)
        st = tok_decode_chain(err, tok->dec, &l, &tmp);
    if (st != TC_OK)
        goto out;
    for (size_t i = 0; i < l.n; i++) {
        /* without a decoder the library joins the tokens with spaces */
        if ((tok->dec == NULL && i > 0 && !tok_buf_putc(&out, ' ')) ||
            !tok_buf_put(&out, l.text.p + l.v[i].off, l.v[i].len)) {
            st = oom(err);
            goto out;
        }
    }
    if (!tok_buf_reserve(&out, 0)) {
        st = oom(err);
        goto out;
    }
    out.p[out.n] = '\0';
    *text = out.p;
    *len = out.n;
    out = (tok_buf){0};
out:
    tok_buf_free(&out);
    tok_pieces_free(&l);
    tok_pieces_free(&tmp);
    return st;
}

size_t tc_tok_vocab_size(const tc_tok *tok)
{
    return tok->n_ids;
}

const char *tc_tok_id_to_token(const tc_tok *tok, uint32_t id, size_t *len)
{
    if (id >= tok->n_ids || tok->id_str[id] == NULL)
        return NULL;
    if (len != NULL)
        *len = tok->id_len[id];
    return tok->id_str[id];
}

bool tc_tok_token_to_id(const tc_tok *tok, const char *s, size_t len, uint32_t *id)
{
    return tok_strmap_get(&tok->added_map, s, len, id) ||
           tok_strmap_get(&tok->bpe.vocab, s, len, id);
}

bool tc_tok_is_special(const tc_tok *tok, uint32_t id)
{
    return id < tok->n_ids && tok->id_special[id];
}

int64_t tc_tok_bos_id(const tc_tok *tok)
{
    for (size_t i = 0; i < tok->n_tmpl && !tok->tmpl[i].is_seq; i++)
        if (tok->tmpl[i].n_ids > 0)
            return tok->tmpl[i].ids[0];
    return -1;
}

int64_t tc_tok_eos_id(const tc_tok *tok)
{
    static const char *const names[] = {"</s>", "<|endoftext|>", "<|end_of_text|>",
                                        "<|im_end|>", "<|eot_id|>", "<eos>"};
    bool after = false;
    for (size_t i = 0; i < tok->n_tmpl; i++) {
        if (tok->tmpl[i].is_seq)
            after = true;
        else if (after && tok->tmpl[i].n_ids > 0)
            return tok->tmpl[i].ids[0];
    }
    for (size_t k = 0; k < TC_ARRAY_LEN(names); k++) {
        uint32_t id;
        if (tok_strmap_get(&tok->added_map, names[k], strlen(names[k]), &id) &&
            tc_tok_is_special(tok, id))
            return id;
    }
    return -1;
}
