/* tokenizer: each component against the documented behaviour of the
 * Hugging Face tokenizers library (the examples of its own documentation and
 * unit tests), rejection of unsupported and malformed files, and invalid
 * UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer_impl.h"

/* ---- helpers ------------------------------------------------------------ */

#define VOCAB                                                                           \
    "{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4,\" \":5,\"x\":6,\"y\":7,\"<unk>\":8," \
    "\"\\u2581\":9,\"-\":10,\"!\":11,\"1\":12,\"2\":13,\"3\":14}"
#define BPE_MODEL "{\"type\":\"BPE\",\"vocab\":" VOCAB ",\"merges\":[\"a b\"]}"

typedef struct parts {
    const char *added, *normalizer, *pre, *post, *decoder, *model;
} parts;

static char *make_json(const parts *p)
{
    size_t cap = 8192;
    char *buf = malloc(cap);
    assert_non_null(buf);
    int n = snprintf(buf, cap,
                     "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                     "\"added_tokens\":[%s],\"normalizer\":%s,\"pre_tokenizer\":%s,"
                     "\"post_processor\":%s,\"decoder\":%s,\"model\":%s}",
                     p->added ? p->added : "", p->normalizer ? p->normalizer : "null",
                     p->pre ? p->pre : "null", p->post ? p->post : "null",
                     p->decoder ? p->decoder : "null", p->model ? p->model : BPE_MODEL);
    assert_true(n > 0 && (size_t)n < cap);
    return buf;
}

static tc_status try_load(const parts *p, tc_tok **tok, tc_error *err)
{
    char *j = make_json(p);
    tc_status st = tc_tok_load_json(err, tok, j, strlen(j), "test.json");
    free(j);
    return st;
}

static tc_tok *load(const parts *p)
{
    tc_error err = {0};
    tc_tok *tok = NULL;
    if (try_load(p, &tok, &err) != TC_OK)
        fail_msg("load failed: %s", err.msg);
    return tok;
}

/* The pre-tokenized pieces of s, joined with '|'. */
static char *pieces(const tc_tok *tok, const char *s)
{
    tc_error err = {0};
    tok_ctx c = {.tok = tok, .err = &err};
    tok_pieces l = {0}, tmp = {0};
    tok_buf out = {0};
    assert_int_equal(tok_matcher_init(&err, &c.m), TC_OK);
    assert_true(tok_pieces_add(&l, s, strlen(s), true));
    assert_int_equal(tok_pre_tokenize(&c, tok->pre, &l, &tmp), TC_OK);
    for (size_t i = 0; i < l.n; i++) {
        if (i)
            assert_true(tok_buf_putc(&out, '|'));
        assert_true(tok_buf_put(&out, l.text.p + l.v[i].off, l.v[i].len));
    }
    assert_true(tok_buf_reserve(&out, 0));
    out.p[out.n] = '\0';
    tok_pieces_free(&l);
    tok_pieces_free(&tmp);
    tok_segs_free(&c.segs);
    tok_matcher_free(&c.m);
    return out.p;
}

static void expect_pieces(const char *pre, const char *text, const char *want)
{
    parts p = {.pre = pre};
    tc_tok *tok = load(&p);
    char *got = pieces(tok, text);
    if (strcmp(got, want) != 0)
        fail_msg("pre %s on \"%s\": want \"%s\" got \"%s\"", pre, text, want, got);
    free(got);
    tc_tok_free(tok);
}

static void expect_normalized(const char *norm, const char *text, size_t len, const char *want)
{
    parts p = {.normalizer = norm};
    tc_tok *tok = load(&p);
    tc_error err = {0};
    tok_ctx c = {.tok = tok, .err = &err};
    tok_buf out = {0};
    assert_int_equal(tok_matcher_init(&err, &c.m), TC_OK);
    assert_int_equal(tok_normalize(&c, tok->norm, text, len, &out), TC_OK);
    if (out.n != strlen(want) || memcmp(out.p, want, out.n) != 0)
        fail_msg("normalizer %s: want \"%s\" got \"%.*s\"", norm, want, (int)out.n, out.p);
    tok_buf_free(&out);
    tok_segs_free(&c.segs);
    tok_matcher_free(&c.m);
    tc_tok_free(tok);
}

