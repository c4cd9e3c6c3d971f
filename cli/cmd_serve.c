/* tensorcommit serve: the prover as an HTTP service (docs/service.md). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/service.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit serve --model DIR --srs srs.tcs [--listen 127.0.0.1:8080]\n"
            "         [--runs DIR] [--token-file F] [--threads N] [--max-context N]\n"
            "         [--queue N] [--max-body BYTES] [--timeout S] [--allow-test-srs]\n"
            "         [--tls-cert cert.pem --tls-key key.pem]\n"
            "\n"
            "Serves verifiable generation over HTTP: POST /v1/generate, GET\n"
            "/v1/runs/ID/receipt, GET /v1/vk, POST /v1/runs/ID/respond, POST\n"
            "/v1/runs/ID/open, GET /v1/health, GET /v1/metrics, GET / (docs/service.md).\n"
            "Every run is deterministic and laid out for --max-context tokens, so the one\n"
            "SRS (shape printed when it does not fit) serves them all.  Prints\n"
            "'listening on URL' once ready; SIGTERM or SIGINT finishes the requests in\n"
            "flight and exits 0.\n"
            "\n"
            "  --srs F            the SRS (made by the verifier or a ceremony); a seeded\n"
            "                     or explicit one is refused without --allow-test-srs\n"
            "  --allow-test-srs   serve a testing SRS, saying so on every page and reply;\n"
            "                     without --srs, make a seeded one at start\n"
            "  --listen HOST:PORT IPv4 address or [IPv6]; port 0 picks a free one\n"
            "  --runs DIR         run folders, one per run id (default: runs)\n"
            "  --token-file F     require 'Authorization: Bearer <first line of F>'\n"
            "                     (all but /, /v1/health and /v1/metrics)\n"
            "  --max-context N    prompt + generated tokens of a run (default 256, at\n"
            "                     most the model's context)\n"
            "  --queue N          generations allowed to wait (default 8; then 503)\n"
            "  --max-body BYTES   request body limit (default 1048576; then 413)\n"
            "  --timeout S        idle connection timeout in seconds (default 60)\n"
            "  --threads N        compute threads per request (default 1)\n"
            "  --tls-cert/--tls-key  serve https (PEM files)\n");
    cli_help_exit_codes(f);
}

static bool size_opt(const char *verb, const char *name, const char *arg, size_t lo, size_t hi,
                     size_t *out)
{
    uint64_t v;
    if (!cli_parse_u64(arg, &v) || v < lo || v > hi) {
        cli_usage(verb, "--%s must be an integer in %zu..%zu", name, lo, hi);
        return false;
    }
    *out = (size_t)v;
    return true;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},     {"srs", required_argument, 0, 's'},
        {"listen", required_argument, 0, 'l'},    {"runs", required_argument, 0, 'r'},
        {"token-file", required_argument, 0, 'k'}, {"threads", required_argument, 0, 't'},
        {"max-context", required_argument, 0, 'c'}, {"queue", required_argument, 0, 'q'},
        {"max-body", required_argument, 0, 'b'},  {"timeout", required_argument, 0, 'T'},
        {"allow-test-srs", no_argument, 0, 'A'},  {"tls-cert", required_argument, 0, 'C'},
        {"tls-key", required_argument, 0, 'K'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    tc_serve_opts o;
    tc_serve_opts_default(&o);
    o.max_context = 256;
    size_t timeout = o.timeout_s;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'm': o.model_dir = optarg; break;
        case 's': o.srs_path = optarg; break;
        case 'l': o.listen = optarg; break;
        case 'r': o.runs_dir = optarg; break;
        case 'k': o.token_file = optarg; break;
        case 'A': o.allow_test_srs = true; break;
        case 'C': o.tls_cert = optarg; break;
        case 'K': o.tls_key = optarg; break;
        case 't':
            if (!cli_threads_option(argv[0], optarg, &o.n_threads))
                return CLI_USAGE;
            break;
        case 'c':
            if (!size_opt(argv[0], "max-context", optarg, 2, 1 << 20, &o.max_context))
                return CLI_USAGE;
            break;
        case 'q':
            if (!size_opt(argv[0], "queue", optarg, 0, 1024, &o.queue_max))
                return CLI_USAGE;
            break;
        case 'b':
            if (!size_opt(argv[0], "max-body", optarg, 1024, (size_t)1 << 30, &o.max_body))
                return CLI_USAGE;
            break;
        case 'T':
            if (!size_opt(argv[0], "timeout", optarg, 1, 3600, &timeout))
                return CLI_USAGE;
            o.timeout_s = (unsigned)timeout;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;     /* cli_getopt said why */
        }
    }
    if (o.model_dir == NULL)
        return cli_usage(argv[0], "--model is required");
    if (o.srs_path == NULL && !o.allow_test_srs)
        return cli_usage(argv[0], "--srs is required (or --allow-test-srs for a seeded one)");
    if ((o.tls_cert == NULL) != (o.tls_key == NULL))
        return cli_usage(argv[0], "--tls-cert and --tls-key go together");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    tc_status st = tc_serve(&err, &o);
    return st == TC_OK ? CLI_OK : cli_report(argv[0], &err, st);
}
