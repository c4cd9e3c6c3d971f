/* bench_service: a bounded load generator for `tensorcommit serve` on
 * libcurl (docs/service.md).  C clients, each with its own connection
 * (kept alive), send R requests in all; prints requests per second and the
 * p50 / p99 latency.
 *
 *   bench_service open --url URL --run-id ID [--kind point|slice]
 *                 [--clients 4] [--requests 200] [--token-file F]
 *                 [--srs srs.tcs --grid runs/ID/grid.npy]   also time the
 *                                       same openings in-process
 *   bench_service generate --url URL [--clients 1] [--requests 10]
 *                 [--max-new-tokens 16] [--token-file F]
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pst/pst.h"
#include "service/service.h"
#include "tensor/npy.h"

typedef struct load {
    const char *url, *path, *kind;
    char auth[300];
    tc_pst_shape shape;
    size_t clients, requests, max_new;
    double *lat;                 /* (requests) seconds */
    size_t next;                 /* the next request to send */
    size_t failures;
    pthread_mutex_t mu;
} load;

static size_t discard(char *p, size_t s, size_t n, void *c)
{
    (void)p, (void)c;
    return s * n;
}

/* Request i's body: a grid point or a layer slice drawn from i, or a prompt. */
static void body_of(const load *L, size_t i, char *out, size_t cap)
{
    tc_prng g;
    tc_prng_seed(&g, 0x5e41ce + i);
    if (!strcmp(L->kind, "generate")) {
        snprintf(out, cap, "{\"prompt\": \"Once upon a time\", \"max_new_tokens\": %zu}",
                 L->max_new);
    } else if (!strcmp(L->kind, "slice")) {
        snprintf(out, cap, "{\"slices\": [{\"level\": 1, \"prefix\": [%llu]}]}",
                 (unsigned long long)tc_prng_below(&g, L->shape.n[0]));
    } else {
        size_t n = (size_t)snprintf(out, cap, "{\"points\": [[");
        for (int k = 0; k < L->shape.m; k++)
            n += (size_t)snprintf(out + n, cap - n, "%s%llu", k ? ", " : "",
                                  (unsigned long long)tc_prng_below(&g, L->shape.n[k]));
        snprintf(out + n, cap - n, "]]}");
    }
}

