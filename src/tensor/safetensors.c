/* safetensors reader: mmap, strict header validation, f16/bf16 -> f32, and
 * the model-folder view (single file or sharded index). */
#include "tensor/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json.h"

struct tc_st_file {
    char *path;
    void *map;              /* whole file, read-only */
    size_t map_len;
    tc_st_tensor *tensors;  /* (count), sorted by data offset */
    const tc_st_tensor **by_name; /* (count) sorted by name */
    size_t count;
    char *names;            /* storage for every tensor's name */
};

static const struct {
    const char *name;
    tc_dtype dtype;
    size_t size;
} dtype_table[] = {
    {"F32", TC_DTYPE_F32, 4},  {"F16", TC_DTYPE_F16, 2}, {"BF16", TC_DTYPE_BF16, 2},
    {"F64", TC_DTYPE_F64, 8},  {"I64", TC_DTYPE_I64, 8}, {"I32", TC_DTYPE_I32, 4},
    {"I16", TC_DTYPE_I16, 2},  {"I8", TC_DTYPE_I8, 1},   {"U8", TC_DTYPE_U8, 1},
    {"BOOL", TC_DTYPE_BOOL, 1},
};

const char *tc_dtype_name(tc_dtype d)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(dtype_table); i++)
        if (dtype_table[i].dtype == d)
            return dtype_table[i].name;
    return "?";
}

size_t tc_dtype_size(tc_dtype d)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(dtype_table); i++)
        if (dtype_table[i].dtype == d)
            return dtype_table[i].size;
    return 0;
}

static bool dtype_parse(tc_dtype *out, const char *s)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(dtype_table); i++)
        if (!strcmp(dtype_table[i].name, s)) {
            *out = dtype_table[i].dtype;
            return true;
        }
    return false;
}

/* IEEE 754 binary16 -> binary32, exact (subnormals, inf, NaN kept). */
float tc_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else {
        /* subnormal: value = man * 2^-24; normalise into binary32 */
        int e = -1;
        do {
            man <<= 1;
            e++;
        } while ((man & 0x400) == 0);
        man &= 0x3ff;
        bits = sign | ((uint32_t)(112 - e) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* bfloat16 is the top half of a binary32. */
float tc_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

tc_status tc_st_to_f32(tc_error *err, float *out, const tc_st_tensor *t)
{
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case TC_DTYPE_F32:
        memcpy(out, p, t->numel * 4);
        return TC_OK;
    case TC_DTYPE_F16:
    case TC_DTYPE_BF16:
        for (size_t i = 0; i < t->numel; i++) {
            uint16_t h = (uint16_t)(p[2 * i] | (p[2 * i + 1] << 8));
            out[i] = t->dtype == TC_DTYPE_F16 ? tc_f16_to_f32(h) : tc_bf16_to_f32(h);
        }
        return TC_OK;
    case TC_DTYPE_F64:
        for (size_t i = 0; i < t->numel; i++) {
            double d;
            memcpy(&d, p + 8 * i, 8);
            out[i] = (float)d;
        }
        return TC_OK;
    default:
        return tc_fail(err, TC_EUNSUPPORTED, "tensor %s: dtype %s is not a float type",
                       t->name, tc_dtype_name(t->dtype));
    }
}

/* ------------------------------------------------------------ header parse */

typedef struct span {
    uint64_t begin, end;
    size_t idx;
} span;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

static bool json_u64(uint64_t *out, const json_t *v)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static tc_status parse_entry(tc_error *err, tc_st_tensor *t, span *sp, const char *path,
                             const char *name, const json_t *e, uint64_t data_len)
{
    if (!json_is_object(e))
        return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': entry is not an object", path, name);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)e, key, val) {
        if (strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets"))
            return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': unknown key '%s'", path, name, key);
    }
    const json_t *jd = json_object_get(e, "dtype");
    const json_t *js = json_object_get(e, "shape");
    const json_t *jo = json_object_get(e, "data_offsets");
    if (!json_is_string(jd) || !json_is_array(js) || !json_is_array(jo))
        return tc_fail(err, TC_EFORMAT,
                       "%s: tensor '%s': needs string dtype, array shape and array data_offsets",
                       path, name);
    if (!dtype_parse(&t->dtype, json_string_value(jd)))
        return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': unknown dtype '%s'", path, name,
                       json_string_value(jd));
    size_t nd = json_array_size(js);
    if (nd > TC_ST_MAX_DIMS)
        return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': %zu dimensions, at most %d allowed",
                       path, name, nd, TC_ST_MAX_DIMS);
    size_t numel = 1;
    t->ndim = (int)nd;
    for (size_t i = 0; i < nd; i++) {
        uint64_t d;
        if (!json_u64(&d, json_array_get(js, i)))
            return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': shape[%zu] is not a size",
                           path, name, i);
        if (d > INT64_MAX || !tc_mul_size(&numel, numel, (size_t)d))
            return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': shape overflows", path, name);
        t->shape[i] = (int64_t)d;
    }
    size_t nbytes;
    if (!tc_mul_size(&nbytes, numel, tc_dtype_size(t->dtype)))
        return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': size overflows", path, name);
    uint64_t b, en;
    if (json_array_size(jo) != 2 || !json_u64(&b, json_array_get(jo, 0)) ||
        !json_u64(&en, json_array_get(jo, 1)))
        return tc_fail(err, TC_EFORMAT, "%s: tensor '%s': data_offsets must be [begin, end]",
                       path, name);
    if (b > en || en > data_len)
        return tc_fail(err, TC_EFORMAT,
                       "%s: tensor '%s': data_offsets [%llu, %llu] outside the %llu-byte data area",
                       path, name, (unsigned long long)b, (unsigned long long)en,
                       (unsigned long long)data_len);
    if (en - b != nbytes)
        return tc_fail(err, TC_EFORMAT,
                       "%s: tensor '%s': %s shape needs %zu bytes but data_offsets span %llu",
                       path, name, tc_dtype_name(t->dtype), nbytes,
                       (unsigned long long)(en - b));
    t->numel = numel;
    t->nbytes = nbytes;
    sp->begin = b;
    sp->end = en;
    return TC_OK;
}

