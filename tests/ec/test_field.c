/* Fp and Fr: known answers from the test vectors, and properties checked
 * against the slow bigint reference on edge-biased random values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/divsteps_table.h"
#include "ec/field.h"

static json_t *vectors;
static tc_prng rng;

/* ---------------------------------------------------------- field adapter */

typedef struct field_ops {
    const char *name;
    const tc_modulus *m;
    bool (*from_dec)(uint64_t r[4], const char *s);
    void (*to_dec)(char out[80], const uint64_t a[4]);
    bool (*sqrt)(uint64_t r[4], const uint64_t a[4]);
    void (*inv)(uint64_t r[4], const uint64_t a[4]);
    void (*to_bytes)(uint8_t out[32], const uint64_t a[4]);
    bool (*from_bytes)(uint64_t r[4], const uint8_t in[32]);
} field_ops;

static bool fp_from_dec_(uint64_t r[4], const char *s) { return tc_fp_from_dec((tc_fp *)r, s); }
static void fp_to_dec_(char o[80], const uint64_t a[4]) { tc_fp_to_dec(o, (const tc_fp *)a); }
static bool fp_sqrt_(uint64_t r[4], const uint64_t a[4]) { return tc_fp_sqrt_var((tc_fp *)r, (const tc_fp *)a); }
static void fp_inv_(uint64_t r[4], const uint64_t a[4]) { tc_fp_inv_var((tc_fp *)r, (const tc_fp *)a); }
static void fp_tob_(uint8_t o[32], const uint64_t a[4]) { tc_fp_to_bytes(o, (const tc_fp *)a); }
static bool fp_fromb_(uint64_t r[4], const uint8_t in[32]) { return tc_fp_from_bytes((tc_fp *)r, in); }
static bool fr_from_dec_(uint64_t r[4], const char *s) { return tc_fr_from_dec((tc_fr *)r, s); }
static void fr_to_dec_(char o[80], const uint64_t a[4]) { tc_fr_to_dec(o, (const tc_fr *)a); }
static bool fr_sqrt_(uint64_t r[4], const uint64_t a[4]) { return tc_fr_sqrt_var((tc_fr *)r, (const tc_fr *)a); }
static void fr_inv_(uint64_t r[4], const uint64_t a[4]) { tc_fr_inv_var((tc_fr *)r, (const tc_fr *)a); }
static void fr_tob_(uint8_t o[32], const uint64_t a[4]) { tc_fr_to_bytes(o, (const tc_fr *)a); }
static bool fr_fromb_(uint64_t r[4], const uint8_t in[32]) { return tc_fr_from_bytes((tc_fr *)r, in); }

static const field_ops FP = {"fp", &tc_fp_modulus, fp_from_dec_, fp_to_dec_, fp_sqrt_, fp_inv_, fp_tob_, fp_fromb_};
static const field_ops FR = {"fr", &tc_fr_modulus, fr_from_dec_, fr_to_dec_, fr_sqrt_, fr_inv_, fr_tob_, fr_fromb_};

static void parse(const field_ops *f, uint64_t r[4], const char *s)
{
    if (!f->from_dec(r, s))
        fail_msg("%s: cannot parse '%s'", f->name, s);
}

static void assert_dec(const field_ops *f, const uint64_t a[4], const char *want)
{
    char got[80];
    f->to_dec(got, a);
    assert_string_equal(got, want);
}

/* --------------------------------------------------------- vector checks */

static void check_binary(const field_ops *f, const char *op)
{
    json_t *rows = json_object_get(json_object_get(vectors, f->name), op);
    assert_true(json_array_size(rows) > 0);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        uint64_t a[4], b[4], r[4];
        parse(f, a, tu_str(row, "a"));
        parse(f, b, tu_str(row, "b"));
        if (!strcmp(op, "add"))
            tc_mont_add(r, a, b, f->m->p);
        else if (!strcmp(op, "sub"))
            tc_mont_sub(r, a, b, f->m->p);
        else
            tc_mont_mul(r, a, b, f->m);
        assert_dec(f, r, tu_str(row, "out"));
    }
}

static void check_field_vectors(const field_ops *f)
{
    json_t *fv = json_object_get(vectors, f->name);
    check_binary(f, "add");
    check_binary(f, "sub");
    check_binary(f, "mul");
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(fv, "inv"), i, row) {
        uint64_t a[4], r[4];
        parse(f, a, tu_str(row, "a"));
        f->inv(r, a);
        assert_dec(f, r, tu_str(row, "out"));
    }
    size_t nsq = 0;
    json_array_foreach(json_object_get(fv, "sqrt"), i, row) {
        uint64_t a[4], r[4];
        parse(f, a, tu_str(row, "a"));
        json_t *roots = json_object_get(row, "roots");
        bool ok = f->sqrt(r, a);
        if (json_is_null(roots)) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_dec(f, r, json_string_value(json_array_get(roots, 0)));
            nsq++;
        }
    }
    assert_true(nsq > 0);
    json_array_foreach(json_object_get(fv, "encode"), i, row) {
        uint64_t a[4], back[4];
        uint8_t bytes[32], want[32];
        parse(f, a, tu_str(row, "value"));
        assert_true(tc_hex_decode(want, 32, tu_str(row, "hex")));
        f->to_bytes(bytes, a);
        assert_memory_equal(bytes, want, 32);
        assert_true(f->from_bytes(back, want));
        assert_memory_equal(back, a, 32);
    }
    size_t nrej = 0;
    json_array_foreach(json_object_get(fv, "decode_reject"), i, row) {
        uint64_t a[4];
        uint8_t bytes[32];
        assert_true(tc_hex_decode(bytes, 32, tu_str(row, "hex")));
        assert_false(f->from_bytes(a, bytes));
        nrej++;
    }
    assert_true(nrej > 0);
}

