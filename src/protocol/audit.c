/* tensorcommit audit: the verifier's checks of one challenged run
 * (audit.h, docs/audit.md). */
#include "protocol/audit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "protocol/run.h"
#include "tensor/layout.h"
#include "util/json.h"

void tc_audit_round(void *ctx, float *x, size_t n)
{
    const tc_quant_params *q = ctx;
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        if (tc_quant_value_f32(q, x[i], &v))
            x[i] = (float)tc_dequant_value(q, v);
    }
}

/* ------------------------------------------------------------- receipt */

typedef struct receipt {
    char commitment[65], srs_id[65], model_digest[65], digest[65];
    int32_t *tokens;
    size_t T, n_prompt;
    bool deterministic;
    bool dequantized_inputs;     /* blocks read the committed values */
    tc_quant_params quant;
    json_t *layout;              /* borrowed from root */
    tc_sampler smp;
    json_t *root;
} receipt;

static void receipt_free(receipt *r)
{
    free(r->tokens);
    json_decref(r->root);
    memset(r, 0, sizeof *r);
}

static tc_status receipt_read(tc_error *err, receipt *r, const char *path)
{
    memset(r, 0, sizeof *r);
    json_t *obj;
    uint8_t d[32];
    tc_status st = tc_json_load_object(err, &obj, path, TC_JSON_MAX_INPUT, d);
    if (st != TC_OK)
        return st;
    r->root = obj;
    tc_hex_encode(r->digest, d, 32);
    const json_t *o = r->root;
    const char *fmt = json_string_value(json_object_get(o, "format"));
    if (fmt == NULL || strcmp(fmt, "tensorcommit-receipt"))
        return tc_fail(err, TC_EFORMAT, "%s: not a receipt (format is not "
                       "\"tensorcommit-receipt\")", path);
    static const char *const keys[] = {"commitment", "srs_id", "model_digest"};
    char *dst[] = {r->commitment, r->srs_id, r->model_digest};
    for (int i = 0; i < 3; i++)
        if (!tc_json_hex32(o, keys[i], dst[i]))
            return tc_fail(err, TC_EFORMAT, "%s: \"%s\" must be 64 hex characters", path,
                           keys[i]);
    const json_t *toks = json_object_get(o, "tokens");
    r->T = json_array_size(toks);
    json_int_t np = json_integer_value(json_object_get(o, "n_prompt_tokens"));
    if (!json_is_array(toks) || r->T == 0 || np < 1 || (size_t)np > r->T)
        return tc_fail(err, TC_EFORMAT, "%s: \"tokens\" must be a non-empty array and "
                       "\"n_prompt_tokens\" in 1..its length", path);
    r->n_prompt = (size_t)np;
    if ((r->tokens = malloc(r->T * sizeof *r->tokens)) == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->T; i++) {
        const json_t *t = json_array_get(toks, i);
        if (!json_is_integer(t) || json_integer_value(t) < 0 ||
            json_integer_value(t) > INT32_MAX)
            return tc_fail(err, TC_EFORMAT, "%s: token %zu is not a non-negative integer", path,
                           i);
        r->tokens[i] = (int32_t)json_integer_value(t);
    }
    const json_t *det = json_object_get(o, "deterministic");
    if (!json_is_boolean(det))
        return tc_fail(err, TC_EFORMAT, "%s: \"deterministic\" must be true or false", path);
    r->deterministic = json_is_true(det);
    const json_t *bi = json_object_get(o, "block_inputs");
    const char *bis = json_string_value(bi);
    if (bi != NULL && (bis == NULL || (strcmp(bis, "dequantized") && strcmp(bis, "raw"))))
        return tc_fail(err, TC_EFORMAT, "%s: \"block_inputs\" must be \"dequantized\" or \"raw\"",
                       path);
    r->dequantized_inputs = bis != NULL && !strcmp(bis, "dequantized");
    r->layout = json_object_get(o, "layout");
    if (!json_is_object(r->layout))
        return tc_fail(err, TC_EFORMAT, "%s: \"layout\" must be an object", path);
    st = tc_quant_from_json(err, &r->quant, json_object_get(o, "quantization"), path);
    if (st != TC_OK)
        return st;
    const json_t *s = json_object_get(o, "sampling");
    const json_t *temp = json_object_get(s, "temperature"), *tk = json_object_get(s, "top_k");
    const json_t *tp = json_object_get(s, "top_p");
    const char *seed = json_string_value(json_object_get(s, "seed"));
    char *end = NULL;
    unsigned long long sv = seed ? strtoull(seed, &end, 10) : 0;
    if (!json_is_number(temp) || !json_is_integer(tk) || !json_is_number(tp) || seed == NULL ||
        *seed == '\0' || *end != '\0' || json_number_value(temp) < 0 ||
        json_integer_value(tk) < 0 || json_integer_value(tk) > INT32_MAX)
        return tc_fail(err, TC_EFORMAT, "%s: \"sampling\" needs temperature >= 0, top_k >= 0, "
                       "top_p and a decimal seed", path);
    r->smp.temperature = (float)json_number_value(temp);
    r->smp.top_k = (int)json_integer_value(tk);
    r->smp.top_p = (float)json_number_value(tp);
    r->smp.seed = (uint64_t)sv;
    return TC_OK;
}