static int name_cmp(const void *a, const void *b)
{
    const tc_st_tensor *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Parses the JSON header; fills f->tensors, f->by_name, f->names. */
static tc_status parse_header(tc_error *err, tc_st_file *f, const char *hdr, size_t hlen,
                              const uint8_t *data, uint64_t data_len)
{
    tc_status s = TC_OK;
    json_error_t jerr;
    span *spans = NULL;
    tc_st_tensor *tmp = NULL;
    json_t *root = json_loadb(hdr, hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        s = tc_fail(err, TC_EFORMAT, "%s: header is not valid JSON (byte %d: %s)", f->path,
                    jerr.position, jerr.text);
        goto out;
    }
    if (!json_is_object(root)) {
        s = tc_fail(err, TC_EFORMAT, "%s: header is not a JSON object", f->path);
        goto out;
    }
    size_t n = json_object_size(root), names_len = 0;
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (!strcmp(key, "__metadata__")) {
            const char *k2;
            json_t *v2;
            if (!json_is_object(val)) {
                s = tc_fail(err, TC_EFORMAT, "%s: __metadata__ is not an object", f->path);
                goto out;
            }
            json_object_foreach(val, k2, v2) {
                if (!json_is_string(v2)) {
                    s = tc_fail(err, TC_EFORMAT, "%s: __metadata__['%s'] is not a string",
                                f->path, k2);
                    goto out;
                }
            }
            n--;
            continue;
        }
        names_len += strlen(key) + 1;
    }
    tmp = calloc(n ? n : 1, sizeof *tmp);
    spans = calloc(n ? n : 1, sizeof *spans);
    f->tensors = calloc(n ? n : 1, sizeof *f->tensors);
    f->by_name = calloc(n ? n : 1, sizeof *f->by_name);
    f->names = malloc(names_len ? names_len : 1);
    if (!tmp || !spans || !f->tensors || !f->by_name || !f->names) {
        s = tc_fail(err, TC_ENOMEM, "%s: out of memory for %zu tensors", f->path, n);
        goto out;
    }
    size_t i = 0, pos = 0;
    json_object_foreach(root, key, val) {
        if (!strcmp(key, "__metadata__"))
            continue;
        size_t kl = strlen(key);
        memcpy(f->names + pos, key, kl + 1);
        tmp[i].name = f->names + pos;
        pos += kl + 1;
        s = parse_entry(err, &tmp[i], &spans[i], f->path, key, val, data_len);
        if (s != TC_OK)
            goto out;
        spans[i].idx = i;
        i++;
    }
    /* Spans sorted by offset must tile the data area exactly: no overlap,
     * no hole, nothing after the last tensor. */
    qsort(spans, n, sizeof *spans, span_cmp);
    uint64_t at = 0;
    for (i = 0; i < n; i++) {
        if (spans[i].begin < at) {
            s = tc_fail(err, TC_EFORMAT, "%s: tensor '%s' overlaps the previous tensor (offset %llu < %llu)",
                        f->path, tmp[spans[i].idx].name, (unsigned long long)spans[i].begin,
                        (unsigned long long)at);
            goto out;
        }
        if (spans[i].begin > at) {
            s = tc_fail(err, TC_EFORMAT, "%s: gap in the data area before tensor '%s' (offset %llu, expected %llu)",
                        f->path, tmp[spans[i].idx].name, (unsigned long long)spans[i].begin,
                        (unsigned long long)at);
            goto out;
        }
        at = spans[i].end;
        f->tensors[i] = tmp[spans[i].idx];
        f->tensors[i].data = data + spans[i].begin;
    }
    if (at != data_len) {
        s = tc_fail(err, TC_EFORMAT, "%s: %llu bytes after the last tensor are not described",
                    f->path, (unsigned long long)(data_len - at));
        goto out;
    }
    f->count = n;
    for (i = 0; i < n; i++)
        f->by_name[i] = &f->tensors[i];
    qsort(f->by_name, n, sizeof *f->by_name, name_cmp);
out:
    free(spans);
    free(tmp);
    json_decref(root);
    return s;
}

