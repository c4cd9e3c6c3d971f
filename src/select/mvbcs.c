/* Multi-verifier budgeted contiguous selection (docs/layer-selection.md §7).
 *
 * L units with values v_i >= 0 and integer costs c_i > 0; M verifiers with
 * integer budgets.  Each verifier takes one contiguous interval (maybe
 * empty), intervals pairwise disjoint and within budget, in any left-to-right
 * order; maximise the covered value.  Strongly NP-hard with M in the input
 * (§7.2), polynomial for fixed M by the subset DP of §7.3:
 *
 *   G[S][i] = max( G[S][i-1],
 *                  max_{k∈S} max_{lo_k[i] <= r < i} G[S∖k][r] + V[i] - V[r] )
 *
 * with one monotone deque per (S, k) for the sliding window max over r of
 * key(r) = G[S∖k][r] - V[r].  Time O(2^M·M·L), memory O(2^M·L). */
#include "select/select.h"
#include "util/util.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SKIP 0xFF

static tc_status check_instance(tc_error *err, const double *values,
                                const uint64_t *costs, size_t L, uint64_t *C /* (L+1) */)
{
    if (C != NULL)
        C[0] = 0;
    uint64_t sum = 0;
    double vsum = 0; /* the optimum and every prefix sum are at most this */
    for (size_t i = 0; i < L; i++) {
        if (!isfinite(values[i]) || values[i] < 0)
            return tc_fail(err, TC_EFORMAT, "value of unit %zu is %g: must be finite and >= 0",
                           i, values[i]);
        vsum += values[i];
        if (!isfinite(vsum))
            return tc_fail(err, TC_EFORMAT,
                           "the values of units 0..%zu add up to more than %g: scale them down",
                           i, DBL_MAX);
        if (costs[i] == 0)
            return tc_fail(err, TC_EFORMAT, "cost of unit %zu is 0: must be > 0", i);
        if (__builtin_add_overflow(sum, costs[i], &sum))
            return tc_fail(err, TC_EFORMAT, "total cost overflows 64 bits at unit %zu", i);
        if (C != NULL)
            C[i + 1] = sum;
    }
    return TC_OK;
}

static void clear_assignment(tc_mvbcs_range *assignment, size_t M)
{
    for (size_t k = 0; k < M; k++)
        assignment[k] = (tc_mvbcs_range){-1, -1};
}

/* The DP state for the verifiers that can take at least one unit. */
typedef struct dp {
    size_t L, M;          /* units, active verifiers */
    double *V;            /* (L+1) prefix values */
    size_t *lo;           /* (M, L+1) smallest feasible start per end */
    double *G;            /* (2^M, L+1) */
    uint8_t *ch_k;        /* (2^M, L+1) chosen verifier or SKIP */
    uint32_t *ch_r;       /* (2^M, L+1) chosen start */
    size_t *dq_r;         /* (M, L) deque start positions */
    double *dq_key;       /* (M, L) deque keys */
} dp;

static void dp_free(dp *d)
{
    free(d->V);
    free(d->lo);
    free(d->G);
    free(d->ch_k);
    free(d->ch_r);
    free(d->dq_r);
    free(d->dq_key);
}

static tc_status dp_alloc(tc_error *err, dp *d)
{
    size_t cells, n1 = d->L + 1, nm, bytes;
    if (!tc_mul_size(&cells, (size_t)1 << d->M, n1) || !tc_mul_size(&nm, d->M, n1) ||
        !tc_mul_size(&bytes, cells, sizeof(double) + sizeof(uint32_t) + 1) ||
        n1 > UINT32_MAX || bytes > TC_MVBCS_MAX_TABLE_BYTES)
        return tc_fail(err, TC_EUNSUPPORTED,
                       "MV-BCS table for %zu verifiers and %zu units exceeds %llu MiB; use "
                       "fewer verifiers or coarser units",
                       d->M, d->L, (unsigned long long)(TC_MVBCS_MAX_TABLE_BYTES >> 20));
    d->V = malloc(n1 * sizeof *d->V);
    d->lo = malloc(nm * sizeof *d->lo);
    d->G = malloc(cells * sizeof *d->G);
    d->ch_k = malloc(cells);
    d->ch_r = malloc(cells * sizeof *d->ch_r);
    d->dq_r = malloc(nm * sizeof *d->dq_r);
    d->dq_key = malloc(nm * sizeof *d->dq_key);
    if (!d->V || !d->lo || !d->G || !d->ch_k || !d->ch_r || !d->dq_r || !d->dq_key)
        return tc_fail(err, TC_ENOMEM, "out of memory for the MV-BCS table (M=%zu, L=%zu)",
                       d->M, d->L);
    return TC_OK;
}

/* lo_k[i]: smallest r in [0, i] with C[i] - C[r] <= B_k (two pointers). */
static void dp_windows(dp *d, const uint64_t *C, const uint64_t *budget /* (M) */)
{
    for (size_t k = 0; k < d->M; k++) {
        size_t r = 0;
        for (size_t i = 0; i <= d->L; i++) {
            while (C[i] - C[r] > budget[k])
                r++;
            d->lo[k * (d->L + 1) + i] = r;
        }
    }
}

/* One row G[S][0..L] (§7.3 pseudo-code; the two marked expressions are
 * evaluated exactly as specified so that ties break identically). */
