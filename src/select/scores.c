/* Per-matrix scores: eigenvalues and fits on worker threads, failed-fit
 * filling, ratios, significance and block aggregation
 * (docs/layer-selection.md §5-6). */
#include "select/select.h"
#include "util/util.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void tc_select_scores_init(tc_select_scores *s)
{
    memset(s, 0, sizeof *s);
    s->metric = TC_METRIC_ALPHA_PEAK;
    tc_select_map_params_default(&s->map, 0);
}

void tc_select_scores_free(tc_select_scores *s)
{
    if (s == NULL)
        return;
    free(s->layers);
    free(s->blocks);
    s->layers = NULL;
    s->blocks = NULL;
    s->num_layers = 0;
}

void tc_select_options_default(tc_select_options *o)
{
    memset(o, 0, sizeof *o);
    o->metric = TC_METRIC_ALPHA_PEAK;
    tc_select_map_params_default(&o->map, 0);
    o->n_threads = 1;
}

/* ------------------------------------------------------------ threads */

typedef struct work {
    tc_select_scores *s;
    tc_select_load_fn load;
    void *load_ctx;
    const tc_select_options *o;
    size_t max_elems, max_n;        /* largest matrix, largest min(rows, cols) */
    pthread_mutex_t lock;
    size_t next, done;
    bool failed;
    size_t fail_index;              /* lowest failing layer (deterministic message) */
    tc_error fail_err;
    tc_status fail_status;
} work;

static tc_status score_one(work *wk, tc_error *err, double *w, double *evals, size_t l)
{
    tc_select_layer *ly = &wk->s->layers[l];
    size_t rows = (size_t)ly->shape[0], cols = (size_t)ly->shape[1];
    tc_status st = wk->load(wk->load_ctx, err, w, l);
    if (st != TC_OK)
        return st;
    st = tc_esd_eigenvalues_with(err, evals, w, rows, cols, wk->o->eig);
    if (st != TC_OK) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return tc_fail(err, st, "%s: %s", ly->name, msg);
    }
    tc_esd_fit fit;
    st = tc_esd_fit_metric(err, &fit, evals, rows < cols ? rows : cols, wk->o->metric);
    if (st != TC_OK)
        return st;
    ly->fit_ok = fit.ok;
    ly->metric_value = fit.ok ? fit.alpha : 0;
    return TC_OK;
}

/* Each worker takes the next unscored matrix until none is left. */
static void *worker(void *arg)
{
    work *wk = *(work **)arg;
    double *w = malloc(wk->max_elems * sizeof *w);
    double *evals = malloc(wk->max_n * sizeof *evals);
    for (;;) {
        pthread_mutex_lock(&wk->lock);
        size_t l = wk->next++;
        bool stop = wk->failed || l >= wk->s->num_layers;
        pthread_mutex_unlock(&wk->lock);
        if (stop)
            break;
        tc_error err = {0};
        tc_status st = (w && evals) ? score_one(wk, &err, w, evals, l)
                                    : tc_fail(&err, TC_ENOMEM, "out of memory for a %zu-element matrix",
                                              wk->max_elems);
        pthread_mutex_lock(&wk->lock);
        if (st != TC_OK) {
            if (!wk->failed || l < wk->fail_index) {
                wk->fail_index = l;
                wk->fail_err = err;
                wk->fail_status = st;
            }
            wk->failed = true;
        } else {
            wk->done++;
            if (wk->o->progress)
                wk->o->progress(wk->o->progress_ctx, wk->done, wk->s->num_layers,
                                wk->s->layers[l].name);
        }
        pthread_mutex_unlock(&wk->lock);
    }
    free(w);
    free(evals);
    return NULL;
}