void tc_st_close(tc_st_file *f)
{
    if (f == NULL)
        return;
    if (f->map != NULL && f->map != MAP_FAILED)
        munmap(f->map, f->map_len);
    free(f->tensors);
    free(f->by_name);
    free(f->names);
    free(f->path);
    free(f);
}

tc_status tc_st_open(tc_error *err, tc_st_file **out, const char *path)
{
    tc_status s = TC_OK;
    *out = NULL;
    int fd = -1;
    tc_st_file *f = calloc(1, sizeof *f);
    if (f == NULL || (f->path = strdup(path)) == NULL) {
        free(f);
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s = tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        s = tc_fail(err, TC_EIO, "%s: not a regular file", path);
        goto out;
    }
    f->map_len = (size_t)st.st_size;
    if (f->map_len < 8) {
        s = tc_fail(err, TC_EFORMAT, "%s: truncated: %zu bytes, no header length", path,
                    f->map_len);
        goto out;
    }
    f->map = mmap(NULL, f->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        s = tc_fail(err, TC_EIO, "%s: mmap failed: %s", path, strerror(errno));
        goto out;
    }
    const uint8_t *b = f->map;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | b[i];
    if (hlen > TC_ST_MAX_HEADER) {
        s = tc_fail(err, TC_EFORMAT, "%s: header length %llu exceeds the %zu-byte limit", path,
                    (unsigned long long)hlen, TC_ST_MAX_HEADER);
        goto out;
    }
    if (hlen > f->map_len - 8) {
        s = tc_fail(err, TC_EFORMAT, "%s: truncated: header length %llu but only %zu bytes follow",
                    path, (unsigned long long)hlen, f->map_len - 8);
        goto out;
    }
    if (hlen < 2 || b[8] != '{') {
        s = tc_fail(err, TC_EFORMAT, "%s: header does not start with '{'", path);
        goto out;
    }
    s = parse_header(err, f, (const char *)b + 8, (size_t)hlen, b + 8 + hlen,
                     f->map_len - 8 - hlen);
    if (s != TC_OK)
        goto out;
    *out = f;
    f = NULL;
out:
    if (fd >= 0)
        close(fd);
    tc_st_close(f);
    return s;
}

const char *tc_st_path(const tc_st_file *f) { return f->path; }
size_t tc_st_count(const tc_st_file *f) { return f->count; }

const tc_st_tensor *tc_st_get(const tc_st_file *f, size_t i)
{
    return i < f->count ? &f->tensors[i] : NULL;
}

