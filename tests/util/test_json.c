/* util/json: files load with one error line naming the file and jansson's
 * line and column, streams load too, the digest is SHA-256 of the bytes,
 * field tables refuse unknown, mistyped and missing members, the typed
 * getters refuse what is not exactly their type, and text ends in a
 * newline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/testutil.h"
#include "util/json.h"
#include "util/util.h"

static char dir[256];

static int setup_dir(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "json");
}

static int remove_dir(void **state)
{
    (void)state;
    return tu_rmtree(dir);
}

/* Writes text to dir/name; the path goes to out. */
static void put(char *out, size_t cap, const char *name, const char *text)
{
    snprintf(out, cap, "%s/%s", dir, name);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_errors(void **state)
{
    (void)state;
    char path[512];
    json_t *root = (json_t *)1;
    tc_error err = {0};
    put(path, sizeof path, "bad.json", "{\n  \"a\": 1,\n  oops\n}\n");
    /* both ways of reading give the same located message */
    for (size_t max_len = 0; max_len <= 1024; max_len += 1024) {
        assert_int_equal(tc_json_load(&err, &root, path, max_len, NULL), TC_EFORMAT);
        assert_null(root);
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, "invalid JSON at line 3 column"));
    }
    put(path, sizeof path, "dup.json", "{\"a\": 1, \"a\": 2}");
    assert_int_equal(tc_json_load(&err, &root, path, 0, NULL), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "duplicate"));
    put(path, sizeof path, "array.json", "[1, 2]");
    assert_int_equal(tc_json_load(&err, &root, path, 0, NULL), TC_OK);
    assert_true(json_is_array(root));
    json_decref(root);
    assert_int_equal(tc_json_load_object(&err, &root, path, 0, NULL), TC_EFORMAT);
    assert_null(root);
    assert_non_null(strstr(err.msg, "not a JSON object"));
    snprintf(path, sizeof path, "%s/missing.json", dir);
    assert_int_equal(tc_json_load(&err, &root, path, 0, NULL), TC_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(tc_json_load(&err, &root, path, 1024, NULL), TC_EIO);
    put(path, sizeof path, "big.json", "{\"a\": \"0123456789\"}");
    assert_int_equal(tc_json_load(&err, &root, path, 8, NULL), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "more than the 8 allowed"));
}

/* SHA-256("{}") from the standard's definition (sha256sum of the bytes). */
static void test_load_digest(void **state)
{
    (void)state;
    char path[512], hex[65];
    uint8_t d[32];
    json_t *root = NULL;
    tc_error err = {0};
    put(path, sizeof path, "empty.json", "{}");
    assert_int_equal(tc_json_load_object(&err, &root, path, 0, d), TC_OK);
    tc_hex_encode(hex, d, 32);
    assert_string_equal(hex, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    assert_int_equal(json_object_size(root), 0);
    json_decref(root);
}

/* Without a size limit or digest the file may be a FIFO. */
static void test_load_stream(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = fopen(path, "w");
        fputs("{\"n\": 7}", f);
        fclose(f);
        _exit(0);
    }
    json_t *root = NULL;
    tc_error err = {0};
    assert_int_equal(tc_json_load_object(&err, &root, path, 0, NULL), TC_OK);
    assert_int_equal(json_integer_value(json_object_get(root, "n")), 7);
    json_decref(root);
    int ws;
    waitpid(pid, &ws, 0);
}

