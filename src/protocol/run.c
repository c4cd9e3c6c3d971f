/* tensorcommit run: the prover's pipeline end to end (see run.h). */
#define _GNU_SOURCE          /* renameat2 */
#include "protocol/run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/engine.h"
#include "protocol/textio.h"
#include "protocol/audit.h"
#include "pst/pst.h"
#include "tensor/npy.h"

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

static void logf_(const tc_run_opts *o, const char *fmt, ...) TC_PRINTF(2, 3);
static void logf_(const tc_run_opts *o, const char *fmt, ...)
{
    if (o->log == NULL)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->log(o->log_ctx, line);
}

/* ------------------------------------------------------------- helpers */

/* mkdir -p: creates the folder and any missing parents. */
static bool make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return errno = ENAMETOOLONG, false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return false;
        buf[i] = c;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? true : (errno = ENOTDIR, false);
}

typedef struct run_state {
    const tc_run_opts *o;
    tc_error *err;
    const char *dir;                     /* the staging folder every file goes to */
    json_t *artefacts;                   /* name → bytes */
    double t_write;                      /* seconds spent writing files */
} run_state;

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void note_size(run_state *rs, const char *name)
{
    char path[4096];
    struct stat st;
    path_in(path, sizeof path, rs->dir, name);
    if (stat(path, &st) == 0)
        json_object_set_new(rs->artefacts, name, json_integer((json_int_t)st.st_size));
}

/* Seconds since t0, less the file writing done meanwhile (since w0). */
static double stage_seconds(const run_state *rs, double t0, double w0)
{
    return tc_now() - t0 - (rs->t_write - w0);
}

static tc_status write_json_file(run_state *rs, const char *name, json_t *obj)
{
    char path[4096];
    path_in(path, sizeof path, rs->dir, name);
    char *text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (text == NULL)
        return tc_fail(rs->err, TC_ENOMEM, "%s: cannot serialise JSON", path);
    size_t n = strlen(text);
    text[n] = '\n';
    tc_status st = tc_write_file_atomic(rs->err, path, text, n + 1);
    free(text);
    if (st == TC_OK)
        note_size(rs, name);
    return st;
}

static tc_status write_text_file(run_state *rs, const char *name, const char *text)
{
    char path[4096];
    path_in(path, sizeof path, rs->dir, name);
    tc_status st = tc_write_file_atomic(rs->err, path, text, strlen(text));
    if (st == TC_OK)
        note_size(rs, name);
    return st;
}

static void hex32(char out[65], const uint8_t in[32])
{
    tc_hex_encode(out, in, 32);
}

static json_t *int_array_i32(const int32_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static void run_progress(void *ctx, const char *stage, double frac)
{
    const tc_run_opts *o = ctx;
    if (frac >= 1.0)
        logf_(o, "  %s: done", stage);
}

/* Records the hidden states in the Hugging Face convention, (L+1, cap, H),
 * from the engine's hook as positions run.  Logits are not recorded: the
 * commitment does not cover them, and asking for every position's logits
 * costs a second pass through the output head. */
typedef struct recorder {
    size_t n_layers, H, cap;
    float *hidden;
} recorder;

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
        logf_(g->o, "generate: %zu / %zu new tokens, %.1f tokens/s", g->n, g->max,
              (double)g->n / (now - g->t0));
        g->last = now;
    }
    return true;
}

/* A seeded PRNG stream per purpose, so adding one use never shifts another. */
static void prng_for(tc_prng *g, uint64_t seed, uint64_t purpose)
{
    tc_prng_seed(g, seed ^ (purpose * 0x9e3779b97f4a7c15ULL));
}

/* The seed of the SRS run made (the 8 bytes of --seed, little-endian, as
 * `setup --seed` takes them) and the command that makes the same file. */
