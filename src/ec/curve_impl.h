/*
 * One implementation of the short-Weierstrass group law y² = x³ + b (a = 0)
 * in Jacobian coordinates, written once and instantiated for G1 (over Fp) and
 * G2 (over Fp2).  g1.c and g2.c define the macros below and include this
 * file; it has no include guard on purpose.
 *
 *   FE                 the field element type (tc_fp, tc_fp2)
 *   FE_ADD, FE_SUB, FE_DBL, FE_NEG, FE_MUL, FE_SQR, FE_INV(r, a[, b])
 *   FE_IS_ZERO(a), FE_EQ(a, b), FE_ZERO(r), FE_ONE(r)
 *   CURVE_B            pointer to the constant b (Montgomery form)
 *   PT, AFF            the Jacobian and affine point types
 *   FN(name)           the public name, e.g. FN(add) → tc_g1_add
 *
 * Formulas are from the Explicit-Formulas Database (hyperelliptic.org/EFD,
 * "g1p/auto/shortw/jacobian-0"): dbl-2009-l (2M + 5S), add-2007-bl
 * (11M + 5S), madd-2007-bl (7M + 4S).  The special cases the formulas miss
 * (an input at infinity, equal inputs, opposite inputs) are handled
 * explicitly, so every function is complete.  Outputs are computed into
 * locals and written last, so any argument may alias any other.
 */
#include "util/verify.h"

void FN(set_infinity)(PT *r)
{
    FE_ONE(&r->x);
    FE_ONE(&r->y);
    FE_ZERO(&r->z);
}

bool FN(is_infinity)(const PT *a) { return FE_IS_ZERO(&a->z); }

void FN(from_affine)(PT *r, const AFF *a)
{
    if (a->infinity) {
        FN(set_infinity)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    FE_ONE(&r->z);
}

static void FN(affine_set_infinity)(AFF *r)
{
    FE_ZERO(&r->x);
    FE_ZERO(&r->y);
    r->infinity = true;
}

bool FN(affine_is_on_curve)(const AFF *a);

void FN(to_affine)(AFF *r, const PT *a)
{
    if (FN(is_infinity)(a)) {
        FN(affine_set_infinity)(r);
        return;
    }
    FE zi, zi2, zi3;
    FE_INV(&zi, &a->z);
    FE_SQR(&zi2, &zi);
    FE_MUL(&zi3, &zi2, &zi);
    FE_MUL(&r->x, &a->x, &zi2);
    FE_MUL(&r->y, &a->y, &zi3);
    r->infinity = false;
    TC_VERIFY_CHECK(FN(affine_is_on_curve)(r));
}

/* Montgomery's trick over the Z coordinates (points at infinity skipped):
 * scratch[i] holds the product of the nonzero Z of a[0..i). */
void FN(batch_to_affine)(AFF *r, const PT *a, size_t n, FE *scratch)
{
    FE acc, inv, zi, zi2, t;
    FE_ONE(&acc);
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (!FN(is_infinity)(&a[i]))
            FE_MUL(&acc, &acc, &a[i].z);
    }
    FE_INV(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (FN(is_infinity)(&a[i])) {
            FN(affine_set_infinity)(&r[i]);
            continue;
        }
        FE_MUL(&zi, &inv, &scratch[i]);        /* Z_i⁻¹ */
        FE_MUL(&inv, &inv, &a[i].z);
        FE_SQR(&zi2, &zi);
        FE_MUL(&t, &a[i].y, &zi2);
        FE_MUL(&r[i].y, &t, &zi);
        FE_MUL(&r[i].x, &a[i].x, &zi2);
        r[i].infinity = false;
        TC_VERIFY_CHECK(FN(affine_is_on_curve)(&r[i]));
    }
}

/* X1·Z2² = X2·Z1² and Y1·Z2³ = Y2·Z1³. */
bool FN(eq)(const PT *a, const PT *b)
{
    bool ia = FN(is_infinity)(a), ib = FN(is_infinity)(b);
    if (ia || ib)
        return ia && ib;
    FE z1z1, z2z2, u1, u2, s1, s2;
    FE_SQR(&z1z1, &a->z);
    FE_SQR(&z2z2, &b->z);
    FE_MUL(&u1, &a->x, &z2z2);
    FE_MUL(&u2, &b->x, &z1z1);
    if (!FE_EQ(&u1, &u2))
        return false;
    FE_MUL(&s1, &a->y, &b->z);
    FE_MUL(&s1, &s1, &z2z2);
    FE_MUL(&s2, &b->y, &a->z);
    FE_MUL(&s2, &s2, &z1z1);
    return FE_EQ(&s1, &s2);
}

