/* PST properties on random shapes and tensors (seeded, replayable):
 * open then verify accepts; any flipped byte of a proof, value, point or
 * commitment is rejected; 1 and 2 threads give identical bytes; batch
 * verification agrees with one-by-one; the SRS file and proof.json round
 * trip; tampered SRS files are caught by the digest or by the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/encoding.h"
#include "pst/pst.h"

static tc_prng rng;

static void random_fr(tc_fr *r)
{
    uint8_t b[64];
    for (int i = 0; i < 8; i++) {
        uint64_t v = tc_prng_next(&rng);
        memcpy(b + 8 * i, &v, 8);
    }
    tc_fr_from_bytes_wide(r, b);
}

static void random_shape(tc_pst_shape *s, int max_m, uint32_t max_n)
{
    memset(s, 0, sizeof *s);
    s->m = 1 + (int)tc_prng_below(&rng, (uint64_t)max_m);
    for (int i = 0; i < s->m; i++)
        s->n[i] = 1 + (uint32_t)tc_prng_below(&rng, max_n);
}

/* signed values up to 40 bits, biased to edges */
static int64_t random_value(void)
{
    switch (tc_prng_below(&rng, 8)) {
    case 0: return 0;
    case 1: return ((int64_t)1 << 40);
    case 2: return -((int64_t)1 << 40);
    case 3: return -1;
    default: return (int64_t)tc_prng_below(&rng, (uint64_t)1 << 41) - ((int64_t)1 << 40);
    }
}

/* A random point: each coordinate on the grid, at a field point, or at an
 * edge (n_i, r − 1). */
static void random_point(tc_fr *z, const tc_pst_shape *s, int mode)
{
    for (int i = 0; i < s->m; i++) {
        int pick = mode >= 0 ? mode : (int)tc_prng_below(&rng, 3);
        if (pick == 0)
            tc_fr_from_u64(&z[i], tc_prng_below(&rng, s->n[i]));
        else if (pick == 1)
            random_fr(&z[i]);
        else if (tc_prng_below(&rng, 2))
            tc_fr_from_u64(&z[i], s->n[i]);
        else
            tc_fr_from_i64(&z[i], -1);
    }
}

typedef struct fixture {
    tc_pst_shape s;
    size_t count;
    int64_t *vals;
    tc_pst_srs srs;
    tc_g1_affine c;
} fixture;

static void fixture_init(fixture *f, int max_m, uint32_t max_n, bool monomial)
{
    tc_error err;
    random_shape(&f->s, max_m, max_n);
    f->count = tc_pst_suffix_size(&f->s, 0);
    f->vals = malloc(f->count * sizeof *f->vals);
    for (size_t k = 0; k < f->count; k++)
        f->vals[k] = random_value();
    uint8_t seed[8];
    uint64_t sv = tc_prng_next(&rng);
    memcpy(seed, &sv, 8);
    tc_pst_setup_opts o = {2, monomial, NULL, NULL};
    assert_int_equal(tc_pst_setup_seeded(&err, &f->srs, &f->s, seed, sizeof seed, &o), TC_OK);
    tc_g1 c;
    assert_int_equal(tc_pst_commit_i64(&err, &c, &f->srs, f->vals, f->count, 2), TC_OK);
    tc_g1_to_affine(&f->c, &c);
}

static void fixture_free(fixture *f)
{
    tc_pst_srs_free(&f->srs);
    free(f->vals);
}

static void assert_same_point(const tc_g1_affine *a, const tc_g1_affine *b)
{
    uint8_t x[TC_G1_UNCOMPRESSED_BYTES], y[TC_G1_UNCOMPRESSED_BYTES];
    tc_g1_to_bytes_uncompressed(x, a);
    tc_g1_to_bytes_uncompressed(y, b);
    assert_memory_equal(x, y, sizeof x);
}

/* Same opening: coordinates, value and proof bytes. */
static void assert_same_opening(const tc_pst_opening *a, const tc_pst_opening *b)
{
    assert_int_equal(a->m, b->m);
    assert_true(tc_fr_eq(&a->y, &b->y));
    for (int i = 0; i < a->m; i++) {
        assert_true(tc_fr_eq(&a->z[i], &b->z[i]));
        assert_same_point(&a->pi[i], &b->pi[i]);
    }
}

