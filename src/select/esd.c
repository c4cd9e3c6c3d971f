/* Power-law fits of an empirical spectral density's tail and the norm
 * metrics (docs/layer-selection.md §4-5).
 *
 * The fit is the continuous power-law maximum-likelihood estimate in Hill's
 * form, alpha = 1 + n / Σ ln(λ_j / xmin) (Clauset, Shalizi & Newman 2009,
 * eq. 3.1, without the finite-size correction), with xmin chosen among a
 * candidate set by the smallest Kolmogorov-Smirnov distance, as WeightWatcher
 * and AlphaPruning do. */
#include "select/select.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static tc_status check_evals(tc_error *err, const double *evals, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (!isfinite(evals[j]) || evals[j] < 0)
            return tc_fail(err, TC_EFORMAT,
                           "eigenvalue %zu is %g: eigenvalues must be finite and >= 0",
                           j, evals[j]);
    return TC_OK;
}

/* §4.1: sort, optionally keep λ > 1e-5 (unless none is), drop exact zeros.
 * Returns the count kept in lam[0..]. */
static size_t prepare(double *lam /* (n) sorted in place */, size_t n, bool filter_zeros)
{
    qsort(lam, n, sizeof *lam, cmp_double);
    size_t first = 0;
    if (filter_zeros) {
        size_t k = 0;
        while (k < n && !(lam[k] > TC_ESD_EVALS_THRESH))
            k++;
        if (k < n)
            first = k;
    }
    while (first < n && lam[first] == 0)
        first++;
    memmove(lam, lam + first, (n - first) * sizeof *lam);
    return n - first;
}

/* §4.2: one candidate xmin = λ_i.  Returns false when the tail is constant. */
static bool candidate(const double *lam, const double *ell, size_t N, size_t i,
                      double *alpha, double *D)
{
    size_t n = N - i;
    double s = 0;
    for (size_t j = i; j < N; j++)
        s += ell[j] - ell[i];
    if (!(s > 0))
        return false;
    double a = 1.0 + (double)n / s;
    double d = 0;
    for (size_t k = 1; k < n; k++) {
        double cdf = 1.0 - pow(lam[i + k] / lam[i], 1.0 - a);
        double dk = fabs(cdf - (double)k / (double)n);
        if (dk > d)
            d = dk;
    }
    *alpha = a;
    *D = d;
    return true;
}

/* §4.4 xmin_peak: the left edge of the first fullest of 100 log10 bins
 * (torch.histc semantics), and the candidate window around it. */
static void peak_window(tc_esd_fit *fit, const double *lam, size_t N)
{
    size_t count[TC_ESD_PEAK_BINS] = {0};
    double lo = log10(lam[0]), hi = log10(lam[N - 1]);
    for (size_t j = 0; j < N; j++) {
        int b = 0;
        if (hi > lo) {
            double h = log10(lam[j]);
            if (h >= hi)
                b = TC_ESD_PEAK_BINS - 1;
            else
                b = (int)((h - lo) * TC_ESD_PEAK_BINS / (hi - lo));
            if (b < 0)
                b = 0;
            if (b > TC_ESD_PEAK_BINS - 1)
                b = TC_ESD_PEAK_BINS - 1;
        }
        count[b]++;
    }
    int ih = 0;
    for (int b = 1; b < TC_ESD_PEAK_BINS; b++)
        if (count[b] > count[ih])
            ih = b;
    fit->peak_bin = ih;
    fit->peak = pow(10.0, lo + (hi - lo) * ih / TC_ESD_PEAK_BINS);
    /* The lower bound is log10 of an eigenvalue compared with raw
     * eigenvalues; kept as written in the reference code (§4.4). */
    fit->xmin_range_lo = log10(0.95 * fit->peak);
    fit->xmin_range_hi = 1.5 * fit->peak;
}

static bool in_candidate_set(const tc_esd_fit *fit, tc_esd_mode mode, const double *lam,
                             size_t N, size_t i)
{
    switch (mode) {
    case TC_ESD_FULL:
        return true;
    case TC_ESD_XMIN_MID: {
        size_t mid = N / 2;
        return i == (mid < N - 2 ? mid : N - 2);
    }
    case TC_ESD_XMIN_PEAK:
        return fit->xmin_range_lo <= lam[i] && lam[i] <= fit->xmin_range_hi;
    }
    return false;
}

