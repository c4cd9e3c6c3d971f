/* tensorcommit-mpi open: openings at grid points and slices with a grid
 * prefix, every level's quotient split over the ranks by column
 * (docs/mpi.md).  While the coordinates so far are grid points, F_i is the
 * contiguous part T[g_0, …, g_{i−1}, ·] of the grid, so each rank reads the
 * columns it owns straight from the .npy file. */
#include "mpi_common.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: mpirun -np K tensorcommit-mpi open --srs SRS --tensor grid.npy\n"
            "           (--point Z0,Z1,.. | --slice J:Z0,..,Z(J-1))... --out proof.json\n"
            "           [--threads N]\n"
            "\n"
            "The proof.json of `tensorcommit open`, byte for byte, computed by K ranks.\n"
            "Coordinates must be grid points (Z_i < n_i); `tensorcommit open` opens at\n"
            "any field point.  At level i of n_i × R values rank r owns the columns\n"
            "[R·r/K, R·(r+1)/K); the partial proofs are summed on rank 0, which writes\n"
            "--out once every rank has succeeded.  SRS: an SRS file or a shard folder.\n"
            "  --threads N   threads per rank (default: the node's CPUs over its ranks)\n");
    mpi_help_exit_codes(f);
}

typedef struct open_ctx {
    const tc_pst_srs_src *src;
    const mpi_grid *grid;
    int threads;
} open_ctx;

/* π_i on rank 0 for F_i = grid[base .. base + n_i·R) and grid coordinate z. */
static tc_status level_proof(tc_error *err, tc_g1_affine *pi, const open_ctx *c, int i,
                             size_t base, const tc_fr *z)
{
    uint32_t n = c->src->shape.n[i];
    size_t rest = c->src->level_size[i + 1], lo, hi;
    tc_pst_block(rest, mpi_w.size, mpi_w.rank, &lo, &hi);
    size_t w = hi - lo, size = (size_t)n * w;
    int64_t *f64 = malloc((size + 1) * sizeof *f64);
    tc_fr *f = malloc((size + 1) * sizeof *f), *q = malloc((size + 1) * sizeof *q);
    tc_fr *fnext = malloc((w + 1) * sizeof *fnext);
    tc_g1_affine *keys = malloc((size + 1) * sizeof *keys);
    tc_g1 part, sum;
    tc_g1_set_infinity(&part);
    tc_status st = TC_OK;
    if (f64 == NULL || f == NULL || q == NULL || fnext == NULL || keys == NULL)
        st = tc_fail(err, TC_ENOMEM, "out of memory opening %zu values", size);
    for (uint32_t u = 0; u < n && st == TC_OK && w > 0; u++) {
        size_t row = (size_t)u * rest;
        st = mpi_grid_read(err, c->grid, f64 + (size_t)u * w, base + row + lo, w);
        if (st == TC_OK)
            st = tc_pst_srs_src_read(err, c->src, keys + (size_t)u * w, i, row + lo, row + hi,
                                     c->threads);
    }
    if (st == TC_OK && w > 0) {
        for (size_t k = 0; k < size; k++)
            tc_fr_from_i64(&f[k], f64[k]);
        tc_pst_quotient_step(q, fnext, f, n, w, z, c->threads);
        st = tc_pst_msm_fr_var(err, &part, keys, q, size, c->threads);
    }
    free(f64);
    free(f);
    free(q);
    free(fnext);
    free(keys);
    st = mpi_agree(err, st);
    if (st == TC_OK) {
        mpi_reduce_g1(&sum, &part);
        if (mpi_w.rank == 0)
            tc_g1_to_affine(pi, &sum);
    }
    return st;
}

/* The proofs π_0..π_{j−1} at the grid coordinates g; *base receives the
 * offset of F_j = T[g_0, …, g_{j−1}, ·] in the grid. */
static tc_status prefix_proofs(tc_error *err, tc_g1_affine *pi, size_t *base, const open_ctx *c,
                               const tc_fr *z, int j)
{
    *base = 0;
    for (int i = 0; i < j; i++) {
        uint32_t g;
        tc_pst_grid_index(&g, &z[i], c->src->shape.n[i]);
        tc_status st = level_proof(err, &pi[i], c, i, *base, &z[i]);
        if (st != TC_OK)
            return st;
        *base += (size_t)g * c->src->level_size[i + 1];
    }
    return TC_OK;
}

