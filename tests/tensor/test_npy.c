/* .npy reader/writer: byte-for-byte agreement with numpy.save (through
 * /usr/bin/python3 when it has numpy), round trips, and strict rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/testutil.h"
#include "tensor/npy.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(tmpdir, sizeof tmpdir, "npy");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmtree(tmpdir);
}

static void test_roundtrip(void **state)
{
    (void)state;
    float f[6] = {0.0f, -1.5f, 3.25f, 1e-30f, -0.0f, 7.0f};
    int64_t shape[2] = {2, 3};
    char path[300];
    snprintf(path, sizeof path, "%s/a.npy", tmpdir);
    tc_error err = {0};
    assert_int_equal(tc_npy_write(&err, path, TC_NPY_F32, f, 2, shape), TC_OK);
    tc_npy a;
    assert_int_equal(tc_npy_read(&err, &a, path), TC_OK);
    assert_int_equal(a.dtype, TC_NPY_F32);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 3);
    assert_memory_equal(a.data, f, sizeof f);
    tc_npy_free(&a);

    int64_t v[5] = {0, -1, INT64_MAX, INT64_MIN, 42};
    int64_t s1[1] = {5};
    assert_int_equal(tc_npy_write(&err, path, TC_NPY_I64, v, 1, s1), TC_OK);
    assert_int_equal(tc_npy_read(&err, &a, path), TC_OK);
    assert_int_equal(a.dtype, TC_NPY_I64);
    assert_int_equal(a.ndim, 1);
    assert_memory_equal(a.data, v, sizeof v);
    tc_npy_free(&a);
}

/* The header layout numpy documents: total header a multiple of 64 bytes. */
static void test_header_layout(void **state)
{
    (void)state;
    float z = 0;
    int64_t sh[1] = {1};
    uint8_t *b = NULL;
    size_t n = 0;
    tc_error err = {0};
    assert_int_equal(tc_npy_encode(&err, &b, &n, TC_NPY_F32, &z, 1, sh), TC_OK);
    assert_int_equal((n - 4) % 64, 0);
    const char *want = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    assert_memory_equal(b + 10, want, strlen(want));
    assert_int_equal(b[n - 5], '\n');
    assert_int_equal(b[8] | b[9] << 8, n - 4 - 10);
    free(b);
}

static bool have_numpy(void)
{
    return system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0;
}

/* numpy writes files, we must produce the identical bytes, and numpy must
 * read ours back to the same values. */
