/* Selection: units from a scores file, the exact solve, and the output
 * document (docs/layer-selection.md §8.2-8.3). */
#include "util/json.h"
#include "select/select.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_select_plan_init(tc_select_plan *p)
{
    memset(p, 0, sizeof *p);
}

void tc_select_plan_free(tc_select_plan *p)
{
    if (p == NULL)
        return;
    free(p->values);
    free(p->costs);
    free(p->names);
    free(p->budgets);
    free(p->assignment);
    tc_select_plan_init(p);
}

static tc_status plan_units(tc_error *err, tc_select_plan *p, const tc_select_scores *s)
{
    size_t L = p->unit == TC_UNIT_BLOCK ? s->map.num_blocks : s->num_layers;
    if (p->unit == TC_UNIT_BLOCK && s->blocks == NULL)
        return tc_fail(err, TC_EARG, "scores have no blocks");
    p->L = L;
    p->values = malloc((L ? L : 1) * sizeof *p->values);
    p->costs = malloc((L ? L : 1) * sizeof *p->costs);
    p->names = malloc((L ? L : 1) * sizeof *p->names);
    if (!p->values || !p->costs || !p->names)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu units", L);
    for (size_t i = 0; i < L; i++) {
        if (p->unit == TC_UNIT_BLOCK) {
            p->values[i] = s->blocks[i].sum_significance;
            p->costs[i] = s->blocks[i].total_parameters;
            snprintf(p->names[i], sizeof p->names[i], "block %zu", i);
        } else {
            p->values[i] = s->layers[i].significance;
            p->costs[i] = s->layers[i].num_parameters;
            snprintf(p->names[i], sizeof p->names[i], "%s", s->layers[i].name);
        }
    }
    return TC_OK;
}

tc_status tc_select_plan_solve(tc_error *err, tc_select_plan *p, const tc_select_scores *s,
                               tc_select_unit unit, const uint64_t *budgets, size_t M)
{
    tc_select_plan_init(p);
    p->unit = unit;
    tc_status st = plan_units(err, p, s);
    if (st != TC_OK)
        goto out;
    p->M = M;
    p->budgets = malloc((M ? M : 1) * sizeof *p->budgets);
    p->assignment = malloc((M ? M : 1) * sizeof *p->assignment);
    if (!p->budgets || !p->assignment) {
        st = tc_fail(err, TC_ENOMEM, "out of memory for %zu verifiers", M);
        goto out;
    }
    if (M)
        memcpy(p->budgets, budgets, M * sizeof *budgets);
    st = tc_mvbcs_solve(err, &p->optimum, p->assignment, p->values, p->costs, p->L,
                        p->budgets, M);
    if (st == TC_OK)
        st = tc_mvbcs_check(err, &p->computed, p->assignment, p->values, p->costs, p->L,
                            p->budgets, M);
out:
    if (st != TC_OK)
        tc_select_plan_free(p);
    return st;
}

static json_t *assignment_json(const tc_select_plan *p, size_t k, uint64_t *cost_out,
                               double *benefit_out)
{
    tc_mvbcs_range a = p->assignment[k];
    json_t *o = json_object(), *units = json_array();
    uint64_t cost = 0;
    double benefit = 0;
    for (int64_t i = a.start; a.start >= 0 && i <= a.end; i++) {
        json_t *u = json_object();
        json_object_set_new(u, "index", json_integer((json_int_t)i));
        json_object_set_new(u, "name", json_string(p->names[i]));
        json_object_set_new(u, "value", tc_json_real(p->values[i]));
        json_object_set_new(u, "cost", json_integer((json_int_t)p->costs[i]));
        json_array_append_new(units, u);
        cost += p->costs[i];
        benefit += p->values[i];
    }
    json_object_set_new(o, "verifier", json_integer((json_int_t)k + 1));
    json_object_set_new(o, "start_layer", json_integer((json_int_t)a.start));
    json_object_set_new(o, "end_layer", json_integer((json_int_t)a.end));
    json_object_set_new(o, "budget", json_integer((json_int_t)p->budgets[k]));
    json_object_set_new(o, "cost", json_integer((json_int_t)cost));
    json_object_set_new(o, "benefit", tc_json_real(benefit));
    json_object_set_new(o, "layers", units);
    *cost_out = cost;
    *benefit_out = benefit;
    return o;
}

tc_status tc_select_plan_to_json(tc_error *err, char **json, const tc_select_plan *p,
                                 const tc_select_scores *s, const char *scores_file)
{
    json_t *root = json_object(), *in = json_object(), *res = json_object();
    json_object_set_new(in, "scores_file", json_string(scores_file ? scores_file : ""));
    json_object_set_new(in, "model_name", json_string(s->model_name));
    json_object_set_new(in, "granularity",
                        json_string(p->unit == TC_UNIT_BLOCK ? "block" : "matrix"));
    json_object_set_new(in, "num_layers", json_integer((json_int_t)p->L));
    json_t *b = json_array();
    for (size_t k = 0; k < p->M; k++)
        json_array_append_new(b, json_integer((json_int_t)p->budgets[k]));
    json_object_set_new(in, "budgets", b);
    json_object_set_new(in, "num_verifiers", json_integer((json_int_t)p->M));

    json_t *as = json_array();
    uint64_t total_cost = 0;
    double total_benefit = 0;
    for (size_t k = 0; k < p->M; k++) {
        uint64_t c;
        double v;
        json_array_append_new(as, assignment_json(p, k, &c, &v));
        total_cost += c;
        total_benefit += v;
    }
    json_object_set_new(res, "algorithm", json_string("subset-dp"));
    json_object_set_new(res, "optimal_benefit", tc_json_real(p->optimum));
    json_object_set_new(res, "computed_benefit", tc_json_real(p->computed));
    json_object_set_new(res, "is_valid", json_true());
    json_object_set_new(res, "total_cost", json_integer((json_int_t)total_cost));
    json_object_set_new(res, "total_benefit", tc_json_real(total_benefit));
    json_object_set_new(res, "assignments", as);
    json_object_set_new(root, "input", in);
    json_object_set_new(root, "results", res);
    tc_status st = tc_json_dump(err, json, root, TC_JSON_ORDERED);
    json_decref(root);
    return st;
}
