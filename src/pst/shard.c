/* Reading an SRS by parts, from one file or from a folder of shards
 * (shard.h, docs/formats.md "Sharded SRS"). */
#define _GNU_SOURCE                   /* asprintf */
#define OPENSSL_SUPPRESS_DEPRECATED   /* SHA256_CTX: a state that can be sent */
#include "pst/shard.h"

#include "ec/encoding.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t srs_magic[8] = {'T', 'C', 'P', 'S', 'T', 'S', 'R', 'S'};
static const uint8_t shard_magic[8] = {'T', 'C', 'P', 'S', 'T', 'S', 'H', 'D'};
enum { SRS_VERSION = 1, SHARD_VERSION = 1, CHUNK = 1 << 20 };

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void tc_pst_block(size_t count, int k, int r, size_t *lo, size_t *hi)
{
    *lo = (size_t)((unsigned __int128)count * (unsigned)r / (unsigned)k);
    *hi = (size_t)((unsigned __int128)count * (unsigned)(r + 1) / (unsigned)k);
}

size_t tc_pst_srs_prefix_len(int m)
{
    return 24 + 4 * (size_t)m + TC_PST_G1_BYTES + TC_PST_G2_BYTES * (1 + (size_t)m);
}

void tc_pst_srs_prefix_encode(uint8_t *out, const tc_pst_shape *shape, tc_pst_origin origin,
                              bool monomial, const tc_pst_vk *vk)
{
    memcpy(out, srs_magic, 8);
    put_u32(out + 8, SRS_VERSION);
    put_u32(out + 12, (uint32_t)origin);
    put_u32(out + 16, monomial ? 1 : 0);
    put_u32(out + 20, (uint32_t)shape->m);
    uint8_t *p = out + 24;
    for (int i = 0; i < shape->m; i++, p += 4)
        put_u32(p, shape->n[i]);
    tc_g1_to_bytes_uncompressed(p, &vk->g1);
    p += TC_PST_G1_BYTES;
    tc_g2_to_bytes_uncompressed(p, &vk->g2);
    p += TC_PST_G2_BYTES;
    for (int i = 0; i < shape->m; i++, p += TC_PST_G2_BYTES)
        tc_g2_to_bytes_uncompressed(p, &vk->tau[i]);
}

void tc_pst_shard_head_encode(uint8_t out[TC_PST_SHARD_HEAD], int k, int r)
{
    memcpy(out, shard_magic, 8);
    put_u32(out + 8, SHARD_VERSION);
    put_u32(out + 12, (uint32_t)r);
    put_u32(out + 16, (uint32_t)k);
}

/* Points of shard r of k, over every level. */
static size_t shard_points(const tc_pst_shape *shape, int k, int r)
{
    size_t pts = 0, lo, hi;
    for (int j = 0; j <= shape->m; j++) {
        tc_pst_block(tc_pst_suffix_size(shape, j), k, r, &lo, &hi);
        pts += hi - lo;
    }
    return pts;
}

size_t tc_pst_shard_len(const tc_pst_shape *shape, int k, int r)
{
    size_t len = 0;
    if (!tc_mul_size(&len, shard_points(shape, k, r), TC_PST_G1_BYTES))
        return 0;
    size_t fixed = TC_PST_SHARD_HEAD + tc_pst_srs_prefix_len(shape->m) + 32;
    return tc_add_size(&len, len, fixed) ? len : 0;
}

static tc_status read_at(tc_error *err, int fd, void *buf, size_t len, size_t off,
                         const char *name)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t got = pread(fd, p, len, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return tc_fail(err, got < 0 ? TC_EIO : TC_EFORMAT, "%s: %s at byte %zu", name,
                           got < 0 ? strerror(errno) : "file ends early", off);
        p += got, off += (size_t)got, len -= (size_t)got;
    }
    return TC_OK;
}

void tc_pst_srs_src_close(tc_pst_srs_src *src)
{
    if (src == NULL)
        return;
    for (int f = 0; src->fds != NULL && f < src->n_files; f++)
        if (src->fds[f] >= 0)
            close(src->fds[f]);
    for (int f = 0; src->files != NULL && f < src->n_files; f++)
        free(src->files[f]);
    free(src->files);
    free(src->fds);
    free(src->digest);
    free(src->prefix);
    free(src->path);
    memset(src, 0, sizeof *src);
}

