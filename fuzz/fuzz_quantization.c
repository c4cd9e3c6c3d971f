/* libFuzzer target: quantization.json objects (tc_quant_from_json after
 * json_loadb, as tc_quant_read does).  Any input must be accepted or refused
 * with a message; accepted parameters must be in their documented ranges and
 * survive to_json -> from_json unchanged. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tensor/quantize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (o == NULL)
        return 0;
    tc_error err = {0};
    tc_quant_params q, again;
    tc_status st = tc_quant_from_json(&err, &q, o, "quantization.json");
    if (st != TC_OK) {
        json_decref(o);
        FUZZ_CHECK(err.msg[0] != '\0');
        return 0;
    }
    /* The parameters are the integers written in the file, not truncations. */
    json_t *sf = json_object_get(o, "scale_factor"), *qz = json_object_get(o, "quantize");
    json_t *k = json_object_get(o, "exponent"), *mb = json_object_get(o, "max_bits");
    if (q.rule == TC_QUANT_DECIMAL)
        FUZZ_CHECK(json_integer_value(sf) == q.scale_factor &&
                   json_integer_value(qz) == q.quantize);
    else
        FUZZ_CHECK(json_integer_value(k) == q.exponent);
    if (json_is_integer(mb))
        FUZZ_CHECK(json_integer_value(mb) == q.max_bits);
    json_decref(o);
    FUZZ_CHECK(q.rule == TC_QUANT_DECIMAL || q.rule == TC_QUANT_BINARY);
    FUZZ_CHECK(q.max_bits >= 1 && q.max_bits <= 63);
    if (q.rule == TC_QUANT_DECIMAL)
        FUZZ_CHECK(q.quantize >= 0 && q.quantize <= 100 && q.exponent >= -19 && q.exponent <= 19);
    /* Quantizing a few values must stay within the bound. */
    static const double probe[] = {0.0, -0.0, 1.0, -1.5, 3.14159, 1e-30, -2.5e-7};
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        int64_t v;
        if (tc_quant_value_f64(&q, probe[i], &v)) {
            int64_t lim = (int64_t)((UINT64_C(1) << q.max_bits) - 1);
            FUZZ_CHECK(v <= lim && v >= -lim);
        }
    }
    json_t *back = tc_quant_to_json(&q);
    FUZZ_CHECK(back != NULL);
    FUZZ_CHECK(tc_quant_from_json(&err, &again, back, "re-encoded") == TC_OK);
    json_decref(back);
    FUZZ_CHECK(again.rule == q.rule && again.scale_factor == q.scale_factor &&
               again.quantize == q.quantize && again.exponent == q.exponent &&
               again.max_bits == q.max_bits);
    return 0;
}
