/* tensorcommit verify --run RUNDIR: re-check a run folder (protocol/check.h). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol/check.h"

static void print_line(void *ctx, bool ok, const char *line)
{
    (void)ctx;
    printf("%s  %s\n", ok ? "ok  " : "FAIL", line);
}

int cli_verify_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"run", required_argument, 0, 'r'},      {"srs", required_argument, 0, 's'},
        {"model", required_argument, 0, 'm'},    {"skip-model", no_argument, 0, 'k'},
        {"tolerance", required_argument, 0, 'T'}, {"threads", required_argument, 0, 't'},
        {0, 0, 0, 0}};
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
    tc_error err = {0};
    tc_check_result res;
    tc_status st = tc_run_check(&err, &res, &o);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
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
