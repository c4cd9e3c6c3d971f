/* The binary verification key (docs/formats.md, "vk file (*.tcv)"): the
 * verification key and the embedded Lagrange levels J..m−1 as uncompressed
 * points, memory-mapped when read.  The JSON form costs ~65 characters a
 * point and a hex parse; this one 64 bytes and a curve check, which matters
 * once a layer slice spans millions of points. */
#include "pst/pst.h"

#include "ec/encoding.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t vk_magic[8] = {'T', 'C', 'P', 'S', 'T', 'V', 'K', '1'};
enum { VK_VERSION = 1, G1B = TC_G1_UNCOMPRESSED_BYTES, G2B = TC_G2_UNCOMPRESSED_BYTES };

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* magic, version, origin, m, J, n_0..n_{m−1}, srs id */
static size_t header_bytes(int m)
{
    return 8 + 4 * 4 + 4 * (size_t)m + 32;
}

/* Points of levels J..m−1. */
static size_t level_points(const tc_pst_shape *s, int J)
{
    size_t n = 0;
    for (int j = J; j < s->m; j++)
        n += tc_pst_suffix_size(s, j);
    return n;
}

bool tc_pst_vk_bin_is(const uint8_t *buf, size_t len)
{
    return len >= 8 && !memcmp(buf, vk_magic, 8);
}

