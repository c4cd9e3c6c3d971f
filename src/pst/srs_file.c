/* The SRS file (docs/formats.md, "SRS file"): a header, the verification
 * key, every level of the Lagrange key and the optional monomial key as
 * uncompressed little-endian affine points, then SHA-256 of all of it. */
#include "pst/pst.h"

#include "ec/encoding.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t srs_magic[8] = {'T', 'C', 'P', 'S', 'T', 'S', 'R', 'S'};
enum { SRS_VERSION = 1, SRS_FLAG_MONOMIAL = 1, G1_BYTES = 64, G2_BYTES = 128 };

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Points use the arkworks uncompressed layout (ec/encoding.h). */
static void g1_put(uint8_t out[G1_BYTES], const tc_g1_affine *a)
{
    tc_g1_to_bytes_uncompressed(out, a);
}

static bool g1_get(tc_g1_affine *a, const uint8_t in[G1_BYTES])
{
    return tc_g1_decode_uncompressed(a, in) == TC_POINT_OK;
}

static void g2_put(uint8_t out[G2_BYTES], const tc_g2_affine *a)
{
    tc_g2_to_bytes_uncompressed(out, a);
}

static bool g2_get(tc_g2_affine *a, const uint8_t in[G2_BYTES])
{
    return tc_g2_decode_uncompressed(a, in) == TC_POINT_OK;
}

static size_t header_bytes(int m) { return 8 + 4 * 4 + 4 * (size_t)m; }

/* Total file size for this SRS, or 0 on overflow. */
static size_t file_bytes(const tc_pst_srs *srs, bool monomial)
{
    size_t pts = srs->n_points, len;
    if (monomial && !tc_add_size(&pts, pts, tc_pst_suffix_size(&srs->shape, 0)))
        return 0;
    if (!tc_mul_size(&len, pts, G1_BYTES))
        return 0;
    size_t fixed = header_bytes(srs->shape.m) + G1_BYTES + G2_BYTES * (1 + (size_t)srs->shape.m) + 32;
    return tc_add_size(&len, len, fixed) ? len : 0;
}

typedef struct put_job {
    uint8_t *out;
    const tc_g1_affine *pts;
} put_job;

static void put_range(void *ctx, size_t lo, size_t hi)
{
    const put_job *j = ctx;
    for (size_t i = lo; i < hi; i++)
        g1_put(j->out + i * G1_BYTES, &j->pts[i]);
}

tc_status tc_pst_srs_encode(tc_error *err, uint8_t **buf, size_t *len, tc_pst_srs *srs)
{
    *buf = NULL;
    *len = 0;
    bool mono = srs->mk != NULL;
    size_t total = file_bytes(srs, mono);
    if (total == 0)
        return tc_fail(err, TC_EARG, "SRS too large to encode");
    uint8_t *out = malloc(total);
    if (out == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory encoding a %zu-byte SRS", total);
    const tc_pst_shape *s = &srs->shape;
    uint8_t *p = out;
    memcpy(p, srs_magic, 8);
    put_u32(p + 8, SRS_VERSION);
    put_u32(p + 12, (uint32_t)srs->origin);
    put_u32(p + 16, mono ? SRS_FLAG_MONOMIAL : 0);
    put_u32(p + 20, (uint32_t)s->m);
    for (int i = 0; i < s->m; i++)
        put_u32(p + 24 + 4 * i, s->n[i]);
    p += header_bytes(s->m);
    g1_put(p, &srs->vk.g1);
    p += G1_BYTES;
    g2_put(p, &srs->vk.g2);
    p += G2_BYTES;
    for (int i = 0; i < s->m; i++, p += G2_BYTES)
        g2_put(p, &srs->vk.tau[i]);
    put_job pj = {p, srs->ck};
    tc_pst_parallel(2, srs->n_points, put_range, &pj);
    p += srs->n_points * G1_BYTES;
    if (mono) {
        put_job mj = {p, srs->mk};
        size_t n = tc_pst_suffix_size(s, 0);
        tc_pst_parallel(2, n, put_range, &mj);
        p += n * G1_BYTES;
    }
    tc_sha256_oneshot(p, out, (size_t)(p - out));
    memcpy(srs->id, p, 32);
    *buf = out;
    *len = total;
    return TC_OK;
}

tc_status tc_pst_srs_write(tc_error *err, const char *path, tc_pst_srs *srs)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    tc_status st = tc_pst_srs_encode(err, &buf, &len, srs);
    if (st == TC_OK)
        st = tc_write_file_atomic(err, path, buf, len);
    free(buf);
    return st;
}

typedef struct get_job {
    tc_g1_affine *pts;
    const uint8_t *in;
    uint8_t *bad;    /* (n) 1 where a point failed to decode */
} get_job;

static void get_range(void *ctx, size_t lo, size_t hi)
{
    const get_job *j = ctx;
    for (size_t i = lo; i < hi; i++)
        j->bad[i] = !g1_get(&j->pts[i], j->in + i * G1_BYTES);
}

