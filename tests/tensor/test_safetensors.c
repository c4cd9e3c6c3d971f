/* safetensors: the bundled and test model files open and read back, f16/bf16 convert
 * exactly, and every malformed header is rejected with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/testutil.h"
#include "tensor/safetensors.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(tmpdir, sizeof tmpdir, "st");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmtree(tmpdir);
}

/* Writes header (padded to 8 bytes with spaces) + `dlen` data bytes;
 * `declared` overrides the length field when non-zero. */
static void write_st(const char *path, const char *hdr, const void *data, size_t dlen,
                     uint64_t declared)
{
    size_t hl = strlen(hdr), pad = (8 - hl % 8) % 8;
    uint64_t n = declared ? declared : hl + pad;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)(n >> (8 * i));
    fwrite(len8, 1, 8, f);
    fwrite(hdr, 1, hl, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    if (dlen)
        fwrite(data, 1, dlen, f);
    fclose(f);
}

static tc_status try_open(const char *hdr, size_t dlen, uint64_t declared, char *msg)
{
    static uint8_t zeros[4096];
    char path[300];
    snprintf(path, sizeof path, "%s/t.safetensors", tmpdir);
    write_st(path, hdr, zeros, dlen, declared);
    tc_st_file *f = NULL;
    tc_error err = {0};
    tc_status s = tc_st_open(&err, &f, path);
    if (s == TC_OK) {
        assert_non_null(f);
        tc_st_close(f);
    } else {
        assert_null(f);
        assert_non_null(strstr(err.msg, "t.safetensors"));
        if (msg)
            snprintf(msg, 512, "%s", err.msg);
    }
    return s;
}

static void test_good_minimal(void **state)
{
    (void)state;
    float v[6] = {1, 2, 3, 4, 5, 6};
    uint16_t h[2] = {0x3c00, 0xc000}; /* f16 1.0, -2.0 */
    uint8_t data[28];
    memcpy(data, v, 24);
    memcpy(data + 24, h, 4);
    char path[300];
    snprintf(path, sizeof path, "%s/g.safetensors", tmpdir);
    write_st(path,
             "{\"__metadata__\":{\"format\":\"pt\"},"
             "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[24,28]},"
             "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}",
             data, sizeof data, 0);
    tc_st_file *f = NULL;
    tc_error err = {0};
    assert_int_equal(tc_st_open(&err, &f, path), TC_OK);
    assert_int_equal(tc_st_count(f), 2);
    const tc_st_tensor *a = tc_st_find(f, "a"), *b = tc_st_find(f, "b");
    assert_non_null(a);
    assert_non_null(b);
    assert_null(tc_st_find(f, "c"));
    assert_int_equal(a->ndim, 2);
    assert_int_equal(a->shape[1], 3);
    assert_int_equal(a->nbytes, 24);
    float out[6];
    assert_int_equal(tc_st_to_f32(&err, out, a), TC_OK);
    assert_memory_equal(out, v, 24);
    assert_int_equal(tc_st_to_f32(&err, out, b), TC_OK);
    assert_true(out[0] == 1.0f && out[1] == -2.0f);
    tc_st_close(f);
}

/* Every binary16 value converts exactly: compare with the compiler's _Float16
 * when available, else with a ldexp reference. */
static void test_f16_bf16_exact(void **state)
{
    (void)state;
    for (uint32_t u = 0; u < 65536; u++) {
        uint16_t h = (uint16_t)u;
        int e = (h >> 10) & 31, m = h & 1023;
        double want;
        if (e == 31)
            want = m ? NAN : INFINITY;
        else if (e == 0)
            want = ldexp(m, -24);
        else
            want = ldexp(1024 + m, e - 25);
        if (h & 0x8000)
            want = -want;
        float got = tc_f16_to_f32(h);
        if (isnan(want)) {
            assert_true(isnan(got));
        } else {
            assert_true((double)got == want);
            assert_int_equal(signbit(got) != 0, (h & 0x8000) != 0);
        }
        float bf = tc_bf16_to_f32(h);
        uint32_t bits;
        memcpy(&bits, &bf, 4);
        assert_int_equal(bits, (uint32_t)h << 16);
    }
}