static bool verify(const fixture *f, const tc_g1_affine *c, const tc_pst_opening *o)
{
    tc_error err;
    bool ok = true;
    assert_int_equal(tc_pst_verify(&err, &ok, &f->srs.vk, c, o), TC_OK);
    return ok;
}

static void test_open_verify(void **state)
{
    (void)state;
    tc_error err;
    for (int trial = 0; trial < 12; trial++) {
        fixture f;
        fixture_init(&f, 4, 6, false);
        tc_pst_opening o;
        tc_fr z[TC_PST_MAX_VARS];
        random_point(z, &f.s, trial % 4 == 3 ? -1 : trial % 3);
        assert_int_equal(tc_pst_open(&err, &o, &f.srs, f.vals, f.count, z, 1, 2), TC_OK);
        assert_true(verify(&f, &f.c, &o));
        /* y = f(z) by the scalar layer */
        tc_fr *fv = malloc(f.count * sizeof *fv), y;
        for (size_t k = 0; k < f.count; k++)
            tc_fr_from_i64(&fv[k], f.vals[k]);
        assert_int_equal(tc_pst_eval(&err, &y, &f.s, fv, z), TC_OK);
        assert_true(tc_fr_eq(&y, &o.y));
        free(fv);
        /* every slice level */
        for (int j = 1; j <= f.s.m; j++) {
            tc_pst_slice sl;
            bool ok = false;
            assert_int_equal(tc_pst_open_slice(&err, &sl, &f.srs, f.vals, f.count, z, j, 1), TC_OK);
            assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, tc_pst_srs_level(&f.srs, j),
                                                 &f.c, &sl), TC_OK);
            assert_true(ok);
            /* a changed slice value is rejected */
            tc_fr one;
            tc_fr_one(&one);
            size_t at = tc_prng_below(&rng, sl.count);
            tc_fr_add(&sl.values[at], &sl.values[at], &one);
            assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, tc_pst_srs_level(&f.srs, j),
                                                 &f.c, &sl), TC_OK);
            assert_false(ok);
            tc_pst_slice_free(&sl);
        }
        fixture_free(&f);
    }
}

/* Flips every bit position class of every byte of the encoded parts: the
 * flipped encoding either fails to decode or fails to verify. */
static void test_flip_bytes(void **state)
{
    (void)state;
    tc_error err;
    fixture f;
    for (;;) {   /* every axis of size ≥ 2, so every coordinate matters */
        fixture_init(&f, 3, 4, false);
        bool all2 = true;
        for (int i = 0; i < f.s.m; i++)
            all2 = all2 && f.s.n[i] >= 2;
        if (all2)
            break;
        fixture_free(&f);
    }
    tc_fr *fv = malloc(f.count * sizeof *fv);
    for (size_t k = 0; k < f.count; k++)
        tc_fr_from_i64(&fv[k], f.vals[k]);
    tc_pst_opening o;
    tc_fr z[TC_PST_MAX_VARS];
    random_point(z, &f.s, -1);
    assert_int_equal(tc_pst_open(&err, &o, &f.srs, f.vals, f.count, z, 1, 1), TC_OK);
    assert_true(verify(&f, &f.c, &o));
    size_t rejected = 0, tried = 0;
    /* proof points and the commitment */
    for (int part = 0; part <= o.m; part++) {
        const tc_g1_affine *p = part < o.m ? &o.pi[part] : &f.c;
        uint8_t b[TC_G1_BYTES];
        tc_g1_to_bytes(b, p);
        for (int byte = 0; byte < TC_G1_BYTES; byte++) {
            uint8_t mask = (uint8_t)(1u << tc_prng_below(&rng, 8));
            b[byte] ^= mask;
            tc_g1_affine q;
            tc_pst_opening o2 = o;
            tc_g1_affine c2 = f.c;
            bool ok = false;
            tried++;
            if (tc_g1_decode(&q, b) == TC_POINT_OK) {
                if (part < o.m)
                    o2.pi[part] = q;
                else
                    c2 = q;
                ok = verify(&f, &c2, &o2);
            }
            rejected += !ok;
            b[byte] ^= mask;
        }
    }
    /* the value and the point coordinates */
    for (int part = 0; part <= o.m; part++) {
        tc_fr *v = part < o.m ? &o.z[part] : &o.y;
        uint8_t b[32];
        tc_fr_to_bytes(b, v);
        for (int byte = 0; byte < 32; byte++) {
            uint8_t mask = (uint8_t)(1u << tc_prng_below(&rng, 8));
            b[byte] ^= mask;
            tc_pst_opening o2 = o;
            tc_fr *v2 = part < o.m ? &o2.z[part] : &o2.y;
            bool ok = false;
            tried++;
            if (tc_fr_from_bytes(v2, b)) {
                ok = verify(&f, &f.c, &o2);
                /* the flipped claim y = f(z) is false (the polynomial has
                 * degree ≥ 1 in every variable, but may still meet y) */
                tc_fr y2;
                assert_int_equal(tc_pst_eval(&err, &y2, &f.s, fv, o2.z), TC_OK);
                if (tc_fr_eq(&y2, &o2.y)) {
                    assert_true(ok);
                    ok = false;
                }
            }
            rejected += !ok;
            b[byte] ^= mask;
        }
    }
    assert_int_equal(rejected, tried);
    free(fv);
    fixture_free(&f);
}

