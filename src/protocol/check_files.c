/* The files of a run folder against the receipt, the SRS and the grid:
 * proofs.json, the SRS's claims, vk.json, hidden_states.npy, stats.json and
 * results.json (docs/formats.md "Run folder"). */
#include "protocol/check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/run.h"
#include "protocol/textio.h"

#define WHY_LEN 300

/* A run folder's JSON file (an object) whose members are checked for names
 * and types: why is "" when they hold, else says what is wrong (a failed
 * check, not an error: the status is for a file that cannot be read). */
static tc_status load_run_json(tc_error *err, json_t **o, char why[WHY_LEN], const char *path,
                               const char *name, const tc_json_field *f, size_t n)
{
    tc_error fe = {0};
    why[0] = '\0';
    tc_status st = tc_json_load_object(err, o, path, 0, NULL);
    if (st == TC_OK && tc_json_check_fields(&fe, name, "", *o, f, n) != TC_OK)
        snprintf(why, WHY_LEN, "%.280s", fe.msg);
    return st;
}

static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_int_t int_at(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* ------------------------------------------------------- proofs vs grid */

/* Grid index of z when every coordinate is a grid point; false otherwise. */
static bool grid_index(const tc_pst_shape *s, const tc_fr *z, int j, size_t *index)
{
    size_t idx = 0;
    for (int i = 0; i < j; i++) {
        uint32_t u;
        if (!tc_pst_grid_index(&u, &z[i], s->n[i]))
            return false;
        idx = idx * s->n[i] + u;
    }
    *index = idx;
    return true;
}

/* Checks every opening and slice; *n_items counts them and levels[j] is set
 * for each slice level j (vk.json must embed it). */
tc_status tc_check_proofs_file(tc_error *err, tc_checker *c, const tc_pst_srs *srs,
                               const tc_g1_affine *commitment, const int64_t *grid,
                               const char *path, size_t *n_items, bool *levels)
{
    uint8_t *text = NULL;
    size_t len;
    tc_pst_proof_file pf;
    tc_fr *vals = NULL;
    memset(&pf, 0, sizeof pf);
    tc_status st = tc_read_file(err, &text, &len, path, (size_t)1 << 30);
    if (st != TC_OK)
        return st;
    st = tc_pst_proof_decode(err, &pf, (const char *)text, len, path);
    if (st != TC_OK)
        goto out;
    *n_items = pf.n_open + pf.n_slice;
    for (size_t k = 0; k < pf.n_slice; k++)
        if (pf.slice_fault[k][0] == '\0')
            levels[pf.slice[k].j] = true;
    bool same_c = pf.commitment_fault[0] == '\0' && tc_g1_affine_eq(&pf.commitment, commitment);
    tc_check_report(c, same_c, "proofs.json: commitment %s the receipt's",
                    same_c ? "is" : "is NOT");
    bool same_shape = tc_pst_shape_eq(&pf.shape, &srs->shape);
    tc_check_report(c, same_shape, "proofs.json: shape %s the grid's",
                    same_shape ? "is" : "is NOT");
    if (!same_shape)
        goto out;
    const tc_pst_shape *s = &srs->shape;
    size_t N = tc_pst_suffix_size(s, 0);
    for (size_t k = 0; k < pf.n_open; k++) {
        const tc_pst_opening *op = &pf.open[k];
        if (pf.open_fault[k][0] != '\0') {
            tc_check_report(c, false, "opening %zu: rejected: %s", k, pf.open_fault[k]);
            continue;
        }
        bool ok = false;
        st = tc_pst_verify(err, &ok, &srs->vk, commitment, op);
        if (st != TC_OK)
            goto out;
        tc_fr want;
        size_t idx;
        if (grid_index(s, op->z, s->m, &idx)) {
            tc_fr_from_i64(&want, grid[idx]);
        } else {
            if (vals == NULL) {
                vals = malloc(N * sizeof *vals);
                if (vals == NULL) {
                    st = tc_fail(err, TC_ENOMEM, "out of memory");
                    goto out;
                }
                for (size_t i = 0; i < N; i++)
                    tc_fr_from_i64(&vals[i], grid[i]);
            }
            st = tc_pst_eval(err, &want, s, vals, op->z);
            if (st != TC_OK)
                goto out;
        }
        bool match = tc_fr_eq(&want, &op->y);
        tc_check_report(c, ok && match, "opening %zu: proof %s, value %s the grid's", k,
                        ok ? "verifies" : "REJECTED", match ? "is" : "is NOT");
    }
    for (size_t k = 0; k < pf.n_slice; k++) {
        const tc_pst_slice *sl = &pf.slice[k];
        if (pf.slice_fault[k][0] != '\0') {
            tc_check_report(c, false, "slice %zu: rejected: %s", k, pf.slice_fault[k]);
            continue;
        }
        bool ok = false;
        st = tc_pst_verify_slice(err, &ok, &srs->vk, tc_pst_srs_level(srs, sl->j), commitment,
                                 sl);
        if (st != TC_OK)
            goto out;
        size_t base = 0, rest = tc_pst_suffix_size(s, sl->j);
        bool match = grid_index(s, sl->z, sl->j, &base) && sl->count == rest;
        for (size_t r = 0; match && r < rest; r++) {
            tc_fr want;
            tc_fr_from_i64(&want, grid[base * rest + r]);
            match = tc_fr_eq(&want, &sl->values[r]);
        }
        tc_check_report(c, ok && match, "slice %zu (j = %d): proof %s, values %s the grid's", k,
                        sl->j, ok ? "verifies" : "REJECTED", match ? "are" : "are NOT");
    }
out:
    free(vals);
    tc_pst_proof_file_free(&pf);
    free(text);
    return st;
}

/* ------------------------------------------------------- the SRS and vk */

/* The receipt's SRS claims: its origin is the file's, and a recorded seed
 * gives the SRS's trapdoors ([t_i]₂ = t_i·[1]₂) and its setup command. */
void tc_check_srs_claims(tc_checker *c, const tc_run_receipt *r, const tc_pst_srs *srs,
                         const char *srs_path)
{
    const char *origin = tc_pst_origin_name(srs->origin);
    bool same = !strcmp(origin, r->srs_origin);
    tc_check_report(c, same, "%s: origin %s %s the receipt's srs_origin (%s)", srs_path, origin,
                    same ? "is" : "is NOT", r->srs_origin);
    if (r->srs_seed == NULL)
        return;
    uint8_t seed[TC_PST_MAX_SEED];
    size_t len = strlen(r->srs_seed) / 2;
    bool ok = srs->origin == TC_PST_ORIGIN_SEEDED && strlen(r->srs_seed) % 2 == 0 && len >= 1 &&
              len <= sizeof seed && tc_hex_decode(seed, len, r->srs_seed);
    if (ok) {
        tc_fr t[TC_PST_MAX_VARS];
        tc_g2 g2, tg;
        tc_pst_seed_trapdoors(t, srs->shape.m, seed, len);
        tc_g2_from_affine(&g2, &srs->vk.g2);
        for (int i = 0; ok && i < srs->shape.m; i++) {
            tc_g2 want;
            tc_g2_mul_var(&want, &g2, &t[i]);
            tc_g2_from_affine(&tg, &srs->vk.tau[i]);
            ok = tc_g2_eq(&want, &tg);
        }
        memset(t, 0, sizeof t);
    }
    tc_check_report(c, ok, "%s: the receipt's srs_seed %s the SRS's trapdoors", srs_path,
                    ok ? "gives" : "does NOT give");
    char cmd[256];
    tc_run_srs_setup_command(cmd, sizeof cmd, srs->shape.n, srs->shape.m, r->srs_seed);
    same = !strcmp(cmd, r->srs_command);
    tc_check_report(c, same, "receipt: srs_setup_command %s `%s`", same ? "is" : "is NOT", cmd);
}

/* vk.json is the SRS's verification key, with the SRS's id and origin, and
 * embeds the SRS's own Lagrange levels, including every slice's level. */
tc_status tc_check_vk_file(tc_error *err, tc_checker *c, const tc_pst_srs *srs, const char *path,
                           const bool *slice_levels)
{
    uint8_t *text = NULL;
    size_t len;
    tc_pst_vk_file vf;
    tc_error e2 = {0};
    char why[300] = "";
    memset(&vf, 0, sizeof vf);
    tc_status st = tc_read_file(err, &text, &len, path, (size_t)1 << 32);
    if (st != TC_OK)
        return st;
    if (tc_pst_vk_decode(&e2, &vf, (const char *)text, len, path) != TC_OK) {
        snprintf(why, sizeof why, "%.280s", e2.msg);
    } else if (!tc_pst_shape_eq(&vf.vk.shape, &srs->shape)) {
        snprintf(why, sizeof why, "its shape is not the SRS's");
    } else if (memcmp(vf.srs_id, srs->id, 32) != 0) {
        snprintf(why, sizeof why, "its srs_id is not the SRS's id");
    } else if (vf.origin != srs->origin) {
        snprintf(why, sizeof why, "its origin %s is not the SRS's %s",
                 tc_pst_origin_name(vf.origin), tc_pst_origin_name(srs->origin));
    } else if (!tc_g1_affine_eq(&vf.vk.g1, &srs->vk.g1) ||
               !tc_g2_affine_eq(&vf.vk.g2, &srs->vk.g2)) {
        snprintf(why, sizeof why, "g1/g2 are not the SRS's");
    }
    const tc_pst_shape *s = &srs->shape;
    for (int i = 0; why[0] == '\0' && i < s->m; i++)
        if (!tc_g2_affine_eq(&vf.vk.tau[i], &srs->vk.tau[i]))
            snprintf(why, sizeof why, "tau_g2[%d] is not the SRS's", i);
    for (int j = 1; why[0] == '\0' && j <= s->m; j++) {
        if (vf.levels[j] == NULL) {
            if (slice_levels[j] && j < s->m)
                snprintf(why, sizeof why, "level %d, which a slice in proofs.json uses, is not "
                         "embedded", j);
            continue;
        }
        const tc_g1_affine *want = tc_pst_srs_level(srs, j);
        for (size_t b = 0; b < tc_pst_suffix_size(s, j); b++)
            if (!tc_g1_affine_eq(&vf.levels[j][b], &want[b])) {
                snprintf(why, sizeof why, "slice_levels[%d][%zu] is not the SRS's key", j, b);
                break;
            }
    }
    tc_check_report(c, why[0] == '\0', "vk.json %s: %s",
                    why[0] ? "is NOT the SRS's verification key" : "is the SRS's verification key",
                    why[0] ? why : "shape, srs_id, origin, g1, g2, tau_g2 and slice levels");
    tc_pst_vk_file_free(&vf);
    free(text);
    return TC_OK;
}

/* ------------------------------------------------------- the capture */

/* hidden_states.npy, quantized with the receipt's rule and laid out with
 * layout.json, gives grid.npy exactly: padding included. */
tc_status tc_check_hidden_file(tc_error *err, tc_checker *c, const tc_layout *lay,
                               const tc_quant_params *q, const int64_t *grid, const char *path,
                               tc_npy *hs)
{
    tc_status st = tc_npy_read(err, hs, path);
    if (st != TC_OK)
        return st;
    size_t L1 = lay->n_layers, T = lay->n_tokens, H = lay->hidden;
    if (hs->dtype != TC_NPY_F32 || hs->ndim != 3 || (size_t)hs->shape[0] != L1 ||
        (size_t)hs->shape[1] != T || (size_t)hs->shape[2] != H) {
        tc_check_report(c, false,
                        "hidden_states.npy: not float32 of the layout's shape (%zu, %zu, %zu)", L1,
                        T, H);
        tc_npy_free(hs);
        return TC_OK;
    }
    int64_t *qv = malloc(hs->count * sizeof *qv), *g2 = malloc(lay->grid_size * sizeof *g2);
    tc_error qe = {0};
    if (qv == NULL || g2 == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
    } else if (tc_quantize_f32(&qe, q, qv, hs->data, L1, T * H) != TC_OK ||
               tc_layout_fill(&qe, lay, g2, qv) != TC_OK) {
        tc_check_report(c, false, "hidden_states.npy: cannot be quantized and laid out: %s",
                        qe.msg);
    } else {
        size_t n_bad = 0, first = 0;
        for (size_t i = 0; i < lay->grid_size; i++)
            if (g2[i] != grid[i] && n_bad++ == 0)
                first = i;
        if (n_bad == 0)
            tc_check_report(c, true, "hidden_states.npy, quantized and laid out, is grid.npy");
        else
            tc_check_report(c, false,
                            "hidden_states.npy, quantized and laid out, is NOT grid.npy: %zu "
                            "of %zu values differ (first at grid index %zu)",
                            n_bad, lay->grid_size, first);
    }
    free(qv);
    free(g2);
    return st;
}

static bool same_f32(const json_t *v, float x)
{
    return json_is_number(v) && (float)json_number_value(v) == x;
}

/* One entry of stats.json's "layers" against the entry the capture writes
 * for x (T×H values): name, shape, dtype and precision exactly, min and max
 * as float32, the mean to the 9 digits written. */
static bool stats_layer_ok(const json_t *e, const float *x, size_t T, size_t H, const char *name)
{
    json_t *want = tc_capture_layer_stats(name, x, T, H);
    const json_t *mj = json_object_get(e, "mean");
    double mean = json_real_value(json_object_get(want, "mean"));
    const char *keys[] = {"name", "shape", "dtype", "precision_bits"};
    bool ok = json_is_object(e) && json_object_size(e) == json_object_size(want);
    for (size_t i = 0; ok && i < TC_ARRAY_LEN(keys); i++)
        ok = json_equal(json_object_get(e, keys[i]), json_object_get(want, keys[i]));
    ok = ok &&
         same_f32(json_object_get(e, "min"), (float)json_real_value(json_object_get(want, "min"))) &&
         same_f32(json_object_get(e, "max"), (float)json_real_value(json_object_get(want, "max"))) &&
         json_is_number(mj) && fabs(json_number_value(mj) - mean) <= 1e-8 * fabs(mean) + 1e-300;
    json_decref(want);
    return ok;
}

/* stats.json's header against the receipt and hidden_states.npy. */
static void stats_header(char why[WHY_LEN], const json_t *o, const tc_run_receipt *r,
                         const tc_npy *hs)
{
    if (strcmp(str_at(o, "format"), "tensorcommit-capture") != 0 || int_at(o, "version") != 1)
        snprintf(why, WHY_LEN, "format/version are not tensorcommit-capture 1");
    else if (strcmp(str_at(o, "model_type"), r->model_type) != 0 ||
             strcmp(str_at(o, "prompt"), r->prompt) ||
             strcmp(str_at(o, "generated_text"), r->text) ||
             json_is_true(json_object_get(o, "deterministic")) != r->deterministic)
        snprintf(why, WHY_LEN,
                 "model_type, prompt, generated_text or deterministic differ "
                 "from the receipt");
    else if ((size_t)int_at(o, "n_tokens") != r->n_tokens ||
             (size_t)int_at(o, "n_prompt_tokens") != r->n_prompt)
        snprintf(why, WHY_LEN, "n_tokens or n_prompt_tokens differ from the receipt");
    else if (hs->data == NULL)
        snprintf(why, WHY_LEN, "hidden_states.npy is unusable");
    else if (int_at(o, "n_layers") + 1 != hs->shape[0] || int_at(o, "hidden_size") != hs->shape[2])
        snprintf(why, WHY_LEN, "n_layers or hidden_size differ from hidden_states.npy");
}

/* stats.json: every field is the receipt's, or recomputed from the hidden
 * states (min, max exactly; the mean to the 9 digits written), except
 * "model" (the path the run read) and "hidden_states_convention" (text):
 * informative.  *vocab is its vocab_size (checked against the model). */
tc_status tc_check_stats_file(tc_error *err, tc_checker *c, const tc_run_receipt *r,
                              const tc_npy *hs, const char *path, json_int_t *vocab)
{
    static const tc_json_field stats_fields[] = {
        {"format", 's', true},          {"version", 'i', true},
        {"model", 's', true},           {"model_type", 's', true},
        {"prompt", 's', true},          {"generated_text", 's', true},
        {"n_tokens", 'i', true},        {"n_prompt_tokens", 'i', true},
        {"n_layers", 'i', true},        {"hidden_size", 'i', true},
        {"vocab_size", 'i', true},      {"deterministic", 'b', true},
        {"hidden_states_convention", 's', true}, {"layers", 'a', true},
    };
    json_t *o;
    char why[WHY_LEN];
    tc_status st = load_run_json(err, &o, why, path, "stats.json", stats_fields,
                                 TC_ARRAY_LEN(stats_fields));
    if (st != TC_OK)
        return st;
    *vocab = json_integer_value(json_object_get(o, "vocab_size"));
    if (why[0] == '\0')
        stats_header(why, o, r, hs);
    size_t L1 = why[0] ? 0 : (size_t)hs->shape[0], T = (size_t)hs->shape[1],
           H = (size_t)hs->shape[2];
    json_t *layers = json_object_get(o, "layers");
    if (why[0] == '\0' && json_array_size(layers) != L1)
        snprintf(why, sizeof why, "\"layers\" does not hold %zu entries", L1);
    for (size_t l = 0; why[0] == '\0' && l < L1; l++) {
        char name[64];
        tc_capture_layer_name(name, sizeof name, l, L1);
        if (!stats_layer_ok(json_array_get(layers, l), (const float *)hs->data + l * T * H, T, H,
                            name))
            snprintf(why, sizeof why, "layers[%zu] is not %s's name, shape, min, max and mean",
                     l, name);
    }
    tc_check_report(c, why[0] == '\0', "stats.json %s%s%s",
                    why[0] ? "does NOT describe the run: "
                           : "describes the run and hidden_states.npy",
                    why, why[0] ? "" : " (\"model\" is informative)");
    json_decref(o);
    return TC_OK;
}

/* results.json: what run found must be what verify finds (every proof
 * verified and matched, the counts); "seconds",
 * "commit_overhead_vs_generate" and "artefact_bytes" are informative (a
 * file's size says nothing the file itself does not), checked for type. */
tc_status tc_check_results_file(tc_error *err, tc_checker *c, const char *path, size_t n_items,
                                size_t n_values, size_t grid_size)
{
    static const tc_json_field results_fields[] = {
        {"seconds", 'o', true},     {"commit_overhead_vs_generate", 'n', true},
        {"n_values", 'i', true},    {"grid_size", 'i', true},
        {"n_openings", 'i', true},  {"n_verified", 'i', true},
        {"n_matched", 'i', true},   {"all_proofs_verified", 'b', true},
        {"all_ground_truth_matched", 'b', true}, {"artefact_bytes", 'o', true},
    };
    json_t *o;
    char why[WHY_LEN];
    tc_status st = load_run_json(err, &o, why, path, "results.json", results_fields,
                                 TC_ARRAY_LEN(results_fields));
    if (st != TC_OK)
        return st;
    if (why[0] != '\0') {
        /* the names or types are wrong: why says which */
    } else if (!json_is_true(json_object_get(o, "all_proofs_verified")) ||
             !json_is_true(json_object_get(o, "all_ground_truth_matched")))
        snprintf(why, sizeof why, "it says not every proof verified or matched the grid");
    else if ((size_t)int_at(o, "n_openings") != n_items ||
             (size_t)int_at(o, "n_verified") != n_items ||
             (size_t)int_at(o, "n_matched") != n_items)
        snprintf(why, sizeof why,
                 "n_openings/n_verified/n_matched are not the %zu proofs in "
                 "proofs.json",
                 n_items);
    else if ((size_t)int_at(o, "n_values") != n_values ||
             (size_t)int_at(o, "grid_size") != grid_size)
        snprintf(why, sizeof why, "n_values or grid_size are not the layout's");
    const char *key;
    json_t *v;
    json_object_foreach(why[0] ? NULL : json_object_get(o, "seconds"), key, v)
        if (!json_is_number(v) || json_number_value(v) < 0) {
            snprintf(why, sizeof why, "seconds.%s is not a number ≥ 0", key);
            break;
        }
    json_object_foreach(why[0] ? NULL : json_object_get(o, "artefact_bytes"), key, v)
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(why, sizeof why, "artefact_bytes.%s is not a size", key);
            break;
        }
        tc_check_report(
            c, why[0] == '\0', "results.json %s%s",
            why[0]
                ? "does NOT hold: "
                : "holds (all proofs verified and matched, counts; timings and file sizes informative)",
            why);
        json_decref(o);
        return TC_OK;
}
