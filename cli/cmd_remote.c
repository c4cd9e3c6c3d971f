/* The verifier's side over HTTP (docs/service.md): `audit`, `generate` and
 * `open` with --prover-url talk to a `tensorcommit serve`.  The audit draws
 * its challenge and checks the response locally, with the same code as the
 * file-based commands (it runs them on the files it fetched). */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/service.h"

bool cli_wants_remote(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return false;
        if (!strncmp(argv[i], "--prover-url", 12) && (argv[i][12] == '\0' || argv[i][12] == '='))
            return true;
    }
    return false;
}

/* path ← the reply body of method url_path (body may be NULL). */
static tc_status fetch_to(tc_error *err, const tc_http_client *c, const char *method,
                          const char *url_path, const char *body, size_t len, const char *path)
{
    tc_http_reply r;
    tc_status st = tc_http_call(err, &r, c, method, url_path, body, len);
    if (st == TC_OK)
        st = tc_write_file_atomic(err, path, r.body, r.len);
    tc_http_reply_free(&r);
    return st;
}

typedef struct remote_audit {
    const char *url, *token_file, *model, *budgets, *prompt, *run_id, *report, *vk, *policy;
    const char *keep, *ca_file;
    size_t max_new;
    int threads;
} remote_audit;

static void audit_help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit audit --prover-url URL [--token-file F] --model DIR\n"
            "         --budgets B1,.. (--prompt P [--max-new-tokens N] | --run-id ID)\n"
            "         [--vk vk.json] [--report F] [--policy P] [--keep DIR] [--threads N]\n"
            "         [--ca-file cert.pem]\n"
            "\n"
            "Audits a run of a `tensorcommit serve` prover: generates one from --prompt\n"
            "(or takes run --run-id), fetches its receipt, draws the challenge here,\n"
            "asks the prover to respond, and runs the audit on this machine's copy of\n"
            "the model, printing the verdict table.  --vk: the verification key of an\n"
            "SRS you trust (else the server's /v1/vk is used, and the audit only shows\n"
            "that the prover is consistent with the key it chose).  --keep DIR keeps\n"
            "receipt, key, challenge and response there.  --ca-file: the certificate\n"
            "(or CA) an https prover is checked against, instead of the system's.\n"
            "Exit 0 accept, 1 reject.\n");
    cli_help_exit_codes(f);
}

static int parse_audit(remote_audit *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"prover-url", required_argument, 0, 'u'}, {"token-file", required_argument, 0, 'k'},
        {"model", required_argument, 0, 'm'},      {"budgets", required_argument, 0, 'b'},
        {"prompt", required_argument, 0, 'p'},     {"run-id", required_argument, 0, 'i'},
        {"report", required_argument, 0, 'R'},     {"vk", required_argument, 0, 'v'},
        {"policy", required_argument, 0, 'P'},     {"keep", required_argument, 0, 'K'},
        {"ca-file", required_argument, 0, 'A'},
        {"max-new-tokens", required_argument, 0, 'n'}, {"threads", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    int c, n;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'u': a->url = optarg; break;
        case 'k': a->token_file = optarg; break;
        case 'm': a->model = optarg; break;
        case 'b': a->budgets = optarg; break;
        case 'p': a->prompt = optarg; break;
        case 'i': a->run_id = optarg; break;
        case 'R': a->report = optarg; break;
        case 'v': a->vk = optarg; break;
        case 'P': a->policy = optarg; break;
        case 'K': a->keep = optarg; break;
        case 'A': a->ca_file = optarg; break;
        case 'n':
            if (!cli_parse_int(optarg, 1, 1 << 20, &n))
                return cli_usage(argv[0], "--max-new-tokens must be in 1..%d", 1 << 20);
            a->max_new = (size_t)n;
            break;
        case 't':
            if (!cli_threads_option(argv[0], optarg, &a->threads))
                return CLI_USAGE;
            break;
        case 'h': audit_help(stdout); return -1;
        default: return CLI_USAGE;
        }
    }
    if (a->model == NULL || a->budgets == NULL || (a->prompt == NULL) == (a->run_id == NULL))
        return cli_usage(argv[0], "--model, --budgets and one of --prompt or --run-id are "
                                    "required with --prover-url");
    return cli_extra_args(argv[0], argc, argv, optind);
}

/* POST /v1/generate: the new run's id into id. */
static tc_status remote_generate(tc_error *err, const tc_http_client *c, const char *body,
                                 char *id, size_t cap, json_t **reply)
{
    tc_http_reply r;
    tc_status st = tc_http_call(err, &r, c, "POST", "/v1/generate", body, strlen(body));
    if (st != TC_OK)
        return st;
    json_t *o = json_loads(r.body, 0, NULL);
    const char *v = json_string_value(json_object_get(o, "run_id"));
    if (v == NULL || strlen(v) >= cap)
        st = tc_fail(err, TC_EFORMAT, "%s/v1/generate: the reply has no run_id", c->base_url);
    else
        snprintf(id, cap, "%s", v);
    tc_http_reply_free(&r);
    if (st == TC_OK && reply != NULL)
        *reply = o;
    else
        json_decref(o);
    return st;
}