static void expect_ids(const tc_tok *tok, const char *text, bool special, const uint32_t *want,
                       size_t n_want)
{
    tc_error err = {0};
    uint32_t *ids = NULL;
    size_t n = 0;
    if (tc_tok_encode(&err, tok, &ids, &n, text, strlen(text), special) != TC_OK)
        fail_msg("encode \"%s\": %s", text, err.msg);
    if (n != n_want || (n && memcmp(ids, want, n * sizeof *ids) != 0)) {
        fprintf(stderr, "encode \"%s\" got:", text);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %u", ids[i]);
        fprintf(stderr, "\n");
        fail_msg("unexpected ids for \"%s\"", text);
    }
    free(ids);
}

#define IDS(...) (const uint32_t[]){__VA_ARGS__}, sizeof((const uint32_t[]){__VA_ARGS__}) / 4

static void expect_decoded(const tc_tok *tok, const uint32_t *ids, size_t n, const char *want)
{
    tc_error err = {0};
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(tc_tok_decode(&err, tok, &text, &len, ids, n, false), TC_OK);
    if (len != strlen(want) || memcmp(text, want, len) != 0)
        fail_msg("decode: want \"%s\" got \"%s\"", want, text);
    free(text);
}

/* ---- pre-tokenizers ------------------------------------------------------- */

/* The library's documented SplitDelimiterBehavior example. */
static void test_split_behaviors(void **state)
{
    (void)state;
    static const struct {
        const char *behavior, *want;
    } cases[] = {{"Removed", "The|final|countdown"},
                 {"Isolated", "The|-|final|-|-|countdown"},
                 {"MergedWithPrevious", "The-|final-|-|countdown"},
                 {"MergedWithNext", "The|-final|-|-countdown"},
                 {"Contiguous", "The|-|final|--|countdown"}};
    char pre[256];
    for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
        snprintf(pre, sizeof pre,
                 "{\"type\":\"Split\",\"pattern\":{\"String\":\"-\"},\"behavior\":\"%s\","
                 "\"invert\":false}",
                 cases[i].behavior);
        expect_pieces(pre, "The-final--countdown", cases[i].want);
        snprintf(pre, sizeof pre,
                 "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"-\"},\"behavior\":\"%s\","
                 "\"invert\":false}",
                 cases[i].behavior);
        expect_pieces(pre, "The-final--countdown", cases[i].want);
    }
    /* invert: the regex matches are what is kept */
    expect_pieces("{\"type\":\"Split\",\"pattern\":{\"Regex\":\"[a-z]+\"},"
                  "\"behavior\":\"Removed\",\"invert\":true}",
                  "ab-cd--e", "ab|cd|e");
}

static void test_metaspace(void **state)
{
    (void)state;
    const char *always = "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\","
                         "\"prepend_scheme\":\"always\",\"split\":true}";
    expect_pieces(always, "Hey friend!", "\xE2\x96\x81Hey|\xE2\x96\x81" "friend!");
    expect_pieces(always, "Hey   friend!",
                  "\xE2\x96\x81Hey|\xE2\x96\x81|\xE2\x96\x81|\xE2\x96\x81" "friend!");
    expect_pieces("{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\","
                  "\"prepend_scheme\":\"never\",\"split\":true}",
                  "Hey friend!", "Hey|\xE2\x96\x81" "friend!");
    expect_pieces("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"add_prefix_space\":true}",
                  "Hey friend!", "_Hey|_friend!");
    expect_pieces("{\"type\":\"Metaspace\",\"replacement\":\"_\","
                  "\"prepend_scheme\":\"first\",\"split\":false}",
                  "Hey friend!", "_Hey_friend!");
}

