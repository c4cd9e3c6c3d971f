/* Exhaustive test of the group-law template (src/ec/curve_impl.h) on a toy
 * curve small enough to enumerate: y² = x³ + 3 over F_271, 244 points
 * (= 4·61, so points of order 2, 3 and 4 occur and every special case of
 * the formulas is reached).  The template is instantiated here over a plain
 * modular field, exactly as g1.c and g2.c instantiate it over Fp and Fp2,
 * and checked against an independent affine chord-and-tangent law, for
 * every pair of points and with random Jacobian representatives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/curve_scalar.h"
#include "ec/field.h"

#define Q 271u
#define N_POINTS 244

static tc_prng rng;

/* ---------------------------------------------------------- toy field */

typedef struct toy_fe { uint64_t v; } toy_fe;

static void tf_add(toy_fe *r, const toy_fe *a, const toy_fe *b) { r->v = (a->v + b->v) % Q; }
static void tf_sub(toy_fe *r, const toy_fe *a, const toy_fe *b) { r->v = (a->v + Q - b->v) % Q; }
static void tf_dbl(toy_fe *r, const toy_fe *a) { r->v = (2 * a->v) % Q; }
static void tf_neg(toy_fe *r, const toy_fe *a) { r->v = (Q - a->v) % Q; }
static void tf_mul(toy_fe *r, const toy_fe *a, const toy_fe *b) { r->v = (a->v * b->v) % Q; }
static void tf_sqr(toy_fe *r, const toy_fe *a) { r->v = (a->v * a->v) % Q; }
static void tf_inv(toy_fe *r, const toy_fe *a)          /* a^(Q−2); 0 ↦ 0 */
{
    uint64_t acc = 1, b = a->v, e = Q - 2;
    for (; e; e >>= 1, b = b * b % Q)
        if (e & 1)
            acc = acc * b % Q;
    r->v = a->v ? acc : 0;
}
static bool tf_is_zero(const toy_fe *a) { return a->v == 0; }
static bool tf_eq(const toy_fe *a, const toy_fe *b) { return a->v == b->v; }
static void tf_zero(toy_fe *r) { r->v = 0; }
static void tf_one(toy_fe *r) { r->v = 1; }

static const toy_fe TOY_B = {3};

typedef struct toy_pt { toy_fe x, y, z; } toy_pt;
typedef struct toy_aff { toy_fe x, y; bool infinity; } toy_aff;

/* The template's public functions, declared as g1.c's are in curve.h. */
void toy_set_infinity(toy_pt *r);
bool toy_is_infinity(const toy_pt *a);
void toy_from_affine(toy_pt *r, const toy_aff *a);
void toy_to_affine(toy_aff *r, const toy_pt *a);
void toy_batch_to_affine(toy_aff *r, const toy_pt *a, size_t n, toy_fe *scratch);
bool toy_eq(const toy_pt *a, const toy_pt *b);
bool toy_affine_eq(const toy_aff *a, const toy_aff *b);
bool toy_affine_is_on_curve(const toy_aff *a);
void toy_neg(toy_pt *r, const toy_pt *a);
void toy_affine_neg(toy_aff *r, const toy_aff *a);
void toy_dbl(toy_pt *r, const toy_pt *a);
void toy_add(toy_pt *r, const toy_pt *a, const toy_pt *b);
void toy_add_affine(toy_pt *r, const toy_pt *a, const toy_aff *b);
void toy_mul_ref(toy_pt *r, const toy_pt *a, const tc_fr *k);

#define FE toy_fe
#define FE_ADD tf_add
#define FE_SUB tf_sub
#define FE_DBL tf_dbl
#define FE_NEG tf_neg
#define FE_MUL tf_mul
#define FE_SQR tf_sqr
#define FE_INV tf_inv
#define FE_IS_ZERO tf_is_zero
#define FE_EQ tf_eq
#define FE_ZERO tf_zero
#define FE_ONE tf_one
#define CURVE_B (&TOY_B)
#define PT toy_pt
#define AFF toy_aff
#define FN(name) toy_##name
#include "ec/curve_impl.h"

/* ------------------------------------------- independent affine group law */

static toy_aff pts[N_POINTS];

static void enumerate(void)
{
    size_t n = 0;
    pts[n++] = (toy_aff){.infinity = true};
    for (uint64_t x = 0; x < Q; x++)
        for (uint64_t y = 0; y < Q; y++)
            if ((y * y) % Q == (x * x % Q * x + 3) % Q) {
                assert_true(n < N_POINTS);
                pts[n++] = (toy_aff){{x}, {y}, false};
            }
    assert_int_equal(n, N_POINTS);
}

static uint64_t inv_mod(uint64_t a)
{
    toy_fe r, x = {a % Q};
    tf_inv(&r, &x);
    return r.v;
}

