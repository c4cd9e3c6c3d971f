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
            "usage: tensorcommit interpolate --tensor grid.npy --out coefficients.json [--threads N]\n"
            "\n"
            "Interpolates the int64 grid (each axis 1..16 long) to the monomial\n"
            "coefficients of the polynomial f with deg_{x_i} f < n_i that equals it on the\n"
            "grid, written as {\"dims\", \"degree_bound\", \"coefficients\"} with decimal\n"
            "strings in C order over the exponent tuples.\n");
}

int cmd_interpolate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tensor", required_argument, 0, 't'}, {"out", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *tensor = NULL, *out = NULL;
    int threads = cli_default_threads(), c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': tensor = optarg; break;
        case 'o': out = optarg; break;
        case 'j':
            if (!cli_threads_option(argv[0], optarg, &threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: help(stderr); return CLI_USAGE;
        }
    }
    if (tensor == NULL || out == NULL || optind != argc) {
        help(stderr);
        return CLI_USAGE;
    }
    tc_error err = {0};
    tc_npy a = {0};
    tc_fr *v = NULL;
    char *json = NULL;
    tc_pst_shape shape = {0};
    tc_status st = tc_npy_read(&err, &a, tensor);
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    if (a.dtype != TC_NPY_I64) {
        st = tc_fail(&err, TC_EFORMAT, "%s: dtype is float32, expected int64", tensor);
        goto out;
    }
    shape.m = a.ndim;
    for (int i = 0; i < a.ndim; i++)
        shape.n[i] = a.shape[i] >= 1 && a.shape[i] <= TC_PST_MAX_N ? (uint32_t)a.shape[i] : 0;
    tc_error e2;
    if (tc_pst_shape_check(&e2, &shape) != TC_OK) {
        st = tc_fail(&err, TC_EFORMAT, "%s: %s", tensor,
                     a.ndim == 0 ? "a 0-dimensional array has no axes" : e2.msg);
        goto out;
    }
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
