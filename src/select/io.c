/* Input files of `select fit` and `select solve`: the shapes of the
 * known-answer vectors' cases (vectors/layer-selection/README.md). */
#include "util/json.h"
#include "select/select.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define INPUT_MAX_FILE ((size_t)64 << 20)

/* The object to read: root itself, or the entry of its "cases" (matched by
 * "id") or "matrices" (matched by "name", as in stories260K_fits.json). */
static tc_status pick_case(tc_error *err, json_t **out, json_t *root, const char *path,
                           const char *case_id)
{
    json_t *cases = json_object_get(root, "cases");
    const char *key = "id";
    if (!json_is_array(cases)) {
        cases = json_object_get(root, "matrices");
        key = "name";
    }
    if (!json_is_array(cases)) {
        if (case_id != NULL)
            return tc_fail(err, TC_EFORMAT, "%s: has no \"cases\" to pick \"%s\" from", path,
                           case_id);
        *out = root;
        return TC_OK;
    }
    if (case_id == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: holds %zu cases; pick one by %s", path,
                       json_array_size(cases), key);
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *c = json_array_get(cases, i), *id = json_object_get(c, key);
        if (json_is_string(id) && strcmp(json_string_value(id), case_id) == 0) {
            *out = c;
            return TC_OK;
        }
    }
    return tc_fail(err, TC_EFORMAT, "%s: no case with %s \"%s\"", path, key, case_id);
}

static json_t *array_member(json_t *o, const char *key)
{
    json_t *a = json_object_get(o, key);
    return json_is_array(a) ? a : NULL;
}

void tc_mvbcs_instance_free(tc_mvbcs_instance *inst)
{
    if (inst == NULL)
        return;
    free(inst->values);
    free(inst->costs);
    free(inst->budgets);
    memset(inst, 0, sizeof *inst);
}

static tc_status check_count(tc_error *err, json_t *c, const char *key, size_t n,
                             const char *path)
{
    json_t *v = json_object_get(c, key);
    if (v != NULL && (!json_is_integer(v) || json_integer_value(v) != (json_int_t)n))
        return tc_fail(err, TC_EFORMAT, "%s: \"%s\" does not match the arrays (%zu)", path,
                       key, n);
    return TC_OK;
}

static tc_status read_instance(tc_error *err, tc_mvbcs_instance *inst, json_t *c,
                               const char *path)
{
    json_t *vals = array_member(c, "values"), *costs = array_member(c, "costs"),
           *buds = array_member(c, "budgets");
    if (!json_is_object(c) || !vals || !costs || !buds)
        return tc_fail(err, TC_EFORMAT, "%s: needs \"values\", \"costs\" and \"budgets\" arrays",
                       path);
    size_t L = json_array_size(vals), M = json_array_size(buds);
    if (json_array_size(costs) != L)
        return tc_fail(err, TC_EFORMAT, "%s: %zu values but %zu costs", path, L,
                       json_array_size(costs));
    tc_status st = check_count(err, c, "L", L, path);
    if (st == TC_OK)
        st = check_count(err, c, "M", M, path);
    if (st != TC_OK)
        return st;
    inst->L = L;
    inst->M = M;
    inst->values = malloc((L ? L : 1) * sizeof *inst->values);
    inst->costs = malloc((L ? L : 1) * sizeof *inst->costs);
    inst->budgets = malloc((M ? M : 1) * sizeof *inst->budgets);
    if (!inst->values || !inst->costs || !inst->budgets)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < L; i++) {
        st = tc_json_to_double(err, &inst->values[i], json_array_get(vals, i), "values", i, path);
        if (st == TC_OK && inst->values[i] < 0)
            st = tc_fail(err, TC_EFORMAT, "%s: values[%zu] is negative", path, i);
        if (st == TC_OK)
            st = tc_json_to_u64(err, &inst->costs[i], json_array_get(costs, i), "costs", i, path);
        if (st == TC_OK && inst->costs[i] == 0)
            st = tc_fail(err, TC_EFORMAT, "%s: costs[%zu] is 0 (costs must be > 0)", path, i);
        if (st != TC_OK)
            return st;
    }
    for (size_t k = 0; k < M; k++) {
        st = tc_json_to_u64(err, &inst->budgets[k], json_array_get(buds, k), "budgets", k, path);
        if (st != TC_OK)
            return st;
    }
    return TC_OK;
}

tc_status tc_mvbcs_instance_read(tc_error *err, tc_mvbcs_instance *inst, const char *path,
                                 const char *case_id)
{
    memset(inst, 0, sizeof *inst);
    json_t *root = NULL, *c = NULL;
    tc_status st = tc_json_load(err, &root, path, INPUT_MAX_FILE, NULL);
    if (st == TC_OK)
        st = pick_case(err, &c, root, path, case_id);
    if (st == TC_OK)
        st = read_instance(err, inst, c, path);
    json_decref(root);
    if (st != TC_OK)
        tc_mvbcs_instance_free(inst);
    return st;
}

tc_status tc_select_eigenvalues_read(tc_error *err, double **evals, size_t *n,
                                     const char *path, const char *case_id)
{
    *evals = NULL;
    *n = 0;
    json_t *root = NULL, *c = NULL, *arr = NULL;
    tc_status st = tc_json_load(err, &root, path, INPUT_MAX_FILE, NULL);
    bool bare = st == TC_OK && json_is_array(root) && case_id == NULL;
    if (bare)
        arr = root;
    else if (st == TC_OK)
        st = pick_case(err, &c, root, path, case_id);
    if (!bare && st == TC_OK) {
        arr = array_member(c, "eigenvalues");
        if (arr == NULL)
            st = tc_fail(err, TC_EFORMAT, "%s: no \"eigenvalues\" array", path);
    }
    if (st != TC_OK)
        goto out;
    size_t N = json_array_size(arr);
    *evals = malloc((N ? N : 1) * sizeof **evals);
    if (*evals == NULL) {
        st = tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    for (size_t i = 0; i < N; i++) {
        st = tc_json_to_double(err, &(*evals)[i], json_array_get(arr, i), "eigenvalues", i, path);
        if (st == TC_OK && (*evals)[i] < 0)
            st = tc_fail(err, TC_EFORMAT, "%s: eigenvalues[%zu] is negative", path, i);
        if (st != TC_OK)
            goto out;
    }
    *n = N;
out:
    json_decref(root);
    if (st != TC_OK) {
        free(*evals);
        *evals = NULL;
    }
    return st;
}