const tc_st_tensor *tc_st_find(const tc_st_file *f, const char *name)
{
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const tc_st_tensor *t = f->by_name[mid];
        int c = strcmp(name, t->name);
        if (c == 0)
            return t;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------ model folder */

struct tc_weights {
    tc_st_file **files; /* (n_files) */
    size_t n_files;
    size_t total;
};

void tc_weights_close(tc_weights *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n_files; i++)
        tc_st_close(w->files[i]);
    free(w->files);
    free(w);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static tc_status add_file(tc_error *err, tc_weights *w, const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    if (p == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
    tc_st_file **nf = realloc(w->files, (w->n_files + 1) * sizeof *nf);
    if (nf == NULL) {
        free(p);
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
    }
    w->files = nf;
    tc_st_file *f = NULL;
    tc_status s = tc_st_open(err, &f, p);
    free(p);
    if (s != TC_OK)
        return s;
    w->files[w->n_files++] = f;
    w->total += f->count;
    return TC_OK;
}

static tc_status open_index(tc_error *err, tc_weights *w, const char *dir, const char *ipath)
{
    json_t *root = NULL;
    tc_status s = tc_json_load_object(err, &root, ipath, 0, NULL);
    if (s != TC_OK)
        return s;
    json_t *map = json_object_get(root, "weight_map");
    if (!json_is_object(map) || json_object_size(map) == 0) {
        s = tc_fail(err, TC_EFORMAT, "%s: missing or empty \"weight_map\"", ipath);
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach(map, key, val) {
        const char *fn = json_string_value(val);
        if (fn == NULL || fn[0] == '\0' || strchr(fn, '/') != NULL || !strcmp(fn, "..")) {
            s = tc_fail(err, TC_EFORMAT, "%s: weight_map['%s'] is not a file name in the folder",
                        ipath, key);
            goto out;
        }
        bool seen = false;
        for (size_t i = 0; i < w->n_files && !seen; i++) {
            const char *p = w->files[i]->path;
            size_t pl = strlen(p), fl = strlen(fn);
            seen = pl > fl && p[pl - fl - 1] == '/' && !strcmp(p + pl - fl, fn);
        }
        if (!seen)
            s = add_file(err, w, dir, fn);
        if (s != TC_OK)
            goto out;
    }
    /* every mapped name is in the shard the map names */
    json_object_foreach(map, key, val) {
        const tc_st_tensor *t = tc_weights_find(w, key);
        const char *fn = json_string_value(val);
        const char *p = t ? tc_weights_file_of(w, t) : NULL;
        size_t pl = p ? strlen(p) : 0, fl = strlen(fn);
        if (t == NULL || pl <= fl || p[pl - fl - 1] != '/' || strcmp(p + pl - fl, fn) != 0) {
            s = tc_fail(err, TC_EFORMAT, "%s: tensor '%s' is not in shard %s", ipath, key, fn);
            goto out;
        }
    }
out:
    json_decref(root);
    return s;
}

tc_status tc_weights_open(tc_error *err, tc_weights **out, const char *dir)
{
    tc_status s = TC_OK;
    *out = NULL;
    char *single = NULL, *index = NULL;
    tc_weights *w = calloc(1, sizeof *w);
    single = path_join(dir, "model.safetensors");
    index = path_join(dir, "model.safetensors.index.json");
    if (w == NULL || single == NULL || index == NULL) {
        s = tc_fail(err, TC_ENOMEM, "%s: out of memory", dir);
        goto out;
    }
    if (access(single, F_OK) == 0) {
        s = add_file(err, w, dir, "model.safetensors");
    } else if (access(index, F_OK) == 0) {
        s = open_index(err, w, dir, index);
    } else {
        s = tc_fail(err, TC_EIO, "%s: no model.safetensors or model.safetensors.index.json", dir);
    }
    if (s != TC_OK)
        goto out;
    /* a name may live in one shard only */
    for (size_t i = 1; i < w->n_files; i++)
        for (size_t j = 0; j < w->files[i]->count; j++) {
            const char *nm = w->files[i]->tensors[j].name;
            for (size_t k = 0; k < i; k++)
                if (tc_st_find(w->files[k], nm) != NULL) {
                    s = tc_fail(err, TC_EFORMAT, "%s: tensor '%s' is in both %s and %s", dir, nm,
                                w->files[k]->path, w->files[i]->path);
                    goto out;
                }
        }
    *out = w;
    w = NULL;
out:
    free(single);
    free(index);
    tc_weights_close(w);
    return s;
}

const tc_st_tensor *tc_weights_find(const tc_weights *w, const char *name)
{
    for (size_t i = 0; i < w->n_files; i++) {
        const tc_st_tensor *t = tc_st_find(w->files[i], name);
        if (t != NULL)
            return t;
    }
    return NULL;
}

size_t tc_weights_count(const tc_weights *w) { return w->total; }

const tc_st_tensor *tc_weights_get(const tc_weights *w, size_t i)
{
    for (size_t k = 0; k < w->n_files; k++) {
        if (i < w->files[k]->count)
            return &w->files[k]->tensors[i];
        i -= w->files[k]->count;
    }
    return NULL;
}

const char *tc_weights_file_of(const tc_weights *w, const tc_st_tensor *t)
{
    for (size_t k = 0; k < w->n_files; k++) {
        const tc_st_file *f = w->files[k];
        if (f->count > 0 && t >= f->tensors && t < f->tensors + f->count)
            return f->path;
    }
    return "?";
}
