/*
 * The AVX-512 IFMA form of msm_batch_add (msm_ifma.c), used by it when the
 * CPU has AVX512F and AVX512IFMA (and neither TC_NO_IFMA=1 nor TC_NO_ASM=1
 * is set): tc_cpu.ifma, cpu.h).
 */
#ifndef TC_EC_MSM_IFMA_H
#define TC_EC_MSM_IFMA_H

#include "ec/msm_impl.h"

/* Batches smaller than this stay scalar (a vector pass has fixed costs). */
#define MSM_IFMA_MIN_BATCH 16

/* Performs ops[0..k) exactly as msm_batch_add does and returns true; or
 * returns false, having changed nothing, when the vector path does not
 * apply (no IFMA, a small batch, an infinite operand, or two operands with
 * equal x: doubling and opposite points are left to the scalar code).
 * scratch: (k) elements. */
bool msm_batch_add_ifma(msm_add_op *ops, size_t k, tc_fp *scratch);

#endif
