/* Decimal strings ↔ 256-bit integers, and the slow bigint references. */
#include "ec/field.h"

#include <string.h>

bool tc_limbs_from_dec(uint64_t v[4], const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 78 || (n > 1 && s[0] == '0'))
        return false;
    uint64_t x[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        tc_u128 c = (uint64_t)(s[i] - '0');
        for (int k = 0; k < 4; k++) {         /* x = 10·x + digit */
            c += (tc_u128)x[k] * 10;
            x[k] = (uint64_t)c;
            c >>= 64;
        }
        if (c != 0)
            return false;
    }
    memcpy(v, x, sizeof x);
    return true;
}

void tc_limbs_to_dec(char out[80], const uint64_t v[4])
{
    uint64_t x[4];
    char buf[80];
    int n = 0;
    memcpy(x, v, sizeof x);
    do {                                      /* x, rem = divmod(x, 10) */
        tc_u128 rem = 0;
        for (int k = 3; k >= 0; k--) {
            tc_u128 cur = (rem << 64) | x[k];
            x[k] = (uint64_t)(cur / 10);
            rem = cur % 10;
        }
        buf[n++] = (char)('0' + (int)rem);
    } while (x[0] | x[1] | x[2] | x[3]);
    for (int i = 0; i < n; i++)
        out[i] = buf[n - 1 - i];
    out[n] = '\0';
}

bool tc_fp_from_dec(tc_fp *r, const char *s)
{
    uint64_t v[4];
    return tc_limbs_from_dec(v, s) && tc_fp_from_limbs(r, v);
}

bool tc_fr_from_dec(tc_fr *r, const char *s)
{
    uint64_t v[4];
    return tc_limbs_from_dec(v, s) && tc_fr_from_limbs(r, v);
}

void tc_fp_to_dec(char out[80], const tc_fp *a)
{
    uint64_t v[4];
    tc_fp_to_limbs(v, a);
    tc_limbs_to_dec(out, v);
}

void tc_fr_to_dec(char out[80], const tc_fr *a)
{
    uint64_t v[4];
    tc_fr_to_limbs(v, a);
    tc_limbs_to_dec(out, v);
}

/* ------------------------------------------------------------ references */

/* Schoolbook 512-bit product, then reduction by shift-and-subtract, one bit
 * at a time: slow, obviously correct, independent of Montgomery. */
void tc_modmul_ref(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                   const uint64_t m[4])
{
    uint64_t prod[8] = {0};
    for (int i = 0; i < 4; i++) {
        tc_u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c += (tc_u128)a[i] * b[j] + prod[i + j];
            prod[i + j] = (uint64_t)c;
            c >>= 64;
        }
        prod[i + 4] = (uint64_t)c;
    }
    /* rem = (rem·2 + bit) mod m over the 512 bits, most significant first;
     * rem < m < 2^255 so rem·2 + 1 fits in 256 bits. */
    uint64_t rem[4] = {0, 0, 0, 0};
    for (int i = 511; i >= 0; i--) {
        uint64_t bit = (prod[i / 64] >> (i % 64)) & 1;
        tc_limbs_add(rem, rem, rem);
        rem[0] |= bit;
        if (tc_limbs_geq(rem, m))
            tc_limbs_sub(rem, rem, m);
    }
    memcpy(r, rem, sizeof rem);
}

void tc_modpow_ref(uint64_t r[4], const uint64_t a[4], const uint64_t e[4],
                   const uint64_t m[4])
{
    uint64_t acc[4] = {1, 0, 0, 0};
    for (int i = 255; i >= 0; i--) {
        tc_modmul_ref(acc, acc, acc, m);
        if ((e[i / 64] >> (i % 64)) & 1)
            tc_modmul_ref(acc, acc, a, m);
    }
    memcpy(r, acc, sizeof acc);
}