/* Parses the header and key in src->prefix (prefix_len bytes present). */
static tc_status decode_prefix(tc_error *err, tc_pst_srs_src *src, const uint8_t *buf,
                               size_t have, const char *name)
{
    if (have < 24 || memcmp(buf, srs_magic, 8) != 0)
        return tc_fail(err, TC_EFORMAT, "%s: not an SRS file (bad magic or too short)", name);
    uint32_t version = get_u32(buf + 8), origin = get_u32(buf + 12), flags = get_u32(buf + 16);
    uint32_t m = get_u32(buf + 20);
    if (version != SRS_VERSION)
        return tc_fail(err, TC_EUNSUPPORTED, "%s: SRS version %u (this build reads %d)", name,
                       version, SRS_VERSION);
    if (origin < TC_PST_ORIGIN_RANDOM || origin > TC_PST_ORIGIN_CEREMONY || (flags & ~1u) ||
        m < 1 || m > TC_PST_MAX_VARS || have < tc_pst_srs_prefix_len((int)m))
        return tc_fail(err, TC_EFORMAT, "%s: malformed SRS header", name);
    src->shape.m = (int)m;
    for (uint32_t i = 0; i < m; i++)
        src->shape.n[i] = get_u32(buf + 24 + 4 * i);
    tc_error e2;
    if (tc_pst_shape_check(&e2, &src->shape) != TC_OK)
        return tc_fail(err, TC_EFORMAT, "%s: %s", name, e2.msg);
    src->origin = (tc_pst_origin)origin;
    src->monomial = flags & 1;
    const uint8_t *p = buf + 24 + 4 * (size_t)m;
    src->vk.shape = src->shape;
    bool ok = tc_g1_decode_uncompressed(&src->vk.g1, p) == TC_POINT_OK &&
              tc_g2_decode_uncompressed(&src->vk.g2, p + TC_PST_G1_BYTES) == TC_POINT_OK;
    p += TC_PST_G1_BYTES + TC_PST_G2_BYTES;
    for (uint32_t i = 0; i < m && ok; i++, p += TC_PST_G2_BYTES)
        ok = tc_g2_decode_uncompressed(&src->vk.tau[i], p) == TC_POINT_OK;
    if (!ok)
        return tc_fail(err, TC_EFORMAT, "%s: invalid point in the verification key", name);
    src->prefix_len = tc_pst_srs_prefix_len((int)m);
    src->prefix = malloc(src->prefix_len);
    if (src->prefix == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", name);
    memcpy(src->prefix, buf, src->prefix_len);
    size_t off = 0;
    for (int j = 0; j <= src->shape.m; j++) {
        src->level_size[j] = tc_pst_suffix_size(&src->shape, j);
        src->level_off[j] = off;
        off += src->level_size[j];
    }
    return TC_OK;
}

static tc_status file_size(tc_error *err, int fd, size_t *len, const char *name)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return tc_fail(err, TC_EIO, "%s: not a regular file", name);
    *len = (size_t)sb.st_size;
    return TC_OK;
}

static tc_status alloc_files(tc_error *err, tc_pst_srs_src *src, int n)
{
    src->n_files = n;
    src->files = calloc((size_t)n, sizeof *src->files);
    src->fds = malloc((size_t)n * sizeof *src->fds);
    src->digest = calloc((size_t)n, sizeof *src->digest);
    if (src->files == NULL || src->fds == NULL || src->digest == NULL) {
        src->n_files = 0;
        return tc_fail(err, TC_ENOMEM, "out of memory");
    }
    for (int f = 0; f < n; f++)
        src->fds[f] = -1;
    return TC_OK;
}

