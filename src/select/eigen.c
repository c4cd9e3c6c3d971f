/* Eigenvalues of WᵀW (docs/layer-selection.md §3), in double, two ways:
 *
 * - SVD (default): LAPACK dgesdd (divide and conquer, values only).  Small
 *   singular values come out accurate to about eps·σ_max, so the numerical-
 *   rank filter of §3 (numpy's matrix_rank tolerance) separates true zeros
 *   from data.
 * - Gram: G = WᵀW or WWᵀ, whichever is smaller (BLAS dsyrk), then LAPACK
 *   dsyevd.  About three times faster (the flops are BLAS-3), but squaring
 *   the condition number leaves absolute noise of order eps·λ_max on every
 *   eigenvalue, so its zero filter works at that level instead. */
#include "select/select.h"
#include "util/util.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *tc_eig_method_name(tc_eig_method m)
{
    return m == TC_EIG_GRAM ? "gram" : "svd";
}

bool tc_eig_method_parse(tc_eig_method *m, const char *name)
{
    if (strcmp(name, "svd") == 0)
        *m = TC_EIG_SVD;
    else if (strcmp(name, "gram") == 0)
        *m = TC_EIG_GRAM;
    else
        return false;
    return true;
}

static tc_status lapack_status(tc_error *err, lapack_int info, const char *routine,
                               size_t rows, size_t cols)
{
    if (info == 0)
        return TC_OK;
    if (info == LAPACK_WORK_MEMORY_ERROR)
        return tc_fail(err, TC_ENOMEM, "out of memory in %s for a %zu x %zu matrix", routine,
                       rows, cols);
    if (info < 0)
        return tc_fail(err, TC_EINTERNAL, "%s: argument %d invalid", routine, (int)-info);
    return tc_fail(err, TC_EINTERNAL, "%s did not converge (%d) on a %zu x %zu matrix",
                   routine, (int)info, rows, cols);
}

/* Singular values squared, ascending, with σ <= σ_max·big·2⁻⁵² set to 0. */
static tc_status eig_svd(tc_error *err, double *evals, double *w, size_t rows, size_t cols)
{
    size_t n = rows < cols ? rows : cols, big = rows < cols ? cols : rows;
    /* The row-major (rows, cols) array is the column-major (cols, rows)
     * matrix Wᵀ, which has the same singular values: no transposed copy. */
    double *s = evals; /* n values, descending on return */
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (lapack_int)cols, (lapack_int)rows,
                                     w, (lapack_int)cols, s, NULL, 1, NULL, 1);
    tc_status st = lapack_status(err, info, "dgesdd", rows, cols);
    if (st != TC_OK)
        return st;
    double tol = s[0] * (double)big * DBL_EPSILON; /* DBL_EPSILON = 2^-52 */
    for (size_t j = 0; j < n / 2; j++) {          /* reverse to ascending */
        double t = s[j];
        s[j] = s[n - 1 - j];
        s[n - 1 - j] = t;
    }
    for (size_t j = 0; j < n; j++)
        evals[j] = s[j] <= tol ? 0.0 : s[j] * s[j];
    return TC_OK;
}

/* Eigenvalues of the smaller Gram matrix, ascending, with
 * λ <= λ_max·big·2⁻⁵² (and negative noise) set to 0. */
static tc_status eig_gram(tc_error *err, double *evals, const double *w, size_t rows,
                          size_t cols)
{
    size_t n = rows < cols ? rows : cols, big = rows < cols ? cols : rows, nn;
    if (!tc_mul_size(&nn, n, n))
        return tc_fail(err, TC_ENOMEM, "Gram matrix %zu x %zu too large", n, n);
    double *g = malloc(nn * sizeof *g); /* (n, n), lower triangle in column-major */
    if (g == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for a %zu x %zu Gram matrix", n, n);
    /* Column-major view of w is Wᵀ (cols, rows).  WᵀW = (Wᵀ)(Wᵀ)ᵀ: NoTrans
     * on that view when cols <= rows; WWᵀ = (Wᵀ)ᵀ(Wᵀ): Trans otherwise. */
    if (cols <= rows)
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)cols, (int)rows, 1.0, w,
                    (int)cols, 0.0, g, (int)n);
    else
        cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (int)rows, (int)cols, 1.0, w,
                    (int)cols, 0.0, g, (int)n);
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, g,
                                     (lapack_int)n, evals);
    free(g);
    tc_status st = lapack_status(err, info, "dsyevd", rows, cols);
    if (st != TC_OK)
        return st;
    double tol = evals[n - 1] * (double)big * DBL_EPSILON;
    for (size_t j = 0; j < n; j++)
        if (evals[j] <= tol)
            evals[j] = 0.0;
    return TC_OK;
}

tc_status tc_esd_eigenvalues_with(tc_error *err, double *evals, double *w /* (rows, cols) */,
                                  size_t rows, size_t cols, tc_eig_method method)
{
    if (rows == 0 || cols == 0)
        return tc_fail(err, TC_EARG, "empty matrix (%zu x %zu)", rows, cols);
    if (rows > INT_MAX || cols > INT_MAX || rows * cols / rows != cols)
        return tc_fail(err, TC_EUNSUPPORTED, "matrix %zu x %zu too large for LAPACK", rows,
                       cols);
    for (size_t j = 0; j < rows * cols; j++)
        if (!isfinite(w[j]))
            return tc_fail(err, TC_EFORMAT, "weight element %zu is not finite", j);
    return method == TC_EIG_GRAM ? eig_gram(err, evals, w, rows, cols)
                                 : eig_svd(err, evals, w, rows, cols);
}

tc_status tc_esd_eigenvalues(tc_error *err, double *evals, double *w /* (rows, cols) */,
                             size_t rows, size_t cols)
{
    return tc_esd_eigenvalues_with(err, evals, w, rows, cols, TC_EIG_SVD);
}