tc_status tc_pst_vk_bin_encode(tc_error *err, uint8_t **out, size_t *out_len,
                               const tc_pst_srs *srs, int J)
{
    const tc_pst_shape *s = &srs->shape;
    if (J < 1 || J > s->m)
        return tc_fail(err, TC_EARG, "slice level %d outside 1..%d", J, s->m);
    size_t n_lv = level_points(s, J);
    size_t len = header_bytes(s->m) + G1B + G2B * (1 + (size_t)s->m) + G1B * n_lv + 32;
    uint8_t *buf = malloc(len), *p = buf;
    if (buf == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for a %zu-byte key", len);
    memcpy(p, vk_magic, 8);
    put_u32(p + 8, VK_VERSION);
    put_u32(p + 12, (uint32_t)srs->origin);
    put_u32(p + 16, (uint32_t)s->m);
    put_u32(p + 20, (uint32_t)J);
    for (int i = 0; i < s->m; i++)
        put_u32(p + 24 + 4 * i, s->n[i]);
    p += 24 + 4 * (size_t)s->m;
    memcpy(p, srs->id, 32);
    p += 32;
    tc_g1_to_bytes_uncompressed(p, &srs->vk.g1);
    p += G1B;
    tc_g2_to_bytes_uncompressed(p, &srs->vk.g2);
    p += G2B;
    for (int i = 0; i < s->m; i++, p += G2B)
        tc_g2_to_bytes_uncompressed(p, &srs->vk.tau[i]);
    for (int j = J; j < s->m; j++) {
        const tc_g1_affine *lv = tc_pst_srs_level(srs, j);
        size_t n = tc_pst_suffix_size(s, j);
        for (size_t k = 0; k < n; k++, p += G1B)
            tc_g1_to_bytes_uncompressed(p, &lv[k]);
    }
    tc_sha256_oneshot(p, buf, (size_t)(p - buf));
    *out = buf;
    *out_len = len;
    return TC_OK;
}

typedef struct get_job {
    tc_g1_affine *pts;
    const uint8_t *in;
    uint8_t *bad;
} get_job;

static void get_range(void *ctx, size_t lo, size_t hi)
{
    const get_job *j = ctx;
    for (size_t i = lo; i < hi; i++)
        j->bad[i] = tc_g1_decode_uncompressed(&j->pts[i], j->in + i * G1B) != TC_POINT_OK;
}

tc_status tc_pst_vk_bin_decode(tc_error *err, tc_pst_vk_file *vf, const uint8_t *buf, size_t len,
                               const char *name, int n_threads)
{
    memset(vf, 0, sizeof *vf);
    if (len < 24 + 32 || !tc_pst_vk_bin_is(buf, len))
        return tc_fail(err, TC_EFORMAT, "%s: not a binary verification key (magic)", name);
    if (get_u32(buf + 8) != VK_VERSION)
        return tc_fail(err, TC_EFORMAT, "%s: version %u, expected %d", name, get_u32(buf + 8),
                       VK_VERSION);
    uint32_t origin = get_u32(buf + 12), m = get_u32(buf + 16), J = get_u32(buf + 20);
    if (origin < TC_PST_ORIGIN_RANDOM || origin > TC_PST_ORIGIN_CEREMONY)
        return tc_fail(err, TC_EFORMAT, "%s: unknown origin %u", name, origin);
    if (m < 1 || m > TC_PST_MAX_VARS || J < 1 || J > m || len < header_bytes((int)m))
        return tc_fail(err, TC_EFORMAT, "%s: bad header (m = %u, J = %u)", name, m, J);
    tc_pst_shape s = {.m = (int)m};
    for (uint32_t i = 0; i < m; i++)
        s.n[i] = get_u32(buf + 24 + 4 * i);
    tc_status st = tc_pst_shape_check(err, &s);
    if (st != TC_OK)
        return tc_fail(err, TC_EFORMAT, "%s: %s", name, err ? err->msg : "bad shape");
    size_t n_lv = level_points(&s, (int)J);
    size_t want = header_bytes((int)m) + G1B + G2B * (1 + (size_t)m) + G1B * n_lv + 32;
    if (len != want)
        return tc_fail(err, TC_EFORMAT, "%s: %zu bytes, the header implies %zu", name, len, want);
    uint8_t digest[32];
    tc_sha256_oneshot(digest, buf, len - 32);
    if (memcmp(digest, buf + len - 32, 32))
        return tc_fail(err, TC_EFORMAT, "%s: trailing SHA-256 does not match the content", name);
    const uint8_t *p = buf + 24 + 4 * (size_t)m;
    memcpy(vf->srs_id, p, 32);
    p += 32;
    vf->vk.shape = s;
    vf->origin = (tc_pst_origin)origin;
    if (tc_g1_decode_uncompressed(&vf->vk.g1, p) != TC_POINT_OK ||
        tc_g2_decode_uncompressed(&vf->vk.g2, p + G1B) != TC_POINT_OK)
        return tc_fail(err, TC_EFORMAT, "%s: [1]1 or [1]2 does not decode", name);
    p += G1B + G2B;
    for (uint32_t i = 0; i < m; i++, p += G2B)
        if (tc_g2_decode_uncompressed(&vf->vk.tau[i], p) != TC_POINT_OK)
            return tc_fail(err, TC_EFORMAT, "%s: [t_%u]2 does not decode", name, i);
    uint8_t *bad = malloc(n_lv ? n_lv : 1);
    if (bad == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (uint32_t j = J; j < m && st == TC_OK; j++) {
        size_t n = tc_pst_suffix_size(&s, (int)j);
        vf->levels[j] = malloc(n * sizeof *vf->levels[j]);
        if (vf->levels[j] == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory for %zu key points", n);
            break;
        }
        get_job job = {vf->levels[j], p, bad};
        tc_pst_parallel(n_threads, n, get_range, &job);
        for (size_t k = 0; k < n; k++)
            if (bad[k]) {
                st = tc_fail(err, TC_EFORMAT, "%s: level %u point %zu does not decode", name, j,
                             k);
                break;
            }
        p += n * G1B;
    }
    free(bad);
    if (st != TC_OK)
        tc_pst_vk_file_free(vf);
    return st;
}

tc_status tc_pst_vk_file_load(tc_error *err, tc_pst_vk_file *vf, const char *path,
                              int n_threads)
{
    memset(vf, 0, sizeof *vf);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
        close(fd);
        return tc_fail(err, TC_EIO, "%s: not a regular, non-empty file", path);
    }
    size_t len = (size_t)sb.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return tc_fail(err, TC_EIO, "%s: cannot map: %s", path, strerror(errno));
    tc_status st = tc_pst_vk_bin_is(map, len)
                       ? tc_pst_vk_bin_decode(err, vf, map, len, path, n_threads)
                       : tc_pst_vk_decode(err, vf, map, len, path);
    munmap(map, len);
    return st;
}
