/*
 * Batch-affine addition with AVX-512 IFMA: the additions of one batch eight
 * at a time, one per 64-bit lane, with the multiply-adds of 52-bit limbs
 * (VPMADD52LUQ / VPMADD52HUQ).  The scalar multiplication (mont_adx.S) is
 * bound by one 64×64 MULX per cycle and by its own carry chains; eight
 * independent products in the vector unit do several times the work per
 * cycle, which is what a batch of independent additions needs.
 *
 * Numbers.  A lane holds a value v < 2^260 as five limbs of 52 bits, v =
 * Σ l_i·2^(52i).  The limbs are kept below 2^52 at the inputs of each
 * product ("normalized"); sums and differences are formed limb by limb and
 * normalized afterwards with signed carries.  The product is Montgomery's
 * (Montgomery 1985) in radix 2^52, word by word as in CIOS (Koç, Acar,
 * Kaliski 1996), and the carries are left in the 64-bit accumulators until
 * the end, as in Gueron and Krasnov's 52-bit-radix multiplication
 * ("Accelerating big integer arithmetic using Intel IFMA extensions",
 * ARITH 2016):
 *     mul(a, b) = (a·b + M·p) / 2^260  with M < 2^260,  so  mul(a, b) < a·b/2^260 + p.
 * Values are not fully reduced between operations; every input below stays
 * under 16p < 2^258 (the largest: 16·t⁻¹ from the scalar
 * inversion) and every product under 2p, so nothing overflows, and
 * each result is brought into [0, p) at the end.
 *
 * Scales.  The rest of the library holds x in Montgomery form x·2^256 mod p,
 * and the vector product divides by 2^260, i.e. it returns one sixteenth of
 * the Montgomery form of the product.  Rather than converting every input,
 * each quantity below carries a known power of 16 ("scale"), fixed per
 * step and identical in all lanes, and the few places where a scale must
 * change multiply by 4 or 16 with shifts (no product).  For a batch of G
 * groups of eight (group g = additions 8g..8g+7, lane j = addition 8g+j):
 *     den_g  = x2 − x1                                  scale 1
 *     pref_g = pref_(g−1)·den_g/16 = Π den / 16^g        scale 16^(−g)
 *     inv    = 16·(pref_(G−1))⁻¹ (one scalar inversion
 *              for the eight lanes, Montgomery's trick)  so that
 *     dinv_g = inv_g·pref_(g−1)/16 = den_g⁻¹            scale 16, every g
 *     inv_(g−1) = inv_g·den_g/16
 *     λ̂ = (4·num)·dinv/16 = 4λ,   λ² = λ̂·λ̂/16,   y3 + y1 = (4·λ̂)·(x1 − x3)/16.
 * Six vector products per addition, as in the scalar code.  One product is a
 * chain of dependent multiply-adds about three times longer than the units
 * need to issue it, so the groups alternate between two independent chains
 * of the trick (group g in chain g mod 2; the scales above hold per chain)
 * and every product is issued next to an independent partner: 39.5 → 35.5
 * ns per addition in a batch of 1024 on the reference machine.
 *
 * Cases.  A batch in which some addition has equal x coordinates (doubling
 * or opposite points) or an infinite operand is left to the scalar code
 * (they are rare and need their own formulas).  The order of reads and
 * writes is the scalar code's: every input of a group is read before its
 * results are written and groups finish from the last to the first, so the
 * aliasing msm_batch_add allows (op i's src = op j's dst for j < i) holds.
 */
#include "ec/msm_ifma.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang_analyzer__)
#define TC_IFMA_BUILD 1
#include <immintrin.h>
#endif

#ifdef TC_IFMA_BUILD

/* The vector code below is compiled for AVX-512F and IFMA whatever -march
 * says (it runs only where the probe in cpu.c found both).  Every function carries
 * the target attribute itself: clang ignores #pragma GCC target and will not
 * inline an intrinsic into a function compiled without its feature. */
#define IFMA __attribute__((target("avx512f,avx512ifma")))
#define IFMA_INLINE static inline __attribute__((always_inline, target("avx512f,avx512ifma")))

#define M52 ((uint64_t)0xfffffffffffff)