static bool verify_slice(const fixture *f, const tc_g1_affine *c, const tc_pst_slice *sl)
{
    tc_error err;
    bool ok = true;
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f->srs.vk, tc_pst_srs_level(&f->srs, sl->j),
                                         c, sl), TC_OK);
    return ok;
}

/* A slice with its own copy of the values (the edits below change them). */
static void slice_copy(tc_pst_slice *dst, const tc_pst_slice *src)
{
    *dst = *src;
    dst->values = malloc(src->count * sizeof *dst->values);
    assert_non_null(dst->values);
    memcpy(dst->values, src->values, src->count * sizeof *dst->values);
}

/* Whether `sl` (maybe edited) states the truth: its values are the tensor
 * folded at its coordinates.  A flip that lands on another true statement
 * (vanishingly unlikely) may verify. */
static bool slice_true(const fixture *f, const tc_pst_slice *sl)
{
    tc_error err;
    tc_pst_slice honest;
    assert_int_equal(tc_pst_open_slice(&err, &honest, &f->srs, f->vals, f->count, sl->z, sl->j, 1),
                     TC_OK);
    bool same = true;
    for (size_t k = 0; k < sl->count; k++)
        same = same && tc_fr_eq(&honest.values[k], &sl->values[k]);
    tc_pst_slice_free(&honest);
    return same;
}

/* Slice proofs at every level: a flipped bit in every byte (at a random
 * position) of each proof point, the commitment, each coordinate and of
 * sampled values; proof points swapped among themselves and with another
 * slice's; values swapped; a slice checked at a level it is not for.
 * Each edit fails to decode or fails to verify, without crashing. */