static void test_fp_vectors(void **s) { (void)s; check_field_vectors(&FP); }
static void test_fr_vectors(void **s) { (void)s; check_field_vectors(&FR); }

/* ------------------------------------------------------------ properties */

/* A canonical integer below m, biased to edges: 0, 1, 2, m−1, m−2, small,
 * near 2^k, or uniform. */
static void random_canon(uint64_t v[4], const uint64_t m[4])
{
    uint64_t pick = tc_prng_below(&rng, 8);
    uint64_t one[4] = {1, 0, 0, 0};
    memset(v, 0, 32);
    switch (pick) {
    case 0: v[0] = tc_prng_below(&rng, 3); return;
    case 1: tc_limbs_sub(v, m, one); if (tc_prng_below(&rng, 2)) tc_limbs_sub(v, v, one); return;
    case 2: v[0] = tc_prng_next(&rng); return;
    case 3: { int k = (int)tc_prng_below(&rng, 254); v[k / 64] = 1ULL << (k % 64); return; }
    default:
        for (;;) {
            for (int i = 0; i < 4; i++)
                v[i] = tc_prng_next(&rng);
            v[3] &= (1ULL << 62) - 1;
            if (!tc_limbs_geq(v, m))
                return;
        }
    }
}

static void check_properties(const field_ops *f, int iters)
{
    const tc_modulus *m = f->m;
    for (int it = 0; it < iters; it++) {
        uint64_t x[4], y[4], z[4], a[4], b[4], c[4], r[4], r2[4], want[4], t[4];
        random_canon(x, m->p);
        random_canon(y, m->p);
        random_canon(z, m->p);
        tc_mont_mul(a, x, m->r2, m);            /* to Montgomery */
        tc_mont_mul(b, y, m->r2, m);
        tc_mont_mul(c, z, m->r2, m);
        /* mul: C, dispatch (asm when present) and the reference agree */
        tc_mont_mul_c(r, a, b, m);
        tc_mont_mul(r2, a, b, m);
        assert_memory_equal(r, r2, 32);
        if (tc_cpu_has_adx()) {
            tc_mont_mul_adx(r2, a, b, m->p, m->n0);
            assert_memory_equal(r, r2, 32);
            tc_mont_sqr_adx(r2, a, m->p, m->n0);
            tc_mont_sqr_c(t, a, m);
            assert_memory_equal(t, r2, 32);
        }
        const uint64_t one[4] = {1, 0, 0, 0};
        tc_mont_mul(t, r, one, m);               /* out of Montgomery */
        tc_modmul_ref(want, x, y, m->p);
        assert_memory_equal(t, want, 32);
        /* sqr agrees with mul */
        tc_mont_sqr(r, a, m);
        tc_mont_mul(r2, a, a, m);
        assert_memory_equal(r, r2, 32);
        /* add/sub against the reference on canonical values */
        tc_mont_add(r, x, y, m->p);
        tc_limbs_add(t, x, y);
        if (tc_limbs_geq(t, m->p))
            tc_limbs_sub(t, t, m->p);
        assert_memory_equal(r, t, 32);
        tc_mont_sub(r, r, y, m->p);
        assert_memory_equal(r, x, 32);
        tc_mont_neg(r, x, m->p);
        tc_mont_add(r, r, x, m->p);
        assert_true((r[0] | r[1] | r[2] | r[3]) == 0);
        /* distributivity: a(b + c) = ab + ac */
        tc_mont_add(t, b, c, m->p);
        tc_mont_mul(r, a, t, m);
        tc_mont_mul(t, a, b, m);
        tc_mont_mul(r2, a, c, m);
        tc_mont_add(r2, t, r2, m->p);
        assert_memory_equal(r, r2, 32);
        /* associativity of mul */
        tc_mont_mul(t, a, b, m);
        tc_mont_mul(r, t, c, m);
        tc_mont_mul(t, b, c, m);
        tc_mont_mul(r2, a, t, m);
        assert_memory_equal(r, r2, 32);
        /* inverse: a·a⁻¹ = 1, and it matches Fermat via the reference */
        if (x[0] | x[1] | x[2] | x[3]) {
            f->inv(r, a);
            tc_mont_mul(t, r, a, m);
            assert_memory_equal(t, m->one, 32);
            if (it % 16 == 0) {
                uint64_t e[4], two[4] = {2, 0, 0, 0};
                tc_limbs_sub(e, m->p, two);
                tc_modpow_ref(want, x, e, m->p);
                tc_mont_mul(t, r, one, m);
                assert_memory_equal(t, want, 32);
            }
        }
        /* sqrt of a square is a root, the smaller one; legendre agrees */
        tc_mont_sqr(t, a, m);
        assert_true(f->sqrt(r, t));
        tc_mont_sqr(r2, r, m);
        assert_memory_equal(r2, t, 32);
        int leg = tc_mont_legendre_var(a, m);
        assert_int_equal(leg, (x[0] | x[1] | x[2] | x[3]) ? (f->sqrt(r, a) ? 1 : -1) : 0);
        /* bytes round trip */
        uint8_t bytes[32];
        f->to_bytes(bytes, a);
        assert_true(f->from_bytes(r, bytes));
        assert_memory_equal(r, a, 32);
        /* decimal round trip */
        char dec[80];
        f->to_dec(dec, a);
        parse(f, r, dec);
        assert_memory_equal(r, a, 32);
    }
}

