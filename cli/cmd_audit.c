/* tensorcommit audit: the verifier's verdict on a challenged run. */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/audit.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit audit --receipt receipt.json --vk vk.json --model DIR\n"
            "            --challenge challenge.json --response response.json\n"
            "            [--report audit.json] [--tolerance X] [--max-step S] [--threads N]\n"
            "            [--cache DIR]\n"
            "\n"
            "Checks a prover's response to a challenge without re-running the whole model:\n"
            "  binding       the challenge is for this receipt, the response for this\n"
            "                challenge (nonce, digests) and opens the layers it asked for\n"
            "  expectations  the model's digest, the SRS id, the layout and the\n"
            "                quantization are what this verifier expects (a step of at\n"
            "                most --max-step, default %g: a coarser one changes what the\n"
            "                blocks compute)\n"
            "  openings      every slice verifies against the commitment (one batch)\n"
            "  embedding     hidden state 0 is the quantized embedding of the tokens\n"
            "  ranges        each range re-executed from its opened input matches its\n"
            "                opened output: exactly for --deterministic runs, else within\n"
            "                --tolerance (hidden-state units; default %g of the\n"
            "                largest |value| of the range's output layer)\n"
            "  tokens        every generated token follows from the committed final\n"
            "                states (argmax at temperature 0, else the seeded sampler)\n"
            "vk.json must embed the Lagrange level of a layer (`run` writes such a file).\n"
            "Prints one line per check and the verdict; --report writes the figures as\n"
            "JSON (docs/formats.md).  Exit 1 names the first failing check.\n"
            "--cache DIR remembers, between audits, the keys whose levels checked out\n"
            "(by the key file's SHA-256) and the model's digest (until a file of its\n"
            "folder changes): both cost more than a small model's re-execution and\n"
            "depend only on the key and the model (docs/audit.md).\n",
            TC_AUDIT_DEFAULT_MAX_STEP, TC_AUDIT_DEFAULT_REL_TOL);
    cli_help_exit_codes(f);
}

static void report_line(void *ctx, bool ok, const char *name, const char *line)
{
    (void)ctx;
    printf("%-4s %-13s %s\n", ok ? "ok" : "FAIL", name, line);
}

int cmd_audit(int argc, char **argv)
{
    if (cli_wants_remote(argc, argv))
        return cli_audit_remote(argc, argv);
    static const struct option opts[] = {
        {"receipt", required_argument, 0, 'r'},  {"vk", required_argument, 0, 'k'},
        {"model", required_argument, 0, 'm'},    {"challenge", required_argument, 0, 'c'},
        {"response", required_argument, 0, 's'}, {"report", required_argument, 0, 'R'},
        {"tolerance", required_argument, 0, 'T'}, {"threads", required_argument, 0, 't'},
        {"max-step", required_argument, 0, 'M'}, {"cache", required_argument, 0, 'C'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    tc_audit_opts o = {.tolerance = -1, .n_threads = cli_default_threads(),
                       .report = report_line};
    const char *report = NULL;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'r': o.receipt_path = optarg; break;
        case 'k': o.vk_path = optarg; break;
        case 'm': o.model_dir = optarg; break;
        case 'c': o.challenge_path = optarg; break;
        case 's': o.response_path = optarg; break;
        case 'R': report = optarg; break;
        case 'T': {
            char *end;
            o.tolerance = strtod(optarg, &end);
            if (*end != '\0' || !(o.tolerance >= 0 && o.tolerance < 1e6))
                return cli_usage(argv[0], "--tolerance must be a number in [0, 1e6)");
            break;
        }
        case 'C': o.cache_dir = optarg; break;
        case 'M': {
            char *end;
            o.max_step = strtod(optarg, &end);
            if (*end != '\0' || !(o.max_step > 0 && o.max_step < 1e6))
                return cli_usage(argv[0], "--max-step must be a number in (0, 1e6)");
            break;
        }
        case 't':
            if (!cli_threads_option(argv[0], optarg, &o.n_threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;     /* cli_getopt said why */
        }
    }
    if (o.receipt_path == NULL || o.vk_path == NULL || o.model_dir == NULL ||
        o.challenge_path == NULL || o.response_path == NULL)
        return cli_usage(argv[0], "--receipt, --vk, --model, --challenge and --response are "
                                    "required");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    tc_audit_result res;
    double t0 = tc_now();
    tc_status st = tc_audit(&err, &res, &o);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    double secs = tc_now() - t0;
    json_object_set_new(res.report_json, "seconds", json_real(secs));
    int rc = res.accept ? CLI_OK : CLI_REJECTED;
    if (report != NULL) {
        char *text = json_dumps(res.report_json, JSON_INDENT(2) | JSON_SORT_KEYS);
        size_t n = text ? strlen(text) : 0;
        if (text != NULL)
            text[n] = '\n';   /* json_dumps leaves room for the NUL we overwrite */
        st = text ? tc_write_file_atomic(&err, report, text, n + 1)
                  : tc_fail(&err, TC_ENOMEM, "cannot serialise the report");
        free(text);
        if (st != TC_OK)
            rc = cli_report(argv[0], &err, st);
    }
    json_decref(res.report_json);
    if (res.accept)
        printf("verdict  ACCEPT (%.2f s)\n", secs);
    else
        printf("verdict  REJECT: first failing check: %s (%.2f s)\n", res.first_failure, secs);
    return rc;
}
