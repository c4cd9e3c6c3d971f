/* Fp addition, subtraction, doubling and negation specialised to BN254's p, for the
 * tower and pairing code (included by tower.h).
 *
 * The generic tc_mont_add/sub take the modulus as an argument and loop over
 * limbs; in Fp12 arithmetic additions are about as frequent as products, so
 * here they are straight-line add/adc chains with a branch-free final
 * correction (x86-64 inline assembly; other targets use the generic code).
 * Same contract as tc_fp_add/sub/dbl/neg: reduced inputs, reduced output,
 * aliasing allowed.  p < 2^254, so a + b < 2^255 never carries out. */
#ifndef TC_EC_TOWER_ARITH_H
#define TC_EC_TOWER_ARITH_H

#include "ec/field.h"

#if defined(__x86_64__) && defined(__GNUC__)

/* p, little-endian limbs (the same value as tc_fp_modulus.p). */
static const uint64_t tc_tower_p[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                       0xb85045b68181585dULL, 0x30644e72e131a029ULL};

/* r = a + b − p if that does not borrow, else a + b. */
static inline void tc_fpx_add(tc_fp *r, const tc_fp *a, const tc_fp *b)
{
    uint64_t s0 = a->l[0], s1 = a->l[1], s2 = a->l[2], s3 = a->l[3];
    uint64_t d0, d1, d2, d3;
    __asm__("addq %[b0], %[s0]\n\t"
            "adcq %[b1], %[s1]\n\t"
            "adcq %[b2], %[s2]\n\t"
            "adcq %[b3], %[s3]\n\t"
            "movq %[s0], %[d0]\n\t"
            "movq %[s1], %[d1]\n\t"
            "movq %[s2], %[d2]\n\t"
            "movq %[s3], %[d3]\n\t"
            "subq %[p0], %[d0]\n\t"
            "sbbq %[p1], %[d1]\n\t"
            "sbbq %[p2], %[d2]\n\t"
            "sbbq %[p3], %[d3]\n\t"
            "cmovcq %[s0], %[d0]\n\t"
            "cmovcq %[s1], %[d1]\n\t"
            "cmovcq %[s2], %[d2]\n\t"
            "cmovcq %[s3], %[d3]\n\t"
            : [s0] "+&r"(s0), [s1] "+&r"(s1), [s2] "+&r"(s2), [s3] "+&r"(s3),
              [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3)
            : [b0] "m"(b->l[0]), [b1] "m"(b->l[1]), [b2] "m"(b->l[2]), [b3] "m"(b->l[3]),
              [p0] "m"(tc_tower_p[0]), [p1] "m"(tc_tower_p[1]), [p2] "m"(tc_tower_p[2]),
              [p3] "m"(tc_tower_p[3])
            : "cc");
    r->l[0] = d0;
    r->l[1] = d1;
    r->l[2] = d2;
    r->l[3] = d3;
}

/* r = a − b, plus p when that borrows. */
static inline void tc_fpx_sub(tc_fp *r, const tc_fp *a, const tc_fp *b)
{
    uint64_t d0 = a->l[0], d1 = a->l[1], d2 = a->l[2], d3 = a->l[3];
    uint64_t m, t0, t1, t2, t3;
    __asm__("subq %[b0], %[d0]\n\t"
            "sbbq %[b1], %[d1]\n\t"
            "sbbq %[b2], %[d2]\n\t"
            "sbbq %[b3], %[d3]\n\t"
            "sbbq %[m], %[m]\n\t"              /* m = −borrow */
            "movq %[p0], %[t0]\n\t"
            "movq %[p1], %[t1]\n\t"
            "movq %[p2], %[t2]\n\t"
            "movq %[p3], %[t3]\n\t"
            "andq %[m], %[t0]\n\t"
            "andq %[m], %[t1]\n\t"
            "andq %[m], %[t2]\n\t"
            "andq %[m], %[t3]\n\t"
            "addq %[t0], %[d0]\n\t"
            "adcq %[t1], %[d1]\n\t"
            "adcq %[t2], %[d2]\n\t"
            "adcq %[t3], %[d3]\n\t"
            : [d0] "+&r"(d0), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3),
              [m] "=&r"(m), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
            : [b0] "m"(b->l[0]), [b1] "m"(b->l[1]), [b2] "m"(b->l[2]), [b3] "m"(b->l[3]),
              [p0] "m"(tc_tower_p[0]), [p1] "m"(tc_tower_p[1]), [p2] "m"(tc_tower_p[2]),
              [p3] "m"(tc_tower_p[3])
            : "cc");
    r->l[0] = d0;
    r->l[1] = d1;
    r->l[2] = d2;
    r->l[3] = d3;
}

static inline void tc_fpx_dbl(tc_fp *r, const tc_fp *a) { tc_fpx_add(r, a, a); }

/* r = p − a, or 0 when a = 0. */
static inline void tc_fpx_neg(tc_fp *r, const tc_fp *a)
{
    uint64_t d0, d1, d2, d3, nz = a->l[0] | a->l[1] | a->l[2] | a->l[3];
    __asm__("movq %[p0], %[d0]\n\t"
            "movq %[p1], %[d1]\n\t"
            "movq %[p2], %[d2]\n\t"
            "movq %[p3], %[d3]\n\t"
            "subq %[a0], %[d0]\n\t"
            "sbbq %[a1], %[d1]\n\t"
            "sbbq %[a2], %[d2]\n\t"
            "sbbq %[a3], %[d3]\n\t"
            : [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3)
            : [a0] "m"(a->l[0]), [a1] "m"(a->l[1]), [a2] "m"(a->l[2]), [a3] "m"(a->l[3]),
              [p0] "m"(tc_tower_p[0]), [p1] "m"(tc_tower_p[1]), [p2] "m"(tc_tower_p[2]),
              [p3] "m"(tc_tower_p[3])
            : "cc");
    uint64_t mask = 0 - (uint64_t)(nz != 0);
    r->l[0] = d0 & mask;
    r->l[1] = d1 & mask;
    r->l[2] = d2 & mask;
    r->l[3] = d3 & mask;
}

#else

static inline void tc_fpx_add(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_fp_add(r, a, b); }
static inline void tc_fpx_sub(tc_fp *r, const tc_fp *a, const tc_fp *b) { tc_fp_sub(r, a, b); }
static inline void tc_fpx_dbl(tc_fp *r, const tc_fp *a) { tc_fp_dbl(r, a); }
static inline void tc_fpx_neg(tc_fp *r, const tc_fp *a) { tc_fp_neg(r, a); }

#endif

#endif