static void test_slice_flips(void **state)
{
    (void)state;
    tc_error err;
    fixture f;
    for (;;) {   /* every axis of size ≥ 2, so every coordinate matters */
        fixture_init(&f, 3, 4, false);
        bool all2 = f.s.m >= 2;
        for (int i = 0; i < f.s.m; i++)
            all2 = all2 && f.s.n[i] >= 2;
        if (all2)
            break;
        fixture_free(&f);
    }
    size_t rejected = 0, tried = 0;
    for (int j = 1; j <= f.s.m; j++) {
        tc_fr z[TC_PST_MAX_VARS], z2[TC_PST_MAX_VARS];
        random_point(z, &f.s, -1);
        random_point(z2, &f.s, -1);
        tc_pst_slice sl, other, e;
        assert_int_equal(tc_pst_open_slice(&err, &sl, &f.srs, f.vals, f.count, z, j, 1), TC_OK);
        assert_int_equal(tc_pst_open_slice(&err, &other, &f.srs, f.vals, f.count, z2, j, 1), TC_OK);
        assert_true(verify_slice(&f, &f.c, &sl));
        assert_true(verify_slice(&f, &f.c, &other));
        /* proof points and the commitment */
        for (int part = 0; part <= j; part++) {
            uint8_t b[TC_G1_BYTES];
            tc_g1_to_bytes(b, part < j ? &sl.pi[part] : &f.c);
            for (int byte = 0; byte < TC_G1_BYTES; byte++) {
                uint8_t mask = (uint8_t)(1u << tc_prng_below(&rng, 8));
                b[byte] ^= mask;
                tc_g1_affine q, c2 = f.c;
                bool ok = false;
                tried++;
                if (tc_g1_decode(&q, b) == TC_POINT_OK) {
                    slice_copy(&e, &sl);
                    if (part < j)
                        e.pi[part] = q;
                    else
                        c2 = q;
                    ok = verify_slice(&f, &c2, &e);
                    tc_pst_slice_free(&e);
                }
                rejected += !ok;
                b[byte] ^= mask;
            }
        }
        /* coordinates, and up to four sampled values */
        size_t n_val = sl.count < 4 ? sl.count : 4;
        for (size_t part = 0; part < (size_t)j + n_val; part++) {
            size_t at = part < (size_t)j ? 0 : tc_prng_below(&rng, sl.count);
            uint8_t b[32];
            tc_fr_to_bytes(b, part < (size_t)j ? &sl.z[part] : &sl.values[at]);
            for (int byte = 0; byte < 32; byte++) {
                uint8_t mask = (uint8_t)(1u << tc_prng_below(&rng, 8));
                b[byte] ^= mask;
                slice_copy(&e, &sl);
                tc_fr *v = part < (size_t)j ? &e.z[part] : &e.values[at];
                bool ok = false;
                tried++;
                if (tc_fr_from_bytes(v, b)) {
                    ok = verify_slice(&f, &f.c, &e);
                    if (ok && slice_true(&f, &e))
                        ok = false;   /* another true statement: not a forgery */
                }
                rejected += !ok;
                tc_pst_slice_free(&e);
                b[byte] ^= mask;
            }
        }
        /* swapped proof points, within the proof and with the other slice's */
        for (int a = 0; a < j; a++) {
            for (int c = a + 1; c < j; c++) {
                slice_copy(&e, &sl);
                e.pi[a] = sl.pi[c];
                e.pi[c] = sl.pi[a];
                tried++;
                rejected += !verify_slice(&f, &f.c, &e);
                tc_pst_slice_free(&e);
            }
            slice_copy(&e, &sl);
            e.pi[a] = other.pi[a];
            tried++;
            rejected += !verify_slice(&f, &f.c, &e);
            tc_pst_slice_free(&e);
        }
        /* swapped values: a few pairs that differ */
        for (int k = 0; k < 4 && sl.count >= 2; k++) {
            size_t a = tc_prng_below(&rng, sl.count), c = tc_prng_below(&rng, sl.count);
            if (tc_fr_eq(&sl.values[a], &sl.values[c]))
                continue;
            slice_copy(&e, &sl);
            e.values[a] = sl.values[c];
            e.values[c] = sl.values[a];
            tried++;
            rejected += !verify_slice(&f, &f.c, &e);
            tc_pst_slice_free(&e);
        }
        /* the other slice's values under this slice's proof */
        slice_copy(&e, &sl);
        memcpy(e.values, other.values, sl.count * sizeof *e.values);
        tried++;
        rejected += !verify_slice(&f, &f.c, &e);
        tc_pst_slice_free(&e);
        tc_pst_slice_free(&sl);
        tc_pst_slice_free(&other);
    }
    assert_true(tried > 0);
    assert_int_equal(rejected, tried);
    fixture_free(&f);
}

static void test_threads_identical(void **state)
{
    (void)state;
    tc_error err;
    for (int trial = 0; trial < 3; trial++) {
        tc_pst_shape s;
        random_shape(&s, 4, 6);
        size_t n = tc_pst_suffix_size(&s, 0);
        int64_t *vals = malloc(n * sizeof *vals);
        for (size_t k = 0; k < n; k++)
            vals[k] = random_value();
        tc_fr t[TC_PST_MAX_VARS], z[TC_PST_MAX_VARS];
        for (int i = 0; i < s.m; i++)
            random_fr(&t[i]);
        random_point(z, &s, -1);
        uint8_t *buf[2];
        size_t len[2];
        tc_g1 c[2];
        tc_pst_opening o[2];
        for (int th = 0; th < 2; th++) {
            tc_pst_srs srs;
            tc_pst_setup_opts opt = {th + 1, true, NULL, NULL};
            assert_int_equal(tc_pst_setup(&err, &srs, &s, t, TC_PST_ORIGIN_EXPLICIT, &opt), TC_OK);
            assert_int_equal(tc_pst_srs_encode(&err, &buf[th], &len[th], &srs), TC_OK);
            assert_int_equal(tc_pst_commit_i64(&err, &c[th], &srs, vals, n, th + 1), TC_OK);
            assert_int_equal(tc_pst_open(&err, &o[th], &srs, vals, n, z, 1, th + 1), TC_OK);
            tc_pst_srs_free(&srs);
        }
        assert_int_equal(len[0], len[1]);
        assert_memory_equal(buf[0], buf[1], len[0]);
        tc_g1_affine ca[2];
        tc_g1_to_affine(&ca[0], &c[0]);
        tc_g1_to_affine(&ca[1], &c[1]);
        assert_same_point(&ca[0], &ca[1]);
        assert_same_opening(&o[0], &o[1]);
        free(buf[0]);
        free(buf[1]);
        free(vals);
    }
}

