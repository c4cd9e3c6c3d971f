/* The public API: quantization of float32 values (include/tensorcommit.h)
 * with the rules of src/tensor/quantize.h. */
#include "api/api_internal.h"

#include "tensor/quantize.h"

static tc_status quantize(tc_error *err, tc_quant_params *q, int64_t *out, const float *x,
                          size_t n, int max_bits, const char *fn)
{
    TC_API_NONNULL(err, out, "out");
    TC_API_NONNULL(err, x, "x");
    if (max_bits < 1 || max_bits > 63)
        return tc_fail(err, TC_EARG, "%s: max_bits %d outside 1..63", fn, max_bits);
    q->max_bits = max_bits;
    return tc_quantize_f32(err, q, out, x, 1, n);
}

tc_status tc_quantize_decimal(tc_error *err, int64_t *out, const float *x, size_t n,
                              int scale_factor, int quantize_pct, int max_bits)
{
    tc_quant_params q;
    tc_status st = tc_quant_decimal(err, &q, scale_factor, quantize_pct);
    if (st != TC_OK)
        return st;
    return quantize(err, &q, out, x, n, max_bits, __func__);
}

tc_status tc_quantize_binary(tc_error *err, int64_t *out, const float *x, size_t n, int k,
                             int max_bits)
{
    tc_quant_params q;
    tc_status st = tc_quant_binary(err, &q, k);
    if (st != TC_OK)
        return st;
    return quantize(err, &q, out, x, n, max_bits, __func__);
}
