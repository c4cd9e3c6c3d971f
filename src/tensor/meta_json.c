/* layout.json and quantization.json (docs/formats.md). */
#include "tensor/layout.h"
#include "tensor/quantize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/json.h"

/* Prefixes the file name to the message already in err. */
static tc_status rewrap(tc_error *err, tc_status s, const char *name)
{
    char inner[sizeof err->msg];
    snprintf(inner, sizeof inner, "%s", err ? err->msg : "invalid");
    return tc_fail(err, s, "%s: %s", name, inner);
}

/* A non-negative integer field. */
static bool get_size(const json_t *o, const char *key, size_t *v)
{
    json_t *x = json_object_get(o, key);
    if (!json_is_integer(x) || json_integer_value(x) < 0)
        return false;
    *v = (size_t)json_integer_value(x);
    return true;
}

/* ----------------------------------------------------------------- layout */

static json_t *shape_json(const uint32_t *shape, int m)
{
    json_t *a = json_array();
    for (int i = 0; i < m; i++)
        json_array_append_new(a, json_integer(shape[i]));
    return a;
}

void *tc_layout_to_json_object(const tc_layout *lay)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(lay->kind == TC_LAYOUT_FLAT ? "flat" : "structured"));
    json_object_set_new(o, "n_layers", json_integer((json_int_t)lay->n_layers));
    json_object_set_new(o, "n_tokens", json_integer((json_int_t)lay->n_tokens));
    json_object_set_new(o, "hidden", json_integer((json_int_t)lay->hidden));
    json_object_set_new(o, "grid_shape", shape_json(lay->shape, lay->m));
    json_object_set_new(o, "grid_size", json_integer((json_int_t)lay->grid_size));
    if (lay->kind == TC_LAYOUT_FLAT) {
        json_object_set_new(o, "d", json_integer(lay->flat_d));
        json_object_set_new(o, "k", json_integer(lay->m));
        /* seeds are 64-bit: decimal string, JSON integers are signed */
        char seed[24];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)lay->pad_seed);
        json_object_set_new(o, "pad_seed", json_string(seed));
        json_object_set_new(o, "padding", json_string("copies of real values at indices drawn by "
                                                      "xoshiro256** seeded with pad_seed"));
        json_object_set_new(o, "index", json_string("grid index = (layer*n_tokens + token)*hidden + h "
                                                    "for grid index < n_layers*n_tokens*hidden"));
    } else {
        json_t *pad = json_array(), *vars = json_array();
        for (int a = 0; a < 3; a++) {
            json_array_append_new(pad, json_integer((json_int_t)lay->padded[a]));
            json_array_append_new(vars, json_integer(lay->axis_vars[a]));
        }
        json_object_set_new(o, "padded", pad);
        json_object_set_new(o, "axis_vars", vars);
        if (lay->token_capacity != 0)
            json_object_set_new(o, "token_capacity", json_integer((json_int_t)lay->token_capacity));
        json_object_set_new(o, "padding", json_string("zeros"));
        json_object_set_new(o, "index", json_string("grid index = (layer*padded[1] + token)*padded[2] + h"));
    }
    return o;
}

tc_status tc_layout_to_json(tc_error *err, const tc_layout *lay, char **out)
{
    json_t *o = tc_layout_to_json_object(lay);
    *out = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(o);
    if (*out == NULL)
        return tc_fail(err, TC_ENOMEM, "layout: cannot serialise JSON");
    return TC_OK;
}

tc_status tc_layout_write(tc_error *err, const tc_layout *lay, const char *path)
{
    json_t *o = tc_layout_to_json_object(lay);
    tc_status st = tc_json_write(err, path, o, TC_JSON_SORTED);
    json_decref(o);
    return st;
}

/* The meta file's text: o (released) with "data_file" when it is not NULL. */
static tc_status encode_meta(tc_error *err, json_t *o, const char *data_file, char **text)
{
    if (data_file != NULL)
        json_object_set_new(o, "data_file", json_string(data_file));
    tc_status st = tc_json_dump(err, text, o, TC_JSON_SORTED);
    json_decref(o);
    return st;
}

tc_status tc_layout_encode(tc_error *err, const tc_layout *lay, const char *data_file, char **text)
{
    return encode_meta(err, tc_layout_to_json_object(lay), data_file, text);
}

