/* tensorcommit locate: grid coordinates ↔ grid index ↔ (layer, token, hidden). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tensor/layout.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit locate --layout layout.json\n"
            "           (--at LAYER,TOKEN,HIDDEN | --index N | --coords c0,c1,.. |\n"
            "            --layer L [--token T])\n"
            "\n"
            "Maps one position of the committed grid between its three names and prints\n"
            "JSON: {index, coords, layer, token, hidden, padding}.  With --layer (and\n"
            "--token) it prints the slice that holds that layer (or that token's vector):\n"
            "{j, prefix}, the leading variables to fix in `tensorcommit open --slice`.\n");
    cli_help_exit_codes(f);
}

static void print_u32s(const uint32_t *v, int n)
{
    putchar('[');
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? ", " : "", v[i]);
    putchar(']');
}

int cmd_locate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"layout", required_argument, 0, 'L'}, {"at", required_argument, 0, 'a'},
        {"index", required_argument, 0, 'i'},  {"coords", required_argument, 0, 'c'},
        {"layer", required_argument, 0, 'l'},  {"token", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *path = NULL, *at = NULL, *index_s = NULL, *coords_s = NULL, *layer_s = NULL,
               *token_s = NULL;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'L': path = optarg; break;
        case 'a': at = optarg; break;
        case 'i': index_s = optarg; break;
        case 'c': coords_s = optarg; break;
        case 'l': layer_s = optarg; break;
        case 't': token_s = optarg; break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    int modes = (at != NULL) + (index_s != NULL) + (coords_s != NULL) + (layer_s != NULL);
    if (path == NULL)
        return cli_usage(argv[0], "--layout is required");
    if (modes != 1)
        return cli_usage(argv[0], "give exactly one of --at, --index, --coords and --layer");
    if (token_s && !layer_s)
        return cli_usage(argv[0], "--token needs --layer");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    tc_layout lay;
    tc_status st = tc_layout_read(&err, &lay, path);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);

    uint32_t coords[TC_LAYOUT_MAX_VARS];
    if (layer_s != NULL) {
        uint64_t l, t = 0;
        if (lay.kind != TC_LAYOUT_STRUCTURED)
            return cli_usage(argv[0], "%s: layer slices need the structured layout", path);
        if (!cli_parse_u64(layer_s, &l) || l >= lay.n_layers ||
            (token_s && (!cli_parse_u64(token_s, &t) || t >= lay.n_tokens)))
            return cli_usage(argv[0], "layer or token out of range (%zu layers, %zu tokens)",
                              lay.n_layers, lay.n_tokens);
        int j = token_s ? tc_layout_token_prefix(&lay, l, t, coords)
                        : tc_layout_layer_prefix(&lay, l, coords);
        printf("{\"j\": %d, \"prefix\": ", j);
        print_u32s(coords, j);
        printf("}\n");
        return CLI_OK;
    }
    size_t index;
    if (at != NULL) {
        uint64_t v[3];
        if (cli_parse_u64_list(at, v, 3) != 3 || v[0] >= lay.n_layers || v[1] >= lay.n_tokens ||
            v[2] >= lay.hidden)
            return cli_usage(argv[0], "--at needs LAYER,TOKEN,HIDDEN within %zu,%zu,%zu",
                              lay.n_layers, lay.n_tokens, lay.hidden);
        index = tc_layout_ltoh_to_index(&lay, v[0], v[1], v[2]);
    } else if (index_s != NULL) {
        uint64_t v;
        if (!cli_parse_u64(index_s, &v) || v >= lay.grid_size)
            return cli_usage(argv[0], "--index must be below the grid size %zu", lay.grid_size);
        index = v;
    } else {
        uint64_t v[TC_LAYOUT_MAX_VARS];
        int n = cli_parse_u64_list(coords_s, v, TC_LAYOUT_MAX_VARS);
        bool ok = n == lay.m;
        for (int i = 0; ok && i < n; i++) {
            ok = v[i] < lay.shape[i];
            coords[i] = (uint32_t)v[i];
        }
        if (!ok)
            return cli_usage(argv[0], "--coords needs %d values within the grid shape", lay.m);
        index = tc_layout_coords_to_index(&lay, coords);
    }
    tc_layout_index_to_coords(&lay, coords, index);
    size_t l, t, h;
    bool real = tc_layout_index_to_ltoh(&lay, index, &l, &t, &h);
    printf("{\"index\": %zu, \"coords\": ", index);
    print_u32s(coords, lay.m);
    if (real)
        printf(", \"layer\": %zu, \"token\": %zu, \"hidden\": %zu, \"padding\": false}\n", l, t, h);
    else
        printf(", \"padding\": true}\n");
    return CLI_OK;
}
