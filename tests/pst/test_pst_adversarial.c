/* The PST verifier against hostile input: point encodings that must not
 * decode (non-canonical aliases, off-curve, bad flags, wrong length),
 * infinity proof points, field elements ≥ r, proofs and slices of the
 * wrong size, batches built so that two bad openings would cancel under
 * equal weights, slice keys that change what a slice proves, and vk.json
 * levels that the level check must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/encoding.h"
#include "pst/pst.h"

/* r and r − 1 in decimal (docs/design.md §3.1) */
#define R_DEC "21888242871839275222246405745257275088548364400416034343698204186575808495617"
#define R1_DEC "21888242871839275222246405745257275088548364400416034343698204186575808495616"

typedef struct fixture {
    tc_pst_shape s;
    size_t count;
    int64_t vals[24];           /* (2, 3, 4), all non-zero */
    tc_pst_srs srs;
    tc_g1_affine c;
} fixture;

static void fixture_init(fixture *f)
{
    tc_error err;
    memset(f, 0, sizeof *f);
    f->s.m = 3;
    f->s.n[0] = 2, f->s.n[1] = 3, f->s.n[2] = 4;
    f->count = 24;
    for (size_t k = 0; k < f->count; k++)
        f->vals[k] = (int64_t)(k * 7919 % 1000) - 500 + (k % 2 ? 1 : 3);
    tc_pst_setup_opts o = {1, false, NULL, NULL};
    static const uint8_t seed[] = "adversarial";
    assert_int_equal(tc_pst_setup_seeded(&err, &f->srs, &f->s, seed, sizeof seed, &o), TC_OK);
    tc_g1 c;
    assert_int_equal(tc_pst_commit_i64(&err, &c, &f->srs, f->vals, f->count, 1), TC_OK);
    tc_g1_to_affine(&f->c, &c);
}

/* An opening at a point off the grid (coordinates 5, 6, 7). */
static void open_off_grid(fixture *f, tc_pst_opening *o, uint64_t shift)
{
    tc_error err;
    tc_fr z[3];
    for (int i = 0; i < 3; i++)
        tc_fr_from_u64(&z[i], 5 + (uint64_t)i + shift);
    assert_int_equal(tc_pst_open(&err, o, &f->srs, f->vals, f->count, z, 1, 1), TC_OK);
}

static bool verify(const fixture *f, const tc_g1_affine *c, const tc_pst_opening *o)
{
    tc_error err;
    bool ok = true;
    assert_int_equal(tc_pst_verify(&err, &ok, &f->srs.vk, c, o), TC_OK);
    return ok;
}

static void hex_of(char out[65], const uint8_t b[32])
{
    tc_hex_encode(out, b, 32);
}

/* p as 32 little-endian bytes, plus `add` (small, no overflow past 2^254). */
static void p_plus(uint8_t b[32], uint64_t add)
{
    uint64_t v[4];
    memcpy(v, tc_fp_modulus.p, sizeof v);
    v[0] += add;   /* p's low limb is far from 2^64 */
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++)
            b[8 * i + k] = (uint8_t)(v[i] >> (8 * k));
}

/* ------------------------------------------------------------ encodings */

static void test_point_decoding(void **state)
{
    (void)state;
    tc_g1_affine p, g;
    char why[TC_PST_FAULT_LEN], hex[80];
    uint8_t b[32];
    tc_g1_affine_generator(&g);
    tc_g1_to_bytes(b, &g);
    hex_of(hex, b);
    assert_true(tc_pst_point_from_hex(&p, hex, why));
    assert_true(tc_g1_affine_eq(&p, &g));
    /* wrong lengths, non-hex */
    hex[62] = '\0';
    assert_false(tc_pst_point_from_hex(&p, hex, why));
    hex_of(hex, b);
    strcat(hex, "00");
    assert_false(tc_pst_point_from_hex(&p, hex, why));
    hex_of(hex, b);
    hex[5] = 'g';
    assert_false(tc_pst_point_from_hex(&p, hex, why));
    assert_false(tc_pst_point_from_hex(&p, "", why));
    /* x = p + 1 ≡ 1: the generator's x, non-canonical, with either sign */
    for (int sign = 0; sign < 2; sign++) {
        p_plus(b, 1);
        b[31] |= sign ? TC_FLAG_Y_LARGEST : 0;
        hex_of(hex, b);
        assert_false(tc_pst_point_from_hex(&p, hex, why));
        assert_int_equal(tc_g1_decode(&p, b), TC_POINT_NONCANONICAL);
    }
    /* x = p exactly */
    p_plus(b, 0);
    assert_int_equal(tc_g1_decode(&p, b), TC_POINT_NONCANONICAL);
    /* all-zero bytes, both flags, infinity with other bits set */
    memset(b, 0, 32);
    assert_int_equal(tc_g1_decode(&p, b), TC_POINT_ALL_ZERO);
    b[31] = TC_FLAG_INFINITY | TC_FLAG_Y_LARGEST;
    assert_int_not_equal(tc_g1_decode(&p, b), TC_POINT_OK);
    b[31] = TC_FLAG_INFINITY;
    b[0] = 1;
    assert_int_not_equal(tc_g1_decode(&p, b), TC_POINT_OK);
    /* the canonical infinity decodes, and only to infinity */
    b[0] = 0;
    assert_int_equal(tc_g1_decode(&p, b), TC_POINT_OK);
    assert_true(p.infinity);
    /* small x: either a curve point (then it is on the curve) or rejected */
    int off = 0;
    for (uint64_t x = 1; x < 32; x++) {
        memset(b, 0, 32);
        b[0] = (uint8_t)x;
        tc_point_fault fl = tc_g1_decode(&p, b);
        if (fl == TC_POINT_OK)
            assert_true(tc_g1_affine_is_on_curve(&p));
        else
            assert_int_equal(fl, TC_POINT_NOT_ON_CURVE), off++;
    }
    assert_true(off > 0);
}

