/* Re-checking a run folder against its receipt (see check.h). */
#include "protocol/check.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/engine.h"
#include "model/textio.h"
#include "protocol/run.h"
#include "pst/pst.h"
#include "tensor/layout.h"
#include "tensor/npy.h"
#include "tensor/quantize.h"

typedef struct checker {
    const tc_check_opts *o;
    tc_check_result *res;
} checker;

static void report(checker *c, bool ok, const char *fmt, ...) TC_PRINTF(3, 4);
static void report(checker *c, bool ok, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->res->n_checks++;
    c->res->n_failed += !ok;
    if (c->o->report != NULL)
        c->o->report(c->o->report_ctx, ok, line);
}

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static tc_status load_json(tc_error *err, json_t **out, const char *path)
{
    json_error_t je;
    *out = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL)
        return tc_fail(err, file_exists(path) ? TC_EFORMAT : TC_EIO, "%s: %s", path, je.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return tc_fail(err, TC_EFORMAT, "%s: not a JSON object", path);
    }
    return TC_OK;
}

/* The receipt's fields, validated once. */
typedef struct receipt {
    json_t *root;
    const char *commitment, *srs_id, *prompt, *text, *model_dir, *model_digest;
    json_t *layout, *quant;
    int32_t *tokens;
    size_t n_tokens, n_prompt;
    bool deterministic;
} receipt;

static bool is_hex64(const char *s)
{
    uint8_t b[32];
    return s != NULL && tc_hex_decode(b, 32, s);
}

