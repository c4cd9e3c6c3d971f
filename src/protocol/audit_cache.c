/* What a verifier may remember between audits (`audit --cache DIR`): which
 * verification keys passed the Lagrange-level check, and the digest of a
 * model folder whose files have not changed.  Both are per key and per
 * model, not per run, and together cost more than re-executing a quarter
 * of a small model (BENCHMARKS.md), so a verifier auditing many runs pays
 * them once.
 *
 * Trust: the folder is the verifier's own, like its key and its model; one
 * who can write it can as well replace those.  A key is remembered by the
 * SHA-256 of its file's bytes, so any other file is checked again; a model
 * by a fingerprint of its folder's listing (every entry's name, size,
 * inode, modification and change times, in nanoseconds), so rewriting,
 * replacing, adding or removing a file digests the folder again.  A write
 * that keeps size, inode and both times is outside this, as for make and
 * rsync.
 *
 *   DIR/keys/<sha256 of the key file>        empty file: the key checked out
 *   DIR/models/<fingerprint>                 the model digest, 64 hex
 */
#include "protocol/audit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "protocol/run.h"

static tc_status ensure_dir(tc_error *err, const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return tc_fail(err, TC_EIO, "%s: cannot create folder: %s", dir, strerror(errno));
    return TC_OK;
}

static tc_status entry_path(tc_error *err, char *out, size_t cap, const char *cache,
                            const char *kind, const uint8_t id[32])
{
    char sub[4096], hex[65];
    snprintf(sub, sizeof sub, "%s/%s", cache, kind);
    tc_status st;
    st = ensure_dir(err, cache);
    if (st == TC_OK)
        st = ensure_dir(err, sub);
    if (st != TC_OK)
        return st;
    tc_hex_encode(hex, id, 32);
    snprintf(out, cap, "%s/%s", sub, hex);
    return TC_OK;
}

/* The cache entry of a key file: DIR/keys/<SHA-256 of its bytes>. */
static tc_status key_entry(tc_error *err, char *out, size_t cap, const char *cache,
                           const char *vk_path)
{
    uint8_t *buf = NULL, id[32];
    size_t len = 0;
    tc_status st = tc_read_file(err, &buf, &len, vk_path, (size_t)1 << 36);
    if (st != TC_OK)
        return st;
    tc_sha256_oneshot(id, buf, len);
    free(buf);
    return entry_path(err, out, cap, cache, "keys", id);
}

tc_status tc_audit_cache_key_checked(tc_error *err, bool *checked, const char *cache,
                                     const char *vk_path)
{
    char path[4200];
    struct stat sb;
    *checked = false;
    tc_status st = key_entry(err, path, sizeof path, cache, vk_path);
    if (st == TC_OK)
        *checked = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    return st;
}

tc_status tc_audit_cache_key_remember(tc_error *err, const char *cache, const char *vk_path)
{
    char path[4200];
    tc_status st = key_entry(err, path, sizeof path, cache, vk_path);
    return st == TC_OK ? tc_write_file_atomic(err, path, "", 0) : st;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA-256 over the sorted listing of the folder: per entry its name, size,
 * inode and modification / change times (ns). */
static tc_status fingerprint(tc_error *err, uint8_t out[32], const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot open folder: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    tc_status st = TC_OK;
    struct dirent *e;
    while (st == TC_OK && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(names, cap * sizeof *names);
            if (nn == NULL) {
                st = tc_fail(err, TC_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if ((names[n] = strdup(e->d_name)) == NULL)
            st = tc_fail(err, TC_ENOMEM, "out of memory");
        else
            n++;
    }
    closedir(d);
    if (st == TC_OK)
        qsort(names, n, sizeof *names, cmp_name);
    tc_sha256 h;
    if (st == TC_OK)
        st = tc_sha256_init(&h);
    if (st == TC_OK) {
        for (size_t i = 0; i < n; i++) {
            char path[4200], rec[512];
            struct stat sb;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            if (stat(path, &sb) != 0)
                memset(&sb, 0, sizeof sb);
            int k = snprintf(rec, sizeof rec, "%s\n%lld %llu %lld.%09ld %lld.%09ld\n", names[i],
                             (long long)sb.st_size, (unsigned long long)sb.st_ino,
                             (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec,
                             (long long)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec);
            tc_sha256_update(&h, rec, (size_t)k < sizeof rec ? (size_t)k : sizeof rec - 1);
        }
        tc_sha256_final(&h, out);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

tc_status tc_audit_cache_model_digest(tc_error *err, uint8_t digest[32], bool *from_cache,
                                      const char *cache, const char *model_dir)
{
    *from_cache = false;
    uint8_t fp[32];
    char path[4200];
    tc_status st;
    st = fingerprint(err, fp, model_dir);
    if (st == TC_OK)
        st = entry_path(err, path, sizeof path, cache, "models", fp);
    if (st != TC_OK)
        return st;
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        char hex[80] = {0};
        bool ok = fgets(hex, sizeof hex, f) != NULL && strlen(hex) >= 64 &&
                  tc_hex_decode(digest, 32, (hex[64] = '\0', hex));
        fclose(f);
        if (ok) {
            *from_cache = true;
            return TC_OK;
        }
    }
    st = tc_model_digest(err, digest, model_dir);
    if (st != TC_OK)
        return st;
    char hex[66];
    tc_hex_encode(hex, digest, 32);
    hex[64] = '\n';
    hex[65] = '\0';
    return tc_write_file_atomic(err, path, hex, 65);
}