typedef struct v5 { __m512i l[5]; } v5;       /* eight values, radix 2^52 */

typedef struct ifma_ctx {
    v5 p1, p2, p4, p6;     /* p, 2p, 4p, 6p */
    __m512i n0;            /* −p⁻¹ mod 2^52 */
} ifma_ctx;

/* Scalar value (five 64-bit words, < 2^260) to 52-bit limbs, broadcast. */
static IFMA void v5_bcast(v5 *r, const uint64_t w[5])
{
    uint64_t l[5] = {w[0] & M52, ((w[0] >> 52) | (w[1] << 12)) & M52,
                     ((w[1] >> 40) | (w[2] << 24)) & M52, ((w[2] >> 28) | (w[3] << 36)) & M52,
                     ((w[3] >> 16) | (w[4] << 48)) & M52};
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++)
        r->l[i] = _mm512_set1_epi64((long long)l[i]);
}

static IFMA void kp_words(uint64_t r[5], const uint64_t p[4], uint64_t k)
{
    unsigned __int128 c = 0;
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)p[i] * k;
        r[i] = (uint64_t)c;
        c >>= 64;
    }
    r[4] = (uint64_t)c;
}

static IFMA void ctx_init(ifma_ctx *c)
{
    const uint64_t *p = tc_fp_modulus.p;
    uint64_t w[5];
    kp_words(w, p, 1);
    v5_bcast(&c->p1, w);
    kp_words(w, p, 2);
    v5_bcast(&c->p2, w);
    kp_words(w, p, 4);
    v5_bcast(&c->p4, w);
    kp_words(w, p, 6);
    v5_bcast(&c->p6, w);
    c->n0 = _mm512_set1_epi64((long long)(tc_fp_modulus.n0 & M52));
}

/* Signed carries: limbs 0..3 into [0, 2^52), the rest into limb 4.  The
 * value must be non-negative. */
IFMA_INLINE void v5_norm(v5 *a)
{
    const __m512i m = _mm512_set1_epi64((long long)M52);
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++) {
        __m512i c = _mm512_srai_epi64(a->l[i], 52);
        a->l[i] = _mm512_and_si512(a->l[i], m);
        a->l[i + 1] = _mm512_add_epi64(a->l[i + 1], c);
    }
}

/* r = a + k − b, normalized (k a multiple of p larger than b). */
IFMA_INLINE void v5_add_sub(v5 *r, const v5 *a, const v5 *k, const v5 *b)
{
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++)
        r->l[i] = _mm512_sub_epi64(_mm512_add_epi64(a->l[i], k->l[i]), b->l[i]);
    v5_norm(r);
}

/* r = 4a, normalized (a < 2^258). */
IFMA_INLINE void v5_times4(v5 *r, const v5 *a)
{
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++)
        r->l[i] = _mm512_slli_epi64(a->l[i], 2);
    v5_norm(r);
}

/* r = a − k if that is not negative, else a (a normalized). */
IFMA_INLINE void v5_csub(v5 *a, const v5 *k)
{
    v5 d;
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++)
        d.l[i] = _mm512_sub_epi64(a->l[i], k->l[i]);
    v5_norm(&d);
    __mmask8 neg = _mm512_cmplt_epi64_mask(d.l[4], _mm512_setzero_si512());
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++)
        a->l[i] = _mm512_mask_blend_epi64(neg, d.l[i], a->l[i]);
}

/* One round of the product: t += a·b_i, then t += m·p with m clearing the
 * low 52 bits of t[0] (only those bits of t[0] count), then t /= 2^52 (the
 * low limb is zero but for its carry).  t[5] is the new top limb. */
