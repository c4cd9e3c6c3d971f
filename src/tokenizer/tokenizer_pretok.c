/* Pre-tokenizers: split each piece into smaller pieces (and, for ByteLevel
 * and Metaspace, rewrite their characters).  Empty pieces are dropped, as
 * the library's PreTokenizedString::split does. */
#include "tokenizer/tokenizer_impl.h"

#include <string.h>

static tc_status oom(tok_ctx *c)
{
    return tc_fail(c->err, TC_ENOMEM, "tokenizer: out of memory while pre-tokenizing");
}

/* SplitDelimiterBehavior applied to a match list (tokenizers'
 * normalizer.rs, NormalizedString::split).  Removed segments are marked by
 * match = true; every kept segment has match = false afterwards. */
void tok_apply_behavior(tok_segs *segs, tok_behavior b)
{
    tok_seg *v = segs->v;
    size_t n = segs->n, k = 0;
    bool prev = false;
    switch (b) {
    case TOK_SPLIT_ISOLATED:
        for (size_t i = 0; i < n; i++)
            v[i].match = false;
        return;
    case TOK_SPLIT_REMOVED:
        return; /* matches are dropped by the caller */
    case TOK_SPLIT_CONTIGUOUS:
        for (size_t i = 0; i < n; i++) {
            bool m = v[i].match;
            if (k > 0 && m == prev)
                v[k - 1].end = v[i].end;
            else
                v[k++] = (tok_seg){v[i].start, v[i].end, false};
            prev = m;
        }
        break;
    case TOK_SPLIT_MERGED_PREV:
        for (size_t i = 0; i < n; i++) {
            bool m = v[i].match;
            if (m && !prev && k > 0)
                v[k - 1].end = v[i].end;
            else
                v[k++] = (tok_seg){v[i].start, v[i].end, false};
            prev = m;
        }
        break;
    case TOK_SPLIT_MERGED_NEXT: {
        /* walk backwards, then restore the order */
        size_t w = n;
        for (size_t i = n; i-- > 0;) {
            bool m = v[i].match;
            if (m && !prev && w < n)
                v[w].start = v[i].start;
            else {
                tok_seg g = {v[i].start, v[i].end, false};
                v[--w] = g;
            }
            prev = m;
        }
        memmove(v, v + w, (n - w) * sizeof *v);
        k = n - w;
        break;
    }
    }
    segs->n = k;
}

/* Emits the kept, non-empty segments of piece p as new pieces. */
static tc_status emit_segs(tok_ctx *c, const tok_seg *segs, size_t n, const char *s, bool at_start,
                           tok_pieces *out)
{
    for (size_t i = 0; i < n; i++) {
        if (segs[i].match || segs[i].end == segs[i].start)
            continue;
        if (!tok_pieces_add(out, s + segs[i].start, segs[i].end - segs[i].start,
                            at_start && segs[i].start == 0))
            return oom(c);
    }
    return TC_OK;
}

typedef bool (*char_pred)(uint32_t cp, const tok_pre *p);

/* Pattern::find_matches for a character predicate: each matching character
 * is its own match; the runs between are non-matches. */
static tc_status char_find(tok_ctx *c, const tok_pre *p, char_pred pred, const char *s, size_t n)
{
    tok_segs *segs = &c->segs;
    size_t i = 0, last = 0;
    segs->n = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = tok_utf8_next(s + i, n - i, &cp);
        if (pred(cp, p)) {
            if (last < i && !tok_segs_push(segs, last, i, false))
                return oom(c);
            if (!tok_segs_push(segs, i, i + k, true))
                return oom(c);
            last = i + k;
        }
        i += k;
    }
    if (last < n && !tok_segs_push(segs, last, n, false))
        return oom(c);
    return TC_OK;
}

static bool pred_numeric(uint32_t cp, const tok_pre *p)
{
    (void)p;
    return tok_is_numeric(cp);
}

static bool pred_punct(uint32_t cp, const tok_pre *p)
{
    (void)p;
    return tok_is_punctuation(cp);
}

static bool pred_space(uint32_t cp, const tok_pre *p)
{
    (void)p;
    return tok_is_whitespace(cp);
}

static bool pred_replacement(uint32_t cp, const tok_pre *p)
{
    return cp == p->replacement;
}

static void invert_segs(tok_segs *segs)
{
    for (size_t i = 0; i < segs->n; i++)
        segs->v[i].match = !segs->v[i].match;
}

/* Appends the GPT-2 byte symbols of s[0..n). */
static bool byte_map(tok_buf *out, const char *s, size_t n)
{
    if (!tok_buf_reserve(out, 2 * n))
        return false;
    for (size_t i = 0; i < n; i++)
        tok_buf_put_cp(out, tok_byte_to_cp((uint8_t)s[i]));
    return true;
}