static void srs_seed_bytes(uint8_t seed[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(v >> (8 * i));
}

void tc_run_srs_setup_command(char *out, size_t cap, const uint32_t *n, int m,
                              const char *seed_hex)
{
    size_t len = (size_t)snprintf(out, cap, "tensorcommit setup --shape ");
    for (int i = 0; i < m && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, i ? ",%u" : "%u", (unsigned)n[i]);
    if (len < cap)
        snprintf(out + len, cap - len, " --seed %s --out srs.tcs", seed_hex);
}

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

/* ------------------------------------------------------- the run folder
 *
 * A run is built in a hidden sibling of the run folder, ".<name>.staging.<pid>",
 * and renamed into place only when every file is written, so a run that fails
 * (or a crash) never leaves a partial folder nor touches an earlier run.  An
 * existing folder that is not empty is refused unless --force; with --force it
 * must hold nothing but run files (so a mistyped --out cannot empty a folder
 * of other work), and the two folders swap in one step (renameat2
 * RENAME_EXCHANGE): at every moment the name holds the old run or the new one.
 * The old run, now at the staging name, is then removed.  Where the file
 * system cannot swap, the old folder is renamed to ".<name>.old.<pid>", the
 * new one renamed in, and the old removed; a crash between those two renames
 * leaves the old run whole under the .old name. */

static const char *const run_files[] = {
    "receipt.json", "grid.npy",      "layout.json",  "quantization.json", "commitment.txt",
    "proofs.json",  "results.json",  "stats.json",   "hidden_states.npy", "tokens.npy",
    "logits.npy",   "srs.tcs",       "vk.json",
};

static bool is_run_file(const char *name)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(run_files); i++)
        if (!strcmp(name, run_files[i]))
            return true;
    return false;
}

typedef struct run_folder {
    char *target;        /* the run folder (symbolic links followed) */
    char *parent;        /* its parent folder */
    char *staging;       /* where the run is built */
    bool replace;        /* target holds an earlier run (--force) */
} run_folder;

static void run_folder_free(run_folder *rf)
{
    free(rf->target);
    free(rf->parent);
    free(rf->staging);
}

/* Removes a folder holding only files (a run folder); false if something
 * stayed. */
static bool remove_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            (void)unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    return rmdir(dir) == 0;
}

/* Checks what is at the target: nothing, an empty folder, or (with force) a
 * folder of run files.  Fills rf->target, rf->parent and rf->replace. */