tc_status tc_layout_read(tc_error *err, tc_layout *lay, const char *path)
{
    json_t *o;
    tc_status st = tc_json_load_object(err, &o, path, 0, NULL);
    if (st != TC_OK)
        return st;
    size_t l, t, h;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (kind == NULL || !get_size(o, "n_layers", &l) || !get_size(o, "n_tokens", &t) ||
        !get_size(o, "hidden", &h)) {
        st = tc_fail(err, TC_EFORMAT, "%s: missing or invalid kind/n_layers/n_tokens/hidden", path);
        goto out;
    }
    if (!strcmp(kind, "structured")) {
        size_t cap = 0;
        if (json_object_get(o, "token_capacity") != NULL &&
            (!get_size(o, "token_capacity", &cap) || cap == 0)) {
            st = tc_fail(err, TC_EFORMAT, "%s: token_capacity must be a positive integer", path);
            goto out;
        }
        st = tc_layout_structured_cap(err, lay, l, t, h, cap);
    } else if (!strcmp(kind, "flat")) {
        size_t d, k;
        const char *seed = json_string_value(json_object_get(o, "pad_seed"));
        char *end = NULL;
        unsigned long long sv = 0;
        /* canonical decimal: digits only, no leading zero (so one seed has
         * one spelling and the file reads back to the same bytes) */
        bool seed_ok = seed != NULL && seed[0] >= '0' && seed[0] <= '9' &&
                       !(seed[0] == '0' && seed[1] != '\0');
        if (seed_ok) {
            errno = 0;
            sv = strtoull(seed, &end, 10);
            seed_ok = errno == 0 && *end == '\0';
        }
        if (!get_size(o, "d", &d) || !get_size(o, "k", &k) || !seed_ok || d < 2 ||
            d > TC_LAYOUT_MAX_DIM || k < 1 || k > TC_LAYOUT_MAX_VARS) {
            st = tc_fail(err, TC_EFORMAT,
                         "%s: flat layout needs d in 2..16, k in 1..24 and pad_seed (decimal digits, no leading zero)",
                         path);
            goto out;
        }
        st = tc_layout_flat(err, lay, l, t, h, (uint32_t)d, (uint32_t)d, (int)k, sv);
    } else {
        st = tc_fail(err, TC_EFORMAT, "%s: unknown layout kind '%s'", path, kind);
        goto out;
    }
    if (st != TC_OK) {
        st = rewrap(err, TC_EFORMAT, path);
        goto out;
    }
    /* the recorded grid shape must be the one the parameters give */
    json_t *shape = json_object_get(o, "grid_shape");
    bool same = json_is_array(shape) && json_array_size(shape) == (size_t)lay->m;
    for (int i = 0; same && i < lay->m; i++)
        same = json_integer_value(json_array_get(shape, (size_t)i)) == lay->shape[i];
    if (!same)
        st = tc_fail(err, TC_EFORMAT, "%s: grid_shape does not match the layout's parameters", path);
out:
    json_decref(o);
    return st;
}

/* ----------------------------------------------------------- quantization */

void *tc_quant_to_json(const tc_quant_params *q)
{
    json_t *o = json_object();
    char buf[160];
    if (q->rule == TC_QUANT_DECIMAL) {
        json_object_set_new(o, "rule", json_string("decimal"));
        json_object_set_new(o, "scale_factor", json_integer(q->scale_factor));
        json_object_set_new(o, "quantize", json_integer(q->quantize));
        json_object_set_new(o, "exponent", json_integer(q->exponent));
        snprintf(buf, sizeof buf,
                 "v = round_half_even(x * 10^%d), x the exact value of the float32; "
                 "exponent = scale_factor - floor(scale_factor * quantize / 100)",
                 q->exponent);
        json_object_set_new(o, "formula", json_string(buf));
        snprintf(buf, sizeof buf, "x ~= v / 10^%d (error at most 0.5e-%d)", q->exponent, q->exponent);
    } else {
        json_object_set_new(o, "rule", json_string("binary"));
        json_object_set_new(o, "exponent", json_integer(q->exponent));
        snprintf(buf, sizeof buf, "v = round_half_even(x * 2^%d), x the exact value of the float32",
                 q->exponent);
        json_object_set_new(o, "formula", json_string(buf));
        snprintf(buf, sizeof buf, "x ~= v / 2^%d (error at most 2^-%d)", q->exponent, q->exponent + 1);
    }
    json_object_set_new(o, "reverse", json_string(buf));
    json_object_set_new(o, "max_bits", json_integer(q->max_bits));
    return o;
}

