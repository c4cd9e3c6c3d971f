/* bench_ec: G1 and G2 figures (addition, doubling, scalar multiplication,
 * decoding, subgroup check); points and scalars kept in c->mem. */
#include <stdlib.h>
#include <string.h>

#include "bench_ec.h"
#include "ec/curve.h"
#include "ec/encoding.h"

typedef struct curve_inputs {
    tc_g1 p1;
    tc_g1_affine q1;
    tc_g2 p2;
    tc_g2_affine q2;
    tc_fr k;
    uint8_t enc1[2][TC_G1_BYTES];
    uint8_t enc2[2][TC_G2_BYTES];
} curve_inputs;

/* Random points k·G (by the reference multiplication) and a random scalar. */
static curve_inputs *prepare_curve(bench_ctx *c)
{
    bench_prepare_fields(c);
    curve_inputs *in = malloc(sizeof *in);
    if (in == NULL)
        return NULL;
    c->mem = in;
    tc_g1 g1, t1;
    tc_g2 g2, t2;
    tc_g1_generator(&g1);
    tc_g2_generator(&g2);
    tc_g1_mul_ref(&in->p1, &g1, &c->fr[0]);
    tc_g1_mul_ref(&t1, &g1, &c->fr[1]);
    tc_g1_to_affine(&in->q1, &t1);
    tc_g2_mul_ref(&in->p2, &g2, &c->fr[2]);
    tc_g2_mul_ref(&t2, &g2, &c->fr[3]);
    tc_g2_to_affine(&in->q2, &t2);
    in->k = c->fr[4];
    for (int i = 0; i < 2; i++) {
        tc_g1_affine a1;
        tc_g2_affine a2;
        tc_g1_mul_ref(&t1, &g1, &c->fr[5 + i]);
        tc_g1_to_affine(&a1, &t1);
        tc_g1_to_bytes(in->enc1[i], &a1);
        tc_g2_mul_ref(&t2, &g2, &c->fr[5 + i]);
        tc_g2_to_affine(&a2, &t2);
        tc_g2_to_bytes(in->enc2[i], &a2);
    }
    return in;
}

bool fig_g1_add_mixed(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b, q;
        tc_g1_from_affine(&q, &in->q1);
        tc_g1_add_affine(&a, &in->p1, &in->q1);
        tc_g1_add(&b, &in->p1, &q);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1;
    for (size_t i = 0; i < n; i++)
        tc_g1_add_affine(&acc, &acc, &in->q1);
    c->sink ^= acc.x.l[0];
    return true;
}

bool fig_g1_add(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b;
        tc_g1_add(&a, &in->p1, &in->p1);
        tc_g1_dbl(&b, &in->p1);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1, q;
    tc_g1_dbl(&q, &in->p1);              /* a Jacobian point with Z ≠ 1 */
    for (size_t i = 0; i < n; i++)
        tc_g1_add(&acc, &acc, &q);
    c->sink ^= acc.x.l[0];
    return true;
}

bool fig_g1_dbl(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b;
        tc_g1_dbl(&a, &in->p1);
        tc_g1_add(&b, &in->p1, &in->p1);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1;
    for (size_t i = 0; i < n; i++)
        tc_g1_dbl(&acc, &acc);
    c->sink ^= acc.x.l[0];
    return true;
}

bool fig_g1_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1 a, b;
        tc_g1_mul_var(&a, &in->p1, &in->k);
        tc_g1_mul_ref(&b, &in->p1, &in->k);
        return tc_g1_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g1 acc = in->p1;
    for (size_t i = 0; i < n; i++)
        tc_g1_mul_var(&acc, &acc, &in->k);
    c->sink ^= acc.x.l[0];
    return true;
}

bool fig_g2_add_mixed(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2 a, b, q;
        tc_g2_from_affine(&q, &in->q2);
        tc_g2_add_affine(&a, &in->p2, &in->q2);
        tc_g2_add(&b, &in->p2, &q);
        return tc_g2_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g2 acc = in->p2;
    for (size_t i = 0; i < n; i++)
        tc_g2_add_affine(&acc, &acc, &in->q2);
    c->sink ^= acc.x.c0.l[0];
    return true;
}

bool fig_g2_dbl(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2 a, b;
        tc_g2_dbl(&a, &in->p2);
        tc_g2_add(&b, &in->p2, &in->p2);
        return tc_g2_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g2 acc = in->p2;
    for (size_t i = 0; i < n; i++)
        tc_g2_dbl(&acc, &acc);
    c->sink ^= acc.x.c0.l[0];
    return true;
}

bool fig_g2_mul(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2 a, b;
        tc_g2_mul_var(&a, &in->p2, &in->k);
        tc_g2_mul_ref(&b, &in->p2, &in->k);
        return tc_g2_eq(&a, &b);
    }
    curve_inputs *in = c->mem;
    tc_g2 acc = in->p2;
    for (size_t i = 0; i < n; i++)
        tc_g2_mul_var(&acc, &acc, &in->k);
    c->sink ^= acc.x.c0.l[0];
    return true;
}

/* Decoding alternates between two encodings, chosen by the previous result. */
bool fig_g1_decompress(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g1_affine d;
        uint8_t re[TC_G1_BYTES];
        if (tc_g1_decode(&d, in->enc1[0]) != TC_POINT_OK)
            return false;
        tc_g1_to_bytes(re, &d);
        return memcmp(re, in->enc1[0], sizeof re) == 0;
    }
    curve_inputs *in = c->mem;
    tc_g1_affine d = {.infinity = false};
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_g1_decode(&d, in->enc1[d.y.l[0] & 1]) == TC_POINT_OK;
    c->sink ^= ok ^ d.y.l[0];
    return true;
}

bool fig_g2_decompress(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        if (in == NULL)
            return false;
        tc_g2_affine d;
        uint8_t re[TC_G2_BYTES];
        if (tc_g2_decode(&d, in->enc2[0]) != TC_POINT_OK)
            return false;
        tc_g2_to_bytes(re, &d);
        return memcmp(re, in->enc2[0], sizeof re) == 0;
    }
    curve_inputs *in = c->mem;
    tc_g2_affine d = {.infinity = false};
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_g2_decode(&d, in->enc2[d.y.c0.l[0] & 1]) == TC_POINT_OK;
    c->sink ^= ok ^ d.y.c0.l[0];
    return true;
}

bool fig_g2_subgroup(bench_ctx *c, size_t n)
{
    if (n == 0) {
        curve_inputs *in = prepare_curve(c);
        return in != NULL && tc_g2_affine_in_subgroup(&in->q2) &&
               tc_g2_affine_in_subgroup_ref(&in->q2);
    }
    curve_inputs *in = c->mem;
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += tc_g2_affine_in_subgroup(&in->q2);
    c->sink ^= ok;
    return true;
}