IFMA_INLINE void mul_round(__m512i t[6], const v5 *a, __m512i bi, const ifma_ctx *c)
{
    const __m512i z = _mm512_setzero_si512();
    t[0] = _mm512_madd52lo_epu64(t[0], a->l[0], bi);
    t[1] = _mm512_madd52lo_epu64(t[1], a->l[1], bi);
    t[2] = _mm512_madd52lo_epu64(t[2], a->l[2], bi);
    t[3] = _mm512_madd52lo_epu64(t[3], a->l[3], bi);
    t[4] = _mm512_madd52lo_epu64(t[4], a->l[4], bi);
    t[1] = _mm512_madd52hi_epu64(t[1], a->l[0], bi);
    t[2] = _mm512_madd52hi_epu64(t[2], a->l[1], bi);
    t[3] = _mm512_madd52hi_epu64(t[3], a->l[2], bi);
    t[4] = _mm512_madd52hi_epu64(t[4], a->l[3], bi);
    t[5] = _mm512_madd52hi_epu64(z, a->l[4], bi);
    __m512i m = _mm512_madd52lo_epu64(z, t[0], c->n0);
    t[0] = _mm512_madd52lo_epu64(t[0], m, c->p1.l[0]);
    t[1] = _mm512_madd52lo_epu64(t[1], m, c->p1.l[1]);
    t[2] = _mm512_madd52lo_epu64(t[2], m, c->p1.l[2]);
    t[3] = _mm512_madd52lo_epu64(t[3], m, c->p1.l[3]);
    t[4] = _mm512_madd52lo_epu64(t[4], m, c->p1.l[4]);
    t[1] = _mm512_madd52hi_epu64(t[1], m, c->p1.l[0]);
    t[2] = _mm512_madd52hi_epu64(t[2], m, c->p1.l[1]);
    t[3] = _mm512_madd52hi_epu64(t[3], m, c->p1.l[2]);
    t[4] = _mm512_madd52hi_epu64(t[4], m, c->p1.l[3]);
    t[5] = _mm512_madd52hi_epu64(t[5], m, c->p1.l[4]);
    t[0] = _mm512_add_epi64(t[1], _mm512_srli_epi64(t[0], 52));
    t[1] = t[2];
    t[2] = t[3];
    t[3] = t[4];
    t[4] = t[5];
}

/* r[j] = a[j]·b[j]/2^260 mod p for j < n (n = 1 or 2, a constant after
 * inlining), each < a·b/2^260 + p; inputs normalized, below 2^260; r may
 * alias a or b.  With n = 2 the two products go round by round side by
 * side: one product is a chain of dependent multiply-adds (through m and
 * the carry) about three times longer than the units need to issue it, so
 * two independent ones nearly halve the time per product. */
IFMA_INLINE void v5_mul_n(v5 *r, const v5 *a, const v5 *b, int n, const ifma_ctx *c)
{
    __m512i t[2][6];
#pragma GCC unroll 8
    for (int j = 0; j < n; j++)
#pragma GCC unroll 8
        for (int i = 0; i < 6; i++)
            t[j][i] = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int i = 0; i < 5; i++)
#pragma GCC unroll 8
        for (int j = 0; j < n; j++)
            mul_round(t[j], &a[j], b[j].l[i], c);
#pragma GCC unroll 8
    for (int j = 0; j < n; j++) {
#pragma GCC unroll 8
        for (int i = 0; i < 5; i++)
            r[j].l[i] = t[j][i];
        v5_norm(&r[j]);
    }
}

/* Four 64-bit words per lane (limb-major: w[i] lane j = word i of value j,
 * value < 2^256) ↔ 52-bit limbs. */
IFMA_INLINE void v5_from_words(v5 *r, const __m512i w[4])
{
    const __m512i m = _mm512_set1_epi64((long long)M52);
    r->l[0] = _mm512_and_si512(w[0], m);
    r->l[1] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[0], 52), _mm512_slli_epi64(w[1], 12)), m);
    r->l[2] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[1], 40), _mm512_slli_epi64(w[2], 24)), m);
    r->l[3] = _mm512_and_si512(
        _mm512_or_si512(_mm512_srli_epi64(w[2], 28), _mm512_slli_epi64(w[3], 36)), m);
    r->l[4] = _mm512_srli_epi64(w[3], 16);
}

/* Normalized limbs of a value below 2^256 → four words per lane. */
IFMA_INLINE void v5_to_words(__m512i w[4], const v5 *a)
{
    w[0] = _mm512_or_si512(a->l[0], _mm512_slli_epi64(a->l[1], 52));
    w[1] = _mm512_or_si512(_mm512_srli_epi64(a->l[1], 12), _mm512_slli_epi64(a->l[2], 40));
    w[2] = _mm512_or_si512(_mm512_srli_epi64(a->l[2], 24), _mm512_slli_epi64(a->l[3], 28));
    w[3] = _mm512_or_si512(_mm512_srli_epi64(a->l[3], 36), _mm512_slli_epi64(a->l[4], 16));
}

