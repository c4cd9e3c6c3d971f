/* proof.json and vk.json (docs/formats.md): compressed points in hex,
 * field elements as decimal strings. */
#include "pst/pst.h"

#include "ec/encoding.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_pst_point_hex(char out[65], const tc_g1_affine *p)
{
    uint8_t b[TC_G1_BYTES];
    tc_g1_to_bytes(b, p);
    tc_hex_encode(out, b, sizeof b);
}

bool tc_pst_point_from_hex(tc_g1_affine *p, const char *hex, char why[TC_PST_FAULT_LEN])
{
    uint8_t b[TC_G1_BYTES];
    if (hex == NULL || strlen(hex) != 2 * TC_G1_BYTES || !tc_hex_decode(b, sizeof b, hex)) {
        snprintf(why, TC_PST_FAULT_LEN, "point is not %d hex characters", 2 * TC_G1_BYTES);
        return false;
    }
    tc_point_fault f = tc_g1_decode(p, b);
    if (f != TC_POINT_OK) {
        snprintf(why, TC_PST_FAULT_LEN, "invalid G1 point: %s", tc_point_fault_str(f));
        return false;
    }
    why[0] = '\0';
    return true;
}

static void g2_hex(char out[129], const tc_g2_affine *p)
{
    uint8_t b[TC_G2_BYTES];
    tc_g2_to_bytes(b, p);
    tc_hex_encode(out, b, sizeof b);
}

/* --------------------------------------------------------------- encode */

static json_t *shape_json(const tc_pst_shape *s)
{
    json_t *a = json_array();
    for (int i = 0; i < s->m; i++)
        json_array_append_new(a, json_integer(s->n[i]));
    return a;
}

static json_t *fr_array(const tc_fr *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char d[80];
        tc_fr_to_dec(d, &v[i]);
        json_array_append_new(a, json_string(d));
    }
    return a;
}

static json_t *points_json(const tc_g1_affine *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char h[65];
        tc_pst_point_hex(h, &p[i]);
        json_array_append_new(a, json_string(h));
    }
    return a;
}

static tc_status dump(tc_error *err, char **out, json_t *root)
{
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(root);
    size_t len = text ? strlen(text) : 0;
    *out = text ? realloc(text, len + 2) : NULL;
    if (*out == NULL) {
        free(text);
        return tc_fail(err, TC_ENOMEM, "out of memory writing JSON");
    }
    memcpy(*out + len, "\n", 2);   /* files end with a newline */
    return TC_OK;
}

tc_status tc_pst_proof_encode(tc_error *err, char **json, const tc_pst_shape *shape,
                              const tc_g1_affine *commitment, const tc_pst_opening *open,
                              size_t n_open, const tc_pst_slice *slice, size_t n_slice)
{
    json_t *root = json_object(), *ops = json_array(), *sls = json_array();
    char h[65];
    tc_pst_point_hex(h, commitment);
    json_object_set_new(root, "commitment", json_string(h));
    json_object_set_new(root, "shape", shape_json(shape));
    for (size_t k = 0; k < n_open; k++) {
        json_t *o = json_object();
        char d[80];
        json_object_set_new(o, "point", fr_array(open[k].z, (size_t)open[k].m));
        tc_fr_to_dec(d, &open[k].y);
        json_object_set_new(o, "value", json_string(d));
        json_object_set_new(o, "proof", points_json(open[k].pi, (size_t)open[k].m));
        json_array_append_new(ops, o);
    }
    for (size_t k = 0; k < n_slice; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "prefix", fr_array(slice[k].z, (size_t)slice[k].j));
        json_object_set_new(o, "values", fr_array(slice[k].values, slice[k].count));
        json_object_set_new(o, "proof", points_json(slice[k].pi, (size_t)slice[k].j));
        json_array_append_new(sls, o);
    }
    json_object_set_new(root, "openings", ops);
    json_object_set_new(root, "slices", sls);
    return dump(err, json, root);
}

/* --------------------------------------------------------------- decode */