static void test_fp_properties(void **s) { (void)s; check_properties(&FP, 2000); }
static void test_fr_properties(void **s) { (void)s; check_properties(&FR, 2000); }

static void test_batch_inv(void **s)
{
    (void)s;
    enum { N = 37 };
    tc_fp a[N], r[N], scratch[N], t;
    for (int i = 0; i < N; i++) {
        uint64_t v[4];
        random_canon(v, tc_fp_modulus.p);
        if (i % 7 == 3)
            memset(v, 0, 32);                      /* zeros map to zero */
        assert_true(tc_fp_from_limbs(&a[i], v));
    }
    tc_fp_batch_inv_var(r, a, N, scratch);
    for (int i = 0; i < N; i++) {
        tc_fp_inv_var(&t, &a[i]);
        assert_memory_equal(&t, &r[i], 32);
    }
    tc_fp_batch_inv_var(a, a, N, scratch);             /* in place */
    assert_memory_equal(a, r, sizeof a);
    tc_fp_batch_inv_var(r, a, 0, scratch);             /* empty */
}

static void test_decimal_parse(void **s)
{
    (void)s;
    uint64_t v[4];
    assert_true(tc_limbs_from_dec(v, "0"));
    assert_false(tc_limbs_from_dec(v, ""));
    assert_false(tc_limbs_from_dec(v, "01"));
    assert_false(tc_limbs_from_dec(v, "-1"));
    assert_false(tc_limbs_from_dec(v, "12a"));
    /* 2^256 overflows; 2^256 − 1 does not */
    assert_false(tc_limbs_from_dec(v, "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
    assert_true(tc_limbs_from_dec(v, "115792089237316195423570985008687907853269984665640564039457584007913129639935"));
    assert_true(v[0] == UINT64_MAX && v[3] == UINT64_MAX);
    tc_fr x;
    assert_false(tc_fr_from_dec(&x, json_string_value(json_object_get(json_object_get(vectors, "fr"), "modulus"))));
    tc_fr_from_i64(&x, -1);
    char d[80];
    tc_fr_to_dec(d, &x);
    assert_string_equal(d, "21888242871839275222246405745257275088548364400416034343698204186575808495616");
    tc_fr_from_i64(&x, INT64_MIN);
    tc_fr_neg(&x, &x);
    tc_fr_to_dec(d, &x);
    assert_string_equal(d, "9223372036854775808");
}

static void test_from_bytes_wide(void **s)
{
    (void)s;
    /* 2^256 mod r, computed by the reference as (2^128)^2 */
    uint8_t in[64] = {0};
    in[32] = 1;
    tc_fr x;
    tc_fr_from_bytes_wide(&x, in);
    uint64_t got[4], want[4], two128[4] = {0, 0, 1, 0}, two64[4] = {0, 1, 0, 0};
    tc_fr_to_limbs(got, &x);
    tc_modmul_ref(want, two128, two128, tc_fr_modulus.p);
    assert_memory_equal(got, want, 32);
    memset(in, 0xff, 64);                         /* 2^512 − 1 */
    tc_fr_from_bytes_wide(&x, in);
    tc_fr_to_limbs(got, &x);
    uint64_t t[4], one[4] = {1, 0, 0, 0};
    tc_modmul_ref(t, two128, two128, tc_fr_modulus.p);   /* 2^256 */
    tc_modmul_ref(t, t, t, tc_fr_modulus.p);             /* 2^512 */
    (void)two64;
    tc_mont_sub(want, t, one, tc_fr_modulus.p);
    assert_memory_equal(got, want, 32);
}

/* ------------------------------------------------ generic moduli and asm */

/* Builds the Montgomery constants of an odd modulus p < 2^254 with the
 * bigint reference only: n0 = −p⁻¹ mod 2^64 by Newton's iteration,
 * R mod p = (2^128)² mod p, R² mod p = (R mod p)² mod p. */
static void make_modulus(tc_modulus *m, const uint64_t p[4])
{
    memcpy(m->p, p, 32);
    uint64_t inv = p[0];                      /* correct mod 2^3 */
    for (int i = 0; i < 5; i++)
        inv *= 2 - p[0] * inv;                /* doubles the correct bits */
    assert_true(inv * p[0] == 1);
    m->n0 = 0 - inv;
    const uint64_t two128[4] = {0, 0, 1, 0};
    tc_modmul_ref(m->one, two128, two128, p);
    tc_modmul_ref(m->r2, m->one, m->one, p);
}

typedef struct named_modulus {
    const char *name;
    uint64_t p[4];
    bool prime;
} named_modulus;

/* Odd moduli for the generic code: the BN254 fields, small primes whose
 * values live in one or two limbs, and composites at the 2^254 limit that
 * the multiplication (not the inversion) must handle. */
static const named_modulus MODULI[] = {
    {"bn254 p", {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}, true},
    {"bn254 r", {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}, true},
    {"2^61-1", {0x1fffffffffffffffULL, 0, 0, 0}, true},
    {"2^64-59", {0xffffffffffffffc5ULL, 0, 0, 0}, true},
    {"2^127-1", {UINT64_MAX, 0x7fffffffffffffffULL, 0, 0}, true},
    {"2^254-1", {UINT64_MAX, UINT64_MAX, UINT64_MAX, 0x3fffffffffffffffULL}, false},
    {"2^253+1", {1, 0, 0, 0x2000000000000000ULL}, false},
    {"all-ones limbs", {UINT64_MAX, UINT64_MAX, UINT64_MAX, 0x0000000000000001ULL}, false},
};
#define N_MODULI (sizeof MODULI / sizeof MODULI[0])

/* A value below m biased to the edges the carry chains care about. */
static void edge_value(uint64_t v[4], const tc_modulus *m)
{
    const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t t[4];
    memset(v, 0, 32);
    switch (tc_prng_below(&rng, 12)) {
    case 0: v[0] = tc_prng_below(&rng, 3); return;                 /* 0, 1, 2 */
    case 1: tc_limbs_sub(v, m->p, one); return;                     /* m − 1 */
    case 2: tc_limbs_sub(v, m->p, one); tc_limbs_sub(v, v, one); return;
    case 3: memcpy(v, m->one, 32); return;                          /* R mod m */
    case 4: memcpy(v, m->r2, 32); return;                           /* R² mod m */
    case 5:                                                         /* (m ± 1)/2 */
        memcpy(v, m->p, 32);
        v[0] = (v[0] >> 1) | (v[1] << 63);
        v[1] = (v[1] >> 1) | (v[2] << 63);
        v[2] = (v[2] >> 1) | (v[3] << 63);
        v[3] >>= 1;
        if (tc_prng_below(&rng, 2))
            tc_limbs_add(v, v, one);
        return;
    default:
        break;
    }
    /* limbs drawn from {0, all ones, one bit, random}, reduced below m */
    for (int i = 0; i < 4; i++) {
        switch (tc_prng_below(&rng, 4)) {
        case 0: t[i] = 0; break;
        case 1: t[i] = UINT64_MAX; break;
        case 2: t[i] = 1ULL << tc_prng_below(&rng, 64); break;
        default: t[i] = tc_prng_next(&rng); break;
        }
    }
    int top = 3;
    while (top > 0 && m->p[top] == 0)
        top--;
    for (int i = top + 1; i < 4; i++)
        t[i] = 0;
    int bits = 64 - __builtin_clzll(m->p[top]);     /* bits of the top limb */
    if (bits < 64)
        t[top] &= (1ULL << bits) - 1;
    while (tc_limbs_geq(t, m->p))
        tc_limbs_sub(t, t, m->p);
    memcpy(v, t, 32);
}

/* Montgomery product against the reference: a·b·R⁻¹ ≡ want (mod m) means
 * want·R ≡ a·b. */
static void check_mont_product(const tc_modulus *m, const uint64_t a[4], const uint64_t b[4],
                               const uint64_t got[4])
{
    uint64_t lhs[4], rhs[4];
    assert_false(tc_limbs_geq(got, m->p));        /* fully reduced */
    tc_modmul_ref(lhs, got, m->one, m->p);
    tc_modmul_ref(rhs, a, b, m->p);
    assert_memory_equal(lhs, rhs, 32);
}

static void check_mul_impls(const tc_modulus *m, int iters)
{
    for (int it = 0; it < iters; it++) {
        uint64_t a[4], b[4], rc[4], rs[4], t[4];
        edge_value(a, m);
        edge_value(b, m);
        tc_mont_mul_c(rc, a, b, m);
        check_mont_product(m, a, b, rc);
        tc_mont_sqr_c(rs, a, m);
        check_mont_product(m, a, a, rs);
        if (!tc_cpu_has_adx())
            continue;
        tc_mont_mul_adx(t, a, b, m->p, m->n0);
        assert_memory_equal(t, rc, 32);
        tc_mont_sqr_adx(t, a, m->p, m->n0);
        assert_memory_equal(t, rs, 32);
        /* aliasing: r = a, r = b, a = b, r = a = b */
        memcpy(t, a, 32);
        tc_mont_mul_adx(t, t, b, m->p, m->n0);
        assert_memory_equal(t, rc, 32);
        memcpy(t, b, 32);
        tc_mont_mul_adx(t, a, t, m->p, m->n0);
        assert_memory_equal(t, rc, 32);
        tc_mont_mul_adx(t, a, a, m->p, m->n0);
        assert_memory_equal(t, rs, 32);
        memcpy(t, a, 32);
        tc_mont_mul_adx(t, t, t, m->p, m->n0);
        assert_memory_equal(t, rs, 32);
        memcpy(t, a, 32);
        tc_mont_sqr_adx(t, t, m->p, m->n0);
        assert_memory_equal(t, rs, 32);
        /* the same aliasing through the portable code */
        memcpy(t, a, 32);
        tc_mont_mul_c(t, t, b, m);
        assert_memory_equal(t, rc, 32);
        memcpy(t, b, 32);
        tc_mont_mul_c(t, a, t, m);
        assert_memory_equal(t, rc, 32);
        memcpy(t, a, 32);
        tc_mont_sqr_c(t, t, m);
        assert_memory_equal(t, rs, 32);
    }
}

static void test_mul_generic_moduli(void **s)
{
    (void)s;
    for (size_t k = 0; k < N_MODULI; k++) {
        tc_modulus m;
        make_modulus(&m, MODULI[k].p);
        if (k < 2)   /* the constants we ship match the derived ones */
            assert_memory_equal(&m, k == 0 ? &tc_fp_modulus : &tc_fr_modulus, sizeof m);
        check_mul_impls(&m, 1500);
    }
}

/* Every pair of the fixed edge values, exhaustively, on the BN254 fields. */
static void test_mul_edge_pairs(void **s)
{
    (void)s;
    for (int k = 0; k < 2; k++) {
        const tc_modulus *m = k == 0 ? &tc_fp_modulus : &tc_fr_modulus;
        const uint64_t one[4] = {1, 0, 0, 0};
        uint64_t e[10][4] = {{0}};
        e[1][0] = 1;
        e[2][0] = 2;
        tc_limbs_sub(e[3], m->p, one);                    /* p − 1 */
        tc_limbs_sub(e[4], e[3], one);                    /* p − 2 */
        memcpy(e[5], m->one, 32);
        memcpy(e[6], m->r2, 32);
        e[7][0] = e[7][1] = e[7][2] = UINT64_MAX;         /* 2^192 − 1 */
        e[8][3] = m->p[3] - 1;                            /* top limb only */
        e[8][0] = e[8][1] = e[8][2] = UINT64_MAX;
        e[9][3] = 1ULL << 61;                             /* 2^253 */
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                uint64_t r[4], t[4];
                tc_mont_mul_c(r, e[i], e[j], m);
                check_mont_product(m, e[i], e[j], r);
                tc_mont_mul(t, e[i], e[j], m);
                assert_memory_equal(t, r, 32);
                if (tc_cpu_has_adx()) {
                    tc_mont_mul_adx(t, e[i], e[j], m->p, m->n0);
                    assert_memory_equal(t, r, 32);
                }
            }
            uint64_t r[4], t[4];
            tc_mont_sqr_c(r, e[i], m);
            check_mont_product(m, e[i], e[i], r);
            tc_mont_sqr(t, e[i], m);
            assert_memory_equal(t, r, 32);
        }
    }
}