/* ------------------------------------------------------------- the run */

typedef struct audit {
    const tc_audit_opts *o;
    tc_error *err;
    receipt rc;
    tc_challenge ch;
    char challenge_digest[65];
    tc_response rs;
    tc_pst_vk_file vf;
    tc_model *model;
    const tc_model_config *cfg;
    tc_layout lay;
    size_t T, H, L, Tp, Hp;
    size_t cap;                  /* the receipt layout's token_capacity (0: none) */
    json_t *checks;              /* array of {name, ok, lines} */
    json_t *cur;                 /* the check being filled */
    double t_check;              /* when it began */
    bool key_from_cache;         /* the key's levels were checked in an earlier audit */
    bool cur_ok;
    char first_failure[64];
    double tol;                  /* hidden-state units; 0: exact */
    bool tol_relative;           /* no --tolerance: TC_AUDIT_DEFAULT_REL_TOL of each layer */
    bool exact;
} audit;

static void check_begin(audit *a, const char *name)
{
    a->cur = json_object();
    a->cur_ok = true;
    a->t_check = tc_now();
    json_object_set_new(a->cur, "name", json_string(name));
    json_object_set_new(a->cur, "lines", json_array());
}

/* One line of the current check; ok = false fails it. */
static void line(audit *a, bool ok, const char *fmt, ...) TC_PRINTF(3, 4);
static void line(audit *a, bool ok, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_t *l = json_object();
    json_object_set_new(l, "ok", json_boolean(ok));
    json_object_set_new(l, "text", json_string(buf));
    json_array_append_new(json_object_get(a->cur, "lines"), l);
    a->cur_ok &= ok;
    if (a->o->report != NULL)
        a->o->report(a->o->report_ctx, ok,
                     json_string_value(json_object_get(a->cur, "name")), buf);
}

static void check_end(audit *a)
{
    json_object_set_new(a->cur, "ok", json_boolean(a->cur_ok));
    json_object_set_new(a->cur, "seconds", json_real(tc_now() - a->t_check));
    if (!a->cur_ok && a->first_failure[0] == '\0')
        snprintf(a->first_failure, sizeof a->first_failure, "%s",
                 json_string_value(json_object_get(a->cur, "name")));
    json_array_append_new(a->checks, a->cur);
    a->cur = NULL;
}

/* Slice i of the response for hidden state `layer`, or NULL. */
static const int64_t *opened(const audit *a, int layer)
{
    for (size_t i = 0; i < a->rs.n; i++)
        if (a->rs.layers[i] == layer)
            return a->rs.values[i];
    return NULL;
}

/* ----------------------------------------------- binding (challenge ↔ …) */

static void check_binding(audit *a)
{
    check_begin(a, "binding");
    const receipt *r = &a->rc;
    const tc_challenge *c = &a->ch;
    line(a, !strcmp(c->commitment, r->commitment) && !strcmp(c->srs_id, r->srs_id) &&
                !strcmp(c->model_digest, r->model_digest),
         "challenge names the receipt's commitment, SRS id and model digest");
    line(a, !strcmp(c->receipt_digest, r->digest),
         "challenge names this receipt (SHA-256 %.16s…)", r->digest);
    line(a, c->L == a->L, "challenge is for %zu blocks; the model has %zu", c->L, a->L);
    if (c->is_public) {
        /* a public challenge must be the derivation, not a choice */
        tc_challenge d;
        memset(&d, 0, sizeof d);
        memcpy(d.commitment, c->commitment, 65);
        memcpy(d.srs_id, c->srs_id, 65);
        memcpy(d.model_digest, c->model_digest, 65);
        memcpy(d.receipt_digest, c->receipt_digest, 65);
        uint8_t seed[32];
        tc_challenge_public_seed(seed, &d);
        char nonce[65];
        tc_hex_encode(nonce, seed, 32);
        tc_audit_blocks b = {0};
        bool same = false;
        tc_error e2 = {0};
        if (tc_audit_blocks_from_model(&e2, &b, a->o->model_dir, NULL, a->o->n_threads) ==
                TC_OK &&
            tc_challenge_draw(&e2, &d, &b, c->budgets, c->M, c->policy, seed) == TC_OK) {
            same = !strcmp(nonce, c->nonce);
            for (size_t k = 0; same && k < c->M; k++)
                same = d.first[k] == c->first[k] && d.last[k] == c->last[k];
        }
        line(a, same, "public challenge: ranges and nonce are the Fiat–Shamir derivation%s%s",
             e2.msg[0] ? ": " : "", e2.msg);
        tc_challenge_free(&d);
        tc_audit_blocks_free(&b);
    }
    if (c->seeded)
        line(a, true, "WARNING: the challenge was drawn from a test seed: a prover who knows "
                      "the seed knows which blocks are checked");
    const tc_response *s = &a->rs;
    line(a, !strcmp(s->commitment, r->commitment),
         "response is for the receipt's commitment");
    line(a, !strcmp(s->nonce, c->nonce) && !strcmp(s->challenge_digest, a->challenge_digest),
         "response answers this challenge (nonce and challenge digest)");
    bool layers = s->n == c->n_open;
    for (size_t i = 0; layers && i < s->n; i++)
        layers = s->layers[i] == c->open_layers[i];
    line(a, layers, "response opens exactly the %zu layers the challenge asks for", c->n_open);
    check_end(a);
}

