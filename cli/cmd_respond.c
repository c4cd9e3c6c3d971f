/* tensorcommit respond: the prover's answer to a challenge. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

#include "protocol/audit.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit respond --run RUNDIR --challenge challenge.json\n"
            "            --out response.json [--srs srs.tcs] [--threads N]\n"
            "\n"
            "The prover's answer to a verifier's challenge: slice openings of every hidden\n"
            "state the challenge names (each range's input and output, the embedding\n"
            "output and the final states), all tokens of each, with one proof per layer.\n"
            "Values are int64 little-endian in base64.  A challenge for another commitment\n"
            "is refused.  RUNDIR is a structured-layout run (`tensorcommit run`, with or\n"
            "without --no-open); --srs when the run was made with --srs.\n");
    cli_help_exit_codes(f);
}

int cmd_respond(int argc, char **argv)
{
    static const struct option opts[] = {
        {"run", required_argument, 0, 'r'},     {"challenge", required_argument, 0, 'c'},
        {"out", required_argument, 0, 'o'},     {"srs", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    tc_respond_opts o = {.n_threads = cli_default_threads()};
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'r': o.run_dir = optarg; break;
        case 'c': o.challenge_path = optarg; break;
        case 'o': o.out_path = optarg; break;
        case 's': o.srs_path = optarg; break;
        case 't':
            if (!cli_threads_option(argv[0], optarg, &o.n_threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;     /* cli_getopt said why */
        }
    }
    if (o.run_dir == NULL || o.challenge_path == NULL || o.out_path == NULL)
        return cli_usage(argv[0], "--run, --challenge and --out are required");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    double t0 = tc_now();
    tc_status st = tc_respond(&err, &o);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    printf("response    %s (%.2f s)\n", o.out_path, tc_now() - t0);
    return CLI_OK;
}
