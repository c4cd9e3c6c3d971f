/* What the server's files share (server.c: connections, routing, auth,
 * limits, the access log and shutdown; endpoints.c: what each endpoint
 * does; metrics.c: counters and the Prometheus text). */
#ifndef TC_SERVICE_SERVER_INTERNAL_H
#define TC_SERVICE_SERVER_INTERNAL_H

#include <pthread.h>

#include "pst/pst.h"
#include "service/service.h"

#define TC_SVC_RUN_ID_LEN 32      /* hex characters */
#define TC_SVC_LATENCY_BUCKETS 10

typedef struct tc_svc_metrics {
    unsigned long long requests[6];         /* by status class: 1xx..5xx, [0] other */
    unsigned long long latency_count[TC_SVC_LATENCY_BUCKETS + 1]; /* cumulative le buckets, +Inf */
    double latency_sum;
    unsigned long long runs, generated_tokens, responses, openings, rejected_busy;
    double commit_seconds, generate_seconds;
} tc_svc_metrics;

typedef struct tc_service {
    const tc_serve_opts *o;
    tc_pst_srs srs;
    char srs_id[65];
    const char *srs_origin;
    bool srs_testing;
    char *vk_json;                /* GET /v1/vk */
    int slice_level;              /* variables that fix a layer */
    char model_type[64];
    size_t n_layers, hidden;      /* L + 1 hidden states of `hidden` values */
    struct tc_model *model;       /* for counting prompt tokens */
    struct tc_tok *tok;
    char token[256];              /* bearer token, "" when none */
    pthread_mutex_t mu;           /* guards everything below */
    pthread_cond_t cv;
    bool gen_busy;                /* a generation is running */
    size_t gen_waiting;           /* generations queued behind it */
    size_t in_flight;             /* requests being answered */
    bool draining;
    tc_svc_metrics m;
} tc_service;

/* Loads everything (setup.c); teardown frees it. */
tc_status tc_svc_setup(tc_error *err, tc_service *s, const tc_serve_opts *o) TC_MUST_CHECK;
void tc_svc_teardown(tc_service *s);

/* One request's answer: status, body, content type, extra header. */
typedef struct tc_svc_reply {
    unsigned status;
    char *body;                   /* malloc'd */
    size_t len;
    const char *content_type;
    char retry_after[8];          /* "" or seconds */
    const char *warning;          /* NULL or an X-Tensorcommit-Warning line */
} tc_svc_reply;

/* {"error": code, "detail": detail} with that status. */
void tc_svc_error(tc_svc_reply *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A JSON object (consumed) as the reply. */
void tc_svc_json(tc_svc_reply *r, unsigned status, void *obj /* json_t * */);

/* The endpoints: method, path after the route's prefix, body. */
void tc_svc_generate(tc_service *s, tc_svc_reply *r, const char *body, size_t len);
void tc_svc_receipt(tc_service *s, tc_svc_reply *r, const char *id);
void tc_svc_respond(tc_service *s, tc_svc_reply *r, const char *id, const char *body, size_t len);
void tc_svc_open(tc_service *s, tc_svc_reply *r, const char *id, const char *body, size_t len);
void tc_svc_health(tc_service *s, tc_svc_reply *r);
void tc_svc_page(tc_service *s, tc_svc_reply *r);
void tc_svc_metrics_text(tc_service *s, tc_svc_reply *r);
/* Records one finished request (status, seconds) in the metrics. */
void tc_svc_metrics_note(tc_service *s, unsigned status, double seconds);

/* A run id is TC_SVC_RUN_ID_LEN lower-case hex characters. */
bool tc_svc_run_id_ok(const char *id);

#endif