/* The field element at address addr[j] + off, lane j. */
IFMA_INLINE void v5_gather(v5 *r, __m512i addr, int off)
{
    __m512i w[4];
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++)
        w[i] = _mm512_i64gather_epi64(_mm512_add_epi64(addr, _mm512_set1_epi64(off + 8 * i)),
                                      (const void *)0, 1);
    v5_from_words(r, w);
}

IFMA_INLINE void v5_scatter(__m512i addr, int off, const v5 *a, __mmask8 lanes)
{
    __m512i w[4];
    v5_to_words(w, a);
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++)
        _mm512_mask_i64scatter_epi64((void *)0, lanes,
                                     _mm512_add_epi64(addr, _mm512_set1_epi64(off + 8 * i)),
                                     w[i], 1);
}

/* A group's operand addresses; lanes past k repeat lane 0's operation
 * (valid memory, results never written). */
typedef struct group_ops {
    __m512i dst, src;
    __mmask8 neg, live;
} group_ops;

static IFMA void group_load(group_ops *g, const msm_add_op *ops, size_t k, size_t g0)
{
    uint64_t d[8], s[8];
    uint8_t neg = 0, live = 0;
    #pragma GCC unroll 8
    for (size_t j = 0; j < 8; j++) {
        size_t i = g0 + j < k ? g0 + j : g0;
        d[j] = (uint64_t)(uintptr_t)ops[i].dst;
        s[j] = (uint64_t)(uintptr_t)ops[i].src;
        neg |= (uint8_t)((ops[i].neg ? 1u : 0u) << j);
        live |= (uint8_t)((g0 + j < k ? 1u : 0u) << j);
    }
    g->dst = _mm512_loadu_si512(d);
    g->src = _mm512_loadu_si512(s);
    g->neg = neg;
    g->live = live;
}

/* x1 = dst.x, x2 = src.x; den = x2 − x1 + p, in (0, 2p). */
IFMA_INLINE void group_den(v5 *den, v5 *x1, v5 *x2, const group_ops *g, const ifma_ctx *c)
{
    v5_gather(x1, g->dst, offsetof(tc_g1_affine, x));
    v5_gather(x2, g->src, offsetof(tc_g1_affine, x));
    v5_add_sub(den, x2, &c->p1, x1);
}

/* pref_g is kept (for g < G − 1, full groups) in the caller's scratch as
 * eight 32-byte values, limb-major: word i of lane j at [8i + j]. */
IFMA_INLINE void pref_store(uint64_t *slot, const v5 *a, const ifma_ctx *c)
{
    v5 t = *a;
    v5_csub(&t, &c->p1);              /* < 2p → < p: fits the four words */
    __m512i w[4];
    v5_to_words(w, &t);
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++)
        _mm512_storeu_si512(slot + 8 * i, w[i]);
}

IFMA_INLINE void pref_load(v5 *r, const uint64_t *slot)
{
    __m512i w[4];
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++)
        w[i] = _mm512_loadu_si512(slot + 8 * i);
    v5_from_words(r, w);
}

/* inv[j] = 16·t[j]⁻¹ lane by lane for j < n (t < 2p, non-zero mod p), with
 * one scalar inversion for all 8n lanes (Montgomery's trick): as a
 * Montgomery element, a lane's t is T·2^256 for some T, and tc_fp_inv_var
 * returns T⁻¹·2^256 = 2^512/t: the inverse of the lane's number as the
 * vector code sees it. */
