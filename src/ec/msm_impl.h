/*
 * Internals of the MSM engine (msm*.c only): extended-Jacobian points,
 * the batch-affine addition kernel, bucket sets, and scalar digits.
 */
#ifndef TC_EC_MSM_IMPL_H
#define TC_EC_MSM_IMPL_H

#include "ec/msm.h"
#include "util/verify.h"

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

/* ---- scalar digits and tasks (msm.c, msm_table.c, msm_window.c) ---- */

/* Windows of c bits for scalars of `bits` bits: the top Booth digit of an
 * m < 2^bits then absorbs the carry. */
static inline unsigned msm_windows_for(unsigned bits, unsigned c) { return bits / c + 1; }

/* Booth (signed) digit w of width c: with bits b_j of the magnitude and
 * b_{−1} = 0, d_w = Σ_{j<c} b_{wc+j}·2^j + b_{wc−1} − 2^c·b_{wc+c−1}, so
 * d_w ∈ [−2^(c−1), 2^(c−1)] and Σ_w d_w·2^(wc) = m as long as the top
 * window's last bit is zero, i.e. W = ⌊bits/c⌋ + 1 windows (Booth 1951;
 * the c+1 bits read overlap by one, so digits are independent). */
static inline int32_t msm_booth_digit(const uint64_t m[4], unsigned w, unsigned c)
{
    uint64_t v;
    size_t start = (size_t)w * c;
    uint64_t mask = ((uint64_t)2 << c) - 1;     /* c + 1 bits */
    if (start == 0) {
        v = (m[0] << 1) & mask;
    } else {
        size_t s = start - 1, idx = s >> 6;
        unsigned sh = (unsigned)(s & 63);
        v = m[idx] >> sh;
        if (sh + c + 1 > 64 && idx + 1 < 4)
            v |= m[idx + 1] << (64 - sh);
        v &= mask;
    }
    int32_t d = (int32_t)((v + 1) >> 1) - (int32_t)(((v >> c) & 1) << c);
    TC_VERIFY_CHECK(d >= -(INT32_C(1) << (c - 1)) && d <= INT32_C(1) << (c - 1));
    return d;
}

/* Tasks of the plain MSM.  With W windows on T threads, the first
 * W − (W mod T) windows are one task each and the last W mod T windows are
 * each split into T point chunks, so every thread gets the same work: whole
 * windows and one chunk of each leftover window, at the price of
 * (T − 1)·(W mod T) extra bucket reductions.  Task t < W − r is window t;
 * after that, tasks go window by window, chunk by chunk.  The split depends
 * only on W and T; the result does not depend on it. */
typedef struct msm_split { unsigned whole, split, parts, n_tasks; } msm_split;

static inline msm_split msm_split_for(unsigned n_windows, unsigned n_threads)
{
    msm_split sp;
    unsigned r = n_threads > 1 ? n_windows % n_threads : 0;
    sp.whole = n_windows - r;
    sp.split = r;
    sp.parts = r ? n_threads : 1;
    sp.n_tasks = sp.whole + r * sp.parts;
    return sp;
}

/* ---- the window model (msm_window.c; docs/msm.md) ---- */

/* Pass costs for one (model, n, n_threads), by window c and by the number
 * of bits left to the window (it reaches 2^left buckets; left = c − 1 for
 * every window but the top one, whose digits have bits − (W − 1)·c < c
 * bits plus the carry): whole windows over n points, and chunks over
 * n/n_threads.  They do not depend on the scalars' bit length, so one
 * table serves the choice for every bit length; entries are filled when
 * first needed (negative: not yet). */
typedef struct msm_cost_table {
    size_t n;
    unsigned n_threads;
    const struct msm_model *k;   /* the kernel's figures (msm_window.c) */
    double pass[2][TC_MSM_MAX_WINDOW + 1][TC_MSM_MAX_WINDOW];   /* [chunk][c][left] */
} msm_cost_table;

/* The table for the batch-addition kernel in use (tc_cpu.ifma). */
void msm_cost_table_current(msm_cost_table *ct, size_t n, unsigned n_threads);
/* Modelled time of the plain MSM with window c for scalars of `bits` bits. */
double msm_plain_cost(msm_cost_table *ct, unsigned bits, unsigned c);
/* The window of least modelled time for scalars of `bits` bits. */
unsigned msm_choose_window(msm_cost_table *ct, unsigned bits);
/* Modelled time of the table MSM (every window into one bucket set per
 * thread) with window c. */
double msm_table_cost(size_t n, unsigned bits, unsigned n_threads, unsigned c);

/* ---- the shared driver (msm.c) ---- */

/* Thread count of opts: 0 or NULL mean 1, clamped to TC_MSM_MAX_THREADS. */
unsigned msm_clamp_threads(const tc_msm_opts *o);
/* Scratch bytes for window c, n_tasks task results, n_threads bucket sets
 * and canon_n canonical scalars; 0 on overflow. */
size_t msm_layout_total(unsigned c, unsigned n_tasks, unsigned n_threads, size_t canon_n);
/* The plain MSM over pts (stride 0), or with a table (table_windows copies
 * of the bases, stride apart, window forced_c): the table when it covers
 * the scalars and is modelled no slower than the plain MSM (always, with
 * table_always), else the plain MSM over the first copy. */
tc_status msm_run(tc_error *err, tc_g1 *out, const tc_g1_affine *pts, size_t stride,
                  unsigned table_windows, bool table_always, tc_scalars scalars, size_t n,
                  unsigned n_threads, unsigned forced_c, void *scratch, size_t scratch_size);

#endif
