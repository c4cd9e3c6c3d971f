/* Short names for the Fp addition, subtraction, doubling and negation used
 * throughout the tower, pairing and curve code.  They are the field's own
 * straight-line carry-chain routines (field_impl.h): same contract, reduced
 * inputs, reduced output, aliasing allowed. */
#ifndef TC_EC_TOWER_ARITH_H
#define TC_EC_TOWER_ARITH_H

#include "ec/field.h"

static inline void tc_fpx_add(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_fp_add(r, a, b); }
static inline void tc_fpx_sub(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_fp_sub(r, a, b); }
static inline void tc_fpx_dbl(tc_fp *r, const tc_fp *a) { tc_fp_dbl(r, a); }
static inline void tc_fpx_neg(tc_fp *r, const tc_fp *a) { tc_fp_neg(r, a); }

#endif
