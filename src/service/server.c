/* The HTTP server: connections, routing, authentication, body limits, the
 * access log, and shutdown (service.h).  One thread per connection; the
 * endpoints (endpoints.c) may block, generation waits in a bounded queue. */
#include "service/server_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A request being received: MHD calls the handler several times for one. */
typedef struct request {
    double t0;
    char *body;
    size_t len, cap;
    bool too_large;
    unsigned status;
    size_t bytes_out;
    char method[8];
    char path[128];
} request;

typedef enum route_kind {
    R_NONE, R_PAGE, R_HEALTH, R_METRICS, R_VK, R_GENERATE, R_RECEIPT, R_RESPOND, R_OPEN
} route_kind;

typedef struct route {
    route_kind kind;
    const char *method;           /* the one it takes */
    bool auth;                    /* needs the bearer token */
    char id[TC_SVC_RUN_ID_LEN + 8];
} route;

static void route_of(route *rt, const char *url)
{
    static const struct { const char *path; route_kind kind; const char *method; bool auth; } fixed[] = {
        {"/", R_PAGE, "GET", false},           {"/v1/health", R_HEALTH, "GET", false},
        {"/v1/metrics", R_METRICS, "GET", false}, {"/v1/vk", R_VK, "GET", true},
        {"/v1/generate", R_GENERATE, "POST", true}};
    static const struct { const char *tail; route_kind kind; const char *method; } per_run[] = {
        {"/receipt", R_RECEIPT, "GET"}, {"/respond", R_RESPOND, "POST"}, {"/open", R_OPEN, "POST"}};
    memset(rt, 0, sizeof *rt);
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(url, fixed[i].path)) {
            rt->kind = fixed[i].kind, rt->method = fixed[i].method, rt->auth = fixed[i].auth;
            return;
        }
    const char *p = "/v1/runs/";
    if (strncmp(url, p, strlen(p)))
        return;
    const char *id = url + strlen(p), *slash = strchr(id, '/');
    if (slash == NULL || (size_t)(slash - id) >= sizeof rt->id)
        return;
    for (size_t i = 0; i < sizeof per_run / sizeof per_run[0]; i++)
        if (!strcmp(slash, per_run[i].tail)) {
            memcpy(rt->id, id, (size_t)(slash - id));
            rt->kind = per_run[i].kind, rt->method = per_run[i].method, rt->auth = true;
        }
}

