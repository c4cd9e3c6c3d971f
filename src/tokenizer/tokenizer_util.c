/* Tokenizer support: buffers, UTF-8, Unicode predicates, hash tables,
 * PCRE2 patterns, the added-token trie and the GPT-2 byte map. */
#include "tokenizer/tokenizer_impl.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- buffers ------------------------------------------------------------ */

bool tok_buf_reserve(tok_buf *b, size_t extra)
{
    size_t need;
    if (!tc_add_size(&need, b->n, extra + 1))
        return false;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

bool tok_buf_put(tok_buf *b, const void *s, size_t n)
{
    if (!tok_buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

bool tok_buf_putc(tok_buf *b, char c)
{
    return tok_buf_put(b, &c, 1);
}

bool tok_buf_put_cp(tok_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return tok_buf_put(b, u, n);
}

void tok_buf_free(tok_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

bool tok_ids_push(tok_ids *a, uint32_t id)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        uint32_t *v = realloc(a->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = id;
    return true;
}

void tok_ids_free(tok_ids *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

bool tok_pieces_add(tok_pieces *l, const char *s, size_t len, bool at_start)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        tok_piece *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        l->v = v;
        l->cap = cap;
    }
    size_t off = l->text.n;
    if (!tok_buf_put(&l->text, s, len))
        return false;
    l->v[l->n++] = (tok_piece){off, len, at_start};
    return true;
}

void tok_pieces_reset(tok_pieces *l)
{
    l->n = 0;
    l->text.n = 0;
}

void tok_pieces_free(tok_pieces *l)
{
    tok_buf_free(&l->text);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

bool tok_segs_push(tok_segs *s, size_t start, size_t end, bool match)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        tok_seg *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (tok_seg){start, end, match};
    return true;
}

void tok_segs_free(tok_segs *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/* ---- UTF-8 -------------------------------------------------------------- */

size_t tok_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const uint8_t *u = (const uint8_t *)s;
    if (n == 0) {
        *cp = 0;
        return 0;
    }
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] < 0xE0 && n >= 2) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (u[0] < 0xF0 && n >= 3) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    if (n >= 4) {
        *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
              ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD; /* truncated: only reachable on unchecked input */
    return n;
}

size_t tok_utf8_prev_len(const char *s, size_t n)
{
    size_t k = 1;
    while (k < n && k < 4 && ((uint8_t)s[n - k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* Length of the valid prefix of the sequence at s (0 when s[0] cannot start
 * one), and whether it is complete.  Follows Unicode Table 3-7. */
static size_t utf8_valid_prefix(const uint8_t *s, size_t n, bool *complete)
{
    uint8_t c = s[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    *complete = false;
    if (c < 0x80) {
        *complete = true;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    size_t k = 1;
    if (k < n && s[k] >= lo && s[k] <= hi) {
        k++;
        while (k < need && k < n && (s[k] & 0xC0) == 0x80)
            k++;
    }
    *complete = k == need;
    return k;
}

size_t tok_utf8_check(const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        bool complete;
        size_t k = utf8_valid_prefix(u + i, n - i, &complete);
        if (!complete)
            return i;
        i += k;
    }
    return n;
}

bool tok_utf8_lossy(tok_buf *out, const uint8_t *s, size_t n)
{
    size_t i = 0, run = 0;
    if (n == 0)
        return tok_buf_reserve(out, 0);
    while (i < n) {
        bool complete;
        size_t k = utf8_valid_prefix(s + i, n - i, &complete);
        if (complete) {
            i += k;
            continue;
        }
        if (!tok_buf_put(out, s + run, i - run) || !tok_buf_put(out, "\xEF\xBF\xBD", 3))
            return false;
        i += k ? k : 1;
        run = i;
    }
    return tok_buf_put(out, s + run, n - run);
}

/* ---- Unicode predicates --------------------------------------------------- */

bool tok_is_whitespace(uint32_t cp)
{
    if (cp <= 0x20)
        return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    if (cp < 0x85)
        return false;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool tok_is_numeric(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_ND || c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

bool tok_is_punctuation(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
               (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

bool tok_is_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
               (cp >= 'A' && cp <= 'Z') || cp == '_';
    if (cp == 0x200C || cp == 0x200D)
        return true;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) ||
           c == UTF8PROC_CATEGORY_ND || c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_PC;
}

/* ---- hash tables ----------------------------------------------------------- */

uint64_t tok_hash(const void *s, size_t n)
{
    /* FNV-1a, then a final avalanche (splitmix64's mixer). */
    const uint8_t *p = s;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static size_t table_size(size_t expected)
{
    size_t n = 16;
    while (n < expected * 2 + 1 && n < ((size_t)1 << 40))
        n *= 2;
    return n;
}

bool tok_strmap_init(tok_strmap *m, size_t expected)
{
    size_t n = table_size(expected);
    m->slots = calloc(n, sizeof *m->slots);
    m->mask = n - 1;
    m->count = 0;
    return m->slots != NULL;
}

static bool strmap_grow(tok_strmap *m)
{
    tok_strmap bigger;
    if (!tok_strmap_init(&bigger, (m->mask + 1)))
        return false;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->slots[i].s != NULL)
            tok_strmap_set(&bigger, m->slots[i].s, m->slots[i].len, m->slots[i].id);
    free(m->slots);
    *m = bigger;
    return true;
}

bool tok_strmap_set(tok_strmap *m, const char *s, size_t len, uint32_t id)
{
    if ((m->count + 1) * 2 > m->mask + 1 && !strmap_grow(m))
        return false;
    size_t i = (size_t)tok_hash(s, len) & m->mask;
    while (m->slots[i].s != NULL) {
        if (m->slots[i].len == len && memcmp(m->slots[i].s, s, len) == 0) {
            m->slots[i].id = id;
            return true;
        }
        i = (i + 1) & m->mask;
    }
    m->slots[i] = (tok_strmap_slot){s, (uint32_t)len, id};
    m->count++;
    return true;
}

bool tok_strmap_get(const tok_strmap *m, const char *s, size_t len, uint32_t *id)
{
    if (m->slots == NULL)
        return false;
    size_t i = (size_t)tok_hash(s, len) & m->mask;
    while (m->slots[i].s != NULL) {
        if (m->slots[i].len == len && memcmp(m->slots[i].s, s, len) == 0) {
            *id = m->slots[i].id;
            return true;
        }
        i = (i + 1) & m->mask;
    }
    return false;
}

void tok_strmap_free(tok_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    return ((uint64_t)a << 32) | b;
}

static size_t pair_slot(uint64_t key, size_t mask)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h ^ (h >> 29)) & mask;
}

bool tok_pairmap_init(tok_pairmap *m, size_t expected)
{
    size_t n = table_size(expected);
    m->slots = malloc(n * sizeof *m->slots);
    if (m->slots == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        m->slots[i].key = UINT64_MAX;
    m->mask = n - 1;
    m->count = 0;
    return true;
}

/* The table is sized for every merge up front, so it never fills. */
void tok_pairmap_set(tok_pairmap *m, uint32_t a, uint32_t b, uint32_t rank, uint32_t new_id)
{
    uint64_t key = pair_key(a, b);
    size_t i = pair_slot(key, m->mask);
    while (m->slots[i].key != UINT64_MAX && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    if (m->slots[i].key == UINT64_MAX)
        m->count++;
    m->slots[i] = (tok_pairmap_slot){key, rank, new_id};
}

const tok_pairmap_slot *tok_pairmap_get(const tok_pairmap *m, uint32_t a, uint32_t b)
{
    if (m->count == 0)
        return NULL;
    uint64_t key = pair_key(a, b);
    size_t i = pair_slot(key, m->mask);
    while (m->slots[i].key != UINT64_MAX) {
        if (m->slots[i].key == key)
            return &m->slots[i];
        i = (i + 1) & m->mask;
    }
    return NULL;
}

void tok_pairmap_free(tok_pairmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

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

/* ---- added-token trie --------------------------------------------------------- */

static bool trie_node(tok_trie *t, uint8_t byte, uint32_t *idx)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tok_trie_node *v = realloc(t->nodes, cap * sizeof *v);
        if (v == NULL)
            return false;
        t->nodes = v;
        t->cap = cap;
    }
    t->nodes[t->n] = (tok_trie_node){0, 0, -1, byte};
    *idx = (uint32_t)t->n++;
    return true;
}

bool tok_trie_add(tok_trie *t, const char *s, size_t n, int32_t token)
{
    uint32_t cur;
    if (t->n == 0 && !trie_node(t, 0, &cur))
        return false;
    if (n == 0)
        return true;
    cur = 0;
    t->first[(uint8_t)s[0] >> 3] |= (uint8_t)(1u << ((uint8_t)s[0] & 7));
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        uint32_t c = t->nodes[cur].first_child;
        while (c != 0 && t->nodes[c].byte != b)
            c = t->nodes[c].next_sibling;
        if (c == 0) {
            if (!trie_node(t, b, &c))
                return false;
            t->nodes[c].next_sibling = t->nodes[cur].first_child;
            t->nodes[cur].first_child = c;
        }
        cur = c;
    }
    if (t->nodes[cur].token < 0)
        t->nodes[cur].token = token; /* the first of identical patterns wins */
    return true;
}

int32_t tok_trie_longest(const tok_trie *t, const char *s, size_t n, size_t *len)
{
    int32_t best = -1;
    if (t->n == 0 || n == 0 || !(t->first[(uint8_t)s[0] >> 3] & (1u << ((uint8_t)s[0] & 7))))
        return -1;
    uint32_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        uint32_t c = t->nodes[cur].first_child;
        while (c != 0 && t->nodes[c].byte != b)
            c = t->nodes[c].next_sibling;
        if (c == 0)
            break;
        cur = c;
        if (t->nodes[cur].token >= 0) {
            best = t->nodes[cur].token;
            *len = i + 1;
        }
    }
    return best;
}

void tok_trie_free(tok_trie *t)
{
    free(t->nodes);
    t->nodes = NULL;
    t->n = t->cap = 0;
}

/* ---- GPT-2 byte map ----------------------------------------------------------- */

/* Bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF stand for themselves; the other
 * 68 bytes map, in increasing order, to U+0100, U+0101, ... (GPT-2's
 * bytes_to_unicode). */
static bool byte_is_printable(unsigned b)
{
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
}

uint32_t tok_byte_to_cp(uint8_t b)
{
    if (byte_is_printable(b))
        return b;
    /* rank of b among the non-printable bytes */
    uint32_t k;
    if (b <= 0x20)
        k = b;                      /* 0x00..0x20: 33 bytes */
    else if (b <= 0xA0)
        k = 33 + (uint32_t)(b - 0x7F); /* 0x7F..0xA0: 34 bytes */
    else
        k = 67;                     /* 0xAD */
    return 0x100 + k;
}

int tok_cp_to_byte(uint32_t cp)
{
    if (cp < 0x100)
        return byte_is_printable(cp) ? (int)cp : -1;
    if (cp >= 0x100 + 68)
        return -1;
    uint32_t k = cp - 0x100;
    if (k <= 32)
        return (int)k;
    if (k <= 66)
        return (int)(0x7F + (k - 33));
    return 0xAD;
}