/* Inversion against Fermat (x^(p−2) by the reference) and the Legendre
 * symbol against Euler's criterion (x^((p−1)/2)), on every prime modulus. */
static void test_inv_legendre_generic(void **s)
{
    (void)s;
    const uint64_t one[4] = {1, 0, 0, 0}, two[4] = {2, 0, 0, 0};
    for (size_t k = 0; k < N_MODULI; k++) {
        if (!MODULI[k].prime)
            continue;
        tc_modulus m;
        make_modulus(&m, MODULI[k].p);
        uint64_t pm2[4], half[4];
        tc_limbs_sub(pm2, m.p, two);
        tc_limbs_sub(half, m.p, one);
        half[0] = (half[0] >> 1) | (half[1] << 63);
        half[1] = (half[1] >> 1) | (half[2] << 63);
        half[2] = (half[2] >> 1) | (half[3] << 63);
        half[3] >>= 1;
        int seen[3] = {0, 0, 0};
        for (int it = 0; it < 40; it++) {
            uint64_t x[4], a[4], r[4], t[4], want[4];
            edge_value(x, &m);
            tc_mont_mul_c(a, x, m.r2, &m);            /* Montgomery form of x */
            /* inverse: a⁻¹ in Montgomery form, 0 ↦ 0, in place too */
            tc_mont_inv_var(r, a, &m);
            tc_mont_mul_c(t, r, one, &m);             /* canonical x⁻¹ */
            bool zero = (x[0] | x[1] | x[2] | x[3]) == 0;
            if (zero) {
                assert_true((r[0] | r[1] | r[2] | r[3]) == 0);
            } else {
                tc_modpow_ref(want, x, pm2, m.p);
                assert_memory_equal(t, want, 32);
            }
            memcpy(t, a, 32);
            tc_mont_inv_var(t, t, &m);
            assert_memory_equal(t, r, 32);
            /* Legendre symbol */
            int leg = tc_mont_legendre_var(a, &m);
            tc_modpow_ref(want, x, half, m.p);
            int euler = zero ? 0 : memcmp(want, one, 32) == 0 ? 1 : -1;
            assert_int_equal(leg, euler);
            seen[leg + 1]++;
            /* x² is a residue */
            if (!zero) {
                tc_mont_sqr_c(t, a, &m);
                assert_int_equal(tc_mont_legendre_var(t, &m), 1);
            }
        }
        assert_true(seen[0] > 0 && seen[2] > 0);      /* both kinds met */
    }
}