/* -------------------------------------------------------- expectations */

static void check_expectations(audit *a)
{
    check_begin(a, "expectations");
    uint8_t d[32];
    char hex[65];
    tc_error e = {0};
    bool cached = false;
    tc_status ds = a->o->cache_dir != NULL
                       ? tc_audit_cache_model_digest(&e, d, &cached, a->o->cache_dir,
                                                     a->o->model_dir)
                       : tc_model_digest(&e, d, a->o->model_dir);
    if (ds == TC_OK) {
        tc_hex_encode(hex, d, 32);
        line(a, !strcmp(hex, a->rc.model_digest), "model digest %.16s… of %s %s the receipt's%s",
             hex, a->o->model_dir, strcmp(hex, a->rc.model_digest) ? "differs from" : "is",
             cached ? " (remembered: no file of the folder changed)" : "");
    } else {
        line(a, false, "model digest: %s", e.msg);
    }
    char vid[65];
    tc_hex_encode(vid, a->vf.srs_id, 32);
    line(a, !strcmp(vid, a->rc.srs_id), "verification key's SRS id %s the receipt's; its "
         "Lagrange levels %s", strcmp(vid, a->rc.srs_id) ? "differs from" : "is",
         a->key_from_cache ? "checked in an earlier audit (--cache)" : "checked against it");
    if (a->vf.origin != TC_PST_ORIGIN_RANDOM && a->vf.origin != TC_PST_ORIGIN_CEREMONY)
        line(a, true, "WARNING: the verification key is from a testing SRS (origin %s): whoever "
                      "knows its trapdoors can forge openings", tc_pst_origin_name(a->vf.origin));
    /* the layout the verifier expects for this model and token count */
    tc_error e3 = {0};
    bool lay_ok = tc_layout_structured_cap(&e3, &a->lay, a->L + 1, a->T, a->H, a->cap) == TC_OK;
    json_t *wj = lay_ok ? tc_layout_to_json_object(&a->lay) : NULL;
    lay_ok = wj != NULL && json_equal(wj, a->rc.layout);
    json_decref(wj);
    line(a, lay_ok, "layout is the structured layout of [%zu][%zu][%zu]%s", a->L + 1, a->T, a->H,
         a->cap != 0 ? " (token axis padded for the receipt's token_capacity)" : "");
    tc_pst_shape gs = {.m = a->lay.m};
    for (int i = 0; i < a->lay.m; i++)
        gs.n[i] = a->lay.shape[i];
    line(a, lay_ok && tc_pst_shape_eq(&gs, &a->vf.vk.shape) && tc_pst_shape_eq(&gs, &a->rs.shape),
         "verification key and response are for the layout's grid shape");
    uint32_t prefix[TC_PST_MAX_VARS];
    int j = lay_ok ? tc_layout_layer_prefix(&a->lay, 0, prefix) : 0;
    line(a, lay_ok && a->rs.level == j, "response slices fix the %d layer variables", j);
    const tc_quant_params *q = &a->rc.quant;
    /* A coarse quantization changes what the blocks compute (they read the
     * rounded values) and widens what a tolerance hides: the step must be
     * at most the verifier's maximum. */
    double step = tc_dequant_value(q, 1);
    double max_step = a->o->max_step > 0 ? a->o->max_step : TC_AUDIT_DEFAULT_MAX_STEP;
    line(a, step <= max_step, "quantization: %s rule, exponent %d, step %.3g %s the largest "
         "accepted %.3g, at most %d bits", q->rule == TC_QUANT_DECIMAL ? "decimal" : "binary",
         q->exponent, step, step <= max_step ? "within" : "ABOVE", max_step, q->max_bits);
    bool vocab_ok = true;
    for (size_t i = 0; i < a->T; i++)
        vocab_ok &= a->rc.tokens[i] < a->cfg->vocab;
    line(a, vocab_ok, "every token id is in the model's vocabulary (%d)", a->cfg->vocab);
    check_end(a);
}