static void test_digits_punct_whitespace(void **state)
{
    (void)state;
    expect_pieces("{\"type\":\"Digits\",\"individual_digits\":false}", "Hey 123 friend!",
                  "Hey |123| friend!");
    expect_pieces("{\"type\":\"Digits\",\"individual_digits\":true}", "Hey 123 friend!",
                  "Hey |1|2|3| friend!");
    expect_pieces("{\"type\":\"Punctuation\",\"behavior\":\"Isolated\"}",
                  "Hey friend!     How are you?!?", "Hey friend|!|     How are you|?|!|?");
    expect_pieces("{\"type\":\"Whitespace\"}", "Hey man!", "Hey|man|!");
    expect_pieces("{\"type\":\"Whitespace\"}", "How are you doing?", "How|are|you|doing|?");
    expect_pieces("{\"type\":\"WhitespaceSplit\"}", "Hey man!  x\ty", "Hey|man!|x|y");
    expect_pieces("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                  "{\"type\":\"Digits\",\"individual_digits\":true}]}",
                  "ab12 c3", "ab|1|2|c|3");
}

static void test_bytelevel_pre(void **state)
{
    (void)state;
    const char *bl = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                     "\"use_regex\":true}";
    expect_pieces(bl, "Hello my friend, how is your day going?",
                  "Hello|\xC4\xA0my|\xC4\xA0" "friend|,|\xC4\xA0how|\xC4\xA0is|\xC4\xA0your|"
                  "\xC4\xA0" "day|\xC4\xA0going|?");
    expect_pieces(bl, "Hello there       dear",
                  "Hello|\xC4\xA0there|\xC4\xA0\xC4\xA0\xC4\xA0\xC4\xA0\xC4\xA0\xC4\xA0|"
                  "\xC4\xA0" "dear");
    expect_pieces(bl, "Hello there\nHello there",
                  "Hello|\xC4\xA0there|\xC4\x8A|Hello|\xC4\xA0there");
    expect_pieces("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"use_regex\":true}",
                  "Hello my", "\xC4\xA0Hello|\xC4\xA0my");
    expect_pieces("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"use_regex\":false}",
                  "Hello my friend", "\xC4\xA0Hello\xC4\xA0my\xC4\xA0" "friend");
    /* every byte maps to one symbol and back */
    for (unsigned b = 0; b < 256; b++)
        assert_int_equal(tok_cp_to_byte(tok_byte_to_cp((uint8_t)b)), (int)b);
    assert_int_equal(tok_byte_to_cp(' '), 0x120);
    assert_int_equal(tok_byte_to_cp('\n'), 0x10A);
    assert_int_equal(tok_byte_to_cp(0), 0x100);
    assert_int_equal(tok_byte_to_cp(0xAD), 0x143);
}

/* ---- normalizers ------------------------------------------------------------ */

static void test_normalizers(void **state)
{
    (void)state;
    expect_normalized("{\"type\":\"NFC\"}", "e\xCC\x81", 3, "\xC3\xA9");
    expect_normalized("{\"type\":\"NFD\"}", "\xC3\xA9", 2, "e\xCC\x81");
    expect_normalized("{\"type\":\"NFKC\"}", "\xEF\xAC\x81", 3, "fi");
    expect_normalized("{\"type\":\"NFC\"}", "\xEF\xAC\x81", 3, "\xEF\xAC\x81");
    expect_normalized("{\"type\":\"NFKD\"}", "\xC2\xBD", 2, "1\xE2\x81\x84" "2");
    expect_normalized("{\"type\":\"Lowercase\"}", "HeLLo \xC4\xB0\xC3\x89", 10,
                      "hello i\xCC\x87\xC3\xA9");
    expect_normalized("{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}",
                      "  a b \n\xE3\x80\x80", 10, "a b");
    expect_normalized("{\"type\":\"Strip\",\"strip_left\":false,\"strip_right\":true}", " a ", 3,
                      " a");
    expect_normalized("{\"type\":\"Prepend\",\"prepend\":\"_\"}", "", 0, "");
    expect_normalized("{\"type\":\"Prepend\",\"prepend\":\"_\"}", "ab", 2, "_ab");
    expect_normalized("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {2,}\"},\"content\":\" \"}",
                      "a   b  c d", 10, "a b c d");
    expect_normalized("{\"type\":\"Replace\",\"pattern\":{\"String\":\"ab\"},\"content\":\"X\"}",
                      "abcabab", 7, "XcXX");
    /* the Llama-2 / stories260K sequence */
    const char *llama =
        "{\"type\":\"Sequence\",\"normalizers\":["
        "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\A +| +\\\\z\"},\"content\":\"\"},"
        "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {2,}\"},\"content\":\" \"},"
        "{\"type\":\"Prepend\",\"prepend\":\"\\u2581\"},"
        "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\\u2581\"}]}";
    expect_normalized(llama, "  Hello   world ", 16,
                      "\xE2\x96\x81Hello\xE2\x96\x81world");
    expect_normalized(llama, "   ", 3, "");
}

/* ---- the BPE model -------------------------------------------------------------- */

static void test_bpe_unknown_and_fallback(void **state)
{
    (void)state;
    parts p = {.model = "{\"type\":\"BPE\",\"vocab\":" VOCAB ",\"merges\":[\"a b\"],"
                        "\"unk_token\":\"<unk>\",\"fuse_unk\":true}"};
    tc_tok *tok = load(&p);
    expect_ids(tok, "abzqb", false, IDS(3, 8, 1));
    tc_tok_free(tok);
    p.model = "{\"type\":\"BPE\",\"vocab\":" VOCAB ",\"merges\":[\"a b\"],"
              "\"unk_token\":\"<unk>\",\"fuse_unk\":false}";
    tok = load(&p);
    expect_ids(tok, "abzqb", false, IDS(3, 8, 8, 1));
    tc_tok_free(tok);
    /* no unknown token: unknown characters are dropped */
    p.model = BPE_MODEL;
    tok = load(&p);
    expect_ids(tok, "azb", false, IDS(3)); /* a, b now adjacent */
    tc_tok_free(tok);
    /* byte fallback: "é" = C3 A9 becomes two byte tokens */
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"<0xC3>\":1,\"<0xA9>\":2,\"<unk>\":3},"
              "\"merges\":[],\"unk_token\":\"<unk>\",\"byte_fallback\":true}";
    tok = load(&p);
    expect_ids(tok, "a\xC3\xA9" "a", false, IDS(0, 1, 2, 0));
    expect_ids(tok, "\xE2\x82\xAC", false, IDS(3)); /* bytes missing: unknown */
    tc_tok_free(tok);
    /* unk_token missing from the vocabulary fails when it is needed */
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[],\"unk_token\":\"<unk>\"}";
    tok = load(&p);
    tc_error err = {0};
    uint32_t *ids = NULL;
    size_t n = 0;
    expect_ids(tok, "aa", false, IDS(0, 0));
    assert_int_equal(tc_tok_encode(&err, tok, &ids, &n, "ab", 2, false), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "<unk>"));
    tc_tok_free(tok);
}