static void dp_row(dp *d, size_t S)
{
    size_t n1 = d->L + 1;
    double *g = d->G + S * n1;
    uint8_t *ck = d->ch_k + S * n1;
    uint32_t *cr = d->ch_r + S * n1;
    size_t head[TC_MVBCS_MAX_VERIFIERS] = {0}, tail[TC_MVBCS_MAX_VERIFIERS] = {0};
    g[0] = 0;
    ck[0] = SKIP;
    cr[0] = 0;
    for (size_t i = 1; i <= d->L; i++) {
        double best = g[i - 1];
        uint8_t bk = SKIP;
        uint32_t br = 0;
        size_t r = i - 1;
        for (size_t k = 0; k < d->M; k++) {
            if (!(S >> k & 1))
                continue;
            size_t T = S & ~((size_t)1 << k);
            double key = d->G[T * n1 + r] - d->V[r];
            size_t *qr = d->dq_r + k * d->L;
            double *qk = d->dq_key + k * d->L;
            while (tail[k] > head[k] && qk[tail[k] - 1] <= key)
                tail[k]--;
            qr[tail[k]] = r;
            qk[tail[k]] = key;
            tail[k]++;
            size_t lo = d->lo[k * n1 + i];
            while (head[k] < tail[k] && qr[head[k]] < lo)
                head[k]++;
            if (head[k] < tail[k]) {
                double cand = d->V[i] + qk[head[k]];
                if (cand > best) {
                    best = cand;
                    bk = (uint8_t)k;
                    br = (uint32_t)qr[head[k]];
                }
            }
        }
        g[i] = best;
        ck[i] = bk;
        cr[i] = br;
    }
}

tc_status tc_mvbcs_solve(tc_error *err, double *optimum, tc_mvbcs_range *assignment,
                         const double *values, const uint64_t *costs, size_t L,
                         const uint64_t *budgets, size_t M)
{
    dp d = {0};
    uint64_t *C = NULL;
    uint64_t budget[TC_MVBCS_MAX_VERIFIERS];
    size_t index[TC_MVBCS_MAX_VERIFIERS];
    tc_status s = TC_OK;
    *optimum = 0;
    clear_assignment(assignment, M);

    C = malloc((L + 1) * sizeof *C);
    if (C == NULL) {
        s = tc_fail(err, TC_ENOMEM, "out of memory for %zu units", L);
        goto out;
    }
    s = check_instance(err, values, costs, L, C);
    if (s != TC_OK)
        goto out;
    if (L == 0)
        goto out;

    /* Verifiers that cannot afford the cheapest unit are always empty. */
    uint64_t cheapest = costs[0];
    for (size_t i = 1; i < L; i++)
        if (costs[i] < cheapest)
            cheapest = costs[i];
    for (size_t k = 0; k < M; k++) {
        if (budgets[k] < cheapest)
            continue;
        if (d.M == TC_MVBCS_MAX_VERIFIERS) {
            s = tc_fail(err, TC_EUNSUPPORTED,
                        "more than %d verifiers with a usable budget: the exact solver "
                        "is exponential in their number",
                        TC_MVBCS_MAX_VERIFIERS);
            goto out;
        }
        budget[d.M] = budgets[k];
        index[d.M] = k;
        d.M++;
    }
    if (d.M == 0)
        goto out;

    d.L = L;
    s = dp_alloc(err, &d);
    if (s != TC_OK)
        goto out;
    d.V[0] = 0;
    for (size_t i = 0; i < L; i++)
        d.V[i + 1] = d.V[i] + values[i];
    dp_windows(&d, C, budget);

    size_t n1 = L + 1, full = ((size_t)1 << d.M) - 1;
    for (size_t i = 0; i <= L; i++)
        d.G[i] = 0;
    for (size_t S = 1; S <= full; S++)
        dp_row(&d, S);
    *optimum = d.G[full * n1 + L];

    /* Reconstruction from the right (§7.3). */
    size_t S = full, i = L;
    while (i > 0 && S != 0) {
        uint8_t k = d.ch_k[S * n1 + i];
        if (k == SKIP) {
            i--;
            continue;
        }
        size_t r = d.ch_r[S * n1 + i];
        assignment[index[k]] = (tc_mvbcs_range){(int64_t)r, (int64_t)i - 1};
        S &= ~((size_t)1 << k);
        i = r;
    }
out:
    free(C);
    dp_free(&d);
    return s;
}

tc_status tc_mvbcs_check(tc_error *err, double *value, const tc_mvbcs_range *assignment,
                         const double *values, const uint64_t *costs, size_t L,
                         const uint64_t *budgets, size_t M)
{
    *value = 0;
    tc_status s = check_instance(err, values, costs, L, NULL);
    if (s != TC_OK)
        return s;
    for (size_t k = 0; k < M; k++) {
        tc_mvbcs_range a = assignment[k];
        if (a.start == -1 && a.end == -1)
            continue;
        if (a.start < 0 || a.end < a.start || (uint64_t)a.end >= L)
            return tc_fail(err, TC_EFORMAT, "verifier %zu: range [%lld, %lld] is not in [0, %zu)",
                           k + 1, (long long)a.start, (long long)a.end, L);
        uint64_t cost = 0;
        for (int64_t i = a.start; i <= a.end; i++)
            cost += costs[i];
        if (cost > budgets[k])
            return tc_fail(err, TC_EFORMAT, "verifier %zu: cost %llu exceeds budget %llu",
                           k + 1, (unsigned long long)cost, (unsigned long long)budgets[k]);
        for (size_t j = 0; j < k; j++) {
            tc_mvbcs_range b = assignment[j];
            if (b.start == -1 && b.end == -1)
                continue;
            if (a.start <= b.end && b.start <= a.end)
                return tc_fail(err, TC_EFORMAT, "verifiers %zu and %zu overlap", j + 1, k + 1);
        }
    }
    for (size_t i = 0; i < L; i++)
        for (size_t k = 0; k < M; k++)
            if (assignment[k].start >= 0 && (int64_t)i >= assignment[k].start &&
                (int64_t)i <= assignment[k].end) {
                *value += values[i];
                break;
            }
    return TC_OK;
}