/* ------------------------------------------------------------ openings */

static void check_openings(audit *a)
{
    check_begin(a, "openings");
    bool faults = false;
    for (size_t i = 0; i < a->rs.n; i++)
        if (a->rs.fault[i][0]) {
            line(a, false, "slice of layer %d: %s", a->rs.layers[i], a->rs.fault[i]);
            faults = true;
        }
    /* prefixes must be the layers' */
    bool prefix_ok = a->lay.m > 0;
    for (size_t i = 0; prefix_ok && i < a->rs.n; i++) {
        uint32_t p[TC_PST_MAX_VARS];
        int j = tc_layout_layer_prefix(&a->lay, (size_t)a->rs.layers[i], p);
        prefix_ok = j == a->rs.slices[i].j && a->rs.layers[i] <= (int)a->L;
        for (int k = 0; prefix_ok && k < j; k++) {
            tc_fr z;
            tc_fr_from_u64(&z, p[k]);
            prefix_ok = tc_fr_eq(&z, &a->rs.slices[i].z[k]);
        }
    }
    line(a, prefix_ok, "every slice is at its layer's grid prefix");
    int j = a->rs.level;
    const tc_g1_affine *keys = j >= 1 && j <= TC_PST_MAX_VARS ? a->vf.levels[j] : NULL;
    if (keys == NULL) {
        line(a, false, "the verification key embeds no Lagrange level %d (make it with "
                       "`tensorcommit vk --slice-levels %d`)", j, j);
    } else if (!faults && prefix_ok) {
        bool ok = false;
        tc_error e = {0};
        tc_g1_affine c;
        char why[160];
        double t0 = tc_now();
        if (!tc_pst_point_from_hex(&c, a->rc.commitment, why))
            line(a, false, "receipt commitment does not decode: %s", why);
        else if (tc_pst_verify_slices_batch(&e, &ok, &a->vf.vk, keys, &c, a->rs.slices, a->rs.n,
                                            (const int64_t *const *)a->rs.values,
                                            a->o->n_threads) != TC_OK)
            line(a, false, "batch verification failed to run: %s", e.msg);
        else
            line(a, ok, "%zu slice openings %s against the commitment (one batch, %.1f ms)",
                 a->rs.n, ok ? "verify" : "do NOT verify", 1e3 * (tc_now() - t0));
    }
    /* values outside [T][H] are the layout's zero padding */
    size_t bad = 0;
    for (size_t i = 0; i < a->rs.n; i++)
        for (size_t t = 0; t < a->Tp; t++)
            for (size_t h = 0; h < a->Hp; h++)
                if ((t >= a->T || h >= a->H) && a->rs.values[i][t * a->Hp + h] != 0)
                    bad++;
    line(a, bad == 0, "padding values are zero (%zu are not)", bad);
    check_end(a);
}

/* The real values of an opened layer, (T, H), dequantized. */
static void dequant_layer(const audit *a, float *out, const int64_t *v)
{
    for (size_t t = 0; t < a->T; t++)
        for (size_t h = 0; h < a->H; h++)
            out[t * a->H + h] = (float)tc_dequant_value(&a->rc.quant, v[t * a->Hp + h]);
}

/* ----------------------------------------------------------- embedding */

static void check_embedding(audit *a)
{
    check_begin(a, "embedding");
    const int64_t *v0 = opened(a, 0);
    float *x = malloc(a->T * a->H * sizeof *x);
    tc_error e = {0};
    if (v0 == NULL || x == NULL) {
        line(a, false, "layer 0 is not opened");
    } else if (tc_model_embed(&e, a->model, a->rc.tokens, a->T, x) != TC_OK) {
        line(a, false, "embedding: %s", e.msg);
    } else {
        size_t bad = 0, first = SIZE_MAX;
        for (size_t t = 0; t < a->T; t++)
            for (size_t h = 0; h < a->H; h++) {
                int64_t q;
                bool ok = tc_quant_value_f32(&a->rc.quant, x[t * a->H + h], &q) &&
                          q == v0[t * a->Hp + h];
                if (!ok && first == SIZE_MAX)
                    first = t;
                bad += !ok;
            }
        if (bad == 0)
            line(a, true, "h_0 is the quantized embedding of the receipt's %zu tokens (exact)",
                 a->T);
        else
            line(a, false, "h_0 differs from the quantized embedding of the receipt's tokens in "
                           "%zu values, first at token %zu", bad, first);
    }
    free(x);
    check_end(a);
}

/* -------------------------------------------------------------- ranges */

typedef struct range_stats {
    double max_int, mean_int, max_float, mean_float, share_within;
    double tol;                  /* the tolerance applied (hidden-state units) */
} range_stats;

