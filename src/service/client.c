/* The verifier's HTTP client on libcurl (service.h): one request with a
 * timeout; 503 replies and refused connections are retried with doubling
 * waits (a Retry-After of at most 30 s is honoured). */
#include "service/service.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RETRY_AFTER_MAX 30.0

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

tc_status tc_token_file_read(tc_error *err, char out[256], const char *path)
{
    uint8_t *data;
    size_t n;
    tc_status st = tc_read_file(err, &data, &n, path, 4096);
    if (st != TC_OK)
        return st;
    char *nl = strpbrk((char *)data, "\r\n");
    if (nl != NULL)
        *nl = '\0';
    n = strlen((char *)data);
    bool printable = n > 0 && n < 256;
    for (size_t i = 0; printable && i < n; i++)
        printable = data[i] > 32 && data[i] < 127;
    if (printable)
        memcpy(out, data, n + 1);
    free(data);
    if (!printable)
        return tc_fail(err, TC_EFORMAT, "%s: the token must be one line of 1..255 printable "
                       "characters without spaces", path);
    return TC_OK;
}

tc_status tc_http_client_init(tc_error *err, tc_http_client *c, const char *base_url,
                              const char *token_file)
{
    memset(c, 0, sizeof *c);
    c->base_url = base_url;
    c->timeout_s = 300;
    c->max_tries = 5;
    c->backoff_s = 0.25;
    if (base_url == NULL || (strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)))
        return tc_fail(err, TC_EARG, "--prover-url %s: expected http://HOST:PORT or https://...",
                       base_url ? base_url : "(none)");
    return token_file != NULL ? tc_token_file_read(err, c->token, token_file) : TC_OK;
}

void tc_http_reply_free(tc_http_reply *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

typedef struct sink {
    char *p;
    size_t len;
    bool failed;
    double retry_after;
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    sink *s = ctx;
    size_t n = size * nmemb;
    char *q = realloc(s->p, s->len + n + 1);
    if (q == NULL) {
        s->failed = true;
        return 0;
    }
    memcpy(q + s->len, data, n);
    s->p = q;
    s->len += n;
    s->p[s->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    sink *s = ctx;
    size_t n = size * nmemb;
    if (n > 12 && !strncasecmp(data, "Retry-After:", 12))
        s->retry_after = strtod(data + 12, NULL);
    return n;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* One try: the curl result, the status and body in r. */
static CURLcode one_try(const tc_http_client *c, tc_http_reply *r, sink *sk, const char *url,
                        const char *method, const char *body, size_t len, char *errbuf)
{
    CURL *h = curl_easy_init();
    if (h == NULL)
        return CURLE_OUT_OF_MEMORY;
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[300];
    if (c->token[0] != '\0') {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hdr = curl_slist_append(hdr, auth);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (c->ca_file != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sk);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, sk);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    errbuf[0] = '\0';
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}

/* "HTTP 404: unknown_run: no run ..." from the server's {error, detail}. */
static tc_status http_failure(tc_error *err, const char *url, const tc_http_reply *r)
{
    json_t *o = r->body ? json_loads(r->body, 0, NULL) : NULL;
    const char *code = json_string_value(json_object_get(o, "error"));
    const char *detail = json_string_value(json_object_get(o, "detail"));
    tc_status st;
    if (code != NULL)
        st = tc_fail(err, TC_EIO, "%s: HTTP %ld: %s: %s", url, r->status, code,
                     detail ? detail : "");
    else
        st = tc_fail(err, TC_EIO, "%s: HTTP %ld", url, r->status);
    json_decref(o);
    return st;
}

tc_status tc_http_call(tc_error *err, tc_http_reply *r, const tc_http_client *c,
                       const char *method, const char *path, const char *body, size_t len)
{
    pthread_once(&curl_once, curl_init);
    memset(r, 0, sizeof *r);
    char url[2048], errbuf[CURL_ERROR_SIZE];
    size_t bl = strlen(c->base_url);
    while (bl > 0 && c->base_url[bl - 1] == '/')
        bl--;
    snprintf(url, sizeof url, "%.*s%s", (int)bl, c->base_url, path);
    double wait = c->backoff_s;
    for (int attempt = 1;; attempt++) {
        sink sk = {0};
        tc_http_reply_free(r);
        CURLcode rc = one_try(c, r, &sk, url, method, body, len, errbuf);
        r->body = sk.p;
        r->len = sk.len;
        if (sk.failed)
            return tc_fail(err, TC_ENOMEM, "%s: out of memory for the reply", url);
        bool refused = rc == CURLE_COULDNT_CONNECT;
        bool busy = rc == CURLE_OK && r->status == 503;
        if ((refused || busy) && attempt < c->max_tries) {
            double w = sk.retry_after > 0 ? (sk.retry_after < RETRY_AFTER_MAX ? sk.retry_after
                                                                               : RETRY_AFTER_MAX)
                                          : wait;
            fprintf(stderr, "%s: %s; retrying in %.2f s (try %d of %d)\n", url,
                    refused ? "connection refused" : "server busy (503)", w, attempt + 1,
                    c->max_tries);
            sleep_s(w);
            wait *= 2;
            continue;
        }
        if (rc != CURLE_OK)
            return tc_fail(err, TC_EIO, "%s: %s%s%s", url, curl_easy_strerror(rc),
                           errbuf[0] ? ": " : "", errbuf);
        if (r->status < 200 || r->status > 299)
            return http_failure(err, url, r);
        if (r->body == NULL && (r->body = calloc(1, 1)) == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory");
        return TC_OK;
    }
}