static void test_bpe_merges(void **state)
{
    (void)state;
    /* rank order decides: "b c" (rank 0) before "a b" (rank 1) */
    parts p = {.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,"
                        "\"bc\":4,\"abc\":5},\"merges\":[\"b c\",\"a b\",\"a bc\"]}"};
    tc_tok *tok = load(&p);
    expect_ids(tok, "abc", false, IDS(5));
    expect_ids(tok, "abab", false, IDS(3, 3));
    tc_tok_free(tok);
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"bc\":4,\"abc\":5},"
              "\"merges\":[[\"a\",\"b\"],[\"b\",\"c\"]]}";
    tok = load(&p);
    expect_ids(tok, "abc", false, IDS(3, 2)); /* no "ab c" merge */
    tc_tok_free(tok);
    /* ignore_merges: a whole word in the vocabulary is one token */
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4},"
              "\"merges\":[\"a b\"],\"ignore_merges\":true}";
    tok = load(&p);
    expect_ids(tok, "abc", false, IDS(4));
    expect_ids(tok, "abca", false, IDS(3, 2, 0));
    tc_tok_free(tok);
    /* continuing_subword_prefix: "a ##b" merges to "ab" */
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"##b\":1,\"ab\":2,\"##a\":3},"
              "\"merges\":[\"a ##b\"],\"continuing_subword_prefix\":\"##\"}";
    tok = load(&p);
    expect_ids(tok, "ab", false, IDS(2));
    expect_ids(tok, "aab", false, IDS(0, 3, 1));
    tc_tok_free(tok);
    /* end_of_word_suffix */
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b</w>\":1,\"ab</w>\":2,\"b\":3},"
              "\"merges\":[\"a b</w>\"],\"end_of_word_suffix\":\"</w>\"}";
    tok = load(&p);
    expect_ids(tok, "ab", false, IDS(2));
    expect_ids(tok, "ba", false, IDS(3)); /* "a</w>" is unknown and dropped */
    tc_tok_free(tok);
}

