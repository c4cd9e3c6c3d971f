/* Tokenizer support: UTF-8 decoding and validation, the Unicode predicates
 * the pre-tokenizers use, and the GPT-2 byte map. */
#include "tokenizer/tokenizer_impl.h"

#include <utf8proc.h>

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
