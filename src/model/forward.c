/* The forward pass over shared kernels: sessions (arena, KV cache, threads),
 * full and partial passes, and the capture hook calls.
 *
 * A block (pre-norm transformer, as HF Llama/Qwen2/GPT-2 compute it):
 *   h   = x + Wo . attn(RoPE(Wq n1(x) + bq), RoPE(Wk n1(x) + bk), Wv n1(x) + bv)
 *   out = h + Wd . act(n2(h))       act = silu(Wg .) * (Wu .)  (llama, qwen2)
 *                                       = gelu_new(Wu . + bu)   (gpt2)
 * Attention is causal softmax(q k^T / sqrt(d)) v per head (Vaswani et al.
 * 2017, eq. 1); query head h reads kv head h / (n_heads / n_kv_heads) (GQA,
 * as HF repeat_kv). */
#include "model/model_internal.h"
#include "model/kernels.h"
#include "model/pool.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/verify.h"

enum { LOGIT_CHUNK = 32 };
/* Below this many multiply-adds a kernel runs on the calling thread: waking
 * a worker costs more.  Splitting never changes results (rows are
 * independent), so this only affects speed. */
#define PAR_MIN_WORK ((size_t)1 << 16)

static void run_split(tc_pool *pool, tc_pool_fn fn, void *ctx, size_t n, size_t align,
                      size_t work)
{
    if (work < PAR_MIN_WORK)
        fn(ctx, 0, n);
    else
        tc_pool_run(pool, fn, ctx, n, align);
}

struct tc_session {
    const tc_model *m;
    tc_engine_opts opts;
    size_t cap;        /* positions the cache holds */
    size_t q_dim, kv_dim;
    tc_pool *pool;
    float *arena;      /* everything below lives here */
    float *x;          /* (cap, dim) residual stream */
    float *xb;         /* (cap, dim) normed rows */
    float *tmp;        /* (cap, dim) projection output */
    float *q;          /* (cap, q_dim) */
    float *att;        /* (cap, q_dim) attention output */
    float *hb, *hb2;   /* (cap, ffn) */
    float *kc;         /* (cap, kv_dim) new keys of the current block */
    float *vc;         /* (n_layers, cap, kv_dim) value cache */
    float *kt;         /* (n_layers, n_kv_heads, head_dim, cap): key cache
                          after RoPE, transposed for the score kernel */
    float *scores;     /* (n_heads, cap) */
    float *logits;     /* (LOGIT_CHUNK, vocab) */
    float *rope_cos, *rope_sin; /* (cap, head_dim / 2) */
};

size_t tc_session_capacity(const tc_session *s)
{
    return s->cap;
}

const tc_model *tc_session_model(const tc_session *s)
{
    return s->m;
}

void tc_session_free(tc_session *s)
{
    if (s == NULL)
        return;
    tc_pool_free(s->pool);
    free(s->arena);
    free(s);
}