tc_status tc_select_scores_compute(tc_error *err, tc_select_scores *s,
                                   tc_select_load_fn load, void *load_ctx,
                                   const tc_select_options *o)
{
    if (s->num_layers == 0)
        return tc_fail(err, TC_EARG, "no prunable matrices");
    if (o->n_threads < 1 || o->n_threads > 1024)
        return tc_fail(err, TC_EARG, "thread count %d out of range", o->n_threads);
    work wk = {.s = s, .load = load, .load_ctx = load_ctx, .o = o};
    for (size_t l = 0; l < s->num_layers; l++) {
        size_t rows = (size_t)s->layers[l].shape[0], cols = (size_t)s->layers[l].shape[1];
        size_t elems;
        if (rows == 0 || cols == 0 || !tc_mul_size(&elems, rows, cols))
            return tc_fail(err, TC_EFORMAT, "%s: bad shape", s->layers[l].name);
        if (elems > wk.max_elems)
            wk.max_elems = elems;
        if ((rows < cols ? rows : cols) > wk.max_n)
            wk.max_n = rows < cols ? rows : cols;
    }
    size_t nt = (size_t)o->n_threads < s->num_layers ? (size_t)o->n_threads : s->num_layers;
    if (nt > TC_MAX_THREADS)
        nt = TC_MAX_THREADS;
    work *args[TC_MAX_THREADS];
    for (size_t t = 0; t < nt; t++)
        args[t] = &wk;
    pthread_mutex_init(&wk.lock, NULL);
    tc_run_threads(worker, args, sizeof args[0], (int)nt);
    pthread_mutex_destroy(&wk.lock);
    if (wk.failed) {
        if (err)
            *err = wk.fail_err;
        return wk.fail_status;
    }
    s->metric = o->metric;
    size_t nb = s->map.num_blocks;
    s->map = o->map;
    s->map.num_blocks = nb;
    return tc_select_scores_finish(err, s);
}

/* ------------------------------------------------------ finishing */

tc_status tc_select_scores_finish(tc_error *err, tc_select_scores *s)
{
    size_t L = s->num_layers, nb = s->map.num_blocks;
    double *metrics = NULL, *ratios = NULL, *sig = NULL;
    uint64_t *params = NULL;
    tc_status st = TC_OK;
    if (L == 0 || nb == 0 || L % nb != 0)
        return tc_fail(err, TC_EFORMAT, "%zu prunable matrices do not split into %zu equal blocks",
                       L, nb);
    size_t per = L / nb;
    for (size_t l = 0; l < L; l++)
        if (s->layers[l].block_index != l / per)
            return tc_fail(err, TC_EFORMAT,
                           "%s: block %zu, but blocks must hold %zu consecutive matrices each",
                           s->layers[l].name, s->layers[l].block_index, per);

    /* §5: a failed fit takes the mean of the successful ones (0 if none). */
    double sum = 0;
    size_t n_ok = 0;
    for (size_t l = 0; l < L; l++)
        if (s->layers[l].fit_ok) {
            sum += s->layers[l].metric_value;
            n_ok++;
        }
    double fill = n_ok ? sum / (double)n_ok : 0.0;
    metrics = malloc(L * sizeof *metrics);
    ratios = malloc(L * sizeof *ratios);
    sig = malloc(L * sizeof *sig);
    params = malloc(L * sizeof *params);
    if (!metrics || !ratios || !sig || !params) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for %zu matrices", L);
        goto out;
    }
    for (size_t l = 0; l < L; l++) {
        if (!s->layers[l].fit_ok)
            s->layers[l].metric_value = fill;
        metrics[l] = s->layers[l].metric_value;
        params[l] = s->layers[l].num_parameters;
    }
    st = tc_select_map(err, ratios, sig, metrics, params, L, &s->map);
    if (st != TC_OK)
        goto out;
    for (size_t l = 0; l < L; l++) {
        s->layers[l].pruning_ratio = ratios[l];
        s->layers[l].significance = sig[l];
    }

    st = tc_select_scores_blocks(err, s);
out:
    free(metrics);
    free(ratios);
    free(sig);
    free(params);
    return st;
}

tc_status tc_select_scores_blocks(tc_error *err, tc_select_scores *s)
{
    size_t L = s->num_layers, nb = s->map.num_blocks;
    if (L == 0 || nb == 0 || L % nb != 0)
        return tc_fail(err, TC_EFORMAT, "%zu prunable matrices do not split into %zu equal blocks",
                       L, nb);
    size_t per = L / nb;
    free(s->blocks);
    s->blocks = calloc(nb, sizeof *s->blocks);
    if (s->blocks == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu blocks", nb);
    for (size_t b = 0; b < nb; b++) {
        tc_select_block *bl = &s->blocks[b];
        double vs = 0, rs = 0;
        uint64_t cost = 0;
        for (size_t l = b * per; l < (b + 1) * per; l++) {
            vs += s->layers[l].significance;
            rs += s->layers[l].pruning_ratio;
            if (__builtin_add_overflow(cost, s->layers[l].num_parameters, &cost))
                return tc_fail(err, TC_EFORMAT, "block %zu: parameter count overflows", b);
        }
        bl->start_layer = b * per;
        bl->end_layer = (b + 1) * per - 1;
        bl->total_parameters = cost;
        bl->sum_significance = vs;
        bl->avg_significance = vs / (double)per;
        bl->avg_pruning_ratio = rs / (double)per;
    }
    return TC_OK;
}
