/* Internal structures of the tokenizer (see tokenizer.h).  Only the
 * tokenizer*.c files include this. */
#ifndef TC_TOKENIZER_IMPL_H
#define TC_TOKENIZER_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tokenizer/tokenizer.h"
#include "util/util.h"

#include <jansson.h>

#define TOK_NO_ID UINT32_MAX
/* Ids above this are refused at load: real vocabularies hold < 1M tokens,
 * and the id table is allocated up to the largest id. */
#define TOK_MAX_ID (1u << 24)
/* Nesting of Sequence components accepted at load. */
#define TOK_MAX_DEPTH 8

/* ---- growable buffers --------------------------------------------------- */

typedef struct tok_buf {
    char *p;
    size_t n, cap;
} tok_buf;

bool tok_buf_reserve(tok_buf *b, size_t extra);
bool tok_buf_put(tok_buf *b, const void *s, size_t n);
bool tok_buf_putc(tok_buf *b, char c);
bool tok_buf_put_cp(tok_buf *b, uint32_t cp); /* UTF-8 encoding of cp */
void tok_buf_free(tok_buf *b);

typedef struct tok_ids {
    uint32_t *v;
    size_t n, cap;
} tok_ids;

bool tok_ids_push(tok_ids *a, uint32_t id);
void tok_ids_free(tok_ids *a);

/* A list of byte strings stored in one buffer: the pieces of a text during
 * pre-tokenization, or the token strings during decoding. */
typedef struct tok_piece {
    size_t off, len;
    bool at_start; /* begins at offset 0 of the text being encoded */
} tok_piece;

typedef struct tok_pieces {
    tok_buf text;
    tok_piece *v;
    size_t n, cap;
} tok_pieces;

bool tok_pieces_add(tok_pieces *l, const char *s, size_t len, bool at_start);
void tok_pieces_reset(tok_pieces *l);
void tok_pieces_free(tok_pieces *l);

/* ---- UTF-8 and Unicode predicates ---------------------------------------- */

/* Decodes one code point from valid UTF-8 at s[0..n): returns its length. */
size_t tok_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Length of the code point that ends at s[n-1] (valid UTF-8). */
size_t tok_utf8_prev_len(const char *s, size_t n);
/* Offset of the first invalid byte, or n when s[0..n) is valid UTF-8
 * (the rules of RFC 3629: no overlongs, surrogates or values > U+10FFFF). */
size_t tok_utf8_check(const char *s, size_t n);
/* Appends s with each maximal invalid subsequence replaced by U+FFFD
 * (Unicode's "substitution of maximal subparts", as Rust's from_utf8_lossy). */
bool tok_utf8_lossy(tok_buf *out, const uint8_t *s, size_t n);

bool tok_is_whitespace(uint32_t cp);  /* Unicode White_Space */
bool tok_is_numeric(uint32_t cp);     /* general category Nd, Nl, No */
bool tok_is_punctuation(uint32_t cp); /* ASCII punctuation or category P* */
bool tok_is_word_char(uint32_t cp);   /* regex \w: letters, marks, digits, Pc */

/* ---- hash tables -------------------------------------------------------- */

uint64_t tok_hash(const void *s, size_t n);

/* String -> id.  Keys point into storage the owner keeps alive. */
typedef struct tok_strmap_slot {
    const char *s;
    uint32_t len, id;
} tok_strmap_slot;

typedef struct tok_strmap {
    tok_strmap_slot *slots;
    size_t mask, count;
} tok_strmap;

bool tok_strmap_init(tok_strmap *m, size_t expected);
/* Inserts or overwrites.  false on allocation failure. */
bool tok_strmap_set(tok_strmap *m, const char *s, size_t len, uint32_t id);
bool tok_strmap_get(const tok_strmap *m, const char *s, size_t len, uint32_t *id);
void tok_strmap_free(tok_strmap *m);

/* (left id, right id) -> (rank, merged id). */
typedef struct tok_pairmap_slot {
    uint64_t key; /* UINT64_MAX: empty */
    uint32_t rank, new_id;
} tok_pairmap_slot;

typedef struct tok_pairmap {
    tok_pairmap_slot *slots;
    size_t mask, count;
} tok_pairmap;

bool tok_pairmap_init(tok_pairmap *m, size_t expected);
void tok_pairmap_set(tok_pairmap *m, uint32_t a, uint32_t b, uint32_t rank, uint32_t new_id);
const tok_pairmap_slot *tok_pairmap_get(const tok_pairmap *m, uint32_t a, uint32_t b);
void tok_pairmap_free(tok_pairmap *m);

/* ---- regular expressions and patterns ----------------------------------- */

typedef struct tok_regex {
    pcre2_code *code;
} tok_regex;