static void test_numpy_bytes(void **state)
{
    (void)state;
    if (!have_numpy()) {
        skip();
        return;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \""
             "import numpy as np\n"
             "np.save('f0.npy', np.array(2.5, dtype=np.float32))\n"
             "np.save('f1.npy', np.arange(7, dtype=np.float32) / 3)\n"
             "np.save('f3.npy', (np.arange(24, dtype=np.float32) - 5).reshape(2, 3, 4))\n"
             "np.save('i1.npy', np.array([1, -2, 2**62], dtype=np.int64))\n"
             "np.save('i9.npy', (np.arange(24) - 20).reshape(1,2,3,1,2,1,1,2,1))\n"
             "np.save('i10.npy', (np.arange(1024, dtype=np.int64) * 7 - 3000).reshape((2,) * 10))\n"
             "np.save('f32.npy', np.arange(12, dtype=np.float32).reshape((1,) * 29 + (2, 3, 2)))\n"
             "np.save('e0.npy', np.zeros((0, 5), dtype=np.float32))\n\"",
             tmpdir);
    assert_int_equal(system(cmd), 0);
    const char *names[] = {"f0", "f1", "f3", "i1", "e0", "i9", "i10", "f32"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[300], out[300];
        snprintf(path, sizeof path, "%s/%s.npy", tmpdir, names[i]);
        snprintf(out, sizeof out, "%s/%s_ours.npy", tmpdir, names[i]);
        tc_error err = {0};
        tc_npy a;
        assert_int_equal(tc_npy_read(&err, &a, path), TC_OK);
        assert_int_equal(tc_npy_write(&err, out, a.dtype, a.data, a.ndim, a.shape), TC_OK);
        snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", path, out);
        assert_int_equal(system(cmd), 0);
        tc_npy_free(&a);
    }
    char path[300];
    tc_error err = {0};
    tc_npy a;
    /* ten axes, as numpy wrote them: shape and C-order values */
    snprintf(path, sizeof path, "%s/i10.npy", tmpdir);
    assert_int_equal(tc_npy_read(&err, &a, path), TC_OK);
    assert_int_equal(a.ndim, 10);
    assert_int_equal(a.count, 1024);
    for (int i = 0; i < 10; i++)
        assert_int_equal(a.shape[i], 2);
    for (size_t i = 0; i < a.count; i++)
        assert_int_equal(((int64_t *)a.data)[i], (int64_t)i * 7 - 3000);
    tc_npy_free(&a);
    /* numpy reads our 32-axis and 12-axis files to the same shape and values */
    int64_t sh32[32], sh12[12];
    for (int i = 0; i < 32; i++)
        sh32[i] = i == 5 ? 3 : i == 31 ? 2 : 1;
    for (int i = 0; i < 12; i++)
        sh12[i] = 2;
    int64_t v[4096];
    for (int i = 0; i < 4096; i++)
        v[i] = (int64_t)i * i - 77;
    snprintf(path, sizeof path, "%s/ours32.npy", tmpdir);
    assert_int_equal(tc_npy_write(&err, path, TC_NPY_I64, v, 32, sh32), TC_OK);
    snprintf(path, sizeof path, "%s/ours12.npy", tmpdir);
    assert_int_equal(tc_npy_write(&err, path, TC_NPY_I64, v, 12, sh12), TC_OK);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \"import numpy as np, sys\n"
             "a = np.load('ours32.npy'); b = np.load('ours12.npy')\n"
             "want = lambda n: (np.arange(n, dtype=np.int64) ** 2 - 77)\n"
             "ok = a.shape == (1,) * 5 + (3,) + (1,) * 25 + (2,) and a.dtype == np.int64\n"
             "ok = ok and (a.ravel() == want(6)).all() and b.shape == (2,) * 12\n"
             "ok = ok and (b.ravel() == want(4096)).all() and b[1,0,0,0,0,0,0,0,0,0,0,1] == want(4096)[2049]\n"
             "sys.exit(0 if ok else 1)\"",
             tmpdir);
    assert_int_equal(system(cmd), 0);
    /* numpy reads what we write */
    float f[4] = {1.0f, -2.0f, 0.5f, 1e20f};
    int64_t sh[2] = {2, 2};
    snprintf(path, sizeof path, "%s/ours.npy", tmpdir);
    assert_int_equal(tc_npy_write(&err, path, TC_NPY_F32, f, 2, sh), TC_OK);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np, sys; a = np.load('%s'); "
             "sys.exit(0 if a.dtype == np.float32 and a.shape == (2, 2) and "
             "a.tolist() == [[1.0, -2.0], [0.5, float(np.float32(1e20))]] else 1)\"",
             path);
    assert_int_equal(system(cmd), 0);
}

static tc_status parse_str(const char *hdr, const void *data, size_t dlen, int version)
{
    uint8_t buf[1024];
    size_t hl = strlen(hdr), pre = version == 1 ? 10 : 12;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)version;
    buf[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        buf[8 + i] = (uint8_t)(hl >> (8 * i));
    memcpy(buf + pre, hdr, hl);
    memcpy(buf + pre + hl, data, dlen);
    tc_npy a;
    tc_error err = {0};
    tc_status s = tc_npy_parse(&err, &a, buf, pre + hl + dlen, "mem");
    if (s == TC_OK)
        tc_npy_free(&a);
    else
        assert_true(strlen(err.msg) > 0);
    return s;
}

