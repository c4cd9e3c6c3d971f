/* Generic Montgomery arithmetic over a modulus below 2^254: the portable C
 * product and square, the BN254 moduli, the portable stand-ins for the
 * MULX/ADCX/ADOX assembly where it is not built (src/ec/asm/mont_adx.S; the
 * run-time choice is cpu.c's), and exponentiation. */
#include "ec/field.h"

#include <string.h>

const tc_modulus tc_fp_modulus = {
    {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL},
    0x87d20782e4866389ULL,
    {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL},
    {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL},
};

const tc_modulus tc_fr_modulus = {
    {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL},
    0xc2e1f593efffffffULL,
    {0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL},
    {0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL, 0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL},
};

#ifndef TC_HAVE_ADX_ASM
/* Other targets have no assembly; tc_cpu.adx is 0 there, and these
 * exist only so that code naming them (tests, benches) still links. */
void tc_mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                     const uint64_t p[4], uint64_t n0)
{
    tc_modulus m = {{p[0], p[1], p[2], p[3]}, n0, {0}, {0}};
    tc_mont_mul_c(r, a, b, &m);
}

void tc_mont_sqr_adx(uint64_t r[4], const uint64_t a[4], const uint64_t p[4], uint64_t n0)
{
    tc_modulus m = {{p[0], p[1], p[2], p[3]}, n0, {0}, {0}};
    tc_mont_sqr_c(r, a, &m);
}
#endif

/* r = (t0, t1, t2, t3) − p when that does not borrow, else t. */
static inline void final_sub(uint64_t r[4], const uint64_t t[4], const uint64_t p[4])
{
    uint64_t d[4];
    uint64_t borrow = tc_limbs_sub(d, t, p);
    uint64_t mask = 0 - borrow;
    for (int i = 0; i < 4; i++)
        r[i] = (t[i] & mask) | (d[i] & ~mask);
}

/* Coarsely integrated operand scanning (CIOS), Koç–Acar–Kaliski 1996,
 * §4.2.  With p < 2^254 the running value stays below 2p < 2^255, so the
 * fifth word is at most one bit and one conditional subtraction finishes. */
void tc_mont_mul_c(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                   const tc_modulus *m)
{
    const uint64_t *p = m->p;
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
    for (int i = 0; i < 4; i++) {
        tc_u128 c;
        uint64_t bi = b[i];
        c = (tc_u128)a[0] * bi + t0; t0 = (uint64_t)c; c >>= 64;
        c += (tc_u128)a[1] * bi + t1; t1 = (uint64_t)c; c >>= 64;
        c += (tc_u128)a[2] * bi + t2; t2 = (uint64_t)c; c >>= 64;
        c += (tc_u128)a[3] * bi + t3; t3 = (uint64_t)c; c >>= 64;
        t4 += (uint64_t)c;
        uint64_t q = t0 * m->n0;
        c = (tc_u128)q * p[0] + t0; c >>= 64;
        c += (tc_u128)q * p[1] + t1; t0 = (uint64_t)c; c >>= 64;
        c += (tc_u128)q * p[2] + t2; t1 = (uint64_t)c; c >>= 64;
        c += (tc_u128)q * p[3] + t3; t2 = (uint64_t)c; c >>= 64;
        c += t4; t3 = (uint64_t)c; t4 = (uint64_t)(c >> 64);
    }
    uint64_t t[4] = {t0, t1, t2, t3};
    final_sub(r, t, p);
}

/* The square from 6 doubled cross products and 4 diagonal squares (10
 * products instead of 16), then 4 Montgomery rounds on the low half and the
 * high half added: (lo + M·p)/2^256 ≤ p and hi < p, so the sum is < 2p. */
