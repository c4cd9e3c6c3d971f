/* Exhaustive MV-BCS reference (docs/layer-selection.md §7.6 brute_force):
 * verifier by verifier, every choice of "empty" or a feasible interval
 * disjoint from those already taken.  No DP and no structural lemma; the only
 * pruning is the admissible bound "value so far + min(Σ best single interval
 * of the remaining verifiers, total value) must beat the best found", so the
 * answer stays exact.  Exponential: tests only. */
#include "select/select.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct search {
    const double *values;
    const uint64_t *costs;
    const uint64_t *budgets;
    size_t L, M;
    double total;            /* Σ v */
    double *rest_best;       /* (M+1) Σ_{j>=k} best single interval of j */
    tc_mvbcs_range *cur;     /* (M) */
    tc_mvbcs_range *best_a;  /* (M) */
    double best;
} search;

static double interval_value(const search *s, size_t a, size_t b)
{
    double v = 0;
    for (size_t i = a; i <= b; i++)
        v += s->values[i];
    return v;
}

static void visit(search *s, size_t k, uint64_t used, double value)
{
    if (value > s->best) {
        s->best = value;
        memcpy(s->best_a, s->cur, s->M * sizeof *s->cur);
    }
    if (k == s->M)
        return;
    double bound = s->rest_best[k] < s->total ? s->rest_best[k] : s->total;
    if (!(value + bound > s->best))
        return;
    for (size_t a = 0; a < s->L; a++) {
        uint64_t cost = 0, mask = 0;
        for (size_t b = a; b < s->L; b++) {
            cost += s->costs[b];
            mask |= (uint64_t)1 << b;
            if (cost > s->budgets[k] || (used & mask))
                break;
            s->cur[k] = (tc_mvbcs_range){(int64_t)a, (int64_t)b};
            visit(s, k + 1, used | mask, value + interval_value(s, a, b));
        }
    }
    s->cur[k] = (tc_mvbcs_range){-1, -1};
    visit(s, k + 1, used, value);
}

tc_status tc_mvbcs_solve_ref(tc_error *err, double *optimum, tc_mvbcs_range *assignment,
                             const double *values, const uint64_t *costs, size_t L,
                             const uint64_t *budgets, size_t M)
{
    *optimum = 0;
    for (size_t k = 0; k < M; k++)
        assignment[k] = (tc_mvbcs_range){-1, -1};
    if (L > 64)
        return tc_fail(err, TC_EUNSUPPORTED, "brute force handles at most 64 units");
    double check;
    tc_status st = tc_mvbcs_check(err, &check, assignment, values, costs, L, budgets, M);
    if (st != TC_OK)
        return st;

    search s = {.values = values, .costs = costs, .budgets = budgets, .L = L, .M = M};
    s.rest_best = calloc(M + 1, sizeof *s.rest_best);
    s.cur = malloc((M ? M : 1) * sizeof *s.cur);
    s.best_a = assignment;
    if (s.rest_best == NULL || s.cur == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < L; i++)
        s.total += values[i];
    for (size_t k = M; k-- > 0;) {
        double bk = 0;
        for (size_t a = 0; a < L; a++) {
            uint64_t cost = 0;
            for (size_t b = a; b < L; b++) {
                cost += costs[b];
                if (cost > budgets[k])
                    break;
                double v = interval_value(&s, a, b);
                if (v > bk)
                    bk = v;
            }
        }
        s.rest_best[k] = s.rest_best[k + 1] + bk;
    }
    for (size_t k = 0; k < M; k++)
        s.cur[k] = (tc_mvbcs_range){-1, -1};
    visit(&s, 0, 0, 0);
    *optimum = s.best;
out:
    free(s.rest_best);
    free(s.cur);
    return st;
}
