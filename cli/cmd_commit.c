/* tensorcommit commit: the PST commitment to an int64 grid (.npy). */
#include "cli.h"

#include "pst/pst.h"
#include "tensor/npy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit commit --srs srs.tcs --tensor grid.npy [--out commitment.json]\n"
            "                           [--threads N]\n"
            "\n"
            "Commits to an int64 .npy array whose shape is the SRS shape (for more than 8\n"
            "axes, a flat array of the grid's size).  Prints the commitment (compressed G1,\n"
            "64 hex characters) on stdout; --out also writes {commitment, shape, srs_id}\n"
            "(srs_id: the SRS file's trailing 32-byte digest, not its sha256sum).\n");
    cli_help_exit_codes(f);
}

int cmd_commit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"srs", required_argument, 0, 's'}, {"tensor", required_argument, 0, 't'},
        {"out", required_argument, 0, 'o'}, {"threads", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},      {0, 0, 0, 0}};
    const char *srs_path = NULL, *tensor = NULL, *out = NULL;
    int threads = cli_default_threads(), c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 's': srs_path = optarg; break;
        case 't': tensor = optarg; break;
        case 'o': out = optarg; break;
        case 'j':
            if (!cli_threads_option(argv[0], optarg, &threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (srs_path == NULL || tensor == NULL)
        return cli_usage(argv[0], "%s is required", srs_path == NULL ? "--srs" : "--tensor");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (!cli_not_stdout(argv[0], "--out", out, "standard output carries the commitment line"))
        return CLI_USAGE;
    tc_error err = {0};
    tc_pst_srs srs;
    tc_npy a = {0};
    char *json = NULL;
    tc_status st = tc_pst_srs_load(&err, &srs, srs_path, threads);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    st = tc_npy_read(&err, &a, tensor);
    if (st == TC_OK && a.dtype != TC_NPY_I64)
        st = tc_fail(&err, TC_EFORMAT, "%s: dtype is float32, expected int64", tensor);
    if (st == TC_OK)
        st = tc_pst_check_tensor_shape(&err, &srs.shape, a.ndim, a.shape, tensor);
    tc_g1 cm;
    if (st == TC_OK)
        st = tc_pst_commit_i64(&err, &cm, &srs, a.data, a.count, threads);
    if (st != TC_OK)
        goto out;
    tc_g1_affine ca;
    char hex[65], id[65];
    tc_g1_to_affine(&ca, &cm);
    tc_pst_point_hex(hex, &ca);
    tc_hex_encode(id, srs.id, 32);
    if (out != NULL) {
        char sh[256];
        size_t used = 0;
        for (int i = 0; i < srs.shape.m; i++)
            used += (size_t)snprintf(sh + used, sizeof sh - used, i ? ", %u" : "%u", srs.shape.n[i]);
        size_t cap = 512;
        json = malloc(cap);
        if (json == NULL) {
            st = tc_fail(&err, TC_ENOMEM, "out of memory");
            goto out;
        }
        snprintf(json, cap, "{\n  \"commitment\": \"%s\",\n  \"shape\": [%s],\n  \"srs_id\": \"%s\"\n}\n",
                 hex, sh, id);
        st = tc_write_file_atomic(&err, out, json, strlen(json));
        if (st != TC_OK)
            goto out;
    }
    printf("%s\n", hex);
out:
    free(json);
    tc_npy_free(&a);
    tc_pst_srs_free(&srs);
    return st == TC_OK ? CLI_OK : cli_report(argv[0], &err, st);
}