/* ---- added tokens and post-processors ---------------------------------------------------- */

static void test_added_tokens(void **state)
{
    (void)state;
    parts p = {.added = "{\"id\":15,\"content\":\"<m>\",\"single_word\":false,\"lstrip\":true,"
                        "\"rstrip\":false,\"normalized\":false,\"special\":true},"
                        "{\"id\":16,\"content\":\"<m>x\",\"single_word\":false,\"lstrip\":false,"
                        "\"rstrip\":true,\"normalized\":false,\"special\":false},"
                        "{\"id\":17,\"content\":\"cab\",\"single_word\":true,\"lstrip\":false,"
                        "\"rstrip\":false,\"normalized\":false,\"special\":false}"};
    tc_tok *tok = load(&p);
    expect_ids(tok, "a  <m>b", false, IDS(0, 15, 1));    /* lstrip eats the spaces */
    expect_ids(tok, "a <m>x  b", false, IDS(0, 5, 16, 1)); /* longest match, rstrip */
    expect_ids(tok, "xcab", false, IDS(6, 2, 3));         /* not a single word */
    expect_ids(tok, "x cab!", false, IDS(6, 5, 17, 11));
    assert_true(tc_tok_is_special(tok, 15));
    assert_false(tc_tok_is_special(tok, 16));
    uint32_t id;
    assert_true(tc_tok_token_to_id(tok, "<m>x", 4, &id));
    assert_int_equal(id, 16);
    size_t len;
    assert_string_equal(tc_tok_id_to_token(tok, 17, &len), "cab");
    assert_null(tc_tok_id_to_token(tok, 18, &len));
    assert_int_equal(tc_tok_vocab_size(tok), 18);
    tc_tok_free(tok);
    /* normalized: matched after the normalizer ran */
    p.added = "{\"id\":15,\"content\":\"ABC\",\"normalized\":true,\"special\":false}";
    p.normalizer = "{\"type\":\"Lowercase\"}";
    tok = load(&p);
    expect_ids(tok, "xAbCy", false, IDS(6, 15, 7));
    tc_tok_free(tok);
    /* Metaspace "first" prepends only to the piece at the start of the text,
     * not to text after an added token; "always" to every piece */
    p.normalizer = NULL;
    p.added = "{\"id\":15,\"content\":\"<m>\",\"normalized\":false,\"special\":true}";
    p.pre = "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\"}";
    tok = load(&p);
    expect_ids(tok, "x<m>ab", false, IDS(9, 6, 15, 3));
    tc_tok_free(tok);
    p.pre = "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"always\"}";
    tok = load(&p);
    expect_ids(tok, "x<m>ab", false, IDS(9, 6, 15, 9, 3));
    tc_tok_free(tok);
    /* ids are assigned as the library assigns them, whatever the file says:
     * content in the vocabulary keeps its id, new content gets the next id */
    p.pre = NULL;
    p.added = "{\"id\":40,\"content\":\"<q>\",\"special\":true},"
              "{\"id\":41,\"content\":\"abc\",\"special\":true},"
              "{\"id\":42,\"content\":\"<r>\",\"special\":false}";
    tok = load(&p);
    expect_ids(tok, "<r>abc<q>", false, IDS(16, 4, 15));
    assert_int_equal(tc_tok_vocab_size(tok), 17);
    assert_true(tc_tok_is_special(tok, 4));
    tc_tok_free(tok);
}