static tc_status check_target(tc_error *err, run_folder *rf, const char *out_dir, bool force)
{
    tc_status st = tc_path_resolve(err, out_dir, &rf->target);
    if (st != TC_OK)
        return st;
    size_t n = strlen(rf->target);
    while (n > 1 && rf->target[n - 1] == '/')
        rf->target[--n] = '\0';
    const char *slash = strrchr(rf->target, '/');
    const char *base = slash ? slash + 1 : rf->target;
    if (!strcmp(base, ".") || !strcmp(base, "..") || base[0] == '\0' || !strcmp(out_dir, "-"))
        return tc_fail(err, TC_EARG, "%s: --out must name the run folder itself", out_dir);
    size_t plen = slash == NULL ? 1 : slash == rf->target ? 1 : (size_t)(slash - rf->target);
    if ((rf->parent = malloc(plen + 1)) == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    snprintf(rf->parent, plen + 1, "%s", slash == NULL ? "." : rf->target);

    struct stat sb;
    if (stat(rf->target, &sb) != 0) {
        if (errno == ENOENT)
            return TC_OK;
        return tc_fail(err, TC_EIO, "%s: %s", out_dir, strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode))
        return tc_fail(err, TC_EIO, "%s: exists and is not a folder", out_dir);
    DIR *d = opendir(rf->target);
    if (d == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot open folder: %s", out_dir, strerror(errno));
    struct dirent *e;
    while (st == TC_OK && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat fb;
        if (!force)
            st = tc_fail(err, TC_EARG,
                         "%s: folder is not empty; pass --force to replace the run in it", out_dir);
        else if (!is_run_file(e->d_name) ||
                 fstatat(dirfd(d), e->d_name, &fb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(fb.st_mode))
            st = tc_fail(err, TC_EARG,
                         "%s: holds %s, which a run does not write: --force replaces only a run "
                         "folder",
                         out_dir, e->d_name);
        else
            rf->replace = true;
    }
    closedir(d);
    return st;
}

/* A hidden sibling of the target: "<parent>/.<name>.<tag>.<pid>.<i>". */
static char *sibling_name(const run_folder *rf, const char *tag, unsigned i)
{
    const char *slash = strrchr(rf->target, '/');
    const char *base = slash ? slash + 1 : rf->target;
    size_t cap = strlen(rf->parent) + strlen(base) + strlen(tag) + 48;
    char *p = malloc(cap);
    if (p != NULL)
        snprintf(p, cap, "%s/.%s.%s.%ld.%u", rf->parent, base, tag, (long)getpid(), i);
    return p;
}

/* Creates the parent folders and a fresh staging folder beside the target. */
static tc_status make_staging(tc_error *err, run_folder *rf, const char *out_dir)
{
    if (!make_dirs(rf->parent))
        return tc_fail(err, TC_EIO, "%s: cannot create folder: %s", rf->parent, strerror(errno));
    for (unsigned i = 0; i < 100; i++) {
        if ((rf->staging = sibling_name(rf, "staging", i)) == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory");
        if (mkdir(rf->staging, 0755) == 0)
            return TC_OK;
        free(rf->staging);
        rf->staging = NULL;
        if (errno != EEXIST)
            break;
    }
    return tc_fail(err, TC_EIO, "%s: cannot create a staging folder beside it: %s", out_dir,
                   strerror(errno));
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);     /* best effort: the renames' durability */
        close(fd);
    }
}

/* Puts the finished staging folder at the target (see the top of this
 * section for the order). */
static tc_status install_run(tc_error *err, run_folder *rf, const tc_run_opts *o)
{
    sync_dir(rf->staging);
    if (!rf->replace) {
        /* absent or empty: rename replaces an empty folder in one step */
        if (rename(rf->staging, rf->target) != 0)
            return tc_fail(err, TC_EIO, "%s: cannot move the run into place: %s", o->out_dir,
                           strerror(errno));
    } else if (renameat2(AT_FDCWD, rf->staging, AT_FDCWD, rf->target, RENAME_EXCHANGE) == 0) {
        if (!remove_flat(rf->staging))       /* the old run, now at the staging name */
            logf_(o, "note: could not remove the earlier run, left in %s", rf->staging);
    } else {
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
            return tc_fail(err, TC_EIO, "%s: cannot move the run into place: %s", o->out_dir,
                           strerror(errno));
        char *aside = sibling_name(rf, "old", 0);
        if (aside == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory");
        if (rename(rf->target, aside) != 0) {
            tc_status st = tc_fail(err, TC_EIO, "%s: cannot move the earlier run aside: %s",
                                   o->out_dir, strerror(errno));
            free(aside);
            return st;
        }
        if (rename(rf->staging, rf->target) != 0) {
            tc_status st = tc_fail(err, TC_EIO, "%s: cannot move the run into place: %s",
                                   o->out_dir, strerror(errno));
            (void)rename(aside, rf->target);     /* the earlier run back */
            free(aside);
            return st;
        }
        if (!remove_flat(aside))
            logf_(o, "note: could not remove the earlier run, left in %s", aside);
        free(aside);
    }
    free(rf->staging);
    rf->staging = NULL;                      /* nothing left to clean */
    sync_dir(rf->parent);
    return TC_OK;
}

/* ------------------------------------------------------------------ run */

tc_status tc_run(tc_error *err, tc_run_summary *sum, const tc_run_opts *o)
{
    tc_model *model = NULL;
    tc_session *sess = NULL;
    tc_tok *tok = NULL;
    int32_t *prompt_ids = NULL, *seq = NULL;
    float *hidden = NULL;
    int64_t *qvals = NULL, *grid = NULL;
    char *text = NULL, *proof_json = NULL, *vk_json = NULL, *layout_json = NULL;
    tc_pst_srs srs;
    tc_pst_opening *openings = NULL;
    tc_pst_slice slice;
    json_t *receipt = NULL, *results = NULL, *timing = NULL;
    run_folder rf = {NULL, NULL, NULL, false};
    run_state rs = {o, err, NULL, json_object(), 0.0};
    tc_status st;
    double t0, w0, tw;
    memset(&srs, 0, sizeof srs);
    memset(&slice, 0, sizeof slice);
    memset(sum, 0, sizeof *sum);

    if ((st = check_target(err, &rf, o->out_dir, o->force)) != TC_OK ||
        (st = make_staging(err, &rf, o->out_dir)) != TC_OK)
        goto out;
    rs.dir = rf.staging;

    /* ---- generate */
    t0 = tc_now();
    w0 = rs.t_write;
    if (o->model != NULL)         /* loaded by the caller (borrowed) */
        model = o->model, tok = o->tok;
    else if ((st = tc_model_load(err, &model, o->model_dir)) != TC_OK ||
             (st = tc_engine_tokenizer(err, &tok, o->model_dir)) != TC_OK)
        goto out;
    if (tok == NULL) {
        st = tc_fail(err, TC_EFORMAT, "%s: no tokenizer.json: run needs one to read the prompt",
                     o->model_dir);
        goto out;
    }
    const tc_model_config *cfg = tc_model_cfg(model);
    size_t n_prompt;
    if ((st = tc_engine_encode(err, model, tok, o->prompt, 0, &prompt_ids, &n_prompt)) != TC_OK)
        goto out;
    size_t cap = n_prompt + o->max_new_tokens;
    /* Deterministic runs round every block's input to the committed values,
     * so that an audit re-executes any block range bit for bit. */
    tc_engine_opts eo = {.n_threads = o->n_threads, .deterministic = o->deterministic,
                         .max_seq = cap, .round = o->deterministic ? tc_audit_round : NULL,
                         .round_ctx = (void *)&o->quant};
    if ((st = tc_session_new(err, &sess, model, &eo)) != TC_OK)
        goto out;
    sum->t_load = tc_now() - t0;
    t0 = tc_now();
    size_t L1 = (size_t)cfg->n_layers + 1, H = (size_t)cfg->dim;
    seq = malloc(cap * sizeof *seq);
    hidden = malloc(L1 * cap * H * sizeof *hidden);
    if (seq == NULL || hidden == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for %zu hidden values", L1 * cap * H);
        goto out;
    }
    int32_t stop[TC_MAX_STOP_IDS + 1];
    size_t n_stop = tc_model_default_stop(model, stop);
    tc_sampler smp = {o->temperature, o->top_k, o->top_p, o->seed};
    size_t T;
    /* Default mode records the hidden states while generating (no second
     * pass); deterministic mode captures them with one pass over the whole
     * sequence, the computation a verifier repeats bit for bit. */
    recorder rec = {(size_t)cfg->n_layers, H, cap, hidden};
    tc_hook hook = {record_site, &rec};
    bool recording = !o->deterministic;
    logf_(o, "generate: %zu prompt tokens, up to %zu new", n_prompt, o->max_new_tokens);
    gen_progress gp = {o, 0, o->max_new_tokens, tc_now(), tc_now()};
    if ((st = tc_generate_hooked(err, sess, prompt_ids, n_prompt, o->max_new_tokens, &smp, stop,
                                 n_stop, seq, &T, on_token, &gp, recording ? &hook : NULL)) != TC_OK)
        goto out;
    if ((st = tc_engine_decode(err, tok, seq + n_prompt, T - n_prompt, &text)) != TC_OK)
        goto out;
    snprintf(sum->text, sizeof sum->text, "%s", text);
    sum->t_generate = stage_seconds(&rs, t0, w0);
    sum->n_prompt = n_prompt;
    sum->n_tokens = T;

    /* ---- capture */
    t0 = tc_now();
    w0 = rs.t_write;
    size_t n_values = L1 * T * H;
    if (recording) {
        /* the last token was sampled, never fed: run it once for its states */
        logf_(o, "capture: recorded while generating; one step for the last token");
        if (T > n_prompt &&
            (st = tc_session_forward(err, sess, &seq[T - 1], 1, T - 1, &hook, NULL)) != TC_OK)
            goto out;
        for (size_t l = 1; l < L1; l++)        /* (L+1, cap, H) → (L+1, T, H) */
            memmove(hidden + l * T * H, hidden + l * cap * H, T * H * sizeof *hidden);
    } else {
        logf_(o, "capture: one forward pass over %zu tokens", T);
        if ((st = tc_capture(err, sess, seq, T, hidden, NULL, NULL)) != TC_OK)
            goto out;
    }
    tc_capture_out co = {o->model_dir, o->prompt, text, seq, T, n_prompt, hidden, NULL,
                         o->deterministic};
    tw = tc_now();
    st = tc_capture_write(err, rs.dir, model, &co);
    rs.t_write += tc_now() - tw;
    if (st != TC_OK)
        goto out;
    note_size(&rs, "hidden_states.npy");
    note_size(&rs, "tokens.npy");
    note_size(&rs, "stats.json");
    sum->t_capture = stage_seconds(&rs, t0, w0);
    sum->n_values = n_values;

    /* ---- quantize */
    t0 = tc_now();
    w0 = rs.t_write;
    qvals = malloc(n_values * sizeof *qvals);
    if (qvals == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = tc_quantize_f32(err, &o->quant, qvals, hidden, L1, T * H)) != TC_OK)
        goto out;
    char path[4096];
    path_in(path, sizeof path, rs.dir, "quantization.json");
    tw = tc_now();
    st = tc_quant_write(err, &o->quant, path);
    rs.t_write += tc_now() - tw;
    if (st != TC_OK)
        goto out;
    note_size(&rs, "quantization.json");
    sum->t_quantize = stage_seconds(&rs, t0, w0);

    /* ---- layout */
    t0 = tc_now();
    w0 = rs.t_write;
    tc_layout lay;
    if (o->layout == TC_LAYOUT_FLAT)
        st = tc_layout_flat(err, &lay, L1, T, H, TC_LAYOUT_FLAT_MIN_DIM, TC_LAYOUT_FLAT_MAX_DIM, 0,
                            o->seed);
    else
        st = tc_layout_structured_cap(err, &lay, L1, T, H, o->token_capacity);
    if (st != TC_OK)
        goto out;
    grid = malloc(lay.grid_size * sizeof *grid);
    if (grid == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for a grid of %zu values", lay.grid_size);
        goto out;
    }
    if ((st = tc_layout_fill(err, &lay, grid, qvals)) != TC_OK)
        goto out;
    int64_t gshape[TC_LAYOUT_MAX_VARS];
    for (int i = 0; i < lay.m; i++)
        gshape[i] = lay.shape[i];
    path_in(path, sizeof path, rs.dir, "grid.npy");
    tw = tc_now();
    st = tc_npy_write(err, path, TC_NPY_I64, grid, lay.m, gshape);
    rs.t_write += tc_now() - tw;
    if (st != TC_OK)
        goto out;
    note_size(&rs, "grid.npy");
    path_in(path, sizeof path, rs.dir, "layout.json");
    tw = tc_now();
    st = tc_layout_write(err, &lay, path);
    rs.t_write += tc_now() - tw;
    if (st != TC_OK)
        goto out;
    note_size(&rs, "layout.json");
    sum->t_layout = stage_seconds(&rs, t0, w0);
    sum->grid_size = lay.grid_size;
    sum->grid_vars = lay.m;

    /* ---- SRS */
    t0 = tc_now();
    w0 = rs.t_write;
    tc_pst_shape shape = {.m = lay.m};
    for (int i = 0; i < lay.m; i++)
        shape.n[i] = lay.shape[i];
    tc_pst_setup_opts so = {o->n_threads, false, run_progress, (void *)o};
    if (o->srs != NULL || o->srs_path != NULL) {
        if (o->srs != NULL)
            srs = *o->srs;        /* borrowed: not freed below */
        else if ((st = tc_pst_srs_load(err, &srs, o->srs_path, o->n_threads)) != TC_OK)
            goto out;
        if (!tc_pst_shape_eq(&srs.shape, &shape)) {
            char a[128], b[128];
            tc_pst_shape_str(a, sizeof a, &srs.shape);
            tc_pst_shape_str(b, sizeof b, &shape);
            st = tc_fail(err, TC_EFORMAT, "%s: SRS is for shape %s, the grid is %s",
                         o->srs_path ? o->srs_path : "SRS", a, b);
            goto out;
        }
    } else {
        uint8_t seed[8];
        srs_seed_bytes(seed, o->seed);
        logf_(o, "setup: a SEEDED SRS for the grid (testing only: anyone with the seed can forge "
                 "proofs; pass --srs for a real one)");
        if ((st = tc_pst_setup_seeded(err, &srs, &shape, seed, sizeof seed, &so)) != TC_OK)
            goto out;
        path_in(path, sizeof path, rs.dir, "srs.tcs");
        tw = tc_now();
        st = tc_pst_srs_write(err, path, &srs);
        rs.t_write += tc_now() - tw;
        if (st != TC_OK)
            goto out;
        note_size(&rs, "srs.tcs");
        sum->srs_seeded = true;
    }
    hex32(sum->srs_id_hex, srs.id);
    sum->srs_testing = tc_pst_origin_is_testing(srs.origin);
    sum->srs_origin = tc_pst_origin_name(srs.origin);
    sum->t_setup = stage_seconds(&rs, t0, w0);

    /* ---- commit */
    t0 = tc_now();
    w0 = rs.t_write;
    tc_g1 cj;
    tc_g1_affine c;
    logf_(o, "commit: %zu values", lay.grid_size);
    if ((st = tc_pst_commit_i64(err, &cj, &srs, grid, lay.grid_size, o->n_threads)) != TC_OK)
        goto out;
    tc_g1_to_affine(&c, &cj);
    tc_pst_point_hex(sum->commitment_hex, &c);
    char line[80];
    snprintf(line, sizeof line, "%s\n", sum->commitment_hex);
    tw = tc_now();
    st = write_text_file(&rs, "commitment.txt", line);
    rs.t_write += tc_now() - tw;
    if (st != TC_OK)
        goto out;
    sum->t_commit = stage_seconds(&rs, t0, w0);

    /* the slice level vk.json embeds: a layer (structured), the first variable (flat) */
    uint32_t prefix[TC_LAYOUT_MAX_VARS];
    int j = o->layout == TC_LAYOUT_STRUCTURED ? tc_layout_layer_prefix(&lay, 0, prefix) : 1;
    sum->all_verified = sum->all_matched = true;
    if (o->no_open) {
        logf_(o, "open: none (--no-open: openings come from challenges)");
        goto write_vk;
    }

    /* ---- open */
    t0 = tc_now();
    w0 = rs.t_write;
    size_t k = o->num_queries;
    tc_prng g;
    prng_for(&g, o->seed, 1);
    size_t *qidx = NULL;
    tc_fr *z = NULL;
    openings = calloc(k ? k : 1, sizeof *openings);
    qidx = calloc(k ? k : 1, sizeof *qidx);
    z = calloc((k ? k : 1) * (size_t)lay.m, sizeof *z);
    if (openings == NULL || qidx == NULL || z == NULL) {
        free(qidx);
        free(z);
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t q = 0; q < k; q++) {
        size_t l = tc_prng_below(&g, L1), t = tc_prng_below(&g, T), h = tc_prng_below(&g, H);
        uint32_t coords[TC_LAYOUT_MAX_VARS];
        qidx[q] = tc_layout_ltoh_to_index(&lay, l, t, h);
        tc_layout_index_to_coords(&lay, coords, qidx[q]);
        for (int i = 0; i < lay.m; i++)
            tc_fr_from_u64(&z[q * (size_t)lay.m + (size_t)i], coords[i]);
    }
    logf_(o, "open: %zu grid points and one layer slice", k);
    if (k > 0)
        st = tc_pst_open(err, openings, &srs, grid, lay.grid_size, z, k, o->n_threads);
    free(z);
    if (st != TC_OK) {
        free(qidx);
        goto out;
    }
    /* one layer slice (structured), or the first variable's slice (flat) */
    size_t slice_layer = tc_prng_below(&g, L1);
    if (o->layout == TC_LAYOUT_STRUCTURED)
        (void)tc_layout_layer_prefix(&lay, slice_layer, prefix);
    if (o->layout != TC_LAYOUT_STRUCTURED)
        prefix[0] = (uint32_t)tc_prng_below(&g, lay.shape[0]);
    tc_fr zs[TC_LAYOUT_MAX_VARS];
    for (int i = 0; i < j; i++)
        tc_fr_from_u64(&zs[i], prefix[i]);
    if ((st = tc_pst_open_slice(err, &slice, &srs, grid, lay.grid_size, zs, j, o->n_threads)) != TC_OK) {
        free(qidx);
        goto out;
    }
    if ((st = tc_pst_proof_encode(err, &proof_json, &shape, &c, openings, k, &slice, 1)) != TC_OK) {
        free(qidx);
        goto out;
    }
    path_in(path, sizeof path, rs.dir, "proofs.json");
    tw = tc_now();
    st = tc_write_file_atomic(err, path, proof_json, strlen(proof_json));
    rs.t_write += tc_now() - tw;
    if (st != TC_OK) {
        free(qidx);
        goto out;
    }
    note_size(&rs, "proofs.json");
    sum->t_open = stage_seconds(&rs, t0, w0);
    sum->n_openings = k + 1;

    /* ---- verify, and check every opened value against the grid */
    t0 = tc_now();
    w0 = rs.t_write;
    if ((st = tc_pst_vk_prepare(err, &srs.vk)) != TC_OK) {
        free(qidx);
        goto out;
    }
    for (size_t q = 0; q < k; q++) {
        bool ok = false;
        if ((st = tc_pst_verify(err, &ok, &srs.vk, &c, &openings[q])) != TC_OK) {
            free(qidx);
            goto out;
        }
        tc_fr want;
        tc_fr_from_i64(&want, grid[qidx[q]]);
        sum->n_verified += ok;
        sum->n_matched += tc_fr_eq(&want, &openings[q].y);
    }
    free(qidx);
    bool sok = false;
    if ((st = tc_pst_verify_slice(err, &sok, &srs.vk, tc_pst_srs_level(&srs, j), &c, &slice)) != TC_OK)
        goto out;
    sum->n_verified += sok;
    size_t slice_off = 0, rest = tc_pst_suffix_size(&shape, j);
    for (int i = 0; i < j; i++)
        slice_off = slice_off * shape.n[i] + prefix[i];
    slice_off *= rest;
    bool smatch = slice.count == rest;
    for (size_t r = 0; smatch && r < rest; r++) {
        tc_fr want;
        tc_fr_from_i64(&want, grid[slice_off + r]);
        smatch = tc_fr_eq(&want, &slice.values[r]);
    }
    sum->n_matched += smatch;
    sum->all_verified = sum->n_verified == sum->n_openings;
    sum->all_matched = sum->n_matched == sum->n_openings;
    sum->t_verify = stage_seconds(&rs, t0, w0);

write_vk:
    /* vk.json with the slice level, so the layer slice verifies from it alone */
    if ((st = tc_pst_vk_encode(err, &vk_json, &srs, &j, 1)) != TC_OK)
        goto out;
    path_in(path, sizeof path, rs.dir, "vk.json");
    if ((st = tc_write_file_atomic(err, path, vk_json, strlen(vk_json))) != TC_OK)
        goto out;
    note_size(&rs, "vk.json");

    /* ---- receipt */
    uint8_t digest[32];
    char dhex[65];
    if ((st = tc_model_digest(err, digest, o->model_dir)) != TC_OK)
        goto out;
    hex32(dhex, digest);
    if ((st = tc_layout_to_json(err, &lay, &layout_json)) != TC_OK)
        goto out;
    json_error_t je;
    receipt = json_object();
    json_object_set_new(receipt, "format", json_string("tensorcommit-receipt"));
    json_object_set_new(receipt, "version", json_integer(TC_RECEIPT_VERSION));
    char tool[64];
    snprintf(tool, sizeof tool, "tensorcommit %s", tc_version());
    json_object_set_new(receipt, "tool", json_string(tool));
    json_object_set_new(receipt, "commitment", json_string(sum->commitment_hex));
    json_object_set_new(receipt, "srs_id", json_string(sum->srs_id_hex));
    json_object_set_new(receipt, "srs_origin", json_string(tc_pst_origin_name(srs.origin)));
    if (sum->srs_seeded)
        add_srs_seed(receipt, &shape, o->seed);
    /* resolved, so that verify --run finds it from any working folder */
    char *model_abs = realpath(o->model_dir, NULL);
    json_object_set_new(receipt, "model_dir", json_string(model_abs ? model_abs : o->model_dir));
    free(model_abs);
    json_object_set_new(receipt, "model_digest", json_string(dhex));
    json_object_set_new(receipt, "model_type", json_string(cfg->model_type));
    json_object_set_new(receipt, "prompt", json_string(o->prompt));
    json_object_set_new(receipt, "text", json_string(text));
    json_object_set_new(receipt, "tokens", int_array_i32(seq, T));
    json_object_set_new(receipt, "n_prompt_tokens", json_integer((json_int_t)n_prompt));
    json_object_set_new(receipt, "deterministic", json_boolean(o->deterministic));
    json_object_set_new(receipt, "openings", json_string(o->no_open ? "challenges" : "proofs.json"));
    json_object_set_new(receipt, "block_inputs",
                        json_string(o->deterministic ? "dequantized" : "raw"));
    json_object_set_new(receipt, "layout", json_loads(layout_json, 0, &je));
    json_object_set_new(receipt, "quantization", tc_quant_to_json(&o->quant));
    json_t *sampling = json_object();
    json_object_set_new(sampling, "temperature", json_real(o->temperature));
    json_object_set_new(sampling, "top_k", json_integer(o->top_k));
    json_object_set_new(sampling, "top_p", json_real(o->top_p));
    char seedtxt[24];
    snprintf(seedtxt, sizeof seedtxt, "%llu", (unsigned long long)o->seed);
    json_object_set_new(sampling, "seed", json_string(seedtxt));
    json_object_set_new(receipt, "sampling", sampling);
    json_object_set_new(receipt, "environment", tc_run_environment(o->n_threads));
    if ((st = write_json_file(&rs, "receipt.json", receipt)) != TC_OK)
        goto out;

    /* ---- results */
    results = json_object();
    timing = json_object();
    json_object_set_new(timing, "load", json_real(sum->t_load));
    json_object_set_new(timing, "generate", json_real(sum->t_generate));
    json_object_set_new(timing, "capture", json_real(sum->t_capture));
    json_object_set_new(timing, "quantize", json_real(sum->t_quantize));
    json_object_set_new(timing, "layout", json_real(sum->t_layout));
    json_object_set_new(timing, "setup", json_real(sum->t_setup));
    json_object_set_new(timing, "commit", json_real(sum->t_commit));
    json_object_set_new(timing, "open", json_real(sum->t_open));
    json_object_set_new(timing, "verify", json_real(sum->t_verify));
    json_object_set_new(timing, "write_files", json_real(rs.t_write));
    sum->t_write = rs.t_write;
    json_object_set_new(results, "seconds", timing);
    /* what committing adds to generating: capture + quantize + layout + commit */
    double overhead = sum->t_capture + sum->t_quantize + sum->t_layout + sum->t_commit;
    json_object_set_new(results, "commit_overhead_vs_generate",
                        json_real(sum->t_generate > 0 ? overhead / sum->t_generate : 0));
    json_object_set_new(results, "n_values", json_integer((json_int_t)n_values));
    json_object_set_new(results, "grid_size", json_integer((json_int_t)lay.grid_size));
    json_object_set_new(results, "n_openings", json_integer((json_int_t)sum->n_openings));
    json_object_set_new(results, "n_verified", json_integer((json_int_t)sum->n_verified));
    json_object_set_new(results, "n_matched", json_integer((json_int_t)sum->n_matched));
    json_object_set_new(results, "all_proofs_verified", json_boolean(sum->all_verified));
    json_object_set_new(results, "all_ground_truth_matched", json_boolean(sum->all_matched));
    json_object_set_new(results, "artefact_bytes", json_incref(rs.artefacts));
    if ((st = write_json_file(&rs, "results.json", results)) == TC_OK)
        st = install_run(err, &rf, o);

out:
    if (rf.staging != NULL && !remove_flat(rf.staging))
        logf_(o, "note: could not remove the staging folder %s", rf.staging);
    run_folder_free(&rf);
    json_decref(receipt);
    json_decref(results);
    json_decref(rs.artefacts);
    free(layout_json);
    free(vk_json);
    free(proof_json);
    free(openings);
    tc_pst_slice_free(&slice);
    if (o->srs == NULL)
        tc_pst_srs_free(&srs);
    free(grid);
    free(qvals);
    free(hidden);
    free(text);
    free(seq);
    free(prompt_ids);
    tc_session_free(sess);
    if (o->model == NULL) {
        tc_tok_free(tok);
        tc_model_free(model);
    }
    return st;
}
