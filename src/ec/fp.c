/* Fp and Fr: inversion (Bernstein–Yang divsteps), batch inversion, Legendre
 * symbol (positive divsteps), square roots, conversions and byte encodings
 * over the generic Montgomery routines. */
#include "ec/field.h"
#include "ec/divsteps_table.h"

#include <string.h>

static const uint64_t P_PLUS1_DIV4[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL,
                                         0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};
static const uint64_t P_MINUS1_DIV2[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL,
                                          0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};
static const uint64_t R_MINUS1_DIV2[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                          0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};
/* r − 1 = 2^28 · T, T odd; Tonelli–Shanks needs (T − 1)/2 and a non-residue
 * (5 generates Fr*).  tc_fr_root_of_unity_mont is 5^T in Montgomery form, a
 * primitive 2^28-th root of unity (test_field recomputes it). */
#define R_TWO_ADICITY 28
const uint64_t tc_fr_root_of_unity_mont[4] = {0x636e735580d13d9cULL, 0xa22bf3742445ffd6ULL,
                                              0x56452ac01eb203d8ULL, 0x1860ef942963f9e7ULL};
static const uint64_t R_T_MINUS1_DIV2[4] = {0xcdcb848a1f0fac9fULL, 0x0c0ac2e9419f4243ULL,
                                            0x098d014dc2822db4ULL, 0x0000000183227397ULL};

static bool limbs_is_zero(const uint64_t a[4])
{
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* ------------------------------------------------------------ inversion
 *
 * Bernstein–Yang "safegcd" (Fast constant-time gcd computation and modular
 * inversion, TCHES 2019(3), eprint 2019/266), the variable-time form: divsteps
 * on (f, g) = (p, x) until g = 0, 60 at a time on the low limbs only (§8),
 * each batch giving an integer matrix that is then applied to the full-size
 * f, g and to the cofactors d, e.  With η = −δ, one divstep is
 *     η < 0 and g odd:  (η, f, g) ← (−η − 1, g, (g − f)/2)
 *     g odd:            (η, f, g) ← (η − 1, f, (g + f)/2)
 *     g even:           (η, f, g) ← (η − 1, f, g/2).
 * With cofactors starting at d = 0, e = c: c·f ≡ d·x and c·g ≡ e·x (mod p);
 * at the end f = ±1, so c·x⁻¹ = ±d.
 *
 * Six divsteps depend only on η (clamped to [−6, 5]), f mod 2^6 and g mod
 * 2^6, so a batch is ten lookups in a table of their matrices
 * (divsteps_table.h), a fixed sequence with no data-dependent branch.  On
 * the reference machine this takes about 700 ns an inversion against 880 ns
 * for the loop it replaced (62 divsteps a batch, runs of even g and of
 * steps without a swap collapsed, about 150 passes of ~17 cycles and a
 * mispredicted exit per batch).
 *
 * Big numbers are "signed62": five limbs, value Σ v[i]·2^(62i), limbs 0..3 in
 * [0, 2^62) and the top limb signed. */

#define M62 ((uint64_t)UINT64_MAX >> 2)

typedef struct s62 { int64_t v[5]; } s62;
typedef struct trans62 { int64_t u, v, q, r; } trans62;  /* 2^62·(f', g') = (u f + v g, q f + r g) */

static void s62_from_limbs(s62 *r, const uint64_t a[4])
{
    r->v[0] = (int64_t)(a[0] & M62);
    r->v[1] = (int64_t)(((a[0] >> 62) | (a[1] << 2)) & M62);
    r->v[2] = (int64_t)(((a[1] >> 60) | (a[2] << 4)) & M62);
    r->v[3] = (int64_t)(((a[2] >> 58) | (a[3] << 6)) & M62);
    r->v[4] = (int64_t)(a[3] >> 56);
}

/* For 0 ≤ a < 2^256 in canonical signed62 form. */
static void s62_to_limbs(uint64_t r[4], const s62 *a)
{
    const uint64_t *v = (const uint64_t *)a->v;
    r[0] = v[0] | (v[1] << 62);
    r[1] = (v[1] >> 2) | (v[2] << 60);
    r[2] = (v[2] >> 4) | (v[3] << 58);
    r[3] = (v[3] >> 6) | (v[4] << 56);
}

/* a ← a + s·m, carried back to canonical form (s = ±1 or 0). */
static void s62_add_scaled(s62 *a, const s62 *m, int64_t s)
{
    __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (__int128)a->v[i] + (__int128)s * m->v[i];
        a->v[i] = (int64_t)((uint64_t)c & M62);
        c >>= 62;
    }
    a->v[4] = (int64_t)(c + (__int128)a->v[4] + (__int128)s * m->v[4]);
}