static void test_post_processors(void **state)
{
    (void)state;
    parts p = {.post = "{\"type\":\"TemplateProcessing\",\"single\":["
                       "{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},"
                       "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                       "{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}],"
                       "\"pair\":[],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[6,7],"
                       "\"tokens\":[\"x\",\"y\"]},\"</s>\":{\"id\":\"</s>\",\"ids\":[8]}}}"};
    tc_tok *tok = load(&p);
    expect_ids(tok, "ab", true, IDS(6, 7, 3, 8));
    expect_ids(tok, "ab", false, IDS(3));
    assert_int_equal(tc_tok_bos_id(tok), 6);
    assert_int_equal(tc_tok_eos_id(tok), 8);
    tc_tok_free(tok);
    p.post = "{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\"},"
             "{\"type\":\"RobertaProcessing\",\"sep\":[\"!\",11],\"cls\":[\"-\",10]}]}";
    tok = load(&p);
    expect_ids(tok, "c", true, IDS(10, 2, 11));
    tc_tok_free(tok);
}

/* ---- decoders ------------------------------------------------------------------------------ */

static void test_decoders(void **state)
{
    (void)state;
    /* the library's ByteFallback examples: 叫 = E5 8F AB */
    parts p = {.model = "{\"type\":\"BPE\",\"vocab\":{\"<0xE5>\":0,\"<0x8f>\":1,\"<0xAB>\":2,"
                        "\"a\":3,\"\\u2581b\":4,\" \":5},\"merges\":[]}",
               .decoder = "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteFallback\"},"
                          "{\"type\":\"Fuse\"}]}"};
    tc_tok *tok = load(&p);
    expect_decoded(tok, IDS(0, 1, 2, 3), "\xE5\x8F\xAB" "a");
    expect_decoded(tok, IDS(0, 1, 3), "\xEF\xBF\xBD\xEF\xBF\xBD" "a");
    expect_decoded(tok, IDS(0), "\xEF\xBF\xBD");
    expect_decoded(tok, IDS(3, 99, 3), "aa"); /* ids without a token are skipped */
    tc_tok_free(tok);
    p.decoder = "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\","
                "\"prepend_scheme\":\"always\"}";
    tok = load(&p);
    expect_decoded(tok, IDS(4, 4), "b b");
    tc_tok_free(tok);
    p.decoder = "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":"
                "{\"String\":\"\\u2581\"},\"content\":\" \"},{\"type\":\"Fuse\"},"
                "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}]}";
    tok = load(&p);
    expect_decoded(tok, IDS(4, 3, 5, 5), "ba ");
    tc_tok_free(tok);
    p.decoder = NULL; /* no decoder: tokens joined by spaces */
    tok = load(&p);
    expect_decoded(tok, IDS(3, 3), "a a");
    tc_tok_free(tok);
}