static IFMA void lanes_inverse(v5 *inv, const v5 *t, int n, const ifma_ctx *c)
{
    uint64_t words[2][4][8];
    tc_fp x[16], pre[16], acc;
    int lanes = 8 * n;
    for (int j = 0; j < n; j++) {
        v5 u = t[j];
        v5_csub(&u, &c->p1);
        __m512i w[4];
        v5_to_words(w, &u);
        for (int i = 0; i < 4; i++)
            _mm512_storeu_si512(words[j][i], w[i]);
    }
    for (int l = 0; l < lanes; l++) {
        for (int i = 0; i < 4; i++)
            x[l].l[i] = words[l / 8][i][l % 8];
        if (l == 0)
            pre[0] = x[0];
        else
            tc_fp_mul(&pre[l], &pre[l - 1], &x[l]);
    }
    tc_fp_inv_var(&acc, &pre[lanes - 1]);
    for (int l = lanes - 1; l > 0; l--) {
        tc_fp xi;
        tc_fp_mul(&xi, &acc, &pre[l - 1]);
        tc_fp_mul(&acc, &acc, &x[l]);
        x[l] = xi;
    }
    x[0] = acc;
    for (int l = 0; l < lanes; l++)
        for (int i = 0; i < 4; i++)
            words[l / 8][i][l % 8] = x[l].l[i];
    for (int j = 0; j < n; j++) {
        __m512i w[4];
        for (int i = 0; i < 4; i++)
            w[i] = _mm512_loadu_si512(words[j][i]);
        v5_from_words(&inv[j], w);
        /* ×16: the 2^−260 of one vector product is 2^−256 / 16 */
        for (int i = 0; i < 5; i++)
            inv[j].l[i] = _mm512_slli_epi64(inv[j].l[i], 4);
        v5_norm(&inv[j]);
    }
}

/* The additions of groups g[0..n) (n = 1 or 2), given dinv[j] = den⁻¹ at
 * scale 16 and x1[j], x2[j] already gathered; the products of the two
 * groups go side by side (v5_mul_n). */
IFMA_INLINE void groups_finish(const group_ops *g, const v5 *dinv, const v5 *x1, const v5 *x2, int n,
                      const ifma_ctx *c)
{
    v5 y1[2], num[2], lam[2], sq[2], x3[2], t[2], y3[2];
#pragma GCC unroll 2
    for (int j = 0; j < n; j++) {
        v5 y2;
        v5_gather(&y1[j], g[j].dst, offsetof(tc_g1_affine, y));
        v5_gather(&y2, g[j].src, offsetof(tc_g1_affine, y));
        /* num = ±y2 − y1 + 2p, in (0, 3p) */
#pragma GCC unroll 8
        for (int i = 0; i < 5; i++) {
            __m512i s = _mm512_mask_sub_epi64(y2.l[i], g[j].neg, _mm512_setzero_si512(), y2.l[i]);
            num[j].l[i] = _mm512_sub_epi64(_mm512_add_epi64(s, c->p2.l[i]), y1[j].l[i]);
        }
        v5_norm(&num[j]);
        v5_times4(&num[j], &num[j]);       /* < 12p */
    }
    v5_mul_n(lam, num, dinv, n, c);        /* 4λ, < 1.2p */
    v5_mul_n(sq, lam, lam, n, c);          /* λ², < 1.1p */
#pragma GCC unroll 2
    for (int j = 0; j < n; j++) {
#pragma GCC unroll 8
        for (int i = 0; i < 5; i++)        /* x3 = λ² − x1 − x2 + 4p, in (2p, 5.1p) */
            x3[j].l[i] = _mm512_sub_epi64(_mm512_add_epi64(sq[j].l[i], c->p4.l[i]),
                                          _mm512_add_epi64(x1[j].l[i], x2[j].l[i]));
        v5_norm(&x3[j]);
        v5_add_sub(&t[j], &x1[j], &c->p6, &x3[j]);   /* x1 − x3 + 6p, in (0.9p, 5p) */
        v5_times4(&lam[j], &lam[j]);                 /* 16λ, < 4.8p */
    }
    v5_mul_n(y3, lam, t, n, c);            /* λ(x1 − x3), < 1.3p */
#pragma GCC unroll 2
    for (int j = 0; j < n; j++) {
        v5_add_sub(&y3[j], &y3[j], &c->p1, &y1[j]);  /* in (0, 2.3p) */
        v5_csub(&x3[j], &c->p4);
        v5_csub(&x3[j], &c->p2);
        v5_csub(&x3[j], &c->p1);
        v5_csub(&y3[j], &c->p2);
        v5_csub(&y3[j], &c->p1);
        v5_scatter(g[j].dst, offsetof(tc_g1_affine, x), &x3[j], g[j].live);
        v5_scatter(g[j].dst, offsetof(tc_g1_affine, y), &y3[j], g[j].live);
    }
}

