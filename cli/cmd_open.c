/* tensorcommit open: openings of a committed grid at points (grid or any
 * field point) and slices, written to proof.json. */
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
            "usage: tensorcommit open --srs srs.tcs --tensor grid.npy\n"
            "         (--point Z0,Z1,.. | --random-points K | --slice J:Z0,..,Z(J-1))...\n"
            "         --out proof.json [--threads N]\n"
            "\n"
            "Opens the int64 grid at points and slices and writes proof.json with the\n"
            "commitment, each point's value and proof, and each slice's values and proof.\n"
            "\n"
            "  --point Z0,..        a point: one decimal field element (< r) per axis;\n"
            "                       grid points (Z_i < n_i) are the fast case\n"
            "  --random-points K    K uniformly random field points\n"
            "  --slice J:Z0,..      the slice with the first J coordinates fixed\n"
            "  --threads N          threads (default: the usable CPUs, at most 64)\n"
            "Options may repeat; points that share leading coordinates share work.\n");
    cli_help_exit_codes(f);
}

typedef struct open_req {
    tc_fr *points;      /* (n_points, m) */
    size_t n_points, cap_points;
    tc_fr slice_z[64][TC_PST_MAX_VARS];
    int slice_j[64];
    size_t n_slices;
} open_req;

static bool push_point(open_req *r, const tc_fr *z, int m)
{
    if (r->n_points == r->cap_points) {
        size_t cap = r->cap_points ? 2 * r->cap_points : 16;
        if (cap > (1u << 24))
            return false;
        tc_fr *p = realloc(r->points, cap * (size_t)TC_PST_MAX_VARS * sizeof *p);
        if (p == NULL)
            return false;
        r->points = p, r->cap_points = cap;
    }
    memcpy(r->points + r->n_points * TC_PST_MAX_VARS, z, (size_t)m * sizeof *z);
    r->n_points++;
    return true;
}

static bool random_point(tc_error *err, tc_fr *z, int m)
{
    for (int i = 0; i < m; i++) {
        uint8_t wide[64];
        if (tc_os_random(err, wide, sizeof wide) != TC_OK)
            return false;
        tc_fr_from_bytes_wide(&z[i], wide);
    }
    return true;
}

/* True when the list has `want` entries made only of digits: then a parse
 * failure means a value outside [0, r) (bad input), not a usage error. */
static bool digits_only(const char *s, int want)
{
    int n = 1;
    if (*s == '\0')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == ',') {
            if (p[1] == '\0' || p == s || p[-1] == ',')
                return false;
            n++;
        } else if (*p < '0' || *p > '9') {
            return false;
        }
    }
    return n == want;
}

/* Options are kept as strings first: their meaning needs the SRS shape. */
typedef struct opt_item { char kind; const char *val; } opt_item;

static int out_of_memory(const char *verb)
{
    cli_errorf(verb, "out of memory");
    return CLI_ERROR;
}

/* The --point, --random-points and --slice requests, in their order,
 * checked against the SRS's m variables.  Returns CLI_OK, or the exit code
 * after a message. */
static int parse_requests(const char *verb, open_req *req, const opt_item *items,
                          size_t n_items, int m)
{
    tc_error err = {0};
    for (size_t k = 0; k < n_items; k++) {
        tc_fr z[TC_PST_MAX_VARS];
        int n = 0;
        if (items[k].kind == 'p') {
            if (!tc_pst_parse_fr_list(z, &n, TC_PST_MAX_VARS, items[k].val) || n != m) {
                bool range = digits_only(items[k].val, m);
                cli_errorf(verb, "--point %s: %s", items[k].val,
                           range ? "a coordinate is not below the group order r"
                                 : "needs one decimal field element per axis");
                return range ? CLI_ERROR : CLI_USAGE;
            }
            if (!push_point(req, z, m))
                return out_of_memory(verb);
        } else if (items[k].kind == 'r') {
            int kk;
            if (!cli_parse_int(items[k].val, 1, 1 << 20, &kk))
                return cli_usage(verb, "--random-points must be in 1..%d", 1 << 20);
            for (int q = 0; q < kk; q++) {
                if (!random_point(&err, z, m))
                    return cli_report(verb, &err, err.status);
                if (!push_point(req, z, m))
                    return out_of_memory(verb);
            }
        } else {
            const char *colon = strchr(items[k].val, ':');
            int j;
            char jbuf[8];
            size_t jl = colon ? (size_t)(colon - items[k].val) : 0;
            if (colon != NULL && jl < sizeof jbuf) {
                memcpy(jbuf, items[k].val, jl);
                jbuf[jl] = '\0';
            }
            if (colon == NULL || jl == 0 || jl >= sizeof jbuf || !cli_parse_int(jbuf, 1, m, &j) ||
                !tc_pst_parse_fr_list(z, &n, TC_PST_MAX_VARS, colon + 1) || n != j ||
                req->n_slices == 64)
                return cli_usage(verb, "--slice %s: expected J:Z0,..,Z(J-1) with 1 <= J <= %d "
                                       "(at most 64 slices)", items[k].val, m);
            req->slice_j[req->n_slices] = j;
            memcpy(req->slice_z[req->n_slices++], z, (size_t)j * sizeof *z);
        }
    }
    return CLI_OK;
}