/* G2 points with x = (k, 0): on the twist or not, essentially none is in
 * the order-r subgroup (the cofactor is about 2^254), and vk.json refuses
 * such a point as [t_i]₂. */
static void test_g2_subgroup(void **state)
{
    (void)state;
    int outside = 0;
    uint8_t b[TC_G2_BYTES];
    tc_g2_affine q;
    for (int k = 1; k < 40; k++) {
        memset(b, 0, sizeof b);
        b[0] = (uint8_t)k;
        tc_point_fault fl = tc_g2_decode(&q, b);
        assert_true(fl == TC_POINT_NOT_ON_CURVE || fl == TC_POINT_NOT_IN_SUBGROUP);
        outside += fl == TC_POINT_NOT_IN_SUBGROUP;
    }
    assert_true(outside > 0);
    /* into vk.json as tau_g2[0] */
    fixture f;
    fixture_init(&f);
    tc_error err;
    char *json = NULL;
    assert_int_equal(tc_pst_vk_encode(&err, &json, &f.srs, NULL, 0), TC_OK);
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    free(json);
    for (int k = 1; k < 40; k++) {
        memset(b, 0, sizeof b);
        b[0] = (uint8_t)k;
        if (tc_g2_decode(&q, b) != TC_POINT_NOT_IN_SUBGROUP)
            continue;
        char hex[2 * TC_G2_BYTES + 1];
        tc_hex_encode(hex, b, sizeof b);
        json_array_set_new(json_object_get(root, "tau_g2"), 0, json_string(hex));
        break;
    }
    json = json_dumps(root, 0);
    json_decref(root);
    tc_pst_vk_file vf;
    assert_int_equal(tc_pst_vk_decode(&err, &vf, json, strlen(json), "vk.json"), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "tau_g2[0]"));
    free(json);
    tc_pst_srs_free(&f.srs);
}

/* Infinity is a valid encoding, so it must be the equation that rejects it. */
static void test_infinity_points(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    tc_pst_opening o, bad;
    open_off_grid(&f, &o, 0);
    assert_true(verify(&f, &f.c, &o));
    tc_g1 inf;
    tc_g1_set_infinity(&inf);
    tc_g1_affine infa;
    tc_g1_to_affine(&infa, &inf);
    assert_true(infa.infinity);
    for (int i = 0; i < 3; i++) {
        bad = o;
        bad.pi[i] = infa;
        assert_false(verify(&f, &f.c, &bad));
    }
    /* all proof points infinity, with the true value and with others */
    bad = o;
    for (int i = 0; i < 3; i++)
        bad.pi[i] = infa;
    assert_false(verify(&f, &f.c, &bad));
    tc_fr_from_u64(&bad.y, 0);
    assert_false(verify(&f, &f.c, &bad));
    /* the commitment at infinity */
    assert_false(verify(&f, &infa, &o));
    /* (C, y, π) = (O, 0, O…O) is the honest opening of the zero tensor,
     * which commits to O: accepted, and any other value is not */
    assert_true(verify(&f, &infa, &bad));
    tc_fr_from_u64(&bad.y, 1);
    assert_false(verify(&f, &infa, &bad));
    /* through proof.json: infinity decodes without a fault, then fails */
    char *json = NULL;
    tc_error err;
    tc_pst_proof_file pf;
    bad = o;
    bad.pi[1] = infa;
    assert_int_equal(tc_pst_proof_encode(&err, &json, &f.s, &f.c, &bad, 1, NULL, 0), TC_OK);
    assert_int_equal(tc_pst_proof_decode(&err, &pf, json, strlen(json), "p.json"), TC_OK);
    assert_string_equal(pf.open_fault[0], "");
    assert_true(pf.open[0].pi[1].infinity);
    assert_false(verify(&f, &pf.commitment, &pf.open[0]));
    tc_pst_proof_file_free(&pf);
    free(json);
    tc_pst_srs_free(&f.srs);
}

/* ----------------------------------------------------- proof.json shape */