static tc_status run_range(audit *a, tc_session *s, int first, int last, range_stats *rs,
                           json_t *jr)
{
    size_t n = a->T * a->H, steps = (size_t)(last - first + 1);
    float *in = malloc(n * sizeof *in), *out = malloc(steps * n * sizeof *out);
    tc_status st = TC_OK;
    memset(rs, 0, sizeof *rs);
    if (in == NULL || out == NULL) {
        st = tc_fail(a->err, TC_ENOMEM, "out of memory re-executing blocks %d..%d", first, last);
        goto out;
    }
    dequant_layer(a, in, opened(a, first - 1));
    double t0 = tc_now();
    st = tc_session_run_blocks(a->err, s, in, a->T, first - 1, last - 1, out, NULL);
    if (st != TC_OK)
        goto out;
    double secs = tc_now() - t0;
    const float *y = out + (steps - 1) * n;
    const int64_t *want = opened(a, last);
    double step = tc_dequant_value(&a->rc.quant, 1);
    size_t within = 0, unq = 0;
    double sum = 0;
    /* the default tolerance scales with the layer: a share of its largest
     * committed value (docs/audit.md, "The tolerance") */
    double tol = a->tol;
    if (!a->exact && a->tol_relative) {
        double big = 0;
        for (size_t t = 0; t < a->T; t++)
            for (size_t h = 0; h < a->H; h++)
                big = fmax(big, fabs((double)want[t * a->Hp + h]));
        tol = TC_AUDIT_DEFAULT_REL_TOL * big * step;
    }
    rs->tol = tol;
    for (size_t t = 0; t < a->T; t++)
        for (size_t h = 0; h < a->H; h++) {
            int64_t q;
            double d;
            if (!tc_quant_value_f32(&a->rc.quant, y[t * a->H + h], &q)) {
                unq++;
                d = INFINITY;
            } else {
                d = fabs((double)q - (double)want[t * a->Hp + h]);
            }
            if (d > rs->max_int)
                rs->max_int = d;
            sum += d;
            within += a->exact ? d == 0 : d * step <= tol;
        }
    rs->mean_int = sum / (double)n;
    rs->max_float = rs->max_int * step;
    rs->mean_float = rs->mean_int * step;
    rs->share_within = (double)within / (double)n;
    json_object_set_new(jr, "first_block", json_integer(first));
    json_object_set_new(jr, "last_block", json_integer(last));
    json_object_set_new(jr, "seconds", json_real(secs));
    json_object_set_new(jr, "max_abs_int", json_real(rs->max_int));
    json_object_set_new(jr, "mean_abs_int", json_real(rs->mean_int));
    json_object_set_new(jr, "max_abs", json_real(rs->max_float));
    json_object_set_new(jr, "mean_abs", json_real(rs->mean_float));
    json_object_set_new(jr, "share_within_tolerance", json_real(rs->share_within));
    json_object_set_new(jr, "tolerance", json_real(rs->tol));
    json_object_set_new(jr, "unquantizable", json_integer((json_int_t)unq));
out:
    free(in);
    free(out);
    return st;
}

static tc_status check_ranges(audit *a, tc_session *s, json_t *report)
{
    check_begin(a, "ranges");
    json_t *arr = json_array();
    tc_status st = TC_OK;
    size_t n_ranges = 0;
    for (size_t k = 0; k < a->ch.M && st == TC_OK; k++) {
        int first = a->ch.first[k], last = a->ch.last[k];
        if (first == 0)
            continue;
        n_ranges++;
        if (opened(a, first - 1) == NULL || opened(a, last) == NULL) {
            line(a, false, "blocks %d..%d: hidden states %d and %d are not both opened", first,
                 last, first - 1, last);
            continue;
        }
        range_stats rs;
        json_t *jr = json_object();
        st = run_range(a, s, first, last, &rs, jr);
        if (st != TC_OK) {
            json_decref(jr);
            break;
        }
        json_array_append_new(arr, jr);
        bool ok = rs.share_within == 1.0;
        if (a->exact)
            line(a, ok, "blocks %d..%d re-executed from h_%d: h_%d %s (max |diff| %.0f units, "
                        "exact check)", first, last, first - 1, last,
                 ok ? "matches bit for bit" : "DIFFERS", rs.max_int);
        else
            line(a, ok, "blocks %d..%d re-executed from h_%d: h_%d max |diff| %.3g (mean %.3g, "
                        "%.0f / %.3g units), %.4f%% within tolerance %.3g", first, last,
                 first - 1, last, rs.max_float, rs.mean_float, rs.max_int, rs.mean_int,
                 100 * rs.share_within, rs.tol);
    }
    if (n_ranges == 0)
        line(a, true, "no range to re-execute (every budget is below the cheapest block)");
    json_object_set_new(report, "ranges", arr);
    check_end(a);
    return st;
}

/* -------------------------------------------------------------- tokens */