tc_status tc_session_new(tc_error *err, tc_session **out, const tc_model *m,
                         const tc_engine_opts *opts)
{
    *out = NULL;
    const tc_model_config *c = &m->cfg;
    size_t cap = opts->max_seq ? opts->max_seq : (size_t)c->max_pos;
    if (cap > (size_t)c->max_pos)
        cap = (size_t)c->max_pos;
    if (c->sliding_window > 0 && cap > (size_t)c->sliding_window)
        cap = (size_t)c->sliding_window;
    if (opts->n_threads < 1)
        return tc_fail(err, TC_EARG, "thread count must be at least 1");
    tc_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    s->m = m;
    s->opts = *opts;
    s->cap = cap;
    s->q_dim = (size_t)c->n_heads * (size_t)c->head_dim;
    s->kv_dim = (size_t)c->n_kv_heads * (size_t)c->head_dim;
    size_t dim = (size_t)c->dim, ffn = (size_t)c->ffn, hh = (size_t)c->head_dim / 2;
    /* sizes of the arena's parts, in floats, each rounded to 16 (64 bytes) */
    size_t parts[] = {
        cap * dim, cap * dim, cap * dim, cap * s->q_dim, cap * s->q_dim, cap * ffn, cap * ffn,
        cap * s->kv_dim, (size_t)c->n_layers * cap * s->kv_dim,
        (size_t)c->n_layers * cap * s->kv_dim, (size_t)c->n_heads * cap, LOGIT_CHUNK * (size_t)c->vocab, cap * hh, cap * hh,
    };
    float **views[] = {&s->x, &s->xb, &s->tmp, &s->q, &s->att, &s->hb, &s->hb2, &s->kc,
                       &s->vc, &s->kt, &s->scores, &s->logits, &s->rope_cos, &s->rope_sin};
    /* The products above are below 2^62 when every factor is below 2^20
     * (layers and heads below 2^12); larger configurations are refused. */
    size_t dims[] = {cap, dim, ffn, s->q_dim, s->kv_dim, (size_t)c->vocab};
    for (size_t i = 0; i < TC_ARRAY_LEN(dims); i++)
        if (dims[i] >= ((size_t)1 << 20) * (i == 5 ? 16 : 1)) {
            tc_session_free(s);
            return tc_fail(err, TC_EUNSUPPORTED, "model dimensions too large for a session");
        }
    if (c->n_layers >= 4096 || c->n_heads >= 4096) {
        tc_session_free(s);
        return tc_fail(err, TC_EUNSUPPORTED, "model dimensions too large for a session");
    }
    size_t total = 0;
    for (size_t i = 0; i < TC_ARRAY_LEN(parts); i++)
        total += (parts[i] + 15) / 16 * 16;
    s->arena = aligned_alloc(64, total * sizeof(float));
    if (s->arena == NULL) {
        tc_session_free(s);
        return tc_fail(err, TC_ENOMEM, "cannot allocate %zu MB of activations",
                       total * sizeof(float) >> 20);
    }
    memset(s->arena, 0, total * sizeof(float));
    size_t at = 0;
    for (size_t i = 0; i < TC_ARRAY_LEN(parts); i++) {
        *views[i] = s->arena + at;
        at += (parts[i] + 15) / 16 * 16;
    }
    TC_VERIFY_CHECK(at == total);           /* the views tile the arena exactly */
    if (!m->learned_pos) {
        float *inv_freq = malloc((size_t)(c->head_dim / 2) * sizeof(float));
        if (inv_freq == NULL) {
            tc_session_free(s);
            return tc_fail(err, TC_ENOMEM, "cannot allocate the RoPE frequencies");
        }
        tc_rope_inv_freq(inv_freq, c->head_dim, c->rope_theta, &c->rope_scaling);
        tc_rope_tables(s->rope_cos, s->rope_sin, cap, c->head_dim, inv_freq);
        free(inv_freq);
    }
    tc_status st = tc_pool_new(err, &s->pool, opts->n_threads);
    if (st != TC_OK) {
        tc_session_free(s);
        return st;
    }
    if (!opts->deterministic)
        openblas_set_num_threads(opts->n_threads);
    *out = s;
    return TC_OK;
}

/* ------------------------------------------------------------------ linear */

/* Up to three projections of the same input X (T, in), e.g. q, k and v:
 * part i is Y_i (T, out_i) = X . W_i (out_i, in)^T + b_i.  One dispatch
 * covers all their rows, so a decoding step wakes the pool fewer times. */
typedef struct linear_job {
    const float *X;
    size_t T, in, n_parts, total;
    float *Y[3];
    const float *W[3], *b[3];
    size_t out[3];
    bool det;
} linear_job;

static void linear_part(void *ctx, size_t r0, size_t r1)
{
    const linear_job *j = ctx;
    size_t base = 0;
    for (size_t i = 0; i < j->n_parts; i++) {
        size_t lo = r0 > base ? r0 - base : 0, hi = r1 - base < j->out[i] ? r1 - base : j->out[i];
        if (r1 > base && lo < hi) {
            if (j->det)
                tc_matmul_det(j->Y[i], j->out[i], j->X, j->W[i], j->b[i], j->T, j->in, lo, hi);
            else
                tc_matvec_fast(j->Y[i], j->W[i], j->X, j->b[i], j->in, lo, hi);
        }
        base += j->out[i];
    }
}

