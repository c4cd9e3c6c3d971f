/* tensorcommit run: the prover's pipeline end to end (see run.h).  tc_run
 * reads as the list of its stages; each stage is a function below, in the
 * order it runs, reading and filling the part of `run` it owns. */
#include "protocol/run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/engine.h"
#include "protocol/textio.h"
#include "protocol/audit.h"
#include "pst/pst.h"
#include "tensor/npy.h"
#include "util/json.h"

void tc_run_opts_default(tc_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_new_tokens = 30;
    o->top_p = 1.0f;
    o->layout = TC_LAYOUT_STRUCTURED;
    o->num_queries = 10;
    o->n_threads = 2;
    if (tc_quant_decimal(NULL, &o->quant, 16, 50) != TC_OK)
        o->quant.max_bits = 63;
}

/* The setup command that remakes a seeded SRS (receipt "srs_setup_command"). */
void tc_run_srs_setup_command(char *out, size_t cap, const uint32_t *n, int m,
                              const char *seed_hex)
{
    size_t len = (size_t)snprintf(out, cap, "tensorcommit setup --shape ");
    for (int i = 0; i < m && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, i ? ",%u" : "%u", (unsigned)n[i]);
    if (len < cap)
        snprintf(out + len, cap - len, " --seed %s --out srs.tcs", seed_hex);
}

/* ------------------------------------------------------------ the state */

/* Records the hidden states in the Hugging Face convention, (L+1, cap, H),
 * from the engine's hook as positions run.  Logits are not recorded: the
 * commitment does not cover them, and asking for every position's logits
 * costs a second pass through the output head. */
typedef struct recorder {
    size_t n_layers, H, cap;
    float *hidden;
} recorder;

/* generate → capture: the model, the sequence and its hidden states. */
typedef struct run_text {
    tc_model *model;
    tc_session *sess;
    tc_tok *tok;
    const tc_model_config *cfg;
    int32_t *prompt_ids;         /* (n_prompt) */
    int32_t *seq;                /* (cap) prompt + generated; T used */
    char *text;                  /* the generated text */
    size_t n_prompt, cap, T;
    size_t L1, H;                /* layers + 1 (embeddings), hidden size */
    float *hidden;               /* (L1, cap, H) while generating, (L1, T, H) after capture */
    recorder rec;
    tc_hook hook;                /* rec, while generating outside deterministic mode */
    bool recording;
} run_text;

/* quantize → layout → setup → commit: the committed grid. */
typedef struct run_grid {
    int64_t *qvals;              /* (L1, T, H) quantized */
    int64_t *values;             /* (grid_size) laid out */
    tc_layout lay;
    tc_pst_shape shape;
    tc_pst_srs srs;
    tc_g1_affine commitment;
} run_grid;

/* open → verify: the openings written to proofs.json. */
typedef struct run_proofs {
    size_t k;                    /* random grid points */
    tc_pst_opening *open;        /* (k) */
    size_t *index;               /* (k) their grid indices */
    tc_pst_slice slice;          /* one layer slice (first variable's, flat) */
    uint32_t prefix[TC_LAYOUT_MAX_VARS];
    int j;                       /* the slice level vk.json embeds */
} run_proofs;

typedef struct run {
    const tc_run_opts *o;
    tc_error *err;
    tc_run_summary *sum;
    tc_run_folder folder;
    const char *dir;             /* the staging folder every file goes to */
    json_t *artefacts;           /* name → bytes */
    double t_write;              /* seconds spent writing files */
    run_text tx;
    run_grid g;
    run_proofs pf;
} run;

static void run_free(run *r)
{
    tc_run_folder_close(&r->folder, r->o);
    json_decref(r->artefacts);
    free(r->pf.open);
    free(r->pf.index);
    tc_pst_slice_free(&r->pf.slice);
    if (r->o->srs == NULL)
        tc_pst_srs_free(&r->g.srs);
    free(r->g.values);
    free(r->g.qvals);
    free(r->tx.hidden);
    free(r->tx.text);
    free(r->tx.seq);
    free(r->tx.prompt_ids);
    tc_session_free(r->tx.sess);
    if (r->o->model == NULL) {
        tc_tok_free(r->tx.tok);
        tc_model_free(r->tx.model);
    }
    free(r);
}