static void *client(void *arg)
{
    load *L = arg;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    if (L->auth[0])
        hdr = curl_slist_append(hdr, L->auth);
    char url[1024], body[512];
    snprintf(url, sizeof url, "%s%s", L->url, L->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 300L);
    for (;;) {
        pthread_mutex_lock(&L->mu);
        size_t i = L->next++;
        pthread_mutex_unlock(&L->mu);
        if (i >= L->requests)
            break;
        body_of(L, i, body, sizeof body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        double t0 = tc_now();
        CURLcode rc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        L->lat[i] = tc_now() - t0;
        if (rc != CURLE_OK || status != 200) {
            pthread_mutex_lock(&L->mu);
            L->failures++;
            pthread_mutex_unlock(&L->mu);
        }
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *lat, size_t n, size_t clients, double secs)
{
    qsort(lat, n, sizeof *lat, cmp_double);
    printf("%-22s %zu requests, %zu clients: %.1f/s, p50 %.2f ms, p99 %.2f ms\n", what, n,
           clients, (double)n / secs, 1e3 * lat[n / 2], 1e3 * lat[(n * 99) / 100]);
}

/* The same openings in-process, one at a time. */
static int in_process(load *L, const char *srs_path, const char *grid_path)
{
    tc_error err = {0};
    tc_pst_srs srs;
    tc_npy grid;
    memset(&srs, 0, sizeof srs);
    memset(&grid, 0, sizeof grid);
    if (tc_pst_srs_load(&err, &srs, srs_path, 1) != TC_OK ||
        tc_npy_read(&err, &grid, grid_path) != TC_OK) {
        fprintf(stderr, "bench_service: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < L->requests; i++) {
        tc_prng g;
        tc_prng_seed(&g, 0x5e41ce + i);
        tc_fr z[TC_PST_MAX_VARS];
        int j = !strcmp(L->kind, "slice") ? 1 : srs.shape.m;
        for (int k = 0; k < j; k++)
            tc_fr_from_u64(&z[k], tc_prng_below(&g, srs.shape.n[k]));
        double t0 = tc_now();
        tc_pst_opening op;
        tc_pst_slice sl;
        tc_status st = j == 1 ? tc_pst_open_slice(&err, &sl, &srs, grid.data, grid.count, z, 1, 1)
                              : tc_pst_open(&err, &op, &srs, grid.data, grid.count, z, 1, 1);
        L->lat[i] = tc_now() - t0;
        if (st != TC_OK)
            return 1;
        if (j == 1)
            tc_pst_slice_free(&sl);
    }
    double total = 0;
    for (size_t i = 0; i < L->requests; i++)
        total += L->lat[i];
    report("in-process", L->lat, L->requests, 1, total);
    tc_npy_free(&grid);
    tc_pst_srs_free(&srs);
    return 0;
}

static int fetch_shape(load *L, const char *token_file)
{
    tc_http_client c;
    tc_http_reply r;
    tc_error err = {0};
    if (tc_http_client_init(&err, &c, L->url, token_file) != TC_OK ||
        tc_http_call(&err, &r, &c, "GET", "/v1/vk", NULL, 0) != TC_OK) {
        fprintf(stderr, "bench_service: %s\n", err.msg);
        return 1;
    }
    json_t *vk = json_loads(r.body, 0, NULL), *sh = json_object_get(vk, "shape");
    L->shape.m = (int)json_array_size(sh);
    for (int k = 0; k < L->shape.m && k < TC_PST_MAX_VARS; k++)
        L->shape.n[k] = (uint32_t)json_integer_value(json_array_get(sh, (size_t)k));
    json_decref(vk);
    tc_http_reply_free(&r);
    if (c.token[0])
        snprintf(L->auth, sizeof L->auth, "Authorization: Bearer %s", c.token);
    return L->shape.m > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    load L = {.kind = "point", .clients = 4, .requests = 200, .max_new = 16};
    const char *token = NULL, *id = NULL, *srs = NULL, *grid = NULL;
    bool gen = argc > 1 && !strcmp(argv[1], "generate");
    if (argc < 2 || (!gen && strcmp(argv[1], "open"))) {
        fprintf(stderr, "usage: bench_service open|generate --url URL ... (see the source)\n");
        return 2;
    }
    if (gen)
        L.kind = "generate", L.clients = 1, L.requests = 10;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--url")) L.url = v;
        else if (!strcmp(k, "--run-id")) id = v;
        else if (!strcmp(k, "--kind")) L.kind = v;
        else if (!strcmp(k, "--token-file")) token = v;
        else if (!strcmp(k, "--srs")) srs = v;
        else if (!strcmp(k, "--grid")) grid = v;
        else if (!strcmp(k, "--clients")) L.clients = strtoul(v, NULL, 10);
        else if (!strcmp(k, "--requests")) L.requests = strtoul(v, NULL, 10);
        else if (!strcmp(k, "--max-new-tokens")) L.max_new = strtoul(v, NULL, 10);
        else {
            fprintf(stderr, "bench_service: unknown option %s\n", k);
            return 2;
        }
    }
    if (L.url == NULL || (!gen && id == NULL) || L.clients < 1 || L.clients > 256 ||
        L.requests < 1 || (strcmp(L.kind, "point") && strcmp(L.kind, "slice") && !gen)) {
        fprintf(stderr, "bench_service: --url (and --run-id for open) are required; --kind is "
                        "point or slice; 1..256 clients\n");
        return 2;
    }
    char path[256];
    snprintf(path, sizeof path, gen ? "/v1/generate" : "/v1/runs/%.64s/open", id);
    L.path = path;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_mutex_init(&L.mu, NULL);
    L.lat = calloc(L.requests, sizeof *L.lat);
    pthread_t th[256];
    if (L.lat == NULL || fetch_shape(&L, token) != 0)
        return 1;
    double t0 = tc_now();
    for (size_t c = 0; c < L.clients; c++)
        pthread_create(&th[c], NULL, client, &L);
    for (size_t c = 0; c < L.clients; c++)
        pthread_join(th[c], NULL);
    double secs = tc_now() - t0;
    char what[64];
    snprintf(what, sizeof what, gen ? "generate" : "open %s", L.kind);
    report(what, L.lat, L.requests, L.clients, secs);
    int rc = L.failures ? 1 : 0;
    if (L.failures)
        fprintf(stderr, "bench_service: %zu requests failed\n", L.failures);
    if (!gen && srs != NULL && grid != NULL)
        rc |= in_process(&L, srs, grid);
    free(L.lat);
    curl_global_cleanup();
    return rc;
}
