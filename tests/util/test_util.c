/* util: SHA-256 known answers, hex, PRNG bounds, atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

static void test_sha256_kat(void **state)
{
    (void)state;
    /* FIPS 180-2 appendix B.1 and B.2 */
    uint8_t d[32];
    char hex[65];
    tc_sha256_oneshot(d, "abc", 3);
    tc_hex_encode(hex, d, 32);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    tc_sha256 h;
    assert_int_equal(tc_sha256_init(&h), TC_OK);
    tc_sha256_update(&h, m, 20);
    tc_sha256_update(&h, m + 20, strlen(m) - 20);
    tc_sha256_final(&h, d);
    tc_hex_encode(hex, d, 32);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t b[3];
    assert_true(tc_hex_decode(b, 3, "00Ff7a"));
    assert_int_equal(b[0], 0);
    assert_int_equal(b[1], 255);
    assert_int_equal(b[2], 0x7a);
    assert_false(tc_hex_decode(b, 3, "00ff7"));
    assert_false(tc_hex_decode(b, 3, "00ff7g"));
}

static void test_prng_below(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, 42);
    unsigned counts[7] = {0};
    for (int i = 0; i < 70000; i++) {
        uint64_t x = tc_prng_below(&g, 7);
        assert_true(x < 7);
        counts[x]++;
    }
    for (int i = 0; i < 7; i++) /* 10000 expected; 6 sigma is about 570 */
        assert_true(counts[i] > 9400 && counts[i] < 10600);
    tc_prng a, b;
    tc_prng_seed(&a, 7);
    tc_prng_seed(&b, 7);
    for (int i = 0; i < 10; i++)
        assert_int_equal(tc_prng_next(&a), tc_prng_next(&b));
}

static void test_atomic_write(void **state)
{
    (void)state;
    char path[] = "/tmp/tc_test_util_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tc_error err;
    assert_int_equal(tc_write_file_atomic(&err, path, "hello", 5), TC_OK);
    uint8_t *data;
    size_t len;
    assert_int_equal(tc_read_file(&err, &data, &len, path, 100), TC_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "hello", 5);
    free(data);
    assert_int_equal(tc_read_file(&err, &data, &len, path, 4), TC_EFORMAT);
    assert_non_null(strstr(err.msg, path));
    unlink(path);
    assert_int_equal(tc_read_file(&err, &data, &len, path, 100), TC_EIO);
    assert_int_equal(tc_write_file_atomic(&err, "/nonexistent/dir/x", "a", 1), TC_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_kat),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_prng_below),
        cmocka_unit_test(test_atomic_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
