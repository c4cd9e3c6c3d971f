/*
 * The prover as an HTTP service, and the verifier's HTTP client
 * (docs/service.md).
 *
 * server (server.c, endpoints.c, on libmicrohttpd): loads the model and the
 *   SRS once; every run is laid out in the server's grid shape (structured
 *   layout, token axis padded to max_context) so that one SRS serves all
 *   runs.  Generation requests wait in a bounded queue and run one at a
 *   time; openings and responses run beside them.  SIGTERM or SIGINT stops
 *   accepting, lets in-flight requests finish, then returns.
 * client (client.c, on libcurl): one request with a timeout, retried with
 *   backoff on 503 and on a refused connection.
 */
#ifndef TC_SERVICE_SERVICE_H
#define TC_SERVICE_SERVICE_H

#include "util/util.h"

typedef struct tc_serve_opts {
    const char *model_dir;
    const char *srs_path;         /* NULL only with allow_test_srs: a seeded one */
    const char *listen;           /* "HOST:PORT" (IPv4 or [IPv6]) */
    const char *runs_dir;         /* one folder per run, named by its id */
    const char *token_file;       /* NULL: no authentication */
    const char *tls_cert, *tls_key; /* PEM files, both or neither */
    bool allow_test_srs;
    size_t max_context;           /* prompt + generated tokens of any run */
    size_t queue_max;             /* generation requests allowed to wait */
    size_t max_body;              /* request body limit, bytes */
    unsigned timeout_s;           /* idle connection timeout */
    int n_threads;                /* compute threads of one request */
} tc_serve_opts;

void tc_serve_opts_default(tc_serve_opts *o);

/* Serves until SIGTERM or SIGINT (which the calling thread must not block
 * elsewhere), then drains.  Progress and access lines go to stderr. */
tc_status tc_serve(tc_error *err, const tc_serve_opts *o) TC_MUST_CHECK;

/* The bearer token: the first line of path, 1..255 printable characters
 * without spaces (server and client read it the same way). */
tc_status tc_token_file_read(tc_error *err, char out[256], const char *path) TC_MUST_CHECK;

/* ------------------------------------------------------------- client */

typedef struct tc_http_client {
    const char *base_url;         /* "http://host:port" or "https://..." */
    char token[256];              /* "" : no Authorization header */
    const char *ca_file;          /* NULL: the system's certificate store */
    long timeout_s;               /* whole request */
    int max_tries;                /* ≥ 1 */
    double backoff_s;             /* first wait; doubles each try */
} tc_http_client;

/* Defaults, and the bearer token from token_file (first line) when given. */
tc_status tc_http_client_init(tc_error *err, tc_http_client *c, const char *base_url,
                              const char *token_file) TC_MUST_CHECK;

typedef struct tc_http_reply {
    long status;
    char *body;                   /* malloc'd, NUL-terminated */
    size_t len;
} tc_http_reply;
void tc_http_reply_free(tc_http_reply *r);

/* method path [body]: TC_OK with any 2xx reply; a non-2xx reply (after the
 * retries for 503) or a transport failure is TC_EIO with one line naming
 * the URL and what went wrong (the server's {error, detail} when it sent
 * one).  body may be NULL. */
tc_status tc_http_call(tc_error *err, tc_http_reply *r, const tc_http_client *c,
                       const char *method, const char *path, const char *body,
                       size_t len) TC_MUST_CHECK;

#endif