static tc_status open_one(tc_error *err, tc_pst_srs_src *src, const char *path)
{
    tc_status st = alloc_files(err, src, 1);
    if (st != TC_OK)
        return st;
    src->files[0] = strdup(path);
    if (src->files[0] == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    src->fds[0] = open(path, O_RDONLY);
    if (src->fds[0] < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t len = 0, want_max = tc_pst_srs_prefix_len(TC_PST_MAX_VARS);
    st = file_size(err, src->fds[0], &len, path);
    if (st != TC_OK)
        return st;
    uint8_t head[24 + 4 * TC_PST_MAX_VARS + TC_PST_G1_BYTES + TC_PST_G2_BYTES * (1 + TC_PST_MAX_VARS)];
    size_t have = len < want_max ? len : want_max;
    st = read_at(err, src->fds[0], head, have, 0, path);
    if (st == TC_OK)
        st = decode_prefix(err, src, head, have, path);
    if (st != TC_OK)
        return st;
    size_t pts = src->level_off[src->shape.m] + 1, want;
    if (src->monomial)
        pts += src->level_size[0];
    if (!tc_mul_size(&want, pts, TC_PST_G1_BYTES) ||
        !tc_add_size(&want, want, src->prefix_len + 32) || want != len)
        return tc_fail(err, TC_EFORMAT, "%s: SRS file is %zu bytes, its header implies %zu", path,
                       len, want);
    return read_at(err, src->fds[0], src->id, 32, len - 32, path);
}

/* The manifest's fields: shard count, file names, digests, the SRS id. */
static tc_status read_manifest(tc_error *err, tc_pst_srs_src *src, const char *dir)
{
    char *mpath = NULL;
    json_t *root = NULL;
    json_error_t je;
    tc_status st = TC_OK;
    if (asprintf(&mpath, "%s/%s", dir, TC_PST_SHARD_MANIFEST) < 0)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    root = json_load_file(mpath, 0, &je);
    if (root == NULL) {
        st = tc_fail(err, errno == ENOENT ? TC_EIO : TC_EFORMAT, "%s: %s", mpath, je.text);
        goto out;
    }
    json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "version");
    json_t *id = json_object_get(root, "srs_id"), *sh = json_object_get(root, "shards");
    size_t k = json_array_size(sh);
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "tensorcommit sharded srs") ||
        !json_is_integer(ver) || json_integer_value(ver) != 1 || !json_is_string(id) ||
        strlen(json_string_value(id)) != 64 || !tc_hex_decode(src->id, 32, json_string_value(id)) ||
        k < 1 || k > TC_PST_SHARD_MAX) {
        st = tc_fail(err, TC_EFORMAT, "%s: not a sharded SRS manifest (format, version, srs_id "
                     "or shards missing or malformed)", mpath);
        goto out;
    }
    st = alloc_files(err, src, (int)k);
    for (size_t f = 0; st == TC_OK && f < k; f++) {
        json_t *e = json_array_get(sh, f);
        const char *name = json_string_value(json_object_get(e, "file"));
        const char *dg = json_string_value(json_object_get(e, "sha256"));
        if (name == NULL || dg == NULL || name[0] == '\0' || name[0] == '.' ||
            strchr(name, '/') != NULL || strlen(dg) != 64 || !tc_hex_decode(src->digest[f], 32, dg)) {
            st = tc_fail(err, TC_EFORMAT, "%s: shard %zu: needs a plain \"file\" name and a "
                         "64-hex \"sha256\"", mpath, f);
            break;
        }
        if (asprintf(&src->files[f], "%s/%s", dir, name) < 0) {
            src->files[f] = NULL;
            st = tc_fail(err, TC_ENOMEM, "out of memory");
        }
    }
out:
    json_decref(root);
    free(mpath);
    return st;
}

/* Opens shard f and checks its length, its head and that its prefix is the
 * one of shard 0 (decoded into src when f = 0). */