/* Unicode 15, section 3.9, "U+FFFD Substitution of Maximal Subparts". */
static void test_utf8_lossy(void **state)
{
    (void)state;
    const uint8_t in[] = {0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62,
                          0x80, 0x63, 0x80, 0xBF, 0x64};
    tok_buf out = {0};
    assert_true(tok_utf8_lossy(&out, in, sizeof in));
    const char *want = "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD"
                       "c\xEF\xBF\xBD\xEF\xBF\xBD" "d";
    assert_int_equal(out.n, strlen(want));
    assert_memory_equal(out.p, want, out.n);
    out.n = 0;
    const uint8_t sur[] = {0xED, 0xA0, 0x80, 0xC0, 0xAF, 0xF4, 0x90, 0x80, 0x80};
    assert_true(tok_utf8_lossy(&out, sur, sizeof sur));
    assert_int_equal(out.n, 9 * 3); /* every byte its own U+FFFD */
    tok_buf_free(&out);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len, bad;
    } cases[] = {{"ab\xFF", 3, 2},       {"a\xC3", 2, 1},          {"\xC0\xAF", 2, 0},
                 {"xy\xED\xA0\x80", 5, 2}, {"\xF4\x90\x80\x80", 4, 0}, {"ok\xE2\x82", 4, 2},
                 {"\x80", 1, 0}};
    parts p = {0};
    tc_tok *tok = load(&p);
    for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
        tc_error err = {0};
        uint32_t *ids = (uint32_t *)1;
        size_t n = 7;
        char want[64];
        assert_int_equal(tc_tok_encode(&err, tok, &ids, &n, cases[i].s, cases[i].len, false),
                         TC_EFORMAT);
        assert_null(ids);
        assert_int_equal(n, 0);
        snprintf(want, sizeof want, "byte offset %zu", cases[i].bad);
        assert_non_null(strstr(err.msg, want));
    }
    /* valid edge cases: U+0000, U+10FFFF, U+FFFD */
    expect_ids(tok, "", false, NULL, 0);
    tc_error err = {0};
    uint32_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(tc_tok_encode(&err, tok, &ids, &n, "a\0b\xF4\x8F\xBF\xBF", 7, false), TC_OK);
    free(ids);
    tc_tok_free(tok);
}

/* ---- rejection ----------------------------------------------------------------------------- */

static void expect_load_fails(const parts *p, tc_status want, const char *needle)
{
    tc_error err = {0};
    tc_tok *tok = (tc_tok *)1;
    tc_status st = try_load(p, &tok, &err);
    if (st != want || strstr(err.msg, needle) == NULL)
        fail_msg("want status %d with \"%s\", got %d: %s", want, needle, st, err.msg);
    assert_null(tok);
    assert_non_null(strstr(err.msg, "test.json"));
}

static void test_unsupported(void **state)
{
    (void)state;
    parts p = {.model = "{\"type\":\"WordPiece\",\"vocab\":{\"a\":0},\"unk_token\":\"[UNK]\"}"};
    expect_load_fails(&p, TC_EUNSUPPORTED, "WordPiece");
    p.model = "{\"type\":\"Unigram\",\"vocab\":[[\"a\",-1.0]]}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "Unigram");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[],\"dropout\":0.1}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "dropout");
    p.model = NULL;
    p.normalizer = "{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"AAAA\"}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "Precompiled");
    p.normalizer = "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},"
                   "{\"type\":\"BertNormalizer\"}]}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "BertNormalizer");
    p.normalizer = NULL;
    p.pre = "{\"type\":\"UnicodeScripts\"}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "UnicodeScripts");
    p.pre = "{\"type\":\"Split\",\"pattern\":{\"String\":\"-\"},\"behavior\":\"Sideways\"}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "Sideways");
    p.pre = NULL;
    p.decoder = "{\"type\":\"WordPiece\",\"prefix\":\"##\"}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "WordPiece");
    p.decoder = NULL;
    p.post = "{\"type\":\"Mystery\"}";
    expect_load_fails(&p, TC_EUNSUPPORTED, "Mystery");
    p.post = NULL;
    const char *trunc = "{\"truncation\":{\"max_length\":8},\"model\":" BPE_MODEL "}";
    tc_error err = {0};
    tc_tok *tok = NULL;
    assert_int_equal(tc_tok_load_json(&err, &tok, trunc, strlen(trunc), "t.json"), TC_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "truncation"));
}

