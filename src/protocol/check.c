/* Re-checking a run folder against its receipt (see check.h): the driver,
 * one stage per group of files.  The receipt is read in check_receipt.c,
 * the other files are checked in check_files.c, the model re-executed in
 * check_model.c. */
#include "protocol/check_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "protocol/run.h"

void tc_check_report(tc_checker *c, bool ok, const char *fmt, ...)
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

void tc_check_note(tc_checker *c, const char *line)
{
    if (c->o->note != NULL)
        c->o->note(c->o->report_ctx, line);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* What the stages share.  A stage returns a status (the folder could not be
 * read) or sets stop (a failed check that leaves nothing to check after). */
typedef struct run_check {
    tc_checker c;
    const tc_check_opts *o;
    tc_error *err;
    tc_run_receipt r;
    tc_quant_params q;
    tc_layout lay;
    tc_pst_srs srs;
    tc_npy grid, hs;
    tc_g1_affine commitment;     /* the receipt's, decoded */
    size_t n_items;              /* openings and slices in proofs.json */
    json_int_t vocab;            /* stats.json's vocab_size */
    char path[4096], srs_path[4096];
    bool stop;
} run_check;

/* rc->path = the run folder's file `name`. */
static const char *file_in(run_check *rc, const char *name)
{
    snprintf(rc->path, sizeof rc->path, "%s/%s", rc->o->run_dir, name);
    return rc->path;
}

static tc_status check_commitment_file(run_check *rc)
{
    uint8_t *text = NULL;
    size_t len;
    tc_status st = tc_read_file(rc->err, &text, &len, file_in(rc, "commitment.txt"), 1024);
    if (st != TC_OK)
        return st;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    bool same = strlen((char *)text) == len && !strcmp((char *)text, rc->r.commitment);
    tc_check_report(&rc->c, same, "commitment.txt %s the receipt's commitment",
                    same ? "is" : "is NOT");
    free(text);
    return TC_OK;
}

/* The run folder's file `name` (quantization.json, layout.json) is the
 * receipt's member `what`, as JSON values. */
static tc_status check_same_json(run_check *rc, const char *name, const json_t *want,
                                 const char *what)
{
    json_t *o = NULL;
    tc_status st = tc_json_load_object(rc->err, &o, file_in(rc, name), 0, NULL);
    if (st != TC_OK)
        return st;
    bool same = json_equal(o, want);
    tc_check_report(&rc->c, same, "%s %s the receipt's %s", name, same ? "is" : "is NOT", what);
    json_decref(o);
    return TC_OK;
}

static tc_status check_params(run_check *rc)
{
    tc_status st = check_same_json(rc, "quantization.json", rc->r.quant, "quantization");
    if (st == TC_OK)
        st = tc_quant_from_json(rc->err, &rc->q, rc->r.quant, "receipt.json quantization");
    if (st == TC_OK)
        st = check_same_json(rc, "layout.json", rc->r.layout, "layout");
    if (st == TC_OK)
        st = tc_layout_read(rc->err, &rc->lay, file_in(rc, "layout.json"));
    if (st == TC_OK && rc->lay.n_tokens != rc->r.n_tokens) {
        tc_check_report(&rc->c, false, "layout.json: %zu tokens, the receipt %zu", rc->lay.n_tokens,
                        rc->r.n_tokens);
        rc->stop = true;
    }
    return st;
}

/* The SRS (--srs, or the folder's srs.tcs): its id, the receipt's claims
 * about it, and the layout's grid shape. */
static tc_status check_srs(run_check *rc)
{
    const tc_check_opts *o = rc->o;
    if (o->srs_path != NULL)
        snprintf(rc->srs_path, sizeof rc->srs_path, "%s", o->srs_path);
    else
        snprintf(rc->srs_path, sizeof rc->srs_path, "%s", file_in(rc, "srs.tcs"));
    if (o->srs_path == NULL && !file_exists(rc->srs_path))
        return tc_fail(rc->err, TC_EIO, "%s: not found: a run made with `run --srs` keeps its "
                       "SRS elsewhere; pass it with --srs", rc->srs_path);
    tc_status st = tc_pst_srs_load(rc->err, &rc->srs, rc->srs_path, o->n_threads);
    if (st != TC_OK)
        return st;
    char idhex[65];
    tc_hex_encode(idhex, rc->srs.id, 32);
    bool same = !strcmp(idhex, rc->r.srs_id);
    rc->c.res->srs_from_run = o->srs_path == NULL;
    rc->c.res->srs_testing = tc_pst_origin_is_testing(rc->srs.origin);
    rc->c.res->srs_origin = tc_pst_origin_name(rc->srs.origin);
    /* The id only ties the SRS to the receipt; an SRS taken from the folder
     * is the prover's own, so say where it came from and its stated origin
     * (a seeded SRS lets anyone with the seed forge openings). */
    tc_check_report(&rc->c, same, "%s: SRS id %s the receipt's (%s, origin %s)", rc->srs_path,
                    same ? "is" : "is NOT",
                    o->srs_path != NULL ? "given by the verifier"
                                        : "from the run folder: trusted as is",
                    tc_pst_origin_name(rc->srs.origin));
    tc_check_srs_claims(&rc->c, &rc->r, &rc->srs, rc->srs_path);
    tc_pst_shape shape = {.m = rc->lay.m};
    for (int i = 0; i < rc->lay.m; i++)
        shape.n[i] = rc->lay.shape[i];
    if (!tc_pst_shape_eq(&shape, &rc->srs.shape)) {
        tc_check_report(&rc->c, false, "%s: the SRS's shape is not the layout's grid shape",
                        rc->srs_path);
        rc->stop = true;
    }
    return TC_OK;
}

/* grid.npy: the layout's size, and the commitment it gives. */
static tc_status check_grid(run_check *rc)
{
    tc_status st = tc_npy_read(rc->err, &rc->grid, file_in(rc, "grid.npy"));
    if (st != TC_OK)
        return st;
    if (rc->grid.dtype != TC_NPY_I64 || rc->grid.count != rc->lay.grid_size) {
        tc_check_report(&rc->c, false, "grid.npy: not an int64 array of the grid's %zu values",
                        rc->lay.grid_size);
        rc->stop = true;
        return TC_OK;
    }
    tc_g1 cj;
    tc_g1_affine cg;
    char why[TC_PST_FAULT_LEN];
    st = tc_pst_commit_i64(rc->err, &cj, &rc->srs, rc->grid.data, rc->grid.count,
                           rc->o->n_threads);
    if (st != TC_OK)
        return st;
    tc_g1_to_affine(&cg, &cj);
    if (!tc_pst_point_from_hex(&rc->commitment, rc->r.commitment, why)) {
        tc_check_report(&rc->c, false, "receipt.json: the commitment does not decode: %s", why);
        rc->stop = true;
        return TC_OK;
    }
    bool same = tc_g1_affine_eq(&cg, &rc->commitment);
    tc_check_report(&rc->c, same, "grid.npy %s to the receipt's commitment",
                    same ? "commits" : "does NOT commit");
    return TC_OK;
}

/* proofs.json (none for a run made with --no-open), then vk.json, which
 * must embed every slice's level. */
static tc_status check_openings(run_check *rc)
{
    bool levels[TC_PST_MAX_VARS + 1] = {false};
    const char *path = file_in(rc, "proofs.json");
    tc_status st = TC_OK;
    if (rc->r.from_challenges) {
        bool none = !file_exists(path);
        tc_check_report(&rc->c, none, "proofs.json: %s",
                        none ? "none (run with --no-open: openings come from challenges)"
                             : "present, but the receipt says openings come from challenges");
    } else {
        st = tc_check_proofs_file(rc->err, &rc->c, &rc->srs, &rc->commitment, rc->grid.data,
                                  path, &rc->n_items, levels);
    }
    if (st == TC_OK)
        st = tc_check_vk_file(rc->err, &rc->c, &rc->srs, file_in(rc, "vk.json"), levels);
    return st;
}

/* The capture: hidden states, tokens, statistics. */
static tc_status check_capture(run_check *rc)
{
    tc_status st = tc_check_hidden_file(rc->err, &rc->c, &rc->lay, &rc->q, rc->grid.data,
                                        file_in(rc, "hidden_states.npy"), &rc->hs);
    if (st != TC_OK)
        return st;
    tc_npy tk = {0};
    st = tc_npy_read(rc->err, &tk, file_in(rc, "tokens.npy"));
    if (st != TC_OK)
        return st;
    bool same = tk.dtype == TC_NPY_I64 && tk.ndim == 1 && tk.count == rc->r.n_tokens;
    for (size_t i = 0; same && i < rc->r.n_tokens; i++)
        same = ((int64_t *)tk.data)[i] == rc->r.tokens[i];
    tc_npy_free(&tk);
    tc_check_report(&rc->c, same, "tokens.npy %s the receipt's tokens",
                    same ? "holds" : "does NOT hold");
    return tc_check_stats_file(rc->err, &rc->c, &rc->r, &rc->hs, file_in(rc, "stats.json"),
                               &rc->vocab);
}

/* The model: re-executed unless --skip-model; a missing model folder is a
 * missing input (exit 3), not a rejection. */
static tc_status check_model(run_check *rc)
{
    const char *mdir = rc->o->model_dir ? rc->o->model_dir : rc->r.model_dir;
    if (rc->o->skip_model) {
        tc_check_note(&rc->c, "the model was not re-executed (--skip-model): digest, prompt, "
                              "text, sampling and hidden states are not re-checked against it");
        return TC_OK;
    }
    if (mdir == NULL || !file_exists(mdir))
        return tc_fail(rc->err, TC_EIO, "model folder %s not found: cannot re-execute (pass "
                       "--model, or --skip-model to check the commitments only)",
                       mdir ? mdir : "(none)");
    return tc_check_model_run(rc->err, &rc->c, &rc->r, mdir, &rc->lay, &rc->q, rc->grid.data,
                              rc->vocab);
}

static tc_status check_stages(run_check *rc)
{
    tc_status st = tc_run_receipt_read(rc->err, &rc->r, file_in(rc, "receipt.json"));
    if (st != TC_OK)
        return st;
    tc_check_note(&rc->c, "receipt.json: \"environment\" (build, CPU, kernels, threads, time), "
                          "\"tool\" and \"model_dir\" are informative: checked for their types "
                          "only");
    st = check_commitment_file(rc);
    if (st == TC_OK)
        st = check_params(rc);
    if (st == TC_OK && !rc->stop)
        st = check_srs(rc);
    if (st == TC_OK && !rc->stop)
        st = check_grid(rc);
    if (st != TC_OK || rc->stop)
        return st;
    st = check_openings(rc);
    if (st == TC_OK)
        st = check_capture(rc);
    if (st == TC_OK)
        st = tc_check_results_file(rc->err, &rc->c, file_in(rc, "results.json"), rc->n_items,
                                   rc->lay.n_layers * rc->lay.n_tokens * rc->lay.hidden,
                                   rc->lay.grid_size);
    if (st == TC_OK)
        st = check_model(rc);
    return st;
}

tc_status tc_run_check(tc_error *err, tc_check_result *res, const tc_check_opts *o)
{
    run_check *rc = calloc(1, sizeof *rc);
    memset(res, 0, sizeof *res);
    if (rc == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    rc->c = (tc_checker){.o = o, .res = res};
    rc->o = o;
    rc->err = err;
    tc_status st = check_stages(rc);
    tc_npy_free(&rc->hs);
    tc_npy_free(&rc->grid);
    tc_pst_srs_free(&rc->srs);
    tc_run_receipt_free(&rc->r);
    free(rc);
    return st;
}
