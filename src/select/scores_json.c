/* The scores file (docs/layer-selection.md §8.1): writing ours, reading ours
 * or the original tool's. */
#include "select/select.h"
#include "util/json.h"
#include "util/util.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCORES_MAX_FILE ((size_t)256 << 20)

static json_t *layer_json(const tc_select_layer *ly, size_t index)
{
    json_t *o = json_object();
    json_object_set_new(o, "index", json_integer((json_int_t)index));
    json_object_set_new(o, "name", json_string(ly->name));
    json_object_set_new(o, "num_parameters", json_integer((json_int_t)ly->num_parameters));
    json_object_set_new(o, "significance_score", tc_json_real(ly->significance));
    json_object_set_new(o, "pruning_ratio", tc_json_real(ly->pruning_ratio));
    json_t *shape = json_array();
    json_array_append_new(shape, json_integer((json_int_t)ly->shape[0]));
    json_array_append_new(shape, json_integer((json_int_t)ly->shape[1]));
    json_object_set_new(o, "weight_shape", shape);
    json_object_set_new(o, "block_index", json_integer((json_int_t)ly->block_index));
    json_object_set_new(o, "metric_value", tc_json_real(ly->metric_value));
    json_object_set_new(o, "fit_status", json_string(ly->fit_ok ? "ok" : "failed"));
    return o;
}

static json_t *block_json(const tc_select_block *b, size_t index)
{
    json_t *o = json_object();
    json_object_set_new(o, "block_index", json_integer((json_int_t)index));
    json_object_set_new(o, "start_layer_index", json_integer((json_int_t)b->start_layer));
    json_object_set_new(o, "end_layer_index", json_integer((json_int_t)b->end_layer));
    json_object_set_new(o, "num_layers",
                        json_integer((json_int_t)(b->end_layer - b->start_layer + 1)));
    json_object_set_new(o, "total_parameters", json_integer((json_int_t)b->total_parameters));
    json_object_set_new(o, "avg_significance", tc_json_real(b->avg_significance));
    json_object_set_new(o, "avg_pruning_ratio", tc_json_real(b->avg_pruning_ratio));
    json_object_set_new(o, "sum_significance", tc_json_real(b->sum_significance));
    return o;
}

static json_t *metadata_json(const tc_select_scores *s)
{
    size_t L = s->num_layers;
    double mmin = INFINITY, mmax = -INFINITY, msum = 0;
    double rmin = INFINITY, rmax = -INFINITY;
    double smin = INFINITY, smax = -INFINITY, ssum = 0;
    json_t *failed = json_array();
    for (size_t l = 0; l < L; l++) {
        const tc_select_layer *ly = &s->layers[l];
        mmin = fmin(mmin, ly->metric_value);
        mmax = fmax(mmax, ly->metric_value);
        msum += ly->metric_value;
        rmin = fmin(rmin, ly->pruning_ratio);
        rmax = fmax(rmax, ly->pruning_ratio);
        smin = fmin(smin, ly->significance);
        smax = fmax(smax, ly->significance);
        ssum += ly->significance;
        if (!ly->fit_ok)
            json_array_append_new(failed, json_integer((json_int_t)l));
    }
    json_t *o = json_object();
    json_object_set_new(o, "raw_metrics_min", tc_json_real(mmin));
    json_object_set_new(o, "raw_metrics_max", tc_json_real(mmax));
    json_object_set_new(o, "raw_metrics_mean", tc_json_real(msum / (double)L));
    json_object_set_new(o, "pruning_ratios_min", tc_json_real(rmin));
    json_object_set_new(o, "pruning_ratios_max", tc_json_real(rmax));
    json_object_set_new(o, "significance_scores_min", tc_json_real(smin));
    json_object_set_new(o, "significance_scores_max", tc_json_real(smax));
    json_object_set_new(o, "significance_scores_mean", tc_json_real(ssum / (double)L));
    json_object_set_new(o, "failed_fits", failed);
    return o;
}

