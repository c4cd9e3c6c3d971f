/*
 * Internals of the MSM engine (msm*.c only): extended-Jacobian points,
 * the batch-affine addition kernel, bucket sets, and scalar digits.
 */
#ifndef TC_EC_MSM_IMPL_H
#define TC_EC_MSM_IMPL_H

#include "ec/msm.h"

/* Fp addition and subtraction for the hot loops: the field's own routines. */
static inline void msm_fp_sub(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_fp_sub(r, a, b); }
static inline void msm_fp_add(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_fp_add(r, a, b); }

static inline bool msm_fp_is_zero(const tc_fp *a)
{
    return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0;
}

/* r = neg ? −a : a, without a branch on neg. */
#if defined(__x86_64__)
static inline void msm_fp_cneg(tc_fp *r, const tc_fp *a, bool neg)
{
    /* with m all ones, (a ⊕ m) + p + 1 = p − a over 256 bits; with m = 0, a.
     * Zero is never negated, so p − 0 = p (unreduced) cannot appear. */
    const uint64_t *p = tc_fp_modulus.p;
    uint64_t nz = (uint64_t)((a->l[0] | a->l[1] | a->l[2] | a->l[3]) != 0);
    uint64_t m = 0 - ((uint64_t)neg & nz);
    unsigned long long r0, r1, r2, r3;
    unsigned char c = _addcarry_u64((unsigned char)(m & 1), a->l[0] ^ m, p[0] & m, &r0);
    c = _addcarry_u64(c, a->l[1] ^ m, p[1] & m, &r1);
    c = _addcarry_u64(c, a->l[2] ^ m, p[2] & m, &r2);
    (void)_addcarry_u64(c, a->l[3] ^ m, p[3] & m, &r3);
    r->l[0] = r0; r->l[1] = r1; r->l[2] = r2; r->l[3] = r3;
}
#else
static inline void msm_fp_cneg(tc_fp *r, const tc_fp *a, bool neg)
{
    tc_fp t;
    tc_fp_neg(&t, a);
    *r = neg ? t : *a;
}
#endif

/* Extended Jacobian ("XYZZ") point: (X/ZZ, Y/ZZZ) with ZZ³ = ZZZ²; the
 * point at infinity has ZZ = 0.  Formulas from the Explicit-Formulas
 * Database, "xyzz" coordinates for short Weierstrass a = 0 curves
 * (add-2008-s, madd-2008-s, dbl-2008-s-1, mdbl-2008-s-1). */
typedef struct msm_xyzz { tc_fp x, y, zz, zzz; } msm_xyzz;

void msm_xyzz_set_inf(msm_xyzz *r);
static inline bool msm_xyzz_is_inf(const msm_xyzz *a) { return msm_fp_is_zero(&a->zz); }
void msm_xyzz_from_affine(msm_xyzz *r, const tc_g1_affine *a);
/* r += a (affine, possibly negated by neg); r may be infinity. */
void msm_xyzz_add_affine(msm_xyzz *r, const tc_g1_affine *a, bool neg);
void msm_xyzz_add(msm_xyzz *r, const msm_xyzz *a);     /* r += a */
void msm_xyzz_dbl(msm_xyzz *r, const msm_xyzz *a);
/* Affine form with one inversion. */
void msm_xyzz_to_affine(tc_g1_affine *r, const msm_xyzz *a);
/* The Jacobian point with Z = 1 (or the curve code's infinity). */
void msm_xyzz_to_g1(tc_g1 *r, const msm_xyzz *a);

/* One pending affine addition *dst += ±*src (dst and src not infinity). */
typedef struct msm_add_op {
    tc_g1_affine *dst;
    const tc_g1_affine *src;
    bool neg;
} msm_add_op;

/* Performs ops[0..k) with one shared inversion (Montgomery's trick).  The
 * destinations must be pairwise distinct.  num, den, pref: (k) scratch.
 * Handles dst = src in value (doubling) and dst = −src (result infinity);
 * src may even be the same object as dst (in-place doubling).  Every slope
 * is taken before any coordinate is written and the ops finish from the
 * last to the first, so op i's src may be the dst of an op j < i: it then
 * reads the value from before the call. */
void msm_batch_add(msm_add_op *ops, size_t k, tc_fp *num, tc_fp *den, tc_fp *pref);
/* The same with the scalar field code only (msm_core.c); msm_batch_add
 * (msm_ifma.c) runs the AVX-512 IFMA form where it applies, else this. */
void msm_batch_add_scalar(msm_add_op *ops, size_t k, tc_fp *num, tc_fp *den, tc_fp *pref);

/* A set of 2^(c−1) buckets for one task, carved from scratch. */
typedef struct msm_buckets {
    size_t nb;              /* number of buckets */
    size_t cap;             /* batch and queue capacity; 0: XYZZ only */
    tc_g1_affine *aff;      /* (nb) affine part, valid where state bit 2 */
    msm_xyzz *ext;          /* (nb) overflow part, valid where state bit 1 */
    uint8_t *state;         /* (nb) bit 0: in the pending batch; bit 1: ext
                             * used; bit 2: affine part non-empty.  The
                             * small state array is what the hot path reads,
                             * so bucket points are only touched (after a
                             * prefetch) when a batch runs. */
    msm_add_op *ops;        /* (cap) pending batch */
    tc_fp *num, *den, *pref; /* (cap) batch-inversion scratch */
    uint32_t *q_bucket;     /* (cap) deferred: bucket */
    const tc_g1_affine **q_src; /* (cap) deferred: point */
    uint8_t *q_neg;         /* (cap) deferred: sign */
    tc_g1_affine *seg;      /* (cap) reduction: running and weighted sums
                             * of up to cap/2 segments */
    size_t n_ops, n_q;
} msm_buckets;

/* Bytes of one bucket set for window c (alignment padding included). */
size_t msm_buckets_bytes(unsigned c);
/* Carves a bucket set for window c out of mem (≥ msm_buckets_bytes(c)). */
void msm_buckets_carve(msm_buckets *b, unsigned c, void *mem);
void msm_buckets_clear(msm_buckets *b);
/* Bucket b gets ±*p (p not infinity). */
void msm_buckets_push(msm_buckets *b, uint32_t bucket, const tc_g1_affine *p, bool neg);
/* Finishes pending additions. */
void msm_buckets_flush(msm_buckets *b);
/* r = Σ_j (j+1)·B_j by running sums: serial in XYZZ for small sets, in
 * lock-step batch-affine segments otherwise (clobbers the buckets). */
void msm_buckets_reduce(msm_xyzz *r, msm_buckets *b);

/* 64-byte aligned bump allocator over caller scratch. */
typedef struct msm_arena { uint8_t *p; size_t left; size_t used; } msm_arena;
void *msm_arena_take(msm_arena *a, size_t bytes);
size_t msm_round_up(size_t bytes);

#endif