/* Encodes one opening and one level-1 slice, lets `edit` change the JSON,
 * and decodes.  Returns the decode status. */
typedef void (*edit_fn)(json_t *root);
static tc_status decode_edited(fixture *f, tc_pst_proof_file *pf, edit_fn edit)
{
    tc_error err;
    tc_pst_opening o;
    tc_pst_slice sl;
    tc_fr z0;
    open_off_grid(f, &o, 0);
    tc_fr_from_u64(&z0, 1);
    assert_int_equal(tc_pst_open_slice(&err, &sl, &f->srs, f->vals, f->count, &z0, 1, 1), TC_OK);
    char *json = NULL;
    assert_int_equal(tc_pst_proof_encode(&err, &json, &f->s, &f->c, &o, 1, &sl, 1), TC_OK);
    tc_pst_slice_free(&sl);
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    free(json);
    assert_non_null(root);
    edit(root);
    json = json_dumps(root, 0);
    json_decref(root);
    tc_status st = tc_pst_proof_decode(&err, pf, json, strlen(json), "p.json");
    free(json);
    return st;
}

static json_t *op0(json_t *root) { return json_array_get(json_object_get(root, "openings"), 0); }
static json_t *sl0(json_t *root) { return json_array_get(json_object_get(root, "slices"), 0); }

static void e_none(json_t *r) { (void)r; }
static void e_value_r(json_t *r) { json_object_set_new(op0(r), "value", json_string(R_DEC)); }
static void e_value_r1(json_t *r) { json_object_set_new(op0(r), "value", json_string(R1_DEC)); }
static void e_value_lead0(json_t *r) { json_object_set_new(op0(r), "value", json_string("01")); }
static void e_value_neg(json_t *r) { json_object_set_new(op0(r), "value", json_string("-1")); }
static void e_value_space(json_t *r) { json_object_set_new(op0(r), "value", json_string(" 1")); }
static void e_value_int(json_t *r) { json_object_set_new(op0(r), "value", json_integer(1)); }
static void e_point_r(json_t *r)
{
    json_array_set_new(json_object_get(op0(r), "point"), 0, json_string(R_DEC));
}
static void e_prefix_r(json_t *r)
{
    json_array_set_new(json_object_get(sl0(r), "prefix"), 0, json_string(R_DEC));
}
static void e_svalue_r(json_t *r)
{
    json_array_set_new(json_object_get(sl0(r), "values"), 0, json_string(R_DEC));
}
static void e_proof_short(json_t *r) { json_array_remove(json_object_get(op0(r), "proof"), 0); }
static void e_proof_long(json_t *r)
{
    json_t *a = json_object_get(op0(r), "proof");
    json_array_append(a, json_array_get(a, 0));
}
static void e_proof_notstr(json_t *r)
{
    json_array_set_new(json_object_get(op0(r), "proof"), 1, json_integer(0));
}
static void e_proof_long_hex(json_t *r)
{
    json_t *a = json_object_get(op0(r), "proof");
    char h[80];
    snprintf(h, sizeof h, "%s00", json_string_value(json_array_get(a, 0)));
    json_array_set_new(a, 0, json_string(h));
}
static void e_point_short(json_t *r) { json_array_remove(json_object_get(op0(r), "point"), 2); }
static void e_slice_j0(json_t *r)
{
    json_array_clear(json_object_get(sl0(r), "prefix"));
    json_array_clear(json_object_get(sl0(r), "proof"));
}
static void e_slice_jbig(json_t *r)
{
    json_t *p = json_object_get(sl0(r), "prefix");
    for (int i = 0; i < 3; i++)
        json_array_append_new(p, json_string("0"));   /* 4 coordinates, m = 3 */
}
static void e_slice_fewer(json_t *r) { json_array_remove(json_object_get(sl0(r), "values"), 0); }
static void e_slice_more(json_t *r)
{
    json_array_append_new(json_object_get(sl0(r), "values"), json_string("0"));
}
static void e_slice_proof_long(json_t *r)
{
    json_t *a = json_object_get(sl0(r), "proof");
    json_array_append(a, json_array_get(a, 0));
}
static void e_empty(json_t *r)
{
    json_array_clear(json_object_get(r, "openings"));
    json_array_clear(json_object_get(r, "slices"));
    json_object_set_new(r, "commitment", json_string("00"));
}
static void e_empty_no_slices(json_t *r)
{
    json_array_clear(json_object_get(r, "openings"));
    json_object_del(r, "slices");
}

static void e_commit_long(json_t *r)
{
    char h[80];
    snprintf(h, sizeof h, "%s00", json_string_value(json_object_get(r, "commitment")));
    json_object_set_new(r, "commitment", json_string(h));
}

