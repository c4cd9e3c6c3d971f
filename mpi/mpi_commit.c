/* tensorcommit-mpi commit: the commitment to an int64 grid, each rank
 * summing its block of level 0 (docs/mpi.md). */
#include "mpi_common.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: mpirun -np K tensorcommit-mpi commit --srs SRS --tensor grid.npy\n"
            "                                             [--out commitment.json] [--threads N]\n"
            "\n"
            "The commitment of `tensorcommit commit`, byte for byte, computed by K ranks:\n"
            "rank r reads values [N·r/K, N·(r+1)/K) of the grid and the same block of the\n"
            "level-0 key.  SRS: an SRS file or a shard folder.  Rank 0 prints the\n"
            "commitment and writes --out ({commitment, shape, srs_id}).\n"
            "  --threads N   threads per rank (default: the node's CPUs over its ranks)\n");
    mpi_help_exit_codes(f);
}

/* {commitment, shape, srs_id} as `tensorcommit commit --out` writes it. */
static tc_status write_json(tc_error *err, const char *out, const char *hex,
                            const tc_pst_srs_src *src)
{
    char sh[256], id[65], json[512];
    size_t used = 0;
    for (int i = 0; i < src->shape.m; i++)
        used += (size_t)snprintf(sh + used, sizeof sh - used, i ? ", %u" : "%u", src->shape.n[i]);
    tc_hex_encode(id, src->id, 32);
    snprintf(json, sizeof json,
             "{\n  \"commitment\": \"%s\",\n  \"shape\": [%s],\n  \"srs_id\": \"%s\"\n}\n", hex,
             sh, id);
    return tc_write_file_atomic(err, out, json, strlen(json));
}

int mpi_commit_cmd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"srs", required_argument, 0, 's'}, {"tensor", required_argument, 0, 't'},
        {"grid", required_argument, 0, 't'}, {"out", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *srs_path = NULL, *tensor = NULL, *out = NULL;
    int threads = mpi_default_threads(), c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 's': srs_path = optarg; break;
        case 't': tensor = optarg; break;
        case 'o': out = optarg; break;
        case 'j':
            if (!mpi_threads_option(argv[0], optarg, &threads))
                return MPI_CLI_USAGE;
            break;
        case 'h':
            if (mpi_w.rank == 0)
                help(stdout);
            return MPI_CLI_OK;
        default: return mpi_bad_option(argv[0], c, argv[optind - 1]);
        }
    }
    if (srs_path == NULL || tensor == NULL)
        return mpi_usage(argv[0], "%s is required", srs_path == NULL ? "--srs" : "--tensor");
    if (optind != argc)
        return mpi_usage(argv[0], "unexpected argument '%s'", argv[optind]);
    tc_error err = {0};
    tc_pst_srs_src src;
    mpi_grid g = {.fd = -1};
    tc_status st = mpi_srs_open(&err, &src, srs_path);
    if (st != TC_OK)
        return mpi_report(argv[0], &err);
    st = mpi_agree(&err, mpi_grid_open(&err, &g, tensor, &src.shape));
    tc_g1 cm;
    if (st == TC_OK)
        st = mpi_commit_grid(&err, &cm, &src, &g, threads);
    if (st == TC_OK && mpi_w.rank == 0) {
        tc_g1_affine ca;
        char hex[65];
        tc_g1_to_affine(&ca, &cm);
        tc_pst_point_hex(hex, &ca);
        if (out != NULL)
            st = write_json(&err, out, hex, &src);
        if (st == TC_OK)
            printf("%s\n", hex);
    }
    st = mpi_agree(&err, st);
    mpi_grid_close(&g);
    tc_pst_srs_src_close(&src);
    return st == TC_OK ? MPI_CLI_OK : mpi_report(argv[0], &err);
}
