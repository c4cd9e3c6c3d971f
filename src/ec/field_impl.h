/* Inline Montgomery add/sub/neg and the mul/sqr dispatch (included by
 * field.h).  All take reduced inputs and return reduced outputs; the modulus
 * is below 2^254, so a + b never carries out of 256 bits. */
#ifndef TC_EC_FIELD_IMPL_H
#define TC_EC_FIELD_IMPL_H

typedef unsigned __int128 tc_u128;

/* r = a − b over 256 bits; returns the borrow (0 or 1). */
static inline uint64_t tc_limbs_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        tc_u128 d = (tc_u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;   /* wrapped: high half all ones */
    }
    return borrow;
}

/* r = a + b over 256 bits; returns the carry. */
static inline uint64_t tc_limbs_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    tc_u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (tc_u128)a[i] + b[i];
        r[i] = (uint64_t)acc;
        acc >>= 64;
    }
    return (uint64_t)acc;
}

/* a ≥ b as 256-bit integers. */
static inline bool tc_limbs_geq(const uint64_t a[4], const uint64_t b[4])
{
    for (int i = 3; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] > b[i];
    return true;
}

static inline void tc_mont_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                               const uint64_t p[4])
{
    uint64_t s[4], d[4];
    tc_limbs_add(s, a, b);                 /* < 2p < 2^255: no carry */
    uint64_t borrow = tc_limbs_sub(d, s, p);
    uint64_t mask = 0 - borrow;            /* all ones: keep s */
    for (int i = 0; i < 4; i++)
        r[i] = (s[i] & mask) | (d[i] & ~mask);
}

static inline void tc_mont_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                               const uint64_t p[4])
{
    uint64_t d[4], q[4];
    uint64_t borrow = tc_limbs_sub(d, a, b);
    uint64_t mask = 0 - borrow;
    for (int i = 0; i < 4; i++)
        q[i] = p[i] & mask;
    tc_limbs_add(r, d, q);
}

static inline void tc_mont_neg(uint64_t r[4], const uint64_t a[4], const uint64_t p[4])
{
    uint64_t nz = a[0] | a[1] | a[2] | a[3];
    uint64_t mask = 0 - (uint64_t)(nz != 0);
    uint64_t d[4];
    tc_limbs_sub(d, p, a);
    for (int i = 0; i < 4; i++)
        r[i] = d[i] & mask;
}

#if defined(__x86_64__) && defined(__ELF__)   /* src/ec/asm/mont_adx.S */
#define TC_HAVE_ADX_ASM 1
extern int tc_cpu_adx_flag;   /* set once at load time; never written after */
#endif

static inline void tc_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                               const tc_modulus *m)
{
#ifdef TC_HAVE_ADX_ASM
    if (tc_cpu_adx_flag) {
        tc_mont_mul_adx(r, a, b, m->p, m->n0);
        return;
    }
#endif
    tc_mont_mul_c(r, a, b, m);
}

static inline void tc_mont_sqr(uint64_t r[4], const uint64_t a[4], const tc_modulus *m)
{
#ifdef TC_HAVE_ADX_ASM
    if (tc_cpu_adx_flag) {
        tc_mont_sqr_adx(r, a, m->p, m->n0);
        return;
    }
#endif
    tc_mont_sqr_c(r, a, m);
}

#endif