static tc_status open_shard(tc_error *err, tc_pst_srs_src *src, int f)
{
    const char *name = src->files[f];
    src->fds[f] = open(name, O_RDONLY);
    if (src->fds[f] < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open shard %d of %d: %s", name, f, src->n_files,
                       strerror(errno));
    uint8_t head[TC_PST_SHARD_HEAD + 24 + 4 * TC_PST_MAX_VARS + TC_PST_G1_BYTES +
                 TC_PST_G2_BYTES * (1 + TC_PST_MAX_VARS)];
    size_t len = 0, have;
    tc_status st = file_size(err, src->fds[f], &len, name);
    if (st != TC_OK)
        return st;
    have = len < sizeof head ? len : sizeof head;
    st = read_at(err, src->fds[f], head, have, 0, name);
    if (st != TC_OK)
        return st;
    if (have < TC_PST_SHARD_HEAD || memcmp(head, shard_magic, 8) != 0 ||
        get_u32(head + 8) != SHARD_VERSION || get_u32(head + 12) != (uint32_t)f ||
        get_u32(head + 16) != (uint32_t)src->n_files)
        return tc_fail(err, TC_EFORMAT, "%s: not shard %d of %d of a sharded SRS (bad magic, "
                       "version or index)", name, f, src->n_files);
    if (f == 0) {
        st = decode_prefix(err, src, head + TC_PST_SHARD_HEAD, have - TC_PST_SHARD_HEAD, name);
        if (st != TC_OK)
            return st;
        if (src->monomial)
            return tc_fail(err, TC_EFORMAT, "%s: a shard cannot hold a monomial key", name);
    } else if (have < TC_PST_SHARD_HEAD + src->prefix_len ||
               memcmp(head + TC_PST_SHARD_HEAD, src->prefix, src->prefix_len) != 0) {
        return tc_fail(err, TC_EFORMAT, "%s: shard %d has another header or key than shard 0",
                       name, f);
    }
    size_t want = tc_pst_shard_len(&src->shape, src->n_files, f);
    if (want != len)
        return tc_fail(err, TC_EFORMAT, "%s: shard is %zu bytes, its header implies %zu", name,
                       len, want);
    return TC_OK;
}

