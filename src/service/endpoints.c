/* The service's endpoints that touch runs: generate, receipt, respond and
 * open (docs/service.md). */
#include "service/server_internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/engine.h"
#include "protocol/textio.h"
#include "protocol/audit.h"
#include "protocol/run.h"
#include "tensor/npy.h"

#define GEN_RETRY_AFTER "2"

bool tc_svc_run_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n != TC_SVC_RUN_ID_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

static void run_path(char *out, size_t cap, const tc_service *s, const char *id, const char *file)
{
    snprintf(out, cap, "%s/%s%s%s", s->o->runs_dir, id, file ? "/" : "", file ? file : "");
}

/* 404 unless the run exists (its receipt is there). */
static bool run_exists(tc_service *s, tc_svc_reply *r, const char *id)
{
    char path[4096];
    struct stat sb;
    if (tc_svc_run_id_ok(id)) {
        run_path(path, sizeof path, s, id, "receipt.json");
        if (stat(path, &sb) == 0)
            return true;
    }
    tc_svc_error(r, 404, "unknown_run", "no run with id '%.40s'", id);
    return false;
}

/* The body as a JSON object, or a 400 reply. */
static json_t *body_object(tc_svc_reply *r, const char *body, size_t len)
{
    json_error_t je;
    json_t *o = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (o == NULL) {
        tc_svc_error(r, 400, "bad_json", "the body is not JSON: %s", body ? je.text : "empty");
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        tc_svc_error(r, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return o;
}

typedef struct gen_req {
    const char *prompt;
    size_t max_new;
    double temperature, top_p;
    int top_k;
    uint64_t seed;
} gen_req;

static bool gen_params(tc_service *s, tc_svc_reply *r, gen_req *g, json_t *in)
{
    const char *key;
    json_t *v;
    *g = (gen_req){NULL, 32, 0.0, 1.0, 0, 0};
    json_object_foreach(in, key, v) {
        bool ok;
        if (!strcmp(key, "prompt"))
            ok = (g->prompt = json_string_value(v)) != NULL;
        else if (!strcmp(key, "max_new_tokens"))
            ok = json_is_integer(v) && json_integer_value(v) >= 1 &&
                 (size_t)json_integer_value(v) < s->o->max_context &&
                 (g->max_new = (size_t)json_integer_value(v), true);
        else if (!strcmp(key, "temperature"))
            ok = json_is_number(v) && (g->temperature = json_number_value(v)) >= 0 &&
                 g->temperature <= 100;
        else if (!strcmp(key, "top_p"))
            ok = json_is_number(v) && (g->top_p = json_number_value(v)) > 0 && g->top_p <= 1;
        else if (!strcmp(key, "top_k"))
            ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
                 json_integer_value(v) <= 1 << 20 && (g->top_k = (int)json_integer_value(v), true);
        else if (!strcmp(key, "seed"))
            ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
                 (g->seed = (uint64_t)json_integer_value(v), true);
        else if (!strcmp(key, "tokens")) {
            tc_svc_error(r, 400, "unsupported", "send the prompt as text (\"prompt\"): receipts "
                         "record the prompt text");
            return false;
        } else {
            tc_svc_error(r, 400, "bad_request", "unknown field \"%s\"", key);
            return false;
        }
        if (!ok) {
            tc_svc_error(r, 400, "bad_request", "\"%s\" has the wrong type or is out of range "
                         "(max_new_tokens 1..%zu, temperature 0..100, top_p (0, 1], top_k and "
                         "seed non-negative integers)", key, s->o->max_context - 1);
            return false;
        }
    }
    if (g->prompt == NULL) {
        tc_svc_error(r, 400, "bad_request", "\"prompt\" (a string) is required");
        return false;
    }
    return true;
}

/* Waits for the generation slot: false (503 reply) when the queue is full
 * or the server is shutting down. */
static bool gen_acquire(tc_service *s, tc_svc_reply *r)
{
    pthread_mutex_lock(&s->mu);
    bool busy = s->gen_busy && s->gen_waiting >= s->o->queue_max;
    if (busy || s->draining) {
        s->m.rejected_busy += busy;
        pthread_mutex_unlock(&s->mu);
        if (busy)
            tc_svc_error(r, 503, "busy", "%zu generation(s) already waiting; try again later",
                         s->o->queue_max);
        else
            tc_svc_error(r, 503, "shutting_down", "the server is shutting down");
        snprintf(r->retry_after, sizeof r->retry_after, "%s", GEN_RETRY_AFTER);
        return false;
    }
    s->gen_waiting++;
    while (s->gen_busy)
        pthread_cond_wait(&s->cv, &s->mu);
    s->gen_waiting--;
    s->gen_busy = true;
    pthread_mutex_unlock(&s->mu);
    return true;
}

static void gen_release(tc_service *s, const tc_run_summary *sum, bool ok)
{
    pthread_mutex_lock(&s->mu);
    s->gen_busy = false;
    if (ok) {
        s->m.runs++;
        s->m.generated_tokens += sum->n_tokens - sum->n_prompt;
        s->m.commit_seconds += sum->t_commit;
        s->m.generate_seconds += sum->t_generate;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static json_t *load_receipt(tc_service *s, const char *id)
{
    char path[4096];
    run_path(path, sizeof path, s, id, "receipt.json");
    return json_load_file(path, 0, NULL);
}

static void gen_reply(tc_service *s, tc_svc_reply *r, const char *id)
{
    json_t *rc = load_receipt(s, id);
    if (rc == NULL) {
        tc_svc_error(r, 500, "internal", "the run's receipt cannot be read back");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "run_id", json_string(id));
    json_object_set(o, "text", json_object_get(rc, "text"));
    json_object_set(o, "tokens", json_object_get(rc, "tokens"));
    json_object_set(o, "n_prompt_tokens", json_object_get(rc, "n_prompt_tokens"));
    json_object_set(o, "commitment", json_object_get(rc, "commitment"));
    json_object_set_new(o, "receipt", rc);
    json_object_set_new(o, "srs_testing", json_boolean(s->srs_testing));
    if (s->srs_testing)
        json_object_set_new(o, "warning", json_string("the SRS is a testing one: its openings "
                                                      "prove nothing to a third party"));
    tc_svc_json(r, 200, o);
}

void tc_svc_generate(tc_service *s, tc_svc_reply *r, const char *body, size_t len)
{
    json_t *in = body_object(r, body, len);
    gen_req g;
    if (in == NULL || !gen_params(s, r, &g, in)) {
        json_decref(in);
        return;
    }
    int32_t *ids = NULL;
    size_t n_prompt = 0;
    tc_error e = {0};
    if (tc_engine_encode(&e, s->model, s->tok, g.prompt, 0, &ids, &n_prompt) != TC_OK ||
        n_prompt + g.max_new > s->o->max_context) {
        if (e.msg[0] == '\0')
            snprintf(e.msg, sizeof e.msg, "%zu prompt tokens + %zu new exceed the server's "
                     "context of %zu tokens", n_prompt, g.max_new, s->o->max_context);
        tc_svc_error(r, 400, "bad_prompt", "%s", e.msg);
        free(ids);
        json_decref(in);
        return;
    }
    free(ids);
    uint8_t rnd[TC_SVC_RUN_ID_LEN / 2];
    char id[TC_SVC_RUN_ID_LEN + 1], out[4096];
    if (tc_os_random(&e, rnd, sizeof rnd) != TC_OK) {
        tc_svc_error(r, 500, "internal", "%s", e.msg);
        json_decref(in);
        return;
    }
    tc_hex_encode(id, rnd, sizeof rnd);
    run_path(out, sizeof out, s, id, NULL);
    if (!gen_acquire(s, r)) {
        json_decref(in);
        return;
    }
    tc_run_opts ro;
    tc_run_opts_default(&ro);
    ro.model_dir = s->o->model_dir;
    ro.prompt = g.prompt;
    ro.max_new_tokens = g.max_new;
    ro.temperature = (float)g.temperature;
    ro.top_k = g.top_k;
    ro.top_p = (float)g.top_p;
    ro.seed = g.seed;
    ro.srs = &s->srs;
    ro.model = s->model;
    ro.tok = s->tok;
    ro.token_capacity = s->o->max_context;
    ro.no_open = true;
    ro.deterministic = true;
    ro.n_threads = s->o->n_threads;
    ro.out_dir = out;
    tc_run_summary sum;
    tc_status st = tc_run(&e, &sum, &ro);
    gen_release(s, &sum, st == TC_OK);
    json_decref(in);
    if (st != TC_OK)
        tc_svc_error(r, 500, "run_failed", "%s", e.msg[0] ? e.msg : tc_strerror(st));
    else
        gen_reply(s, r, id);
}

static void file_reply(tc_svc_reply *r, const char *path)
{
    tc_error e = {0};
    uint8_t *data;
    size_t n;
    if (tc_read_file(&e, &data, &n, path, (size_t)1 << 30) != TC_OK) {
        tc_svc_error(r, 500, "internal", "cannot read a file of the run");
        return;
    }
    r->status = 200;
    r->body = (char *)data;
    r->len = n;
    r->content_type = "application/json";
}

void tc_svc_receipt(tc_service *s, tc_svc_reply *r, const char *id)
{
    char path[4096];
    if (!run_exists(s, r, id))
        return;
    run_path(path, sizeof path, s, id, "receipt.json");
    file_reply(r, path);
    if (r->status == 200 && s->srs_testing)
        r->warning = "testing SRS: openings against it prove nothing to a third party";
}

void tc_svc_respond(tc_service *s, tc_svc_reply *r, const char *id, const char *body, size_t len)
{
    json_t *in = body_object(r, body, len);
    json_decref(in);
    if (in == NULL || !run_exists(s, r, id))
        return;
    uint8_t rnd[8];
    char tag[17], ch_path[4096], out_path[4096], run_dir[4096];
    tc_error e = {0};
    if (tc_os_random(&e, rnd, sizeof rnd) != TC_OK) {
        tc_svc_error(r, 500, "internal", "%s", e.msg);
        return;
    }
    tc_hex_encode(tag, rnd, sizeof rnd);
    snprintf(ch_path, sizeof ch_path, "%s/.challenge.%s.json", s->o->runs_dir, tag);
    snprintf(out_path, sizeof out_path, "%s/.response.%s.json", s->o->runs_dir, tag);
    run_path(run_dir, sizeof run_dir, s, id, NULL);
    tc_status st = tc_write_file_atomic(&e, ch_path, body, len);
    if (st == TC_OK) {
        tc_respond_opts ro = {.run_dir = run_dir, .srs = &s->srs, .challenge_path = ch_path,
                              .out_path = out_path, .n_threads = s->o->n_threads};
        st = tc_respond(&e, &ro);
    }
    if (st == TC_OK) {
        file_reply(r, out_path);
        pthread_mutex_lock(&s->mu);
        s->m.responses++;
        pthread_mutex_unlock(&s->mu);
    } else if (st == TC_EFORMAT || st == TC_EARG || st == TC_EUNSUPPORTED) {
        tc_svc_error(r, 422, "bad_challenge", "%s", e.msg);
    } else {
        tc_svc_error(r, 500, "respond_failed", "%s", e.msg);
    }
    unlink(ch_path);
    unlink(out_path);
}

/* {"points": [[c0, ..], ..], "slices": [{"level": j, "prefix": [c0, ..]}, ..]}:
 * grid coordinates only. */
#define OPEN_MAX_POINTS 256
#define OPEN_MAX_SLICES 16

static bool coords(const json_t *a, const tc_pst_shape *sh, size_t n, tc_fr *z)
{
    if (!json_is_array(a) || json_array_size(a) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(a, i);
        if (!json_is_integer(c) || json_integer_value(c) < 0 ||
            json_integer_value(c) >= (json_int_t)sh->n[i])
            return false;
        tc_fr_from_u64(&z[i], (uint64_t)json_integer_value(c));
    }
    return true;
}

typedef struct open_req {
    size_t n_points, n_slices;
    tc_fr *points;                          /* (n_points, m) */
    tc_fr slice_z[OPEN_MAX_SLICES][TC_PST_MAX_VARS];
    int slice_j[OPEN_MAX_SLICES];
} open_req;

static bool open_params(tc_svc_reply *r, open_req *q, const json_t *in, const tc_pst_shape *sh)
{
    const json_t *pts = json_object_get(in, "points"), *sls = json_object_get(in, "slices");
    size_t np = json_array_size(pts), ns = json_array_size(sls), m = (size_t)sh->m;
    if ((pts != NULL && !json_is_array(pts)) || (sls != NULL && !json_is_array(sls)) ||
        np + ns == 0 || np > OPEN_MAX_POINTS || ns > OPEN_MAX_SLICES ||
        json_object_size(in) != (size_t)(pts != NULL) + (size_t)(sls != NULL)) {
        tc_svc_error(r, 400, "bad_request", "expected {\"points\": [[..]], \"slices\": [{\"level\", "
                     "\"prefix\"}]}: 1 to %d points, at most %d slices, nothing else",
                     OPEN_MAX_POINTS, OPEN_MAX_SLICES);
        return false;
    }
    q->n_points = np, q->n_slices = ns;
    if ((q->points = malloc((np * m + 1) * sizeof *q->points)) == NULL) {
        tc_svc_error(r, 500, "internal", "out of memory");
        return false;
    }
    for (size_t i = 0; i < np; i++)
        if (!coords(json_array_get(pts, i), sh, m, q->points + i * m)) {
            tc_svc_error(r, 400, "bad_request", "point %zu: %zu grid coordinates, each below "
                         "its axis size", i, m);
            return false;
        }
    for (size_t i = 0; i < ns; i++) {
        const json_t *sl = json_array_get(sls, i), *lv = json_object_get(sl, "level");
        json_int_t j = json_integer_value(lv);
        if (!json_is_integer(lv) || j < 1 || j > sh->m ||
            !coords(json_object_get(sl, "prefix"), sh, (size_t)j, q->slice_z[i])) {
            tc_svc_error(r, 400, "bad_request", "slice %zu: level 1..%d and that many grid "
                         "coordinates as its prefix", i, sh->m);
            return false;
        }
        q->slice_j[i] = (int)j;
    }
    return true;
}

static tc_status open_run(tc_error *e, char **json, tc_service *s, const open_req *q,
                          const tc_npy *grid, const tc_g1_affine *c)
{
    tc_pst_opening *op = calloc(q->n_points + 1, sizeof *op);
    tc_pst_slice sl[OPEN_MAX_SLICES];
    size_t done = 0;
    tc_status st = op ? TC_OK : tc_fail(e, TC_ENOMEM, "out of memory");
    if (st == TC_OK && q->n_points > 0)
        st = tc_pst_open(e, op, &s->srs, grid->data, grid->count, q->points, q->n_points,
                         s->o->n_threads);
    for (; st == TC_OK && done < q->n_slices; done++)
        st = tc_pst_open_slice(e, &sl[done], &s->srs, grid->data, grid->count, q->slice_z[done],
                               q->slice_j[done], s->o->n_threads);
    if (st == TC_OK)
        st = tc_pst_proof_encode(e, json, &s->srs.shape, c, op, q->n_points, sl, done);
    for (size_t i = 0; i < done; i++)
        tc_pst_slice_free(&sl[i]);
    free(op);
    return st;
}

void tc_svc_open(tc_service *s, tc_svc_reply *r, const char *id, const char *body, size_t len)
{
    json_t *in = body_object(r, body, len), *rc = NULL;
    open_req q = {0};
    tc_npy grid = {0};
    if (in == NULL || !run_exists(s, r, id) || !open_params(r, &q, in, &s->srs.shape))
        goto out;
    char path[4096], why[160];
    tc_error e = {0};
    tc_g1_affine c;
    rc = load_receipt(s, id);
    const char *hex = json_string_value(json_object_get(rc, "commitment"));
    run_path(path, sizeof path, s, id, "grid.npy");
    if (hex == NULL || !tc_pst_point_from_hex(&c, hex, why) || tc_npy_read(&e, &grid, path) != TC_OK ||
        grid.dtype != TC_NPY_I64 || grid.count != tc_pst_suffix_size(&s->srs.shape, 0)) {
        tc_svc_error(r, 500, "bad_run", "the run's receipt or grid.npy cannot be read");
        goto out;
    }
    char *json = NULL;
    if (open_run(&e, &json, s, &q, &grid, &c) != TC_OK) {
        tc_svc_error(r, 500, "open_failed", "%s", e.msg);
        goto out;
    }
    r->status = 200;
    r->body = json;
    r->len = strlen(json);
    pthread_mutex_lock(&s->mu);
    s->m.openings += q.n_points + q.n_slices;
    pthread_mutex_unlock(&s->mu);
out:
    tc_npy_free(&grid);
    free(q.points);
    json_decref(rc);
    json_decref(in);
}