tc_status tc_quant_from_json(tc_error *err, tc_quant_params *q, const void *obj, const char *name)
{
    const json_t *o = obj;
    const char *rule = json_string_value(json_object_get(o, "rule"));
    json_t *mb = json_object_get(o, "max_bits");
    tc_status st;
    if (rule == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: quantization has no rule", name);
    if (!strcmp(rule, "decimal")) {
        json_t *sf = json_object_get(o, "scale_factor"), *qz = json_object_get(o, "quantize");
        if (!json_is_integer(sf) || !json_is_integer(qz) || json_integer_value(sf) < -19 ||
            json_integer_value(sf) > 19 || json_integer_value(qz) < 0 || json_integer_value(qz) > 100)
            return tc_fail(err, TC_EFORMAT,
                           "%s: decimal rule needs integer scale_factor in -19..19 and quantize in 0..100",
                           name);
        st = tc_quant_decimal(err, q, (int)json_integer_value(sf), (int)json_integer_value(qz));
    } else if (!strcmp(rule, "binary")) {
        json_t *k = json_object_get(o, "exponent");
        if (!json_is_integer(k) || json_integer_value(k) < -1074 || json_integer_value(k) > 1074)
            return tc_fail(err, TC_EFORMAT, "%s: binary rule needs an integer exponent in -1074..1074",
                           name);
        st = tc_quant_binary(err, q, (int)json_integer_value(k));
    } else {
        return tc_fail(err, TC_EFORMAT, "%s: unknown quantization rule '%s'", name, rule);
    }
    if (st != TC_OK)
        return rewrap(err, TC_EFORMAT, name);
    if (json_is_integer(mb)) {
        json_int_t v = json_integer_value(mb);
        if (v < 1 || v > 63)
            return tc_fail(err, TC_EFORMAT, "%s: max_bits must be in 1..63", name);
        q->max_bits = (int)v;
    }
    return TC_OK;
}

tc_status tc_quant_write(tc_error *err, const tc_quant_params *q, const char *path)
{
    json_t *o = tc_quant_to_json(q);
    tc_status st = tc_json_write(err, path, o, TC_JSON_SORTED);
    json_decref(o);
    return st;
}

tc_status tc_quant_encode(tc_error *err, const tc_quant_params *q, const char *data_file,
                          char **text)
{
    return encode_meta(err, tc_quant_to_json(q), data_file, text);
}

tc_status tc_quant_read(tc_error *err, tc_quant_params *q, const char *path)
{
    json_t *o;
    tc_status st = tc_json_load_object(err, &o, path, 0, NULL);
    if (st != TC_OK)
        return st;
    st = tc_quant_from_json(err, q, o, path);
    json_decref(o);
    return st;
}

/* ------------------------------------------------------------- ownership */

/* The folder part of a canonical path ("/a/b/c" → "/a/b"). */
static size_t folder_len(const char *canon)
{
    const char *slash = strrchr(canon, '/');
    return slash == NULL ? 0 : (size_t)(slash - canon);
}

char *tc_meta_data_name(const char *meta_path, const char *data_path)
{
    char *m = tc_path_canonical(meta_path), *d = tc_path_canonical(data_path), *out = NULL;
    if (m != NULL && d != NULL) {
        size_t fm = folder_len(m), fd = folder_len(d);
        bool same = fm == fd && !strncmp(m, d, fm);
        out = strdup(same ? d + fd + 1 : d);
    } else {
        out = strdup(data_path);
    }
    free(m);
    free(d);
    return out;
}

tc_status tc_meta_check_owner(tc_error *err, const char *meta_path, const char *data_path)
{
    char *meta = NULL;
    tc_status st = tc_path_resolve(err, meta_path, &meta);
    if (st != TC_OK)
        return st;
    struct stat sb;
    if (lstat(meta, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(meta);                 /* new, or a stream (/dev/null, /dev/stdout) */
        return TC_OK;
    }
    json_t *o = NULL;
    tc_error ignored = {0};         /* unreadable or not JSON: it records nothing */
    if (tc_json_load(&ignored, &o, meta, 0, NULL) != TC_OK)
        o = NULL;
    const char *rec = json_string_value(json_object_get(o, "data_file"));
    if (rec == NULL) {
        st = tc_fail(err, TC_EARG,
                     "%s: exists and does not record which data file it describes; pass --force "
                     "to replace it, or --meta to write another",
                     meta_path);
        goto out;
    }
    /* a relative entry is read from the meta file's folder */
    char *recorded = NULL;
    if (rec[0] == '/') {
        recorded = strdup(rec);
    } else {
        size_t dir = strrchr(meta, '/') ? (size_t)(strrchr(meta, '/') - meta) + 1 : 0;
        size_t n = dir + strlen(rec) + 1;
        recorded = malloc(n);
        if (recorded != NULL)
            snprintf(recorded, n, "%.*s%s", (int)dir, meta, rec);
    }
    char *a = recorded ? tc_path_canonical(recorded) : NULL, *b = tc_path_canonical(data_path);
    bool same = a != NULL && b != NULL && !strcmp(a, b);
    if (!same)
        st = tc_fail(err, TC_EARG,
                     "%s: describes %s, not %s; pass --force to replace it, or --meta to write "
                     "another",
                     meta_path, rec, data_path);
    free(a);
    free(b);
    free(recorded);
out:
    json_decref(o);
    free(meta);
    return st;
}