/* Compares in time that depends only on the expected token's length. */
static bool token_ok(const char *want, const char *header)
{
    const char *pre = "Bearer ";
    if (header == NULL || strncmp(header, pre, strlen(pre)))
        return false;
    const char *got = header + strlen(pre);
    size_t wl = strlen(want), gl = strlen(got);
    unsigned char d = wl != gl;
    for (size_t i = 0; i < wl; i++)
        d |= (unsigned char)(want[i] ^ (i < gl ? got[i] : 0));
    return d == 0;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, request *rq, tc_svc_reply *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    if (r->retry_after[0] != '\0')
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    if (r->warning != NULL)
        MHD_add_response_header(resp, "X-Tensorcommit-Warning", r->warning);
    if (r->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    rq->status = r->status;
    rq->bytes_out = r->len;
    enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* What is wrong with a request before its body is read, if anything. */
static bool early_error(tc_service *s, struct MHD_Connection *conn, const route *rt,
                        const char *method, tc_svc_reply *r)
{
    if (rt->kind == R_NONE) {
        tc_svc_error(r, 404, "not_found", "no such endpoint");
        return true;
    }
    if (strcmp(method, rt->method)) {
        tc_svc_error(r, 405, "method_not_allowed", "this endpoint takes %s", rt->method);
        return true;
    }
    if (rt->auth && s->token[0] != '\0' &&
        !token_ok(s->token, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"))) {
        tc_svc_error(r, 401, "unauthorized", "missing or wrong bearer token");
        return true;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl != NULL && strtoull(cl, NULL, 10) > s->o->max_body) {
        tc_svc_error(r, 413, "body_too_large", "the body limit is %zu bytes", s->o->max_body);
        return true;
    }
    pthread_mutex_lock(&s->mu);
    bool draining = s->draining;
    pthread_mutex_unlock(&s->mu);
    if (draining && rt->kind != R_HEALTH) {
        tc_svc_error(r, 503, "shutting_down", "the server is shutting down");
        return true;
    }
    return false;
}

static void dispatch(tc_service *s, const route *rt, request *rq, tc_svc_reply *r)
{
    switch (rt->kind) {
    case R_PAGE: tc_svc_page(s, r); break;
    case R_HEALTH: tc_svc_health(s, r); break;
    case R_METRICS: tc_svc_metrics_text(s, r); break;
    case R_VK:
        r->status = 200;
        r->body = strdup(s->vk_json);
        r->len = r->body ? strlen(r->body) : 0;
        break;
    case R_GENERATE: tc_svc_generate(s, r, rq->body, rq->len); break;
    case R_RECEIPT: tc_svc_receipt(s, r, rt->id); break;
    case R_RESPOND: tc_svc_respond(s, r, rt->id, rq->body, rq->len); break;
    case R_OPEN: tc_svc_open(s, r, rt->id, rq->body, rq->len); break;
    case R_NONE: tc_svc_error(r, 404, "not_found", "no such endpoint"); break;
    }
    if (r->body == NULL && r->status < 500)
        tc_svc_error(r, 500, "internal", "out of memory");
}

static bool take_body(tc_service *s, request *rq, const char *data, size_t n)
{
    if (rq->too_large || rq->len + n > s->o->max_body) {
        rq->too_large = true;
        return true;
    }
    if (rq->len + n + 1 > rq->cap) {
        size_t cap = 2 * (rq->len + n + 1);
        char *b = realloc(rq->body, cap);
        if (b == NULL)
            return false;
        rq->body = b, rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **ctx)
{
    (void)version;
    tc_service *s = cls;
    request *rq = *ctx;
    route rt;
    route_of(&rt, url);
    tc_svc_reply r = {0};
    if (rq == NULL) {
        rq = calloc(1, sizeof *rq);
        if (rq == NULL)
            return MHD_NO;
        rq->t0 = tc_now();
        snprintf(rq->method, sizeof rq->method, "%s", method);
        snprintf(rq->path, sizeof rq->path, "%s", url);
        *ctx = rq;
        pthread_mutex_lock(&s->mu);
        s->in_flight++;
        pthread_mutex_unlock(&s->mu);
        if (early_error(s, conn, &rt, method, &r)) {
            rq->too_large = true;             /* ignore any body that follows */
            return send_reply(conn, rq, &r);
        }
        return MHD_YES;
    }
    if (rq->status != 0) {                    /* answered early: drop the body */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size != 0) {
        bool ok = take_body(s, rq, upload, *upload_size);
        *upload_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    if (rq->too_large)
        tc_svc_error(&r, 413, "body_too_large", "the body limit is %zu bytes", s->o->max_body);
    else
        dispatch(s, &rt, rq, &r);
    return send_reply(conn, rq, &r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode why)
{
    tc_service *s = cls;
    request *rq = *ctx;
    if (rq == NULL)
        return;
    double secs = tc_now() - rq->t0;
    char addr[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
    }
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    fprintf(stderr, "access %s %s \"%s %s\" %u %zu %.3f%s\n", when, addr, rq->method, rq->path,
            rq->status, rq->bytes_out, secs,
            why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    tc_svc_metrics_note(s, rq->status, secs);
    pthread_mutex_lock(&s->mu);
    s->in_flight--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    free(rq->body);
    free(rq);
    *ctx = NULL;
}

void tc_svc_error(tc_svc_reply *r, unsigned status, const char *code, const char *fmt, ...)
{
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(code));
    json_object_set_new(o, "detail", json_string(detail));
    tc_svc_json(r, status, o);
}

void tc_svc_json(tc_svc_reply *r, unsigned status, void *obj)
{
    free(r->body);
    r->body = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(obj);
    r->status = status;
    r->len = r->body ? strlen(r->body) : 0;
    r->content_type = "application/json";
}

/* "HOST:PORT" → an IPv4 or IPv6 socket address. */
static tc_status parse_listen(tc_error *err, struct sockaddr_storage *ss, bool *v6,
                              const char *listen)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    char *end = NULL;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (colon == NULL || hl == 0 || hl >= sizeof host || end == colon + 1 || *end != '\0' ||
        port > 65535)
        return tc_fail(err, TC_EARG, "--listen %s: expected HOST:PORT", listen);
    memcpy(host, listen, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    *v6 = host[0] == '[';
    if (*v6 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1)
            return TC_OK;
    } else if (!*v6) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a4->sin_addr) == 1)
            return TC_OK;
    }
    return tc_fail(err, TC_EARG, "--listen %s: the host must be an IPv4 address or [IPv6]",
                   listen);
}

static struct MHD_Daemon *start_daemon(tc_error *err, tc_service *s, char **cert, char **key)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    if (parse_listen(err, &ss, &v6, s->o->listen) != TC_OK)
        return NULL;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    *cert = *key = NULL;
    if (s->o->tls_cert != NULL) {
        size_t n;
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            tc_fail(err, TC_EUNSUPPORTED, "this libmicrohttpd has no TLS: run behind a TLS proxy");
            return NULL;
        }
        if (tc_read_file(err, (uint8_t **)cert, &n, s->o->tls_cert, 1 << 20) != TC_OK ||
            tc_read_file(err, (uint8_t **)key, &n, s->o->tls_key, 1 << 20) != TC_OK)
            return NULL;
        flags |= MHD_USE_TLS;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)s->o->timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
        *cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, *cert, MHD_OPTION_HTTPS_MEM_KEY, *key,
        MHD_OPTION_END);
    if (d == NULL)
        tc_fail(err, TC_EIO, "cannot listen on %s (address in use or not ours?)", s->o->listen);
    return d;
}

