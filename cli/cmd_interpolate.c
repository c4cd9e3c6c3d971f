/* tensorcommit interpolate: monomial coefficients of the grid's polynomial
 * in the research code's coefficients.json form. */
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
            "usage: tensorcommit interpolate --tensor grid.npy --out coefficients.json\n"
            "                                [--shape 4,4,4] [--threads N]\n"
            "\n"
            "Interpolates the int64 grid (1..24 axes, each 1..16 long) to the monomial\n"
            "coefficients of the polynomial f with deg_{x_i} f < n_i that equals it on the\n"
            "grid, written as {\"dims\", \"degree_bound\", \"coefficients\"} with decimal\n"
            "strings in C order over the exponent tuples.  --shape reads the array (for\n"
            "instance a flat one, as `commit` takes for more than 8 variables) as a grid\n"
            "of that shape; its size must be the array's.\n"
            "  --threads N   threads (default: the usable CPUs, at most 64)\n");
    cli_help_exit_codes(f);
}

/* The grid shape of the array's own axes, or why it is none. */
static tc_status grid_shape(tc_error *err, tc_pst_shape *shape, const tc_npy *a,
                            const char *path)
{
    if (a->ndim == 0)
        return tc_fail(err, TC_EFORMAT, "%s: a 0-dimensional array has no axes", path);
    if (a->ndim > TC_PST_MAX_VARS)
        return tc_fail(err, TC_EFORMAT, "%s: %d axes (a grid has at most %d)", path, a->ndim,
                       TC_PST_MAX_VARS);
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] < 1 || a->shape[i] > TC_PST_MAX_N)
            return tc_fail(err, TC_EFORMAT,
                           "%s: axis %d has %lld values (a grid axis has 1..%d; for a flat "
                           "array give the grid's --shape)", path, i, (long long)a->shape[i],
                           TC_PST_MAX_N);
    shape->m = a->ndim;
    for (int i = 0; i < a->ndim; i++)
        shape->n[i] = (uint32_t)a->shape[i];
    tc_error e2;
    if (tc_pst_shape_check(&e2, shape) != TC_OK)
        return tc_fail(err, TC_EFORMAT, "%s: %s", path, e2.msg);
    return TC_OK;
}

int cmd_interpolate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tensor", required_argument, 0, 't'}, {"out", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 'j'}, {"shape", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    const char *tensor = NULL, *out = NULL, *shape_s = NULL;
    int threads = cli_default_threads(), c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 't': tensor = optarg; break;
        case 'o': out = optarg; break;
        case 's': shape_s = optarg; break;
        case 'j':
            if (!cli_threads_option(argv[0], optarg, &threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (tensor == NULL || out == NULL)
        return cli_usage(argv[0], "%s is required", tensor == NULL ? "--tensor" : "--out");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    tc_error err = {0};
    tc_npy a = {0};
    tc_fr *v = NULL;
    char *json = NULL;
    tc_pst_shape shape = {0};
    if (shape_s != NULL && !tc_pst_shape_parse(&shape, shape_s))
        return cli_usage(argv[0], "--shape must be 1..%d sizes in 1..%d with at most 2^40 "
                                  "points, e.g. 4,4,4", TC_PST_MAX_VARS, TC_PST_MAX_N);
    tc_status st = tc_npy_read(&err, &a, tensor);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    if (a.dtype != TC_NPY_I64) {
        st = tc_fail(&err, TC_EFORMAT, "%s: dtype is float32, expected int64", tensor);
        goto out;
    }
    if (shape_s != NULL) {
        size_t want = tc_pst_suffix_size(&shape, 0);
        if (a.count != want)
            st = tc_fail(&err, TC_EFORMAT, "%s: %zu values, the --shape %s has %zu", tensor,
                         a.count, shape_s, want);
    } else
        st = grid_shape(&err, &shape, &a, tensor);
    if (st != TC_OK)
        goto out;
    v = malloc(a.count * sizeof *v);
    if (v == NULL) {
        st = tc_fail(&err, TC_ENOMEM, "out of memory for %zu values", a.count);
        goto out;
    }
    for (size_t k = 0; k < a.count; k++)
        tc_fr_from_i64(&v[k], ((const int64_t *)a.data)[k]);
    st = tc_pst_interpolate(&err, v, v, &shape, threads);
    if (st == TC_OK)
        st = tc_pst_coefficients_json(&err, &json, &shape, v);
    if (st == TC_OK)
        st = tc_write_file_atomic(&err, out, json, strlen(json));
out:
    free(json);
    free(v);
    tc_npy_free(&a);
    return st == TC_OK ? CLI_OK : cli_report(argv[0], &err, st);
}
