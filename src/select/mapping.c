/* Metric → pruning ratio → significance (docs/layer-selection.md §6), the
 * allocation of AlphaPruning (Lu et al., NeurIPS 2024, eq. 4: a linear map
 * of the per-layer metric onto [1-ε, 1+ε], rescaled to the target sparsity),
 * with the original tool's clamp and "inverse_ratio" significance. */
#include "select/select.h"
#include "util/util.h"

#include <math.h>
#include <string.h>

const char *tc_select_mapping_name(tc_select_mapping m)
{
    return m == TC_MAP_LAYER_WISE ? "layer_wise" : "block_wise";
}

bool tc_select_mapping_parse(tc_select_mapping *m, const char *name)
{
    if (strcmp(name, "block_wise") == 0)
        *m = TC_MAP_BLOCK_WISE;
    else if (strcmp(name, "layer_wise") == 0)
        *m = TC_MAP_LAYER_WISE;
    else
        return false;
    return true;
}

void tc_select_map_params_default(tc_select_map_params *p, size_t num_blocks)
{
    p->sparsity = 0.7;
    p->epsilon = 0.3;
    p->mapping = TC_MAP_BLOCK_WISE;
    p->clamp = true;
    p->num_blocks = num_blocks;
}

static tc_status check_inputs(tc_error *err, const double *metrics,
                              const uint64_t *num_parameters, size_t L,
                              const tc_select_map_params *p)
{
    if (L == 0)
        return tc_fail(err, TC_EARG, "no prunable matrices");
    if (p->num_blocks == 0 || L % p->num_blocks != 0)
        return tc_fail(err, TC_EFORMAT,
                       "%zu prunable matrices do not split into %zu equal blocks", L,
                       p->num_blocks);
    if (!(p->sparsity >= 0 && p->sparsity <= 1))
        return tc_fail(err, TC_EARG, "sparsity %g is outside [0, 1]", p->sparsity);
    if (!(p->epsilon >= 0 && p->epsilon <= 1))
        return tc_fail(err, TC_EARG, "epsilon %g is outside [0, 1]", p->epsilon);
    for (size_t l = 0; l < L; l++) {
        if (!isfinite(metrics[l]))
            return tc_fail(err, TC_EFORMAT, "metric of matrix %zu is not finite", l);
        if (num_parameters[l] == 0)
            return tc_fail(err, TC_EFORMAT, "matrix %zu has no parameters", l);
    }
    return TC_OK;
}

tc_status tc_select_map(tc_error *err, double *ratios, double *significance,
                        const double *metrics, const uint64_t *num_parameters,
                        size_t L, const tc_select_map_params *p)
{
    tc_status s = check_inputs(err, metrics, num_parameters, L, p);
    if (s != TC_OK)
        return s;
    size_t per = L / p->num_blocks;

    /* Step 1: block means (sequential sum, then divide), kept in ratios[]. */
    for (size_t l = 0; l < L; l++)
        ratios[l] = metrics[l];
    if (p->mapping == TC_MAP_BLOCK_WISE) {
        for (size_t b = 0; b < p->num_blocks; b++) {
            double sum = 0;
            for (size_t j = 0; j < per; j++)
                sum += metrics[b * per + j];
            double mean = sum / (double)per;
            for (size_t j = 0; j < per; j++)
                ratios[b * per + j] = mean;
        }
    }

    /* Step 2: linear map onto [1-ε, 1+ε]; ratio 1 when all are equal. */
    double lo = ratios[0], hi = ratios[0];
    for (size_t l = 1; l < L; l++) {
        if (ratios[l] < lo)
            lo = ratios[l];
        if (ratios[l] > hi)
            hi = ratios[l];
    }
    double s1 = 1.0 - p->epsilon, s2 = 1.0 + p->epsilon;
    for (size_t l = 0; l < L; l++)
        ratios[l] = hi > lo ? (ratios[l] - lo) / (hi - lo) * (s2 - s1) + s1 : 1.0;

    /* Step 3: rescale so that the parameter-weighted mean is S. */
    double sum_p = 0, sum_pr = 0;
    for (size_t l = 0; l < L; l++) {
        sum_p += (double)num_parameters[l];
        sum_pr += (double)num_parameters[l] * ratios[l];
    }
    if (!(sum_pr > 0))
        return tc_fail(err, TC_EINTERNAL, "weighted ratio sum is not positive");
    for (size_t l = 0; l < L; l++) {
        double r = ratios[l] * p->sparsity * sum_p / sum_pr;
        /* Steps 4-5: clamp, significance = 1 - ratio. */
        if (p->clamp)
            r = r < 0 ? 0 : r > 1 ? 1 : r;
        ratios[l] = r;
        significance[l] = 1.0 - r;
    }
    return TC_OK;
}
