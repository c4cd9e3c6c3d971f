/* Reading an SRS by parts (pst/shard.h) against the whole SRS in memory:
 * the block rule partitions any list; every range of every level read from
 * the one file, and from shards cut here from the file's bytes by the
 * format of docs/formats.md, equals the key tc_pst_setup made; the digest
 * chained over the parts is the SRS id; corrupt files and unsafe manifest
 * names are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/testutil.h"
#include "pst/shard.h"

static char tmpdir[256];
static tc_pst_srs srs;
static uint8_t *file;        /* the one-file encoding */
static size_t file_len;

static void put_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    tc_pst_shape shape = {3, {3, 4, 5}};
    tc_error err = {0};
    if (tu_mkdtemp(tmpdir, sizeof tmpdir, "shard") != 0 ||
        tc_pst_setup_seeded(&err, &srs, &shape, (const uint8_t *)"sh", 2, NULL) != TC_OK ||
        tc_pst_srs_encode(&err, &file, &file_len, &srs) != TC_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(file);
    tc_pst_srs_free(&srs);
    return tu_rmtree(tmpdir);
}

static void test_block_partition(void **state)
{
    (void)state;
    const size_t counts[] = {0, 1, 7, 60, 1000003, (size_t)1 << 40};
    for (size_t c = 0; c < TC_ARRAY_LEN(counts); c++)
        for (int k = 1; k <= 9; k++) {
            size_t next = 0, lo, hi, small = SIZE_MAX, big = 0;
            for (int r = 0; r < k; r++) {
                tc_pst_block(counts[c], k, r, &lo, &hi);
                assert_int_equal(lo, next);
                assert_true(hi >= lo);
                small = hi - lo < small ? hi - lo : small;
                big = hi - lo > big ? hi - lo : big;
                next = hi;
            }
            assert_int_equal(next, counts[c]);
            assert_true(big - small <= 1);
        }
}

/* Every level in ranges that start, end and cross anywhere. */
static void check_reads(const tc_pst_srs_src *src)
{
    tc_error err = {0};
    for (int j = 0; j <= srs.shape.m; j++) {
        size_t n = tc_pst_suffix_size(&srs.shape, j);
        for (size_t lo = 0; lo <= n; lo += 1 + n / 5)
            for (size_t hi = lo; hi <= n; hi += 1 + n / 4) {
                tc_g1_affine *got = calloc(hi - lo + 1, sizeof *got);
                assert_non_null(got);
                assert_int_equal(tc_pst_srs_src_read(&err, src, got, j, lo, hi, 2), TC_OK);
                for (size_t k = lo; k < hi; k++)
                    assert_true(tc_g1_affine_eq(&got[k - lo], &tc_pst_srs_level(&srs, j)[k]));
                free(got);
            }
    }
    tc_g1_affine one;
    assert_int_equal(tc_pst_srs_src_read(&err, src, &one, 0, 59, 61, 1), TC_EARG);
}

/* SHA-256 of the pieces in the one-file order: prefix, then by level and file. */
static void chained_id(const tc_pst_srs_src *src, uint8_t id[32])
{
    SHA256_CTX ctx;
    tc_error err = {0};
    SHA256_Init(&ctx);
    assert_int_equal(tc_pst_srs_src_hash_part(&err, src, &ctx, -1, 0), TC_OK);
    for (int j = 0; j <= src->shape.m; j++)
        for (int f = 0; f < src->n_files; f++)
            assert_int_equal(tc_pst_srs_src_hash_part(&err, src, &ctx, j, f), TC_OK);
    SHA256_Final(id, &ctx);
}

static void test_one_file(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/one.tcs", tmpdir);
    put_file(path, file, file_len);
    tc_error err = {0};
    tc_pst_srs_src src;
    bool ok = false;
    assert_int_equal(tc_pst_srs_src_open(&err, &src, path), TC_OK);
    assert_false(src.sharded);
    assert_true(tc_pst_shape_eq(&src.shape, &srs.shape));
    assert_int_equal(src.origin, TC_PST_ORIGIN_SEEDED);
    assert_memory_equal(src.id, srs.id, 32);
    assert_memory_equal(src.prefix, file, src.prefix_len);
    uint8_t prefix[4096];
    tc_pst_srs_prefix_encode(prefix, &srs.shape, srs.origin, false, &srs.vk);
    assert_memory_equal(prefix, file, src.prefix_len);
    check_reads(&src);
    uint8_t id[32];
    chained_id(&src, id);
    assert_memory_equal(id, srs.id, 32);
    assert_int_equal(tc_pst_srs_src_check_file(&err, &ok, &src, 0), TC_OK);
    assert_true(ok);
    tc_pst_srs_src_close(&src);

    /* a point's x set to p or more: digest and point check both refuse it */
    uint8_t *bad = malloc(file_len);
    assert_non_null(bad);
    memcpy(bad, file, file_len);
    memset(bad + tc_pst_srs_prefix_len(srs.shape.m) + 64 * 7, 0xff, 32);
    put_file(path, bad, file_len);
    assert_int_equal(tc_pst_srs_src_open(&err, &src, path), TC_OK);
    assert_int_equal(tc_pst_srs_src_check_file(&err, &ok, &src, 0), TC_OK);
    assert_false(ok);
    assert_non_null(strstr(err.msg, "digest mismatch"));
    tc_g1_affine pts[8];
    assert_int_equal(tc_pst_srs_src_read(&err, &src, pts, 0, 0, 8, 1), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "not a curve point"));
    tc_pst_srs_src_close(&src);
    /* one byte short */
    put_file(path, file, file_len - 1);
    assert_int_equal(tc_pst_srs_src_open(&err, &src, path), TC_EFORMAT);
    free(bad);
}