/* Largest change quantization can make to logit_j − logit_t at h:
 * Σ_k |W_jk − W_tk|·(½·step + 2^−24·|h_k|) (the rounding to the grid and
 * the float conversion back), plus the float error of both dot products
 * (n·2^−24·Σ_k |W_·k·h_k| each, for the prover's and the verifier's). */
static double gap_bound(const float *W, size_t H, int32_t j, int32_t t, const float *h,
                        double step)
{
    const float *wj = W + (size_t)j * H, *wt = W + (size_t)t * H;
    double q = 0, f = 0, u = ldexp(1.0, -24);
    for (size_t k = 0; k < H; k++) {
        double ah = fabs((double)h[k]);
        q += fabs((double)wj[k] - (double)wt[k]) * (0.5 * step + u * ah);
        f += (fabs((double)wj[k]) + fabs((double)wt[k])) * ah;
    }
    return q + 2.0 * (double)H * u * f;
}

void tc_token_check_lines(const tc_token_check *r, bool exact,
                          void (*out)(void *ctx, bool ok, const char *line), void *ctx)
{
    char buf[400];
    if (r->generated == 0) {
        out(ctx, true, "no generated tokens to check");
    } else if (r->greedy) {
        snprintf(buf, sizeof buf, "%zu generated tokens: %s (temperature 0, %s; smallest margin "
                 "%.4g%s)", r->generated, r->wrong == 0 ? "each is the argmax of the model's "
                 "logits from the committed final state" : "NOT the model's argmax",
                 exact ? "exact" : "near-ties allowed within the quantization bound",
                 r->smallest_margin, r->near_ties ? ", near-ties accepted" : "");
        out(ctx, r->wrong == 0, buf);
    } else {
        snprintf(buf, sizeof buf, "%zu generated tokens: the seeded sampler replayed from the "
                 "receipt %s", r->generated, r->wrong == 0 ? "picks every one"
                                                            : "picks OTHER tokens");
        out(ctx, r->wrong == 0, buf);
    }
    if (r->wrong) {
        snprintf(buf, sizeof buf, "%zu wrong tokens, the first at position %zu", r->wrong,
                 r->first_wrong);
        out(ctx, false, buf);
    }
    snprintf(buf, sizeof buf, "no stop token before the last generated token (%zu found)",
             r->stops_inside);
    out(ctx, r->stops_inside == 0, buf);
}

