/* tokenizer: every case of the test tokenizers' case files, whose ids were
 * produced by the Hugging Face tokenizers library (0.22.2) itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer.h"

#define MODELS TC_TEST_DATA_DIR "/models/"
#define STORIES TC_SOURCE_DIR "/models/stories260K"

static json_t *load_cases(const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    json_t *cases = json_object_get(root, "cases");
    assert_true(json_is_array(cases));
    assert_true(json_array_size(cases) > 100);
    return root;
}

static tc_tok *load_tok(const char *path)
{
    tc_error err = {0};
    tc_tok *tok = NULL;
    tc_status st = tc_tok_load(&err, &tok, path);
    if (st != TC_OK)
        fail_msg("%s: %s", path, err.msg);
    return tok;
}

/* Compares an encoding with a JSON id array; prints the case on mismatch. */
static bool ids_equal(const uint32_t *ids, size_t n, json_t *want, size_t skip_front)
{
    if (json_array_size(want) + skip_front != n)
        return false;
    for (size_t i = 0; i < json_array_size(want); i++)
        if ((json_int_t)ids[i + skip_front] != json_integer_value(json_array_get(want, i)))
            return false;
    return true;
}

static void print_ids(const char *label, const uint32_t *ids, size_t n)
{
    fprintf(stderr, "  %s:", label);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %u", ids[i]);
    fprintf(stderr, "\n");
}

static size_t check_encode(tc_tok *tok, json_t *c, const char *ids_key, bool add_special,
                           const uint32_t *prefix, size_t n_prefix)
{
    json_t *text = json_object_get(c, "text");
    json_t *want = json_object_get(c, ids_key);
    tc_error err = {0};
    uint32_t *ids = NULL;
    size_t n = 0;
    assert_true(json_is_string(text) && json_is_array(want));
    tc_status st = tc_tok_encode(&err, tok, &ids, &n, json_string_value(text),
                                 json_string_length(text), add_special);
    if (st != TC_OK) {
        fprintf(stderr, "encode failed on \"%s\": %s\n", json_string_value(text), err.msg);
        return 1;
    }
    bool ok = n >= n_prefix &&
              (n_prefix == 0 || memcmp(ids, prefix, n_prefix * sizeof *ids) == 0) &&
              ids_equal(ids, n, want, n_prefix);
    if (!ok) {
        fprintf(stderr, "mismatch (add_special=%d) on \"%s\"\n", add_special,
                json_string_value(text));
        print_ids("got", ids, n);
    }
    free(ids);
    return ok ? 0 : 1;
}

static size_t check_decode(tc_tok *tok, json_t *c, const char *ids_key, const char *text_key,
                           bool skip_special)
{
    json_t *want = json_object_get(c, text_key);
    json_t *jids = json_object_get(c, ids_key);
    size_t n = json_array_size(jids);
    uint32_t *ids = calloc(n + 1, sizeof *ids);
    char *text = NULL;
    size_t len = 0;
    tc_error err = {0};
    assert_non_null(ids);
    assert_true(json_is_string(want));
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)json_integer_value(json_array_get(jids, i));
    tc_status st = tc_tok_decode(&err, tok, &text, &len, ids, n, skip_special);
    free(ids);
    if (st != TC_OK) {
        fprintf(stderr, "decode failed: %s\n", err.msg);
        return 1;
    }
    bool ok = len == json_string_length(want) && memcmp(text, json_string_value(want), len) == 0;
    if (!ok)
        fprintf(stderr, "decode mismatch (skip=%d): want \"%s\" got \"%s\"\n", skip_special,
                json_string_value(want), text);
    free(text);
    return ok ? 0 : 1;
}

