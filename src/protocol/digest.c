/* The model digest a receipt cites (see run.h, docs/formats.md "Model
 * digest"): SHA-256 over a canonical list of the model folder's files that
 * change the computation, each as (name, length, SHA-256 of its bytes). */
#include "protocol/run.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DIGEST_DOMAIN "tensorcommit model digest v1"

/* Every file the engine reads when it loads a model folder and its
 * tokenizer: the fixed names below when present, and every *.safetensors
 * (the weights, or the shards the index names: a shard the index does not
 * name is digested too, which can only make the digest stricter). */
static const char *const fixed_names[] = {
    "config.json", "generation_config.json", "tokenizer.json", "model.safetensors.index.json",
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

static bool is_digested(const char *name)
{
    for (size_t i = 0; i < sizeof fixed_names / sizeof *fixed_names; i++)
        if (!strcmp(name, fixed_names[i]))
            return true;
    return ends_with(name, ".safetensors");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);   /* bytewise: C locale */
}

static void put_u64(tc_sha256 *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    tc_sha256_update(h, b, sizeof b);
}

/* SHA-256 of one file's bytes, and its length. */
static tc_status hash_file(tc_error *err, uint8_t out[32], uint64_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    tc_sha256 h;
    tc_status st = tc_sha256_init(&h);
    if (st != TC_OK) {
        fclose(f);
        return st;
    }
    uint8_t buf[1 << 16];
    size_t got;
    *len = 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        tc_sha256_update(&h, buf, got);
        *len += got;
    }
    if (ferror(f)) {
        st = tc_fail(err, TC_EIO, "%s: read error", path);
        tc_sha256_free(&h);
    } else {
        tc_sha256_final(&h, out);
    }
    fclose(f);
    return st;
}

/* The sorted names of the digested files in model_dir. */
static tc_status list_files(tc_error *err, char ***names, size_t *n, const char *model_dir)
{
    DIR *d = opendir(model_dir);
    *names = NULL;
    *n = 0;
    if (d == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot open folder: %s", model_dir, strerror(errno));
    size_t cap = 0;
    tc_status st = TC_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_digested(e->d_name))
            continue;
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", model_dir, e->d_name);
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            st = tc_fail(err, TC_EIO, "%s: not a readable regular file", path);
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            char **nn = realloc(*names, cap * sizeof *nn);
            if (nn == NULL) {
                st = tc_fail(err, TC_ENOMEM, "out of memory");
                break;
            }
            *names = nn;
        }
        if (((*names)[*n] = strdup(e->d_name)) == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (st == TC_OK)
        qsort(*names, *n, sizeof **names, cmp_str);
    return st;
}

static bool listed(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

tc_status tc_model_digest(tc_error *err, uint8_t out[32], const char *model_dir)
{
    char **names;
    size_t n;
    tc_status st = list_files(err, &names, &n, model_dir);
    bool any_weights = false;
    for (size_t i = 0; st == TC_OK && i < n; i++)
        any_weights |= ends_with(names[i], ".safetensors");
    if (st == TC_OK && !listed(names, n, "config.json"))
        st = tc_fail(err, TC_EIO, "%s: no config.json", model_dir);
    else if (st == TC_OK && !any_weights)
        st = tc_fail(err, TC_EFORMAT, "%s: no .safetensors weight files", model_dir);
    tc_sha256 h;
    if (st == TC_OK)
        st = tc_sha256_init(&h);
    if (st == TC_OK) {
        tc_sha256_update(&h, DIGEST_DOMAIN, sizeof DIGEST_DOMAIN);   /* with its NUL */
        put_u64(&h, n);
        for (size_t i = 0; i < n && st == TC_OK; i++) {
            char path[4096];
            uint8_t fh[32];
            uint64_t len;
            snprintf(path, sizeof path, "%s/%s", model_dir, names[i]);
            st = hash_file(err, fh, &len, path);
            if (st != TC_OK)
                break;
            put_u64(&h, strlen(names[i]));
            tc_sha256_update(&h, names[i], strlen(names[i]));
            put_u64(&h, len);
            tc_sha256_update(&h, fh, sizeof fh);
        }
        if (st == TC_OK)
            tc_sha256_final(&h, out);
        else
            tc_sha256_free(&h);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}