static void test_batch(void **state)
{
    (void)state;
    tc_error err;
    fixture f;
    fixture_init(&f, 3, 5, false);
    enum { K = 12 };
    tc_fr z[K * TC_PST_MAX_VARS];
    for (int k = 0; k < K; k++) {
        random_point(z + k * f.s.m, &f.s, -1);
        if (k % 3 == 1) /* share a prefix with the previous point */
            z[k * f.s.m] = z[(k - 1) * f.s.m];
    }
    tc_pst_opening o[K], one;
    tc_g1_affine cs[K];
    assert_int_equal(tc_pst_open(&err, o, &f.srs, f.vals, f.count, z, K, 2), TC_OK);
    for (int k = 0; k < K; k++) {
        /* the shared-work path gives the same bytes as opening alone */
        assert_int_equal(tc_pst_open(&err, &one, &f.srs, f.vals, f.count, z + k * f.s.m, 1, 1),
                         TC_OK);
        assert_same_opening(&one, &o[k]);
        assert_true(verify(&f, &f.c, &o[k]));
        cs[k] = f.c;
    }
    bool ok = false;
    assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 2), TC_OK);
    assert_true(ok);
    /* one bad proof anywhere rejects the batch, as it does one-by-one */
    for (int trial = 0; trial < 3; trial++) {
        int bad = (int)tc_prng_below(&rng, K);
        tc_pst_opening save = o[bad];
        tc_fr one_fr;
        tc_fr_one(&one_fr);
        tc_fr_add(&o[bad].y, &o[bad].y, &one_fr);
        assert_false(verify(&f, &f.c, &o[bad]));
        assert_int_equal(tc_pst_verify_batch(&err, &ok, &f.srs.vk, cs, o, K, 2), TC_OK);
        assert_false(ok);
        o[bad] = save;
    }
    fixture_free(&f);
}

static void test_srs_file(void **state)
{
    (void)state;
    tc_error err;
    fixture f;
    fixture_init(&f, 3, 4, true);
    uint8_t *buf;
    size_t len;
    assert_int_equal(tc_pst_srs_encode(&err, &buf, &len, &f.srs), TC_OK);
    tc_pst_srs back;
    assert_int_equal(tc_pst_srs_decode(&err, &back, buf, len, "mem.tcs", 2), TC_OK);
    assert_memory_equal(back.id, f.srs.id, 32);
    assert_int_equal(back.n_points, f.srs.n_points);
    assert_int_equal(back.origin, TC_PST_ORIGIN_SEEDED);
    for (size_t i = 0; i < back.n_points; i++)
        assert_same_point(&back.ck[i], &f.srs.ck[i]);
    bool ok = false;
    assert_int_equal(tc_pst_srs_check(&err, &ok, &back, 2), TC_OK);
    assert_true(ok);
    tc_pst_srs_free(&back);
    /* truncation and any flipped byte fail to load */
    assert_int_not_equal(tc_pst_srs_decode(&err, &back, buf, len - 1, "mem.tcs", 1), TC_OK);
    for (int trial = 0; trial < 20; trial++) {
        size_t at = tc_prng_below(&rng, len);
        buf[at] ^= 0x10;
        assert_int_not_equal(tc_pst_srs_decode(&err, &back, buf, len, "mem.tcs", 1), TC_OK);
        buf[at] ^= 0x10;
    }
    /* a tampered key with a recomputed digest loads but fails the check:
     * swap two level-0 points (both valid points) */
    if (f.count >= 2) {
        size_t hdr = 8 + 16 + 4 * (size_t)f.s.m + 64 + 128 * (1 + (size_t)f.s.m);
        uint8_t tmp[64];
        memcpy(tmp, buf + hdr, 64);
        memcpy(buf + hdr, buf + hdr + 64, 64);
        memcpy(buf + hdr + 64, tmp, 64);
        tc_sha256_oneshot(buf + len - 32, buf, len - 32);
        if (memcmp(buf + hdr, buf + hdr + 64, 64) != 0) {
            assert_int_equal(tc_pst_srs_decode(&err, &back, buf, len, "mem.tcs", 1), TC_OK);
            assert_int_equal(tc_pst_srs_check(&err, &ok, &back, 1), TC_OK);
            assert_false(ok);
            tc_pst_srs_free(&back);
        }
    }
    free(buf);
    fixture_free(&f);
}