static void test_proof_json_bounds(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    tc_pst_proof_file pf;
    /* untouched: no faults, both verify */
    assert_int_equal(decode_edited(&f, &pf, e_none), TC_OK);
    assert_string_equal(pf.commitment_fault, "");
    assert_string_equal(pf.open_fault[0], "");
    assert_string_equal(pf.slice_fault[0], "");
    assert_true(verify(&f, &pf.commitment, &pf.open[0]));
    tc_pst_proof_file_free(&pf);
    /* field elements ≥ r or not canonical decimals: the file is refused,
     * never reduced */
    edit_fn refused[] = {e_value_r, e_value_lead0, e_value_neg, e_value_space, e_value_int,
                         e_point_r, e_prefix_r,    e_svalue_r};
    /* a file with nothing to verify is not a valid proof of anything (the
     * CLI used to print "valid: 0 openings, 0 slices" and exit 0, even
     * with an undecodable commitment) */
    assert_int_equal(decode_edited(&f, &pf, e_empty), TC_EFORMAT);
    assert_int_equal(decode_edited(&f, &pf, e_empty_no_slices), TC_EFORMAT);
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++)
        assert_int_equal(decode_edited(&f, &pf, refused[k]), TC_EFORMAT);
    /* r − 1 is a field element: it decodes, and is a wrong value */
    assert_int_equal(decode_edited(&f, &pf, e_value_r1), TC_OK);
    assert_string_equal(pf.open_fault[0], "");
    assert_false(verify(&f, &pf.commitment, &pf.open[0]));
    tc_pst_proof_file_free(&pf);
    /* wrong sizes: the item carries a fault (the CLI rejects it unverified) */
    edit_fn open_faults[] = {e_proof_short, e_proof_long, e_proof_notstr, e_proof_long_hex,
                             e_point_short};
    for (size_t k = 0; k < sizeof open_faults / sizeof *open_faults; k++) {
        assert_int_equal(decode_edited(&f, &pf, open_faults[k]), TC_OK);
        assert_string_not_equal(pf.open_fault[0], "");
        assert_string_equal(pf.slice_fault[0], "");
        tc_pst_proof_file_free(&pf);
    }
    edit_fn slice_faults[] = {e_slice_j0, e_slice_jbig, e_slice_fewer, e_slice_more,
                              e_slice_proof_long};
    for (size_t k = 0; k < sizeof slice_faults / sizeof *slice_faults; k++) {
        assert_int_equal(decode_edited(&f, &pf, slice_faults[k]), TC_OK);
        assert_string_not_equal(pf.slice_fault[0], "");
        assert_string_equal(pf.open_fault[0], "");
        tc_pst_proof_file_free(&pf);
    }
    assert_int_equal(decode_edited(&f, &pf, e_commit_long), TC_OK);
    assert_string_not_equal(pf.commitment_fault, "");
    tc_pst_proof_file_free(&pf);
    tc_pst_srs_free(&f.srs);
}

/* The library entry points refuse sizes that do not match the key. */
static void test_api_sizes(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    tc_error err;
    bool ok = true;
    tc_pst_opening o;
    open_off_grid(&f, &o, 0);
    o.m = 2;
    assert_int_equal(tc_pst_verify(&err, &ok, &f.srs.vk, &f.c, &o), TC_EARG);
    assert_false(ok);
    o.m = 4;
    ok = true;
    assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, &f.c, &o, 1, 1), TC_EARG);
    assert_false(ok);
    tc_pst_slice sl;
    tc_fr z0;
    tc_fr_from_u64(&z0, 1);
    assert_int_equal(tc_pst_open_slice(&err, &sl, &f.srs, f.vals, f.count, &z0, 1, 1), TC_OK);
    const tc_g1_affine *keys = tc_pst_srs_level(&f.srs, 1);
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, keys, &f.c, &sl), TC_OK);
    assert_true(ok);
    int js[] = {0, 4, -1};
    for (size_t k = 0; k < 3; k++) {
        tc_pst_slice t = sl;
        t.j = js[k];
        ok = true;
        assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, keys, &f.c, &t), TC_EARG);
        assert_false(ok);
    }
    tc_pst_slice t = sl;
    t.count = sl.count - 1;
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, keys, &f.c, &t), TC_EARG);
    assert_false(ok);
    /* a slice value off by r is impossible (values are field elements);
     * off by one is rejected */
    tc_fr one;
    tc_fr_one(&one);
    tc_fr_add(&sl.values[3], &sl.values[3], &one);
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, keys, &f.c, &sl), TC_OK);
    assert_false(ok);
    tc_pst_slice_free(&sl);
    tc_pst_srs_free(&f.srs);
}

/* ---------------------------------------------------------------- batch */

/* Two wrong openings built to cancel when both get the same weight: the
 * same point twice with values y + 1 and y − 1, and with proof points
 * π_0 + G and π_0 − G.  Each trial draws fresh weights, so a verifier whose
 * weights were equal (or reused per opening) would accept. */