tc_status tc_select_scores_to_json(tc_error *err, char **json, const tc_select_scores *s)
{
    *json = NULL;
    if (s->num_layers == 0 || s->blocks == NULL || s->map.num_blocks == 0)
        return tc_fail(err, TC_EARG, "scores are empty");
    json_t *root = json_object();
    json_object_set_new(root, "model_name", json_string(s->model_name));
    json_object_set_new(root, "metric_name", json_string(tc_select_metric_name(s->metric)));
    json_object_set_new(root, "sparsity_ratio", tc_json_real(s->map.sparsity));
    json_object_set_new(root, "epsilon", tc_json_real(s->map.epsilon));
    json_object_set_new(root, "mapping_type", json_string(tc_select_mapping_name(s->map.mapping)));
    json_object_set_new(root, "significance_method", json_string("inverse_ratio"));
    uint64_t total = 0;
    for (size_t l = 0; l < s->num_layers; l++)
        total += s->layers[l].num_parameters;
    json_object_set_new(root, "total_parameters", json_integer((json_int_t)total));
    json_object_set_new(root, "num_blocks", json_integer((json_int_t)s->map.num_blocks));
    json_object_set_new(root, "num_prunable_layers", json_integer((json_int_t)s->num_layers));
    json_object_set_new(root, "layers_per_block",
                        json_integer((json_int_t)(s->num_layers / s->map.num_blocks)));
    json_object_set_new(root, "is_opt_model", json_boolean(strcmp(s->model_type, "opt") == 0));
    json_object_set_new(root, "model_type", json_string(s->model_type));
    if (s->model_sha256[0])
        json_object_set_new(root, "model_sha256", json_string(s->model_sha256));
    json_t *layers = json_array();
    for (size_t l = 0; l < s->num_layers; l++)
        json_array_append_new(layers, layer_json(&s->layers[l], l));
    json_object_set_new(root, "layers", layers);
    json_t *blocks = json_array();
    for (size_t b = 0; b < s->map.num_blocks; b++)
        json_array_append_new(blocks, block_json(&s->blocks[b], b));
    json_object_set_new(root, "blocks", blocks);
    json_object_set_new(root, "metadata", metadata_json(s));
    tc_status st = tc_json_dump(err, json, root, TC_JSON_ORDERED);
    json_decref(root);
    return st;
}

/* ---------------------------------------------------------- reading */

static tc_status read_layer(tc_error *err, tc_select_layer *ly, json_t *o, const char *path,
                            size_t l, bool *has_block)
{
    if (!json_is_object(o))
        return tc_fail(err, TC_EFORMAT, "%s: layers[%zu] is not an object", path, l);
    double sig;
    uint64_t np;
    tc_status st = tc_json_get_double(err, &sig, o, "significance_score", path);
    if (st == TC_OK)
        st = tc_json_get_u64(err, &np, o, "num_parameters", path);
    if (st != TC_OK)
        return st;
    if (!(sig >= 0) || np == 0)
        return tc_fail(err, TC_EFORMAT,
                       "%s: layers[%zu]: significance must be >= 0 and num_parameters > 0",
                       path, l);
    ly->significance = sig;
    ly->num_parameters = np;
    json_t *v = json_object_get(o, "pruning_ratio");
    ly->pruning_ratio = json_is_number(v) ? json_number_value(v) : 1.0 - sig;
    v = json_object_get(o, "metric_value");
    ly->metric_value = json_is_number(v) ? json_number_value(v) : 0;
    v = json_object_get(o, "fit_status");
    ly->fit_ok = !json_is_string(v) || strcmp(json_string_value(v), "ok") == 0;
    v = json_object_get(o, "name");
    if (json_is_string(v))
        snprintf(ly->name, sizeof ly->name, "%s", json_string_value(v));
    else
        snprintf(ly->name, sizeof ly->name, "layer %zu", l);
    v = json_object_get(o, "weight_shape");
    if (json_is_array(v) && json_array_size(v) == 2) {
        json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
        if (json_is_integer(a) && json_is_integer(b) && json_integer_value(a) >= 0 &&
            json_integer_value(b) >= 0) {
            ly->shape[0] = (uint64_t)json_integer_value(a);
            ly->shape[1] = (uint64_t)json_integer_value(b);
        }
    }
    v = json_object_get(o, "block_index");
    if (v != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return tc_fail(err, TC_EFORMAT, "%s: layers[%zu].block_index is not an index",
                           path, l);
        ly->block_index = (size_t)json_integer_value(v);
        *has_block = true;
    }
    return TC_OK;
}