static tc_status fit_prepared(tc_error *err, tc_esd_fit *fit, const double *lam,
                              size_t N, tc_esd_mode mode)
{
    fit->num_evals = N;
    if (N < 2) {
        fit->reason = "fewer than 2 positive eigenvalues";
        return TC_OK;
    }
    double *ell = malloc(N * sizeof *ell);
    if (ell == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu eigenvalues", N);
    for (size_t j = 0; j < N; j++)
        ell[j] = log(lam[j]);
    if (mode == TC_ESD_XMIN_PEAK)
        peak_window(fit, lam, N);

    bool found = false;
    for (size_t i = 0; i + 1 < N; i++) {
        if (!in_candidate_set(fit, mode, lam, N, i))
            continue;
        fit->num_candidates++;
        double a, d;
        if (!candidate(lam, ell, N, i, &a, &d))
            continue;
        if (!found || d < fit->D) {   /* strict: the first minimum wins */
            found = true;
            fit->alpha = a;
            fit->D = d;
            fit->xmin = lam[i];
            fit->xmin_index = i;
            fit->n_tail = N - i;
        }
    }
    free(ell);
    if (found)
        fit->ok = true;
    else
        fit->reason = fit->num_candidates == 0 ? "no xmin candidate in range"
                                               : "all candidate tails are constant";
    return TC_OK;
}

tc_status tc_esd_fit_run(tc_error *err, tc_esd_fit *fit, const double *evals,
                         size_t n, tc_esd_mode mode, bool filter_zeros)
{
    memset(fit, 0, sizeof *fit);
    tc_status s = check_evals(err, evals, n);
    if (s != TC_OK)
        return s;
    double *lam = malloc((n ? n : 1) * sizeof *lam);
    if (lam == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for %zu eigenvalues", n);
    if (n)
        memcpy(lam, evals, n * sizeof *lam);
    size_t N = prepare(lam, n, filter_zeros);
    s = fit_prepared(err, fit, lam, N, mode);
    free(lam);
    return s;
}

tc_esd_mode tc_select_metric_mode(tc_select_metric m)
{
    return m == TC_METRIC_ALPHA ? TC_ESD_FULL
           : m == TC_METRIC_ALPHA_MID ? TC_ESD_XMIN_MID : TC_ESD_XMIN_PEAK;
}

bool tc_select_metric_filter_zeros(tc_select_metric m)
{
    return m == TC_METRIC_ALPHA;
}

const char *tc_select_metric_name(tc_select_metric m)
{
    return m == TC_METRIC_ALPHA ? "alpha"
           : m == TC_METRIC_ALPHA_MID ? "alpha_mid" : "alpha_peak";
}

bool tc_select_metric_parse(tc_select_metric *m, const char *name)
{
    static const tc_select_metric all[] = {TC_METRIC_ALPHA_PEAK, TC_METRIC_ALPHA_MID,
                                           TC_METRIC_ALPHA};
    for (size_t i = 0; i < TC_ARRAY_LEN(all); i++)
        if (strcmp(name, tc_select_metric_name(all[i])) == 0) {
            *m = all[i];
            return true;
        }
    return false;
}

tc_status tc_esd_fit_metric(tc_error *err, tc_esd_fit *fit, const double *evals,
                            size_t n, tc_select_metric m)
{
    return tc_esd_fit_run(err, fit, evals, n, tc_select_metric_mode(m),
                          tc_select_metric_filter_zeros(m));
}

tc_status tc_esd_norms_compute(tc_error *err, tc_esd_norms *out, const double *evals,
                               size_t n)
{
    memset(out, 0, sizeof *out);
    tc_status s = check_evals(err, evals, n);
    if (s != TC_OK)
        return s;
    double mx = 0, sum = 0;
    for (size_t j = 0; j < n; j++) {
        sum += evals[j];
        if (evals[j] > mx)
            mx = evals[j];
    }
    out->spectral_norm = mx;
    out->norm = sum;
    out->log_norm = log10(sum);
    out->log_spectral_norm = log10(mx);
    out->stable_rank = sum / mx;
    return TC_OK;
}

double tc_esd_alpha_hat(double alpha, double lambda_max)
{
    return alpha * log10(lambda_max);
}

double tc_esd_log_alpha_norm(const double *evals, size_t n, double alpha)
{
    double sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += pow(evals[j], alpha);
    return log10(sum);
}