/* Stop accepting, let in-flight requests finish, then stop. */
static void drain(tc_service *s, struct MHD_Daemon *d)
{
    pthread_mutex_lock(&s->mu);
    s->draining = true;
    pthread_mutex_unlock(&s->mu);
    MHD_socket fd = MHD_quiesce_daemon(d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    pthread_mutex_lock(&s->mu);
    fprintf(stderr, "tensorcommit serve: shutting down: finishing %zu request(s)\n", s->in_flight);
    while (s->in_flight > 0)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    MHD_stop_daemon(d);
}

tc_status tc_serve(tc_error *err, const tc_serve_opts *o)
{
    tc_service s;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);   /* the threads started below inherit it */
    signal(SIGPIPE, SIG_IGN);
    tc_status st = tc_svc_setup(err, &s, o);
    if (st != TC_OK)
        return st;
    char *cert, *key;
    struct MHD_Daemon *d = start_daemon(err, &s, &cert, &key);
    if (d == NULL) {
        free(cert);
        free(key);
        tc_svc_teardown(&s);
        return err->status != TC_OK ? err->status : TC_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[128];
    snprintf(host, sizeof host, "%s", o->listen);
    char *colon = strrchr(host, ':');
    if (colon != NULL)
        *colon = '\0';
    printf("listening on %s://%s:%u\n", cert ? "https" : "http", host, di ? di->port : 0);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "tensorcommit serve: %s received\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    drain(&s, d);
    free(cert);
    free(key);
    tc_svc_teardown(&s);
    fprintf(stderr, "tensorcommit serve: stopped\n");
    return TC_OK;
}