/* gpt2-tokenizer and qwen-tokenizer share one case format. */
static void run_hf_cases(const char *dir)
{
    char tpath[512], cpath[512];
    snprintf(tpath, sizeof tpath, MODELS "%s/tokenizer.json", dir);
    snprintf(cpath, sizeof cpath, MODELS "%s/cases.json", dir);
    tc_tok *tok = load_tok(tpath);
    json_t *root = load_cases(cpath);
    json_t *cases = json_object_get(root, "cases"), *c;
    size_t i, bad = 0, roundtrips = 0;
    json_array_foreach(cases, i, c)
    {
        bad += check_encode(tok, c, "ids", false, NULL, 0);
        /* the ByteLevel post-processor adds nothing */
        bad += check_encode(tok, c, "ids", true, NULL, 0);
        bad += check_decode(tok, c, "ids", "decoded", false);
        bad += check_decode(tok, c, "ids", "decoded_skip_special", true);
        if (json_is_true(json_object_get(c, "roundtrip"))) {
            bad += check_decode(tok, c, "ids", "text", false);
            roundtrips++;
        }
    }
    fprintf(stderr, "%s: %zu cases, %zu round trips, %zu failures\n", dir,
            json_array_size(cases), roundtrips, bad);
    assert_int_equal(bad, 0);
    assert_true(roundtrips > 100);
    json_decref(root);
    tc_tok_free(tok);
}

static void test_gpt2_cases(void **state)
{
    (void)state;
    run_hf_cases("gpt2-tokenizer");
}

static void test_qwen_cases(void **state)
{
    (void)state;
    run_hf_cases("qwen-tokenizer");
}

/* stories260K: hf_tokenizers_ids is the target (no BOS); with special
 * tokens the TemplateProcessing post-processor prepends <s> = 1.  Where
 * sentencepiece agrees, its decoded text is also what the library's decoder
 * chain (Replace, ByteFallback, Fuse, Strip) gives back. */
static void run_llama_cases(const char *tok_path)
{
    tc_tok *tok = load_tok(tok_path);
    json_t *root = load_cases(MODELS "stories260K/expected/tokenizer_cases.json");
    json_t *cases = json_object_get(root, "cases"), *c;
    const uint32_t bos = 1;
    size_t i, bad = 0, decoded = 0;
    assert_int_equal(tc_tok_bos_id(tok), 1);
    assert_int_equal(tc_tok_eos_id(tok), 2);
    assert_int_equal(tc_tok_vocab_size(tok), 512);
    json_array_foreach(cases, i, c)
    {
        bad += check_encode(tok, c, "hf_tokenizers_ids", false, NULL, 0);
        bad += check_encode(tok, c, "hf_tokenizers_ids", true, &bos, 1);
        if (json_is_true(json_object_get(c, "agree"))) {
            bad += check_decode(tok, c, "hf_tokenizers_ids", "sentencepiece_decode", false);
            decoded++;
        }
    }
    fprintf(stderr, "%s: %zu cases, %zu decoded, %zu failures\n", tok_path,
            json_array_size(cases), decoded, bad);
    assert_int_equal(bad, 0);
    json_decref(root);
    tc_tok_free(tok);
}

static void test_stories_cases(void **state)
{
    (void)state;
    run_llama_cases(STORIES);
}

/* tiny-llama ships a byte-identical copy: loading it through the folder
 * path must give the same encodings. */
static void test_tiny_llama_cases(void **state)
{
    (void)state;
    run_llama_cases(MODELS "tiny-llama/tokenizer.json");
}

/* The model cases: "Once upon a time" with BOS is the prompt whose hidden
 * states were recorded. */
static void test_stories_prompt(void **state)
{
    (void)state;
    tc_tok *tok = load_tok(STORIES);
    tc_error err = {0};
    uint32_t *ids = NULL;
    size_t n = 0;
    const uint32_t want[] = {1, 403, 407, 261, 378};
    assert_int_equal(tc_tok_encode(&err, tok, &ids, &n, "Once upon a time", 16, true), TC_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(ids, want, sizeof want);
    free(ids);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(tc_tok_decode(&err, tok, &text, &len, want, 5, true), TC_OK);
    assert_string_equal(text, "Once upon a time");
    free(text);
    /* BOS only: the empty prompt */
    assert_int_equal(tc_tok_encode(&err, tok, &ids, &n, "", 0, true), TC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1);
    free(ids);
    tc_tok_free(tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpt2_cases),
        cmocka_unit_test(test_qwen_cases),
        cmocka_unit_test(test_stories_cases),
        cmocka_unit_test(test_tiny_llama_cases),
        cmocka_unit_test(test_stories_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
