/* Eigenvalues of WᵀW as squared singular values (docs/layer-selection.md §3).
 *
 * LAPACK's dgesdd (divide and conquer SVD, values only) in double.  The SVD
 * keeps the small singular values accurate to about eps·σ_max, where the
 * Gram route (WᵀW then a symmetric eigensolver) would leave noise of order
 * sqrt(eps)·σ_max on them; that noise would slip past the numerical-rank
 * filter below, which assumes SVD accuracy (numpy's matrix_rank tolerance). */
#include "select/select.h"
#include "util/util.h"

#include <float.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>

tc_status tc_esd_eigenvalues(tc_error *err, double *evals, double *w /* (rows, cols) */,
                             size_t rows, size_t cols)
{
    if (rows == 0 || cols == 0)
        return tc_fail(err, TC_EARG, "empty matrix (%zu x %zu)", rows, cols);
    if (rows > INT_MAX || cols > INT_MAX)
        return tc_fail(err, TC_EUNSUPPORTED, "matrix %zu x %zu too large for LAPACK",
                       rows, cols);
    size_t n = rows < cols ? rows : cols;
    size_t big = rows < cols ? cols : rows;
    for (size_t j = 0; j < rows * cols; j++)
        if (!isfinite(w[j]))
            return tc_fail(err, TC_EFORMAT, "weight element %zu is not finite", j);

    /* The row-major (rows, cols) array is the column-major (cols, rows)
     * matrix Wᵀ, which has the same singular values: no transposed copy. */
    double *s = evals; /* n values, descending on return */
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (lapack_int)cols,
                                     (lapack_int)rows, w, (lapack_int)cols, s, NULL, 1,
                                     NULL, 1);
    if (info == LAPACK_WORK_MEMORY_ERROR)
        return tc_fail(err, TC_ENOMEM, "out of memory for the SVD of a %zu x %zu matrix",
                       rows, cols);
    if (info < 0)
        return tc_fail(err, TC_EINTERNAL, "dgesdd: argument %d invalid", (int)-info);
    if (info > 0)
        return tc_fail(err, TC_EINTERNAL, "dgesdd did not converge (%d)", (int)info);

    double smax = s[0];
    double tol = smax * (double)big * DBL_EPSILON;   /* 2^-52 */
    for (size_t j = 0; j < n / 2; j++) {            /* reverse to ascending */
        double t = s[j];
        s[j] = s[n - 1 - j];
        s[n - 1 - j] = t;
    }
    for (size_t j = 0; j < n; j++)
        evals[j] = s[j] <= tol ? 0.0 : s[j] * s[j];
    return TC_OK;
}