static void test_batch_cancel(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    enum { K = 6 };
    tc_pst_opening o[K];
    tc_g1_affine cs[K];
    for (int k = 0; k < K; k++) {
        open_off_grid(&f, &o[k], (uint64_t)k);
        cs[k] = f.c;
    }
    o[3] = o[1];   /* duplicate point */
    tc_error err;
    bool ok = false;
    assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 1), TC_OK);
    assert_true(ok);
    tc_fr one;
    tc_fr_one(&one);
    tc_g1 g, t;
    tc_g1_generator(&g);
    for (int trial = 0; trial < 16; trial++) {
        tc_pst_opening a = o[1], b = o[3];
        if (trial % 2 == 0) {
            tc_fr_add(&o[1].y, &o[1].y, &one);
            tc_fr_sub(&o[3].y, &o[3].y, &one);
        } else {
            tc_g1_from_affine(&t, &o[1].pi[0]);
            tc_g1_add(&t, &t, &g);
            tc_g1_to_affine(&o[1].pi[0], &t);
            tc_g1_from_affine(&t, &o[3].pi[0]);
            tc_g1_neg(&g, &g);
            tc_g1_add(&t, &t, &g);
            tc_g1_neg(&g, &g);
            tc_g1_to_affine(&o[3].pi[0], &t);
        }
        /* the unweighted sum of the two equations still holds */
        ok = true;
        assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 1), TC_OK);
        assert_false(ok);
        assert_false(verify(&f, &f.c, &o[1]));
        assert_false(verify(&f, &f.c, &o[3]));
        o[1] = a, o[3] = b;
    }
    /* one bad opening at any position, and a wrong commitment for one */
    for (int bad = 0; bad < K; bad++) {
        tc_pst_opening save = o[bad];
        tc_fr_add(&o[bad].y, &o[bad].y, &one);
        ok = true;
        assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 1), TC_OK);
        assert_false(ok);
        o[bad] = save;
        tc_g1_affine csave = cs[bad];
        tc_g1_from_affine(&t, &cs[bad]);
        tc_g1_add(&t, &t, &g);
        tc_g1_to_affine(&cs[bad], &t);
        ok = true;
        assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 1), TC_OK);
        assert_false(ok);
        cs[bad] = csave;
    }
    assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 1), TC_OK);
    assert_true(ok);
    tc_pst_srs_free(&f.srs);
}

/* ----------------------------------------------------------- slice keys */

/* The verifier computes C_g from the level-j keys it is given, so whoever
 * supplies those keys can make any slice "verify": scaling key 0 by
 * F[0]/F'[0] turns an honest proof of F into a proof of F' (F'[0] ≠ F[0]).
 * This is why slice keys must come from a checked SRS or pass
 * tc_pst_vk_check_levels; the vk.json decoder alone does not tie them to
 * [t_i]₂. */
static void test_slice_keys_are_checked(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    tc_error err;
    tc_pst_slice sl;
    tc_fr z0;
    tc_fr_from_u64(&z0, 0);
    assert_int_equal(tc_pst_open_slice(&err, &sl, &f.srs, f.vals, f.count, &z0, 1, 1), TC_OK);
    const tc_g1_affine *keys = tc_pst_srs_level(&f.srs, 1);
    tc_g1_affine *forged = malloc(sl.count * sizeof *forged);
    memcpy(forged, keys, sl.count * sizeof *forged);
    tc_fr f0 = sl.values[0], f1, one, ratio;
    assert_false(tc_fr_is_zero(&f0));
    tc_fr_one(&one);
    tc_fr_add(&f1, &f0, &one);
    tc_fr_inv_var(&ratio, &f1);
    tc_fr_mul(&ratio, &ratio, &f0);
    tc_g1 k0;
    tc_g1_from_affine(&k0, &keys[0]);
    tc_g1_mul_var(&k0, &k0, &ratio);
    tc_g1_to_affine(&forged[0], &k0);
    sl.values[0] = f1;
    bool ok = false;
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, keys, &f.c, &sl), TC_OK);
    assert_false(ok);   /* the true keys reject the changed value */
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, forged, &f.c, &sl), TC_OK);
    assert_true(ok);    /* forged keys accept it */
    /* and vk.json carries such keys without complaint */
    int lv = 1;
    char *json = NULL;
    assert_int_equal(tc_pst_vk_encode(&err, &json, &f.srs, &lv, 1), TC_OK);
    char want[65], got[65];
    tc_pst_point_hex(want, &keys[0]);
    tc_pst_point_hex(got, &forged[0]);
    char *at = strstr(json, want);
    assert_non_null(at);
    memcpy(at, got, 64);
    tc_pst_vk_file vf;
    assert_int_equal(tc_pst_vk_decode(&err, &vf, json, strlen(json), "vk.json"), TC_OK);
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &vf.vk, vf.levels[1], &f.c, &sl), TC_OK);
    assert_true(ok);
    /* but the level check against [t_i]₂ refuses such keys */
    ok = true;
    assert_int_equal(tc_pst_vk_check_levels(&err, &ok, &vf, 1), TC_OK);
    assert_false(ok);
    tc_pst_vk_file_free(&vf);
    free(json);
    /* the same forged level inside an SRS file: it loads (the digest is
     * just a hash of the content), the slice verifies against it, and only
     * the structural check tc_pst_srs_check catches it */
    f.srs.ck[f.srs.level_off[1]] = forged[0];
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(tc_pst_srs_encode(&err, &buf, &len, &f.srs), TC_OK);
    tc_pst_srs loaded;
    assert_int_equal(tc_pst_srs_decode(&err, &loaded, buf, len, "srs.tcs", 1), TC_OK);
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &loaded.vk, tc_pst_srs_level(&loaded, 1),
                                         &f.c, &sl), TC_OK);
    assert_true(ok);
    assert_int_equal(tc_pst_srs_check(&err, &ok, &loaded, 1), TC_OK);
    assert_false(ok);
    tc_pst_srs_free(&loaded);
    free(buf);
    free(forged);
    tc_pst_slice_free(&sl);
    tc_pst_srs_free(&f.srs);
}

