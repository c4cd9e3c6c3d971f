/* Generic Montgomery arithmetic over a modulus below 2^254 (portable C),
 * the BN254 moduli, CPU dispatch, and exponentiation-based helpers. */
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

#ifdef TC_HAVE_ADX_ASM
int tc_cpu_adx_flag;

__attribute__((constructor)) static void detect_cpu(void)
{
    __builtin_cpu_init();
    tc_cpu_adx_flag = 0; /* until the assembly exists */
}
#endif

bool tc_cpu_has_adx(void)
{
#ifdef TC_HAVE_ADX_ASM
    return tc_cpu_adx_flag != 0;
#else
    return false;
#endif
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
    uint64_t t[4] = {t0, t1, t2, t3}, d[4];
    uint64_t borrow = tc_limbs_sub(d, t, p);
    uint64_t mask = 0 - borrow;
    for (int i = 0; i < 4; i++)
        r[i] = (t[i] & mask) | (d[i] & ~mask);
}

void tc_mont_sqr_c(uint64_t r[4], const uint64_t a[4], const tc_modulus *m)
{
    tc_mont_mul_c(r, a, a, m);
}

/* r = a^e (Montgomery in and out), left-to-right square and multiply. */
static void mont_pow(uint64_t r[4], const uint64_t a[4], const uint64_t e[4],
                     const tc_modulus *m)
{
    uint64_t acc[4], base[4];
    memcpy(acc, m->one, sizeof acc);
    memcpy(base, a, sizeof base);
    for (int i = 255; i >= 0; i--) {
        tc_mont_sqr(acc, acc, m);
        if ((e[i / 64] >> (i % 64)) & 1)
            tc_mont_mul(acc, acc, base, m);
    }
    memcpy(r, acc, sizeof acc);
}

void tc_fp_pow(tc_fp *r, const tc_fp *a, const uint64_t e[4]) { mont_pow(r->l, a->l, e, &tc_fp_modulus); }
void tc_fr_pow(tc_fr *r, const tc_fr *a, const uint64_t e[4]) { mont_pow(r->l, a->l, e, &tc_fr_modulus); }

#ifdef TC_HAVE_ADX_ASM
/* Placeholder until the MULX/ADCX/ADOX assembly lands in src/ec/asm/: the
 * dispatch flag stays off, and these forward to the portable code. */
void tc_mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                     const uint64_t p[4], uint64_t n0)
{
    tc_modulus m = {{p[0], p[1], p[2], p[3]}, n0, {0}, {0}};
    tc_mont_mul_c(r, a, b, &m);
}

void tc_mont_sqr_adx(uint64_t r[4], const uint64_t a[4], const uint64_t p[4], uint64_t n0)
{
    tc_mont_mul_adx(r, a, a, p, n0);
}
#endif