/* Runs the job's projections.  Deterministic mode: the fixed-order kernel,
 * threads split by output rows; default mode: the SIMD matvec for one row,
 * sgemm for several. */
static void linear_run(tc_session *s, linear_job *j)
{
    j->det = s->opts.deterministic;
    j->total = 0;
    for (size_t i = 0; i < j->n_parts; i++)
        j->total += j->out[i];
    if (j->det || j->T == 1) {
        run_split(s->pool, linear_part, j, j->total, 16, j->T * j->in * j->total);
        return;
    }
    for (size_t i = 0; i < j->n_parts; i++) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)j->T, (int)j->out[i],
                    (int)j->in, 1.0f, j->X, (int)j->in, j->W[i], (int)j->in, 0.0f, j->Y[i],
                    (int)j->out[i]);
        if (j->b[i] != NULL)
            for (size_t t = 0; t < j->T; t++)
                tc_vec_add(j->Y[i] + t * j->out[i], j->b[i], j->out[i]);
    }
}

/* Y (T, out) = X (T, in) . W (out, in)^T + b. */
static void linear(tc_session *s, float *Y, const float *X, const float *W, const float *b,
                   size_t T, size_t in, size_t out)
{
    linear_job j = {.X = X, .T = T, .in = in, .n_parts = 1};
    j.Y[0] = Y;
    j.W[0] = W;
    j.b[0] = b;
    j.out[0] = out;
    linear_run(s, &j);
}

/* --------------------------------------------------------------- attention */

typedef struct attn_job {
    tc_session *s;
    int layer;
    size_t pos0, T;
} attn_job;

static void attn_part(void *ctx, size_t h0, size_t h1)
{
    const attn_job *j = ctx;
    tc_session *s = j->s;
    const tc_model_config *c = &s->m->cfg;
    size_t hd = (size_t)c->head_dim, group = (size_t)(c->n_heads / c->n_kv_heads);
    const float *vc = s->vc + (size_t)j->layer * s->cap * s->kv_dim;
    bool divide = s->m->cfg.arch == TC_ARCH_GPT2; /* HF GPT-2 divides by sqrt(d) */
    float scale = divide ? sqrtf((float)hd) : 1.0f / sqrtf((float)hd);
    for (size_t h = h0; h < h1; h++) {
        float *sc = s->scores + h * s->cap;
        size_t kvh = h / group;
        const float *kt = s->kt + (((size_t)j->layer * (size_t)c->n_kv_heads + kvh) * hd) * s->cap;
        for (size_t t = 0; t < j->T; t++) {
            size_t p = j->pos0 + t;
            tc_vec_scores(sc, s->q + t * s->q_dim + h * hd, kt, s->cap, hd, p + 1);
            tc_vec_scale(sc, scale, divide, p + 1);
            tc_vec_softmax(sc, p + 1);
            tc_vec_weighted_sum(s->att + t * s->q_dim + h * hd, sc, vc + kvh * hd, s->kv_dim, p + 1,
                            hd);
        }
    }
}

/* -------------------------------------------------------------------- block */

typedef struct rows_job {
    const tc_session *s;
    float *y, *y2;          /* (T, width) */
    const float *x, *w, *b; /* norm: x (T, dim), gains, bias */
    size_t width;
    int kind;               /* 0 norm, 1 silu(y) * y2, 2 gelu_new(y) */
} rows_job;

static void rows_part(void *ctx, size_t t0, size_t t1)
{
    const rows_job *j = ctx;
    const tc_model *m = j->s->m;
    size_t wd = j->width;
    for (size_t t = t0; t < t1; t++) {
        if (j->kind == 1)
            tc_vec_silu_mul(j->y + t * wd, j->y2 + t * wd, wd);
        else if (j->kind == 2)
            tc_vec_gelu_new(j->y + t * wd, wd);
        else if (m->layernorm)
            tc_vec_layernorm(j->y + t * wd, j->x + t * wd, j->w, j->b, wd, m->cfg.norm_eps);
        else
            tc_vec_rmsnorm(j->y + t * wd, j->x + t * wd, j->w, wd, m->cfg.norm_eps);
    }
}