/* ------------------------------------------------ vk.json level check */

/* Shape (2, 3, 4) from explicit trapdoors: level 1 holds 12 points,
 * level 2 holds 4, level 3 is [1]₁. */
static void setup_explicit(tc_pst_srs *srs, uint64_t t0, uint64_t t1, uint64_t t2)
{
    tc_error err;
    tc_pst_shape s = {0};
    s.m = 3, s.n[0] = 2, s.n[1] = 3, s.n[2] = 4;
    tc_fr t[3];
    tc_fr_from_u64(&t[0], t0);
    tc_fr_from_u64(&t[1], t1);
    tc_fr_from_u64(&t[2], t2);
    tc_pst_setup_opts o = {1, false, NULL, NULL};
    assert_int_equal(tc_pst_setup(&err, srs, &s, t, TC_PST_ORIGIN_EXPLICIT, &o), TC_OK);
}

/* vk.json for `--slice-levels level`, encoded and decoded. */
static void vk_file(tc_pst_vk_file *vf, const tc_pst_srs *srs, int level)
{
    tc_error err;
    char *json = NULL;
    assert_int_equal(tc_pst_vk_encode(&err, &json, srs, &level, 1), TC_OK);
    assert_int_equal(tc_pst_vk_decode(&err, vf, json, strlen(json), "vk.json"), TC_OK);
    free(json);
}

/* Runs the level check; a failure must say why. */
static bool levels_pass(const tc_pst_vk_file *vf, char *why /* (512) or NULL */)
{
    tc_error err = {0};
    bool ok = true;   /* the check must set it */
    assert_int_equal(tc_pst_vk_check_levels(&err, &ok, vf, 1), TC_OK);
    if (!ok)
        assert_true(err.msg[0] != '\0');
    if (why != NULL)
        memcpy(why, err.msg, sizeof err.msg);
    return ok;
}

static void g1_add_to(tc_g1_affine *p, const tc_g1_affine *q)
{
    tc_g1 a, b;
    tc_g1_from_affine(&a, p);
    tc_g1_from_affine(&b, q);
    tc_g1_add(&a, &a, &b);
    tc_g1_to_affine(p, &a);
}

/* Every level from the smallest asked for up to m − 1 is embedded, equal
 * to the SRS's, and passes the check. */
static void test_vk_levels_honest(void **state)
{
    (void)state;
    tc_pst_srs srs;
    setup_explicit(&srs, 5, 7, 11);
    for (int level = 1; level <= 3; level++) {
        tc_pst_vk_file vf;
        vk_file(&vf, &srs, level);
        for (int j = 0; j <= 3; j++) {
            bool want = j >= level && j < 3;
            assert_int_equal(vf.levels[j] != NULL, want);
            if (want)
                for (size_t b = 0; b < tc_pst_suffix_size(&srs.shape, j); b++)
                    assert_true(tc_g1_affine_eq(&vf.levels[j][b], &tc_pst_srs_level(&srs, j)[b]));
        }
        assert_true(levels_pass(&vf, NULL));
        /* level m given explicitly: [1]₁ passes, 2·[1]₁ does not */
        vf.levels[3] = malloc(sizeof(tc_g1_affine));
        vf.levels[3][0] = vf.vk.g1;
        assert_true(levels_pass(&vf, NULL));
        g1_add_to(&vf.levels[3][0], &vf.vk.g1);
        assert_false(levels_pass(&vf, NULL));
        tc_pst_vk_file_free(&vf);
    }
    tc_pst_srs_free(&srs);
}

/* Any single changed point, swapped points (including swaps that keep the
 * level sums), scaled levels, and levels from other trapdoors that are
 * consistent with part of the key are refused; so is a file that lacks the
 * levels above J. */