static void test_malformed(void **state)
{
    (void)state;
    parts p = {.model = "{\"type\":\"BPE\",\"vocab\":[\"a\"],\"merges\":[]}"};
    expect_load_fails(&p, TC_EFORMAT, "vocab");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":\"zero\"},\"merges\":[]}";
    expect_load_fails(&p, TC_EFORMAT, "vocab");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":-1},\"merges\":[]}";
    expect_load_fails(&p, TC_EFORMAT, "vocab");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":7}";
    expect_load_fails(&p, TC_EFORMAT, "merges");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\"]}";
    expect_load_fails(&p, TC_EFORMAT, "not in the vocabulary");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"ab\"]}";
    expect_load_fails(&p, TC_EFORMAT, "merge 0");
    p.model = "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[],\"byte_fallback\":\"yes\"}";
    expect_load_fails(&p, TC_EFORMAT, "byte_fallback");
    p.model = NULL;
    p.added = "{\"id\":\"7\",\"content\":\"<x>\"}";
    expect_load_fails(&p, TC_EFORMAT, "added token id");
    p.added = NULL;
    p.pre = "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(\"},\"behavior\":\"Isolated\"}";
    expect_load_fails(&p, TC_EFORMAT, "regex");
    p.pre = "{\"pattern\":1}";
    expect_load_fails(&p, TC_EFORMAT, "pre_tokenizer");
    p.pre = NULL;
    p.post = "{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\"}}],"
             "\"special_tokens\":{}}";
    expect_load_fails(&p, TC_EFORMAT, "<s>");
    p.post = NULL;
    /* every proper prefix of a valid file is refused as malformed */
    char *j = make_json(&p);
    size_t len = strlen(j);
    for (size_t cut = 0; cut < len; cut++) {
        tc_error err = {0};
        tc_tok *tok = NULL;
        tc_status st = tc_tok_load_json(&err, &tok, j, cut, "cut.json");
        assert_int_equal(st, TC_EFORMAT);
        assert_null(tok);
        assert_non_null(strstr(err.msg, "cut.json"));
    }
    free(j);
    tc_error err = {0};
    tc_tok *tok = NULL;
    assert_int_equal(tc_tok_load_json(&err, &tok, "[1,2]", 5, "arr.json"), TC_EFORMAT);
    assert_int_equal(tc_tok_load(&err, &tok, "/nonexistent/tokenizer.json"), TC_EIO);
}

/* The \s rewrite: Unicode White_Space, not PCRE2's wider \s. */
static void test_regex_whitespace(void **state)
{
    (void)state;
    const char *pre = "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},"
                      "\"behavior\":\"Removed\",\"invert\":false}";
    expect_pieces(pre, "a\xC2\x85" "b\xE1\xA0\x8E" "c\xE3\x80\x80" "d\xEF\xBB\xBF" "e",
                  "a|b\xE1\xA0\x8E" "c|d\xEF\xBB\xBF" "e");
    pre = "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"[^\\\\s]+\"},"
          "\"behavior\":\"Isolated\",\"invert\":false}";
    expect_pieces(pre, "ab \xE1\xA0\x8E", "ab| |\xE1\xA0\x8E");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_behaviors),
        cmocka_unit_test(test_metaspace),
        cmocka_unit_test(test_digits_punct_whitespace),
        cmocka_unit_test(test_bytelevel_pre),
        cmocka_unit_test(test_normalizers),
        cmocka_unit_test(test_bpe_unknown_and_fallback),
        cmocka_unit_test(test_bpe_merges),
        cmocka_unit_test(test_added_tokens),
        cmocka_unit_test(test_post_processors),
        cmocka_unit_test(test_decoders),
        cmocka_unit_test(test_utf8_lossy),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_regex_whitespace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
