/* A dishonest prover for the audit tests: rewrites a run folder made by
 * `tensorcommit run --no-open` so that its grid, commitment and receipt
 * describe a computation other than the model's, each forgery as
 * consistent as an attacker can make it (every state the attack does not
 * touch is recomputed from the forged one).
 *
 * usage: forge_run RUNDIR MODEL MODE [ARG...]
 *   tokens ID,ID,..     the generated part replaced by these ids (same count),
 *                       states captured on them (teacher forcing)
 *   skip B              block B (1..L) skipped: h_B = h_{B-1}
 *   duplicate B         block B applied twice
 *   fabricate B         h_B replaced by random values of h_B's scale
 *   perturb B DELTA     DELTA added to every value of h_B
 * Blocks after B run from the forged h_B, and the generated tokens are
 * regenerated greedily from the forged final states (so the token check
 * holds and only re-executing block B can tell); the grid is re-committed
 * with the run's SRS (RUNDIR/srs.tcs) and receipt.json / commitment.txt /
 * grid.npy rewritten. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/engine.h"
#include "protocol/audit.h"
#include "pst/pst.h"
#include "tensor/layout.h"
#include "tensor/npy.h"

static void die(const char *what, const tc_error *e)
{
    fprintf(stderr, "forge_run: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
    exit(3);
}

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

typedef struct forgery {
    const char *mode;
    size_t B;
    float delta;
    bool deq;
    const tc_quant_params *q;
    size_t L, H;
} forgery;

/* The hidden states (L+1, T, H) of seq under the forgery. */
static void forged_states(tc_session *s, const forgery *f, const int32_t *seq, size_t T,
                          float *hidden)
{
    tc_error e = {0};
    size_t L = f->L, n = T * f->H, B = f->B;
    if (tc_capture(&e, s, seq, T, hidden, NULL, NULL) != TC_OK)
        die("capture", &e);
    if (!strcmp(f->mode, "tokens"))
        return;
    float *hb = hidden + B * n, *hp = hidden + (B - 1) * n;
    float *in = malloc(n * sizeof *in), *out = malloc(L * n * sizeof *out);
    if (!strcmp(f->mode, "skip")) {
        memcpy(hb, hp, n * sizeof *hb);
    } else if (!strcmp(f->mode, "duplicate")) {
        memcpy(in, hb, n * sizeof *in);          /* block B on its own output */
        if (f->deq)
            tc_audit_round((void *)f->q, in, n);
        if (tc_session_run_blocks(&e, s, in, T, (int)B - 1, (int)B - 1, out, NULL) != TC_OK)
            die("run_blocks", &e);
        memcpy(hb, out, n * sizeof *hb);
    } else if (!strcmp(f->mode, "fabricate")) {
        double scale = 0;
        for (size_t i = 0; i < n; i++)
            scale = fmax(scale, fabs(hb[i]));
        tc_prng g;
        tc_prng_seed(&g, 12345);
        for (size_t i = 0; i < n; i++)
            hb[i] = (float)((2 * tc_prng_double(&g) - 1) * scale);
    } else if (!strcmp(f->mode, "perturb")) {
        for (size_t i = 0; i < n; i++)
            hb[i] += f->delta;
    } else {
        die("unknown mode", NULL);
    }
    memcpy(in, hb, n * sizeof *in);              /* the blocks after B */
    if (f->deq)
        tc_audit_round((void *)f->q, in, n);
    if (tc_session_run_blocks(&e, s, in, T, (int)B, (int)L - 1, out, NULL) != TC_OK)
        die("run_blocks", &e);
    memcpy(hidden + (B + 1) * n, out, (L - B) * n * sizeof *out);
    free(in);
    free(out);
}

/* The receipt's "tokens" replaced by seq[0..T). */
static void set_tokens(json_t *rc, const int32_t *seq, size_t T)
{
    json_t *nt = json_array();
    for (size_t i = 0; i < T; i++)
        json_array_append_new(nt, json_integer(seq[i]));
    json_object_set_new(rc, "tokens", nt);
}

/* Mode "tokens": the generated part seq[n_prompt..T) from a comma list. */
static void parse_token_list(int32_t *seq, size_t n_prompt, size_t T, char *list)
{
    size_t k = n_prompt;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (k == T)
            die("more ids than generated tokens", NULL);
        seq[k++] = (int32_t)atoi(t);
    }
    if (k != T)
        die("fewer ids than generated tokens", NULL);
}

/* The other modes: block B, and DELTA for perturb. */
static void parse_block_args(forgery *f, int argc, char **argv)
{
    if (argc < 5 || atoi(argv[4]) < 1 || (size_t)atoi(argv[4]) >= f->L)
        die("the mode needs a block in 1..L-1 (the last state is after the final norm)", NULL);
    f->B = (size_t)atoi(argv[4]);
    if (!strcmp(f->mode, "perturb")) {
        if (argc != 6)
            die("perturb needs DELTA", NULL);
        f->delta = strtof(argv[5], NULL);
    }
}

/* Regenerates seq[n_prompt..) greedily under the forgery, stopping as
 * generation would; returns the new token count (at most T). */