static void test_vk_levels_tampered(void **state)
{
    (void)state;
    tc_pst_srs a, b1, b2;
    setup_explicit(&a, 5, 7, 11);
    setup_explicit(&b1, 5, 7, 12);   /* another t_2 */
    setup_explicit(&b2, 5, 8, 11);   /* another t_1, the same t_2 */
    tc_pst_vk_file vf;
    vk_file(&vf, &a, 1);
    assert_true(levels_pass(&vf, NULL));
    tc_g1_affine g = vf.vk.g1, keep;
    /* one point + [1]₁, every point of both levels */
    for (int j = 1; j <= 2; j++)
        for (size_t b = 0; b < tc_pst_suffix_size(&a.shape, j); b++) {
            keep = vf.levels[j][b];
            g1_add_to(&vf.levels[j][b], &g);
            assert_false(levels_pass(&vf, NULL));
            vf.levels[j][b] = keep;
        }
    assert_true(levels_pass(&vf, NULL));
    /* swaps: level 1 is (u, r) with 3 × 4 points; [0] and [4] share r, so
     * the sums still hold and only the ratio check can see it */
    static const int swaps[][3] = {{1, 0, 1}, {1, 0, 4}, {1, 3, 11}, {2, 0, 1}, {2, 2, 3}};
    for (size_t k = 0; k < sizeof swaps / sizeof swaps[0]; k++) {
        tc_g1_affine *lv = vf.levels[swaps[k][0]];
        keep = lv[swaps[k][1]];
        lv[swaps[k][1]] = lv[swaps[k][2]];
        lv[swaps[k][2]] = keep;
        assert_false(levels_pass(&vf, NULL));
        lv[swaps[k][2]] = lv[swaps[k][1]];
        lv[swaps[k][1]] = keep;
    }
    assert_true(levels_pass(&vf, NULL));
    /* a whole level doubled: level 1, level 2, both */
    for (int mask = 1; mask <= 3; mask++) {
        for (int j = 1; j <= 2; j++)
            if (mask & (1 << (j - 1)))
                for (size_t b = 0; b < tc_pst_suffix_size(&a.shape, j); b++)
                    g1_add_to(&vf.levels[j][b], &vf.levels[j][b]);
        assert_false(levels_pass(&vf, NULL));
        for (int j = 1; j <= 2; j++)
            memcpy(vf.levels[j], tc_pst_srs_level(&a, j),
                   tc_pst_suffix_size(&a.shape, j) * sizeof(tc_g1_affine));
    }
    assert_true(levels_pass(&vf, NULL));
    /* level 1 of another key: with another t_2 it is a true Lagrange level
     * but does not sum to our level 2; with another t_1 it does sum to our
     * level 2 and only [t_1]₂ tells it apart; levels 1 and 2 both from
     * another t_2 sum to [1]₁ but fail against [t_2]₂ */
    const tc_pst_srs *other[] = {&b1, &b2};
    for (int k = 0; k < 2; k++) {
        memcpy(vf.levels[1], tc_pst_srs_level(other[k], 1), 12 * sizeof(tc_g1_affine));
        assert_false(levels_pass(&vf, NULL));
    }
    memcpy(vf.levels[2], tc_pst_srs_level(&b1, 2), 4 * sizeof(tc_g1_affine));
    memcpy(vf.levels[1], tc_pst_srs_level(&b1, 1), 12 * sizeof(tc_g1_affine));
    assert_false(levels_pass(&vf, NULL));
    memcpy(vf.levels[1], tc_pst_srs_level(&a, 1), 12 * sizeof(tc_g1_affine));
    memcpy(vf.levels[2], tc_pst_srs_level(&a, 2), 4 * sizeof(tc_g1_affine));
    assert_true(levels_pass(&vf, NULL));
    /* the older format: level 1 without level 2 */
    free(vf.levels[2]);
    vf.levels[2] = NULL;
    char why[512];
    assert_false(levels_pass(&vf, why));
    assert_non_null(strstr(why, "regenerate"));
    assert_non_null(strstr(why, "tensorcommit vk"));
    tc_pst_vk_file_free(&vf);
    /* the same through the JSON text: a file with only "1" */
    tc_error err;
    char *json = NULL;
    int lv = 1;
    assert_int_equal(tc_pst_vk_encode(&err, &json, &a, &lv, 1), TC_OK);
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    assert_non_null(root);
    assert_int_equal(json_object_del(json_object_get(root, "slice_levels"), "2"), 0);
    char *old = json_dumps(root, 0);
    json_decref(root);
    assert_int_equal(tc_pst_vk_decode(&err, &vf, old, strlen(old), "vk.json"), TC_OK);
    assert_false(levels_pass(&vf, why));
    assert_non_null(strstr(why, "regenerate"));
    tc_pst_vk_file_free(&vf);
    free(old);
    free(json);
    tc_pst_srs_free(&a);
    tc_pst_srs_free(&b1);
    tc_pst_srs_free(&b2);
}

/* a ← a + k·q */
static void g1_add_mul(tc_g1_affine *a, const tc_g1_affine *q, const tc_fr *k)
{
    tc_g1 x, y;
    tc_g1_from_affine(&y, q);
    tc_g1_mul_var(&y, &y, k);
    tc_g1_from_affine(&x, a);
    tc_g1_add(&x, &x, &y);
    tc_g1_to_affine(a, &x);
}