static char *gen_body(const char *prompt, size_t max_new)
{
    json_t *o = json_object();
    json_object_set_new(o, "prompt", json_string(prompt));
    if (max_new > 0)
        json_object_set_new(o, "max_new_tokens", json_integer((json_int_t)max_new));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static int run_local(int (*cmd)(int, char **), const char **args, int n)
{
    char *av[32];
    for (int i = 0; i < n && i < 31; i++)
        av[i] = (char *)args[i];
    av[n] = NULL;
    return cmd(n, av);
}

/* Fetches what the audit needs into dir, then challenge and audit. */
static int audit_in(const char *verb, const remote_audit *a, const tc_http_client *c,
                    const char *dir)
{
    char id[80], p_rc[4096], p_vk[4096], p_ch[4096], p_rs[4096], path[256], th[16];
    tc_error err = {0};
    tc_status st = TC_OK;
    if (a->prompt != NULL) {
        char *body = gen_body(a->prompt, a->max_new);
        json_t *rep = NULL;
        st = body ? remote_generate(&err, c, body, id, sizeof id, &rep)
                  : tc_fail(&err, TC_ENOMEM, "out of memory");
        free(body);
        if (st != TC_OK)
            return cli_report(verb, &err, st);
        printf("run      %s\ntext     %s\n", id, json_string_value(json_object_get(rep, "text")));
        json_decref(rep);
    } else {
        snprintf(id, sizeof id, "%s", a->run_id);
    }
    snprintf(p_rc, sizeof p_rc, "%s/receipt.json", dir);
    snprintf(p_vk, sizeof p_vk, "%s/vk.json", dir);
    snprintf(p_ch, sizeof p_ch, "%s/challenge.json", dir);
    snprintf(p_rs, sizeof p_rs, "%s/response.json", dir);
    snprintf(path, sizeof path, "/v1/runs/%s/receipt", id);
    st = fetch_to(&err, c, "GET", path, NULL, 0, p_rc);
    if (st == TC_OK && a->vk == NULL)
        st = fetch_to(&err, c, "GET", "/v1/vk", NULL, 0, p_vk);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    if (a->vk == NULL)
        printf("note     the verification key is the prover's (/v1/vk): pass --vk with a key "
               "of an SRS you trust\n");
    snprintf(th, sizeof th, "%d", a->threads);
    const char *ch[] = {"challenge", "--receipt", p_rc, "--model", a->model, "--budgets",
                        a->budgets, "--out", p_ch, "--threads", th, "--policy",
                        a->policy ? a->policy : "weighted"};
    int rc = run_local(cmd_challenge, ch, 13);
    if (rc != CLI_OK)
        return rc;
    uint8_t *body;
    size_t len;
    st = tc_read_file(&err, &body, &len, p_ch, 1 << 24);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    snprintf(path, sizeof path, "/v1/runs/%s/respond", id);
    st = fetch_to(&err, c, "POST", path, (const char *)body, len, p_rs);
    free(body);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    const char *au[] = {"audit", "--receipt", p_rc, "--vk", a->vk ? a->vk : p_vk, "--model",
                        a->model, "--challenge", p_ch, "--response", p_rs, "--threads", th,
                        "--report", a->report};
    return run_local(cmd_audit, au, a->report ? 15 : 13);
}

static void remove_files(const char *dir)
{
    static const char *const names[] = {"receipt.json", "vk.json", "challenge.json",
                                        "response.json"};
    char path[4096];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int cli_audit_remote(int argc, char **argv)
{
    remote_audit a = {.threads = cli_default_threads()};
    int rc = parse_audit(&a, argc, argv);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    tc_http_client c;
    tc_error err = {0};
    tc_status st = tc_http_client_init(&err, &c, a.url, a.token_file);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    c.ca_file = a.ca_file;
    char tmp[] = "/tmp/tensorcommit-audit-XXXXXX";
    const char *dir = a.keep;
    if (dir != NULL && mkdir(dir, 0755) != 0 && access(dir, W_OK) != 0) {
        cli_errorf(argv[0], "--keep %s: cannot create or write that folder", dir);
        return CLI_ERROR;
    }
    if (dir == NULL)
        dir = mkdtemp(tmp);
    if (dir == NULL) {
        cli_errorf(argv[0], "cannot create a temporary folder");
        return CLI_ERROR;
    }
    fflush(stdout);
    rc = audit_in(argv[0], &a, &c, dir);
    if (a.keep == NULL)
        remove_files(dir);
    return rc;
}