static size_t regenerate(tc_session *s, const tc_model *m, const forgery *f, int32_t *seq,
                         size_t n_prompt, size_t T, float *hidden)
{
    tc_error e = {0};
    size_t L = f->L, H = f->H, V = (size_t)tc_model_cfg(m)->vocab;
    float *logits = malloc(V * sizeof *logits);
    int32_t stop[TC_MAX_STOP_IDS + 1];
    size_t n_stop = tc_model_default_stop(m, stop);
    for (size_t p = n_prompt; p < T; p++) {
        forged_states(s, f, seq, p, hidden);
        float *hL = hidden + L * p * H + (p - 1) * H, x[4096];
        memcpy(x, hL, H * sizeof *x);
        if (f->deq)
            tc_audit_round((void *)f->q, x, H);
        if (tc_session_head(&e, s, x, 1, logits) != TC_OK)
            die("head", &e);
        size_t best = 0;
        for (size_t i = 1; i < V; i++)
            if (logits[i] > logits[best])
                best = i;
        seq[p] = (int32_t)best;
        bool stopped = false;
        for (size_t i = 0; i < n_stop; i++)
            stopped |= stop[i] == seq[p];
        if (stopped)
            T = p + 1;
    }
    free(logits);
    return T;
}

/* Quantizes the states hidden (L+1, T, H), lays them out, commits with the
 * run's SRS and rewrites grid.npy, commitment.txt and receipt.json (rc);
 * prints the commitment. */
static void commit_and_rewrite(const char *run, json_t *rc, const tc_quant_params *q,
                               const float *hidden, size_t L, size_t T, size_t H)
{
    tc_error e = {0};
    char path[4096];
    size_t n = T * H;
    int64_t *vals = malloc((L + 1) * n * sizeof *vals);
    if (tc_quantize_f32(&e, q, vals, hidden, L + 1, n) != TC_OK)
        die("quantize", &e);
    tc_layout lay;
    if (tc_layout_structured(&e, &lay, L + 1, T, H) != TC_OK)
        die("layout", &e);
    int64_t *grid = calloc(lay.grid_size, sizeof *grid);
    if (tc_layout_fill(&e, &lay, grid, vals) != TC_OK)
        die("layout fill", &e);
    tc_pst_srs srs;
    path_in(path, sizeof path, run, "srs.tcs");
    if (tc_pst_srs_load(&e, &srs, path, 1) != TC_OK)
        die("srs", &e);
    tc_g1 cj;
    tc_g1_affine c;
    if (tc_pst_commit_i64(&e, &cj, &srs, grid, lay.grid_size, 1) != TC_OK)
        die("commit", &e);
    tc_g1_to_affine(&c, &cj);
    char hex[65];
    tc_pst_point_hex(hex, &c);
    int64_t shape[TC_LAYOUT_MAX_VARS];
    for (int i = 0; i < lay.m; i++)
        shape[i] = lay.shape[i];
    path_in(path, sizeof path, run, "grid.npy");
    if (tc_npy_write(&e, path, TC_NPY_I64, grid, lay.m, shape) != TC_OK)
        die("grid.npy", &e);
    char line[80];
    snprintf(line, sizeof line, "%s\n", hex);
    path_in(path, sizeof path, run, "commitment.txt");
    if (tc_write_file_atomic(&e, path, line, strlen(line)) != TC_OK)
        die("commitment.txt", &e);
    json_object_set_new(rc, "commitment", json_string(hex));
    path_in(path, sizeof path, run, "receipt.json");
    if (json_dump_file(rc, path, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
        die("receipt.json", NULL);
    printf("%s\n", hex);
    tc_pst_srs_free(&srs);
    free(grid);
    free(vals);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: forge_run RUNDIR MODEL MODE [ARG...]\n");
        return 2;
    }
    const char *run = argv[1], *model_dir = argv[2], *mode = argv[3];
    char path[4096];
    tc_error e = {0};
    path_in(path, sizeof path, run, "receipt.json");
    json_error_t je;
    json_t *rc = json_load_file(path, 0, &je);
    if (rc == NULL)
        die("receipt.json unreadable", NULL);
    json_t *toks = json_object_get(rc, "tokens");
    size_t T = json_array_size(toks), n_prompt =
        (size_t)json_integer_value(json_object_get(rc, "n_prompt_tokens"));
    int32_t *seq = malloc(T * sizeof *seq);
    for (size_t i = 0; i < T; i++)
        seq[i] = (int32_t)json_integer_value(json_array_get(toks, i));
    tc_quant_params q;
    if (tc_quant_from_json(&e, &q, json_object_get(rc, "quantization"), "receipt") != TC_OK)
        die("quantization", &e);
    bool det = json_is_true(json_object_get(rc, "deterministic"));
    const char *bi = json_string_value(json_object_get(rc, "block_inputs"));
    bool deq = bi != NULL && !strcmp(bi, "dequantized");

    tc_model *m;
    if (tc_model_load(&e, &m, model_dir) != TC_OK)
        die("model", &e);
    const tc_model_config *cfg = tc_model_cfg(m);
    size_t L = (size_t)cfg->n_layers, H = (size_t)cfg->dim;
    tc_engine_opts eo = {.n_threads = 1, .deterministic = det, .max_seq = T,
                         .round = deq ? tc_audit_round : NULL, .round_ctx = &q};
    tc_session *s;
    if (tc_session_new(&e, &s, m, &eo) != TC_OK)
        die("session", &e);

    forgery f = {.mode = mode, .deq = deq, .q = &q, .L = L, .H = H};
    float *hidden = malloc((L + 1) * T * H * sizeof *hidden);
    if (!strcmp(mode, "tokens")) {
        if (argc != 5)
            die("tokens needs a list", NULL);
        parse_token_list(seq, n_prompt, T, argv[4]);
        set_tokens(rc, seq, T);
    } else {
        parse_block_args(&f, argc, argv);
        T = regenerate(s, m, &f, seq, n_prompt, T, hidden);
        set_tokens(rc, seq, T);
    }
    forged_states(s, &f, seq, T, hidden);
    commit_and_rewrite(run, rc, &q, hidden, L, T, H);
    json_decref(rc);
    tc_session_free(s);
    tc_model_free(m);
    free(hidden);
    free(seq);
    return 0;
}