/* Row-wise work over T rows, split by rows (results do not depend on it). */
static void rows_run(tc_session *s, rows_job *j, size_t T)
{
    run_split(s->pool, rows_part, j, T, 1, T * j->width * (j->kind ? 16 : 4));
}

static void norm_rows(tc_session *s, float *y, const float *x, const float *w, const float *b,
                      size_t T)
{
    rows_job j = {.s = s, .y = y, .x = x, .w = w, .b = b, .width = (size_t)s->m->cfg.dim};
    rows_run(s, &j, T);
}

/* Runs block l on s->x rows for positions pos0 .. pos0 + T - 1. */
static void block(tc_session *s, int l, size_t pos0, size_t T)
{
    const tc_model *m = s->m;
    const tc_model_config *c = &m->cfg;
    const tc_layer_weights *L = &m->layers[l];
    size_t dim = (size_t)c->dim, ffn = (size_t)c->ffn, hh = (size_t)c->head_dim / 2;
    float *kc = s->kc;
    float *vc = s->vc + ((size_t)l * s->cap + pos0) * s->kv_dim;

    norm_rows(s, s->xb, s->x, L->attn_norm, L->attn_norm_b, T);
    linear_job qkv = {.X = s->xb, .T = T, .in = dim, .n_parts = 3,
                      .Y = {s->q, kc, vc}, .W = {L->wq, L->wk, L->wv},
                      .b = {L->bq, L->bk, L->bv}, .out = {s->q_dim, s->kv_dim, s->kv_dim}};
    linear_run(s, &qkv);
    if (!m->learned_pos)
        for (size_t t = 0; t < T; t++) {
            const float *cs = s->rope_cos + (pos0 + t) * hh, *sn = s->rope_sin + (pos0 + t) * hh;
            tc_rope_apply(s->q + t * s->q_dim, c->n_heads, c->head_dim, cs, sn);
            tc_rope_apply(kc + t * s->kv_dim, c->n_kv_heads, c->head_dim, cs, sn);
        }
    /* keys into the transposed cache: kt[l][kv head][i][position] */
    float *kt = s->kt + (size_t)l * s->kv_dim * s->cap;
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < s->kv_dim; i++)
            kt[i * s->cap + pos0 + t] = kc[t * s->kv_dim + i];
    attn_job aj = {s, l, pos0, T};
    run_split(s->pool, attn_part, &aj, (size_t)c->n_heads, 1,
              T * (pos0 + T) * s->q_dim);
    linear(s, s->tmp, s->att, L->wo, L->bo, T, s->q_dim, dim);
    tc_vec_add(s->x, s->tmp, T * dim);

    norm_rows(s, s->xb, s->x, L->ffn_norm, L->ffn_norm_b, T);
    if (L->w_gate != NULL) {
        linear_job gu = {.X = s->xb, .T = T, .in = dim, .n_parts = 2, .Y = {s->hb, s->hb2},
                         .W = {L->w_gate, L->w_up}, .b = {L->b_gate, L->b_up},
                         .out = {ffn, ffn}};
        linear_run(s, &gu);
        rows_job act = {.s = s, .y = s->hb, .y2 = s->hb2, .width = ffn, .kind = 1};
        rows_run(s, &act, T);
    } else {
        linear(s, s->hb, s->xb, L->w_up, L->b_up, T, dim, ffn);
        rows_job act = {.s = s, .y = s->hb, .width = ffn, .kind = 2};
        rows_run(s, &act, T);
    }
    linear(s, s->tmp, s->hb, L->w_down, L->b_down, T, ffn, dim);
    tc_vec_add(s->x, s->tmp, T * dim);
}

static bool wants(const tc_hook *hook, int layer, tc_site site, size_t pos0, size_t T,
                  size_t width)
{
    return hook != NULL && hook->fn(hook->ctx, layer, site, pos0, T, width, NULL);
}

/* Block-boundary rounding (tc_engine_opts.round), after the hook. */
static void round_boundary(const tc_session *s, float *x, size_t n)
{
    if (s->opts.round != NULL)
        s->opts.round(s->opts.round_ctx, x, n);
}