/* ------------------------------------------------------------ helpers */

/* The path of file `name` in the staging folder, written to out. */
static const char *staged(const run *r, char out[4096], const char *name)
{
    snprintf(out, 4096, "%s/%s", r->dir, name);
    return out;
}

static void note_size(run *r, const char *name)
{
    char path[4096];
    struct stat st;
    if (stat(staged(r, path, name), &st) == 0)
        json_object_set_new(r->artefacts, name, json_integer((json_int_t)st.st_size));
}

/* After a timed write begun at tw: the time counted as writing, the file's
 * size noted when it was written. */
static tc_status written(run *r, double tw, tc_status st, const char *name)
{
    r->t_write += tc_now() - tw;
    if (st == TC_OK)
        note_size(r, name);
    return st;
}

static tc_status write_text_file(run *r, const char *name, const char *text)
{
    char path[4096];
    tc_status st = tc_write_file_atomic(r->err, staged(r, path, name), text, strlen(text));
    if (st == TC_OK)
        note_size(r, name);
    return st;
}

static tc_status write_json_file(run *r, const char *name, const json_t *obj)
{
    char path[4096];
    tc_status st = tc_json_write(r->err, staged(r, path, name), obj, TC_JSON_SORTED);
    if (st == TC_OK)
        note_size(r, name);
    return st;
}

/* A stage's clock: started at t0 with w0 seconds of writing done. */
typedef struct stage_clock {
    double t0, w0;
} stage_clock;

static stage_clock clock_start(const run *r)
{
    return (stage_clock){.t0 = tc_now(), .w0 = r->t_write};
}

/* Seconds since the start, less the file writing done meanwhile. */
static double clock_seconds(const run *r, stage_clock c)
{
    return tc_now() - c.t0 - (r->t_write - c.w0);
}

static tc_status out_of_memory(run *r)
{
    return tc_fail(r->err, TC_ENOMEM, "out of memory");
}

/* A seeded PRNG stream per purpose, so adding one use never shifts another. */
static void prng_for(tc_prng *g, uint64_t seed, uint64_t purpose)
{
    tc_prng_seed(g, seed ^ (purpose * 0x9e3779b97f4a7c15ULL));
}

/* The seed of the SRS run made (the 8 bytes of --seed, little-endian, as
 * `setup --seed` takes them). */