/* Inversion and Legendre symbol on many more values than the reference can
 * afford: a·a⁻¹ = 1, and (a/p)·(b/p) = (ab/p) with squares known to be 1. */
static void test_inv_legendre_properties(void **s)
{
    (void)s;
    for (int k = 0; k < 2; k++) {
        const tc_modulus *m = k == 0 ? &tc_fp_modulus : &tc_fr_modulus;
        for (int it = 0; it < 3000; it++) {
            uint64_t x[4], y[4], a[4], b[4], r[4], t[4];
            edge_value(x, m);
            edge_value(y, m);
            tc_mont_mul(a, x, m->r2, m);
            tc_mont_mul(b, y, m->r2, m);
            bool za = (x[0] | x[1] | x[2] | x[3]) == 0;
            tc_mont_inv_var(r, a, m);
            if (!za) {
                tc_mont_mul(t, r, a, m);
                assert_memory_equal(t, m->one, 32);
                tc_mont_inv_var(t, r, m);                 /* (a⁻¹)⁻¹ = a */
                assert_memory_equal(t, a, 32);
            }
            int la = tc_mont_legendre_var(a, m), lb = tc_mont_legendre_var(b, m);
            tc_mont_mul(t, a, b, m);
            assert_int_equal(tc_mont_legendre_var(t, m), la * lb);
            tc_mont_neg(t, a, m->p);                  /* (−1/p): p ≡ 3 mod 4 for Fp */
            if (k == 0)
                assert_int_equal(tc_mont_legendre_var(t, m), -la);
            else
                assert_int_equal(tc_mont_legendre_var(t, m), la);   /* r ≡ 1 mod 4 */
        }
    }
}