/* Grid values [base, base + n) as field elements, on rank 0. */
static tc_status read_values(tc_error *err, tc_fr *out, const mpi_grid *g, size_t base, size_t n)
{
    int64_t *v = malloc((n + 1) * sizeof *v);
    if (v == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu values", n);
    tc_status st = mpi_grid_read(err, g, v, base, n);
    for (size_t k = 0; st == TC_OK && k < n; k++)
        tc_fr_from_i64(&out[k], v[k]);
    free(v);
    return st;
}

typedef struct open_req {
    size_t n_points, n_slices;
    tc_fr (*points)[TC_PST_MAX_VARS];    /* (n_points) */
    tc_fr (*slice_z)[TC_PST_MAX_VARS];   /* (n_slices) */
    int *slice_j;                        /* (n_slices) */
} open_req;

static void req_free(open_req *r)
{
    free(r->points);
    free(r->slice_z);
    free(r->slice_j);
}

/* True when the first j coordinates are grid points of the shape. */
static bool on_grid(const tc_fr *z, int j, const tc_pst_shape *s)
{
    uint32_t g;
    for (int i = 0; i < j; i++)
        if (!tc_pst_grid_index(&g, &z[i], s->n[i]))
            return false;
    return true;
}

/* One --point or --slice against the shape; MPI_CLI_OK or a usage exit. */
static int parse_item(open_req *r, char kind, const char *val, const tc_pst_shape *s,
                      const char *verb)
{
    tc_fr z[TC_PST_MAX_VARS];
    int n = 0, j = s->m;
    const char *list = val;
    if (kind == 'l') {
        char *end;
        long v = strtol(val, &end, 10);
        if (end == val || *end != ':' || v < 1 || v > s->m)
            return mpi_usage(verb, "--slice %s: expected J:Z0,..,Z(J-1) with 1 <= J <= %d", val,
                             s->m);
        j = (int)v, list = end + 1;
    }
    if (!tc_pst_parse_fr_list(z, &n, TC_PST_MAX_VARS, list) || n != j)
        return mpi_usage(verb, "--%s %s: needs %d decimal field elements below r",
                         kind == 'l' ? "slice" : "point", val, j);
    if (!on_grid(z, j, s))
        return mpi_usage(verb, "--%s %s: coordinates must be grid points (Z_i < n_i); "
                         "`tensorcommit open` opens at other field points",
                         kind == 'l' ? "slice" : "point", val);
    if (kind == 'l') {
        r->slice_j[r->n_slices] = j;
        memcpy(r->slice_z[r->n_slices++], z, sizeof z);
    } else {
        memcpy(r->points[r->n_points++], z, sizeof z);
    }
    return MPI_CLI_OK;
}

typedef struct opt_item { char kind; const char *val; } opt_item;

/* Every request, in the order given (points first in the output, as
 * `tensorcommit open` writes them). */
static int parse_requests(open_req *r, const opt_item *items, size_t n_items,
                          const tc_pst_shape *s, const char *verb)
{
    r->points = calloc(n_items + 1, sizeof *r->points);
    r->slice_z = calloc(n_items + 1, sizeof *r->slice_z);
    r->slice_j = calloc(n_items + 1, sizeof *r->slice_j);
    if (r->points == NULL || r->slice_z == NULL || r->slice_j == NULL) {
        mpi_errorf(verb, "out of memory");
        return MPI_CLI_ERROR;
    }
    for (size_t k = 0; k < n_items; k++) {
        int rc = parse_item(r, items[k].kind, items[k].val, s, verb);
        if (rc != MPI_CLI_OK)
            return rc;
    }
    if (r->n_slices > 64)
        return mpi_usage(verb, "at most 64 slices");
    return MPI_CLI_OK;
}

/* The openings and slices (filled on rank 0), then proof.json. */
static tc_status open_all(tc_error *err, const open_ctx *c, const open_req *r, const char *out)
{
    int m = c->src->shape.m;
    tc_pst_opening *open = calloc(r->n_points + 1, sizeof *open);
    tc_pst_slice *sl = calloc(r->n_slices + 1, sizeof *sl);
    char *json = NULL;
    tc_g1 cm;
    tc_g1_affine ca;
    size_t base;
    tc_status st = open && sl ? TC_OK : tc_fail(err, TC_ENOMEM, "out of memory");
    st = mpi_agree(err, st);
    if (st == TC_OK)
        st = mpi_commit_grid(err, &cm, c->src, c->grid, c->threads);
    for (size_t p = 0; p < r->n_points && st == TC_OK; p++) {
        st = prefix_proofs(err, open[p].pi, &base, c, r->points[p], m);
        open[p].m = m;
        memcpy(open[p].z, r->points[p], sizeof open[p].z);
        if (st == TC_OK && mpi_w.rank == 0)
            st = read_values(err, &open[p].y, c->grid, base, 1);
        st = mpi_agree(err, st);
    }
    for (size_t q = 0; q < r->n_slices && st == TC_OK; q++) {
        int j = r->slice_j[q];
        st = prefix_proofs(err, sl[q].pi, &base, c, r->slice_z[q], j);
        sl[q].j = j;
        memcpy(sl[q].z, r->slice_z[q], sizeof sl[q].z);
        sl[q].count = c->src->level_size[j];
        if (st == TC_OK && mpi_w.rank == 0) {
            sl[q].values = malloc(sl[q].count * sizeof *sl[q].values);
            st = sl[q].values ? read_values(err, sl[q].values, c->grid, base, sl[q].count)
                              : tc_fail(err, TC_ENOMEM, "out of memory for a slice");
        }
        st = mpi_agree(err, st);
    }
    if (st == TC_OK && mpi_w.rank == 0) {
        tc_g1_to_affine(&ca, &cm);
        st = tc_pst_proof_encode(err, &json, &c->src->shape, &ca, open, r->n_points, sl,
                                 r->n_slices);
        if (st == TC_OK)
            st = tc_write_file_atomic(err, out, json, strlen(json));
    }
    st = mpi_agree(err, st);
    for (size_t q = 0; sl != NULL && q < r->n_slices; q++)
        tc_pst_slice_free(&sl[q]);
    free(sl);
    free(open);
    free(json);
    return st;
}

int mpi_open_cmd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"srs", required_argument, 0, 's'},     {"tensor", required_argument, 0, 't'},
        {"grid", required_argument, 0, 't'},    {"point", required_argument, 0, 'p'},
        {"slice", required_argument, 0, 'l'},   {"out", required_argument, 0, 'o'},
        {"random-points", required_argument, 0, 'r'},
        {"threads", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *srs_path = NULL, *tensor = NULL, *out = NULL;
    int threads = mpi_default_threads(), c, rc = MPI_CLI_OK;
    opt_item *items = calloc((size_t)argc + 1, sizeof *items);
    size_t n_items = 0;
    if (items == NULL)
        return MPI_CLI_ERROR;
    opterr = 0;
    optind = 1;
    while (rc == MPI_CLI_OK && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 's': srs_path = optarg; break;
        case 't': tensor = optarg; break;
        case 'o': out = optarg; break;
        case 'p': case 'l': items[n_items++] = (opt_item){(char)c, optarg}; break;
        case 'r':
            rc = mpi_usage(argv[0], "--random-points: random field points are not grid points; "
                                    "use `tensorcommit open`");
            break;
        case 'j':
            if (!mpi_threads_option(argv[0], optarg, &threads))
                rc = MPI_CLI_USAGE;
            break;
        case 'h':
            if (mpi_w.rank == 0)
                help(stdout);
            free(items);
            return MPI_CLI_OK;
        default:
            rc = mpi_bad_option(argv[0], c, argv[optind - 1]);
        }
    }
    if (rc == MPI_CLI_OK && optind != argc)
        rc = mpi_usage(argv[0], "unexpected argument '%s'", argv[optind]);
    if (rc == MPI_CLI_OK && (srs_path == NULL || tensor == NULL || out == NULL || n_items == 0))
        rc = mpi_usage(argv[0], "%s", srs_path == NULL ? "--srs is required"
                                      : tensor == NULL ? "--tensor is required"
                                      : out == NULL    ? "--out is required"
                                                       : "give at least one --point or --slice");
    if (rc != MPI_CLI_OK) {
        free(items);
        return rc;
    }
    tc_error err = {0};
    tc_pst_srs_src src;
    mpi_grid g = {.fd = -1};
    open_req req = {0};
    tc_status st = mpi_srs_open(&err, &src, srs_path);
    if (st != TC_OK) {
        free(items);
        return mpi_report(argv[0], &err);
    }
    rc = parse_requests(&req, items, n_items, &src.shape, argv[0]);
    if (rc == MPI_CLI_OK) {
        st = mpi_agree(&err, mpi_grid_open(&err, &g, tensor, &src.shape));
        open_ctx ctx = {&src, &g, threads};
        if (st == TC_OK)
            st = open_all(&err, &ctx, &req, out);
        rc = st == TC_OK ? MPI_CLI_OK : mpi_report(argv[0], &err);
    }
    req_free(&req);
    free(items);
    mpi_grid_close(&g);
    tc_pst_srs_src_close(&src);
    return rc;
}