static tc_status parse_shape(tc_error *err, tc_pst_shape *s, const json_t *a, const char *name)
{
    memset(s, 0, sizeof *s);
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > TC_PST_MAX_VARS)
        return tc_fail(err, TC_EFORMAT, "%s: \"shape\" must be an array of 1..%d sizes", name,
                       TC_PST_MAX_VARS);
    s->m = (int)json_array_size(a);
    for (int i = 0; i < s->m; i++) {
        const json_t *v = json_array_get(a, (size_t)i);
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > TC_PST_MAX_N)
            return tc_fail(err, TC_EFORMAT, "%s: shape entry %d is not an integer in 1..%d", name,
                           i, TC_PST_MAX_N);
        s->n[i] = (uint32_t)json_integer_value(v);
    }
    tc_error e;
    if (tc_pst_shape_check(&e, s) != TC_OK)
        return tc_fail(err, TC_EFORMAT, "%s: %s", name, e.msg);
    return TC_OK;
}

/* Decimal field elements; `what` names the field in messages. */
static tc_status parse_fr_array(tc_error *err, tc_fr *out, size_t max, size_t *n,
                                const json_t *a, const char *name, const char *what)
{
    if (!json_is_array(a))
        return tc_fail(err, TC_EFORMAT, "%s: %s is not an array", name, what);
    *n = json_array_size(a);
    if (*n > max)
        return tc_fail(err, TC_EFORMAT, "%s: %s has %zu entries (at most %zu)", name, what, *n, max);
    for (size_t i = 0; i < *n; i++) {
        const char *d = json_string_value(json_array_get(a, i));
        if (d == NULL || !tc_fr_from_dec(&out[i], d))
            return tc_fail(err, TC_EFORMAT,
                           "%s: %s[%zu] is not a decimal string below the group order r", name,
                           what, i);
    }
    return TC_OK;
}

/* Proof points: a wrong count or an undecodable point is a fault. */
static void parse_proof(tc_g1_affine *pi, int want, const json_t *a, char fault[TC_PST_FAULT_LEN])
{
    if (!json_is_array(a)) {
        snprintf(fault, TC_PST_FAULT_LEN, "\"proof\" is not an array");
        return;
    }
    if (json_array_size(a) != (size_t)want) {
        snprintf(fault, TC_PST_FAULT_LEN, "proof has %zu points, expected %d",
                 json_array_size(a), want);
        return;
    }
    for (int i = 0; i < want; i++) {
        char why[TC_PST_FAULT_LEN];
        if (!tc_pst_point_from_hex(&pi[i], json_string_value(json_array_get(a, (size_t)i)), why)) {
            snprintf(fault, TC_PST_FAULT_LEN, "proof[%d]: %.120s", i, why);
            return;
        }
    }
}

void tc_pst_proof_file_free(tc_pst_proof_file *pf)
{
    if (pf == NULL)
        return;
    for (size_t k = 0; k < pf->n_slice && pf->slice != NULL; k++)
        tc_pst_slice_free(&pf->slice[k]);
    free(pf->open);
    free(pf->open_fault);
    free(pf->slice);
    free(pf->slice_fault);
    memset(pf, 0, sizeof *pf);
}

static tc_status parse_opening(tc_error *err, tc_pst_proof_file *pf, size_t k, const json_t *o,
                               const char *name)
{
    char what[64];
    tc_pst_opening *op = &pf->open[k];
    char *fault = pf->open_fault[k];
    size_t n;
    if (!json_is_object(o))
        return tc_fail(err, TC_EFORMAT, "%s: openings[%zu] is not an object", name, k);
    snprintf(what, sizeof what, "openings[%zu].point", k);
    tc_status st = parse_fr_array(err, op->z, TC_PST_MAX_VARS, &n, json_object_get(o, "point"),
                                  name, what);
    if (st != TC_OK)
        return st;
    op->m = (int)n;
    const char *v = json_string_value(json_object_get(o, "value"));
    if (v == NULL || !tc_fr_from_dec(&op->y, v))
        return tc_fail(err, TC_EFORMAT,
                       "%s: openings[%zu].value is not a decimal string below the group order r",
                       name, k);
    if (op->m != pf->shape.m) {
        snprintf(fault, TC_PST_FAULT_LEN, "point has %d coordinates, the shape has %d", op->m,
                 pf->shape.m);
        return TC_OK;
    }
    parse_proof(op->pi, op->m, json_object_get(o, "proof"), fault);
    return TC_OK;
}