/* a·a⁻¹ = 1 for one nonzero Montgomery element a < m->p (zero is skipped). */
static void check_inv_one(const tc_modulus *m, const uint64_t a[4])
{
    uint64_t r[4], t[4];
    if ((a[0] | a[1] | a[2] | a[3]) == 0)
        return;
    tc_mont_inv_var(r, a, m);
    tc_mont_mul(t, r, a, m);
    assert_memory_equal(t, m->one, 32);
}

/* a, p − a (for a ≠ 0), and the Montgomery form of a (a taken as an integer). */
static void check_inv_family(const tc_modulus *m, const uint64_t a[4])
{
    uint64_t t[4];
    check_inv_one(m, a);
    tc_mont_neg(t, a, m->p);
    check_inv_one(m, t);
    tc_mont_mul(t, a, m->r2, m);
    check_inv_one(m, t);
    tc_mont_neg(t, t, m->p);
    check_inv_one(m, t);
}

/* Inputs with long runs of equal bits drive the variable-time divsteps
 * through their rare branches (long runs of even g, the short top limb, an
 * early zero low limb): ±k for small k and ±(2^j + d), both as the raw
 * inversion input and as the field element, in Fp and Fr. */
static void test_inv_structured(void **s)
{
    (void)s;
    for (int k = 0; k < 2; k++) {
        const tc_modulus *m = k == 0 ? &tc_fp_modulus : &tc_fr_modulus;
        for (uint64_t v = 1; v <= 3000; v++) {
            uint64_t a[4] = {v, 0, 0, 0};
            check_inv_family(m, a);
        }
        for (int j = 0; j < 254; j++) {
            for (int d = -16; d <= 16; d++) {
                uint64_t a[4] = {0, 0, 0, 0}, b[4] = {(uint64_t)(d < 0 ? -d : d), 0, 0, 0};
                a[j / 64] = (uint64_t)1 << (j % 64);          /* 2^j < p */
                if (d < 0)
                    tc_mont_sub(a, a, b, m->p);               /* mod p */
                else
                    tc_mont_add(a, a, b, m->p);
                check_inv_family(m, a);
            }
        }
    }
    /* the public Fr entry points on ±k, r − k included */
    for (int64_t v = -300; v <= 300; v++) {
        tc_fr a, b, c;
        tc_fr_from_i64(&a, v);
        tc_fr_inv_var(&b, &a);
        tc_fr_mul(&c, &a, &b);
        assert_true(v == 0 ? tc_fr_is_zero(&b) : tc_fr_is_one(&c));
    }
}

/* One divstep (η = −δ) on exact integers, with the matrix scaled by 2^j
 * after j steps: 2^j·(f, g) = (u f0 + v g0, q f0 + r g0). */
typedef struct divstep_state { int64_t eta; __int128 f, g; int64_t u, v, q, r; } divstep_state;

static void divstep(divstep_state *x)
{
    if (x->eta < 0 && (x->g & 1)) {
        __int128 f = x->f;
        int64_t u = x->u, v = x->v;
        x->eta = -x->eta - 1;
        x->f = x->g;
        x->g = (x->g - f) / 2;
        x->u = 2 * x->q, x->v = 2 * x->r;
        x->q -= u, x->r -= v;
    } else if (x->g & 1) {
        x->eta--;
        x->g = (x->g + x->f) / 2;
        x->q += x->u, x->r += x->v;
        x->u *= 2, x->v *= 2;
    } else {
        x->eta--;
        x->g /= 2;
        x->u *= 2, x->v *= 2;
    }
}

static int64_t table_byte(uint32_t w, int k) { return (int8_t)(uint8_t)(w >> (8 * k)); }

/* The six-divstep table against six single divsteps: every entry, then
 * random full words with η far outside the clamped range (the table's claim
 * that η ≤ −6 and η ≥ 5 behave alike), checking the matrix on the values. */