/* Compiles an Oniguruma-style pattern from tokenizer.json with PCRE2. */
tc_status tok_regex_compile(tc_error *err, tok_regex *re, const char *pat,
                            size_t len, const char *where);
void tok_regex_free(tok_regex *re);

/* Per-call match state (PCRE2 match data and JIT stack). */
typedef struct tok_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
} tok_matcher;

tc_status tok_matcher_init(tc_error *err, tok_matcher *m);
void tok_matcher_free(tok_matcher *m);

/* A match list: (start, end, is_match) segments covering a string. */
typedef struct tok_seg {
    size_t start, end;
    bool match;
} tok_seg;

typedef struct tok_segs {
    tok_seg *v;
    size_t n, cap;
} tok_segs;

bool tok_segs_push(tok_segs *s, size_t start, size_t end, bool match);
void tok_segs_free(tok_segs *s);

typedef enum tok_pattern_kind { TOK_PAT_STRING, TOK_PAT_REGEX } tok_pattern_kind;

typedef struct tok_pattern {
    tok_pattern_kind kind;
    char *str; /* TOK_PAT_STRING */
    size_t len;
    tok_regex re; /* TOK_PAT_REGEX */
} tok_pattern;

void tok_pattern_free(tok_pattern *p);

/* Fills segs with the matches of p in s[0..n) and the gaps between them,
 * as the library's Pattern::find_matches does (an empty string gives one
 * empty non-match). */
tc_status tok_pattern_find(tc_error *err, tok_matcher *m, const tok_pattern *p,
                           const char *s, size_t n, tok_segs *segs);
tc_status tok_regex_find(tc_error *err, tok_matcher *m, const tok_regex *re,
                         const char *s, size_t n, tok_segs *segs);

/* ---- components ---------------------------------------------------------- */

typedef enum tok_norm_type {
    TOK_NORM_SEQUENCE,
    TOK_NORM_NFC,
    TOK_NORM_NFD,
    TOK_NORM_NFKC,
    TOK_NORM_NFKD,
    TOK_NORM_LOWERCASE,
    TOK_NORM_PREPEND,
    TOK_NORM_REPLACE,
    TOK_NORM_STRIP
} tok_norm_type;

typedef struct tok_norm {
    tok_norm_type type;
    struct tok_norm *items; /* SEQUENCE */
    size_t n_items;
    tok_pattern pat;        /* REPLACE */
    char *content;          /* REPLACE content, PREPEND text */
    size_t content_len;
    bool strip_left, strip_right;
} tok_norm;

typedef enum tok_behavior {
    TOK_SPLIT_REMOVED,
    TOK_SPLIT_ISOLATED,
    TOK_SPLIT_MERGED_PREV,
    TOK_SPLIT_MERGED_NEXT,
    TOK_SPLIT_CONTIGUOUS
} tok_behavior;

typedef enum tok_prepend { TOK_PREPEND_ALWAYS, TOK_PREPEND_FIRST, TOK_PREPEND_NEVER } tok_prepend;

typedef enum tok_pre_type {
    TOK_PRE_SEQUENCE,
    TOK_PRE_BYTELEVEL,
    TOK_PRE_SPLIT,
    TOK_PRE_METASPACE,
    TOK_PRE_DIGITS,
    TOK_PRE_PUNCTUATION,
    TOK_PRE_WHITESPACE,
    TOK_PRE_WHITESPACE_SPLIT
} tok_pre_type;

typedef struct tok_pre {
    tok_pre_type type;
    struct tok_pre *items; /* SEQUENCE */
    size_t n_items;
    bool add_prefix_space, use_regex; /* BYTELEVEL */
    tok_pattern pat;                  /* SPLIT */
    bool invert;
    tok_behavior behavior;            /* SPLIT, PUNCTUATION */
    bool individual_digits;           /* DIGITS */
    uint32_t replacement;             /* METASPACE */
    tok_prepend prepend;
    bool split;
} tok_pre;

typedef enum tok_dec_type {
    TOK_DEC_SEQUENCE,
    TOK_DEC_BYTELEVEL,
    TOK_DEC_METASPACE,
    TOK_DEC_REPLACE,
    TOK_DEC_BYTEFALLBACK,
    TOK_DEC_FUSE,
    TOK_DEC_STRIP
} tok_dec_type;

typedef struct tok_dec {
    tok_dec_type type;
    struct tok_dec *items; /* SEQUENCE */
    size_t n_items;
    tok_pattern pat;       /* REPLACE */
    char *content;
    size_t content_len;
    uint32_t replacement;  /* METASPACE */
    tok_prepend prepend;
    uint32_t strip_char;   /* STRIP */
    size_t start, stop;
} tok_dec;

