/* tensorcommit quantize: float32 hidden states → int64, exactly. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/layout.h"
#include "tensor/npy.h"
#include "tensor/quantize.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit quantize --in hidden_states.npy --out quantized.npy\n"
            "                             [--scale-factor 16 --quantize 50 | --binary-scale K]\n"
            "                             [--max-bits 63] [--meta quantization.json] [--force]\n"
            "\n"
            "Turns float32 hidden states ([layers, ...]) into int64 integers with the same\n"
            "shape, rounding half to even on the exact value of each float:\n"
            "  decimal (default): v = round(x * 10^s), s = scale_factor - floor(scale_factor*quantize/100)\n"
            "  binary:            v = round(x * 2^K)\n"
            "A value that does not fit in +-(2^max_bits - 1) is an error naming its layer and\n"
            "position; nothing is clipped.  The parameters, the formula and how to reverse it\n"
            "go to --meta (default: quantization.json beside --out), which records the data\n"
            "file it describes: both files are written or neither, and an existing meta file\n"
            "of another data file is refused unless --force.\n");
    cli_help_exit_codes(f);
}

int cmd_quantize(int argc, char **argv)
{
    static const struct option opts[] = {
        {"in", required_argument, 0, 'i'},           {"out", required_argument, 0, 'o'},
        {"scale-factor", required_argument, 0, 's'}, {"quantize", required_argument, 0, 'q'},
        {"binary-scale", required_argument, 0, 'b'}, {"max-bits", required_argument, 0, 'm'},
        {"meta", required_argument, 0, 'M'},         {"help", no_argument, 0, 'h'},
        {"force", no_argument, 0, 'f'},
        {0, 0, 0, 0}};
    const char *in = NULL, *out = NULL, *meta = NULL;
    int max_bits = 63;
    bool force = false;
    cli_quant qo;
    cli_quant_init(&qo);
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'i': in = optarg; break;
        case 'o': out = optarg; break;
        case 'M': meta = optarg; break;
        case 'f': force = true; break;
        case 's':
        case 'q':
        case 'b':
            if (!cli_quant_option(&qo, c, optarg, argv[0]))
                return CLI_USAGE;
            break;
        case 'm':
            if (!cli_parse_int(optarg, 1, 63, &max_bits))
                return cli_usage(argv[0], "--max-bits must be in 1..63");
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (in == NULL || out == NULL)
        return cli_usage(argv[0], "%s is required", in == NULL ? "--in" : "--out");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (!cli_not_stdout(argv[0], "--out", out, "quantize writes two files (the data and --meta)") ||
        !cli_not_stdout(argv[0], "--meta", meta, "quantize writes two files (the data and --meta)"))
        return CLI_USAGE;
    tc_error err = {0};
    tc_quant_params q;
    tc_status st;
    if (!cli_quant_params(&qo, &q, argv[0]))
        return CLI_USAGE;
    q.max_bits = max_bits;

    tc_npy x = {0};
    int64_t *v = NULL;
    char *meta_buf = NULL, *meta_text = NULL, *data_name = NULL;
    uint8_t *npy = NULL;
    size_t npy_len = 0;
    int rc = CLI_ERROR;
    st = tc_npy_read(&err, &x, in);
    if (st != TC_OK)
        goto fail;
    if (x.dtype != TC_NPY_F32 || x.ndim < 1) {
        cli_errorf(argv[0], "%s: expected a float32 array with a leading layer axis", in);
        goto out;
    }
    v = malloc((x.count ? x.count : 1) * sizeof *v);
    if (v == NULL) {
        st = tc_fail(&err, TC_ENOMEM, "out of memory");
        goto fail;
    }
    size_t layers = (size_t)x.shape[0], per = layers ? x.count / layers : 0;
    st = tc_quantize_f32(&err, &q, v, x.data, layers, per);
    if (st != TC_OK) {
        cli_errorf(argv[0], "%s: %s", in, err.msg);
        goto out;
    }
    if (meta == NULL) {
        meta = meta_buf = cli_sibling_path(out, "quantization.json");
        if (meta == NULL) {
            st = tc_fail(&err, TC_ENOMEM, "out of memory");
            goto fail;
        }
    }
    data_name = tc_meta_data_name(meta, out);
    if (data_name == NULL) {
        st = tc_fail(&err, TC_ENOMEM, "out of memory");
        goto fail;
    }
    st = tc_npy_encode(&err, &npy, &npy_len, TC_NPY_I64, v, x.ndim, x.shape);
    if (st == TC_OK)
        st = tc_quant_encode(&err, &q, data_name, &meta_text);
    if (st != TC_OK)
        goto fail;
    rc = cli_write_with_meta(argv[0], out, npy, npy_len, meta, meta_text, force);
    goto out;
fail:
    rc = cli_report(argv[0], &err, st);
out:
    tc_npy_free(&x);
    free(v);
    free(meta_buf);
    free(meta_text);
    free(data_name);
    free(npy);
    return rc;
}
