/* tensorcommit vk: the verification key of an SRS as JSON, optionally with
 * the Lagrange keys of some levels so that slice openings can be verified
 * without the SRS. */
#include "cli.h"

#include "pst/pst.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit vk --srs srs.tcs [--slice-levels J1,J2,..] --out vk.json\n"
            "            [--format json|bin]\n"
            "\n"
            "Writes the verification key ([1]1, [1]2, [t_i]2, the shape, the SRS's origin\n"
            "and the SRS id: the SRS file's trailing 32-byte digest, not its sha256sum).\n"
            "With --slice-levels it also embeds Lagrange keys, which `verify --vk` needs\n"
            "for slice openings that fix J leading coordinates: every level from the\n"
            "smallest J listed up to m - 1 (level j has prod(shape[j:]) points; level m\n"
            "is [1]1).  The levels above J let `verify` check every embedded key against\n"
            "[1]2 and [t_i]2 with pairings instead of trusting it.\n"
            "\n"
            "--format bin (the default for an --out ending in .tcv) writes the binary key\n"
            "(docs/formats.md): 64 bytes a point instead of ~65 characters, memory-mapped\n"
            "and decoded without hex parsing; `audit` reads either form.  It needs\n"
            "--slice-levels (its smallest level is kept).\n");
    cli_help_exit_codes(f);
}

int cmd_vk(int argc, char **argv)
{
    static const struct option opts[] = {
        {"srs", required_argument, 0, 's'}, {"slice-levels", required_argument, 0, 'l'},
        {"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
        {"format", required_argument, 0, 'f'},
        {0, 0, 0, 0}};
    const char *srs_path = NULL, *out = NULL, *levels_s = NULL, *format = NULL;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 's': srs_path = optarg; break;
        case 'l': levels_s = optarg; break;
        case 'o': out = optarg; break;
        case 'f': format = optarg; break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (srs_path == NULL || out == NULL)
        return cli_usage(argv[0], "%s is required", srs_path == NULL ? "--srs" : "--out");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (format == NULL) {
        size_t n = strlen(out);
        format = n > 4 && !strcmp(out + n - 4, ".tcv") ? "bin" : "json";
    }
    if (strcmp(format, "bin") && strcmp(format, "json"))
        return cli_usage(argv[0], "--format must be json or bin");
    bool bin = !strcmp(format, "bin");
    if (bin && levels_s == NULL)
        return cli_usage(argv[0], "--format bin needs --slice-levels");
    uint64_t lv[TC_PST_MAX_VARS];
    int levels[TC_PST_MAX_VARS], n_levels = 0;
    if (levels_s != NULL) {
        n_levels = cli_parse_u64_list(levels_s, lv, TC_PST_MAX_VARS);
        if (n_levels < 1)
            return cli_usage(argv[0], "--slice-levels must be a list like 1,2");
        for (int i = 0; i < n_levels; i++) {
            if (lv[i] < 1 || lv[i] > TC_PST_MAX_VARS)
                return cli_usage(argv[0], "--slice-levels entries must be in 1..%d",
                                  TC_PST_MAX_VARS);
            levels[i] = (int)lv[i];
        }
    }
    tc_error err = {0};
    tc_pst_srs srs;
    tc_status st = tc_pst_srs_load(&err, &srs, srs_path, 2);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    for (int i = 0; i < n_levels; i++)
        if (levels[i] > srs.shape.m) {
            cli_errorf(argv[0], "%s: slice level %d outside 1..%d for this SRS", srs_path,
                       levels[i], srs.shape.m);
            tc_pst_srs_free(&srs);
            return CLI_ERROR;
        }
    char *json = NULL;
    if (bin) {
        int J = levels[0];
        for (int i = 1; i < n_levels; i++)
            J = levels[i] < J ? levels[i] : J;
        uint8_t *buf = NULL;
        size_t len = 0;
        st = tc_pst_vk_bin_encode(&err, &buf, &len, &srs, J);
        if (st == TC_OK)
            st = tc_write_file_atomic(&err, out, buf, len);
        free(buf);
    } else {
        st = tc_pst_vk_encode(&err, &json, &srs, levels, n_levels);
        if (st == TC_OK)
            st = tc_write_file_atomic(&err, out, json, strlen(json));
    }
    free(json);
    tc_pst_srs_free(&srs);
    return st == TC_OK ? CLI_OK : cli_report(argv[0], &err, st);
}