/* Shards of k cut from the file's bytes by docs/formats.md, and a manifest
 * whose first shard is called first_name. */
static void cut_shards(const char *dir, int k, const char *first_name)
{
    size_t plen = tc_pst_srs_prefix_len(srs.shape.m);
    char path[400], hex[65], *man = malloc(65536);
    assert_non_null(man);
    tc_hex_encode(hex, srs.id, 32);
    int used = snprintf(man, 65536, "{\"format\": \"tensorcommit sharded srs\", \"version\": 1, "
                        "\"srs_id\": \"%s\", \"shards\": [", hex);
    for (int r = 0; r < k; r++) {
        uint8_t *buf = malloc(file_len + TC_PST_SHARD_HEAD);
        assert_non_null(buf);
        tc_pst_shard_head_encode(buf, k, r);
        memcpy(buf + TC_PST_SHARD_HEAD, file, plen);
        size_t len = TC_PST_SHARD_HEAD + plen, level_off = 0, lo, hi;
        for (int j = 0; j <= srs.shape.m; j++) {
            size_t n = tc_pst_suffix_size(&srs.shape, j);
            tc_pst_block(n, k, r, &lo, &hi);
            memcpy(buf + len, file + plen + 64 * (level_off + lo), 64 * (hi - lo));
            len += 64 * (hi - lo);
            level_off += n;
        }
        assert_int_equal(len + 32, tc_pst_shard_len(&srs.shape, k, r));
        tc_sha256_oneshot(buf + len, buf, len);
        tc_hex_encode(hex, buf + len, 32);
        char name[64];
        if (r == 0)
            snprintf(name, sizeof name, "%s", first_name);
        else
            snprintf(name, sizeof name, "s%d.tcss", r);
        snprintf(path, sizeof path, "%s/s%d.tcss", dir, r);
        put_file(path, buf, len + 32);
        used += snprintf(man + used, 65536 - (size_t)used, "%s{\"file\": \"%s\", \"sha256\": \"%s\"}",
                         r ? ", " : "", name, hex);
        free(buf);
    }
    snprintf(man + used, 65536 - (size_t)used, "]}\n");
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    put_file(path, man, strlen(man));
    free(man);
}

static void test_shards(void **state)
{
    (void)state;
    for (int k = 1; k <= 4; k++) {
        char dir[300];
        snprintf(dir, sizeof dir, "%s/sh%d", tmpdir, k);
        assert_int_equal(mkdir(dir, 0777), 0);
        cut_shards(dir, k, "s0.tcss");
        tc_error err = {0};
        tc_pst_srs_src src;
        assert_int_equal(tc_pst_srs_src_open(&err, &src, dir), TC_OK);
        assert_true(src.sharded);
        assert_int_equal(src.n_files, k);
        check_reads(&src);
        uint8_t id[32];
        chained_id(&src, id);
        assert_memory_equal(id, srs.id, 32);
        for (int f = 0; f < k; f++) {
            bool ok = false;
            assert_int_equal(tc_pst_srs_src_check_file(&err, &ok, &src, f), TC_OK);
            assert_true(ok);
        }
        tc_pst_srs_src_close(&src);
    }
    /* a manifest naming a file outside the folder is refused */
    char dir[300];
    snprintf(dir, sizeof dir, "%s/escape", tmpdir);
    assert_int_equal(mkdir(dir, 0777), 0);
    cut_shards(dir, 2, "../one.tcs");
    tc_error err = {0};
    tc_pst_srs_src src;
    assert_int_equal(tc_pst_srs_src_open(&err, &src, dir), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "plain \"file\" name"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_partition),
        cmocka_unit_test(test_one_file),
        cmocka_unit_test(test_shards),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