tc_status tc_pst_srs_src_open(tc_error *err, tc_pst_srs_src *src, const char *path)
{
    memset(src, 0, sizeof *src);
    struct stat sb;
    tc_status st;
    src->path = strdup(path);
    if (src->path == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    if (stat(path, &sb) != 0) {
        st = tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        src->sharded = true;
        st = read_manifest(err, src, path);
        for (int f = 0; st == TC_OK && f < src->n_files; f++)
            st = open_shard(err, src, f);
    } else {
        st = open_one(err, src, path);
    }
    if (st != TC_OK)
        tc_pst_srs_src_close(src);
    return st;
}

/* Byte offset of point idx of level j in file f (idx inside f's block). */
static size_t point_offset(const tc_pst_srs_src *src, int f, int j, size_t idx)
{
    if (!src->sharded)
        return src->prefix_len + (src->level_off[j] + idx) * TC_PST_G1_BYTES;
    size_t before = 0, lo, hi;
    for (int i = 0; i < j; i++) {
        tc_pst_block(src->level_size[i], src->n_files, f, &lo, &hi);
        before += hi - lo;
    }
    tc_pst_block(src->level_size[j], src->n_files, f, &lo, &hi);
    return TC_PST_SHARD_HEAD + src->prefix_len + (before + idx - lo) * TC_PST_G1_BYTES;
}

typedef struct dec_job {
    tc_g1_affine *out;
    const uint8_t *in;
    uint8_t *bad;
} dec_job;

static void dec_range(void *ctx, size_t lo, size_t hi)
{
    const dec_job *d = ctx;
    for (size_t i = lo; i < hi; i++)
        d->bad[i] = tc_g1_decode_uncompressed(&d->out[i], d->in + i * TC_PST_G1_BYTES) !=
                    TC_POINT_OK;
}

/* Reads and decodes n points at byte offset off of file f. */
static tc_status read_points(tc_error *err, const tc_pst_srs_src *src, tc_g1_affine *out, int f,
                             size_t off, size_t n, int n_threads)
{
    uint8_t *raw = malloc(n * TC_PST_G1_BYTES + 1), *bad = malloc(n + 1);
    tc_status st = TC_OK;
    if (raw == NULL || bad == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory reading %zu key points", n);
        goto out;
    }
    st = read_at(err, src->fds[f], raw, n * TC_PST_G1_BYTES, off, src->files[f]);
    if (st != TC_OK)
        goto out;
    dec_job d = {out, raw, bad};
    tc_pst_parallel(n_threads, n, dec_range, &d);
    for (size_t i = 0; i < n; i++)
        if (bad[i]) {
            st = tc_fail(err, TC_EFORMAT, "%s: key point at byte %zu is not a curve point",
                         src->files[f], off + i * TC_PST_G1_BYTES);
            break;
        }
out:
    free(raw);
    free(bad);
    return st;
}

tc_status tc_pst_srs_src_read(tc_error *err, const tc_pst_srs_src *src, tc_g1_affine *out,
                              int j, size_t lo, size_t hi, int n_threads)
{
    if (j < 0 || j > src->shape.m || lo > hi || hi > src->level_size[j])
        return tc_fail(err, TC_EARG, "key range [%zu, %zu) of level %d is outside the SRS", lo,
                       hi, j);
    if (n_threads < 1)
        n_threads = 1;
    if (!src->sharded)
        return read_points(err, src, out, 0, point_offset(src, 0, j, lo), hi - lo, n_threads);
    for (int f = 0; f < src->n_files && lo < hi; f++) {
        size_t flo, fhi;
        tc_pst_block(src->level_size[j], src->n_files, f, &flo, &fhi);
        size_t a = lo > flo ? lo : flo, b = hi < fhi ? hi : fhi;
        if (a >= b)
            continue;
        tc_status st = read_points(err, src, out + (a - lo), f, point_offset(src, f, j, a), b - a,
                                   n_threads);
        if (st != TC_OK)
            return st;
    }
    return TC_OK;
}

/* Feeds len bytes at off of file f to ctx. */
static tc_status hash_bytes(tc_error *err, const tc_pst_srs_src *src, SHA256_CTX *ctx, int f,
                            size_t off, size_t len)
{
    uint8_t *buf = malloc(CHUNK);
    tc_status st = TC_OK;
    if (buf == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    while (len > 0 && st == TC_OK) {
        size_t n = len < CHUNK ? len : CHUNK;
        st = read_at(err, src->fds[f], buf, n, off, src->files[f]);
        if (st == TC_OK)
            SHA256_Update(ctx, buf, n);
        off += n, len -= n;
    }
    free(buf);
    return st;
}

tc_status tc_pst_srs_src_check_file(tc_error *err, bool *ok, const tc_pst_srs_src *src, int f)
{
    *ok = false;
    size_t len = 0;
    uint8_t want[32], got[32];
    tc_status st = file_size(err, src->fds[f], &len, src->files[f]);
    if (st == TC_OK && len < 32)
        st = tc_fail(err, TC_EFORMAT, "%s: too short", src->files[f]);
    if (st == TC_OK)
        st = read_at(err, src->fds[f], want, 32, len - 32, src->files[f]);
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    if (st == TC_OK)
        st = hash_bytes(err, src, &ctx, f, 0, len - 32);
    SHA256_Final(got, &ctx);
    if (st != TC_OK)
        return st;
    if (memcmp(got, want, 32) != 0)
        tc_fail(err, TC_EFORMAT, "%s: digest mismatch (file corrupted or modified)",
                src->files[f]);
    else if (src->sharded && memcmp(got, src->digest[f], 32) != 0)
        tc_fail(err, TC_EFORMAT, "%s: not the shard the manifest lists (another digest)",
                src->files[f]);
    else
        *ok = true;
    return TC_OK;
}

tc_status tc_pst_srs_src_hash_part(tc_error *err, const tc_pst_srs_src *src, SHA256_CTX *ctx,
                                   int j, int f)
{
    if (j < 0) {
        SHA256_Update(ctx, src->prefix, src->prefix_len);
        return TC_OK;
    }
    if (!src->sharded) {
        size_t n = j > src->shape.m ? src->level_size[0] : src->level_size[j];
        size_t first = j > src->shape.m ? src->level_off[src->shape.m] + 1 : src->level_off[j];
        return hash_bytes(err, src, ctx, 0, src->prefix_len + first * TC_PST_G1_BYTES,
                          n * TC_PST_G1_BYTES);
    }
    size_t lo, hi;
    tc_pst_block(src->level_size[j], src->n_files, f, &lo, &hi);
    return hash_bytes(err, src, ctx, f, point_offset(src, f, j, lo), (hi - lo) * TC_PST_G1_BYTES);
}