/* The Lagrange-ratio equations for u = 1 are the only ones that see two of
 * the forgeries below; a check that began at u = 2 would accept both.
 *  - Shape (2, 2, 2): on a size-2 axis P₀ + P₁ = ck_{j+1} is all the level
 *    sums say, so P₀ := X, P₁ := ck_{j+1} − X keeps them; only u = 1 ties
 *    P₁ to P₀ (and there is no u = 2).  Forged at level 1 and at level 2.
 *  - Shape (2, 3, 4), level 1 (size 3, t₁ known to the forger): adding D
 *    to P₀, c·D to P₂ with c = w₂·t₁ / (w₀·(t₁ − 2)) = t₁ / (t₁ − 2), and
 *    −(1 + c)·D to P₁ keeps the sums and the u = 2 equation
 *    (t − 2)·P₂/w₂ = t·P₀/w₀; only u = 1 is broken. */
static void test_vk_levels_ratio_u1(void **state)
{
    (void)state;
    tc_error err;
    tc_pst_srs srs;
    tc_pst_shape s = {0};
    s.m = 3, s.n[0] = 2, s.n[1] = 2, s.n[2] = 2;
    tc_fr t[3];
    tc_fr_from_u64(&t[0], 5);
    tc_fr_from_u64(&t[1], 7);
    tc_fr_from_u64(&t[2], 11);
    tc_pst_setup_opts o = {1, false, NULL, NULL};
    assert_int_equal(tc_pst_setup(&err, &srs, &s, t, TC_PST_ORIGIN_EXPLICIT, &o), TC_OK);
    tc_pst_vk_file vf;
    for (int j = 1; j <= 2; j++) {   /* a file whose lowest level is j: forge level j */
        vk_file(&vf, &srs, j);
        assert_true(levels_pass(&vf, NULL));
        tc_g1_affine x = vf.vk.g1, neg_x;
        g1_add_to(&x, &x);
        g1_add_to(&x, &vf.vk.g1);   /* X = 3·[1]₁, any point will do */
        tc_g1_affine_neg(&neg_x, &x);
        size_t rest = tc_pst_suffix_size(&s, j + 1);
        const tc_g1_affine *above = j + 1 < 3 ? vf.levels[j + 1] : &vf.vk.g1;
        for (size_t r = 0; r < rest; r++) {
            tc_g1_affine keep0 = vf.levels[j][r], keep1 = vf.levels[j][rest + r];
            vf.levels[j][r] = x;                                /* P₀ := X */
            vf.levels[j][rest + r] = above[r];
            g1_add_to(&vf.levels[j][rest + r], &neg_x);       /* P₁ := ck_{j+1} − X */
            char why[512];
            assert_false(levels_pass(&vf, why));
            assert_non_null(strstr(why, "Lagrange"));   /* the sums held */
            vf.levels[j][r] = keep0;
            vf.levels[j][rest + r] = keep1;
        }
        assert_true(levels_pass(&vf, NULL));
        tc_pst_vk_file_free(&vf);
    }
    tc_pst_srs_free(&srs);

    setup_explicit(&srs, 5, 7, 11);
    vk_file(&vf, &srs, 1);
    tc_fr c, one, k;
    tc_fr_from_u64(&c, 7 - 2);
    tc_fr_inv_var(&c, &c);
    tc_fr_mul(&c, &c, &t[1]);                      /* c = t₁ / (t₁ − 2) */
    tc_fr_from_u64(&one, 1);
    tc_fr_add(&k, &c, &one);
    tc_fr_neg(&k, &k);                             /* −(1 + c) */
    tc_g1_affine d = vf.vk.g1;                     /* D = [1]₁ */
    for (size_t r = 0; r < 4; r++) {               /* level 1: (u, r), rest 4 */
        tc_g1_affine keep[3] = {vf.levels[1][r], vf.levels[1][4 + r], vf.levels[1][8 + r]};
        g1_add_to(&vf.levels[1][r], &d);
        g1_add_mul(&vf.levels[1][4 + r], &d, &k);
        g1_add_mul(&vf.levels[1][8 + r], &d, &c);
        char why[512];
        assert_false(levels_pass(&vf, why));
        assert_non_null(strstr(why, "Lagrange"));
        for (int u = 0; u < 3; u++)
            vf.levels[1][(size_t)u * 4 + r] = keep[u];
    }
    assert_true(levels_pass(&vf, NULL));
    tc_pst_vk_file_free(&vf);
    tc_pst_srs_free(&srs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_decoding), cmocka_unit_test(test_g2_subgroup),    cmocka_unit_test(test_infinity_points),
        cmocka_unit_test(test_proof_json_bounds),  cmocka_unit_test(test_api_sizes),
        cmocka_unit_test(test_batch_cancel),       cmocka_unit_test(test_slice_keys_are_checked),
        cmocka_unit_test(test_vk_levels_honest),   cmocka_unit_test(test_vk_levels_tampered),
        cmocka_unit_test(test_vk_levels_ratio_u1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