static tc_status bytelevel(tok_ctx *c, const tok_pre *p, const tok_piece *pc, const char *s,
                           tok_pieces *out, tok_buf *scratch)
{
    scratch->n = 0;
    if (p->add_prefix_space && s[0] != ' ' && !tok_buf_putc(scratch, ' '))
        return oom(c);
    if (!tok_buf_put(scratch, s, pc->len))
        return oom(c);
    tok_buf mapped = {0};
    tc_status st = TC_OK;
    if (p->use_regex) {
        st = tok_regex_find(c->err, &c->m, &c->tok->gpt2_re, scratch->p, scratch->n, &c->segs);
        if (st != TC_OK)
            return st;
    } else {
        c->segs.n = 0;
        if (!tok_segs_push(&c->segs, 0, scratch->n, true))
            return oom(c);
    }
    for (size_t i = 0; i < c->segs.n; i++) {
        const tok_seg *g = &c->segs.v[i];
        if (g->end == g->start)
            continue;
        mapped.n = 0;
        if (!byte_map(&mapped, scratch->p + g->start, g->end - g->start) ||
            !tok_pieces_add(out, mapped.p, mapped.n, pc->at_start && g->start == 0)) {
            st = oom(c);
            break;
        }
    }
    tok_buf_free(&mapped);
    return st;
}

static tc_status metaspace(tok_ctx *c, const tok_pre *p, const tok_piece *pc, const char *s,
                           tok_pieces *out, tok_buf *scratch)
{
    uint32_t first;
    size_t rlen;
    char rep[4];
    tok_buf tmp = {0};
    tc_status st = TC_OK;
    if (!tok_buf_put_cp(&tmp, p->replacement))
        return oom(c);
    rlen = tmp.n;
    memcpy(rep, tmp.p, rlen);
    tok_buf_free(&tmp);
    scratch->n = 0;
    tok_utf8_next(s, pc->len, &first);
    bool prepend = first != ' ' && first != p->replacement &&
                   (p->prepend == TOK_PREPEND_ALWAYS ||
                    (p->prepend == TOK_PREPEND_FIRST && pc->at_start));
    if (prepend && !tok_buf_put(scratch, rep, rlen))
        return oom(c);
    for (size_t i = 0; i < pc->len; i++) {
        bool ok = s[i] == ' ' ? tok_buf_put(scratch, rep, rlen) : tok_buf_putc(scratch, s[i]);
        if (!ok)
            return oom(c);
    }
    if (!p->split) {
        if (!tok_pieces_add(out, scratch->p, scratch->n, pc->at_start))
            return oom(c);
        return TC_OK;
    }
    st = char_find(c, p, pred_replacement, scratch->p, scratch->n);
    if (st != TC_OK)
        return st;
    tok_apply_behavior(&c->segs, TOK_SPLIT_MERGED_NEXT);
    return emit_segs(c, c->segs.v, c->segs.n, scratch->p, pc->at_start, out);
}

static tc_status apply_leaf(tok_ctx *c, const tok_pre *p, const tok_pieces *in, tok_pieces *out)
{
    tok_buf scratch = {0};
    tc_status st = TC_OK;
    for (size_t i = 0; i < in->n && st == TC_OK; i++) {
        const tok_piece *pc = &in->v[i];
        const char *s = in->text.p + pc->off;
        tok_behavior b = TOK_SPLIT_ISOLATED;
        if (pc->len == 0)
            continue; /* splits of "" are empty; nothing is prepended to "" */
        switch (p->type) {
        case TOK_PRE_BYTELEVEL:
            st = bytelevel(c, p, pc, s, out, &scratch);
            continue;
        case TOK_PRE_METASPACE:
            st = metaspace(c, p, pc, s, out, &scratch);
            continue;
        case TOK_PRE_SPLIT:
            st = tok_pattern_find(c->err, &c->m, &p->pat, s, pc->len, &c->segs);
            if (st == TC_OK && p->invert)
                invert_segs(&c->segs);
            b = p->behavior;
            break;
        case TOK_PRE_DIGITS:
            st = char_find(c, p, pred_numeric, s, pc->len);
            b = p->individual_digits ? TOK_SPLIT_ISOLATED : TOK_SPLIT_CONTIGUOUS;
            break;
        case TOK_PRE_PUNCTUATION:
            st = char_find(c, p, pred_punct, s, pc->len);
            b = p->behavior;
            break;
        case TOK_PRE_WHITESPACE:
            /* keep the matches of \w+|[^\w\s]+, drop the rest */
            st = tok_regex_find(c->err, &c->m, &c->tok->ws_re, s, pc->len, &c->segs);
            if (st == TC_OK)
                invert_segs(&c->segs);
            b = TOK_SPLIT_REMOVED;
            break;
        case TOK_PRE_WHITESPACE_SPLIT:
            st = char_find(c, p, pred_space, s, pc->len);
            b = TOK_SPLIT_REMOVED;
            break;
        case TOK_PRE_SEQUENCE:
            st = tc_fail(c->err, TC_EINTERNAL, "tokenizer: nested sequence in leaf");
            break;
        }
        if (st != TC_OK)
            break;
        tok_apply_behavior(&c->segs, b);
        st = emit_segs(c, c->segs.v, c->segs.n, s, pc->at_start, out);
    }
    tok_buf_free(&scratch);
    return st;
}

tc_status tok_pre_tokenize(tok_ctx *c, const tok_pre *pre, tok_pieces *l, tok_pieces *tmp)
{
    if (pre->type == TOK_PRE_SEQUENCE) {
        for (size_t i = 0; i < pre->n_items; i++) {
            tc_status st = tok_pre_tokenize(c, &pre->items[i], l, tmp);
            if (st != TC_OK)
                return st;
        }
        return TC_OK;
    }
    tok_pieces_reset(tmp);
    tc_status st = apply_leaf(c, pre, l, tmp);
    if (st != TC_OK)
        return st;
    tok_pieces t = *l;
    *l = *tmp;
    *tmp = t;
    return TC_OK;
}