static void test_reject(void **state)
{
    (void)state;
    float d[2] = {1, 2};
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", d, 8, 1), TC_OK);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", d, 8, 2), TC_OK);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", d, 8, 3), TC_OK);
    assert_int_equal(parse_str("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}\n", d, 8, 1), TC_OK);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", d, 4, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", d, 8, 1), TC_EUNSUPPORTED);
    assert_int_equal(parse_str("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", d, 8, 1), TC_EUNSUPPORTED);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", d, 8, 1), TC_EUNSUPPORTED);
    assert_int_equal(parse_str("{'descr': '<f4', 'shape': (2,), }\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,99999999999,99999999999), }\n", d, 8, 1), TC_EFORMAT);
    assert_int_equal(parse_str("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", d, 8, 4), TC_EUNSUPPORTED);
    /* 33 axes: one more than numpy's limit, named as such */
    char big[400] = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    for (int i = 0; i < 33; i++)
        strcat(big, "1, ");
    strcat(big, "), }\n");
    assert_int_equal(parse_str(big, d, 4, 1), TC_EUNSUPPORTED);
    uint8_t hb[512];
    size_t hl = strlen(big);
    memcpy(hb, "\x93NUMPY\x01\x00", 8);
    hb[8] = (uint8_t)hl, hb[9] = 0;
    memcpy(hb + 10, big, hl);
    memcpy(hb + 10 + hl, d, 4);
    tc_error e33 = {0};
    tc_npy b33;
    assert_int_equal(tc_npy_parse(&e33, &b33, hb, 10 + hl + 4, "mem"), TC_EUNSUPPORTED);
    assert_non_null(strstr(e33.msg, "33 axes (at most 32)"));
    /* 32 axes are read */
    big[strlen(big) - 8] = '\0'; /* drop the last "1, " and the tail */
    strcat(big, "), }\n");
    assert_int_equal(parse_str(big, d, 4, 1), TC_OK);
    int64_t sh33[33];
    for (int i = 0; i < 33; i++)
        sh33[i] = 1;
    uint8_t *eb = NULL;
    size_t elen = 0;
    assert_int_equal(tc_npy_encode(&e33, &eb, &elen, TC_NPY_F32, d, 33, sh33), TC_EARG);
    assert_non_null(strstr(e33.msg, "33 axes (at most 32)"));
    uint8_t junk[12] = {0x93, 'N', 'U', 'M', 'P', 'X', 1, 0, 0, 0, 0, 0};
    tc_npy a;
    assert_int_equal(tc_npy_parse(NULL, &a, junk, sizeof junk, "mem"), TC_EFORMAT);
    junk[5] = 'Y';
    junk[8] = 200; /* header longer than the buffer */
    assert_int_equal(tc_npy_parse(NULL, &a, junk, sizeof junk, "mem"), TC_EFORMAT);
}

/* The header alone: the same dtype, shape and count as the whole read, the
 * data where numpy puts it, and a file whose length disagrees refused. */
static void test_read_header(void **state)
{
    (void)state;
    int64_t v[24], shape[3] = {2, 3, 4};
    for (int i = 0; i < 24; i++)
        v[i] = (int64_t)i * 1000003 - 7;
    char path[300];
    snprintf(path, sizeof path, "%s/h.npy", tmpdir);
    tc_error err = {0};
    assert_int_equal(tc_npy_write(&err, path, TC_NPY_I64, v, 3, shape), TC_OK);
    tc_npy h;
    size_t off = 0;
    assert_int_equal(tc_npy_read_header(&err, &h, &off, path), TC_OK);
    assert_int_equal(h.dtype, TC_NPY_I64);
    assert_int_equal(h.ndim, 3);
    assert_int_equal(h.count, 24);
    assert_null(h.data);
    assert_int_equal(off, 128);   /* 10 + header padded to a multiple of 64 */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    int64_t got[24];
    assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
    assert_int_equal(fread(got, sizeof *got, 24, f), 24);
    fclose(f);
    assert_memory_equal(got, v, sizeof v);
    /* one value short: the header's shape no longer matches the file */
    assert_int_equal(truncate(path, (off_t)(off + 23 * 8)), 0);
    assert_int_equal(tc_npy_read_header(&err, &h, &off, path), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "the shape needs"));
    assert_int_equal(h.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_header_layout),
        cmocka_unit_test(test_numpy_bytes),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_read_header),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
