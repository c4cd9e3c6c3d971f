/* The prover's answer to a challenge: slice openings of the asked layers
 * (audit.h), and response.json. */
#include "protocol/audit.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/layout.h"
#include "tensor/npy.h"
#include "util/json.h"

/* int64 little-endian ↔ base64 (RFC 4648, with padding). */
static char *b64_encode_i64(const int64_t *v, size_t n)
{
    size_t bytes = n * 8;
    uint8_t *raw = malloc(bytes ? bytes : 1);
    char *out = malloc(4 * ((bytes + 2) / 3) + 1);
    if (raw == NULL || out == NULL) {
        free(raw);
        free(out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            raw[8 * i + (size_t)b] = (uint8_t)((uint64_t)v[i] >> (8 * b));
    EVP_EncodeBlock((unsigned char *)out, raw, (int)bytes);
    free(raw);
    return out;
}

/* false when s is not canonical base64 of exactly 8·n bytes */
static bool b64_decode_i64(int64_t *v, size_t n, const char *s)
{
    size_t len = strlen(s), bytes = n * 8;
    if (len != 4 * ((bytes + 2) / 3) || len > (size_t)1 << 30)
        return false;
    uint8_t *raw = malloc(len / 4 * 3 + 3);
    if (raw == NULL)
        return false;
    int got = EVP_DecodeBlock(raw, (const unsigned char *)s, (int)len);
    bool ok = got >= 0 && (size_t)got >= bytes;
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t x = 0;
        for (int b = 7; b >= 0; b--)
            x = x << 8 | raw[8 * i + (size_t)b];
        v[i] = (int64_t)x;
    }
    /* re-encoding must give the same text (no stray bits in the padding) */
    if (ok) {
        char *again = b64_encode_i64(v, n);
        ok = again != NULL && !strcmp(again, s);
        free(again);
    }
    free(raw);
    return ok;
}

void tc_response_free(tc_response *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->values[i]);
        tc_pst_slice_free(&r->slices[i]);
    }
    memset(r, 0, sizeof *r);
}

tc_status tc_response_to_json(tc_error *err, char **json, const tc_response *r)
{
    json_t *o = json_object(), *shape = json_array(), *arr = json_array();
    json_object_set_new(o, "format", json_string("tensorcommit-response"));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "commitment", json_string(r->commitment));
    json_object_set_new(o, "nonce", json_string(r->nonce));
    json_object_set_new(o, "challenge_digest", json_string(r->challenge_digest));
    for (int i = 0; i < r->shape.m; i++)
        json_array_append_new(shape, json_integer(r->shape.n[i]));
    json_object_set_new(o, "shape", shape);
    json_object_set_new(o, "level", json_integer(r->level));
    tc_status st = TC_OK;
    for (size_t i = 0; i < r->n && st == TC_OK; i++) {
        const tc_pst_slice *s = &r->slices[i];
        json_t *e = json_object(), *prefix = json_array(), *proof = json_array();
        for (int k = 0; k < s->j; k++) {
            uint64_t limbs[4];
            tc_fr_to_limbs(limbs, &s->z[k]);     /* a grid coordinate: limbs[0] */
            json_array_append_new(prefix, json_integer((json_int_t)limbs[0]));
            char hex[65];
            tc_pst_point_hex(hex, &s->pi[k]);
            json_array_append_new(proof, json_string(hex));
        }
        char *b64 = b64_encode_i64(r->values[i], s->count);
        if (b64 == NULL)
            st = tc_fail(err, TC_ENOMEM, "out of memory encoding a slice");
        json_object_set_new(e, "layer", json_integer(r->layers[i]));
        json_object_set_new(e, "prefix", prefix);
        json_object_set_new(e, "count", json_integer((json_int_t)s->count));
        json_object_set_new(e, "values_i64_le_base64", json_string(b64 ? b64 : ""));
        json_object_set_new(e, "proof", proof);
        json_array_append_new(arr, e);
        free(b64);
    }
    json_object_set_new(o, "slices", arr);
    if (st == TC_OK)
        st = tc_json_dump(err, json, o, TC_JSON_SORTED);
    json_decref(o);
    return st;
}

/* One entry of "slices"; structural faults are TC_EFORMAT, a proof point
 * that does not decode goes to r->fault[i]. */