/* The post-processor flattened to one template for a single sequence:
 * elements are either the encoded text or a run of fixed ids. */
typedef struct tok_tmpl_elem {
    bool is_seq;
    uint32_t *ids;
    size_t n_ids;
} tok_tmpl_elem;

typedef struct tok_added {
    char *content;       /* as written in tokenizer.json */
    size_t len;
    char *pattern;       /* what is matched: content, normalized when `normalized` */
    size_t pattern_len;
    uint32_t id;
    bool single_word, lstrip, rstrip, normalized, special;
} tok_added;

/* A byte trie over added-token patterns for leftmost-longest matching. */
typedef struct tok_trie_node {
    uint32_t first_child, next_sibling; /* 0: none (node 0 is the root) */
    int32_t token;                      /* index into added[], or -1 */
    uint8_t byte;
} tok_trie_node;

typedef struct tok_trie {
    tok_trie_node *nodes;
    size_t n, cap;
    uint8_t first[32]; /* bitmap of first bytes */
} tok_trie;

typedef struct tok_bpe {
    tok_strmap vocab; /* model vocabulary only */
    tok_pairmap merges;
    bool has_unk, fuse_unk, byte_fallback, ignore_merges;
    char *unk_token;
    size_t unk_len;
    char *prefix; /* continuing_subword_prefix, NULL when none */
    size_t prefix_len;
    char *suffix; /* end_of_word_suffix, NULL when none */
    size_t suffix_len;
    uint32_t byte_ids[256]; /* <0xNN> ids, TOK_NO_ID when absent */
} tok_bpe;

struct tc_tok {
    char *name; /* file name for messages */
    char *arena; /* model vocabulary strings, NUL-separated */
    size_t n_ids;          /* table size: largest id + 1 */
    char **id_str;         /* (n_ids) token string per id, NULL for holes */
    uint32_t *id_len;      /* (n_ids) */
    uint8_t *id_special;   /* (n_ids) special added token */
    tok_bpe bpe;
    tok_added *added;
    size_t n_added;
    tok_strmap added_map;  /* content -> id */
    tok_trie trie_raw;     /* non-normalized added tokens */
    tok_trie trie_norm;    /* normalized added tokens */
    tok_norm *norm;        /* NULL: none */
    tok_pre *pre;          /* NULL: none */
    tok_dec *dec;          /* NULL: none (tokens joined with spaces) */
    tok_tmpl_elem *tmpl;   /* single-sequence template */
    size_t n_tmpl;
    tok_regex gpt2_re;     /* ByteLevel's built-in split */
    tok_regex ws_re;       /* Whitespace pre-tokenizer */
};

/* Per-call encode state. */
typedef struct tok_cache tok_cache;

typedef struct tok_ctx {
    const tc_tok *tok;
    tc_error *err;
    tok_matcher m;
    tok_segs segs;
    tok_cache *cache;
} tok_ctx;

/* ---- stages (tokenizer_*.c) --------------------------------------------- */

void tok_norm_free(tok_norm *n);
void tok_pre_free(tok_pre *p);
void tok_dec_free(tok_dec *d);

/* out receives the normalized form of s[0..n) (out is reset first). */
tc_status tok_normalize(tok_ctx *c, const tok_norm *norm, const char *s, size_t n,
                        tok_buf *out);

/* Replaces *l by its pre-tokenized pieces; tmp is scratch. */
tc_status tok_pre_tokenize(tok_ctx *c, const tok_pre *pre, tok_pieces *l,
                           tok_pieces *tmp);

/* Applies a split behaviour to segs in place (tokenizer_pretok.c). */
void tok_apply_behavior(tok_segs *segs, tok_behavior b);

/* Appends the BPE ids of one pre-token. */
tc_status tok_bpe_word(tok_ctx *c, const char *w, size_t n, tok_ids *out);
tc_status tok_cache_new(tok_cache **cache);
void tok_cache_free(tok_cache *cache);

/* Runs the decoder chain on the token list, replacing it. */
tc_status tok_decode_chain(tc_error *err, const tok_dec *d, tok_pieces *l,
                           tok_pieces *tmp);

/* The GPT-2 byte <-> symbol maps. */
uint32_t tok_byte_to_cp(uint8_t b);
int tok_cp_to_byte(uint32_t cp); /* -1 when cp is not a byte symbol */

/* Trie over added tokens. */
bool tok_trie_add(tok_trie *t, const char *s, size_t n, int32_t token);
/* Longest pattern starting at s[0..n): its token index, or -1. */
int32_t tok_trie_longest(const tok_trie *t, const char *s, size_t n, size_t *len);
void tok_trie_free(tok_trie *t);

#endif