tc_status tc_check_tokens(tc_error *err, tc_token_check *res, tc_session *s,
                          const tc_quant_params *q, bool exact, const tc_sampler *smp,
                          const int32_t *tokens, size_t T, size_t n_prompt, const float *h)
{
    const tc_model *model = tc_session_model(s);
    const tc_model_config *cfg = tc_model_cfg(model);
    size_t V = (size_t)cfg->vocab, H = (size_t)cfg->dim;
    memset(res, 0, sizeof *res);
    res->smallest_margin = INFINITY;
    res->generated = T > n_prompt ? T - n_prompt : 0;
    res->greedy = !(smp->temperature > 0.0f);
    enum { CHUNK = 32 };        /* positions whose logits are computed together */
    float *chunk = malloc(CHUNK * V * sizeof *chunk), *work = malloc(V * sizeof *work);
    float *scratch = malloc(V * sizeof *scratch);
    int32_t *iscratch = malloc(V * sizeof *iscratch);
    tc_status st = TC_OK;
    if (chunk == NULL || work == NULL || scratch == NULL || iscratch == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    int32_t stop[TC_MAX_STOP_IDS + 1];
    size_t n_stop = tc_model_default_stop(model, stop);
    tc_prng rng;
    tc_prng_seed(&rng, smp->seed);
    const float *W = tc_model_head_weights(model);
    double step = tc_dequant_value(q, 1);
    for (size_t p = n_prompt; p < T && n_prompt >= 1; p++) {
        int32_t tok = tokens[p];
        const float *hp = h + (p - 1) * H;
        size_t c = (p - n_prompt) % CHUNK;
        if (c == 0) {
            size_t k = T - p < CHUNK ? T - p : CHUNK;
            st = tc_session_head(err, s, hp, k, chunk);
            if (st != TC_OK)
                goto out;
        }
        const float *logits = chunk + c * V;
        for (size_t i = 0; i < n_stop; i++)
            res->stops_inside += p + 1 < T && stop[i] == tok;
        bool finite = tok >= 0 && (size_t)tok < V;
        for (size_t i = 0; i < V; i++)
            finite &= isfinite(logits[i]) != 0;
        bool ok;
        if (!finite) {
            ok = false;
        } else if (res->greedy) {
            /* the gap to the best other token; ties go to the lowest id */
            double gap = INFINITY;
            for (size_t i = 0; i < V; i++)
                if ((int32_t)i != tok && (double)logits[tok] - logits[i] < gap)
                    gap = (double)logits[tok] - logits[i];
            if (gap < res->smallest_margin)
                res->smallest_margin = gap;
            ok = true;
            for (size_t i = 0; i < V && ok; i++) {
                bool beats = logits[i] > logits[tok] ||
                             (logits[i] == logits[tok] && (int32_t)i < tok);
                if (!beats)
                    continue;
                if (exact) {
                    ok = false;      /* the prover's bits: the argmax is exact */
                } else {
                    ok = (double)logits[i] - logits[tok] <=
                         gap_bound(W, H, (int32_t)i, tok, hp, step);
                    res->near_ties += ok;
                }
            }
        } else {
            memcpy(work, logits, V * sizeof *work);
            ok = tc_sample(smp, &rng, work, V, scratch, iscratch) == tok;
        }
        if (!ok && res->wrong++ == 0)
            res->first_wrong = p;
    }
out:
    free(chunk);
    free(work);
    free(scratch);
    free(iscratch);
    return st;
}

static void token_line(void *ctx, bool ok, const char *text)
{
    line(ctx, ok, "%s", text);
}

static tc_status check_tokens(audit *a, tc_session *s, json_t *report)
{
    check_begin(a, "tokens");
    const int64_t *vL = opened(a, (int)a->L);
    float *h = malloc(a->T * a->H * sizeof *h);
    json_t *jt = json_object();
    tc_token_check tr;
    tc_status st = TC_OK;
    memset(&tr, 0, sizeof tr);
    if (h == NULL) {
        st = tc_fail(a->err, TC_ENOMEM, "out of memory");
        goto out;
    }
    if (vL == NULL) {
        line(a, false, "the final layer is not opened");
        goto out;
    }
    dequant_layer(a, h, vL);
    st = tc_check_tokens(a->err, &tr, s, &a->rc.quant, a->exact, &a->rc.smp, a->rc.tokens,
                         a->T, a->rc.n_prompt, h);
    if (st != TC_OK)
        goto out;
    tc_token_check_lines(&tr, a->exact, token_line, a);
    json_object_set_new(jt, "generated", json_integer((json_int_t)tr.generated));
    json_object_set_new(jt, "wrong", json_integer((json_int_t)tr.wrong));
    json_object_set_new(jt, "greedy", json_boolean(tr.greedy));
    json_object_set_new(jt, "smallest_margin", isfinite(tr.smallest_margin)
                                                   ? json_real(tr.smallest_margin)
                                                   : json_null());
    json_object_set_new(jt, "near_ties_accepted", json_integer((json_int_t)tr.near_ties));
out:
    json_object_set_new(report, "tokens", jt);
    free(h);
    if (a->cur != NULL)
        check_end(a);
    return st;
}

/* ---------------------------------------------------------------- audit */


/* A receipt's layout may pad the token axis for more tokens than the run
 * has (a service that keeps one grid shape for all its runs): at least T,
 * and at most the model's context when its config gives one. */
static tc_status receipt_token_capacity(audit *a)
{
    json_t *v = json_object_get(a->rc.layout, "token_capacity");
    a->cap = 0;
    if (v == NULL)
        return TC_OK;
    json_int_t c = json_integer_value(v);
    size_t most = a->cfg->max_pos > 0 ? (size_t)a->cfg->max_pos : ((size_t)1 << 20);
    if (!json_is_integer(v) || c < (json_int_t)a->T || (size_t)c > (most > a->T ? most : a->T))
        return tc_fail(a->err, TC_EFORMAT, "%s: layout token_capacity must be an integer from "
                       "%zu (the tokens) to %zu (the model's context)", a->o->receipt_path, a->T,
                       most);
    a->cap = (size_t)c;
    return TC_OK;
}

static tc_status load_inputs(audit *a)
{
    const tc_audit_opts *o = a->o;
    tc_status st;
    json_t *obj = NULL;
    uint8_t d[32];
    st = receipt_read(a->err, &a->rc, o->receipt_path);
    if (st != TC_OK)
        return st;
    st = tc_json_load_object(a->err, &obj, o->challenge_path, TC_JSON_MAX_INPUT, d);
    if (st != TC_OK)
        return st;
    json_decref(obj);
    tc_hex_encode(a->challenge_digest, d, 32);
    st = tc_challenge_read(a->err, &a->ch, o->challenge_path);
    if (st == TC_OK)
        st = tc_response_read(a->err, &a->rs, o->response_path);
    if (st != TC_OK)
        return st;
    st = tc_pst_vk_file_load(a->err, &a->vf, o->vk_path, o->n_threads);
    if (st != TC_OK)
        return st;
    bool ok = false, checked = false;
    if (o->cache_dir != NULL)
        st = tc_audit_cache_key_checked(a->err, &checked, o->cache_dir, o->vk_path);
    if (st != TC_OK)
        return st;
    a->key_from_cache = checked;
    if (!checked) {
        st = tc_pst_vk_check_levels(a->err, &ok, &a->vf, o->n_threads);
        if (st != TC_OK)
            return st;
        if (!ok)
            return tc_fail(a->err, TC_EFORMAT, "%s: embedded Lagrange levels do not match the "
                           "key: %s", o->vk_path, a->err->msg);
        if (o->cache_dir != NULL)
            st = tc_audit_cache_key_remember(a->err, o->cache_dir, o->vk_path);
        if (st != TC_OK)
            return st;
    }
    st = tc_pst_vk_prepare(a->err, &a->vf.vk);
    if (st != TC_OK)
        return st;
    st = tc_model_load(a->err, &a->model, o->model_dir);
    if (st != TC_OK)
        return st;
    a->cfg = tc_model_cfg(a->model);
    a->L = (size_t)a->cfg->n_layers;
    a->H = (size_t)a->cfg->dim;
    a->T = a->rc.T;
    size_t count = tc_pst_suffix_size(&a->rs.shape, a->rs.level);
    /* the slice is [Tp][Hp]: Hp from the layout the verifier derives */
    tc_layout lay;
    tc_error e = {0};
    st = receipt_token_capacity(a);
    if (st != TC_OK)
        return st;
    if (tc_layout_structured_cap(&e, &lay, a->L + 1, a->T, a->H, a->cap) == TC_OK &&
        lay.padded[1] * lay.padded[2] == count) {
        a->Tp = lay.padded[1];
        a->Hp = lay.padded[2];
    } else {
        return tc_fail(a->err, TC_EFORMAT, "%s: slices of %zu values do not fit the structured "
                       "layout of %zu tokens × %zu hidden", o->response_path, count, a->T, a->H);
    }
    return TC_OK;
}

tc_status tc_audit(tc_error *err, tc_audit_result *res, const tc_audit_opts *o)
{
    audit a;
    memset(&a, 0, sizeof a);
    memset(res, 0, sizeof *res);
    a.o = o;
    a.err = err;
    tc_session *s = NULL;
    json_t *report = json_object();
    a.checks = json_array();
    tc_status st = load_inputs(&a);
    if (st != TC_OK)
        goto out;
    /* exact where the prover's blocks read the committed values in the
     * deterministic mode, unless the caller asks for a tolerance */
    a.exact = a.rc.deterministic && a.rc.dequantized_inputs && o->tolerance <= 0;
    a.tol = o->tolerance >= 0 ? o->tolerance : 0;
    a.tol_relative = o->tolerance < 0 && !a.exact;
    tc_engine_opts eo = {.n_threads = o->n_threads, .deterministic = a.rc.deterministic,
                         .max_seq = a.T,
                         .round = a.rc.dequantized_inputs ? tc_audit_round : NULL,
                         .round_ctx = &a.rc.quant};
    st = tc_session_new(err, &s, a.model, &eo);
    if (st != TC_OK)
        goto out;
    check_binding(&a);
    check_expectations(&a);
    check_openings(&a);
    check_embedding(&a);
    st = check_ranges(&a, s, report);
    if (st == TC_OK)
        st = check_tokens(&a, s, report);
    if (st != TC_OK)
        goto out;
    res->accept = a.first_failure[0] == '\0';
    snprintf(res->first_failure, sizeof res->first_failure, "%s", a.first_failure);
    json_object_set_new(report, "format", json_string("tensorcommit-audit"));
    json_object_set_new(report, "version", json_integer(1));
    json_object_set_new(report, "verdict", json_string(res->accept ? "accept" : "reject"));
    json_object_set_new(report, "first_failure",
                        res->accept ? json_null() : json_string(a.first_failure));
    json_object_set_new(report, "commitment", json_string(a.rc.commitment));
    json_object_set_new(report, "policy", json_string(tc_policy_name(a.ch.policy)));
    json_object_set_new(report, "exact", json_boolean(a.exact));
    json_object_set_new(report, "tolerance", a.tol_relative ? json_null() : json_real(a.tol));
    json_object_set_new(report, "tolerance_relative",
                        a.tol_relative ? json_real(TC_AUDIT_DEFAULT_REL_TOL) : json_null());
    json_t *cov = json_array();
    for (size_t i = 0; i < a.ch.L; i++)
        json_array_append_new(cov, json_real(a.ch.coverage[i]));
    json_object_set_new(report, "coverage", cov);
    json_object_set_new(report, "checks", json_incref(a.checks));
    res->report_json = json_incref(report);
out:
    json_decref(report);
    json_decref(a.checks);
    json_decref(a.cur);
    tc_session_free(s);
    tc_model_free(a.model);
    tc_pst_vk_file_free(&a.vf);
    tc_response_free(&a.rs);
    tc_challenge_free(&a.ch);
    receipt_free(&a.rc);
    return st;
}