static tc_status read_receipt(tc_error *err, receipt *r, const char *path)
{
    tc_status st = load_json(err, &r->root, path);
    if (st != TC_OK)
        return st;
    json_t *o = r->root, *toks = json_object_get(o, "tokens"), *np = json_object_get(o, "n_prompt_tokens");
    r->commitment = json_string_value(json_object_get(o, "commitment"));
    r->srs_id = json_string_value(json_object_get(o, "srs_id"));
    r->prompt = json_string_value(json_object_get(o, "prompt"));
    r->text = json_string_value(json_object_get(o, "text"));
    r->model_dir = json_string_value(json_object_get(o, "model_dir"));
    r->model_digest = json_string_value(json_object_get(o, "model_digest"));
    r->layout = json_object_get(o, "layout");
    r->quant = json_object_get(o, "quantization");
    r->deterministic = json_is_true(json_object_get(o, "deterministic"));
    if (!is_hex64(r->commitment) || !is_hex64(r->srs_id) || !is_hex64(r->model_digest) ||
        r->prompt == NULL || r->text == NULL || !json_is_object(r->layout) ||
        !json_is_object(r->quant) || !json_is_array(toks) || json_array_size(toks) == 0 ||
        !json_is_integer(np))
        return tc_fail(err, TC_EFORMAT,
                       "%s: missing or malformed field (commitment, srs_id, model_digest, prompt, "
                       "text, layout, quantization, tokens, n_prompt_tokens)", path);
    r->n_tokens = json_array_size(toks);
    json_int_t npv = json_integer_value(np);
    if (npv < 1 || (size_t)npv > r->n_tokens)
        return tc_fail(err, TC_EFORMAT, "%s: n_prompt_tokens is out of range", path);
    r->n_prompt = (size_t)npv;
    r->tokens = malloc(r->n_tokens * sizeof *r->tokens);
    if (r->tokens == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n_tokens; i++) {
        json_t *t = json_array_get(toks, i);
        if (!json_is_integer(t) || json_integer_value(t) < 0 || json_integer_value(t) > INT32_MAX)
            return tc_fail(err, TC_EFORMAT, "%s: token %zu is not a token id", path, i);
        r->tokens[i] = (int32_t)json_integer_value(t);
    }
    return TC_OK;
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

static tc_status check_proofs(tc_error *err, checker *c, const tc_pst_srs *srs,
                              const tc_g1_affine *commitment, const int64_t *grid,
                              const char *path)
{
    uint8_t *text = NULL;
    size_t len;
    tc_pst_proof_file pf;
    tc_fr *vals = NULL;
    memset(&pf, 0, sizeof pf);
    tc_status st = tc_read_file(err, &text, &len, path, (size_t)1 << 30);
    if (st != TC_OK)
        return st;
    if ((st = tc_pst_proof_decode(err, &pf, (const char *)text, len, path)) != TC_OK)
        goto out;
    bool same_c = pf.commitment_fault[0] == '\0' && tc_g1_affine_eq(&pf.commitment, commitment);
    report(c, same_c, "proofs.json: commitment %s the receipt's", same_c ? "is" : "is NOT");
    bool same_shape = tc_pst_shape_eq(&pf.shape, &srs->shape);
    report(c, same_shape, "proofs.json: shape %s the grid's", same_shape ? "is" : "is NOT");
    if (!same_shape)
        goto out;
    const tc_pst_shape *s = &srs->shape;
    size_t N = tc_pst_suffix_size(s, 0);
    for (size_t k = 0; k < pf.n_open; k++) {
        const tc_pst_opening *op = &pf.open[k];
        if (pf.open_fault[k][0] != '\0') {
            report(c, false, "opening %zu: rejected: %s", k, pf.open_fault[k]);
            continue;
        }
        bool ok = false;
        if ((st = tc_pst_verify(err, &ok, &srs->vk, commitment, op)) != TC_OK)
            goto out;
        tc_fr want;
        size_t idx;
        if (grid_index(s, op->z, s->m, &idx)) {
            tc_fr_from_i64(&want, grid[idx]);
        } else {
            if (vals == NULL) {
                if ((vals = malloc(N * sizeof *vals)) == NULL) {
                    st = tc_fail(err, TC_ENOMEM, "out of memory");
                    goto out;
                }
                for (size_t i = 0; i < N; i++)
                    tc_fr_from_i64(&vals[i], grid[i]);
            }
            if ((st = tc_pst_eval(err, &want, s, vals, op->z)) != TC_OK)
                goto out;
        }
        bool match = tc_fr_eq(&want, &op->y);
        report(c, ok && match, "opening %zu: proof %s, value %s the grid's", k,
               ok ? "verifies" : "REJECTED", match ? "is" : "is NOT");
    }
    for (size_t k = 0; k < pf.n_slice; k++) {
        const tc_pst_slice *sl = &pf.slice[k];
        if (pf.slice_fault[k][0] != '\0') {
            report(c, false, "slice %zu: rejected: %s", k, pf.slice_fault[k]);
            continue;
        }
        bool ok = false;
        if ((st = tc_pst_verify_slice(err, &ok, &srs->vk, tc_pst_srs_level(srs, sl->j), commitment,
                                      sl)) != TC_OK)
            goto out;
        size_t base, rest = tc_pst_suffix_size(s, sl->j);
        bool match = grid_index(s, sl->z, sl->j, &base) && sl->count == rest;
        for (size_t r = 0; match && r < rest; r++) {
            tc_fr want;
            tc_fr_from_i64(&want, grid[base * rest + r]);
            match = tc_fr_eq(&want, &sl->values[r]);
        }
        report(c, ok && match, "slice %zu (j = %d): proof %s, values %s the grid's", k, sl->j,
               ok ? "verifies" : "REJECTED", match ? "are" : "are NOT");
    }
out:
    free(vals);
    tc_pst_proof_file_free(&pf);
    free(text);
    return st;
}

/* ------------------------------------------------------- re-execution */

static tc_status check_model(tc_error *err, checker *c, const receipt *r, const char *model_dir,
                             const tc_layout *lay, const tc_quant_params *q, const int64_t *grid)
{
    tc_model *model = NULL;
    tc_session *sess = NULL;
    tc_tok *tok = NULL;
    int32_t *ids = NULL;
    char *text = NULL;
    float *hidden = NULL;
    double *layer_max = NULL;
    uint8_t digest[32];
    char hex[65];
    tc_status st;
    if ((st = tc_model_digest(err, digest, model_dir)) != TC_OK)
        return st;
    tc_hex_encode(hex, digest, 32);
    bool same = !strcmp(hex, r->model_digest);
    report(c, same, "model %s: weight digest %s the receipt's", model_dir, same ? "is" : "is NOT");
    if ((st = tc_model_load(err, &model, model_dir)) != TC_OK ||
        (st = tc_engine_tokenizer(err, &tok, model_dir)) != TC_OK)
        goto out;
    const tc_model_config *cfg = tc_model_cfg(model);
    size_t L1 = (size_t)cfg->n_layers + 1, T = r->n_tokens, H = (size_t)cfg->dim;
    bool dims = lay->n_layers == L1 && lay->n_tokens == T && lay->hidden == H;
    report(c, dims, "model: %zu layers × %zu tokens × %zu hidden %s the layout", L1, T, H,
           dims ? "match" : "do NOT match");
    if (!dims)
        goto out;
    for (size_t i = 0; i < T; i++)
        if (r->tokens[i] >= cfg->vocab) {
            report(c, false, "receipt: token %zu (%d) is outside the vocabulary", i, r->tokens[i]);
            goto out;
        }
    if (tok != NULL) {
        size_t n;
        if ((st = tc_engine_encode(err, model, tok, r->prompt, 0, &ids, &n)) != TC_OK)
            goto out;
        bool pm = n == r->n_prompt && !memcmp(ids, r->tokens, n * sizeof *ids);
        report(c, pm, "receipt: the prompt %s to the receipt's %zu prompt tokens",
               pm ? "tokenizes" : "does NOT tokenize", r->n_prompt);
        if ((st = tc_engine_decode(err, tok, r->tokens + r->n_prompt, T - r->n_prompt, &text)) != TC_OK)
            goto out;
        bool tm = !strcmp(text, r->text);
        report(c, tm, "receipt: the generated tokens %s to the receipt's text",
               tm ? "decode" : "do NOT decode");
    }
    tc_engine_opts eo = {c->o->n_threads, r->deterministic, T};
    if ((st = tc_session_new(err, &sess, model, &eo)) != TC_OK)
        goto out;
    hidden = malloc(L1 * T * H * sizeof *hidden);
    layer_max = calloc(L1, sizeof *layer_max);
    if (hidden == NULL || layer_max == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = tc_capture(err, sess, r->tokens, T, hidden, NULL, NULL)) != TC_OK)
        goto out;
    double tol = c->o->tolerance >= 0 ? c->o->tolerance : (r->deterministic ? 0.0 : 1e-4);
    double worst = 0;
    size_t worst_layer = 0, n_bad = 0;
    for (size_t l = 0; l < L1; l++)
        for (size_t t = 0; t < T; t++)
            for (size_t h = 0; h < H; h++) {
                int64_t v = grid[tc_layout_ltoh_to_index(lay, l, t, h)], v2;
                float x = hidden[(l * T + t) * H + h];
                double d;
                if (tc_quant_value_f32(q, x, &v2))
                    d = fabs(tc_dequant_value(q, v2) - tc_dequant_value(q, v));
                else
                    d = INFINITY;
                if (d > layer_max[l])
                    layer_max[l] = d;
                if (d > tol)
                    n_bad++;
                if (d > worst) {
                    worst = d;
                    worst_layer = l;
                }
            }
    c->res->max_diff = worst;
    c->res->model_checked = true;
    report(c, n_bad == 0,
           "re-execution: %zu of %zu values differ from the grid by more than %g "
           "(largest %.3g, in layer %zu)", n_bad, L1 * T * H, tol, worst, worst_layer);
out:
    free(layer_max);
    free(hidden);
    free(text);
    free(ids);
    tc_session_free(sess);
    tc_tok_free(tok);
    tc_model_free(model);
    return st;
}

