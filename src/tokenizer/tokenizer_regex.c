/* Tokenizer support: PCRE2 patterns (compiled to match as Oniguruma does)
 * and literal-string patterns. */
#include "tokenizer/tokenizer_impl.h"

#include <stdlib.h>
#include <string.h>

/* ---- regular expressions ---------------------------------------------------- */

/* Unicode White_Space as a class body.  PCRE2's \s with UCP also matches
 * U+180E, which Oniguruma (and Unicode since 6.3) do not count as space. */
#define TOK_WS_CLASS "\\t-\\r\\x20\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}" \
                     "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"

/* Rewrites \s and \S (outside and inside character classes) to White_Space. */
static bool rewrite_pattern(tok_buf *out, const char *p, size_t n)
{
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char d = p[i + 1];
            bool ok;
            if (d == 's')
                ok = in_class ? tok_buf_put(out, TOK_WS_CLASS, strlen(TOK_WS_CLASS))
                              : tok_buf_put(out, "[" TOK_WS_CLASS "]", strlen(TOK_WS_CLASS) + 2);
            else if (d == 'S' && !in_class)
                ok = tok_buf_put(out, "[^" TOK_WS_CLASS "]", strlen(TOK_WS_CLASS) + 3);
            else
                ok = tok_buf_put(out, p + i, 2);
            if (!ok)
                return false;
            i++;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            if (!tok_buf_putc(out, c))
                return false;
            /* A ']' right after '[' or '[^' is a literal. */
            if (i + 1 < n && p[i + 1] == '^') {
                if (!tok_buf_putc(out, '^'))
                    return false;
                i++;
            }
            if (i + 1 < n && p[i + 1] == ']') {
                if (!tok_buf_putc(out, ']'))
                    return false;
                i++;
            }
            continue;
        }
        if (c == ']' && in_class)
            in_class = false;
        if (!tok_buf_putc(out, c))
            return false;
    }
    return true;
}

tc_status tok_regex_compile(tc_error *err, tok_regex *re, const char *pat, size_t len,
                            const char *where)
{
    tok_buf src = {0};
    int code;
    PCRE2_SIZE off;
    re->code = NULL;
    if (!rewrite_pattern(&src, pat, len) || !tok_buf_reserve(&src, 0)) {
        tok_buf_free(&src);
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", where);
    }
    re->code = pcre2_compile((PCRE2_SPTR)src.p, src.n, PCRE2_UTF | PCRE2_UCP, &code, &off, NULL);
    tok_buf_free(&src);
    if (re->code == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        return tc_fail(err, TC_EFORMAT, "%s: regex does not compile: %s", where, (char *)msg);
    }
    (void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return TC_OK;
}

void tok_regex_free(tok_regex *re)
{
    pcre2_code_free(re->code);
    re->code = NULL;
}

tc_status tok_matcher_init(tc_error *err, tok_matcher *m)
{
    m->md = pcre2_match_data_create(1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    m->jit = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
    if (m->md == NULL || m->mctx == NULL) {
        tok_matcher_free(m);
        return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory for regex state");
    }
    if (m->jit != NULL)
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
    return TC_OK;
}

void tok_matcher_free(tok_matcher *m)
{
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit);
    m->md = NULL;
    m->mctx = NULL;
    m->jit = NULL;
}

void tok_pattern_free(tok_pattern *p)
{
    free(p->str);
    p->str = NULL;
    tok_regex_free(&p->re);
}

static tc_status seg_oom(tc_error *err)
{
    return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
}

/* Iterates the matches like Oniguruma's find_iter in the Rust binding: an
 * empty match right where the previous match ended is skipped, and after an
 * empty match the search resumes one character later. */
tc_status tok_regex_find(tc_error *err, tok_matcher *m, const tok_regex *re, const char *s,
                         size_t n, tok_segs *segs)
{
    segs->n = 0;
    if (n == 0)
        return tok_segs_push(segs, 0, 0, false) ? TC_OK : seg_oom(err);
    size_t pos = 0, prev = 0;
    bool have_last = false;
    size_t last_end = 0;
    while (pos <= n) {
        int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, pos, PCRE2_NO_UTF_CHECK, m->md, m->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return tc_fail(err, TC_EINTERNAL, "tokenizer: regex match failed: %s", (char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        size_t a = ov[0], b = ov[1];
        if (a == b) {
            size_t step = a < n ? tok_utf8_next(s + a, n - a, &(uint32_t){0}) : 1;
            if (have_last && a == last_end) {
                pos = a + step;
                continue;
            }
            pos = a + step;
        } else {
            pos = b;
        }
        if (prev != a && !tok_segs_push(segs, prev, a, false))
            return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
        if (!tok_segs_push(segs, a, b, true))
            return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
        prev = b;
        have_last = true;
        last_end = b;
    }
    if (prev != n && !tok_segs_push(segs, prev, n, false))
        return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
    return TC_OK;
}

/* First occurrence of pat[0..m) in s[0..n), m > 0. */
static const char *find_bytes(const char *s, size_t n, const char *pat, size_t m)
{
    while (n >= m) {
        const char *h = memchr(s, pat[0], n - m + 1);
        if (h == NULL)
            return NULL;
        if (memcmp(h, pat, m) == 0)
            return h;
        n -= (size_t)(h - s) + 1;
        s = h + 1;
    }
    return NULL;
}

static tc_status string_find(tc_error *err, const tok_pattern *p, const char *s, size_t n,
                             tok_segs *segs)
{
    segs->n = 0;
    size_t prev = 0;
    if (n == 0 || p->len == 0)
        return tok_segs_push(segs, 0, n, false) ? TC_OK : seg_oom(err);
    size_t i = 0;
    while (i + p->len <= n) {
        const char *hit = find_bytes(s + i, n - i, p->str, p->len);
        if (hit == NULL)
            break;
        size_t a = (size_t)(hit - s);
        if (prev != a && !tok_segs_push(segs, prev, a, false))
            return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
        if (!tok_segs_push(segs, a, a + p->len, true))
            return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
        prev = i = a + p->len;
    }
    if (prev != n && !tok_segs_push(segs, prev, n, false))
        return tc_fail(err, TC_ENOMEM, "tokenizer: out of memory");
    return TC_OK;
}

tc_status tok_pattern_find(tc_error *err, tok_matcher *m, const tok_pattern *p, const char *s,
                           size_t n, tok_segs *segs)
{
    if (p->kind == TOK_PAT_STRING)
        return string_find(err, p, s, n, segs);
    return tok_regex_find(err, m, &p->re, s, n, segs);
}
