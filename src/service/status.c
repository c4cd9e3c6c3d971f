/* What the service says about itself: /v1/health, /v1/metrics (Prometheus
 * text exposition) and the human page at /. */
#include "service/server_internal.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const double latency_le[TC_SVC_LATENCY_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                           0.25,  0.5,  1,     2.5,  10};

void tc_svc_metrics_note(tc_service *s, unsigned status, double seconds)
{
    pthread_mutex_lock(&s->mu);
    s->m.requests[status >= 100 && status < 600 ? status / 100 : 0]++;
    for (int b = 0; b < TC_SVC_LATENCY_BUCKETS; b++)
        if (seconds <= latency_le[b])
            s->m.latency_count[b]++;
    s->m.latency_count[TC_SVC_LATENCY_BUCKETS]++;
    s->m.latency_sum += seconds;
    pthread_mutex_unlock(&s->mu);
}

void tc_svc_health(tc_service *s, tc_svc_reply *r)
{
    json_t *o = json_object();
    pthread_mutex_lock(&s->mu);
    json_object_set_new(o, "status", json_string(s->draining ? "draining" : "ok"));
    json_object_set_new(o, "queue_depth", json_integer((json_int_t)s->gen_waiting));
    json_object_set_new(o, "generating", json_boolean(s->gen_busy));
    pthread_mutex_unlock(&s->mu);
    json_object_set_new(o, "model_type", json_string(s->model_type));
    json_object_set_new(o, "srs_id", json_string(s->srs_id));
    json_object_set_new(o, "srs_origin", json_string(s->srs_origin));
    json_object_set_new(o, "srs_testing", json_boolean(s->srs_testing));
    json_object_set_new(o, "max_context", json_integer((json_int_t)s->o->max_context));
    tc_svc_json(r, 200, o);
}

/* A growing text buffer. */
typedef struct text {
    char *p;
    size_t len, cap;
    bool failed;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    for (int pass = 0; pass < 2 && !t->failed; pass++) {
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
        } else if (t->p != NULL && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        } else {
            size_t cap = 2 * (t->cap + (size_t)n + 64);
            char *q = realloc(t->p, cap);
            if (q == NULL)
                t->failed = true;
            else
                t->p = q, t->cap = cap;
        }
    }
}

static void text_reply(tc_svc_reply *r, text *t, const char *type)
{
    if (t->failed || t->p == NULL) {
        free(t->p);
        tc_svc_error(r, 500, "internal", "out of memory");
        return;
    }
    r->status = 200;
    r->body = t->p;
    r->len = t->len;
    r->content_type = type;
}

void tc_svc_metrics_text(tc_service *s, tc_svc_reply *r)
{
    text t = {0};
    pthread_mutex_lock(&s->mu);
    tc_svc_metrics m = s->m;
    size_t waiting = s->gen_waiting;
    bool busy = s->gen_busy;
    pthread_mutex_unlock(&s->mu);
    add(&t, "# HELP tensorcommit_requests_total HTTP requests answered, by status class.\n"
            "# TYPE tensorcommit_requests_total counter\n");
    for (int c = 1; c < 6; c++)
        add(&t, "tensorcommit_requests_total{code=\"%dxx\"} %llu\n", c, m.requests[c]);
    add(&t, "# HELP tensorcommit_request_seconds Time to answer a request.\n"
            "# TYPE tensorcommit_request_seconds histogram\n");
    for (int b = 0; b < TC_SVC_LATENCY_BUCKETS; b++)
        add(&t, "tensorcommit_request_seconds_bucket{le=\"%g\"} %llu\n", latency_le[b],
            m.latency_count[b]);
    add(&t, "tensorcommit_request_seconds_bucket{le=\"+Inf\"} %llu\n"
            "tensorcommit_request_seconds_sum %.6f\n"
            "tensorcommit_request_seconds_count %llu\n",
        m.latency_count[TC_SVC_LATENCY_BUCKETS], m.latency_sum,
        m.latency_count[TC_SVC_LATENCY_BUCKETS]);
    add(&t, "# HELP tensorcommit_queue_depth Generation requests waiting.\n"
            "# TYPE tensorcommit_queue_depth gauge\ntensorcommit_queue_depth %zu\n"
            "# HELP tensorcommit_generating Whether a generation is running.\n"
            "# TYPE tensorcommit_generating gauge\ntensorcommit_generating %d\n",
        waiting, busy ? 1 : 0);
    add(&t, "# HELP tensorcommit_runs_total Runs generated and committed.\n"
            "# TYPE tensorcommit_runs_total counter\ntensorcommit_runs_total %llu\n"
            "# HELP tensorcommit_generated_tokens_total Tokens generated.\n"
            "# TYPE tensorcommit_generated_tokens_total counter\n"
            "tensorcommit_generated_tokens_total %llu\n"
            "# HELP tensorcommit_busy_rejections_total Generations refused with 503 (queue full).\n"
            "# TYPE tensorcommit_busy_rejections_total counter\n"
            "tensorcommit_busy_rejections_total %llu\n",
        m.runs, m.generated_tokens, m.rejected_busy);
    add(&t, "# HELP tensorcommit_commit_seconds_total Seconds spent committing runs.\n"
            "# TYPE tensorcommit_commit_seconds_total counter\n"
            "tensorcommit_commit_seconds_total %.6f\n"
            "# HELP tensorcommit_generate_seconds_total Seconds spent generating.\n"
            "# TYPE tensorcommit_generate_seconds_total counter\n"
            "tensorcommit_generate_seconds_total %.6f\n"
            "# HELP tensorcommit_responses_total Challenges answered.\n"
            "# TYPE tensorcommit_responses_total counter\ntensorcommit_responses_total %llu\n"
            "# HELP tensorcommit_openings_total Points and slices opened through /open.\n"
            "# TYPE tensorcommit_openings_total counter\ntensorcommit_openings_total %llu\n",
        m.commit_seconds, m.generate_seconds, m.responses, m.openings);
    text_reply(r, &t, "text/plain; version=0.0.4");
}