static void test_divsteps_table(void **s)
{
    (void)s;
    tc_divsteps6_init();
    for (int i = 0; i < TC_DIVSTEPS6_ENTRIES; i++) {
        int64_t ec = (i >> 11) - 6;
        divstep_state x = {ec, 2 * ((i >> 6) & 31) + 1, i & 63, 1, 0, 0, 1};
        for (int j = 0; j < 6; j++)
            divstep(&x);
        uint32_t w = tc_divsteps6_matrix[i];
        assert_int_equal(table_byte(w, 0), x.u);
        assert_int_equal(table_byte(w, 1), x.v);
        assert_int_equal(table_byte(w, 2), x.q);
        assert_int_equal(table_byte(w, 3), x.r);
        int64_t sm = tc_divsteps6_eta[i][1];
        assert_true(sm == 0 || sm == -1);
        assert_int_equal(((ec ^ sm) - sm) + tc_divsteps6_eta[i][0], x.eta);
    }
    for (int it = 0; it < 20000; it++) {
        int64_t eta;
        switch (it % 4) {
        case 0: eta = (int64_t)tc_prng_below(&rng, 41) - 20; break;
        case 1: eta = -6 - (int64_t)tc_prng_below(&rng, 1000); break;
        case 2: eta = 5 + (int64_t)tc_prng_below(&rng, 1000); break;
        default: eta = (int64_t)tc_prng_below(&rng, 13) - 7; break;
        }
        uint64_t f = tc_prng_next(&rng) | 1, g = tc_prng_next(&rng);
        if (it % 5 == 0)
            g &= ~(uint64_t)63 << (tc_prng_below(&rng, 3) * 2);   /* even runs */
        divstep_state x = {eta, f, g, 1, 0, 0, 1};
        for (int j = 0; j < 6; j++)
            divstep(&x);
        int64_t ec = eta < -6 ? -6 : eta > 5 ? 5 : eta;
        int i = (int)((ec + 6) << 11 | (int64_t)((f >> 1) & 31) << 6 | (int64_t)(g & 63));
        uint32_t w = tc_divsteps6_matrix[i];
        __int128 u = table_byte(w, 0), v = table_byte(w, 1), q = table_byte(w, 2),
                 r = table_byte(w, 3);
        assert_true(u * f + v * g == 64 * x.f);
        assert_true(q * f + r * g == 64 * x.g);
        int64_t sm = tc_divsteps6_eta[i][1];
        assert_int_equal(((eta ^ sm) - sm) + tc_divsteps6_eta[i][0], x.eta);
    }
}

/* a·r ≡ R² (mod p) and r < p: r is the Montgomery form of a's inverse. */
static void check_inv_raw(const tc_modulus *m, const uint64_t a[4])
{
    uint64_t r[4], t[4];
    tc_mont_inv_var(r, a, m);
    assert_false(tc_limbs_geq(r, m->p));
    tc_mont_mul(t, r, a, m);
    assert_memory_equal(t, m->one, 32);
}

/* Inversion on every prime modulus at the inputs that stress the divsteps
 * and the final normalisation: 1, 2, p − 1, p − 2, (p ± 1)/2, 2^j, 2^j ± 1
 * and p − 2^j (long runs of even g from the first step on), and random
 * values; each also against Fermat's x^(p−2) by the reference. */
static void test_inv_edges_generic(void **s)
{
    (void)s;
    const uint64_t one[4] = {1, 0, 0, 0}, two[4] = {2, 0, 0, 0};
    for (size_t k = 0; k < N_MODULI; k++) {
        if (!MODULI[k].prime)
            continue;
        tc_modulus m;
        make_modulus(&m, MODULI[k].p);
        int top = 3;
        while (m.p[top] == 0)
            top--;
        int bits = 64 * top + 64 - __builtin_clzll(m.p[top]);
        uint64_t pm1[4], pm2[4], half[4];
        tc_limbs_sub(pm1, m.p, one);
        tc_limbs_sub(pm2, m.p, two);
        memcpy(half, m.p, 32);
        half[0] = (half[0] >> 1) | (half[1] << 63);
        half[1] = (half[1] >> 1) | (half[2] << 63);
        half[2] = (half[2] >> 1) | (half[3] << 63);
        half[3] >>= 1;
        uint64_t fixed[6][4];
        memcpy(fixed[0], one, 32);
        memcpy(fixed[1], two, 32);
        memcpy(fixed[2], pm1, 32);
        memcpy(fixed[3], pm2, 32);
        memcpy(fixed[4], half, 32);
        tc_limbs_add(fixed[5], half, one);
        for (int i = 0; i < 6; i++)
            check_inv_raw(&m, fixed[i]);
        for (int j = 0; j < bits - 1; j++) {
            uint64_t a[4] = {0, 0, 0, 0}, b[4];
            a[j / 64] = (uint64_t)1 << (j % 64);
            check_inv_raw(&m, a);                          /* 2^j */
            tc_limbs_sub(b, m.p, a);
            check_inv_raw(&m, b);                          /* p − 2^j */
            tc_limbs_add(b, a, one);
            if (!tc_limbs_geq(b, m.p))
                check_inv_raw(&m, b);                      /* 2^j + 1 */
            if (j > 1) {
                tc_limbs_sub(b, a, one);
                check_inv_raw(&m, b);                      /* 2^j − 1 */
            }
        }
        for (int it = 0; it < 40; it++) {
            uint64_t x[4], a[4], r[4], t[4], want[4];
            edge_value(x, &m);
            if ((x[0] | x[1] | x[2] | x[3]) == 0)
                continue;
            tc_mont_mul_c(a, x, m.r2, &m);                 /* Montgomery form */
            check_inv_raw(&m, a);
            tc_mont_inv_var(r, a, &m);
            tc_mont_mul_c(t, r, one, &m);                  /* canonical x⁻¹ */
            tc_modpow_ref(want, x, pm2, m.p);
            assert_memory_equal(t, want, 32);
        }
    }
}

