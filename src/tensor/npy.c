/* NumPy .npy reader and writer (format described in numpy.lib.format, NEP 1). */
#include "tensor/npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

void tc_npy_free(tc_npy *a)
{
    if (a == NULL)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------------- header dict */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

static bool eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* A quoted Python string without escapes, copied into out[cap]. */
static bool parse_str(cursor *c, char *out, size_t cap)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return false;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap)
            return false;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return false;
    c->p++;
    out[n] = '\0';
    return true;
}

static bool parse_word(cursor *c, const char *w)
{
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* The shape tuple into a->shape.  Returns 1 on success, 0 when malformed,
 * and -n when well formed but with n > TC_NPY_MAX_DIMS axes. */
static int parse_shape(cursor *c, tc_npy *a)
{
    if (!eat(c, '('))
        return 0;
    int n = 0;
    for (;;) {
        skip_ws(c);
        if (eat(c, ')'))
            break;
        if (c->p >= c->end || !isdigit((unsigned char)*c->p) || n == INT16_MAX)
            return 0;
        int64_t v = 0;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            if (v > (INT64_MAX - 9) / 10)
                return 0;
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') /* Python 2 longs */
            c->p++;
        if (n < TC_NPY_MAX_DIMS)
            a->shape[n] = v;
        n++;
        if (eat(c, ','))
            continue;
        /* a one-element tuple needs its comma: "(5)" is an int */
        if (n == 1 || !eat(c, ')'))
            return 0;
        break;
    }
    if (n > TC_NPY_MAX_DIMS)
        return -n;
    a->ndim = n;
    return 1;
}

static tc_status parse_dict(tc_error *err, tc_npy *a, const char *h, size_t hlen,
                            const char *name)
{
    cursor c = {.p = h, .end = h + hlen};
    bool have_descr = false, have_fo = false, have_shape = false;
    if (!eat(&c, '{'))
        return tc_fail(err, TC_EFORMAT, "%s: npy header is not a dictionary", name);
    for (;;) {
        char key[32], val[32];
        if (eat(&c, '}'))
            break;
        if (!parse_str(&c, key, sizeof key) || !eat(&c, ':'))
            return tc_fail(err, TC_EFORMAT, "%s: npy header: bad key", name);
        if (!strcmp(key, "descr") && !have_descr) {
            if (!parse_str(&c, val, sizeof val))
                return tc_fail(err, TC_EFORMAT, "%s: npy header: descr is not a string", name);
            if (!strcmp(val, "<f4"))
                a->dtype = TC_NPY_F32;
            else if (!strcmp(val, "<i8"))
                a->dtype = TC_NPY_I64;
            else
                return tc_fail(err, TC_EUNSUPPORTED,
                               "%s: npy dtype '%s' is not supported (only <f4 and <i8)", name,
                               val);
            have_descr = true;
        } else if (!strcmp(key, "fortran_order") && !have_fo) {
            if (parse_word(&c, "True"))
                return tc_fail(err, TC_EUNSUPPORTED, "%s: npy array is in Fortran order", name);
            if (!parse_word(&c, "False"))
                return tc_fail(err, TC_EFORMAT, "%s: npy header: fortran_order is not a bool",
                               name);
            have_fo = true;
        } else if (!strcmp(key, "shape") && !have_shape) {
            int r = parse_shape(&c, a);
            if (r < 0)
                return tc_fail(err, TC_EUNSUPPORTED, "%s: npy shape has %d axes (at most %d)",
                               name, -r, TC_NPY_MAX_DIMS);
            if (r == 0)
                return tc_fail(err, TC_EFORMAT, "%s: npy header: shape is not a tuple of sizes",
                               name);
            have_shape = true;
        } else {
            return tc_fail(err, TC_EFORMAT, "%s: npy header: unexpected or repeated key '%s'",
                           name, key);
        }
        if (eat(&c, '}'))
            break;
        if (!eat(&c, ','))
            return tc_fail(err, TC_EFORMAT, "%s: npy header: expected ',' or '}'", name);
    }
    if (!have_descr || !have_fo || !have_shape)
        return tc_fail(err, TC_EFORMAT, "%s: npy header lacks descr, fortran_order or shape",
                       name);
    skip_ws(&c);
    if (c.p + 1 != c.end || *c.p != '\n')
        return tc_fail(err, TC_EFORMAT, "%s: npy header does not end with a newline", name);
    return TC_OK;
}

/* Parses the magic, version and header dictionary in buf (at least the
 * header's bytes); *data_off receives where the data starts and *nbytes its
 * length by the shape.  a->data stays NULL; a->count is set. */
static tc_status parse_header(tc_error *err, tc_npy *a, size_t *data_off, size_t *nbytes,
                              const uint8_t *buf, size_t len, const char *name)
{
    memset(a, 0, sizeof *a);
    if (len < 10 || memcmp(buf, npy_magic, 6) != 0)
        return tc_fail(err, TC_EFORMAT, "%s: not a .npy file (bad magic)", name);
    uint8_t major = buf[6], minor = buf[7];
    size_t hlen, pre;
    if (major == 1 && minor == 0) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        pre = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (len < 12)
            return tc_fail(err, TC_EFORMAT, "%s: truncated .npy header", name);
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
               (size_t)buf[11] << 24;
        pre = 12;
    } else {
        return tc_fail(err, TC_EUNSUPPORTED, "%s: .npy format version %u.%u", name, major,
                       minor);
    }
    if (hlen > len - pre)
        return tc_fail(err, TC_EFORMAT, "%s: truncated .npy header (%zu bytes declared)", name,
                       hlen);
    tc_status s = parse_dict(err, a, (const char *)buf + pre, hlen, name);
    if (s != TC_OK)
        return s;
    size_t count = 1;
    for (int i = 0; i < a->ndim; i++)
        if (!tc_mul_size(&count, count, (size_t)a->shape[i]))
            return tc_fail(err, TC_EFORMAT, "%s: npy shape overflows", name);
    size_t esz = a->dtype == TC_NPY_F32 ? 4 : 8;
    if (!tc_mul_size(nbytes, count, esz))
        return tc_fail(err, TC_EFORMAT, "%s: npy shape overflows", name);
    a->count = count;
    *data_off = pre + hlen;
    return TC_OK;
}