static void s62_negate(s62 *a)
{
    __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c -= a->v[i];
        a->v[i] = (int64_t)((uint64_t)c & M62);
        c >>= 62;
    }
    a->v[4] = (int64_t)(c - a->v[4]);
}

/* a ≥ m for canonical a, m with a ≥ 0. */
static bool s62_geq(const s62 *a, const s62 *m)
{
    for (int i = 4; i >= 0; i--)
        if (a->v[i] != m->v[i])
            return a->v[i] > m->v[i];
    return true;
}

/* (f, g) ← t·(f, g) / 2^62 on the first len limbs (exact division). */
static void update_fg(s62 *f, s62 *g, int len, const trans62 *t)
{
    __int128 cf, cg;
    int64_t f0 = f->v[0], g0 = g->v[0];
    cf = (__int128)t->u * f0 + (__int128)t->v * g0;
    cg = (__int128)t->q * f0 + (__int128)t->r * g0;
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i < len; i++) {
        int64_t fi = f->v[i], gi = g->v[i];
        cf += (__int128)t->u * fi + (__int128)t->v * gi;
        cg += (__int128)t->q * fi + (__int128)t->r * gi;
        f->v[i - 1] = (int64_t)((uint64_t)cf & M62);
        g->v[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f->v[len - 1] = (int64_t)cf;
    g->v[len - 1] = (int64_t)cg;
}

/* The same update split in two for the inversion: fg_begin produces the new
 * low limbs at once (all the next batch of divsteps reads, handed over in
 * registers), and fg_step finishes one more limb per call from inside that
 * batch. */
typedef struct fg_update {
    trans62 t;
    __int128 cf, cg;      /* running carries */
    int k, len;           /* next input limb; k > len when done */
    s62 *f, *g;
} fg_update;

static inline void fg_step(fg_update *j)
{
    int i = j->k;
    if (i < j->len) {
        int64_t fi = j->f->v[i], gi = j->g->v[i];
        j->cf += (__int128)j->t.u * fi + (__int128)j->t.v * gi;
        j->cg += (__int128)j->t.q * fi + (__int128)j->t.r * gi;
        j->f->v[i - 1] = (int64_t)((uint64_t)j->cf & M62);
        j->g->v[i - 1] = (int64_t)((uint64_t)j->cg & M62);
        j->cf >>= 62;
        j->cg >>= 62;
    } else {
        j->f->v[i - 1] = (int64_t)j->cf;
        j->g->v[i - 1] = (int64_t)j->cg;
    }
    j->k = i + 1;
}

static void fg_begin(fg_update *j, s62 *f, s62 *g, int len, const trans62 *t,
                     int64_t *nf, int64_t *ng)
{
    int64_t f0 = f->v[0], g0 = g->v[0];
    __int128 cf = ((__int128)t->u * f0 + (__int128)t->v * g0) >> 62;
    __int128 cg = ((__int128)t->q * f0 + (__int128)t->r * g0) >> 62;
    if (len > 1) {
        int64_t f1 = f->v[1], g1 = g->v[1];
        cf += (__int128)t->u * f1 + (__int128)t->v * g1;
        cg += (__int128)t->q * f1 + (__int128)t->r * g1;
        *nf = (int64_t)((uint64_t)cf & M62);
        *ng = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    } else {
        *nf = (int64_t)cf;                   /* the whole (signed) value */
        *ng = (int64_t)cg;
    }
    f->v[0] = *nf;
    g->v[0] = *ng;
    j->t = *t;
    j->cf = cf;
    j->cg = cg;
    j->k = 2;
    j->len = len;
    j->f = f;
    j->g = g;
}

static void fg_finish(fg_update *j)
{
    while (j->k <= j->len)
        fg_step(j);
}

/* (d, e) ← t·(d, e) / 2^62 mod p.  In: d, e ∈ (−2p, p); out: the same.
 * Adding p to a negative input (through md, me) makes it (−p, p); then the
 * multiple of p that clears the low 62 bits is subtracted, so the quotient
 * lies in (−2p, p) (the bound of libsecp256k1's modinv64 analysis).
 *
 * The update runs one limb at a time (de_step) from inside the next batch of
 * divsteps: that batch is one long dependency chain (table loads and
 * products) that leaves issue slots and multipliers idle; done in between
 * instead, the updates measured about 20% slower per inversion.  The d, e
 * limbs are rewritten in place, limb i − 1 after limb i has been read. */
typedef struct de_update {
    trans62 t;
    int64_t md, me;       /* multiples of p that make the sums divisible */
    __int128 cd, ce;      /* running carries */
    int k;                /* next limb; 5 = done */
    s62 *d, *e;
    const s62 *p;
} de_update;

static void de_begin(de_update *j, s62 *d, s62 *e, const trans62 *t, const s62 *p,
                     uint64_t pinv62)
{
    int64_t sd = d->v[4] >> 63, se = e->v[4] >> 63;     /* all ones if negative */
    int64_t md = (t->u & sd) + (t->v & se);
    int64_t me = (t->q & sd) + (t->r & se);
    uint64_t cd0 = (uint64_t)t->u * (uint64_t)d->v[0] + (uint64_t)t->v * (uint64_t)e->v[0];
    uint64_t ce0 = (uint64_t)t->q * (uint64_t)d->v[0] + (uint64_t)t->r * (uint64_t)e->v[0];
    md -= (int64_t)((pinv62 * cd0 + (uint64_t)md) & M62);
    me -= (int64_t)((pinv62 * ce0 + (uint64_t)me) & M62);
    j->t = *t;
    j->md = md;
    j->me = me;
    j->cd = 0;
    j->ce = 0;
    j->k = 0;
    j->d = d;
    j->e = e;
    j->p = p;
}

static inline void de_step(de_update *j)
{
    int i = j->k;
    int64_t di = j->d->v[i], ei = j->e->v[i], pi = j->p->v[i];
    j->cd += (__int128)j->t.u * di + (__int128)j->t.v * ei + (__int128)j->md * pi;
    j->ce += (__int128)j->t.q * di + (__int128)j->t.r * ei + (__int128)j->me * pi;
    if (i > 0) {
        j->d->v[i - 1] = (int64_t)((uint64_t)j->cd & M62);
        j->e->v[i - 1] = (int64_t)((uint64_t)j->ce & M62);
    }
    j->cd >>= 62;
    j->ce >>= 62;
    if (i == 4) {
        j->d->v[4] = (int64_t)j->cd;
        j->e->v[4] = (int64_t)j->ce;
    }
    j->k = i + 1;
}

static void de_finish(de_update *j)
{
    while (j->k < 5)
        de_step(j);
}

/* 60 divsteps on the low words of f and g (f odd; their low 60 bits must be
 * exact), six at a time by table; returns the new η and the matrix scaled by
 * 2^62 (the 2^60 one times 4, so that the updates divide by 2^62 as for a
 * 62-step batch; |u| + |v| ≤ 2^62 still).  F, G are not divided by 2^6
 * after each lookup: F = u f + v g mod 2^64 for the matrix so far, whose
 * bits 6k.. are f's low bits after 6k steps (exact below bit 60).  Each pass
 * first advances the pending f, g and d, e updates of the previous batch by
 * one limb (they are independent of the lookups and fill the time the chain
 * of loads and products leaves); both are complete on return. */
static int64_t divsteps_60_var(int64_t eta, uint64_t f, uint64_t g, trans62 *t,
                               fg_update *pending_fg, de_update *pending)
{
    uint64_t F = f, G = g;
    int64_t u = 1, v = 0, q = 0, r = 1;
#pragma GCC unroll 10
    for (int k = 0; k < 10; k++) {
        if (pending_fg->k <= pending_fg->len)
            fg_step(pending_fg);
        if (pending->k < 5)
            de_step(pending);
        int64_t ec = eta < -6 ? -6 : eta > 5 ? 5 : eta;
        uint64_t i = (uint64_t)(ec + 6) << 11 | ((F >> (6 * k + 1)) & 31) << 6 |
                     ((G >> (6 * k)) & 63);
        uint32_t w = tc_divsteps6_matrix[i];
        int64_t mu = (int8_t)w, mv = (int8_t)(w >> 8), mq = (int8_t)(w >> 16),
                mr = (int8_t)(w >> 24);
        uint64_t nf = (uint64_t)mu * F + (uint64_t)mv * G;
        uint64_t ng = (uint64_t)mq * F + (uint64_t)mr * G;
        F = nf;
        G = ng;
        int64_t s = tc_divsteps6_eta[i][1];
        eta = ((eta ^ s) - s) + tc_divsteps6_eta[i][0];
        int64_t nu = mu * u + mv * q, nv = mu * v + mv * r;
        int64_t nq = mq * u + mr * q, nr = mq * v + mr * r;
        u = nu;
        v = nv;
        q = nq;
        r = nr;
    }
    fg_finish(pending_fg);
    de_finish(pending);
    t->u = u * 4;
    t->v = v * 4;
    t->q = q * 4;
    t->r = r * 4;
    return eta;
}

/* r = c·x⁻¹ mod p for 0 < x < p and 0 ≤ c < p (p odd, canonical integers):
 * starting the cofactor e at c instead of 1 scales the result by c. */
static void inv_safegcd(uint64_t r[4], const uint64_t x[4], const uint64_t c[4],
                        const tc_modulus *m)
{
    tc_divsteps6_init();
    s62 p, f, g, d = {{0}}, e;
    s62_from_limbs(&p, m->p);
    s62_from_limbs(&g, x);
    s62_from_limbs(&e, c);
    f = p;
    uint64_t pinv62 = (0 - m->n0) & M62;               /* p⁻¹ mod 2^62 */
    int64_t eta = -1, f0 = f.v[0], g0 = g.v[0];
    int len = 5;
    de_update pending = {.k = 5};
    fg_update pending_fg = {.k = 1, .len = 0};
    /* Each batch of divsteps finishes the previous batch's updates of f, g
     * and d, e along the way.  g = 0 shows first in its low limb; only then
     * (near the end, or with probability 2^−62) is g finished early to check
     * the rest. */
    for (;;) {
        trans62 t;
        eta = divsteps_60_var(eta, (uint64_t)f0, (uint64_t)g0, &t, &pending_fg, &pending);
        /* drop the top limb while both tops are only sign extension */
        int64_t fn = f.v[len - 1], gn = g.v[len - 1];
        if (len > 1 && (fn == 0 || fn == -1) && (gn == 0 || gn == -1)) {
            f.v[len - 2] += (int64_t)((uint64_t)fn << 62);
            g.v[len - 2] += (int64_t)((uint64_t)gn << 62);
            len--;
        }
        fg_begin(&pending_fg, &f, &g, len, &t, &f0, &g0);
        de_begin(&pending, &d, &e, &t, &p, pinv62);
        if (g0 == 0) {
            fg_finish(&pending_fg);
            int64_t any = 0;
            for (int i = 0; i < len; i++)
                any |= g.v[i];
            if (any == 0)
                break;
        }
    }
    de_finish(&pending);
    /* f = ±1 */
    if (f.v[len - 1] < 0)
        s62_negate(&d);
    while (d.v[4] < 0)
        s62_add_scaled(&d, &p, 1);
    while (s62_geq(&d, &p))
        s62_add_scaled(&d, &p, -1);
    s62_to_limbs(r, &d);
}

/* For the Montgomery element A = aR the answer is a⁻¹R = A⁻¹·R², so the
 * cofactor starts at R² mod p and no product is needed afterwards. */
void tc_mont_inv_var(uint64_t r[4], const uint64_t a[4], const tc_modulus *m)
{
    if (limbs_is_zero(a)) {
        memset(r, 0, 32);
        return;
    }
    inv_safegcd(r, a, m->r2, m);
}

/* ------------------------------------------------------- Legendre symbol
 *
 * Jacobi symbol (x/p) by "posdivsteps", the all-positive variant of the
 * divsteps above (as in libsecp256k1's jacobi64_maybe_var):
 *     η < 0 and g odd:  (η, f, g) ← (−η − 1, g, (g + f)/2)
 *     g odd:            (η, f, g) ← (η − 1, f, (g + f)/2)
 *     g even:           (η, f, g) ← (η − 1, f, g/2).
 * f and g stay non-negative and max(f, g) never grows; the gcd is kept, and
 * the values meet at f = g = gcd(x, p).  Along the way the symbol (g/f)
 * changes only by (2/f) per halving and by quadratic reciprocity
 * (−1)^((f−1)(g−1)/4) per swap, both read from the low bits of f and g,
 * which the batches keep exact.  At the end (g/f) = (1/1) = 1 when the gcd
 * is 1, and 0 otherwise.  No convergence bound is proven for this variant,
 * so after MAX_BATCHES (far above the ~13 batches seen for 254-bit inputs)
 * the exponentiation answers instead. */

#define JACOBI_MAX_BATCHES 50

/* Scheduling hints for the posdivsteps loop, which is one dependency chain
 * through g (about 17 cycles a pass), so what the compiler puts on it
 * matters.  KEEP_WHOLE(x): x is computed as written, here a mask ready early
 * that would otherwise be split back into two ANDs on the chain.
 * AFTER(x, y): x is taken as available only once y is, which issues the
 * multiplication that produces y (on the chain) ahead of those with x that
 * are off it.  Neither emits an instruction. */
#if defined(__GNUC__)
#define KEEP_WHOLE(x) __asm__("" : "+r"(x))
#define AFTER(x, y) __asm__("" : "+r"(x) : "r"(y))
#else
#define KEEP_WHOLE(x) ((void)0)
#define AFTER(x, y) ((void)0)
#endif

/* 62 posdivsteps on the low 64 bits of f and g; returns the new η and flips
 * *neg with the symbol.  While η ≥ 0 no swap can happen for η + 1 steps, so
 * those steps collapse to g ← (g + w·f)/2^k with the unique w < 2^k that
 * makes the sum divisible (here k ≤ 6, w from f⁻¹ = f·(2 − f²) mod 64), and
 * runs of even g collapse to one shift.  After 62 − i steps i + 2 low bits
 * of g are exact,
 * and f was such a g when it was swapped in with i ≥ 1: so f mod 8, needed
 * for (2/f), is exact up to the last step. */
static int64_t posdivsteps_62_var(int64_t eta, uint64_t f, uint64_t g, trans62 *t, int *neg)
{
    uint64_t u = 1, v = 0, q = 0, r = 1;
    int i = 62, j = *neg;
    for (;;) {
        int zeros = __builtin_ctzll(g | (UINT64_MAX << i));
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= zeros;
        i -= zeros;
        j ^= (int)(((f >> 1) ^ (f >> 2)) & (uint64_t)zeros & 1);   /* (2/f)^zeros */
        if (i == 0)
            break;
        if (__builtin_expect(eta < 0, 1)) {
            uint64_t tmp;
            j ^= (int)((f & g) >> 1) & 1;                            /* reciprocity */
            eta = -eta;
            tmp = f; f = g; g = tmp;
            tmp = u; u = q; q = tmp;
            tmp = v; v = r; r = tmp;
        }
        int k = eta > 5 ? 5 : (int)eta;
        uint64_t mask = (((uint64_t)2 << k) - 1) & ~(UINT64_MAX << i);
        KEEP_WHOLE(mask);
        uint64_t w = (g * f * (f * f - 2)) & mask;
        g += w * f;
        AFTER(w, g);
        q += w * u;
        r += w * v;
    }
    t->u = (int64_t)u;
    t->v = (int64_t)v;
    t->q = (int64_t)q;
    t->r = (int64_t)r;
    *neg = j;
    return eta;
}

static bool s62_eq(const s62 *a, const s62 *b, int len)
{
    for (int i = 0; i < len; i++)
        if (a->v[i] != b->v[i])
            return false;
    return true;
}

/* a^((p−1)/2) for a Montgomery element: 1, −1, or 0 for zero. */
static int legendre_pow(const uint64_t a[4], const tc_modulus *m)
{
    uint64_t e[4], acc[4];
    const uint64_t one[4] = {1, 0, 0, 0};
    tc_limbs_sub(e, m->p, one);
    e[0] = (e[0] >> 1) | (e[1] << 63);
    e[1] = (e[1] >> 1) | (e[2] << 63);
    e[2] = (e[2] >> 1) | (e[3] << 63);
    e[3] >>= 1;
    tc_mont_pow(acc, a, e, m);
    if (memcmp(acc, m->one, 32) == 0)
        return 1;
    return limbs_is_zero(acc) ? 0 : -1;
}

/* (A/p) for A = aR equals (a/p): R = 2^256 is a square. */
int tc_mont_legendre_var(const uint64_t a[4], const tc_modulus *m)
{
    if (limbs_is_zero(a))
        return 0;
    s62 f, g;
    s62_from_limbs(&f, m->p);
    s62_from_limbs(&g, a);
    int64_t eta = -1;
    int len = 5, neg = 0;
    for (int batch = 0; batch < JACOBI_MAX_BATCHES; batch++) {
        trans62 t;
        /* the symbol reads f mod 8 up to the last step: feed 64 exact bits */
        uint64_t f0 = (uint64_t)f.v[0], g0 = (uint64_t)g.v[0];
        if (len > 1) {
            f0 |= (uint64_t)f.v[1] << 62;
            g0 |= (uint64_t)g.v[1] << 62;
        }
        eta = posdivsteps_62_var(eta, f0, g0, &t, &neg);
        update_fg(&f, &g, len, &t);
        if (s62_eq(&f, &g, len)) {
            bool one = f.v[0] == 1;
            for (int i = 1; i < len; i++)
                one = one && f.v[i] == 0;
            return one ? (neg ? -1 : 1) : 0;
        }
        if (len > 1 && f.v[len - 1] == 0 && g.v[len - 1] == 0)
            len--;
    }
    return legendre_pow(a, m);
}

/* ---------------------------------------------------------------- shared */

static void mont_one(uint64_t r[4], const tc_modulus *m) { memcpy(r, m->one, 32); }

static void from_u64(uint64_t r[4], uint64_t v, const tc_modulus *m)
{
    uint64_t x[4] = {v, 0, 0, 0};
    tc_mont_mul(r, x, m->r2, m);
}

static bool from_limbs(uint64_t r[4], const uint64_t v[4], const tc_modulus *m)
{
    if (tc_limbs_geq(v, m->p))
        return false;
    tc_mont_mul(r, v, m->r2, m);
    return true;
}

static void to_limbs(uint64_t v[4], const uint64_t a[4], const tc_modulus *m)
{
    const uint64_t one[4] = {1, 0, 0, 0};
    tc_mont_mul(v, a, one, m);
}

static void to_bytes(uint8_t out[32], const uint64_t a[4], const tc_modulus *m)
{
    uint64_t v[4];
    to_limbs(v, a, m);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
}

static bool from_bytes(uint64_t r[4], const uint8_t in[32], const tc_modulus *m)
{
    uint64_t v[4] = {0, 0, 0, 0};
    for (int i = 0; i < 32; i++)
        v[i / 8] |= (uint64_t)in[i] << (8 * (i % 8));
    return from_limbs(r, v, m);
}

/* Montgomery's trick: prefix products, one inversion, walk back. */
static void batch_inv(uint64_t (*r)[4], const uint64_t (*a)[4], size_t n,
                      uint64_t (*scratch)[4], const tc_modulus *m)
{
    uint64_t acc[4], inv[4], t[4];
    mont_one(acc, m);
    for (size_t i = 0; i < n; i++) {
        memcpy(scratch[i], acc, 32);          /* product of nonzero a[0..i) */
        if (!limbs_is_zero(a[i]))
            tc_mont_mul(acc, acc, a[i], m);
    }
    tc_mont_inv_var(inv, acc, m);
    for (size_t i = n; i-- > 0;) {
        if (limbs_is_zero(a[i])) {
            memset(r[i], 0, 32);
            continue;
        }
        tc_mont_mul(t, inv, scratch[i], m);   /* a[i]⁻¹ */
        tc_mont_mul(inv, inv, a[i], m);
        memcpy(r[i], t, 32);
    }
}

/* Is the canonical value of a greater than (p−1)/2? */
static bool is_lexlargest(const uint64_t a[4], const tc_modulus *m, const uint64_t half[4])
{
    uint64_t v[4];
    to_limbs(v, a, m);
    return !tc_limbs_geq(half, v);
}

/* -------------------------------------------------------------------- Fp */

void tc_fp_one(tc_fp *r) { mont_one(r->l, &tc_fp_modulus); }
bool tc_fp_is_zero(const tc_fp *a) { return limbs_is_zero(a->l); }
bool tc_fp_is_one(const tc_fp *a) { return memcmp(a->l, tc_fp_modulus.one, 32) == 0; }
bool tc_fp_eq(const tc_fp *a, const tc_fp *b) { return memcmp(a->l, b->l, 32) == 0; }
void tc_fp_inv_var(tc_fp *r, const tc_fp *a) { tc_mont_inv_var(r->l, a->l, &tc_fp_modulus); }
int tc_fp_legendre_var(const tc_fp *a) { return tc_mont_legendre_var(a->l, &tc_fp_modulus); }
void tc_fp_from_u64(tc_fp *r, uint64_t v) { from_u64(r->l, v, &tc_fp_modulus); }
bool tc_fp_from_limbs(tc_fp *r, const uint64_t v[4]) { return from_limbs(r->l, v, &tc_fp_modulus); }
void tc_fp_to_limbs(uint64_t v[4], const tc_fp *a) { to_limbs(v, a->l, &tc_fp_modulus); }
void tc_fp_to_bytes(uint8_t out[32], const tc_fp *a) { to_bytes(out, a->l, &tc_fp_modulus); }
bool tc_fp_from_bytes(tc_fp *r, const uint8_t in[32]) { return from_bytes(r->l, in, &tc_fp_modulus); }
bool tc_fp_is_lexlargest(const tc_fp *a) { return is_lexlargest(a->l, &tc_fp_modulus, P_MINUS1_DIV2); }

void tc_fp_batch_inv_var(tc_fp *r, const tc_fp *a, size_t n, tc_fp *scratch)
{
    batch_inv((uint64_t(*)[4])r, (const uint64_t(*)[4])a, n, (uint64_t(*)[4])scratch,
              &tc_fp_modulus);
}

/* p ≡ 3 (mod 4): a root is a^((p+1)/4) when one exists. */
bool tc_fp_sqrt_var(tc_fp *r, const tc_fp *a)
{
    tc_fp x, x2;
    tc_fp_pow(&x, a, P_PLUS1_DIV4);
    tc_fp_sqr(&x2, &x);
    if (!tc_fp_eq(&x2, a))
        return false;
    if (tc_fp_is_lexlargest(&x))
        tc_fp_neg(&x, &x);
    *r = x;
    return true;
}

/* -------------------------------------------------------------------- Fr */

void tc_fr_one(tc_fr *r) { mont_one(r->l, &tc_fr_modulus); }
bool tc_fr_is_zero(const tc_fr *a) { return limbs_is_zero(a->l); }
bool tc_fr_is_one(const tc_fr *a) { return memcmp(a->l, tc_fr_modulus.one, 32) == 0; }
bool tc_fr_eq(const tc_fr *a, const tc_fr *b) { return memcmp(a->l, b->l, 32) == 0; }
void tc_fr_inv_var(tc_fr *r, const tc_fr *a) { tc_mont_inv_var(r->l, a->l, &tc_fr_modulus); }
int tc_fr_legendre_var(const tc_fr *a) { return tc_mont_legendre_var(a->l, &tc_fr_modulus); }
void tc_fr_from_u64(tc_fr *r, uint64_t v) { from_u64(r->l, v, &tc_fr_modulus); }
bool tc_fr_from_limbs(tc_fr *r, const uint64_t v[4]) { return from_limbs(r->l, v, &tc_fr_modulus); }
void tc_fr_to_limbs(uint64_t v[4], const tc_fr *a) { to_limbs(v, a->l, &tc_fr_modulus); }
void tc_fr_to_bytes(uint8_t out[32], const tc_fr *a) { to_bytes(out, a->l, &tc_fr_modulus); }
bool tc_fr_from_bytes(tc_fr *r, const uint8_t in[32]) { return from_bytes(r->l, in, &tc_fr_modulus); }

void tc_fr_from_i64(tc_fr *r, int64_t v)
{
    /* |INT64_MIN| = 2^63 is representable as uint64 */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    tc_fr_from_u64(r, mag);
    if (v < 0)
        tc_fr_neg(r, r);
}

void tc_fr_batch_inv_var(tc_fr *r, const tc_fr *a, size_t n, tc_fr *scratch)
{
    batch_inv((uint64_t(*)[4])r, (const uint64_t(*)[4])a, n, (uint64_t(*)[4])scratch,
              &tc_fr_modulus);
}

/* 512-bit little-endian x mod r: x = lo + hi·2^256, and with Montgomery
 * products lo·R²·R⁻¹ = lo·R, hi·R³·R⁻¹ = hi·2^256·R, so the sum is x·R. */
/* v −= p when v ≥ p, without a branch. */
static void sub_if_geq(uint64_t v[4], const uint64_t p[4])
{
    uint64_t t[4];
    uint64_t keep = 0 - tc_limbs_sub(t, v, p);     /* borrow: v < p, keep v */
    for (int i = 0; i < 4; i++)
        v[i] = (v[i] & keep) | (t[i] & ~keep);
}

void tc_fr_from_bytes_wide(tc_fr *r, const uint8_t in[64])
{
    uint64_t lo[4] = {0}, hi[4] = {0};
    for (int i = 0; i < 32; i++) {
        lo[i / 8] |= (uint64_t)in[i] << (8 * (i % 8));
        hi[i / 8] |= (uint64_t)in[32 + i] << (8 * (i % 8));
    }
    const tc_modulus *m = &tc_fr_modulus;
    /* reduce each half below r first: lo, hi < 2^256 < 6r, so five masked
     * subtractions (constant time: the input may be a secret's seed) */
    for (int k = 0; k < 5; k++) {
        sub_if_geq(lo, m->p);
        sub_if_geq(hi, m->p);
    }
    uint64_t a[4], b[4];
    tc_mont_mul(a, lo, m->r2, m);      /* lo·R */
    tc_mont_mul(b, hi, m->r2, m);      /* hi·R */
    tc_mont_mul(b, b, m->r2, m);       /* hi·R² = hi·2^256·R */
    tc_mont_add(r->l, a, b, m->p);
}

/* Tonelli–Shanks (Cohen, GTM 138, Alg. 1.5.1) with r − 1 = 2^28·T.  A
 * non-residue shows itself in the first round: b = a^T then has order
 * exactly 2^28, which the bounded search below rejects. */
bool tc_fr_sqrt_var(tc_fr *out, const tc_fr *a)
{
    if (tc_fr_is_zero(a)) {
        tc_fr_zero(out);
        return true;
    }
    tc_fr c, w, x, b, t;
    memcpy(c.l, tc_fr_root_of_unity_mont, 32);  /* c = 5^T, order 2^28 */
    tc_fr_pow(&w, a, R_T_MINUS1_DIV2);          /* w = a^((T−1)/2) */
    tc_fr_mul(&x, a, &w);                       /* x = a^((T+1)/2) */
    tc_fr_mul(&b, &x, &w);                      /* b = a^T */
    int v = R_TWO_ADICITY;
    while (!tc_fr_is_one(&b)) {
        int k = 0;
        t = b;
        while (!tc_fr_is_one(&t)) {             /* least k with b^(2^k) = 1 */
            tc_fr_sqr(&t, &t);
            if (++k >= v)                       /* b has order 2^v at most */
                return false;
        }
        tc_fr s = c;                            /* s = c^(2^(v−k−1)) */
        for (int i = 0; i < v - k - 1; i++)
            tc_fr_sqr(&s, &s);
        tc_fr_sqr(&c, &s);
        tc_fr_mul(&x, &x, &s);
        tc_fr_mul(&b, &b, &c);
        v = k;
    }
    if (is_lexlargest(x.l, &tc_fr_modulus, R_MINUS1_DIV2))
        tc_fr_neg(&x, &x);
    *out = x;
    return true;
}