bool FN(affine_eq)(const AFF *a, const AFF *b)
{
    if (a->infinity || b->infinity)
        return a->infinity && b->infinity;
    return FE_EQ(&a->x, &b->x) && FE_EQ(&a->y, &b->y);
}

bool FN(affine_is_on_curve)(const AFF *a)
{
    if (a->infinity)
        return true;
    FE y2, x3;
    FE_SQR(&y2, &a->y);
    FE_SQR(&x3, &a->x);
    FE_MUL(&x3, &x3, &a->x);
    FE_ADD(&x3, &x3, CURVE_B);
    return FE_EQ(&y2, &x3);
}

void FN(neg)(PT *r, const PT *a)
{
    r->x = a->x;
    FE_NEG(&r->y, &a->y);
    r->z = a->z;
}

void FN(affine_neg)(AFF *r, const AFF *a)
{
    r->x = a->x;
    FE_NEG(&r->y, &a->y);   /* 0 stays 0 at infinity */
    r->infinity = a->infinity;
}

/* dbl-2009-l.  Infinity (Z = 0) maps to Z3 = 2·Y·Z = 0. */
void FN(dbl)(PT *r, const PT *a)
{
    FE A, B, C, D, E, F, t, x3, y3, z3;
    FE_SQR(&A, &a->x);
    FE_SQR(&B, &a->y);
    FE_SQR(&C, &B);
    FE_ADD(&t, &a->x, &B);           /* D = 2((X1 + B)² − A − C) */
    FE_SQR(&t, &t);
    FE_SUB(&t, &t, &A);
    FE_SUB(&t, &t, &C);
    FE_DBL(&D, &t);
    FE_DBL(&E, &A);                  /* E = 3A */
    FE_ADD(&E, &E, &A);
    FE_SQR(&F, &E);
    FE_DBL(&t, &D);                  /* X3 = F − 2D */
    FE_SUB(&x3, &F, &t);
    FE_MUL(&z3, &a->y, &a->z);       /* Z3 = 2·Y1·Z1 */
    FE_DBL(&z3, &z3);
    FE_SUB(&t, &D, &x3);             /* Y3 = E(D − X3) − 8C */
    FE_MUL(&y3, &E, &t);
    FE_DBL(&C, &C);
    FE_DBL(&C, &C);
    FE_DBL(&C, &C);
    FE_SUB(&r->y, &y3, &C);
    r->x = x3;
    r->z = z3;
}

/* add-2007-bl.  H = U2 − U1 = 0 means equal x: double when S1 = S2,
 * otherwise the inputs are opposite and the sum is infinity. */