static bool vector_ok(const msm_add_op *ops, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        const tc_g1_affine *d = ops[i].dst, *s = ops[i].src;
        if (d->infinity || s->infinity || memcmp(d->x.l, s->x.l, sizeof d->x.l) == 0)
            return false;
    }
    return true;
}

/* Groups alternate between two independent chains of the Montgomery trick
 * (group q in chain q mod 2), so that every product of the forward and the
 * backward pass has an independent partner (v5_mul_n with n = 2).  Slot q
 * keeps chain q mod 2's prefix product up to group q, for group q + 2. */
static IFMA void batch_add_ifma(msm_add_op *ops, size_t k, uint64_t *slots)
{
    ifma_ctx c;
    ctx_init(&c);
    size_t G = (k + 7) / 8;
    group_ops g[2];
    v5 x1[2], x2[2], den[2], pref[2], inv[2], dinv[2], prev[2];
    for (size_t q = 0; q < G; q += 2) {
        int n = q + 1 < G ? 2 : 1;
        for (int j = 0; j < n; j++) {
            group_load(&g[j], ops, k, 8 * (q + (size_t)j));
            group_den(&den[j], &x1[j], &x2[j], &g[j], &c);
        }
        if (q == 0) {
            for (int j = 0; j < n; j++)
                pref[j] = den[j];
        } else if (n == 2) {
            v5_mul_n(pref, pref, den, 2, &c);
        } else {
            v5_mul_n(pref, pref, den, 1, &c);
        }
        for (int j = 0; j < n; j++)
            if (q + (size_t)j + 2 < G)
                pref_store(slots + 32 * (q + (size_t)j), &pref[j], &c);
    }
    lanes_inverse(inv, pref, G > 1 ? 2 : 1, &c);
    size_t q = G;
    if (G % 2 == 1) {                     /* the last group, chain 0, alone */
        q = G - 1;
        group_load(&g[0], ops, k, 8 * q);
        group_den(&den[0], &x1[0], &x2[0], &g[0], &c);
        if (q >= 2) {
            pref_load(&prev[0], slots + 32 * (q - 2));
            v5_mul_n(dinv, inv, prev, 1, &c);
            v5_mul_n(inv, inv, den, 1, &c);
        } else {
            dinv[0] = inv[0];
        }
        groups_finish(g, dinv, x1, x2, 1, &c);
    }
    while (q > 0) {                       /* groups q − 2 (chain 0), q − 1 (chain 1) */
        q -= 2;
        for (int j = 0; j < 2; j++) {
            group_load(&g[j], ops, k, 8 * (q + (size_t)j));
            group_den(&den[j], &x1[j], &x2[j], &g[j], &c);
        }
        if (q >= 2) {
            pref_load(&prev[0], slots + 32 * (q - 2));
            pref_load(&prev[1], slots + 32 * (q - 1));
            v5_mul_n(dinv, inv, prev, 2, &c);
            v5_mul_n(inv, inv, den, 2, &c);
        } else {
            dinv[0] = inv[0];
            dinv[1] = inv[1];
        }
        groups_finish(g, dinv, x1, x2, 2, &c);
    }
}

#undef IFMA_INLINE
#undef IFMA

bool msm_batch_add_ifma(msm_add_op *ops, size_t k, tc_fp *scratch)
{
    if (!tc_cpu.ifma || k < MSM_IFMA_MIN_BATCH || !vector_ok(ops, k))
        return false;
    batch_add_ifma(ops, k, (uint64_t *)scratch);
    return true;
}

#else

bool msm_batch_add_ifma(msm_add_op *ops, size_t k, tc_fp *scratch)
{
    (void)ops;
    (void)k;
    (void)scratch;
    return false;
}

#endif

void msm_batch_add(msm_add_op *ops, size_t k, tc_fp *num, tc_fp *den, tc_fp *pref)
{
    if (msm_batch_add_ifma(ops, k, pref))
        return;
    msm_batch_add_scalar(ops, k, num, den, pref);
}
