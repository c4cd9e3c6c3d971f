/* The inner machinery of the G1 MSM: extended-Jacobian (XYZZ) arithmetic,
 * the batch-affine addition kernel and bucket sets with deferred
 * conflicts.  See msm.h for the algorithm and its references. */
/* GCC's straight-line vectoriser turns the four limb stores of each sum
 * into vector inserts and a 32-byte store that the multiplication
 * assembly then reads back limb by limb; without it the kernel runs ~7 %
 * faster on the reference machine.  Results are identical. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif
#include "ec/msm_impl.h"

#include <string.h>

/* ------------------------------------------------------------ arena */

size_t msm_round_up(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

void *msm_arena_take(msm_arena *a, size_t bytes)
{
    uintptr_t p = (uintptr_t)a->p;
    size_t pad = (size_t)((64 - (p & 63)) & 63);
    bytes = msm_round_up(bytes);
    if (pad > a->left || bytes > a->left - pad)
        return NULL;
    a->p += pad + bytes;
    a->left -= pad + bytes;
    a->used += pad + bytes;
    TC_VERIFY_CHECK(((p + pad) & 63) == 0 && (uintptr_t)a->p == p + pad + bytes);
    return (void *)(p + pad);
}

/* ------------------------------------------------------------ XYZZ */

void msm_xyzz_set_inf(msm_xyzz *r)
{
    tc_fp_one(&r->x);
    tc_fp_one(&r->y);
    tc_fp_zero(&r->zz);
    tc_fp_zero(&r->zzz);
}

void msm_xyzz_from_affine(msm_xyzz *r, const tc_g1_affine *a)
{
    if (a->infinity) {
        msm_xyzz_set_inf(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    tc_fp_one(&r->zz);
    tc_fp_one(&r->zzz);
}

/* mdbl-2008-s-1: r = 2·(x, y), affine input not infinity (y ≠ 0 on G1). */
static void xyzz_dbl_affine(msm_xyzz *r, const tc_fp *x, const tc_fp *y)
{
    tc_fp u, v, w, s, m, t;
    tc_fp_add(&u, y, y);            /* U = 2Y */
    tc_fp_sqr(&v, &u);           /* V = U² */
    tc_fp_mul(&w, &u, &v);       /* W = U·V */
    tc_fp_mul(&s, x, &v);        /* S = X·V */
    tc_fp_sqr(&m, x);
    tc_fp_add(&t, &m, &m);
    tc_fp_add(&m, &t, &m);       /* M = 3X² */
    tc_fp_sqr(&t, &m);
    tc_fp_sub(&t, &t, &s);
    tc_fp_sub(&r->x, &t, &s);    /* X3 = M² − 2S */
    tc_fp_sub(&t, &s, &r->x);
    tc_fp_mul(&t, &m, &t);
    tc_fp_mul(&s, &w, y);
    tc_fp_sub(&r->y, &t, &s);    /* Y3 = M(S − X3) − W·Y */
    r->zz = v;
    r->zzz = w;
}

void msm_xyzz_dbl(msm_xyzz *r, const msm_xyzz *a)
{
    if (msm_xyzz_is_inf(a)) {
        msm_xyzz_set_inf(r);
        return;
    }
    /* dbl-2008-s-1 */
    tc_fp u, v, w, s, m, t, x3, y3;
    tc_fp_add(&u, &a->y, &a->y);
    tc_fp_sqr(&v, &u);
    tc_fp_mul(&w, &u, &v);
    tc_fp_mul(&s, &a->x, &v);
    tc_fp_sqr(&m, &a->x);
    tc_fp_add(&t, &m, &m);
    tc_fp_add(&m, &t, &m);
    tc_fp_sqr(&t, &m);
    tc_fp_sub(&t, &t, &s);
    tc_fp_sub(&x3, &t, &s);
    tc_fp_sub(&t, &s, &x3);
    tc_fp_mul(&t, &m, &t);
    tc_fp_mul(&s, &w, &a->y);
    tc_fp_sub(&y3, &t, &s);
    tc_fp_mul(&r->zz, &v, &a->zz);
    tc_fp_mul(&r->zzz, &w, &a->zzz);
    r->x = x3;
    r->y = y3;
}

void msm_xyzz_add_affine(msm_xyzz *r, const tc_g1_affine *a, bool neg)
{
    if (a->infinity)
        return;
    tc_fp ay;
    msm_fp_cneg(&ay, &a->y, neg);
    if (msm_xyzz_is_inf(r)) {
        r->x = a->x;
        r->y = ay;
        tc_fp_one(&r->zz);
        tc_fp_one(&r->zzz);
        return;
    }
    /* madd-2008-s */
    tc_fp u2, s2, p, rr, pp, ppp, q, t;
    tc_fp_mul(&u2, &a->x, &r->zz);
    tc_fp_mul(&s2, &ay, &r->zzz);
    tc_fp_sub(&p, &u2, &r->x);
    tc_fp_sub(&rr, &s2, &r->y);
    if (msm_fp_is_zero(&p)) {
        if (msm_fp_is_zero(&rr))
            xyzz_dbl_affine(r, &a->x, &ay);
        else
            msm_xyzz_set_inf(r);
        return;
    }
    tc_fp_sqr(&pp, &p);
    tc_fp_mul(&ppp, &p, &pp);
    tc_fp_mul(&q, &r->x, &pp);
    tc_fp_sqr(&t, &rr);
    tc_fp_sub(&t, &t, &ppp);
    tc_fp_sub(&t, &t, &q);
    tc_fp_sub(&t, &t, &q);                 /* X3 = R² − PPP − 2Q */
    tc_fp_sub(&q, &q, &t);
    tc_fp_mul(&q, &rr, &q);
    tc_fp_mul(&s2, &r->y, &ppp);
    tc_fp_sub(&r->y, &q, &s2);             /* Y3 = R(Q − X3) − Y1·PPP */
    r->x = t;
    tc_fp_mul(&r->zz, &r->zz, &pp);
    tc_fp_mul(&r->zzz, &r->zzz, &ppp);
}

void msm_xyzz_add(msm_xyzz *r, const msm_xyzz *a)
{
    if (msm_xyzz_is_inf(a))
        return;
    if (msm_xyzz_is_inf(r)) {
        *r = *a;
        return;
    }
    /* add-2008-s */
    tc_fp u1, u2, s1, s2, p, rr, pp, ppp, q, t;
    tc_fp_mul(&u1, &r->x, &a->zz);
    tc_fp_mul(&u2, &a->x, &r->zz);
    tc_fp_mul(&s1, &r->y, &a->zzz);
    tc_fp_mul(&s2, &a->y, &r->zzz);
    tc_fp_sub(&p, &u2, &u1);
    tc_fp_sub(&rr, &s2, &s1);
    if (msm_fp_is_zero(&p)) {
        if (msm_fp_is_zero(&rr))
            msm_xyzz_dbl(r, a);
        else
            msm_xyzz_set_inf(r);
        return;
    }
    tc_fp_sqr(&pp, &p);
    tc_fp_mul(&ppp, &p, &pp);
    tc_fp_mul(&q, &u1, &pp);
    tc_fp_sqr(&t, &rr);
    tc_fp_sub(&t, &t, &ppp);
    tc_fp_sub(&t, &t, &q);
    tc_fp_sub(&t, &t, &q);                 /* X3 */
    tc_fp_sub(&q, &q, &t);
    tc_fp_mul(&q, &rr, &q);
    tc_fp_mul(&s1, &s1, &ppp);
    tc_fp_sub(&r->y, &q, &s1);
    r->x = t;
    tc_fp_mul(&r->zz, &r->zz, &a->zz);
    tc_fp_mul(&r->zz, &r->zz, &pp);
    tc_fp_mul(&r->zzz, &r->zzz, &a->zzz);
    tc_fp_mul(&r->zzz, &r->zzz, &ppp);
}

void msm_xyzz_to_affine(tc_g1_affine *r, const msm_xyzz *a)
{
    if (msm_xyzz_is_inf(a)) {
        tc_fp_zero(&r->x);
        tc_fp_zero(&r->y);
        r->infinity = true;
        return;
    }
    /* t = (ZZ·ZZZ)⁻¹, ZZ⁻¹ = t·ZZZ, ZZZ⁻¹ = t·ZZ */
    tc_fp t, izz, izzz;
    tc_fp_mul(&t, &a->zz, &a->zzz);
    tc_fp_inv_var(&t, &t);
    tc_fp_mul(&izz, &t, &a->zzz);
    tc_fp_mul(&izzz, &t, &a->zz);
    tc_fp_mul(&r->x, &a->x, &izz);
    tc_fp_mul(&r->y, &a->y, &izzz);
    r->infinity = false;
    TC_VERIFY_CHECK(tc_g1_affine_is_on_curve(r));
}

void msm_xyzz_to_g1(tc_g1 *r, const msm_xyzz *a)
{
    tc_g1_affine t;
    msm_xyzz_to_affine(&t, a);
    tc_g1_from_affine(r, &t);
}

/* ------------------------------------------------- batch-affine kernel */

/* Slope numerator and denominator of one addition, and the special cases:
 * equal points (tangent 3x²/(2y)) and opposite points (marked infinity,
 * denominator 1 so the shared product stays invertible). */
static inline void slope_parts(msm_add_op *op, tc_fp *num, tc_fp *den)
{
    tc_g1_affine *p = op->dst;
    const tc_g1_affine *q = op->src;
    tc_fp qy;
    msm_fp_cneg(&qy, &q->y, op->neg);
    tc_fp_sub(den, &q->x, &p->x);
    tc_fp_sub(num, &qy, &p->y);
    if (msm_fp_is_zero(den)) {
        if (msm_fp_is_zero(num)) {
            tc_fp t;
            tc_fp_add(den, &p->y, &p->y);
            tc_fp_sqr(&t, &p->x);
            tc_fp_add(num, &t, &t);
            tc_fp_add(num, num, &t);
        } else {
            tc_fp_one(den);
            p->infinity = true;
        }
    }
}

/* dst = λ-step with dinv = 1/den: x3 = λ² − x1 − x2, y3 = λ(x1 − x3) − y1. */
static inline void finish_add(msm_add_op *op, const tc_fp *num, const tc_fp *dinv)
{
    tc_g1_affine *p = op->dst;
    if (p->infinity) {
        tc_fp_zero(&p->x);
        tc_fp_zero(&p->y);
        return;
    }
    tc_fp lambda, t, x3;
    tc_fp_mul(&lambda, num, dinv);
    tc_fp_sqr(&x3, &lambda);
    tc_fp_sub(&x3, &x3, &p->x);
    tc_fp_sub(&x3, &x3, &op->src->x);   /* read before p->x changes: src may be dst */
    tc_fp_sub(&t, &p->x, &x3);
    tc_fp_mul(&t, &lambda, &t);
    tc_fp_sub(&p->y, &t, &p->y);
    p->x = x3;
}

/* Chord or tangent slopes, prefix products, one inversion, then each sum
 * (Montgomery's trick; Montgomery 1987, §10.3.1): per addition 6
 * multiplications plus 1/k of an inversion.  (Walking two halves' prefix
 * chains side by side to overlap multiplication latencies measured no
 * faster here, so the plain single chain stays.) */
void msm_batch_add_scalar(msm_add_op *ops, size_t k, tc_fp *num, tc_fp *den, tc_fp *pref)
{
    if (k == 0)
        return;
    for (size_t i = 0; i < k; i++) {
        slope_parts(&ops[i], &num[i], &den[i]);
        if (i == 0)
            pref[0] = den[0];
        else
            tc_fp_mul(&pref[i], &pref[i - 1], &den[i]);   /* Π den[0..i] */
    }
    tc_fp inv, dinv;
    tc_fp_inv_var(&inv, &pref[k - 1]);
    for (size_t i = k; i-- > 0;) {
        if (i > 0) {
            tc_fp_mul(&dinv, &inv, &pref[i - 1]);   /* den[i]⁻¹ */
            tc_fp_mul(&inv, &inv, &den[i]);
        } else {
            dinv = inv;
        }
        finish_add(&ops[i], &num[i], &dinv);
    }
}

/* ------------------------------------------------------- bucket sets */

enum { ST_BUSY = 1, ST_EXT = 2, ST_FULL = 4 };

/* Batch size: large enough that the inversion is a small share of each
 * addition (an inversion costs 50–120 multiplications), small enough
 * that deferred conflicts stay rare (~cap²/(2·nb) per round). */
static size_t batch_cap(unsigned c)
{
    if (c < 10)
        return 0;                       /* XYZZ buckets only */
    size_t nb = (size_t)1 << (c - 1);
    size_t cap = nb / 4;
    return cap > 1024 ? 1024 : cap;
}

size_t msm_buckets_bytes(unsigned c)
{
    size_t nb = (size_t)1 << (c - 1), cap = batch_cap(c);
    return msm_round_up(nb * sizeof(tc_g1_affine)) + msm_round_up(nb * sizeof(msm_xyzz)) +
           msm_round_up(nb) + msm_round_up(cap * sizeof(msm_add_op)) +
           3 * msm_round_up(cap * sizeof(tc_fp)) + msm_round_up(cap * sizeof(uint32_t)) +
           msm_round_up(cap * sizeof(void *)) + msm_round_up(cap) +
           msm_round_up(cap * sizeof(tc_g1_affine)) + 64;
}

void msm_buckets_carve(msm_buckets *b, unsigned c, void *mem)
{
    msm_arena a = {(uint8_t *)mem, msm_buckets_bytes(c), 0};
    b->nb = (size_t)1 << (c - 1);
    b->cap = batch_cap(c);
    b->aff = msm_arena_take(&a, b->nb * sizeof(tc_g1_affine));
    b->ext = msm_arena_take(&a, b->nb * sizeof(msm_xyzz));
    b->state = msm_arena_take(&a, b->nb);
    b->ops = msm_arena_take(&a, b->cap * sizeof(msm_add_op));
    b->num = msm_arena_take(&a, b->cap * sizeof(tc_fp));
    b->den = msm_arena_take(&a, b->cap * sizeof(tc_fp));
    b->pref = msm_arena_take(&a, b->cap * sizeof(tc_fp));
    b->q_bucket = msm_arena_take(&a, b->cap * sizeof(uint32_t));
    b->q_src = msm_arena_take(&a, b->cap * sizeof(void *));
    b->q_neg = msm_arena_take(&a, b->cap);
    b->seg = msm_arena_take(&a, b->cap * sizeof(tc_g1_affine));
    TC_VERIFY_CHECK(b->seg != NULL && a.used <= msm_buckets_bytes(c));
    b->n_ops = b->n_q = 0;
}

void msm_buckets_clear(msm_buckets *b)
{
    memset(b->state, 0, b->nb);
    b->n_ops = b->n_q = 0;
}

static void ext_add(msm_buckets *b, uint32_t j, const tc_g1_affine *p, bool neg)
{
    if (!(b->state[j] & ST_EXT)) {
        msm_xyzz_set_inf(&b->ext[j]);
        b->state[j] |= ST_EXT;
    }
    msm_xyzz_add_affine(&b->ext[j], p, neg);
}

static void run_batch(msm_buckets *b)
{
    msm_batch_add(b->ops, b->n_ops, b->num, b->den, b->pref);
    for (size_t i = 0; i < b->n_ops; i++) {
        const tc_g1_affine *d = b->ops[i].dst;
        uint8_t *st = &b->state[(size_t)(d - b->aff)];
        *st = (uint8_t)((*st & ~(ST_BUSY | ST_FULL)) | (d->infinity ? 0 : ST_FULL));
    }
    b->n_ops = 0;
}

/* Places one addition: straight into an empty bucket, into the batch, or
 * (bucket already pending) reports false. */
static bool try_place(msm_buckets *b, uint32_t j, const tc_g1_affine *p, bool neg)
{
    uint8_t st = b->state[j];
    if (st & ST_BUSY)
        return false;
    tc_g1_affine *dst = &b->aff[j];
    if (!(st & ST_FULL)) {
        dst->x = p->x;
        msm_fp_cneg(&dst->y, &p->y, neg);
        dst->infinity = false;
        b->state[j] = st | ST_FULL;
        return true;
    }
    __builtin_prefetch(dst, 1);
    __builtin_prefetch((const uint8_t *)dst + 64, 1);
    b->ops[b->n_ops++] = (msm_add_op){dst, p, neg};
    b->state[j] = st | ST_BUSY;
    if (b->n_ops == b->cap)
        run_batch(b);
    return true;
}

/* Retries the deferred additions after a batch ran.  While most of them
 * still collide (many hits on few buckets), the additions this pass did
 * place run as a batch and the rest are retried: each round takes one
 * addition per bucket.  Only when a round would place fewer than
 * MIN_ROUND additions (a handful of buckets take nearly every hit) does the
 * rest go to the XYZZ parts, so a round never shrinks to a few additions
 * per inversion.  (Sending every leftover to XYZZ as soon as most
 * collided cost the 700k-value commitment of a 110M run ~49,000 XYZZ
 * additions in its skewed upper window, at ~5× the cost of a batch one.) */
enum { MIN_ROUND = 64 };

static void drain_queue(msm_buckets *b)
{
    for (;;) {
        size_t kept = 0, placed = 0;
        for (size_t i = 0; i < b->n_q; i++) {
            uint32_t j = b->q_bucket[i];
            if (try_place(b, j, b->q_src[i], b->q_neg[i])) {
                placed++;
            } else {
                b->q_bucket[kept] = j;
                b->q_src[kept] = b->q_src[i];
                b->q_neg[kept] = b->q_neg[i];
                kept++;
            }
        }
        b->n_q = kept;
        if (kept <= b->cap / 2)
            return;
        if (placed < MIN_ROUND) {
            for (size_t i = 0; i < kept; i++)
                ext_add(b, b->q_bucket[i], b->q_src[i], b->q_neg[i]);
            b->n_q = 0;
            return;
        }
        run_batch(b);
    }
}

void msm_buckets_push(msm_buckets *b, uint32_t j, const tc_g1_affine *p, bool neg)
{
    if (b->cap == 0) {
        ext_add(b, j, p, neg);
        return;
    }
    if (try_place(b, j, p, neg))
        return;
    b->q_bucket[b->n_q] = j;
    b->q_src[b->n_q] = p;
    b->q_neg[b->n_q] = neg;
    if (++b->n_q == b->cap) {
        run_batch(b);
        drain_queue(b);
    }
}

void msm_buckets_flush(msm_buckets *b)
{
    while (b->n_ops > 0 || b->n_q > 0) {
        run_batch(b);
        drain_queue(b);
    }
}

/* ------------------------------------------------------- reduction */

/* Σ_j (j+1)·B_j as Σ_j (Σ_{j'≥j} B_j'): one mixed and one XYZZ addition per
 * bucket (~24 multiplications). */
static void reduce_serial(msm_xyzz *r, const msm_buckets *b)
{
    msm_xyzz run, sum;
    msm_xyzz_set_inf(&run);
    msm_xyzz_set_inf(&sum);
    for (size_t j = b->nb; j-- > 0;) {
        if (b->state[j] & ST_FULL)
            msm_xyzz_add_affine(&run, &b->aff[j], false);
        if (b->state[j] & ST_EXT)
            msm_xyzz_add(&run, &b->ext[j]);
        msm_xyzz_add(&sum, &run);
    }
    *r = sum;
}

/* Moves every XYZZ part into the affine part of its bucket: adds the
 * affine part in, then normalises up to cap buckets with one inversion
 * (den = ZZ·ZZZ; ZZ⁻¹ = ZZZ/den, ZZZ⁻¹ = ZZ/den).  Afterwards no bucket
 * has ST_EXT.  Uses q_bucket, den and pref (the queues are empty). */
static void fold_ext(msm_buckets *b)
{
    size_t j = 0;
    while (j < b->nb) {
        size_t k = 0;
        for (; j < b->nb && k < b->cap; j++) {
            if (!(b->state[j] & ST_EXT))
                continue;
            msm_xyzz *e = &b->ext[j];
            if (b->state[j] & ST_FULL)
                msm_xyzz_add_affine(e, &b->aff[j], false);
            b->state[j] &= (uint8_t)~(ST_EXT | ST_FULL);
            if (msm_xyzz_is_inf(e))
                continue;
            tc_fp_mul(&b->den[k], &e->zz, &e->zzz);
            if (k == 0)
                b->pref[0] = b->den[0];
            else
                tc_fp_mul(&b->pref[k], &b->pref[k - 1], &b->den[k]);
            b->q_bucket[k++] = (uint32_t)j;
        }
        if (k == 0)
            continue;
        tc_fp inv, dinv, izz, izzz;
        tc_fp_inv_var(&inv, &b->pref[k - 1]);
        for (size_t i = k; i-- > 0;) {
            if (i > 0) {
                tc_fp_mul(&dinv, &inv, &b->pref[i - 1]);
                tc_fp_mul(&inv, &inv, &b->den[i]);
            } else {
                dinv = inv;
            }
            uint32_t jj = b->q_bucket[i];
            const msm_xyzz *e = &b->ext[jj];
            tc_fp_mul(&izz, &dinv, &e->zzz);
            tc_fp_mul(&izzz, &dinv, &e->zz);
            tc_fp_mul(&b->aff[jj].x, &e->x, &izz);
            tc_fp_mul(&b->aff[jj].y, &e->y, &izzz);
            b->aff[jj].infinity = false;
            b->state[jj] |= ST_FULL;
        }
    }
}

/* Segments for the lock-step reduction of nb buckets with batch capacity
 * cap (powers of two): 2k additions a step fill a batch, and segments are
 * at least 16 buckets long.  0 (serial reduction) for XYZZ-only sets
 * (cap = 0, c < 10).  Tuned with bench_msm and the commitment of a 698,880
 * value grid: k = cap/2 and cap/4 measured alike, and c = 10 gains too. */
static size_t reduce_segments(size_t nb, size_t cap)
{
    size_t k = cap / 2;
    while (k > 1 && nb / k < 16)
        k /= 2;
    return k;
}

static inline bool same_x(const tc_g1_affine *a, const tc_g1_affine *b)
{
    return memcmp(&a->x, &b->x, sizeof a->x) == 0;
}

/* Lock-step batch-affine reduction.  The buckets split into k segments of
 * L = nb/k; segment s holds buckets [sL, sL + L) and keeps an affine
 * running sum run_s = Σ_{j' ≥ j} B_j' and weighted sum
 * sum_s = Σ_{j' ≥ j} (j' − sL + 1)·B_j', both walked from the top bucket
 * down.  All segments step together, and one step's additions share one
 * inversion in msm_batch_add: run_s += B_j for the step's buckets, and
 * sum_s += run_s with run_s as it was before the step (the run ops come
 * first in the batch, so the sum ops read the old run_s), so a step is
 * 2k independent additions (~7 multiplications each against ~12 for an
 * XYZZ addition).  Additions of points with equal x (doubling, or a sum
 * returning to infinity) go to small batches of their own, so that the
 * main batch never has a special case: sum ones before it (they read the
 * old run_s), run ones after it.  Then
 *   Σ_j (j+1)·B_j = Σ_s sum_s + L·Σ_s s·run_s,
 * the last term by a short XYZZ running sum over s and log2 L doublings. */
static void reduce_lockstep(msm_xyzz *r, msm_buckets *b, size_t k)
{
    size_t len = b->nb / k;
    tc_g1_affine *run = b->seg, *sum = b->seg + k;
    uint32_t *copy = b->q_bucket;           /* segments whose run_s starts */
    fold_ext(b);
    for (size_t s = 0; s < k; s++) {
        run[s].infinity = true;
        sum[s].infinity = true;
    }
    for (size_t t = 0; t <= len; t++) {
        size_t n = 0, n_copy = 0, top = b->cap, n_post;
        if (t < len) {
            for (size_t s = 0; s < k; s++) {
                size_t j = s * len + len - 1 - t;
                if (t + 1 < len) {
                    __builtin_prefetch(&b->aff[j - 1]);
                    __builtin_prefetch((const uint8_t *)&b->aff[j - 1] + 64);
                }
                if (!(b->state[j] & ST_FULL))
                    continue;
                msm_add_op op = {&run[s], &b->aff[j], false};
                if (run[s].infinity)
                    copy[n_copy++] = (uint32_t)s;
                else if (same_x(&run[s], &b->aff[j]))
                    b->ops[--top] = op;         /* after the sum ops read run_s */
                else
                    b->ops[n++] = op;
            }
        }
        n_post = b->cap - top;
        for (size_t s = 0; s < k; s++) {
            if (run[s].infinity)
                continue;
            msm_add_op op = {&sum[s], &run[s], false};
            if (sum[s].infinity)
                sum[s] = run[s];
            else if (same_x(&sum[s], &run[s]))
                b->ops[--top] = op;             /* before the run ops write run_s */
            else
                b->ops[n++] = op;
        }
        msm_batch_add(b->ops + top, b->cap - top - n_post, b->num, b->den, b->pref);
        msm_batch_add(b->ops, n, b->num, b->den, b->pref);
        msm_batch_add(b->ops + b->cap - n_post, n_post, b->num, b->den, b->pref);
        for (size_t i = 0; i < n_copy; i++) {
            size_t s = copy[i];
            run[s] = b->aff[s * len + len - 1 - t];
        }
    }
    /* Σ_s s·run_s = Σ_{s ≥ 1} Σ_{s' ≥ s} run_s' */
    msm_xyzz acc, tot, w;
    msm_xyzz_set_inf(&acc);
    msm_xyzz_set_inf(&w);
    for (size_t s = k; s-- > 1;) {
        msm_xyzz_add_affine(&acc, &run[s], false);
        msm_xyzz_add(&w, &acc);
    }
    for (size_t l = len; l > 1; l >>= 1)
        msm_xyzz_dbl(&w, &w);
    msm_xyzz_set_inf(&tot);
    for (size_t s = 0; s < k; s++)
        msm_xyzz_add_affine(&tot, &sum[s], false);
    msm_xyzz_add(&tot, &w);
    *r = tot;
}

void msm_buckets_reduce(msm_xyzz *r, msm_buckets *b)
{
    size_t k = reduce_segments(b->nb, b->cap);
    if (k == 0)
        reduce_serial(r, b);
    else
        reduce_lockstep(r, b, k);
}
