/* tensorcommit layout: int64 [layers, tokens, hidden] → the committed grid. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/layout.h"
#include "tensor/npy.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit layout --in quantized.npy --out grid.npy\n"
            "                           [--layout structured|flat] [--meta layout.json] [--force]\n"
            "                           [--min-dim 3 --max-dim 9] [--k K] [--seed S]\n"
            "\n"
            "Lays an int64 tensor [layers, tokens, hidden] out as the grid that is committed.\n"
            "  structured (default): [layer][token][hidden] on separate variables, each axis\n"
            "      zero-padded to a product of factors in 2..16, so one layer, or one\n"
            "      (layer, token) vector, is a slice of the leading variables.\n"
            "  flat: the research code's layout: all values in order, padded to d^k with the\n"
            "      least padding for d in [min-dim, max-dim] (or the given k); padding copies\n"
            "      real values chosen by a generator seeded with --seed (default 0).\n"
            "Writes grid.npy with the grid's shape and the mapping to --meta (default:\n"
            "layout.json beside --out); `tensorcommit locate` reads it.  The meta file records\n"
            "the data file it describes: both files are written or neither, and an existing\n"
            "meta file of another data file is refused unless --force.\n");
    cli_help_exit_codes(f);
}

int cmd_layout(int argc, char **argv)
{
    static const struct option opts[] = {
        {"in", required_argument, 0, 'i'},      {"out", required_argument, 0, 'o'},
        {"layout", required_argument, 0, 'l'},  {"meta", required_argument, 0, 'M'},
        {"min-dim", required_argument, 0, 'a'}, {"max-dim", required_argument, 0, 'b'},
        {"k", required_argument, 0, 'k'},       {"seed", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},          {"force", no_argument, 0, 'f'},
        {0, 0, 0, 0}};
    const char *in = NULL, *out = NULL, *meta = NULL, *kind = "structured";
    int min_dim = TC_LAYOUT_FLAT_MIN_DIM, max_dim = TC_LAYOUT_FLAT_MAX_DIM, k = 0;
    uint64_t seed = 0;
    bool force = false;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'i': in = optarg; break;
        case 'o': out = optarg; break;
        case 'M': meta = optarg; break;
        case 'f': force = true; break;
        case 'l': kind = optarg; break;
        case 'a':
            if (!cli_parse_int(optarg, 2, 16, &min_dim))
                return cli_usage(argv[0], "--min-dim must be in 2..16");
            break;
        case 'b':
            if (!cli_parse_int(optarg, 2, 16, &max_dim))
                return cli_usage(argv[0], "--max-dim must be in 2..16");
            break;
        case 'k':
            if (!cli_parse_int(optarg, 1, TC_LAYOUT_MAX_VARS, &k))
                return cli_usage(argv[0], "--k must be in 1..24");
            break;
        case 's':
            if (!cli_parse_u64(optarg, &seed))
                return cli_usage(argv[0], "--seed must be a non-negative integer");
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    bool flat = !strcmp(kind, "flat");
    if (in == NULL || out == NULL)
        return cli_usage(argv[0], "%s is required", in == NULL ? "--in" : "--out");
    if (!flat && strcmp(kind, "structured"))
        return cli_usage(argv[0], "--layout must be structured or flat");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (min_dim > max_dim)
        return cli_usage(argv[0], "--min-dim is above --max-dim");
    if (!cli_not_stdout(argv[0], "--out", out, "layout writes two files (the grid and --meta)") ||
        !cli_not_stdout(argv[0], "--meta", meta, "layout writes two files (the grid and --meta)"))
        return CLI_USAGE;

    tc_error err = {0};
    tc_npy x = {0};
    tc_layout lay;
    int64_t *grid = NULL;
    char *meta_buf = NULL, *meta_text = NULL, *data_name = NULL;
    uint8_t *npy = NULL;
    size_t npy_len = 0;
    int rc = CLI_ERROR;
    tc_status st;
    st = tc_npy_read(&err, &x, in);
    if (st != TC_OK)
        goto fail;
    if (x.dtype != TC_NPY_I64 || x.ndim != 3) {
        cli_errorf(argv[0], "%s: expected an int64 array [layers, tokens, hidden]", in);
        goto out;
    }
    size_t L = (size_t)x.shape[0], T = (size_t)x.shape[1], H = (size_t)x.shape[2];
    st = flat ? tc_layout_flat(&err, &lay, L, T, H, (uint32_t)min_dim, (uint32_t)max_dim, k, seed)
              : tc_layout_structured(&err, &lay, L, T, H);
    if (st != TC_OK) {
        cli_errorf(argv[0], "%s: %s", in, err.msg);
        goto out;
    }
    grid = malloc(lay.grid_size * sizeof *grid);
    if (grid == NULL) {
        st = tc_fail(&err, TC_ENOMEM, "out of memory for a grid of %zu values", lay.grid_size);
        goto fail;
    }
    st = tc_layout_fill(&err, &lay, grid, x.data);
    if (st != TC_OK)
        goto fail;
    if (meta == NULL) {
        meta = meta_buf = cli_sibling_path(out, "layout.json");
        if (meta == NULL) {
            st = tc_fail(&err, TC_ENOMEM, "out of memory");
            goto fail;
        }
    }
    int64_t shape[TC_LAYOUT_MAX_VARS];
    for (int i = 0; i < lay.m; i++)
        shape[i] = lay.shape[i];
    data_name = tc_meta_data_name(meta, out);
    if (data_name == NULL) {
        st = tc_fail(&err, TC_ENOMEM, "out of memory");
        goto fail;
    }
    st = tc_npy_encode(&err, &npy, &npy_len, TC_NPY_I64, grid, lay.m, shape);
    if (st == TC_OK)
        st = tc_layout_encode(&err, &lay, data_name, &meta_text);
    if (st != TC_OK)
        goto fail;
    rc = cli_write_with_meta(argv[0], out, npy, npy_len, meta, meta_text, force);
    goto out;
fail:
    rc = cli_report(argv[0], &err, st);
out:
    tc_npy_free(&x);
    free(grid);
    free(meta_buf);
    free(meta_text);
    free(data_name);
    free(npy);
    return rc;
}