static void add_escaped(text *t, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '<': add(t, "&lt;"); break;
        case '>': add(t, "&gt;"); break;
        case '&': add(t, "&amp;"); break;
        case '"': add(t, "&quot;"); break;
        default: add(t, "%c", *s);
        }
    }
}

#define PAGE_RUNS 10

typedef struct recent { char id[TC_SVC_RUN_ID_LEN + 1]; double mtime; } recent;

/* The newest runs (by receipt time), newest first. */
static size_t recent_runs(const tc_service *s, recent *out)
{
    size_t n = 0;
    DIR *d = opendir(s->o->runs_dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s/receipt.json", s->o->runs_dir, e->d_name);
        if (!tc_svc_run_id_ok(e->d_name) || stat(path, &sb) != 0)
            continue;
        recent x;
        memcpy(x.id, e->d_name, sizeof x.id);     /* a run id: exactly that long */
        x.mtime = (double)sb.st_mtim.tv_sec + 1e-9 * (double)sb.st_mtim.tv_nsec;
        size_t i = n < PAGE_RUNS ? n++ : PAGE_RUNS;
        while (i > 0 && out[i - 1].mtime < x.mtime) {
            if (i < PAGE_RUNS)
                out[i] = out[i - 1];
            i--;
        }
        if (i < PAGE_RUNS)
            out[i] = x;
    }
    if (d != NULL)
        closedir(d);
    return n;
}

static void page_runs(const tc_service *s, text *t)
{
    recent runs[PAGE_RUNS];
    size_t n = recent_runs(s, runs);
    add(t, "<h2>Recent runs</h2>\n");
    if (n == 0)
        add(t, "<p>No runs yet.</p>\n");
    else
        add(t, "<table><tr><th>run id</th><th>commitment</th><th>text</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/receipt.json", s->o->runs_dir, runs[i].id);
        json_t *rc = json_load_file(path, 0, NULL);
        add(t, "<tr><td><code>%s</code></td><td><code>", runs[i].id);
        add_escaped(t, json_string_value(json_object_get(rc, "commitment")));
        add(t, "</code></td><td>");
        add_escaped(t, json_string_value(json_object_get(rc, "prompt")));
        add(t, "<b>");
        add_escaped(t, json_string_value(json_object_get(rc, "text")));
        add(t, "</b></td></tr>\n");
        json_decref(rc);
    }
    if (n > 0)
        add(t, "</table>\n");
}

void tc_svc_page(tc_service *s, tc_svc_reply *r)
{
    text t = {0};
    add(&t, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tensorcommit prover"
            "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "code{font-size:90%%;word-break:break-all}td{vertical-align:top;padding:.3em}"
            ".warn{background:#fdd;padding:.5em;border:1px solid #c00}</style></head><body>\n"
            "<h1>tensorcommit prover</h1>\n");
    if (s->srs_testing)
        add(&t, "<p class=\"warn\" id=\"testing\">WARNING: this server uses a testing SRS "
                "(origin %s): whoever knows its seed can forge every opening, so its proofs "
                "prove nothing.</p>\n", s->srs_origin);
    add(&t, "<table><tr><td>model</td><td><code>");
    add_escaped(&t, s->o->model_dir);
    add(&t, "</code> (%s, %zu hidden states of %zu values)</td></tr>\n"
            "<tr><td>SRS id</td><td><code>%s</code></td></tr>\n"
            "<tr><td>SRS origin</td><td>%s</td></tr>\n"
            "<tr><td>max context</td><td>%zu tokens</td></tr></table>\n",
        s->model_type, s->n_layers, s->hidden, s->srs_id, s->srs_origin, s->o->max_context);
    page_runs(s, &t);
    add(&t, "<h2>Audit a run</h2>\n<p>With your own copy of the model and a verification key "
            "from an SRS you trust:</p>\n<pre>tensorcommit audit --prover-url URL --run-id RUN_ID "
            "--model MODEL_DIR --budgets 25%% [--vk vk.json]</pre>\n<p>It fetches the receipt, "
            "draws a challenge locally, asks this server to respond, and re-executes the "
            "challenged blocks (docs/service.md).</p>\n</body></html>\n");
    text_reply(r, &t, "text/html; charset=utf-8");
}