static tc_status slice_from_json(tc_error *err, tc_response *r, size_t i, const json_t *e,
                                 const char *path)
{
    tc_pst_slice *s = &r->slices[i];
    const json_t *layer = json_object_get(e, "layer"), *prefix = json_object_get(e, "prefix");
    const json_t *proof = json_object_get(e, "proof");
    const char *b64 = json_string_value(json_object_get(e, "values_i64_le_base64"));
    size_t count = tc_pst_suffix_size(&r->shape, r->level);
    if (!json_is_integer(layer) || json_integer_value(layer) < 0 ||
        json_integer_value(layer) > INT32_MAX || !json_is_array(prefix) ||
        json_array_size(prefix) != (size_t)r->level || !json_is_array(proof) || b64 == NULL ||
        json_integer_value(json_object_get(e, "count")) != (json_int_t)count)
        return tc_fail(err, TC_EFORMAT, "%s: slice %zu needs \"layer\", \"prefix\" (%d "
                       "coordinates), \"count\" (%zu), \"values_i64_le_base64\" and \"proof\"",
                       path, i, r->level, count);
    r->layers[i] = (int)json_integer_value(layer);
    s->j = r->level;
    for (int k = 0; k < r->level; k++) {
        const json_t *c = json_array_get(prefix, (size_t)k);
        if (!json_is_integer(c) || json_integer_value(c) < 0 ||
            json_integer_value(c) >= (json_int_t)r->shape.n[k])
            return tc_fail(err, TC_EFORMAT, "%s: slice %zu: prefix coordinate %d outside 0..%u",
                           path, i, k, r->shape.n[k] - 1);
        tc_fr_from_u64(&s->z[k], (uint64_t)json_integer_value(c));
    }
    r->values[i] = malloc(count * sizeof *r->values[i]);
    s->values = malloc(count * sizeof *s->values);
    if (r->values[i] == NULL || s->values == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for slice %zu", i);
    s->count = count;
    if (!b64_decode_i64(r->values[i], count, b64))
        return tc_fail(err, TC_EFORMAT, "%s: slice %zu: values are not base64 of %zu int64",
                       path, i, count);
    for (size_t v = 0; v < count; v++)
        tc_fr_from_i64(&s->values[v], r->values[i][v]);
    if (json_array_size(proof) != (size_t)r->level) {
        snprintf(r->fault[i], TC_PST_FAULT_LEN, "proof has %zu points, level %d needs %d",
                 json_array_size(proof), r->level, r->level);
        return TC_OK;
    }
    for (int k = 0; k < r->level; k++) {
        const char *hex = json_string_value(json_array_get(proof, (size_t)k));
        char why[160];
        if (hex == NULL || !tc_pst_point_from_hex(&s->pi[k], hex, why)) {
            snprintf(r->fault[i], TC_PST_FAULT_LEN, "proof point %d: %.120s", k,
                     hex == NULL ? "not a string" : why);
            return TC_OK;
        }
    }
    return TC_OK;
}

static tc_status response_from_json(tc_error *err, tc_response *r, const json_t *o,
                                    const char *path)
{
    const char *fmt = json_string_value(json_object_get(o, "format"));
    if (fmt == NULL || strcmp(fmt, "tensorcommit-response") ||
        json_integer_value(json_object_get(o, "version")) != 1)
        return tc_fail(err, TC_EFORMAT, "%s: not a version 1 tensorcommit-response", path);
    if (!tc_json_hex32(o, "commitment", r->commitment) || !tc_json_hex32(o, "nonce", r->nonce) ||
        !tc_json_hex32(o, "challenge_digest", r->challenge_digest))
        return tc_fail(err, TC_EFORMAT, "%s: \"commitment\", \"nonce\" and \"challenge_digest\" "
                       "must be 64 hex characters", path);
    const json_t *shape = json_object_get(o, "shape");
    size_t m = json_array_size(shape);
    if (!json_is_array(shape) || m < 1 || m > TC_PST_MAX_VARS)
        return tc_fail(err, TC_EFORMAT, "%s: \"shape\" must list 1..%d sizes", path,
                       TC_PST_MAX_VARS);
    r->shape.m = (int)m;
    for (size_t i = 0; i < m; i++) {
        json_int_t v = json_integer_value(json_array_get(shape, i));
        if (v < 1 || v > TC_PST_MAX_N)
            return tc_fail(err, TC_EFORMAT, "%s: shape sizes must be in 1..%d", path,
                           TC_PST_MAX_N);
        r->shape.n[i] = (uint32_t)v;
    }
    tc_status st = tc_pst_shape_check(err, &r->shape);
    if (st != TC_OK)
        return st;
    json_int_t lv = json_integer_value(json_object_get(o, "level"));
    if (lv < 1 || lv > (json_int_t)m)
        return tc_fail(err, TC_EFORMAT, "%s: \"level\" must be in 1..%zu", path, m);
    r->level = (int)lv;
    const json_t *arr = json_object_get(o, "slices");
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n == 0 || n > TC_AUDIT_MAX_OPEN)
        return tc_fail(err, TC_EFORMAT, "%s: \"slices\" must hold 1..%d slices", path,
                       TC_AUDIT_MAX_OPEN);
    for (size_t i = 0; i < n; i++) {
        r->n = i + 1;
        st = slice_from_json(err, r, i, json_array_get(arr, i), path);
        if (st != TC_OK)
            return st;
    }
    return TC_OK;
}

tc_status tc_response_read(tc_error *err, tc_response *r, const char *path)
{
    memset(r, 0, sizeof *r);
    json_t *obj;
    tc_status st = tc_json_load_object(err, &obj, path, TC_JSON_MAX_INPUT, NULL);
    if (st != TC_OK)
        return st;
    st = response_from_json(err, r, obj, path);
    json_decref(obj);
    if (st != TC_OK)
        tc_response_free(r);
    return st;
}

/* ------------------------------------------------------------- respond */

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