static void test_bundled_models(void **state)
{
    (void)state;
    const char *models[] = {"stories260K", "tiny-gpt2", "tiny-llama", "tiny-qwen2"};
    for (size_t i = 0; i < 4; i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/models/%s", i == 0 ? TC_SOURCE_DIR : TC_TEST_DATA_DIR,
                 models[i]);
        tc_weights *w = NULL;
        tc_error err = {0};
        assert_int_equal(tc_weights_open(&err, &w, dir), TC_OK);
        assert_true(tc_weights_count(w) > 0);
        for (size_t k = 0; k < tc_weights_count(w); k++) {
            const tc_st_tensor *t = tc_weights_get(w, k);
            assert_ptr_equal(tc_weights_find(w, t->name), t);
        }
        tc_weights_close(w);
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/models/stories260K", TC_SOURCE_DIR);
    tc_weights *w = NULL;
    assert_int_equal(tc_weights_open(NULL, &w, dir), TC_OK);
    const tc_st_tensor *e = tc_weights_find(w, "model.embed_tokens.weight");
    assert_non_null(e);
    assert_int_equal(e->shape[0], 512);
    assert_int_equal(e->shape[1], 64);
    tc_weights_close(w);
}

/* A sharded folder: two files and an index; a wrong index is rejected. */
static void test_sharded(void **state)
{
    (void)state;
    float v[4] = {1, 2, 3, 4};
    char path[300];
    snprintf(path, sizeof path, "%s/shard/", tmpdir);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/shard/m-1.safetensors", tmpdir);
    write_st(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", v, 8, 0);
    snprintf(path, sizeof path, "%s/shard/m-2.safetensors", tmpdir);
    write_st(path, "{\"y\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", v + 2, 8, 0);
    snprintf(path, sizeof path, "%s/shard/model.safetensors.index.json", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("{\"metadata\":{},\"weight_map\":{\"x\":\"m-1.safetensors\",\"y\":\"m-2.safetensors\"}}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/shard", tmpdir);
    tc_weights *w = NULL;
    tc_error err = {0};
    assert_int_equal(tc_weights_open(&err, &w, path), TC_OK);
    assert_int_equal(tc_weights_count(w), 2);
    const tc_st_tensor *y = tc_weights_find(w, "y");
    assert_non_null(y);
    float out[2];
    assert_int_equal(tc_st_to_f32(&err, out, y), TC_OK);
    assert_true(out[0] == 3 && out[1] == 4);
    assert_non_null(strstr(tc_weights_file_of(w, y), "m-2"));
    tc_weights_close(w);
    snprintf(path, sizeof path, "%s/shard/model.safetensors.index.json", tmpdir);
    f = fopen(path, "w");
    fputs("{\"weight_map\":{\"x\":\"m-2.safetensors\",\"y\":\"m-2.safetensors\"}}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/shard", tmpdir);
    assert_int_equal(tc_weights_open(&err, &w, path), TC_EFORMAT);
    assert_null(w);
    assert_non_null(strstr(err.msg, "not in shard"));
}

static void test_reject(void **state)
{
    (void)state;
    char msg[512];
    const char *one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    assert_int_equal(try_open(one, 8, 0, NULL), TC_OK);
    /* truncated data */
    assert_int_equal(try_open(one, 4, 0, msg), TC_EFORMAT);
    /* header length past the end of the file */
    assert_int_equal(try_open(one, 8, 5000, msg), TC_EFORMAT);
    assert_non_null(strstr(msg, "truncated"));
    /* header too large */
    assert_int_equal(try_open(one, 8, (uint64_t)200 * 1000 * 1000, msg), TC_EFORMAT);
    assert_non_null(strstr(msg, "limit"));
    assert_int_equal(try_open(one, 8, UINT64_MAX, msg), TC_EFORMAT);
    /* offset past the end */
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8, 0, msg), TC_EFORMAT);
    assert_non_null(strstr(msg, "outside"));
    /* overlapping spans */
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, 0, msg), TC_EFORMAT);
    assert_non_null(strstr(msg, "overlaps"));
    /* a hole in the data area */
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, 0, msg), TC_EFORMAT);
    /* shape x dtype differs from the span */
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0, msg), TC_EFORMAT);
    /* unknown dtype */
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F8_E9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0, msg), TC_EFORMAT);
    assert_non_null(strstr(msg, "unknown dtype"));
    /* duplicate names */
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                              "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, 0, msg), TC_EFORMAT);
    /* not JSON, not an object, bad fields */
    assert_int_equal(try_open("{\"a\":", 0, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("[1,2]", 0, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("{\"__metadata__\":{\"k\":1}}", 0, 0, msg), TC_EFORMAT);
    assert_int_equal(try_open("{}", 0, 0, NULL), TC_OK);
    /* shorter than the length field */
    char path[300];
    snprintf(path, sizeof path, "%s/short.safetensors", tmpdir);
    FILE *f = fopen(path, "wb");
    fputs("abc", f);
    fclose(f);
    tc_st_file *sf = NULL;
    tc_error err = {0};
    assert_int_equal(tc_st_open(&err, &sf, path), TC_EFORMAT);
    /* a missing file */
    snprintf(path, sizeof path, "%s/none.safetensors", tmpdir);
    assert_int_equal(tc_st_open(&err, &sf, path), TC_EIO);
}

/* Seeded mutations of a real file (header bytes flipped, lengths cut):
 * every result is a clean success or a failure with a message. */
static void test_mutations(void **state)
{
    (void)state;
    char src[512], path[300];
    snprintf(src, sizeof src, "%s/models/tiny-gpt2/model.safetensors", TC_TEST_DATA_DIR);
    snprintf(path, sizeof path, "%s/mut.safetensors", tmpdir);
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 20], mut[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 1000 && n < sizeof buf);
    size_t hl = (size_t)buf[0] | (size_t)buf[1] << 8 | (size_t)buf[2] << 16;
    tc_prng g;
    tc_prng_seed(&g, 20240601);
    print_message("mutation seed 20240601\n");
    for (int it = 0; it < 300; it++) {
        memcpy(mut, buf, n);
        size_t len = n;
        int kind = (int)tc_prng_below(&g, 3);
        if (kind == 0) {
            for (int k = 0; k < 3; k++)
                mut[tc_prng_below(&g, 8 + hl)] ^= (uint8_t)(1u << tc_prng_below(&g, 8));
        } else if (kind == 1) {
            len = (size_t)tc_prng_below(&g, n);
        } else {
            /* a digit of the header changed to another digit */
            size_t at = 8 + tc_prng_below(&g, hl);
            while (at < 8 + hl && !(mut[at] >= '0' && mut[at] <= '9'))
                at++;
            if (at < 8 + hl)
                mut[at] = (uint8_t)('0' + tc_prng_below(&g, 10));
        }
        FILE *o = fopen(path, "wb");
        assert_non_null(o);
        fwrite(mut, 1, len, o);
        fclose(o);
        tc_st_file *sf = NULL;
        tc_error err = {0};
        tc_status st = tc_st_open(&err, &sf, path);
        if (st == TC_OK) {
            /* whatever opened must be readable in full */
            for (size_t i = 0; i < tc_st_count(sf); i++) {
                const tc_st_tensor *t = tc_st_get(sf, i);
                volatile uint8_t sink = 0;
                for (size_t b = 0; b < t->nbytes; b += 64)
                    sink ^= ((const uint8_t *)t->data)[b];
                (void)sink;
            }
            tc_st_close(sf);
        } else {
            assert_null(sf);
            assert_true(strlen(err.msg) > 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_minimal),
        cmocka_unit_test(test_f16_bf16_exact),
        cmocka_unit_test(test_bundled_models),
        cmocka_unit_test(test_sharded),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