static void test_proof_json(void **state)
{
    (void)state;
    tc_error err;
    fixture f;
    fixture_init(&f, 3, 5, false);
    tc_fr z[2 * TC_PST_MAX_VARS];
    random_point(z, &f.s, 0);
    random_point(z + f.s.m, &f.s, 1);
    tc_pst_opening o[2];
    tc_pst_slice sl;
    assert_int_equal(tc_pst_open(&err, o, &f.srs, f.vals, f.count, z, 2, 1), TC_OK);
    assert_int_equal(tc_pst_open_slice(&err, &sl, &f.srs, f.vals, f.count, z, 1, 1), TC_OK);
    char *json;
    assert_int_equal(tc_pst_proof_encode(&err, &json, &f.s, &f.c, o, 2, &sl, 1), TC_OK);
    tc_pst_proof_file pf;
    assert_int_equal(tc_pst_proof_decode(&err, &pf, json, strlen(json), "proof.json"), TC_OK);
    assert_int_equal(pf.n_open, 2);
    assert_int_equal(pf.n_slice, 1);
    assert_string_equal(pf.commitment_fault, "");
    for (int k = 0; k < 2; k++) {
        assert_string_equal(pf.open_fault[k], "");
        assert_true(verify(&f, &pf.commitment, &pf.open[k]));
    }
    bool ok = false;
    assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk, tc_pst_srs_level(&f.srs, 1),
                                         &pf.commitment, &pf.slice[0]), TC_OK);
    assert_true(ok);
    tc_pst_proof_file_free(&pf);
    /* truncated text is unreadable */
    assert_int_equal(tc_pst_proof_decode(&err, &pf, json, strlen(json) / 2, "proof.json"),
                     TC_EFORMAT);
    free(json);
    tc_pst_slice_free(&sl);
    fixture_free(&f);
}

/* Values near the int64 limits on long axes: the scaled grid quotients no
 * longer fit int64 and take the int128 MSM; the proofs still verify and
 * match the field-value path's. */
static void test_wide_values(void **state)
{
    (void)state;
    tc_error err;
    tc_pst_shape s = {.m = 2, .n = {16, 3}};
    size_t n = 48;
    int64_t vals[48];
    for (size_t k = 0; k < n; k++)
        vals[k] = k % 3 == 0 ? INT64_MIN : k % 3 == 1 ? INT64_MAX : (int64_t)tc_prng_next(&rng);
    tc_pst_srs srs;
    const uint8_t seed[1] = {7};
    tc_pst_setup_opts o = {2, false, NULL, NULL};
    assert_int_equal(tc_pst_setup_seeded(&err, &srs, &s, seed, 1, &o), TC_OK);
    tc_g1 c;
    tc_g1_affine ca;
    assert_int_equal(tc_pst_commit_i64(&err, &c, &srs, vals, n, 2), TC_OK);
    tc_g1_to_affine(&ca, &c);
    for (uint32_t g = 0; g < 16; g += 5) {
        tc_fr z[2];
        tc_fr_from_u64(&z[0], g);
        tc_fr_from_u64(&z[1], g % 3);
        tc_pst_opening op;
        assert_int_equal(tc_pst_open(&err, &op, &srs, vals, n, z, 1, 2), TC_OK);
        bool ok = false;
        assert_int_equal(tc_pst_verify(&err, &ok, &srs.vk, &ca, &op), TC_OK);
        assert_true(ok);
        tc_fr want;
        tc_fr_from_i64(&want, vals[g * 3 + g % 3]);
        assert_true(tc_fr_eq(&op.y, &want));
        /* π_0 from the field-valued quotient of the scalar layer */
        tc_fr fv[48], q0[48], f1[3], *qs[1] = {q0};
        for (size_t k = 0; k < n; k++)
            tc_fr_from_i64(&fv[k], vals[k]);
        assert_int_equal(tc_pst_open_scalars(&err, qs, f1, &s, fv, z, 1), TC_OK);
        tc_g1 p0;
        tc_g1_affine p0a;
        assert_int_equal(tc_pst_msm_fr_var(&err, &p0, srs.ck, q0, n, 1), TC_OK);
        tc_g1_to_affine(&p0a, &p0);
        assert_same_point(&p0a, &op.pi[0]);
    }
    tc_pst_srs_free(&srs);
}