/* Sliding-window exponentiation against the reference, small and full
 * exponents, on the BN254 fields and a toy prime. */
static void test_pow(void **s)
{
    (void)s;
    tc_modulus toy;
    make_modulus(&toy, MODULI[3].p);
    const tc_modulus *ms[3] = {&tc_fp_modulus, &tc_fr_modulus, &toy};
    const uint64_t one[4] = {1, 0, 0, 0};
    for (int k = 0; k < 3; k++) {
        const tc_modulus *m = ms[k];
        for (int it = 0; it < 30; it++) {
            uint64_t x[4], a[4], e[4], r[4], t[4], want[4];
            edge_value(x, m);
            for (int i = 0; i < 4; i++)
                e[i] = tc_prng_next(&rng);
            switch (it % 5) {
            case 0: memset(e, 0, 32); e[0] = (uint64_t)it / 5; break;  /* 0, 1, 2, … */
            case 1: e[1] = e[2] = e[3] = 0; break;
            case 2: e[0] = UINT64_MAX; e[3] = UINT64_MAX; break;
            default: break;
            }
            tc_mont_mul(a, x, m->r2, m);
            tc_mont_pow(r, a, e, m);
            tc_mont_mul(t, r, one, m);
            tc_modpow_ref(want, x, e, m->p);
            assert_memory_equal(t, want, 32);
            tc_mont_pow(a, a, e, m);                  /* in place */
            assert_memory_equal(a, r, 32);
        }
    }
}

/* Square roots of the edge values: a root exactly when Euler says so. */
static void test_sqrt_edges(void **s)
{
    (void)s;
    /* the shipped root of unity is 5^((r−1)/2^28), of order exactly 2^28 */
    const tc_modulus *mr = &tc_fr_modulus;
    uint64_t T[4], five[4] = {5, 0, 0, 0}, want[4], got[4], one[4] = {1, 0, 0, 0};
    tc_limbs_sub(T, mr->p, one);
    for (int i = 0; i < 28; i++) {
        T[0] = (T[0] >> 1) | (T[1] << 63);
        T[1] = (T[1] >> 1) | (T[2] << 63);
        T[2] = (T[2] >> 1) | (T[3] << 63);
        T[3] >>= 1;
    }
    assert_true(T[0] & 1);
    tc_modpow_ref(want, five, T, mr->p);
    tc_mont_mul_c(got, tc_fr_root_of_unity_mont, one, mr);
    assert_memory_equal(got, want, 32);
    uint64_t z[4];
    memcpy(z, tc_fr_root_of_unity_mont, 32);
    for (int i = 0; i < 27; i++)
        tc_mont_sqr(z, z, mr);
    tc_mont_neg(got, mr->one, mr->p);
    assert_memory_equal(z, got, 32);             /* z^(2^27) = −1 */
    for (int it = 0; it < 400; it++) {
        tc_fp a, r, t;
        uint64_t x[4];
        edge_value(x, &tc_fp_modulus);
        tc_mont_mul(a.l, x, tc_fp_modulus.r2, &tc_fp_modulus);
        bool ok = tc_fp_sqrt_var(&r, &a);
        assert_int_equal(ok, tc_fp_legendre_var(&a) >= 0);
        if (ok) {
            tc_fp_sqr(&t, &r);
            assert_true(tc_fp_eq(&t, &a));
            assert_false(tc_fp_is_lexlargest(&r));
        }
        tc_fr b, rb, tb;
        edge_value(x, &tc_fr_modulus);
        tc_mont_mul(b.l, x, tc_fr_modulus.r2, &tc_fr_modulus);
        ok = tc_fr_sqrt_var(&rb, &b);
        assert_int_equal(ok, tc_fr_legendre_var(&b) >= 0);
        if (ok) {
            tc_fr_sqr(&tb, &rb);
            assert_true(tc_fr_eq(&tb, &b));
        }
    }
}

int main(void)
{
    vectors = tu_load_json("vectors/bn254_basic.json");
    tc_prng_seed(&rng, tu_seed("test_field"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp_vectors),
        cmocka_unit_test(test_fr_vectors),
        cmocka_unit_test(test_fp_properties),
        cmocka_unit_test(test_fr_properties),
        cmocka_unit_test(test_batch_inv),
        cmocka_unit_test(test_decimal_parse),
        cmocka_unit_test(test_from_bytes_wide),
        cmocka_unit_test(test_mul_generic_moduli),
        cmocka_unit_test(test_mul_edge_pairs),
        cmocka_unit_test(test_inv_legendre_generic),
        cmocka_unit_test(test_inv_legendre_properties),
        cmocka_unit_test(test_inv_structured),
        cmocka_unit_test(test_divsteps_table),
        cmocka_unit_test(test_inv_edges_generic),
        cmocka_unit_test(test_pow),
        cmocka_unit_test(test_sqrt_edges),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