/* Blocks first..last on s->x, the final norm into s->xb when last is the
 * final block, calling the hook (and filling out, when non-NULL, in the HF
 * convention). */
static void run_blocks(tc_session *s, int first, int last, size_t pos0, size_t T,
                       const tc_hook *hook, float *out)
{
    const tc_model *m = s->m;
    size_t dim = (size_t)m->cfg.dim;
    int L = m->cfg.n_layers;
    for (int l = first; l <= last; l++) {
        block(s, l, pos0, T);
        if (wants(hook, l, TC_SITE_BLOCK_OUT, pos0, T, dim))
            hook->fn(hook->ctx, l, TC_SITE_BLOCK_OUT, pos0, T, dim, s->x);
        if (out != NULL && l < L - 1)
            memcpy(out + (size_t)(l - first) * T * dim, s->x, T * dim * sizeof(float));
        if (l < L - 1)                  /* the last raw output feeds only the norm */
            round_boundary(s, s->x, T * dim);
    }
    if (last == L - 1) {
        norm_rows(s, s->xb, s->x, m->final_norm, m->final_norm_b, T);
        if (wants(hook, L - 1, TC_SITE_FINAL_NORM, pos0, T, dim))
            hook->fn(hook->ctx, L - 1, TC_SITE_FINAL_NORM, pos0, T, dim, s->xb);
        if (out != NULL)
            memcpy(out + (size_t)(last - first) * T * dim, s->xb, T * dim * sizeof(float));
        round_boundary(s, s->xb, T * dim);
    }
}

/* Token (and learned position) embeddings of tokens[0..n) at positions
 * pos.. into x (n, dim). */
static tc_status embed(tc_error *err, const tc_model *m, const int32_t *tokens, size_t n,
                       size_t pos, float *x)
{
    const tc_model_config *c = &m->cfg;
    size_t dim = (size_t)c->dim;
    for (size_t t = 0; t < n; t++)
        if (tokens[t] < 0 || tokens[t] >= c->vocab)
            return tc_fail(err, TC_EARG, "token id %d at index %zu is outside the vocabulary (%d)",
                           tokens[t], t, c->vocab);
    if (m->pos_embed != NULL && pos + n > (size_t)c->max_pos)
        return tc_fail(err, TC_EARG, "positions up to %zu exceed the model's %d", pos + n,
                       c->max_pos);
    for (size_t t = 0; t < n; t++) {
        memcpy(x + t * dim, m->tok_embed + (size_t)tokens[t] * dim, dim * sizeof(float));
        if (m->pos_embed != NULL)
            tc_vec_add(x + t * dim, m->pos_embed + (pos + t) * dim, dim);
    }
    return TC_OK;
}

const float *tc_model_head_weights(const tc_model *m)
{
    return m->lm_head;
}

tc_status tc_model_embed(tc_error *err, const tc_model *m, const int32_t *tokens, size_t T,
                         float *out)
{
    return embed(err, m, tokens, T, 0, out);
}

tc_status tc_session_head(tc_error *err, tc_session *s, const float *h, size_t T, float *logits)
{
    const tc_model *m = s->m;
    size_t dim = (size_t)m->cfg.dim, vocab = (size_t)m->cfg.vocab;
    (void)err;
    if (s->opts.deterministic) {
        /* one pass over the head's rows for all T: the fixed-order kernel
         * gives each row the bits it gives it alone */
        linear(s, logits, h, m->lm_head, NULL, T, dim, vocab);
        return TC_OK;
    }
    for (size_t t = 0; t < T; t++)
        linear(s, logits + t * vocab, h + t * dim, m->lm_head, NULL, 1, dim, vocab);
    return TC_OK;
}