void FN(add)(PT *r, const PT *a, const PT *b)
{
    if (FN(is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (FN(is_infinity)(b)) {
        *r = *a;
        return;
    }
    FE z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t, x3, y3, z3;
    FE_SQR(&z1z1, &a->z);
    FE_SQR(&z2z2, &b->z);
    FE_MUL(&u1, &a->x, &z2z2);
    FE_MUL(&u2, &b->x, &z1z1);
    FE_MUL(&s1, &a->y, &b->z);
    FE_MUL(&s1, &s1, &z2z2);
    FE_MUL(&s2, &b->y, &a->z);
    FE_MUL(&s2, &s2, &z1z1);
    FE_SUB(&h, &u2, &u1);
    FE_SUB(&rr, &s2, &s1);
    if (FE_IS_ZERO(&h)) {
        if (FE_IS_ZERO(&rr))
            FN(dbl)(r, a);
        else
            FN(set_infinity)(r);
        return;
    }
    FE_DBL(&i, &h);                  /* I = (2H)² */
    FE_SQR(&i, &i);
    FE_MUL(&j, &h, &i);              /* J = H·I */
    FE_DBL(&rr, &rr);                /* r = 2(S2 − S1) */
    FE_MUL(&v, &u1, &i);             /* V = U1·I */
    FE_SQR(&x3, &rr);                /* X3 = r² − J − 2V */
    FE_SUB(&x3, &x3, &j);
    FE_SUB(&x3, &x3, &v);
    FE_SUB(&x3, &x3, &v);
    FE_SUB(&t, &v, &x3);             /* Y3 = r(V − X3) − 2·S1·J */
    FE_MUL(&y3, &rr, &t);
    FE_MUL(&t, &s1, &j);
    FE_DBL(&t, &t);
    FE_SUB(&y3, &y3, &t);
    FE_ADD(&z3, &a->z, &b->z);       /* Z3 = ((Z1 + Z2)² − Z1Z1 − Z2Z2)·H */
    FE_SQR(&z3, &z3);
    FE_SUB(&z3, &z3, &z1z1);
    FE_SUB(&z3, &z3, &z2z2);
    FE_MUL(&r->z, &z3, &h);
    r->x = x3;
    r->y = y3;
}

/* madd-2007-bl (Z2 = 1). */
void FN(add_affine)(PT *r, const PT *a, const AFF *b)
{
    if (b->infinity) {
        *r = *a;
        return;
    }
    if (FN(is_infinity)(a)) {
        FN(from_affine)(r, b);
        return;
    }
    FE z1z1, u2, s2, h, hh, i, j, rr, v, t, x3, y3, z3;
    FE_SQR(&z1z1, &a->z);
    FE_MUL(&u2, &b->x, &z1z1);
    FE_MUL(&s2, &b->y, &a->z);
    FE_MUL(&s2, &s2, &z1z1);
    FE_SUB(&h, &u2, &a->x);
    FE_SUB(&rr, &s2, &a->y);
    if (FE_IS_ZERO(&h)) {
        if (FE_IS_ZERO(&rr))
            FN(dbl)(r, a);
        else
            FN(set_infinity)(r);
        return;
    }
    FE_SQR(&hh, &h);
    FE_DBL(&i, &hh);                 /* I = 4·HH */
    FE_DBL(&i, &i);
    FE_MUL(&j, &h, &i);
    FE_DBL(&rr, &rr);
    FE_MUL(&v, &a->x, &i);
    FE_SQR(&x3, &rr);
    FE_SUB(&x3, &x3, &j);
    FE_SUB(&x3, &x3, &v);
    FE_SUB(&x3, &x3, &v);
    FE_SUB(&t, &v, &x3);
    FE_MUL(&y3, &rr, &t);
    FE_MUL(&t, &a->y, &j);
    FE_DBL(&t, &t);
    FE_SUB(&y3, &y3, &t);
    FE_ADD(&z3, &a->z, &h);          /* Z3 = (Z1 + H)² − Z1Z1 − HH */
    FE_SQR(&z3, &z3);
    FE_SUB(&z3, &z3, &z1z1);
    FE_SUB(&r->z, &z3, &hh);
    r->x = x3;
    r->y = y3;
}

/* Left-to-right double-and-add over the 256 bits of k (canonical limbs). */
static void FN(mul_limbs_ref)(PT *r, const PT *a, const uint64_t k[4])
{
    PT acc, base = *a;
    FN(set_infinity)(&acc);
    for (int bit = 255; bit >= 0; bit--) {
        FN(dbl)(&acc, &acc);
        if ((k[bit / 64] >> (bit % 64)) & 1)
            FN(add)(&acc, &acc, &base);
    }
    *r = acc;
}

void FN(mul_ref)(PT *r, const PT *a, const tc_fr *k)
{
    uint64_t v[4];
    tc_fr_to_limbs(v, k);
    FN(mul_limbs_ref)(r, a, v);
}

/* Odd multiples P, 3P, …, (2n − 1)P of an affine point, as affine points
 * (n ≤ TC_WNAF_TABLE_MAX).  One inversion for the whole table. */
static void FN(odd_multiples)(AFF *out, const AFF *p, size_t n)
{
    PT jac[TC_WNAF_TABLE_MAX], twice;
    FE scratch[TC_WNAF_TABLE_MAX];
    FN(from_affine)(&jac[0], p);
    FN(dbl)(&twice, &jac[0]);
    for (size_t i = 1; i < n; i++)
        FN(add)(&jac[i], &jac[i - 1], &twice);
    FN(batch_to_affine)(out, jac, n, scratch);
}

/* Σ_i d_i·T_i by interleaved w-NAF (one doubling chain for all m scalars):
 *   tables: (m, n_table) affine odd multiples, tables[i·n_table + j] = (2j+1)·T_i
 *   digits: (m, len) signed odd digits or 0, least significant first,
 *           |d| < 2·n_table. */
static void FN(wnaf_sum)(PT *r, const AFF *tables, size_t n_table,
                         const int8_t *digits, size_t m, size_t len)
{
    PT acc;
    AFF q;
    FN(set_infinity)(&acc);
    for (size_t pos = len; pos-- > 0;) {
        FN(dbl)(&acc, &acc);
        for (size_t i = 0; i < m; i++) {
            int d = digits[i * len + pos];
            if (d > 0) {
                FN(add_affine)(&acc, &acc, &tables[i * n_table + (size_t)(d >> 1)]);
            } else if (d < 0) {
                FN(affine_neg)(&q, &tables[i * n_table + (size_t)((-d) >> 1)]);
                FN(add_affine)(&acc, &acc, &q);
            }
        }
    }
    *r = acc;
}