/* Decodes n points; the index of the first bad one in *bad_at, or SIZE_MAX. */
static tc_status get_points(tc_error *err, tc_g1_affine *pts, const uint8_t *in, size_t n,
                            int n_threads, size_t *bad_at)
{
    uint8_t *bad = malloc(n ? n : 1);
    if (bad == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory decoding %zu points", n);
    get_job j = {pts, in, bad};
    tc_pst_parallel(n_threads, n, get_range, &j);
    *bad_at = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (bad[i]) {
            *bad_at = i;
            break;
        }
    free(bad);
    return TC_OK;
}

tc_status tc_pst_srs_decode(tc_error *err, tc_pst_srs *srs, const uint8_t *buf, size_t len,
                            const char *name, int n_threads)
{
    memset(srs, 0, sizeof *srs);
    tc_status st = TC_OK;
    if (len < header_bytes(0) + 32 || memcmp(buf, srs_magic, 8) != 0)
        return tc_fail(err, TC_EFORMAT, "%s: not an SRS file (bad magic or too short)", name);
    uint32_t version = get_u32(buf + 8), origin = get_u32(buf + 12), flags = get_u32(buf + 16);
    uint32_t m = get_u32(buf + 20);
    if (version != SRS_VERSION)
        return tc_fail(err, TC_EUNSUPPORTED, "%s: SRS version %u (this build reads %d)", name,
                       version, SRS_VERSION);
    if (origin < TC_PST_ORIGIN_RANDOM || origin > TC_PST_ORIGIN_CEREMONY || (flags & ~1u) ||
        m < 1 || m > TC_PST_MAX_VARS || len < header_bytes((int)m) + 32)
        return tc_fail(err, TC_EFORMAT, "%s: malformed SRS header", name);
    srs->shape.m = (int)m;
    for (uint32_t i = 0; i < m; i++)
        srs->shape.n[i] = get_u32(buf + 24 + 4 * i);
    tc_error e2;
    if (tc_pst_shape_check(&e2, &srs->shape) != TC_OK) {
        st = tc_fail(err, TC_EFORMAT, "%s: %s", name, e2.msg);
        goto out;
    }
    srs->origin = (tc_pst_origin)origin;
    size_t off = 0;
    for (int j = 0; j <= srs->shape.m; j++) {
        srs->level_off[j] = off;
        off += tc_pst_suffix_size(&srs->shape, j);
    }
    srs->n_points = off;
    bool mono = flags & SRS_FLAG_MONOMIAL;
    size_t want = file_bytes(srs, mono);
    if (want == 0 || want != len) {
        st = tc_fail(err, TC_EFORMAT, "%s: SRS file is %zu bytes, its header implies %zu", name,
                     len, want);
        goto out;
    }
    uint8_t digest[32];
    tc_sha256_oneshot(digest, buf, len - 32);
    if (memcmp(digest, buf + len - 32, 32) != 0) {
        st = tc_fail(err, TC_EFORMAT, "%s: SRS digest mismatch (file corrupted or modified)", name);
        goto out;
    }
    memcpy(srs->id, digest, 32);

    const uint8_t *p = buf + header_bytes(srs->shape.m);
    srs->vk.shape = srs->shape;
    if (!g1_get(&srs->vk.g1, p) || !g2_get(&srs->vk.g2, p + G1_BYTES)) {
        st = tc_fail(err, TC_EFORMAT, "%s: invalid generator in the verification key", name);
        goto out;
    }
    p += G1_BYTES + G2_BYTES;
    for (int i = 0; i < srs->shape.m; i++, p += G2_BYTES)
        if (!g2_get(&srs->vk.tau[i], p)) {
            st = tc_fail(err, TC_EFORMAT, "%s: invalid [t_%d]₂ in the verification key", name, i);
            goto out;
        }
    size_t total = tc_pst_suffix_size(&srs->shape, 0);
    srs->ck = malloc(srs->n_points * sizeof *srs->ck);
    srs->mk = mono ? malloc(total * sizeof *srs->mk) : NULL;
    if (srs->ck == NULL || (mono && srs->mk == NULL)) {
        st = tc_fail(err, TC_ENOMEM, "%s: out of memory for %zu points", name, srs->n_points);
        goto out;
    }
    size_t bad;
    st = get_points(err, srs->ck, p, srs->n_points, n_threads, &bad);
    if (st != TC_OK)
        goto out;
    if (bad != SIZE_MAX) {
        st = tc_fail(err, TC_EFORMAT, "%s: Lagrange key point %zu is not a curve point", name, bad);
        goto out;
    }
    p += srs->n_points * G1_BYTES;
    if (mono) {
        st = get_points(err, srs->mk, p, total, n_threads, &bad);
        if (st != TC_OK)
            goto out;
        if (bad != SIZE_MAX) {
            st = tc_fail(err, TC_EFORMAT, "%s: monomial key point %zu is not a curve point", name,
                         bad);
            goto out;
        }
    }
    st = tc_pst_vk_prepare(err, &srs->vk);
out:
    if (st != TC_OK)
        tc_pst_srs_free(srs);
    return st;
}

tc_status tc_pst_srs_load(tc_error *err, tc_pst_srs *srs, const char *path, int n_threads)
{
    memset(srs, 0, sizeof *srs);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return tc_fail(err, TC_EIO, "%s: not a regular file", path);
    }
    size_t len = (size_t)sb.st_size;
    if (len == 0) {
        close(fd);
        return tc_fail(err, TC_EFORMAT, "%s: empty file, not an SRS", path);
    }
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return tc_fail(err, TC_EIO, "%s: cannot map: %s", path, strerror(errno));
    tc_status st = tc_pst_srs_decode(err, srs, map, len, path, n_threads);
    munmap(map, len);
    return st;
}
