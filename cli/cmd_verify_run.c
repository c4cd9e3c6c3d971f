/* tensorcommit verify --run RUNDIR: re-check a run folder (protocol/check.h). */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol/check.h"
#include "pst/pst.h"

/* ctx: NULL for text, else where the JSON summary collects its lines */
typedef struct json_lines {
    json_t *checks, *notes;
} json_lines;

static void print_line(void *ctx, bool ok, const char *line)
{
    json_lines *jl = ctx;
    if (jl == NULL) {
        printf("%s  %s\n", ok ? "ok  " : "FAIL", line);
        return;
    }
    json_t *c = json_object();
    json_object_set_new(c, "ok", json_boolean(ok));
    json_object_set_new(c, "check", json_string(line));
    json_array_append_new(jl->checks, c);
}

/* The verdict as one JSON object (docs/formats.md, "verify --run --json"). */
static int print_json(const json_lines *jl, const tc_check_result *res, json_t *testing_origin)
{
    json_t *root = json_object();
    json_object_set_new(root, "testing_srs_origin", testing_origin);
    json_object_set_new(root, "valid", json_boolean(res->n_failed == 0));
    json_object_set_new(root, "n_checks", json_integer((json_int_t)res->n_checks));
    json_object_set_new(root, "n_failed", json_integer((json_int_t)res->n_failed));
    json_object_set_new(root, "model_checked", json_boolean(res->model_checked));
    json_object_set_new(root, "srs_from_run", json_boolean(res->srs_from_run));
    json_object_set(root, "checks", jl->checks);
    json_object_set(root, "notes", jl->notes);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        return cli_errorf("verify", "out of memory"), CLI_ERROR;
    printf("%s\n", text);
    free(text);
    return res->n_failed == 0 ? CLI_OK : CLI_REJECTED;
}

/* ctx as for print_line: notes are informative lines, never failures */
static void print_note(void *ctx, const char *line)
{
    json_lines *jl = ctx;
    if (jl == NULL)
        printf("note  %s\n", line);
    else
        json_array_append_new(jl->notes, json_string(line));
}

int cli_verify_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"run", required_argument, 0, 'r'},      {"srs", required_argument, 0, 's'},
        {"model", required_argument, 0, 'm'},    {"skip-model", no_argument, 0, 'k'},
        {"tolerance", required_argument, 0, 'T'}, {"threads", required_argument, 0, 't'},
        {"json", no_argument, 0, 'J'},            {0, 0, 0, 0}};
    bool as_json = false;
    tc_check_opts o = {0};
    o.tolerance = -1;
    o.n_threads = cli_default_threads();
    int c;
    char *end;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'r': o.run_dir = optarg; break;
        case 's': o.srs_path = optarg; break;
        case 'm': o.model_dir = optarg; break;
        case 'k': o.skip_model = true; break;
        case 'J': as_json = true; break;
        case 'T':
            o.tolerance = strtod(optarg, &end);
            if (*end != '\0' || !(o.tolerance >= 0))
                return cli_usage(argv[0], "--tolerance must be a number ≥ 0");
            break;
        case 't':
            if (!cli_threads_option(argv[0], optarg, &o.n_threads))
                return CLI_USAGE;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (o.skip_model && o.model_dir != NULL)
        return cli_usage(argv[0], "--model and --skip-model exclude each other");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    o.report = print_line;
    o.note = print_note;
    json_lines jl = {.checks = as_json ? json_array() : NULL,
                     .notes = as_json ? json_array() : NULL};
    o.report_ctx = as_json ? &jl : NULL;
    tc_error err = {0};
    tc_check_result res;
    tc_status st = tc_run_check(&err, &res, &o);
    if (st != TC_OK) {
        json_decref(jl.checks);
        json_decref(jl.notes);
        return cli_report(argv[0], &err, st);
    }
    if (as_json) {
        json_t *w = res.srs_testing ? json_string(res.srs_origin) : json_null();
        int rc = print_json(&jl, &res, w);
        json_decref(jl.checks);
        json_decref(jl.notes);
        return rc;
    }
    if (res.srs_testing)
        printf("%s: " TC_PST_TESTING_WARNING "\n",
               res.srs_from_run ? "the run folder's srs.tcs" : "--srs", res.srs_origin);
    if (res.n_failed == 0) {
        printf("valid: %zu checks passed%s%s\n", res.n_checks,
               res.model_checked ? "" : " (model not re-executed)",
               res.srs_from_run ? " (SRS from the run folder: binding only if you trust it; "
                                  "pass --srs)" : "");
        return CLI_OK;
    }
    printf("rejected: %zu of %zu checks failed\n", res.n_failed, res.n_checks);
    return CLI_REJECTED;
}
