/*
 * bench_ec's figures, one file per concern: fields (bench_ec_field.c),
 * curve points (bench_ec_curve.c), pairings and Fp12 (bench_ec_pairing.c);
 * the harness and the table of figures are in bench_ec.c.
 *
 * A figure `bool fig_x(bench_ctx *c, size_t n)` is first called with n = 0:
 * it prepares its inputs in c (c->mem for anything large, freed by the
 * harness with free()) and returns whether the operation gives the right
 * answer; it is then called with n > 0 to run n operations back to back,
 * each depending on the one before, and stores something in c->sink so the
 * work cannot be optimised away.  A figure that sets c->skip at n = 0 (the
 * operation does not apply on this machine) is printed as "not measured".
 */
#ifndef TC_BENCH_EC_H
#define TC_BENCH_EC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/field.h"
#include "util/util.h"

typedef struct bench_ctx {
    tc_prng rng;
    tc_fp fp[8];          /* inputs prepared at n = 0 */
    tc_fr fr[8];
    void *mem;            /* optional, owned by the figure, freed by free() */
    uint64_t sink;        /* results fold in here */
    bool skip;            /* set at n = 0: does not apply here (printed n/a) */
} bench_ctx;

typedef bool (*bench_fn)(bench_ctx *c, size_t n);

/* Inputs shared by the figure files. */
void bench_random_fr(bench_ctx *c, tc_fr *r);
void bench_prepare_fields(bench_ctx *c);   /* random c->fp[] and c->fr[] */

/* bench_ec_field.c */
bool fig_fp_mul(bench_ctx *c, size_t n);
bool fig_fp_sqr(bench_ctx *c, size_t n);
bool fig_fp_inv(bench_ctx *c, size_t n);
bool fig_fp_mul_c(bench_ctx *c, size_t n);
bool fig_fp_mul_adx(bench_ctx *c, size_t n);
bool fig_fp_sqr_c(bench_ctx *c, size_t n);
bool fig_fr_mul(bench_ctx *c, size_t n);
bool fig_fr_inv(bench_ctx *c, size_t n);
bool fig_fp_legendre(bench_ctx *c, size_t n);
bool fig_fp_sqrt(bench_ctx *c, size_t n);
bool fig_fr_sqrt(bench_ctx *c, size_t n);
bool fig_fp2_mul(bench_ctx *c, size_t n);

/* bench_ec_curve.c */
bool fig_g1_add_mixed(bench_ctx *c, size_t n);
bool fig_g1_add(bench_ctx *c, size_t n);
bool fig_g1_dbl(bench_ctx *c, size_t n);
bool fig_g1_mul(bench_ctx *c, size_t n);
bool fig_g2_add_mixed(bench_ctx *c, size_t n);
bool fig_g2_dbl(bench_ctx *c, size_t n);
bool fig_g2_mul(bench_ctx *c, size_t n);
bool fig_g1_decompress(bench_ctx *c, size_t n);
bool fig_g2_decompress(bench_ctx *c, size_t n);
bool fig_g2_subgroup(bench_ctx *c, size_t n);

/* bench_ec_pairing.c */
bool fig_pairing(bench_ctx *c, size_t n);
bool fig_miller_loop(bench_ctx *c, size_t n);
bool fig_final_exp(bench_ctx *c, size_t n);
bool fig_pairing_product_9(bench_ctx *c, size_t n);
bool fig_g2_prepare(bench_ctx *c, size_t n);
bool fig_fp12_mul(bench_ctx *c, size_t n);
bool fig_fp12_cyclotomic_sqr(bench_ctx *c, size_t n);

#endif