static void srs_seed_bytes(uint8_t seed[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(v >> (8 * i));
}

/* ------------------------------------------------------------ generate */

static bool record_site(void *ctx, int layer, tc_site site, size_t pos0, size_t n_tok,
                        size_t width, const float *data)
{
    recorder *r = ctx;
    size_t idx;
    if (site == TC_SITE_EMBED)
        idx = 0;
    else if (site == TC_SITE_FINAL_NORM)
        idx = r->n_layers;
    else if (site == TC_SITE_BLOCK_OUT && layer >= 0 && (size_t)layer + 1 < r->n_layers)
        idx = (size_t)layer + 1;          /* the last block's raw output is not kept */
    else
        return false;
    if (data != NULL && width == r->H && pos0 + n_tok <= r->cap)
        memcpy(r->hidden + (idx * r->cap + pos0) * r->H, data, n_tok * width * sizeof *data);
    return true;
}

/* Generation progress: a line at most once a second. */
typedef struct gen_progress {
    const tc_run_opts *o;
    size_t n, max;
    double t0, last;
} gen_progress;

static bool on_token(void *ctx, int32_t token)
{
    gen_progress *g = ctx;
    double now = tc_now();
    (void)token;
    g->n++;
    if (now - g->last >= 1.0) {
        tc_run_log(g->o, "generate: %zu / %zu new tokens, %.1f tokens/s", g->n, g->max,
                   (double)g->n / (now - g->t0));
        g->last = now;
    }
    return true;
}

/* The model, its tokenizer, the prompt's tokens and a session sized for
 * the whole sequence. */
static tc_status load_model(run *r)
{
    const tc_run_opts *o = r->o;
    run_text *tx = &r->tx;
    tc_status st = TC_OK;
    if (o->model != NULL) {       /* loaded by the caller (borrowed) */
        tx->model = o->model;
        tx->tok = o->tok;
    } else {
        st = tc_model_load(r->err, &tx->model, o->model_dir);
        if (st == TC_OK)
            st = tc_engine_tokenizer(r->err, &tx->tok, o->model_dir);
    }
    if (st != TC_OK)
        return st;
    if (tx->tok == NULL)
        return tc_fail(r->err, TC_EFORMAT, "%s: no tokenizer.json: run needs one to read the "
                       "prompt", o->model_dir);
    tx->cfg = tc_model_cfg(tx->model);
    st = tc_engine_encode(r->err, tx->model, tx->tok, o->prompt, 0, &tx->prompt_ids,
                          &tx->n_prompt);
    if (st != TC_OK)
        return st;
    tx->cap = tx->n_prompt + o->max_new_tokens;
    /* Deterministic runs round every block's input to the committed values,
     * so that an audit re-executes any block range bit for bit. */
    tc_engine_opts eo = {.n_threads = o->n_threads, .deterministic = o->deterministic,
                         .max_seq = tx->cap, .round = o->deterministic ? tc_audit_round : NULL,
                         .round_ctx = (void *)&o->quant};
    return tc_session_new(r->err, &tx->sess, tx->model, &eo);
}

/* Samples the continuation.  Default mode records the hidden states while
 * generating (no second pass); deterministic mode captures them afterwards
 * with one pass over the whole sequence, the computation a verifier repeats
 * bit for bit. */
static tc_status generate(run *r)
{
    const tc_run_opts *o = r->o;
    run_text *tx = &r->tx;
    tx->L1 = (size_t)tx->cfg->n_layers + 1;
    tx->H = (size_t)tx->cfg->dim;
    tx->seq = malloc(tx->cap * sizeof *tx->seq);
    tx->hidden = malloc(tx->L1 * tx->cap * tx->H * sizeof *tx->hidden);
    if (tx->seq == NULL || tx->hidden == NULL)
        return tc_fail(r->err, TC_ENOMEM, "out of memory for %zu hidden values",
                       tx->L1 * tx->cap * tx->H);
    int32_t stop[TC_MAX_STOP_IDS + 1];
    size_t n_stop = tc_model_default_stop(tx->model, stop);
    tc_sampler smp = {.temperature = o->temperature, .top_k = o->top_k, .top_p = o->top_p,
                      .seed = o->seed};
    tx->rec = (recorder){.n_layers = (size_t)tx->cfg->n_layers, .H = tx->H, .cap = tx->cap,
                         .hidden = tx->hidden};
    tx->hook = (tc_hook){.fn = record_site, .ctx = &tx->rec};
    tx->recording = !o->deterministic;
    tc_run_log(o, "generate: %zu prompt tokens, up to %zu new", tx->n_prompt, o->max_new_tokens);
    gen_progress gp = {.o = o, .max = o->max_new_tokens, .t0 = tc_now(), .last = tc_now()};
    tc_status st = tc_generate_hooked(r->err, tx->sess, tx->prompt_ids, tx->n_prompt,
                                      o->max_new_tokens, &smp, stop, n_stop, tx->seq, &tx->T,
                                      on_token, &gp, tx->recording ? &tx->hook : NULL);
    if (st != TC_OK)
        return st;
    st = tc_engine_decode(r->err, tx->tok, tx->seq + tx->n_prompt, tx->T - tx->n_prompt,
                          &tx->text);
    if (st != TC_OK)
        return st;
    snprintf(r->sum->text, sizeof r->sum->text, "%s", tx->text);
    r->sum->n_prompt = tx->n_prompt;
    r->sum->n_tokens = tx->T;
    return TC_OK;
}

/* ------------------------------------------------------------ capture */

/* The hidden states of the whole sequence, (L+1, T, H), and the capture
 * files (hidden_states.npy, tokens.npy, stats.json). */
static tc_status capture(run *r)
{
    const tc_run_opts *o = r->o;
    run_text *tx = &r->tx;
    size_t T = tx->T, H = tx->H;
    tc_status st;
    if (tx->recording) {
        /* the last token was sampled, never fed: run it once for its states */
        tc_run_log(o, "capture: recorded while generating; one step for the last token");
        if (T > tx->n_prompt) {
            st = tc_session_forward(r->err, tx->sess, &tx->seq[T - 1], 1, T - 1, &tx->hook, NULL);
            if (st != TC_OK)
                return st;
        }
        for (size_t l = 1; l < tx->L1; l++)        /* (L+1, cap, H) → (L+1, T, H) */
            memmove(tx->hidden + l * T * H, tx->hidden + l * tx->cap * H,
                    T * H * sizeof *tx->hidden);
    } else {
        tc_run_log(o, "capture: one forward pass over %zu tokens", T);
        st = tc_capture(r->err, tx->sess, tx->seq, T, tx->hidden, NULL, NULL);
        if (st != TC_OK)
            return st;
    }
    tc_capture_out co = {.model_dir = o->model_dir, .prompt = o->prompt, .text = tx->text,
                         .tokens = tx->seq, .n_tokens = T, .n_prompt = tx->n_prompt,
                         .hidden = tx->hidden, .logits = NULL,
                         .deterministic = o->deterministic};
    double tw = tc_now();
    st = tc_capture_write(r->err, r->dir, tx->model, &co);
    r->t_write += tc_now() - tw;
    if (st != TC_OK)
        return st;
    note_size(r, "hidden_states.npy");
    note_size(r, "tokens.npy");
    note_size(r, "stats.json");
    r->sum->n_values = tx->L1 * T * H;
    return TC_OK;
}

/* ------------------------------------------------------------ quantize */

static tc_status quantize(run *r)
{
    run_text *tx = &r->tx;
    char path[4096];
    r->g.qvals = malloc(r->sum->n_values * sizeof *r->g.qvals);
    if (r->g.qvals == NULL)
        return out_of_memory(r);
    tc_status st = tc_quantize_f32(r->err, &r->o->quant, r->g.qvals, tx->hidden, tx->L1,
                                   tx->T * tx->H);
    if (st != TC_OK)
        return st;
    double tw = tc_now();
    st = tc_quant_write(r->err, &r->o->quant, staged(r, path, "quantization.json"));
    return written(r, tw, st, "quantization.json");
}

/* ------------------------------------------------------------ layout */

/* The grid of the layout (structured, or flat with seeded padding), and
 * grid.npy and layout.json. */
static tc_status lay_out(run *r)
{
    const tc_run_opts *o = r->o;
    run_grid *g = &r->g;
    size_t L1 = r->tx.L1, T = r->tx.T, H = r->tx.H;
    char path[4096];
    tc_status st;
    if (o->layout == TC_LAYOUT_FLAT)
        st = tc_layout_flat(r->err, &g->lay, L1, T, H, TC_LAYOUT_FLAT_MIN_DIM,
                            TC_LAYOUT_FLAT_MAX_DIM, 0, o->seed);
    else
        st = tc_layout_structured_cap(r->err, &g->lay, L1, T, H, o->token_capacity);
    if (st != TC_OK)
        return st;
    g->values = malloc(g->lay.grid_size * sizeof *g->values);
    if (g->values == NULL)
        return tc_fail(r->err, TC_ENOMEM, "out of memory for a grid of %zu values",
                       g->lay.grid_size);
    st = tc_layout_fill(r->err, &g->lay, g->values, g->qvals);
    if (st != TC_OK)
        return st;
    int64_t gshape[TC_LAYOUT_MAX_VARS];
    g->shape = (tc_pst_shape){.m = g->lay.m};
    for (int i = 0; i < g->lay.m; i++) {
        gshape[i] = g->lay.shape[i];
        g->shape.n[i] = g->lay.shape[i];
    }
    double tw = tc_now();
    st = tc_npy_write(r->err, staged(r, path, "grid.npy"), TC_NPY_I64, g->values, g->lay.m,
                      gshape);
    st = written(r, tw, st, "grid.npy");
    if (st != TC_OK)
        return st;
    tw = tc_now();
    st = tc_layout_write(r->err, &g->lay, staged(r, path, "layout.json"));
    st = written(r, tw, st, "layout.json");
    r->sum->grid_size = g->lay.grid_size;
    r->sum->grid_vars = g->lay.m;
    return st;
}

/* ------------------------------------------------------------ setup */

static void run_progress(void *ctx, const char *stage, double frac)
{
    const tc_run_opts *o = ctx;
    if (frac >= 1.0)
        tc_run_log(o, "  %s: done", stage);
}

/* The SRS: --srs, which must be for the grid's shape, or a seeded one made
 * for it and written to srs.tcs. */
static tc_status setup(run *r)
{
    const tc_run_opts *o = r->o;
    run_grid *g = &r->g;
    tc_status st = TC_OK;
    if (o->srs != NULL || o->srs_path != NULL) {
        if (o->srs != NULL)
            g->srs = *o->srs;     /* borrowed: not freed (run_free) */
        else
            st = tc_pst_srs_load(r->err, &g->srs, o->srs_path, o->n_threads);
        if (st != TC_OK || tc_pst_shape_eq(&g->srs.shape, &g->shape))
            return st;
        char a[128], b[128];
        tc_pst_shape_str(a, sizeof a, &g->srs.shape);
        tc_pst_shape_str(b, sizeof b, &g->shape);
        return tc_fail(r->err, TC_EFORMAT, "%s: SRS is for shape %s, the grid is %s",
                       o->srs_path ? o->srs_path : "SRS", a, b);
    }
    uint8_t seed[8];
    char path[4096];
    srs_seed_bytes(seed, o->seed);
    tc_run_log(o, "setup: a SEEDED SRS for the grid (testing only: anyone with the seed can "
                  "forge proofs; pass --srs for a real one)");
    tc_pst_setup_opts so = {.n_threads = o->n_threads, .progress = run_progress,
                            .progress_ctx = (void *)o};
    st = tc_pst_setup_seeded(r->err, &g->srs, &g->shape, seed, sizeof seed, &so);
    if (st != TC_OK)
        return st;
    double tw = tc_now();
    st = tc_pst_srs_write(r->err, staged(r, path, "srs.tcs"), &g->srs);
    r->sum->srs_seeded = st == TC_OK;
    return written(r, tw, st, "srs.tcs");
}

/* ------------------------------------------------------------ commit */

static tc_status commit(run *r)
{
    run_grid *g = &r->g;
    tc_g1 cj;
    tc_run_log(r->o, "commit: %zu values", g->lay.grid_size);
    tc_status st = tc_pst_commit_i64(r->err, &cj, &g->srs, g->values, g->lay.grid_size,
                                     r->o->n_threads);
    if (st != TC_OK)
        return st;
    tc_g1_to_affine(&g->commitment, &cj);
    tc_pst_point_hex(r->sum->commitment_hex, &g->commitment);
    char line[80];
    snprintf(line, sizeof line, "%s\n", r->sum->commitment_hex);
    double tw = tc_now();
    st = write_text_file(r, "commitment.txt", line);
    r->t_write += tc_now() - tw;
    return st;
}

/* ------------------------------------------------------------ open */

/* k random grid points, as field coordinates z (k × m) and grid indices. */
static void pick_points(run *r, tc_prng *rng, tc_fr *z)
{
    const tc_layout *lay = &r->g.lay;
    for (size_t q = 0; q < r->pf.k; q++) {
        size_t l = tc_prng_below(rng, r->tx.L1), t = tc_prng_below(rng, r->tx.T);
        size_t h = tc_prng_below(rng, r->tx.H);
        uint32_t coords[TC_LAYOUT_MAX_VARS];
        r->pf.index[q] = tc_layout_ltoh_to_index(lay, l, t, h);
        tc_layout_index_to_coords(lay, coords, r->pf.index[q]);
        for (int i = 0; i < lay->m; i++)
            tc_fr_from_u64(&z[q * (size_t)lay->m + (size_t)i], coords[i]);
    }
}

/* One layer slice (structured), or the first variable's slice (flat). */
static tc_status open_slice(run *r, tc_prng *rng)
{
    const tc_run_opts *o = r->o;
    run_proofs *pf = &r->pf;
    size_t slice_layer = tc_prng_below(rng, r->tx.L1);
    if (o->layout == TC_LAYOUT_STRUCTURED)
        (void)tc_layout_layer_prefix(&r->g.lay, slice_layer, pf->prefix);
    else
        pf->prefix[0] = (uint32_t)tc_prng_below(rng, r->g.lay.shape[0]);
    tc_fr zs[TC_LAYOUT_MAX_VARS];
    for (int i = 0; i < pf->j; i++)
        tc_fr_from_u64(&zs[i], pf->prefix[i]);
    return tc_pst_open_slice(r->err, &pf->slice, &r->g.srs, r->g.values, r->g.lay.grid_size, zs,
                             pf->j, o->n_threads);
}

/* Opens k random grid points and one slice, and writes proofs.json. */
static tc_status open_proofs(run *r)
{
    const tc_run_opts *o = r->o;
    run_proofs *pf = &r->pf;
    size_t k = o->num_queries, m = (size_t)r->g.lay.m;
    tc_prng rng;
    prng_for(&rng, o->seed, 1);
    pf->k = k;
    pf->open = calloc(k ? k : 1, sizeof *pf->open);
    pf->index = calloc(k ? k : 1, sizeof *pf->index);
    tc_fr *z = calloc((k ? k : 1) * m, sizeof *z);
    if (pf->open == NULL || pf->index == NULL || z == NULL) {
        free(z);
        return out_of_memory(r);
    }
    pick_points(r, &rng, z);
    tc_run_log(o, "open: %zu grid points and one layer slice", k);
    tc_status st = TC_OK;
    if (k > 0)
        st = tc_pst_open(r->err, pf->open, &r->g.srs, r->g.values, r->g.lay.grid_size, z, k,
                         o->n_threads);
    free(z);
    if (st == TC_OK)
        st = open_slice(r, &rng);
    char *json = NULL;
    if (st == TC_OK)
        st = tc_pst_proof_encode(r->err, &json, &r->g.shape, &r->g.commitment, pf->open, k,
                                 &pf->slice, 1);
    if (st == TC_OK) {
        double tw = tc_now();
        st = write_text_file(r, "proofs.json", json);
        r->t_write += tc_now() - tw;
    }
    free(json);
    r->sum->n_openings = k + 1;
    return st;
}

/* ------------------------------------------------------------ verify */

/* Verifies every opening and the slice, and checks every opened value
 * against the grid. */
static tc_status verify(run *r)
{
    run_proofs *pf = &r->pf;
    run_grid *g = &r->g;
    tc_run_summary *sum = r->sum;
    tc_status st = tc_pst_vk_prepare(r->err, &g->srs.vk);
    for (size_t q = 0; st == TC_OK && q < pf->k; q++) {
        bool ok = false;
        st = tc_pst_verify(r->err, &ok, &g->srs.vk, &g->commitment, &pf->open[q]);
        tc_fr want;
        tc_fr_from_i64(&want, g->values[pf->index[q]]);
        sum->n_verified += ok;
        sum->n_matched += st == TC_OK && tc_fr_eq(&want, &pf->open[q].y);
    }
    bool sok = false;
    if (st == TC_OK)
        st = tc_pst_verify_slice(r->err, &sok, &g->srs.vk, tc_pst_srs_level(&g->srs, pf->j),
                                 &g->commitment, &pf->slice);
    if (st != TC_OK)
        return st;
    sum->n_verified += sok;
    size_t slice_off = 0, rest = tc_pst_suffix_size(&g->shape, pf->j);
    for (int i = 0; i < pf->j; i++)
        slice_off = slice_off * g->shape.n[i] + pf->prefix[i];
    slice_off *= rest;
    bool smatch = pf->slice.count == rest;
    for (size_t i = 0; smatch && i < rest; i++) {
        tc_fr want;
        tc_fr_from_i64(&want, g->values[slice_off + i]);
        smatch = tc_fr_eq(&want, &pf->slice.values[i]);
    }
    sum->n_matched += smatch;
    sum->all_verified = sum->n_verified == sum->n_openings;
    sum->all_matched = sum->n_matched == sum->n_openings;
    return TC_OK;
}

/* ------------------------------------------------------------ the files */

/* vk.json with the slice level, so the layer slice verifies from it alone. */
static tc_status write_vk(run *r)
{
    char *json = NULL;
    tc_status st = tc_pst_vk_encode(r->err, &json, &r->g.srs, &r->pf.j, 1);
    if (st == TC_OK)
        st = write_text_file(r, "vk.json", json);
    free(json);
    return st;
}

static json_t *int_array_i32(const int32_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *sampling_json(const tc_run_opts *o)
{
    json_t *s = json_object();
    char seedtxt[24];
    snprintf(seedtxt, sizeof seedtxt, "%llu", (unsigned long long)o->seed);
    json_object_set_new(s, "temperature", json_real(o->temperature));
    json_object_set_new(s, "top_k", json_integer(o->top_k));
    json_object_set_new(s, "top_p", json_real(o->top_p));
    json_object_set_new(s, "seed", json_string(seedtxt));
    return s;
}

/* The seeded SRS's seed and the command that makes the same file. */
static void add_srs_seed(json_t *receipt, const tc_pst_shape *shape, uint64_t v)
{
    uint8_t seed[8];
    char hex[17], cmd[256];
    srs_seed_bytes(seed, v);
    tc_hex_encode(hex, seed, 8);
    tc_run_srs_setup_command(cmd, sizeof cmd, shape->n, shape->m, hex);
    json_object_set_new(receipt, "srs_seed", json_string(hex));
    json_object_set_new(receipt, "srs_setup_command", json_string(cmd));
}

/* receipt.json (docs/formats.md "receipt.json"). */
static tc_status write_receipt(run *r)
{
    const tc_run_opts *o = r->o;
    uint8_t digest[32];
    char dhex[65], tool[64];
    tc_status st = tc_model_digest(r->err, digest, o->model_dir);
    if (st != TC_OK)
        return st;
    tc_hex_encode(dhex, digest, 32);
    snprintf(tool, sizeof tool, "tensorcommit %s", tc_version());
    json_t *rc = json_object();
    json_object_set_new(rc, "format", json_string("tensorcommit-receipt"));
    json_object_set_new(rc, "version", json_integer(TC_RECEIPT_VERSION));
    json_object_set_new(rc, "tool", json_string(tool));
    json_object_set_new(rc, "commitment", json_string(r->sum->commitment_hex));
    json_object_set_new(rc, "srs_id", json_string(r->sum->srs_id_hex));
    json_object_set_new(rc, "srs_origin", json_string(tc_pst_origin_name(r->g.srs.origin)));
    if (r->sum->srs_seeded)
        add_srs_seed(rc, &r->g.shape, o->seed);
    /* resolved, so that verify --run finds it from any working folder */
    char *model_abs = realpath(o->model_dir, NULL);
    json_object_set_new(rc, "model_dir", json_string(model_abs ? model_abs : o->model_dir));
    free(model_abs);
    json_object_set_new(rc, "model_digest", json_string(dhex));
    json_object_set_new(rc, "model_type", json_string(r->tx.cfg->model_type));
    json_object_set_new(rc, "prompt", json_string(o->prompt));
    json_object_set_new(rc, "text", json_string(r->tx.text));
    json_object_set_new(rc, "tokens", int_array_i32(r->tx.seq, r->tx.T));
    json_object_set_new(rc, "n_prompt_tokens", json_integer((json_int_t)r->tx.n_prompt));
    json_object_set_new(rc, "deterministic", json_boolean(o->deterministic));
    json_object_set_new(rc, "openings", json_string(o->no_open ? "challenges" : "proofs.json"));
    json_object_set_new(rc, "block_inputs", json_string(o->deterministic ? "dequantized" : "raw"));
    json_object_set_new(rc, "layout", tc_layout_to_json_object(&r->g.lay));
    json_object_set_new(rc, "quantization", tc_quant_to_json(&o->quant));
    json_object_set_new(rc, "sampling", sampling_json(o));
    json_object_set_new(rc, "environment", tc_run_environment(o->n_threads));
    st = write_json_file(r, "receipt.json", rc);
    json_decref(rc);
    return st;
}

/* results.json: stage timings, sizes and the verdicts. */
static tc_status write_results(run *r)
{
    tc_run_summary *sum = r->sum;
    json_t *res = json_object(), *timing = json_object();
    sum->t_write = r->t_write;
    json_object_set_new(timing, "load", json_real(sum->t_load));
    json_object_set_new(timing, "generate", json_real(sum->t_generate));
    json_object_set_new(timing, "capture", json_real(sum->t_capture));
    json_object_set_new(timing, "quantize", json_real(sum->t_quantize));
    json_object_set_new(timing, "layout", json_real(sum->t_layout));
    json_object_set_new(timing, "setup", json_real(sum->t_setup));
    json_object_set_new(timing, "commit", json_real(sum->t_commit));
    json_object_set_new(timing, "open", json_real(sum->t_open));
    json_object_set_new(timing, "verify", json_real(sum->t_verify));
    json_object_set_new(timing, "write_files", json_real(r->t_write));
    json_object_set_new(res, "seconds", timing);
    /* what committing adds to generating: capture + quantize + layout + commit */
    double overhead = sum->t_capture + sum->t_quantize + sum->t_layout + sum->t_commit;
    json_object_set_new(res, "commit_overhead_vs_generate",
                        json_real(sum->t_generate > 0 ? overhead / sum->t_generate : 0));
    json_object_set_new(res, "n_values", json_integer((json_int_t)sum->n_values));
    json_object_set_new(res, "grid_size", json_integer((json_int_t)sum->grid_size));
    json_object_set_new(res, "n_openings", json_integer((json_int_t)sum->n_openings));
    json_object_set_new(res, "n_verified", json_integer((json_int_t)sum->n_verified));
    json_object_set_new(res, "n_matched", json_integer((json_int_t)sum->n_matched));
    json_object_set_new(res, "all_proofs_verified", json_boolean(sum->all_verified));
    json_object_set_new(res, "all_ground_truth_matched", json_boolean(sum->all_matched));
    json_object_set_new(res, "artefact_bytes", json_incref(r->artefacts));
    tc_status st = write_json_file(r, "results.json", res);
    json_decref(res);
    return st;
}

/* ------------------------------------------------------------ the driver */

/* The SRS's id and origin in the summary. */
static void note_srs(run *r)
{
    tc_hex_encode(r->sum->srs_id_hex, r->g.srs.id, 32);
    r->sum->srs_testing = tc_pst_origin_is_testing(r->g.srs.origin);
    r->sum->srs_origin = tc_pst_origin_name(r->g.srs.origin);
}

/* Runs one stage, its seconds (writing excluded) into *seconds. */
static tc_status timed(run *r, tc_status (*stage)(run *), double *seconds)
{
    stage_clock c = clock_start(r);
    tc_status st = stage(r);
    *seconds = clock_seconds(r, c);
    return st;
}

/* Everything up to the commitment: load, generate, capture, quantize, lay
 * out, set up, commit. */
static tc_status commit_stages(run *r)
{
    tc_run_summary *sum = r->sum;
    stage_clock load = clock_start(r);
    tc_status st = load_model(r);
    sum->t_load = tc_now() - load.t0;
    if (st == TC_OK)
        st = timed(r, generate, &sum->t_generate);
    if (st == TC_OK)
        st = timed(r, capture, &sum->t_capture);
    if (st == TC_OK)
        st = timed(r, quantize, &sum->t_quantize);
    if (st == TC_OK)
        st = timed(r, lay_out, &sum->t_layout);
    if (st == TC_OK)
        st = timed(r, setup, &sum->t_setup);
    if (st != TC_OK)
        return st;
    note_srs(r);
    return timed(r, commit, &sum->t_commit);
}

tc_status tc_run(tc_error *err, tc_run_summary *sum, const tc_run_opts *o)
{
    memset(sum, 0, sizeof *sum);
    run *r = calloc(1, sizeof *r);
    if (r == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    *r = (run){.o = o, .err = err, .sum = sum, .artefacts = json_object()};
    tc_status st = tc_run_folder_open(err, &r->folder, o->out_dir, o->force);
    r->dir = r->folder.staging;
    if (st == TC_OK)
        st = commit_stages(r);
    if (st == TC_OK) {
        /* the slice level vk.json embeds: a layer (structured), the first variable (flat) */
        r->pf.j = o->layout == TC_LAYOUT_STRUCTURED
                      ? tc_layout_layer_prefix(&r->g.lay, 0, r->pf.prefix) : 1;
        sum->all_verified = sum->all_matched = true;
        if (o->no_open)
            tc_run_log(o, "open: none (--no-open: openings come from challenges)");
        else
            st = timed(r, open_proofs, &sum->t_open);
    }
    if (st == TC_OK && !o->no_open)
        st = timed(r, verify, &sum->t_verify);
    if (st == TC_OK)
        st = write_vk(r);
    if (st == TC_OK)
        st = write_receipt(r);
    if (st == TC_OK)
        st = write_results(r);
    if (st == TC_OK)
        st = tc_run_folder_install(err, &r->folder, o);
    run_free(r);
    return st;
}
