/* Fiat–Shamir transcript: a known answer computed independently (Python's
 * hashlib following the format in transcript.h), determinism, separation of
 * labels, messages and their boundaries, and a sanity check of the
 * challenge distribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/testutil.h"
#include "ec/transcript.h"

static tc_prng rng;

static void assert_fr_dec(const tc_fr *a, const char *want)
{
    char got[80];
    tc_fr_to_dec(got, a);
    assert_string_equal(got, want);
}

/* The sequence below, run through an independent implementation of the
 * documented format (Python hashlib + integer arithmetic), gave these. */
static void test_known_answer(void **s)
{
    (void)s;
    tc_transcript t;
    tc_transcript_init(&t, "test");
    tc_transcript_absorb(&t, "msg", "hello", 5);
    tc_transcript_absorb_u64(&t, "n", 42);
    tc_g1_affine g;
    tc_g1_affine_generator(&g);
    tc_transcript_absorb_g1(&t, "G", &g);
    tc_transcript_absorb(&t, "empty", NULL, 0);
    tc_fr c;
    tc_transcript_challenge_fr(&t, "c", &c);
    assert_fr_dec(&c, "11193526489307946977291446750743203801646604354747909335523527308395333168253");
    uint8_t seed[40], want[40];
    tc_transcript_challenge_bytes(&t, "seed", seed, sizeof seed);
    assert_true(tc_hex_decode(want, sizeof want,
                              "8e5b50c7334253b8290b028ba34e7fee60af618c740c9ecceb91c91ad76fa008364473b4784bcaf2"));
    assert_memory_equal(seed, want, sizeof seed);
    tc_fr many[3];
    tc_transcript_challenges_fr(&t, "many", many, 3);
    assert_fr_dec(&many[0], "15653809173154979594013643661496849718341200635726461989447469709393182960094");
    assert_fr_dec(&many[1], "15573782297033129153838735354628689000789882043971553829185302917901613761299");
    assert_fr_dec(&many[2], "4632854244752940640781113452884958078193699076004665234359429128629536903768");
}

static void challenge_after(tc_fr *out, const char *protocol, const char *l1, const char *m1,
                            const char *l2, const char *m2)
{
    tc_transcript t;
    tc_transcript_init(&t, protocol);
    if (l1 != NULL)
        tc_transcript_absorb(&t, l1, m1, strlen(m1));
    if (l2 != NULL)
        tc_transcript_absorb(&t, l2, m2, strlen(m2));
    tc_transcript_challenge_fr(&t, "c", out);
}

static void test_separation(void **s)
{
    (void)s;
    enum { N = 10 };
    tc_fr c[N];
    challenge_after(&c[0], "p", "a", "bc", NULL, NULL);
    challenge_after(&c[1], "p", "ab", "c", NULL, NULL);       /* label/message boundary */
    challenge_after(&c[2], "p", "a", "b", "a", "c");          /* split message */
    challenge_after(&c[3], "p", "b", "bc", NULL, NULL);       /* other label */
    challenge_after(&c[4], "q", "a", "bc", NULL, NULL);       /* other protocol */
    challenge_after(&c[5], "p", "a", "bc", "a", "");          /* empty message counts */
    challenge_after(&c[6], "p", NULL, NULL, NULL, NULL);
    challenge_after(&c[7], "p", "x", "1", "y", "2");
    challenge_after(&c[8], "p", "y", "2", "x", "1");          /* order */
    challenge_after(&c[9], "pa", "", "bc", NULL, NULL);       /* protocol/label boundary */
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            assert_false(tc_fr_eq(&c[i], &c[j]));
    /* determinism */
    tc_fr again;
    challenge_after(&again, "p", "a", "bc", NULL, NULL);
    assert_true(tc_fr_eq(&again, &c[0]));

    /* successive squeezes differ, and depend on the squeeze label and count */
    tc_transcript t, u;
    tc_fr a, b, d, e[2];
    tc_transcript_init(&t, "p");
    u = t;
    tc_transcript_challenge_fr(&t, "c", &a);
    tc_transcript_challenge_fr(&t, "c", &b);
    assert_false(tc_fr_eq(&a, &b));
    tc_transcript_challenge_fr(&u, "d", &d);
    assert_false(tc_fr_eq(&a, &d));
    tc_transcript_init(&u, "p");
    tc_transcript_challenges_fr(&u, "c", e, 2);
    assert_false(tc_fr_eq(&e[0], &a));
    assert_false(tc_fr_eq(&e[0], &e[1]));

    /* typed absorbs are the same as absorbing their encodings */
    tc_fr k;
    tc_fr_from_u64(&k, 7);
    tc_transcript_init(&t, "p");
    tc_transcript_init(&u, "p");
    tc_transcript_absorb_fr(&t, "k", &k);
    uint8_t kb[32] = {7};
    tc_transcript_absorb(&u, "k", kb, 32);
    assert_memory_equal(t.state, u.state, 32);
    tc_g2_affine g2;
    tc_g2_affine_generator(&g2);
    tc_transcript_absorb_g2(&t, "g2", &g2);
    assert_memory_not_equal(t.state, u.state, 32);
}

/* 4000 challenges: each of the low 16 bits is set about half the time, and
 * about half the values are below r/2 (bounds: 6 standard deviations). */
static void test_distribution(void **s)
{
    (void)s;
    enum { N = 4000 };
    tc_transcript t;
    tc_transcript_init(&t, "dist");
    tc_transcript_absorb_u64(&t, "seed", tc_prng_next(&rng));
    int bits[16] = {0}, low_half = 0;
    tc_fr half;
    tc_fr_from_u64(&half, 2);
    tc_fr_inv_var(&half, &half);     /* (r + 1)/2 */
    uint64_t hl[4];
    tc_fr_to_limbs(hl, &half);
    for (int i = 0; i < N; i++) {
        tc_fr c;
        tc_transcript_challenge_fr(&t, "c", &c);
        uint64_t v[4];
        tc_fr_to_limbs(v, &c);
        for (int b = 0; b < 16; b++)
            bits[b] += (int)((v[0] >> b) & 1);
        low_half += !tc_limbs_geq(v, hl);
    }
    const int sd6 = 6 * 32;   /* sqrt(4000/4) ≈ 31.6 */
    for (int b = 0; b < 16; b++)
        assert_true(bits[b] > N / 2 - sd6 && bits[b] < N / 2 + sd6);
    assert_true(low_half > N / 2 - sd6 && low_half < N / 2 + sd6);
}

int main(void)
{
    tc_prng_seed(&rng, tu_seed("test_transcript"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_separation),
        cmocka_unit_test(test_distribution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
