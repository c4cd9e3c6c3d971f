/* `generate --prover-url` and `open --prover-url`: the single steps of the
 * service's protocol from the command line (docs/service.md). */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/service.h"

/* Calls the server and writes the reply to out (NULL: standard output). */
static int call_and_write(const char *verb, const tc_http_client *c, const char *method,
                          const char *path, const char *body, const char *out)
{
    tc_error err = {0};
    tc_http_reply r;
    tc_status st = tc_http_call(&err, &r, c, method, path, body, body ? strlen(body) : 0);
    if (st == TC_OK)
        st = tc_write_file_atomic(&err, out ? out : "-", r.body, r.len);
    tc_http_reply_free(&r);
    return st == TC_OK ? CLI_OK : cli_report(verb, &err, st);
}

static void generate_help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit generate --prover-url URL [--token-file F] --prompt P\n"
            "         [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P]\n"
            "         [--seed S] [--out reply.json] [--ca-file cert.pem]\n"
            "\n"
            "Asks a `tensorcommit serve` prover to generate and commit a run; writes its\n"
            "reply ({run_id, text, tokens, commitment, receipt}) to --out or stdout.\n");
    cli_help_exit_codes(f);
}

int cli_generate_remote(int argc, char **argv)
{
    static const struct option opts[] = {
        {"prover-url", required_argument, 0, 'u'}, {"token-file", required_argument, 0, 'K'},
        {"prompt", required_argument, 0, 'p'},     {"max-new-tokens", required_argument, 0, 'n'},
        {"temperature", required_argument, 0, 't'}, {"top-k", required_argument, 0, 'k'},
        {"top-p", required_argument, 0, 'P'},      {"seed", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},        {"ca-file", required_argument, 0, 'A'},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    const char *url = NULL, *token = NULL, *out = NULL, *ca = NULL;
    json_t *body = json_object();
    int c, rc = CLI_USAGE;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        char *end = NULL;
        int64_t iv;
        switch (c) {
        case 'u': url = optarg; break;
        case 'K': token = optarg; break;
        case 'o': out = optarg; break;
        case 'A': ca = optarg; break;
        case 'p': json_object_set_new(body, "prompt", json_string(optarg)); break;
        case 'n': case 'k': case 's':
            if (!cli_parse_i64(optarg, &iv) || iv < 0) {
                cli_usage(argv[0], "--%s must be a non-negative integer",
                          c == 'n' ? "max-new-tokens" : c == 'k' ? "top-k" : "seed");
                goto done;
            }
            json_object_set_new(body, c == 'n' ? "max_new_tokens" : c == 'k' ? "top_k" : "seed",
                                json_integer(iv));
            break;
        case 't': case 'P': {
            double v = strtod(optarg, &end);
            if (end == optarg || *end != '\0') {
                cli_usage(argv[0], "--%s must be a number", c == 't' ? "temperature" : "top-p");
                goto done;
            }
            json_object_set_new(body, c == 't' ? "temperature" : "top_p", json_real(v));
            break;
        }
        case 'h': generate_help(stdout); rc = CLI_OK; goto done;
        default: goto done;
        }
    }
    if (json_object_get(body, "prompt") == NULL) {
        cli_usage(argv[0], "--prompt is required with --prover-url");
        goto done;
    }
    rc = cli_extra_args(argv[0], argc, argv, optind);
    if (rc != CLI_OK)
        goto done;
    tc_http_client cl;
    tc_error err = {0};
    tc_status st = tc_http_client_init(&err, &cl, url, token);
    cl.ca_file = ca;
    char *text = json_dumps(body, JSON_COMPACT);
    if (st != TC_OK || text == NULL)
        rc = cli_report(argv[0], &err, st != TC_OK ? st : TC_ENOMEM);
    else
        rc = call_and_write(argv[0], &cl, "POST", "/v1/generate", text, out);
    free(text);
done:
    json_decref(body);
    return rc;
}

static void open_help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit open --prover-url URL [--token-file F] --run-id ID\n"
            "         (--point C0,C1,.. | --slice J:C0,..,C(J-1))... [--out proof.json]\n"
            "         [--ca-file cert.pem]\n"
            "\n"
            "Asks a `tensorcommit serve` prover to open its run's grid at grid points\n"
            "and slices; writes proof.json (`tensorcommit verify` checks it against the\n"
            "receipt's commitment) to --out or stdout.\n");
    cli_help_exit_codes(f);
}

/* "1,2,3" → a JSON array of integers; NULL when malformed. */
static json_t *int_list(const char *s)
{
    uint64_t v[64];
    int n = cli_parse_u64_list(s, v, 64);
    if (n <= 0)
        return NULL;
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer((json_int_t)v[i]));
    return a;
}

int cli_open_remote(int argc, char **argv)
{
    static const struct option opts[] = {
        {"prover-url", required_argument, 0, 'u'}, {"token-file", required_argument, 0, 'K'},
        {"run-id", required_argument, 0, 'i'},     {"point", required_argument, 0, 'p'},
        {"slice", required_argument, 0, 'S'},      {"out", required_argument, 0, 'o'},
        {"ca-file", required_argument, 0, 'A'},    {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *url = NULL, *token = NULL, *out = NULL, *id = NULL, *ca = NULL;
    json_t *points = json_array(), *slices = json_array();
    int c, rc = CLI_USAGE, j;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        json_t *a = NULL;
        const char *colon;
        char jb[8];
        switch (c) {
        case 'u': url = optarg; break;
        case 'K': token = optarg; break;
        case 'o': out = optarg; break;
        case 'A': ca = optarg; break;
        case 'i': id = optarg; break;
        case 'p':
            a = int_list(optarg);
            if (a == NULL) {
                cli_usage(argv[0], "--point %s: expected grid coordinates C0,C1,..", optarg);
                goto done;
            }
            json_array_append_new(points, a);
            break;
        case 'S':
            colon = strchr(optarg, ':');
            a = NULL;
            if (colon != NULL && colon != optarg && (size_t)(colon - optarg) < sizeof jb) {
                snprintf(jb, sizeof jb, "%.*s", (int)(colon - optarg), optarg);
                if (cli_parse_int(jb, 1, 64, &j))
                    a = int_list(colon + 1);
            }
            if (a == NULL) {
                cli_usage(argv[0], "--slice %s: expected J:C0,..,C(J-1)", optarg);
                goto done;
            }
            json_array_append_new(slices, json_pack("{s:i, s:o}", "level", j, "prefix", a));
            break;
        case 'h': open_help(stdout); rc = CLI_OK; goto done;
        default: goto done;
        }
    }
    if (id == NULL || json_array_size(points) + json_array_size(slices) == 0) {
        cli_usage(argv[0], "--run-id and at least one --point or --slice are required with "
                           "--prover-url");
        goto done;
    }
    rc = cli_extra_args(argv[0], argc, argv, optind);
    if (rc != CLI_OK)
        goto done;
    json_t *body = json_pack("{s:O, s:O}", "points", points, "slices", slices);
    char *text = json_dumps(body, JSON_COMPACT), path[256];
    json_decref(body);
    tc_http_client cl;
    tc_error err = {0};
    tc_status st = tc_http_client_init(&err, &cl, url, token);
    cl.ca_file = ca;
    snprintf(path, sizeof path, "/v1/runs/%.64s/open", id);
    if (st != TC_OK || text == NULL)
        rc = cli_report(argv[0], &err, st != TC_OK ? st : TC_ENOMEM);
    else
        rc = call_and_write(argv[0], &cl, "POST", path, text, out);
    free(text);
done:
    json_decref(points);
    json_decref(slices);
    return rc;
}