static void test_check_fields(void **state)
{
    (void)state;
    static const tc_json_field f[] = {
        {"name", 's', true}, {"count", 'i', true}, {"key", 'h', false}, {"ok", 'b', false},
    };
    static const char hex[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    struct {
        const char *text, *want;       /* want: NULL for TC_OK, else in the message */
    } cases[] = {
        {"{\"name\": \"a\", \"count\": 1}", NULL},
        {"{\"name\": \"a\", \"count\": 1, \"ok\": true}", NULL},
        {"{\"name\": \"a\", \"count\": 1, \"extra\": 0}", "unknown field \"s.extra\""},
        {"{\"name\": \"a\", \"count\": 1.5}", "field \"s.count\" must be an integer"},
        {"{\"name\": 3, \"count\": 1}", "field \"s.name\" must be a string"},
        {"{\"name\": \"a\"}", "field \"s.count\" is missing"},
        {"{\"name\": \"a\", \"count\": 1, \"key\": \"0011\"}", "must be 64 hex characters"},
        {"{\"name\": \"a\", \"count\": 1, \"ok\": 1}", "must be true or false"},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
        json_t *o = json_loads(cases[i].text, 0, NULL);
        tc_error err = {0};
        tc_status st = tc_json_check_fields(&err, "x.json", "s.", o, f, TC_ARRAY_LEN(f));
        if (cases[i].want == NULL) {
            assert_int_equal(st, TC_OK);
        } else {
            assert_int_equal(st, TC_EFORMAT);
            assert_non_null(strstr(err.msg, "x.json: "));
            assert_non_null(strstr(err.msg, cases[i].want));
        }
        json_decref(o);
    }
    json_t *o = json_pack("{s:s, s:i, s:s}", "name", "a", "count", 1, "key", hex);
    assert_int_equal(tc_json_check_fields(NULL, "x.json", "", o, f, TC_ARRAY_LEN(f)), TC_OK);
    char out[65];
    assert_true(tc_json_hex32(o, "key", out));
    assert_string_equal(out, hex);
    assert_false(tc_json_hex32(o, "name", out));
    json_decref(o);
}

static void test_getters(void **state)
{
    (void)state;
    json_t *o = json_loads("{\"i\": 5, \"big\": 1e15, \"neg\": -1, \"half\": 2.5, "
                           "\"huge\": 18014398509481984.0, \"s\": \"7\", \"r\": 0.25}",
                           0, NULL);
    assert_non_null(o);
    tc_error err = {0};
    uint64_t u;
    double d;
    json_int_t v;
    assert_int_equal(tc_json_get_u64(&err, &u, o, "i", "p"), TC_OK);
    assert_int_equal(u, 5);
    assert_int_equal(tc_json_get_u64(&err, &u, o, "big", "p"), TC_OK);
    assert_int_equal(u, 1000000000000000ULL);
    const char *bad_u64[] = {"neg", "half", "huge", "s"};
    for (size_t i = 0; i < TC_ARRAY_LEN(bad_u64); i++) {
        assert_int_equal(tc_json_get_u64(&err, &u, o, bad_u64[i], "p"), TC_EFORMAT);
        assert_non_null(strstr(err.msg, bad_u64[i]));
        assert_non_null(strstr(err.msg, "is not a non-negative integer"));
    }
    assert_int_equal(tc_json_get_u64(&err, &u, o, "absent", "p"), TC_EFORMAT);
    assert_string_equal(err.msg, "p: missing \"absent\"");
    assert_int_equal(tc_json_get_double(&err, &d, o, "r", "p"), TC_OK);
    assert_true(d == 0.25);
    assert_int_equal(tc_json_get_double(&err, &d, o, "s", "p"), TC_EFORMAT);
    assert_string_equal(err.msg, "p: \"s\" is not a finite number");
    assert_true(tc_json_int_in(o, "i", 1, 5, &v) && v == 5);
    assert_false(tc_json_int_in(o, "i", 6, 9, &v));
    assert_false(tc_json_int_in(o, "r", 0, 9, &v));
    assert_false(tc_json_int_in(o, "absent", 0, 9, &v));
    json_decref(o);
}

static void test_dump(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:i, s:i}", "b", 2, "a", 1);
    char *text = NULL;
    assert_int_equal(tc_json_dump(NULL, &text, o, TC_JSON_SORTED), TC_OK);
    assert_string_equal(text, "{\n  \"a\": 1,\n  \"b\": 2\n}\n");
    free(text);
    assert_int_equal(tc_json_dump(NULL, &text, o, TC_JSON_ORDERED), TC_OK);
    assert_string_equal(text, "{\n \"b\": 2,\n \"a\": 1\n}\n");
    free(text);
    json_t *r = tc_json_real(INFINITY);
    assert_true(json_is_null(r));
    json_decref(r);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_errors, setup_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_load_digest, setup_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_load_stream, setup_dir, remove_dir),
        cmocka_unit_test(test_check_fields),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