/* Block structure: num_blocks (or the layers' block indices) must cut the
 * layers into equal consecutive groups. */
static tc_status read_blocks(tc_error *err, tc_select_scores *s, json_t *root,
                             const char *path, bool has_block)
{
    size_t L = s->num_layers;
    json_t *v = json_object_get(root, "num_blocks");
    size_t nb = 0;
    if (json_is_integer(v) && json_integer_value(v) > 0)
        nb = (size_t)json_integer_value(v);
    else if (has_block)
        nb = s->layers[L - 1].block_index + 1;
    else
        nb = L;
    if (L % nb != 0)
        return tc_fail(err, TC_EFORMAT, "%s: %zu layers do not split into %zu equal blocks",
                       path, L, nb);
    size_t per = L / nb;
    for (size_t l = 0; l < L; l++) {
        if (has_block && s->layers[l].block_index != l / per)
            return tc_fail(err, TC_EFORMAT,
                           "%s: layers[%zu].block_index is %zu, expected %zu (%zu per block)",
                           path, l, s->layers[l].block_index, l / per, per);
        s->layers[l].block_index = l / per;
    }
    s->map.num_blocks = nb;
    return tc_select_scores_blocks(err, s);
}

static void read_header(tc_select_scores *s, json_t *root)
{
    json_t *v = json_object_get(root, "model_name");
    if (json_is_string(v))
        snprintf(s->model_name, sizeof s->model_name, "%s", json_string_value(v));
    v = json_object_get(root, "model_type");
    if (json_is_string(v))
        snprintf(s->model_type, sizeof s->model_type, "%s", json_string_value(v));
    v = json_object_get(root, "model_sha256");
    if (json_is_string(v) && strlen(json_string_value(v)) == 64)
        snprintf(s->model_sha256, sizeof s->model_sha256, "%s", json_string_value(v));
    v = json_object_get(root, "metric_name");
    if (json_is_string(v))
        (void)tc_select_metric_parse(&s->metric, json_string_value(v));
    v = json_object_get(root, "mapping_type");
    if (json_is_string(v))
        (void)tc_select_mapping_parse(&s->map.mapping, json_string_value(v));
    v = json_object_get(root, "sparsity_ratio");
    if (json_is_number(v))
        s->map.sparsity = json_number_value(v);
    v = json_object_get(root, "epsilon");
    if (json_is_number(v))
        s->map.epsilon = json_number_value(v);
}

tc_status tc_select_scores_read(tc_error *err, tc_select_scores *s, const char *path)
{
    tc_select_scores_init(s);
    json_t *root = NULL;
    tc_status st = tc_json_load(err, &root, path, SCORES_MAX_FILE, NULL);
    if (st != TC_OK)
        return st;
    json_t *layers = json_object_get(root, "layers");
    if (!json_is_object(root) || !json_is_array(layers) || json_array_size(layers) == 0) {
        st = tc_fail(err, TC_EFORMAT, "%s: not a scores file (no \"layers\" array)", path);
        goto out;
    }
    read_header(s, root);
    s->num_layers = json_array_size(layers);
    s->layers = calloc(s->num_layers, sizeof *s->layers);
    if (s->layers == NULL) {
        st = tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    bool has_block = false;
    for (size_t l = 0; l < s->num_layers; l++) {
        st = read_layer(err, &s->layers[l], json_array_get(layers, l), path, l, &has_block);
        if (st != TC_OK)
            goto out;
    }
    st = read_blocks(err, s, root, path, has_block);
out:
    json_decref(root);
    if (st != TC_OK)
        tc_select_scores_free(s);
    return st;
}
