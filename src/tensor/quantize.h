/*
 * Quantization: float hidden states → signed integers, exactly.
 *
 * Two rules, both rounding half to even and both computed on the exact
 * binary value of the input (a float is m·2^e with integer m; no float or
 * double arithmetic is involved in the rounding):
 *   decimal:  v = round(x · 10^s),  s = scale_factor − floor(scale_factor · quantize / 100)
 *             (the research code's rule; defaults scale_factor 16, quantize 50 → s = 8)
 *   binary:   v = round(x · 2^k)
 * Reverse (approximately): x ≈ v / 10^s, or v / 2^k; the error is at most
 * half a unit of the last place: 0.5·10^−s or 2^−(k+1).
 * NaN, infinity, and values whose integer does not fit in ±(2^max_bits − 1)
 * are errors naming the layer, position and value — never clipped.
 */
#ifndef TC_TENSOR_QUANTIZE_H
#define TC_TENSOR_QUANTIZE_H

#include "util/util.h"

typedef enum tc_quant_rule { TC_QUANT_DECIMAL, TC_QUANT_BINARY } tc_quant_rule;

typedef struct tc_quant_params {
    tc_quant_rule rule;
    int scale_factor;   /* decimal rule: the research code's scale_factor */
    int quantize;       /* decimal rule: percentage, 0..100 */
    int exponent;       /* the power: s (decimal, derived) or k (binary) */
    int max_bits;       /* |v| ≤ 2^max_bits − 1; 1..63 */
} tc_quant_params;

/* Fills params for the decimal rule; s must end up in [−19, 19]. */
tc_status tc_quant_decimal(tc_error *err, tc_quant_params *q, int scale_factor,
                           int quantize) TC_MUST_CHECK;
/* Fills params for the binary rule; k in [−1074, 1074]. */
tc_status tc_quant_binary(tc_error *err, tc_quant_params *q, int k) TC_MUST_CHECK;

/* One value.  Returns false (and leaves *v) when x is not finite or the
 * result does not fit in max_bits. */
bool tc_quant_value_f64(const tc_quant_params *q, double x, int64_t *v);
bool tc_quant_value_f32(const tc_quant_params *q, float x, int64_t *v);

/* Quantizes (n_layers, per_layer) floats into out (same shape).  On failure
 * err names the layer, position within the layer and the value. */
tc_status tc_quantize_f32(tc_error *err, const tc_quant_params *q, int64_t *out,
                          const float *x /* (n_layers, per_layer) */,
                          size_t n_layers, size_t per_layer) TC_MUST_CHECK;

/* The approximate real value of v under q (for reports and checks). */
double tc_dequant_value(const tc_quant_params *q, int64_t v);

/* quantization.json: rule, parameters, formula and how to reverse it. */
tc_status tc_quant_write(tc_error *err, const tc_quant_params *q, const char *path) TC_MUST_CHECK;
tc_status tc_quant_read(tc_error *err, tc_quant_params *q, const char *path) TC_MUST_CHECK;
/* Its text (malloc'd, ending in a newline); data_file, when not NULL, is
 * recorded as "data_file" (see tc_meta_data_name in layout.h). */
tc_status tc_quant_encode(tc_error *err, const tc_quant_params *q, const char *data_file,
                          char **text) TC_MUST_CHECK;
/* The same as a JSON object (jansson json_t *, new reference) for embedding
 * in receipts. */
void *tc_quant_to_json(const tc_quant_params *q);
tc_status tc_quant_from_json(tc_error *err, tc_quant_params *q, const void *obj,
                             const char *name) TC_MUST_CHECK;

#endif