int cmd_open(int argc, char **argv)
{
    if (cli_wants_remote(argc, argv))
        return cli_open_remote(argc, argv);
    static const struct option opts[] = {
        {"srs", required_argument, 0, 's'},     {"tensor", required_argument, 0, 't'},
        {"point", required_argument, 0, 'p'},   {"random-points", required_argument, 0, 'r'},
        {"slice", required_argument, 0, 'l'},   {"out", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *srs_path = NULL, *tensor = NULL, *out = NULL;
    int threads = cli_default_threads(), c;
    opt_item *items = calloc((size_t)argc + 1, sizeof *items);
    size_t n_items = 0;
    if (items == NULL)
        return cli_errorf(argv[0], "out of memory"), CLI_ERROR;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 's': srs_path = optarg; break;
        case 't': tensor = optarg; break;
        case 'o': out = optarg; break;
        case 'p': case 'r': case 'l': items[n_items++] = (opt_item){(char)c, optarg}; break;
        case 'j':
            if (!cli_threads_option(argv[0], optarg, &threads)) {
                free(items);
                return CLI_USAGE;
            }
            break;
        case 'h': free(items); help(stdout); return CLI_OK;
        default: free(items); return CLI_USAGE;
        }
    }
    if (srs_path == NULL || tensor == NULL || out == NULL || n_items == 0 || optind != argc) {
        free(items);
        if (optind != argc)
            return cli_extra_args(argv[0], argc, argv, optind);
        return cli_usage(argv[0], "%s", srs_path == NULL ? "--srs is required"
                                        : tensor == NULL ? "--tensor is required"
                                        : out == NULL    ? "--out is required"
                                                         : "give at least one --point, --random-points or --slice");
    }
    tc_error err = {0};
    tc_pst_srs srs;
    tc_npy a = {0};
    open_req req = {0};
    tc_pst_opening *open = NULL;
    tc_pst_slice slices[64];
    size_t n_done = 0;
    char *json = NULL;
    int rc = CLI_OK;
    tc_status st = tc_pst_srs_load(&err, &srs, srs_path, threads);
    if (st != TC_OK) {
        free(items);
        return cli_report(argv[0], &err, st);
    }
    int m = srs.shape.m;
    /* requests, checked against the shape before any work */
    rc = parse_requests(argv[0], &req, items, n_items, m);
    if (rc != CLI_OK)
        goto out;
    st = tc_npy_read(&err, &a, tensor);
    if (st == TC_OK && a.dtype != TC_NPY_I64)
        st = tc_fail(&err, TC_EFORMAT, "%s: dtype is float32, expected int64", tensor);
    if (st == TC_OK)
        st = tc_pst_check_tensor_shape(&err, &srs.shape, a.ndim, a.shape, tensor);
    if (st != TC_OK) {
        rc = cli_report(argv[0], &err, st);
        goto out;
    }
    tc_g1 cm;
    tc_g1_affine ca;
    st = tc_pst_commit_i64(&err, &cm, &srs, a.data, a.count, threads);
    if (st != TC_OK) {
        rc = cli_report(argv[0], &err, st);
        goto out;
    }
    tc_g1_to_affine(&ca, &cm);
    open = calloc(req.n_points + 1, sizeof *open);
    tc_fr *zs = malloc((req.n_points * (size_t)m + 1) * sizeof *zs);
    if (open == NULL || zs == NULL) {
        free(zs);
        goto nomem;
    }
    for (size_t p = 0; p < req.n_points; p++)
        memcpy(zs + p * (size_t)m, req.points + p * TC_PST_MAX_VARS, (size_t)m * sizeof *zs);
    st = tc_pst_open(&err, open, &srs, a.data, a.count, zs, req.n_points, threads);
    free(zs);
    for (; st == TC_OK && n_done < req.n_slices; n_done++)
        st = tc_pst_open_slice(&err, &slices[n_done], &srs, a.data, a.count, req.slice_z[n_done],
                               req.slice_j[n_done], threads);
    if (st == TC_OK)
        st = tc_pst_proof_encode(&err, &json, &srs.shape, &ca, open, req.n_points, slices, n_done);
    if (st == TC_OK)
        st = tc_write_file_atomic(&err, out, json, strlen(json));
    if (st != TC_OK)
        rc = cli_report(argv[0], &err, st);
    goto out;
nomem:
    rc = out_of_memory(argv[0]);
out:
    for (size_t k = 0; k < n_done; k++)
        tc_pst_slice_free(&slices[k]);
    free(json);
    free(open);
    free(req.points);
    free(items);
    tc_npy_free(&a);
    tc_pst_srs_free(&srs);
    return rc;
}