tc_status tc_respond(tc_error *err, const tc_respond_opts *o)
{
    tc_challenge ch;
    tc_response r;
    tc_npy grid;
    tc_pst_srs srs;
    json_t *receipt = NULL;
    char *json = NULL;
    memset(&ch, 0, sizeof ch);
    memset(&r, 0, sizeof r);
    memset(&grid, 0, sizeof grid);
    memset(&srs, 0, sizeof srs);
    char path[4096];
    uint8_t chd[32];
    json_t *obj = NULL;

    tc_status st = tc_json_load_object(err, &obj, o->challenge_path, TC_JSON_MAX_INPUT, chd);
    json_decref(obj);
    if (st == TC_OK)
        st = tc_challenge_read(err, &ch, o->challenge_path);
    if (st != TC_OK)
        goto out;
    path_in(path, sizeof path, o->run_dir, "receipt.json");
    st = tc_json_load_object(err, &obj, path, TC_JSON_MAX_INPUT, NULL);
    if (st != TC_OK)
        goto out;
    receipt = obj;
    const char *commitment = json_string_value(json_object_get(receipt, "commitment"));
    if (commitment == NULL || strcmp(commitment, ch.commitment)) {
        st = tc_fail(err, TC_EFORMAT, "%s: the challenge is for commitment %.16s…, this run's is "
                     "%.16s…: refusing to answer a challenge for another run",
                     o->challenge_path, ch.commitment, commitment ? commitment : "(none)");
        goto out;
    }
    tc_layout lay;
    path_in(path, sizeof path, o->run_dir, "layout.json");
    st = tc_layout_read(err, &lay, path);
    if (st != TC_OK)
        goto out;
    if (lay.kind != TC_LAYOUT_STRUCTURED) {
        st = tc_fail(err, TC_EUNSUPPORTED, "%s: the run uses the flat layout; challenges open "
                     "whole layers, which needs the structured layout", path);
        goto out;
    }
    if (lay.n_layers != ch.L + 1) {
        st = tc_fail(err, TC_EFORMAT, "%s: the challenge is for %zu blocks, the run has %zu",
                     o->challenge_path, ch.L, lay.n_layers - 1);
        goto out;
    }
    path_in(path, sizeof path, o->run_dir, "grid.npy");
    st = tc_npy_read(err, &grid, path);
    if (st != TC_OK)
        goto out;
    if (grid.dtype != TC_NPY_I64 || grid.count != lay.grid_size) {
        st = tc_fail(err, TC_EFORMAT, "%s: expected int64 with %zu values", path, lay.grid_size);
        goto out;
    }
    const tc_pst_srs *S = o->srs != NULL ? o->srs : &srs;
    if (o->srs_path != NULL || o->srs != NULL)
        snprintf(path, sizeof path, "%s", o->srs_path != NULL ? o->srs_path : "SRS");
    else
        path_in(path, sizeof path, o->run_dir, "srs.tcs");
    if (o->srs == NULL)
        st = tc_pst_srs_load(err, &srs, path, o->n_threads);
    if (st != TC_OK)
        goto out;
    tc_pst_shape shape = {.m = lay.m};
    for (int i = 0; i < lay.m; i++)
        shape.n[i] = lay.shape[i];
    if (!tc_pst_shape_eq(&S->shape, &shape)) {
        st = tc_fail(err, TC_EFORMAT, "%s: the SRS's shape is not the run's grid shape", path);
        goto out;
    }
    memcpy(r.commitment, ch.commitment, 65);
    memcpy(r.nonce, ch.nonce, 65);
    tc_hex_encode(r.challenge_digest, chd, 32);
    r.shape = shape;
    const int64_t *g = grid.data;
    for (size_t i = 0; i < ch.n_open; i++) {
        uint32_t prefix[TC_PST_MAX_VARS];
        int j = tc_layout_layer_prefix(&lay, (size_t)ch.open_layers[i], prefix);
        tc_fr z[TC_PST_MAX_VARS];
        for (int k = 0; k < j; k++)
            tc_fr_from_u64(&z[k], prefix[k]);
        r.level = j;
        r.n = i + 1;
        r.layers[i] = ch.open_layers[i];
        st = tc_pst_open_slice(err, &r.slices[i], S, g, grid.count, z, j, o->n_threads);
        if (st != TC_OK)
            goto out;
        size_t count = r.slices[i].count, off = (size_t)ch.open_layers[i] * count;
        r.values[i] = malloc(count * sizeof *r.values[i]);
        if (r.values[i] == NULL) {
            st = tc_fail(err, TC_ENOMEM, "out of memory");
            goto out;
        }
        memcpy(r.values[i], g + off, count * sizeof *g);
    }
    st = tc_response_to_json(err, &json, &r);
    if (st != TC_OK)
        goto out;
    st = tc_write_file_atomic(err, o->out_path, json, strlen(json));
out:
    free(json);
    json_decref(receipt);
    tc_response_free(&r);
    tc_pst_srs_free(&srs);
    tc_npy_free(&grid);
    tc_challenge_free(&ch);
    return st;
}
