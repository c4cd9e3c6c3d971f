/* The model and tokenizer through the public API against reference outputs
 * computed by other software (tests/models/README.md): the hidden states of
 * a capture within 1e-4 of the reference, the greedy continuation exactly;
 * blocks run from the captured embedding reproduce the captured states bit
 * for bit; the tokenizer's ids and text match the reference cases; bad
 * arguments are TC_EARG with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "tensor/npy.h"
#include "api/api_test.h"
#include "tensorcommit.h"

static size_t ids_of(const json_t *arr, int32_t *out, size_t cap)
{
    size_t n = json_array_size(arr);
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++)
        out[i] = (int32_t)json_integer_value(json_array_get(arr, i));
    return n;
}

static void test_model(void **state)
{
    (void)state;
    tc_model *m = NULL;
    int L;
    size_t dim, vocab, max_pos;
    OK(tc_model_load(err, &m, TC_SOURCE_DIR "/models/stories260K"));
    tc_model_dims(m, &L, &dim, &vocab, &max_pos);
    assert_true(L >= 2 && dim > 0 && vocab > 0 && max_pos > 0);
    json_t *cases = tu_load_json("models/stories260K/expected/cases.json");
    const json_t *cs = json_array_get(json_object_get(cases, "cases"), 1);
    assert_string_equal(json_string_value(json_object_get(cs, "name")), "once_upon");
    int32_t ids[64], want[128], got[256];
    size_t T = ids_of(json_object_get(cs, "input_ids"), ids, 64);
    size_t n_new = ids_of(json_object_get(cs, "greedy_new_ids"), want, 128);

    tc_npy ref;
    tc_error e = {0};
    if (tc_npy_read(&e, &ref, TC_TEST_DATA_DIR "/models/stories260K/expected/once_upon_hidden_states.npy") != TC_OK)
        fail_msg("%s", e.msg);
    size_t n_hid = (size_t)(L + 1) * T * dim;
    assert_int_equal(ref.count, n_hid);
    float *hid = malloc(n_hid * sizeof *hid), *blocks = malloc(n_hid * sizeof *blocks);
    assert_non_null(hid);
    assert_non_null(blocks);
    OK(tc_model_capture(err, hid, m, ids, T, 2, true));
    for (size_t i = 0; i < n_hid; i++)
        if (!(fabs((double)hid[i] - (double)((const float *)ref.data)[i]) <= 1e-4))
            fail_msg("hidden state %zu: %g, reference %g", i, (double)hid[i],
                     (double)((const float *)ref.data)[i]);
    /* partial execution from hidden state 0 repeats states 1..L exactly */
    OK(tc_model_run_blocks(err, blocks, m, hid, T, 0, L - 1, 1, true));
    assert_memory_equal(blocks, hid + T * dim, (size_t)L * T * dim * sizeof *hid);
    OK(tc_model_run_blocks(err, blocks, m, hid + T * dim, T, 1, 1, 2, true));
    assert_memory_equal(blocks, hid + 2 * T * dim, T * dim * sizeof *hid);

    size_t n_out = 0;
    OK(tc_model_generate(err, got, &n_out, m, ids, T, n_new, 0.0f, 0, 2, false));
    assert_int_equal(n_out, T + n_new);
    assert_memory_equal(got, ids, T * sizeof *ids);
    assert_memory_equal(got + T, want, n_new * sizeof *want);

    FAILS(TC_EARG, tc_model_capture(err, hid, NULL, ids, T, 1, true));
    FAILS(TC_EARG, tc_model_capture(err, hid, m, ids, 0, 1, true));
    FAILS(TC_EARG, tc_model_capture(err, hid, m, ids, max_pos + 1, 1, true));
    FAILS(TC_EARG, tc_model_capture(err, NULL, m, ids, T, 1, true));
    FAILS(TC_EARG, tc_model_capture(err, hid, m, ids, T, 0, true));
    ids[0] = (int32_t)vocab;
    FAILS(TC_EARG, tc_model_capture(err, hid, m, ids, T, 1, true));
    FAILS(TC_EARG, tc_model_run_blocks(err, blocks, m, hid, T, 1, 0, 1, true));
    FAILS(TC_EARG, tc_model_run_blocks(err, blocks, m, hid, T, 0, L, 1, true));
    FAILS(TC_EARG, tc_model_generate(err, got, &n_out, m, NULL, T, 1, 0.0f, 0, 1, true));
    FAILS(TC_EARG, tc_model_generate(err, got, &n_out, m, want, 1, 1, -1.0f, 0, 1, true));
    tc_model *none = NULL;
    assert_int_not_equal(tc_model_load(&e, &none, "/nonexistent/model"), TC_OK);
    assert_null(none);
    free(hid);
    free(blocks);
    tc_npy_free(&ref);
    json_decref(cases);
    tc_model_free(m);
}

static void test_tokenizer(void **state)
{
    (void)state;
    tc_tokenizer *tok = NULL;
    OK(tc_tokenizer_load(err, &tok, TC_TEST_DATA_DIR "/models/gpt2-tokenizer/tokenizer.json"));
    json_error_t je;
    json_t *root = json_load_file(TC_TEST_DATA_DIR "/models/gpt2-tokenizer/cases.json",
                                  JSON_ALLOW_NUL, &je);   /* texts hold U+0000 */
    if (root == NULL)
        fail_msg("gpt2-tokenizer/cases.json: %s", je.text);
    const json_t *cases = json_object_get(root, "cases"), *c;
    size_t k, checked = 0;
    assert_true(json_array_size(cases) >= 10);
    json_array_foreach(cases, k, c) {
        const json_t *jt = json_object_get(c, "text"), *jd = json_object_get(c, "decoded");
        const char *text = json_string_value(jt);
        const json_t *want = json_object_get(c, "ids");
        uint32_t *ids = NULL;
        size_t n = 0, len = 0;
        char *back = NULL;
        OK(tc_tokenizer_encode(err, &ids, &n, tok, text, json_string_length(jt), false));
        assert_int_equal(n, json_array_size(want));
        for (size_t i = 0; i < n; i++)
            assert_int_equal(ids[i], json_integer_value(json_array_get(want, i)));
        OK(tc_tokenizer_decode(err, &back, &len, tok, ids, n, false));
        assert_int_equal(len, json_string_length(jd));
        assert_memory_equal(back, json_string_value(jd), len);
        tc_free(ids);
        tc_free(back);
        checked++;
    }
    assert_int_equal(checked, json_array_size(cases));
    uint32_t *ids = NULL;
    size_t n = 0;
    char *text = NULL;
    FAILS(TC_EARG, tc_tokenizer_encode(err, &ids, &n, NULL, "a", 1, false));
    FAILS(TC_EARG, tc_tokenizer_encode(err, &ids, &n, tok, NULL, 1, false));
    FAILS(TC_EARG, tc_tokenizer_decode(err, &text, &n, tok, NULL, 3, false));
    tc_tokenizer *none = NULL;
    tc_error e = {0};
    assert_int_not_equal(tc_tokenizer_load(&e, &none, "/nonexistent/tokenizer.json"), TC_OK);
    assert_null(none);
    assert_true(e.msg[0] != '\0');
    json_decref(root);
    tc_tokenizer_free(tok);
    tc_tokenizer_free(NULL);
    tc_model_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_model),
                                       cmocka_unit_test(test_tokenizer)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