static tc_status parse_slice(tc_error *err, tc_pst_proof_file *pf, size_t k, const json_t *o,
                             const char *name)
{
    char what[64];
    tc_pst_slice *sl = &pf->slice[k];
    char *fault = pf->slice_fault[k];
    size_t n;
    if (!json_is_object(o))
        return tc_fail(err, TC_EFORMAT, "%s: slices[%zu] is not an object", name, k);
    snprintf(what, sizeof what, "slices[%zu].prefix", k);
    tc_status st = parse_fr_array(err, sl->z, TC_PST_MAX_VARS, &n, json_object_get(o, "prefix"),
                                  name, what);
    if (st != TC_OK)
        return st;
    sl->j = (int)n;
    const json_t *vals = json_object_get(o, "values");
    if (!json_is_array(vals))
        return tc_fail(err, TC_EFORMAT, "%s: slices[%zu].values is not an array", name, k);
    size_t nv = json_array_size(vals);
    sl->values = malloc((nv ? nv : 1) * sizeof *sl->values);
    if (sl->values == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory for %zu slice values", name, nv);
    snprintf(what, sizeof what, "slices[%zu].values", k);
    st = parse_fr_array(err, sl->values, nv, &sl->count, vals, name, what);
    if (st != TC_OK)
        return st;
    if (sl->j < 1 || sl->j > pf->shape.m) {
        snprintf(fault, TC_PST_FAULT_LEN, "prefix has %d coordinates (1..%d allowed)", sl->j,
                 pf->shape.m);
        return TC_OK;
    }
    if (sl->count != tc_pst_suffix_size(&pf->shape, sl->j)) {
        snprintf(fault, TC_PST_FAULT_LEN, "slice has %zu values, level %d has %zu", sl->count,
                 sl->j, tc_pst_suffix_size(&pf->shape, sl->j));
        return TC_OK;
    }
    parse_proof(sl->pi, sl->j, json_object_get(o, "proof"), fault);
    return TC_OK;
}

tc_status tc_pst_proof_decode(tc_error *err, tc_pst_proof_file *pf, const char *text, size_t len,
                              const char *name)
{
    memset(pf, 0, sizeof *pf);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    tc_status st = TC_OK;
    if (root == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: not valid JSON (line %d: %s)", name, je.line, je.text);
    if (!json_is_object(root)) {
        st = tc_fail(err, TC_EFORMAT, "%s: not a JSON object", name);
        goto out;
    }
    st = parse_shape(err, &pf->shape, json_object_get(root, "shape"), name);
    if (st != TC_OK)
        goto out;
    const char *c = json_string_value(json_object_get(root, "commitment"));
    if (c == NULL) {
        st = tc_fail(err, TC_EFORMAT, "%s: \"commitment\" missing or not a string", name);
        goto out;
    }
    snprintf(pf->commitment_hex, sizeof pf->commitment_hex, "%s", c);
    (void)tc_pst_point_from_hex(&pf->commitment, c, pf->commitment_fault);
    const json_t *ops = json_object_get(root, "openings"), *sls = json_object_get(root, "slices");
    if ((ops != NULL && !json_is_array(ops)) || (sls != NULL && !json_is_array(sls)) ||
        (ops == NULL && sls == NULL)) {
        st = tc_fail(err, TC_EFORMAT, "%s: needs \"openings\" and/or \"slices\" arrays", name);
        goto out;
    }
    pf->n_open = json_array_size(ops);
    pf->n_slice = json_array_size(sls);
    if (pf->n_open + pf->n_slice == 0) {
        /* nothing to verify must not read as "all valid" */
        st = tc_fail(err, TC_EFORMAT, "%s: holds no openings and no slices", name);
        goto out;
    }
    pf->open = calloc(pf->n_open + 1, sizeof *pf->open);
    pf->open_fault = calloc(pf->n_open + 1, sizeof *pf->open_fault);
    pf->slice = calloc(pf->n_slice + 1, sizeof *pf->slice);
    pf->slice_fault = calloc(pf->n_slice + 1, sizeof *pf->slice_fault);
    if (!pf->open || !pf->open_fault || !pf->slice || !pf->slice_fault) {
        st = tc_fail(err, TC_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    for (size_t k = 0; k < pf->n_open && st == TC_OK; k++)
        st = parse_opening(err, pf, k, json_array_get(ops, k), name);
    for (size_t k = 0; k < pf->n_slice && st == TC_OK; k++)
        st = parse_slice(err, pf, k, json_array_get(sls, k), name);
out:
    json_decref(root);
    if (st != TC_OK)
        tc_pst_proof_file_free(pf);
    return st;
}

/* ------------------------------------------------------------------ vk */

tc_status tc_pst_vk_encode(tc_error *err, char **json, const tc_pst_srs *srs, const int *levels,
                           int n_levels)
{
    json_t *root = json_object(), *tau = json_array(), *lv = json_object();
    char id[65], h[129];
    tc_hex_encode(id, srs->id, 32);
    json_object_set_new(root, "shape", shape_json(&srs->shape));
    json_object_set_new(root, "srs_id", json_string(id));
    json_object_set_new(root, "origin", json_string(tc_pst_origin_name(srs->origin)));
    tc_pst_point_hex(h, &srs->vk.g1);
    json_object_set_new(root, "g1", json_string(h));
    g2_hex(h, &srs->vk.g2);
    json_object_set_new(root, "g2", json_string(h));
    for (int i = 0; i < srs->shape.m; i++) {
        g2_hex(h, &srs->vk.tau[i]);
        json_array_append_new(tau, json_string(h));
    }
    json_object_set_new(root, "tau_g2", tau);
    /* levels J..m−1 for the smallest J asked for: checking level J needs
     * every level above it (tc_pst_vk_check_levels) */
    int first = srs->shape.m;
    for (int k = 0; k < n_levels; k++) {
        if (levels[k] < 1 || levels[k] > srs->shape.m) {
            json_decref(root);
            json_decref(lv);
            return tc_fail(err, TC_EARG, "slice level %d outside 1..%d", levels[k],
                           srs->shape.m);
        }
        if (levels[k] < first)
            first = levels[k];
    }
    for (int j = first; j < srs->shape.m; j++) {
        char key[16];
        snprintf(key, sizeof key, "%d", j);
        json_object_set_new(lv, key,
                            points_json(tc_pst_srs_level(srs, j), tc_pst_suffix_size(&srs->shape, j)));
    }
    json_object_set_new(root, "slice_levels", lv);
    return dump(err, json, root);
}

void tc_pst_vk_file_free(tc_pst_vk_file *vf)
{
    if (vf == NULL)
        return;
    tc_pst_vk_free(&vf->vk);
    for (int j = 0; j <= TC_PST_MAX_VARS; j++)
        free(vf->levels[j]);
    memset(vf, 0, sizeof *vf);
}

static tc_status g2_from_hex(tc_error *err, tc_g2_affine *p, const char *hex, const char *name,
                             const char *what)
{
    uint8_t b[TC_G2_BYTES];
    if (hex == NULL || strlen(hex) != 2 * TC_G2_BYTES || !tc_hex_decode(b, sizeof b, hex))
        return tc_fail(err, TC_EFORMAT, "%s: %s is not %d hex characters", name, what,
                       2 * TC_G2_BYTES);
    tc_point_fault f = tc_g2_decode(p, b);
    if (f != TC_POINT_OK)
        return tc_fail(err, TC_EFORMAT, "%s: %s: invalid G2 point: %s", name, what,
                       tc_point_fault_str(f));
    return TC_OK;
}

tc_status tc_pst_vk_decode(tc_error *err, tc_pst_vk_file *vf, const char *text, size_t len,
                           const char *name)
{
    memset(vf, 0, sizeof *vf);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    tc_status st = TC_OK;
    char why[TC_PST_FAULT_LEN];
    if (root == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: not valid JSON (line %d: %s)", name, je.line, je.text);
    st = parse_shape(err, &vf->vk.shape, json_object_get(root, "shape"), name);
    if (st != TC_OK)
        goto out;
    const tc_pst_shape *s = &vf->vk.shape;
    const char *id = json_string_value(json_object_get(root, "srs_id"));
    if (id == NULL || strlen(id) != 64 || !tc_hex_decode(vf->srs_id, 32, id)) {
        st = tc_fail(err, TC_EFORMAT, "%s: \"srs_id\" is not 64 hex characters", name);
        goto out;
    }
    if (!tc_pst_origin_from_name(&vf->origin,
                                 json_string_value(json_object_get(root, "origin")))) {
        st = tc_fail(err, TC_EFORMAT,
                     "%s: \"origin\" must be \"random\", \"seeded\", \"explicit\" or \"ceremony\"",
                     name);
        goto out;
    }
    if (!tc_pst_point_from_hex(&vf->vk.g1, json_string_value(json_object_get(root, "g1")), why)) {
        st = tc_fail(err, TC_EFORMAT, "%s: g1: %s", name, why);
        goto out;
    }
    st = g2_from_hex(err, &vf->vk.g2, json_string_value(json_object_get(root, "g2")), name, "g2");
    if (st != TC_OK)
        goto out;
    const json_t *tau = json_object_get(root, "tau_g2");
    if (!json_is_array(tau) || json_array_size(tau) != (size_t)s->m) {
        st = tc_fail(err, TC_EFORMAT, "%s: \"tau_g2\" must hold %d points", name, s->m);
        goto out;
    }
    for (int i = 0; i < s->m && st == TC_OK; i++) {
        char what[32];
        snprintf(what, sizeof what, "tau_g2[%d]", i);
        st = g2_from_hex(err, &vf->vk.tau[i], json_string_value(json_array_get(tau, (size_t)i)),
                         name, what);
    }
    if (st != TC_OK)
        goto out;
    tc_g1_affine g1;
    tc_g2_affine g2;
    tc_g1_affine_generator(&g1);
    tc_g2_affine_generator(&g2);
    if (memcmp(&g1.x, &vf->vk.g1.x, sizeof g1.x) || memcmp(&g1.y, &vf->vk.g1.y, sizeof g1.y) ||
        !tc_fp2_eq(&g2.x, &vf->vk.g2.x) || !tc_fp2_eq(&g2.y, &vf->vk.g2.y) ||
        vf->vk.g1.infinity || vf->vk.g2.infinity) {
        st = tc_fail(err, TC_EFORMAT, "%s: g1/g2 are not the standard generators", name);
        goto out;
    }
    const json_t *lv = json_object_get(root, "slice_levels");
    if (lv != NULL && !json_is_object(lv)) {
        st = tc_fail(err, TC_EFORMAT, "%s: \"slice_levels\" is not an object", name);
        goto out;
    }
    const char *key;
    const json_t *arr;
    json_object_foreach((json_t *)lv, key, arr)
    {
        char *end;
        long j = strtol(key, &end, 10);
        if (*end != '\0' || j < 1 || j > s->m || vf->levels[j] != NULL) {
            st = tc_fail(err, TC_EFORMAT, "%s: slice_levels key '%s' is not a level in 1..%d",
                         name, key, s->m);
            goto out;
        }
        size_t n = tc_pst_suffix_size(s, (int)j);
        if (!json_is_array(arr) || json_array_size(arr) != n) {
            st = tc_fail(err, TC_EFORMAT, "%s: slice_levels[%ld] must hold %zu points", name, j, n);
            goto out;
        }
        vf->levels[j] = malloc(n * sizeof(tc_g1_affine));
        if (vf->levels[j] == NULL) {
            st = tc_fail(err, TC_ENOMEM, "%s: out of memory", name);
            goto out;
        }
        for (size_t b = 0; b < n; b++)
            if (!tc_pst_point_from_hex(&vf->levels[j][b],
                                       json_string_value(json_array_get(arr, b)), why)) {
                st = tc_fail(err, TC_EFORMAT, "%s: slice_levels[%ld][%zu]: %s", name, j, b, why);
                goto out;
            }
    }
    st = tc_pst_vk_prepare(err, &vf->vk);
out:
    json_decref(root);
    if (st != TC_OK)
        tc_pst_vk_file_free(vf);
    return st;
}