tc_status tc_npy_parse(tc_error *err, tc_npy *out, const uint8_t *buf, size_t len,
                       const char *name)
{
    tc_npy a;
    size_t off = 0, nbytes = 0;
    memset(out, 0, sizeof *out);
    tc_status s = parse_header(err, &a, &off, &nbytes, buf, len, name);
    if (s != TC_OK)
        return s;
    size_t have = len - off;
    if (have != nbytes)
        return tc_fail(err, TC_EFORMAT, "%s: npy data is %zu bytes, the shape needs %zu", name,
                       have, nbytes);
    size_t alloc = (nbytes + 63) / 64 * 64;
    a.data = aligned_alloc(64, alloc ? alloc : 64);
    if (a.data == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: cannot allocate %zu bytes", name, nbytes);
    memcpy(a.data, buf + off, nbytes);
    *out = a;
    return TC_OK;
}

tc_status tc_npy_read_header(tc_error *err, tc_npy *out, size_t *data_off, const char *path)
{
    enum { MAX_HEADER = 1 << 20 };
    memset(out, 0, sizeof *out);
    *data_off = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t *buf = malloc(MAX_HEADER);
    size_t got = 0, off = 0, nbytes = 0;
    long size = -1;
    tc_status s = TC_OK;
    if (buf == NULL) {
        s = tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    got = fread(buf, 1, MAX_HEADER, f);
    size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0) {
        s = tc_fail(err, TC_EIO, "%s: cannot seek: %s", path, strerror(errno));
        goto out;
    }
    s = parse_header(err, out, &off, &nbytes, buf, got, path);
    if (s == TC_OK && (size_t)size - off != nbytes)
        s = tc_fail(err, TC_EFORMAT, "%s: npy data is %zu bytes, the shape needs %zu", path,
                    (size_t)size - off, nbytes);
    if (s == TC_OK)
        *data_off = off;
    else
        memset(out, 0, sizeof *out);
out:
    free(buf);
    fclose(f);
    return s;
}

tc_status tc_npy_read(tc_error *err, tc_npy *out, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    tc_status s = tc_read_file(err, &buf, &len, path, SIZE_MAX / 2);
    if (s != TC_OK)
        return s;
    s = tc_npy_parse(err, out, buf, len, path);
    free(buf);
    return s;
}

/* ----------------------------------------------------------------- writing */

tc_status tc_npy_encode(tc_error *err, uint8_t **buf, size_t *len, tc_npy_dtype dtype,
                        const void *data, int ndim, const int64_t *shape)
{
    *buf = NULL;
    *len = 0;
    if (ndim < 0 || ndim > TC_NPY_MAX_DIMS)
        return tc_fail(err, TC_EARG, "npy: %d axes (at most %d)", ndim, TC_NPY_MAX_DIMS);
    /* The dictionary exactly as numpy writes it (keys sorted, trailing ", "):
     * 60 bytes of keys and at most 32 sizes of up to 21 characters each. */
    char dict[60 + TC_NPY_MAX_DIMS * 21 + 8];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     dtype == TC_NPY_F32 ? "<f4" : "<i8");
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || !tc_mul_size(&count, count, (size_t)shape[i]))
            return tc_fail(err, TC_EARG, "npy: bad shape");
        n += snprintf(dict + n, sizeof dict - (size_t)n, i ? ", %lld" : "%lld",
                      (long long)shape[i]);
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", ndim == 1 ? "," : "");
    size_t dlen = (size_t)n;
    /* magic(6) + version(2) + length(2 or 4) + dict + spaces + '\n' = k * 64 */
    size_t pre = 10;
    size_t total_hdr = (pre + dlen + 1 + 63) / 64 * 64;
    if (total_hdr - pre > 65535) {
        pre = 12;
        total_hdr = (pre + dlen + 1 + 63) / 64 * 64;
    }
    size_t hlen = total_hdr - pre;
    size_t esz = dtype == TC_NPY_F32 ? 4 : 8, nbytes, total;
    if (!tc_mul_size(&nbytes, count, esz) || !tc_add_size(&total, total_hdr, nbytes))
        return tc_fail(err, TC_EARG, "npy: array too large");
    uint8_t *b = malloc(total);
    if (b == NULL)
        return tc_fail(err, TC_ENOMEM, "npy: cannot allocate %zu bytes", total);
    memcpy(b, npy_magic, 6);
    b[6] = pre == 10 ? 1 : 2;
    b[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        b[8 + i] = (uint8_t)(hlen >> (8 * i));
    memcpy(b + pre, dict, dlen);
    memset(b + pre + dlen, ' ', hlen - dlen - 1);
    b[total_hdr - 1] = '\n';
    if (nbytes)
        memcpy(b + total_hdr, data, nbytes);
    *buf = b;
    *len = total;
    return TC_OK;
}

tc_status tc_npy_write(tc_error *err, const char *path, tc_npy_dtype dtype, const void *data,
                       int ndim, const int64_t *shape)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    tc_status s = tc_npy_encode(err, &buf, &len, dtype, data, ndim, shape);
    if (s == TC_OK)
        s = tc_write_file_atomic(err, path, buf, len);
    free(buf);
    return s;
}