tc_status tc_session_forward(tc_error *err, tc_session *s, const int32_t *tokens, size_t n,
                             size_t pos, const tc_hook *hook, float *logits_last)
{
    const tc_model *m = s->m;
    const tc_model_config *c = &m->cfg;
    size_t dim = (size_t)c->dim, vocab = (size_t)c->vocab;
    if (n == 0 || pos > s->cap || n > s->cap - pos)
        return tc_fail(err, TC_EARG, "positions %zu..%zu exceed the session's %zu", pos,
                       pos + n, s->cap);
    tc_status st = embed(err, m, tokens, n, pos, s->x);
    if (st != TC_OK)
        return st;
    if (wants(hook, -1, TC_SITE_EMBED, pos, n, dim))
        hook->fn(hook->ctx, -1, TC_SITE_EMBED, pos, n, dim, s->x);
    round_boundary(s, s->x, n * dim);
    run_blocks(s, 0, c->n_layers - 1, pos, n, hook, NULL);
    bool last_done = false;
    if (wants(hook, c->n_layers - 1, TC_SITE_LOGITS, pos, n, vocab)) {
        for (size_t t0 = 0; t0 < n; t0 += LOGIT_CHUNK) {
            size_t k = n - t0 < LOGIT_CHUNK ? n - t0 : LOGIT_CHUNK;
            linear(s, s->logits, s->xb + t0 * dim, m->lm_head, NULL, k, dim, vocab);
            hook->fn(hook->ctx, c->n_layers - 1, TC_SITE_LOGITS, pos + t0, k, vocab, s->logits);
            if (t0 + k == n && logits_last != NULL) {
                /* the last chunk holds the last position: no second head pass */
                memcpy(logits_last, s->logits + (k - 1) * vocab, vocab * sizeof *logits_last);
                last_done = true;
            }
        }
    }
    if (logits_last != NULL && !last_done)
        linear(s, logits_last, s->xb + (n - 1) * dim, m->lm_head, NULL, 1, dim, vocab);
    return TC_OK;
}

tc_status tc_session_run_blocks(tc_error *err, tc_session *s, const float *h_in, size_t T,
                                int first, int last, float *out, const tc_hook *hook)
{
    const tc_model_config *c = &s->m->cfg;
    if (first < 0 || last < first || last >= c->n_layers)
        return tc_fail(err, TC_EARG, "block range %d..%d outside 0..%d", first, last,
                       c->n_layers - 1);
    if (T == 0 || T > s->cap)
        return tc_fail(err, TC_EARG, "%zu positions; the session holds %zu", T, s->cap);
    memcpy(s->x, h_in, T * (size_t)c->dim * sizeof(float));
    run_blocks(s, first, last, 0, T, hook, out);
    return TC_OK;
}

/* ------------------------------------------------------------------ capture */

typedef struct capture_ctx {
    const tc_model_config *c;
    size_t T;
    float *hidden, *layer_out, *logits;
} capture_ctx;

static bool capture_hook(void *ctx, int layer, tc_site site, size_t pos0, size_t n,
                         size_t width, const float *data)
{
    capture_ctx *k = ctx;
    size_t dim = (size_t)k->c->dim, L = (size_t)k->c->n_layers;
    float *dst = NULL, *dst2 = NULL;
    switch (site) {
    case TC_SITE_EMBED:
        dst = k->hidden;
        break;
    case TC_SITE_BLOCK_OUT:
        dst = k->layer_out ? k->layer_out + (size_t)layer * k->T * dim : NULL;
        dst2 = k->hidden && (size_t)layer + 1 < L ? k->hidden + ((size_t)layer + 1) * k->T * dim
                                                  : NULL;
        break;
    case TC_SITE_FINAL_NORM:
        dst = k->hidden ? k->hidden + L * k->T * dim : NULL;
        break;
    case TC_SITE_LOGITS:
        dst = k->logits;
        break;
    }
    if (data == NULL)
        return dst != NULL || dst2 != NULL;
    if (dst != NULL)
        memcpy(dst + pos0 * width, data, n * width * sizeof(float));
    if (dst2 != NULL)
        memcpy(dst2 + pos0 * width, data, n * width * sizeof(float));
    return true;
}

tc_status tc_capture(tc_error *err, tc_session *s, const int32_t *tokens, size_t T,
                     float *hidden, float *layer_out, float *logits)
{
    capture_ctx k = {&s->m->cfg, T, hidden, layer_out, logits};
    tc_hook hook = {capture_hook, &k};
    return tc_session_forward(err, s, tokens, T, 0, &hook, NULL);
}