/* ---------------------------------------------------------------- main */

tc_status tc_run_check(tc_error *err, tc_check_result *res, const tc_check_opts *o)
{
    checker c = {o, res};
    receipt r;
    json_t *qj = NULL, *lj = NULL;
    tc_pst_srs srs;
    tc_npy grid = {0};
    uint8_t *ctext = NULL;
    char path[4096], srs_path[4096];
    tc_status st;
    memset(res, 0, sizeof *res);
    memset(&r, 0, sizeof r);
    memset(&srs, 0, sizeof srs);

    path_in(path, sizeof path, o->run_dir, "receipt.json");
    if ((st = read_receipt(err, &r, path)) != TC_OK)
        goto out;

    /* commitment.txt */
    size_t clen;
    path_in(path, sizeof path, o->run_dir, "commitment.txt");
    if ((st = tc_read_file(err, &ctext, &clen, path, 1024)) != TC_OK)
        goto out;
    while (clen > 0 && (ctext[clen - 1] == '\n' || ctext[clen - 1] == '\r'))
        ctext[--clen] = '\0';
    bool same = !strcmp((char *)ctext, r.commitment);
    report(&c, same, "commitment.txt %s the receipt's commitment", same ? "is" : "is NOT");

    /* quantization.json and layout.json */
    tc_quant_params q;
    tc_layout lay;
    path_in(path, sizeof path, o->run_dir, "quantization.json");
    if ((st = load_json(err, &qj, path)) != TC_OK)
        goto out;
    same = json_equal(qj, r.quant);
    report(&c, same, "quantization.json %s the receipt's quantization", same ? "is" : "is NOT");
    if ((st = tc_quant_from_json(err, &q, r.quant, "receipt.json quantization")) != TC_OK)
        goto out;
    path_in(path, sizeof path, o->run_dir, "layout.json");
    if ((st = load_json(err, &lj, path)) != TC_OK)
        goto out;
    same = json_equal(lj, r.layout);
    report(&c, same, "layout.json %s the receipt's layout", same ? "is" : "is NOT");
    if ((st = tc_layout_read(err, &lay, path)) != TC_OK)
        goto out;

    /* the SRS */
    if (o->srs_path != NULL)
        snprintf(srs_path, sizeof srs_path, "%s", o->srs_path);
    else
        path_in(srs_path, sizeof srs_path, o->run_dir, "srs.tcs");
    if (o->srs_path == NULL && !file_exists(srs_path)) {
        st = tc_fail(err, TC_EIO, "%s: not found: a run made with `run --srs` keeps its SRS "
                                  "elsewhere; pass it with --srs", srs_path);
        goto out;
    }
    if ((st = tc_pst_srs_load(err, &srs, srs_path, o->n_threads)) != TC_OK)
        goto out;
    char idhex[65];
    tc_hex_encode(idhex, srs.id, 32);
    same = !strcmp(idhex, r.srs_id);
    res->srs_from_run = o->srs_path == NULL;
    /* The id only ties the SRS to the receipt; an SRS taken from the folder
     * is the prover's own, so say where it came from and its stated origin
     * (a seeded SRS lets anyone with the seed forge openings). */
    report(&c, same, "%s: SRS id %s the receipt's (%s, origin %s)", srs_path,
           same ? "is" : "is NOT",
           o->srs_path != NULL ? "given by the verifier" : "from the run folder: trusted as is",
           tc_pst_origin_name(srs.origin));
    tc_pst_shape shape = {.m = lay.m};
    for (int i = 0; i < lay.m; i++)
        shape.n[i] = lay.shape[i];
    if (!tc_pst_shape_eq(&shape, &srs.shape)) {
        report(&c, false, "%s: the SRS's shape is not the layout's grid shape", srs_path);
        goto out;
    }

    /* grid.npy: shape, and the commitment it gives */
    path_in(path, sizeof path, o->run_dir, "grid.npy");
    if ((st = tc_npy_read(err, &grid, path)) != TC_OK)
        goto out;
    if (grid.dtype != TC_NPY_I64 || grid.count != lay.grid_size) {
        report(&c, false, "grid.npy: not an int64 array of the grid's %zu values", lay.grid_size);
        goto out;
    }
    tc_g1 cj;
    tc_g1_affine cg, cr;
    char why[TC_PST_FAULT_LEN];
    if ((st = tc_pst_commit_i64(err, &cj, &srs, grid.data, grid.count, o->n_threads)) != TC_OK)
        goto out;
    tc_g1_to_affine(&cg, &cj);
    if (!tc_pst_point_from_hex(&cr, r.commitment, why)) {
        report(&c, false, "receipt.json: the commitment does not decode: %s", why);
        goto out;
    }
    same = tc_g1_affine_eq(&cg, &cr);
    report(&c, same, "grid.npy %s to the receipt's commitment", same ? "commits" : "does NOT commit");

    /* proofs.json */
    path_in(path, sizeof path, o->run_dir, "proofs.json");
    if ((st = check_proofs(err, &c, &srs, &cr, grid.data, path)) != TC_OK)
        goto out;

    /* tokens.npy */
    path_in(path, sizeof path, o->run_dir, "tokens.npy");
    if (file_exists(path)) {
        tc_npy tk = {0};
        if ((st = tc_npy_read(err, &tk, path)) != TC_OK)
            goto out;
        same = tk.dtype == TC_NPY_I64 && tk.count == r.n_tokens;
        for (size_t i = 0; same && i < r.n_tokens; i++)
            same = ((int64_t *)tk.data)[i] == r.tokens[i];
        tc_npy_free(&tk);
        report(&c, same, "tokens.npy %s the receipt's tokens", same ? "holds" : "does NOT hold");
    }

    /* the model */
    const char *mdir = o->model_dir ? o->model_dir : r.model_dir;
    if (o->skip_model) {
        /* nothing: the caller asked */
    } else if (mdir == NULL || !file_exists(mdir)) {
        /* a missing input, not a rejection: exit 3 */
        st = tc_fail(err, TC_EIO, "model folder %s not found: cannot re-execute (pass --model, "
                                  "or --skip-model to check the commitments only)",
                     mdir ? mdir : "(none)");
    } else {
        st = check_model(err, &c, &r, mdir, &lay, &q, grid.data);
    }
out:
    tc_npy_free(&grid);
    tc_pst_srs_free(&srs);
    json_decref(qj);
    json_decref(lj);
    json_decref(r.root);
    free(r.tokens);
    free(ctext);
    return st;
}