/* Random byte edits of proof.json and vk.json: parsing either fails with a
 * message naming the file or yields items that verify or not, never a
 * crash (run under the sanitizers). */
static void test_mangled_files(void **state)
{
    (void)state;
    tc_error err;
    fixture f;
    fixture_init(&f, 3, 4, false);
    tc_fr z[TC_PST_MAX_VARS];
    random_point(z, &f.s, -1);
    tc_pst_opening o;
    tc_pst_slice sl;
    assert_int_equal(tc_pst_open(&err, &o, &f.srs, f.vals, f.count, z, 1, 1), TC_OK);
    assert_int_equal(tc_pst_open_slice(&err, &sl, &f.srs, f.vals, f.count, z, 1, 1), TC_OK);
    char *json, *vk;
    int lv = 1;
    assert_int_equal(tc_pst_proof_encode(&err, &json, &f.s, &f.c, &o, 1, &sl, 1), TC_OK);
    assert_int_equal(tc_pst_vk_encode(&err, &vk, &f.srs, &lv, 1), TC_OK);
    size_t len = strlen(json), vlen = strlen(vk);
    static const char alphabet[] = "0123456789abcdef\"{}[],:- x";
    for (int trial = 0; trial < 300; trial++) {
        char *t = malloc(len + 1);
        memcpy(t, json, len + 1);
        int edits = 1 + (int)tc_prng_below(&rng, 3);
        for (int e = 0; e < edits; e++)
            t[tc_prng_below(&rng, len)] = alphabet[tc_prng_below(&rng, sizeof alphabet - 1)];
        tc_pst_proof_file pf;
        if (tc_pst_proof_decode(&err, &pf, t, len, "proof.json") == TC_OK) {
            if (tc_pst_shape_eq(&pf.shape, &f.s) && pf.commitment_fault[0] == '\0') {
                bool ok;
                for (size_t k = 0; k < pf.n_open; k++)
                    if (pf.open_fault[k][0] == '\0')
                        assert_int_equal(tc_pst_verify(&err, &ok, &f.srs.vk, &pf.commitment, &pf.open[k]), TC_OK);
                for (size_t k = 0; k < pf.n_slice; k++)
                    if (pf.slice_fault[k][0] == '\0' && pf.slice[k].j == 1)
                        assert_int_equal(tc_pst_verify_slice(&err, &ok, &f.srs.vk,
                                                             tc_pst_srs_level(&f.srs, 1),
                                                             &pf.commitment, &pf.slice[k]),
                                         TC_OK);
            }
            tc_pst_proof_file_free(&pf);
        } else {
            assert_true(strstr(err.msg, "proof.json") != NULL);
        }
        free(t);
        char *v = malloc(vlen + 1);
        memcpy(v, vk, vlen + 1);
        v[tc_prng_below(&rng, vlen)] = alphabet[tc_prng_below(&rng, sizeof alphabet - 1)];
        tc_pst_vk_file vf;
        if (tc_pst_vk_decode(&err, &vf, v, vlen, "vk.json") == TC_OK)
            tc_pst_vk_file_free(&vf);
        else
            assert_true(strstr(err.msg, "vk.json") != NULL);
        free(v);
    }
    free(json);
    free(vk);
    tc_pst_slice_free(&sl);
    fixture_free(&f);
}

int main(void)
{
    tc_prng_seed(&rng, tu_seed("test_pst_props"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_verify),   cmocka_unit_test(test_flip_bytes),
        cmocka_unit_test(test_threads_identical), cmocka_unit_test(test_batch),
        cmocka_unit_test(test_srs_file),      cmocka_unit_test(test_proof_json),
        cmocka_unit_test(test_mangled_files), cmocka_unit_test(test_wide_values),
        cmocka_unit_test(test_slice_flips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