/* Chord and tangent on affine points, infinity explicit. */
static toy_aff ref_add(toy_aff a, toy_aff b)
{
    if (a.infinity)
        return b;
    if (b.infinity)
        return a;
    uint64_t l;
    if (a.x.v == b.x.v) {
        if ((a.y.v + b.y.v) % Q == 0)
            return (toy_aff){.infinity = true};
        l = 3 * a.x.v % Q * a.x.v % Q * inv_mod(2 * a.y.v) % Q;
    } else {
        l = (b.y.v + Q - a.y.v) % Q * inv_mod(b.x.v + Q - a.x.v) % Q;
    }
    uint64_t x3 = (l * l % Q + 2 * Q - a.x.v - b.x.v) % Q;
    uint64_t y3 = (l * ((a.x.v + Q - x3) % Q) % Q + Q - a.y.v) % Q;
    return (toy_aff){{x3}, {y3}, false};
}

/* A random Jacobian representative (X·λ², Y·λ³, λ) of an affine point. */
static void random_jac(toy_pt *r, const toy_aff *a)
{
    toy_from_affine(r, a);
    if (a->infinity) {
        r->x.v = 1 + tc_prng_below(&rng, Q - 1);   /* any (X, Y, 0) */
        r->y.v = 1 + tc_prng_below(&rng, Q - 1);
        return;
    }
    uint64_t l = 1 + tc_prng_below(&rng, Q - 1);
    r->x.v = r->x.v * l % Q * l % Q;
    r->y.v = r->y.v * l % Q * l % Q * l % Q;
    r->z.v = l;
}

static void assert_is(const toy_pt *got, const toy_aff *want)
{
    toy_aff a;
    toy_to_affine(&a, got);
    assert_true(toy_affine_eq(&a, want));
    assert_true(toy_affine_is_on_curve(&a));
}

/* --------------------------------------------------------------- tests */

static void test_group_law(void **s)
{
    (void)s;
    for (size_t i = 0; i < N_POINTS; i++) {
        toy_pt a, r;
        random_jac(&a, &pts[i]);
        toy_aff want = ref_add(pts[i], pts[i]);
        toy_dbl(&r, &a);
        assert_is(&r, &want);
        toy_aff na;
        toy_affine_neg(&na, &pts[i]);
        toy_neg(&r, &a);
        assert_is(&r, &na);
        for (size_t j = 0; j < N_POINTS; j++) {
            toy_pt b;
            random_jac(&b, &pts[j]);
            want = ref_add(pts[i], pts[j]);
            toy_add(&r, &a, &b);
            assert_is(&r, &want);
            toy_add_affine(&r, &a, &pts[j]);
            assert_is(&r, &want);
            r = a;                                   /* aliasing */
            toy_add(&r, &r, &b);
            assert_is(&r, &want);
            /* equality across representatives */
            assert_int_equal(toy_eq(&a, &b), toy_affine_eq(&pts[i], &pts[j]));
        }
    }
}

static void test_batch(void **s)
{
    (void)s;
    toy_pt jac[N_POINTS];
    toy_aff got[N_POINTS];
    toy_fe scratch[N_POINTS];
    for (size_t i = 0; i < N_POINTS; i++)
        random_jac(&jac[i], &pts[i]);
    toy_batch_to_affine(got, jac, N_POINTS, scratch);
    for (size_t i = 0; i < N_POINTS; i++)
        assert_true(toy_affine_eq(&got[i], &pts[i]));
}

/* Scalar multiplication by double-and-add (on limbs, so this test does not
 * depend on Fr) and by the w-NAF evaluator with
 * its odd-multiple table, against repeated addition, for every point and
 * k < 2·244, including tables whose entries are infinity. */
static void test_scalar_mul(void **s)
{
    (void)s;
    for (size_t i = 0; i < N_POINTS; i++) {
        toy_aff acc = {.infinity = true};
        toy_aff table[8];
        toy_odd_multiples(table, &pts[i], 8);
        toy_pt p;
        random_jac(&p, &pts[i]);
        for (uint64_t k = 0; k < 2 * N_POINTS; k++) {
            toy_pt r;
            uint64_t limbs[4] = {k, 0, 0, 0};
            toy_mul_limbs_ref(&r, &p, limbs);
            assert_is(&r, &acc);
            int8_t digits[16];
            int w = 2 + (int)(k % 4);
            size_t len = tc_ec_wnaf(digits, sizeof digits, limbs, w);
            if (len == 0)
                len = 1;
            size_t n_table = (size_t)1 << (w - 2);
            toy_wnaf_sum(&r, table, n_table, digits, 1, len);
            assert_is(&r, &acc);
            acc = ref_add(acc, pts[i]);
        }
    }
}

int main(void)
{
    tc_prng_seed(&rng, tu_seed("test_curve_toy"));
    enumerate();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_law),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_scalar_mul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