void tc_mont_sqr_c(uint64_t r[4], const uint64_t a[4], const tc_modulus *m)
{
    const uint64_t *p = m->p;
    uint64_t w[8];
    tc_u128 c;
    /* cross products a_i·a_j, i < j, into w[1..6] */
    c = (tc_u128)a[0] * a[1]; w[1] = (uint64_t)c; c >>= 64;
    c += (tc_u128)a[0] * a[2]; w[2] = (uint64_t)c; c >>= 64;
    c += (tc_u128)a[0] * a[3]; w[3] = (uint64_t)c; w[4] = (uint64_t)(c >> 64);
    c = (tc_u128)a[1] * a[2] + w[3]; w[3] = (uint64_t)c; c >>= 64;
    c += (tc_u128)a[1] * a[3] + w[4]; w[4] = (uint64_t)c; w[5] = (uint64_t)(c >> 64);
    c = (tc_u128)a[2] * a[3] + w[5]; w[5] = (uint64_t)c; w[6] = (uint64_t)(c >> 64);
    /* double, then add the squares */
    w[7] = w[6] >> 63;
    w[6] = (w[6] << 1) | (w[5] >> 63);
    w[5] = (w[5] << 1) | (w[4] >> 63);
    w[4] = (w[4] << 1) | (w[3] >> 63);
    w[3] = (w[3] << 1) | (w[2] >> 63);
    w[2] = (w[2] << 1) | (w[1] >> 63);
    w[1] <<= 1;
    c = (tc_u128)a[0] * a[0]; w[0] = (uint64_t)c; c >>= 64;
    c += w[1]; w[1] = (uint64_t)c; c >>= 64;
    c += (tc_u128)a[1] * a[1] + w[2]; w[2] = (uint64_t)c; c >>= 64;
    c += w[3]; w[3] = (uint64_t)c; c >>= 64;
    c += (tc_u128)a[2] * a[2] + w[4]; w[4] = (uint64_t)c; c >>= 64;
    c += w[5]; w[5] = (uint64_t)c; c >>= 64;
    c += (tc_u128)a[3] * a[3] + w[6]; w[6] = (uint64_t)c; c >>= 64;
    w[7] += (uint64_t)c;
    /* reduce the low half: each round clears one word */
    uint64_t t0 = w[0], t1 = w[1], t2 = w[2], t3 = w[3];
    for (int i = 0; i < 4; i++) {
        uint64_t q = t0 * m->n0;
        c = (tc_u128)q * p[0] + t0; c >>= 64;
        c += (tc_u128)q * p[1] + t1; t0 = (uint64_t)c; c >>= 64;
        c += (tc_u128)q * p[2] + t2; t1 = (uint64_t)c; c >>= 64;
        c += (tc_u128)q * p[3] + t3; t2 = (uint64_t)c; t3 = (uint64_t)(c >> 64);
    }
    uint64_t lo[4] = {t0, t1, t2, t3}, t[4];
    tc_limbs_add(t, lo, w + 4);
    final_sub(r, t, p);
}

static int exp_bit(const uint64_t e[4], int i)
{
    return (int)((e[i / 64] >> (i % 64)) & 1);
}

/* Left-to-right sliding window of width 5 (Menezes, van Oorschot, Vanstone,
 * Handbook of Applied Cryptography, Alg. 14.85): 16 odd powers, then about
 * one product per 6 exponent bits.  Time depends on e, not on a. */
void tc_mont_pow(uint64_t r[4], const uint64_t a[4], const uint64_t e[4], const tc_modulus *m)
{
    enum { W = 5 };
    uint64_t tbl[1 << (W - 1)][4], a2[4], acc[4];
    int top = 255;
    while (top >= 0 && !exp_bit(e, top))
        top--;
    if (top < 0) {
        memcpy(r, m->one, 32);
        return;
    }
    memcpy(tbl[0], a, 32);                     /* tbl[k] = a^(2k+1) */
    tc_mont_sqr(a2, a, m);
    for (int k = 1; k < (1 << (W - 1)); k++)
        tc_mont_mul(tbl[k], tbl[k - 1], a2, m);
    bool started = false;
    for (int i = top; i >= 0;) {
        if (!exp_bit(e, i)) {
            tc_mont_sqr(acc, acc, m);          /* started: the top bit is set */
            i--;
            continue;
        }
        int lo = i - (W - 1) < 0 ? 0 : i - (W - 1);
        while (!exp_bit(e, lo))
            lo++;
        unsigned val = 0;
        for (int k = i; k >= lo; k--)
            val = (val << 1) | (unsigned)exp_bit(e, k);
        if (started) {
            for (int k = i; k >= lo; k--)
                tc_mont_sqr(acc, acc, m);
            tc_mont_mul(acc, acc, tbl[val >> 1], m);
        } else {
            memcpy(acc, tbl[val >> 1], 32);
            started = true;
        }
        i = lo - 1;
    }
    memcpy(r, acc, 32);
}

void tc_fp_pow(tc_fp *r, const tc_fp *a, const uint64_t e[4]) { tc_mont_pow(r->l, a->l, e, &tc_fp_modulus); }
void tc_fr_pow(tc_fr *r, const tc_fr *a, const uint64_t e[4]) { tc_mont_pow(r->l, a->l, e, &tc_fr_modulus); }
