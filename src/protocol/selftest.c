/* Self-test: embedded known answers (see selftest.h). */
#include "protocol/selftest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/curve.h"
#include "ec/encoding.h"
#include "ec/field.h"
#include "ec/pairing.h"
#include "pst/pst.h"
#include "tensor/quantize.h"

/* ====================================================================
 * Known answers.  Every literal below is copied from the test vectors
 * (produced by @noble/curves and an independent BigInt implementation);
 * each block names the file and the entry it comes from.
 * ==================================================================== */

/* bn254_basic.json fp.mul[5] */
static const char FP_MUL_A[] =
    "13402793602809952725015838670787489428980530513642429748663868723036115235130";
static const char FP_MUL_B[] =
    "14817203577194739606153476733921918130583219048709589567553326765887417866699";
static const char FP_MUL_OUT[] =
    "3765098607671828707455091940686690369388845323309935842775896730035460900870";

/* bn254_basic.json fp.inv[5] */
static const char FP_INV_A[] =
    "46050436457372050529909106877418094192196110865849109864251911300567252625";
static const char FP_INV_OUT[] =
    "11975005445551757033774304709066924290134332731369497765775687814323932335864";

/* bn254_basic.json fr.sqrt[7] (roots[0], the smaller root) and fr.sqrt[6]
 * (a = 5, roots null: not a square) */
static const char FR_SQRT_A[] =
    "17375730859712425012601809963235359826509182988823885142830614017675134727336";
static const char FR_SQRT_ROOT[] =
    "10095705584309791712140090150136341700215936000751388111860802123912702907766";
static const char FR_NONSQUARE[] = "5";

/* bn254_basic.json g1.scalar_mul[10] and g2.scalar_mul[10]: k = (r + 1)/2 */
static const char SMUL_K[] =
    "10944121435919637611123202872628637544274182200208017171849102093287904247809";
static const char G1_SMUL_HEX[] =
    "f569bfbe5e94c2d6836b9dc22619e6491bd69f1429a463e49a8a9054d672c396";
static const char G2_SMUL_HEX[] =
    "fc8304806e3fb1a27855f6eb317c324555c9fa9d3d35ff7588c5d105ec46df19"
    "55b7e0b06187233b7caf119e8ebb13c658b34e2fab91242b855e4c91fa22ec26";

/* bn254_basic.json pairing.e_g1_g2.arkworks_noble: e(G1, G2) with the
 * Fuentes-Castañeda final exponentiation (ec/pairing.h); entry 6i + 2j + k
 * is the coefficient of w^i v^j u^k. */
static const char *const PAIRING_G1_G2[12] = {
    "17264119758069723980713015158403419364912226240334615592005620718956030922389",
    "1300711225518851207585954685848229181392358478699795190245709208408267917898",
    "8894217292938489450175280157304813535227569267786222825147475294561798790624",
    "1829859855596098509359522796979920150769875799037311140071969971193843357227",
    "4968700049505451466697923764727215585075098085662966862137174841375779106779",
    "12814315002058128940449527172080950701976819591738376253772993495204862218736",
    "4233474252585134102088637248223601499779641130562251948384759786370563844606",
    "9420544134055737381096389798327244442442230840902787283326002357297404128074",
    "13457906610892676317612909831857663099224588803620954529514857102808143524905",
    "5122435115068592725432309312491733755581898052459744089947319066829791570839",
    "8891987925005301465158626530377582234132838601606565363865129986128301774627",
    "440796048150724096437130979851431985500142692666486515369083499585648077975",
};

/* bn254_basic.json pairing.product_checks[0] (e(aG1,bG2)·e(−abG1,G2) = 1)
 * and [3] (e(aG1,bG2)·e(−(ab+1)G1,G2) ≠ 1): G1 then G2, compressed. */
static const char G2_GEN_HEX[] =
    "edf692d95cbdde46ddda5ef7d422436779445c5e66006a42761e1f12efde0018"
    "c212f3aeb785e49712e7a9353349aaf1255dfb31b7bf60723a480d9293938e19";
static const char PC_A_G1[] = "56c5839dc16df14ae75a7eb524f55a2e437f4963c15cdfd22c258ad7d8e44aae";
static const char PC_B_G2[] =
    "259472727f01576faeb39450a86151381f81eeae939c96102aa9a77723fcaa0b"
    "49205753b4b3b6b80207bd16fa24424fcd22235869ffcc1d331d9af003f72f11";
static const char PC0_NEG_AB_G1[] = "18ebd1a704750ecda2293cc654089323f22abe8834fedc26e816a54ff3ba1918";
static const char PC3_NEG_AB1_G1[] = "76265bb734720ef807007fa2f09d9b536abc42e9d36a9f6b7f6550b28acf7f8b";

/* bn254_basic.json g1_decode_reject[4] (x = p + 1), [9] (infinity flag with
 * x = 1) and g2_decode_reject[2] (x = u: on the twist, not in G2). */
static const char G1_REJECT_P1[] = "48fd7cd8168c203c8dca7168916a81975d588181b64550b829a031e1724e6430";
static const char G1_REJECT_INF[] = "0100000000000000000000000000000000000000000000000000000000000040";
static const char G2_REJECT_SUBGROUP[] =
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0100000000000000000000000000000000000000000000000000000000000000";

/* pst.json case "n3x4_a": shape (3, 4), its trapdoors, values, ck[0] and
 * ck[11], vk.tau_g2, the commitment, openings[0] (grid point (1, 2),
 * expect true), openings[1] (field point, expect true), and the tampered
 * rows openings[4] (wrong_y), [6] (swapped_proofs), [9] (tampered_proof). */
static const uint32_t PST_SHAPE[2] = {3, 4};
static const char *const PST_TRAPDOORS[2] = {
    "9461468060731167772773813289128411578504517411559000667974420033050717939296",
    "10413736076896807940395980235851340656143322849568671299781100691522263338830",
};
static const int64_t PST_VALUES[12] = {
    -442, -19, -7, -1099511627776, 0, 5, 6, -1099511627776,
    1099511627776, -228580, 699866933450, -1099511627776,
};
static const char PST_CK0[] = "9e9de541492db5312c695aadb47f964114e1e994e0bd691059840601f63a90ab";
static const char PST_CK11[] = "82d090a7f05f4533f52ecf44284d9f73729b8d3c982d6015bd4d4af24b42390f";
static const char *const PST_TAU_G2[2] = {
    "944795c07473c6ea564b77dfe84756eb4795669d5e6856b22919aa82d519482d"
    "05eb98dcb5f2b467e284837cffad7b2743c41ee23ee6b80be683223c2dd7e103",
    "5153df207a18796f5cafb5938c26f347968b05123f827d3582bc4a3521745503"
    "3b70358f5cd37e061089318d083cdef4affbe84f94c2027a54eb7cd321848005",
};
static const char PST_COMMITMENT[] =
    "f0a99e12158542728f4d2463bd8906f8cb43a88e84fe9b6524e573fb19a5449f";

typedef struct pst_row {
    const char *name;
    const char *z[2];
    const char *y;
    const char *pi[2];
} pst_row;

static const pst_row PST_GRID = {
    "openings[0]", {"1", "2"}, "6",
    {"e4ac1ba182e17aae373b512096f232703767a597eb94f5bbf872e81e3fc96820",
     "73a005de7d7f84ea889aede7b3686edf6cb787dbfb009fd2af156442f97dc617"}};

#define PST_FIELD_Z0 "17961016694439042857748555516271034241838446321644960617724774820647014853519"
#define PST_FIELD_Z1 "7165566459765075218419430594181381133852703191177272026958063691513267096550"
#define PST_FIELD_Y "4522114616321185740512782608350097608519827832425271289983767079651579074796"
#define PST_FIELD_PI0 "3531dfe0e0ef3589fae54995ee1b723caa370987fc707c04d9904cc987809c8b"
#define PST_FIELD_PI1 "f329408988018a986560525e633b2447c3536e251a3c2d6a1d3aac3150a0eb12"

static const pst_row PST_FIELD = {
    "openings[1]", {PST_FIELD_Z0, PST_FIELD_Z1}, PST_FIELD_Y, {PST_FIELD_PI0, PST_FIELD_PI1}};

static const pst_row PST_TAMPERED[3] = {
    {"openings[4] wrong_y", {"1", "2"}, "7",
     {"e4ac1ba182e17aae373b512096f232703767a597eb94f5bbf872e81e3fc96820",
      "73a005de7d7f84ea889aede7b3686edf6cb787dbfb009fd2af156442f97dc617"}},
    {"openings[6] swapped_proofs", {PST_FIELD_Z0, PST_FIELD_Z1}, PST_FIELD_Y,
     {PST_FIELD_PI1, PST_FIELD_PI0}},
    {"openings[9] tampered_proof", {PST_FIELD_Z0, PST_FIELD_Z1}, PST_FIELD_Y,
     {PST_FIELD_PI0, "15fd1e30f2494c11bb34469769dcbbcef9d76188c929e293f4d66d3a485e192b"}},
};

/* Quantization, decimal rule with s = 14: x = (2^23 + 1)·2^−15 =
 * 256.000030517578125 is exact in binary32, x·10^14 = (2^23 + 1)·5^14/2 =
 * 25600003051757812.5 exactly (55 bits: no double can hold the tie), and
 * half to even gives …812 (tests/tensor/test_quantize.c, test_long_expansion).
 * With the default s = 8, (float)(1/3) = 0.3333333432674407958984375 gives
 * 33333334. */
static const int64_t QUANT_TIE = 25600003051757812LL;
static const int64_t QUANT_THIRD = 33333334LL;

const char *const tc_selftest_names[] = {
    "fp_mul", "fp_inv", "fr_sqrt", "g1_mul", "g2_mul", "pairing",
    "pairing_product", "decode_reject", "pst_setup", "pst_commit", "pst_open",
    "pst_verify", "pst_reject", "quantize", NULL,
};

/* ------------------------------------------------------------ helpers */

typedef struct st_run {
    const tc_selftest_opts *o;
    size_t n_failed;
} st_run;

static void report(st_run *r, bool ok, const char *name, const char *fmt, ...) TC_PRINTF(4, 5);
static void report(st_run *r, bool ok, const char *name, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (!ok)
        r->n_failed++;
    if (r->o->check != NULL)
        r->o->check(r->o->ctx, ok, name, detail);
}

static int threads_of(const tc_selftest_opts *o)
{
    return o->n_threads > 0 ? o->n_threads : 1;
}

/* Compressed bytes of a projective point as hex. */
static void g1_hex(char out[2 * TC_G1_BYTES + 1], const tc_g1 *p)
{
    tc_g1_affine a;
    uint8_t b[TC_G1_BYTES];
    tc_g1_to_affine(&a, p);
    tc_g1_to_bytes(b, &a);
    tc_hex_encode(out, b, sizeof b);
}

static void g2_hex(char out[2 * TC_G2_BYTES + 1], const tc_g2 *p)
{
    tc_g2_affine a;
    uint8_t b[TC_G2_BYTES];
    tc_g2_to_affine(&a, p);
    tc_g2_to_bytes(b, &a);
    tc_hex_encode(out, b, sizeof b);
}

static tc_point_fault g1_from_hex(tc_g1_affine *p, const char *hex)
{
    uint8_t b[TC_G1_BYTES];
    if (strlen(hex) != 2 * TC_G1_BYTES || !tc_hex_decode(b, sizeof b, hex))
        return TC_POINT_BAD_LENGTH;
    return tc_g1_decode(p, b);
}

static tc_point_fault g2_from_hex(tc_g2_affine *p, const char *hex)
{
    uint8_t b[TC_G2_BYTES];
    if (strlen(hex) != 2 * TC_G2_BYTES || !tc_hex_decode(b, sizeof b, hex))
        return TC_POINT_BAD_LENGTH;
    return tc_g2_decode(p, b);
}

/* ------------------------------------------------------ field answers */

static void check_fp_mul(st_run *r)
{
    tc_fp a, b, c;
    char got[80] = "";
    bool ok = tc_fp_from_dec(&a, FP_MUL_A) && tc_fp_from_dec(&b, FP_MUL_B);
    if (ok) {
        tc_fp_mul(&c, &a, &b);
        tc_fp_to_dec(got, &c);
        ok = strcmp(got, FP_MUL_OUT) == 0;
    }
    report(r, ok, "fp_mul", "Fp product (bn254_basic.json fp.mul[5])%s%s", ok ? "" : ": got ", ok ? "" : got);
}

static void check_fp_inv(st_run *r)
{
    tc_fp a, c, prod;
    char got[80] = "";
    bool ok = tc_fp_from_dec(&a, FP_INV_A);
    if (ok) {
        tc_fp_inv_var(&c, &a);
        tc_fp_to_dec(got, &c);
        tc_fp_mul(&prod, &a, &c);
        ok = strcmp(got, FP_INV_OUT) == 0 && tc_fp_is_one(&prod);
    }
    report(r, ok, "fp_inv", "Fp inverse (bn254_basic.json fp.inv[5])%s%s", ok ? "" : ": got ", ok ? "" : got);
}

static void check_fr_sqrt(st_run *r)
{
    tc_fr a, root, ns, dummy;
    char got[80] = "";
    bool ok = tc_fr_from_dec(&a, FR_SQRT_A) && tc_fr_from_dec(&ns, FR_NONSQUARE);
    bool found = ok && tc_fr_sqrt_var(&root, &a);
    if (found)
        tc_fr_to_dec(got, &root);
    ok = found && strcmp(got, FR_SQRT_ROOT) == 0;
    bool rejects = ok && !tc_fr_sqrt_var(&dummy, &ns);
    report(r, rejects, "fr_sqrt",
           "Fr square root and a non-square (bn254_basic.json fr.sqrt[7], fr.sqrt[6])%s%s",
           rejects ? "" : !ok ? ": got root " : ": 5 is not a square mod r but a root was found",
           rejects || ok ? "" : found ? got : "none");
}

/* ------------------------------------------------------ group answers */

static void check_g1_mul(st_run *r)
{
    tc_fr k;
    tc_g1 g, p;
    char got[2 * TC_G1_BYTES + 1] = "";
    bool ok = tc_fr_from_dec(&k, SMUL_K);
    if (ok) {
        tc_g1_generator(&g);
        tc_g1_mul_var(&p, &g, &k);
        g1_hex(got, &p);
        ok = strcmp(got, G1_SMUL_HEX) == 0;
    }
    report(r, ok, "g1_mul", "[(r+1)/2]G1, compressed (bn254_basic.json g1.scalar_mul[10])%s%s",
           ok ? "" : ": got ", ok ? "" : got);
}

static void check_g2_mul(st_run *r)
{
    tc_fr k;
    tc_g2 g, p;
    char got[2 * TC_G2_BYTES + 1] = "";
    bool ok = tc_fr_from_dec(&k, SMUL_K);
    if (ok) {
        tc_g2_generator(&g);
        tc_g2_mul_var(&p, &g, &k);
        g2_hex(got, &p);
        ok = strcmp(got, G2_SMUL_HEX) == 0;
    }
    report(r, ok, "g2_mul", "[(r+1)/2]G2, compressed (bn254_basic.json g2.scalar_mul[10])%s%s",
           ok ? "" : ": got ", ok ? "" : got);
}

/* Coefficient 6i + 2j + k of an Fp12 element: w^i v^j u^k. */
static const tc_fp *fp12_coeff(const tc_fp12 *f, int idx)
{
    int i = idx / 6, j = (idx / 2) % 3, k = idx % 2;
    const tc_fp6 *c6 = i ? &f->c1 : &f->c0;
    const tc_fp2 *c2 = j == 0 ? &c6->c0 : j == 1 ? &c6->c1 : &c6->c2;
    return k ? &c2->c1 : &c2->c0;
}

static void check_pairing(st_run *r)
{
    tc_g1_affine p;
    tc_g2_affine q;
    tc_fp12 f;
    tc_g1_affine_generator(&p);
    tc_g2_affine_generator(&q);
    tc_pairing(&f, &p, &q);
    int bad = -1;
    char got[80] = "";
    for (int i = 0; i < 12 && bad < 0; i++) {
        tc_fp_to_dec(got, fp12_coeff(&f, i));
        if (strcmp(got, PAIRING_G1_G2[i]) != 0)
            bad = i;
    }
    if (bad < 0)
        report(r, true, "pairing",
               "e(G1, G2), 12 Fp coefficients (bn254_basic.json pairing.e_g1_g2.arkworks_noble)");
    else
        report(r, false, "pairing",
               "e(G1, G2) (bn254_basic.json pairing.e_g1_g2.arkworks_noble): coefficient %d is %s",
               bad, got);
}

/* Evaluates one two-pair product check; -1 when an input does not decode. */
static int product_check(tc_g2_prepared prep[2], const char *g1a, const char *g2a,
                         const char *g1b, const char *g2b)
{
    tc_g1_affine p[2];
    tc_g2_affine q[2];
    if (g1_from_hex(&p[0], g1a) != TC_POINT_OK || g2_from_hex(&q[0], g2a) != TC_POINT_OK ||
        g1_from_hex(&p[1], g1b) != TC_POINT_OK || g2_from_hex(&q[1], g2b) != TC_POINT_OK)
        return -1;
    tc_g2_prepare(&prep[0], &q[0]);
    tc_g2_prepare(&prep[1], &q[1]);
    return tc_pairing_product_is_one(p, prep, 2) ? 1 : 0;
}

static tc_status check_pairing_product(tc_error *err, st_run *r)
{
    tc_g2_prepared *prep = malloc(2 * sizeof *prep);
    if (prep == NULL)
        return tc_fail(err, TC_ENOMEM, "selftest: out of memory");
    int one = product_check(prep, PC_A_G1, PC_B_G2, PC0_NEG_AB_G1, G2_GEN_HEX);
    int not_one = product_check(prep, PC_A_G1, PC_B_G2, PC3_NEG_AB1_G1, G2_GEN_HEX);
    free(prep);
    bool ok = one == 1 && not_one == 0;
    report(r, ok, "pairing_product",
           "e(aG1,bG2)·e(-abG1,G2) = 1 %s, e(aG1,bG2)·e(-(ab+1)G1,G2) != 1 %s "
           "(bn254_basic.json pairing.product_checks[0], [3])",
           one == 1 ? "holds" : one == 0 ? "FAILS" : "(undecodable)",
           not_one == 0 ? "holds" : not_one == 1 ? "FAILS" : "(undecodable)");
    return TC_OK;
}

static void check_decode_reject(st_run *r)
{
    tc_g1_affine p;
    tc_g2_affine q;
    uint8_t b1[TC_G1_BYTES], b1i[TC_G1_BYTES], b2[TC_G2_BYTES];
    bool ok = tc_hex_decode(b1, sizeof b1, G1_REJECT_P1) &&
              tc_hex_decode(b1i, sizeof b1i, G1_REJECT_INF) &&
              tc_hex_decode(b2, sizeof b2, G2_REJECT_SUBGROUP);
    tc_point_fault f1 = ok ? tc_g1_decode(&p, b1) : TC_POINT_OK;
    tc_point_fault f1i = ok ? tc_g1_decode(&p, b1i) : TC_POINT_OK;
    tc_point_fault f2 = ok ? tc_g2_decode(&q, b2) : TC_POINT_OK;
    ok = ok && f1 != TC_POINT_OK && f1i != TC_POINT_OK && f2 != TC_POINT_OK;
    report(r, ok, "decode_reject",
           "G1 x = p+1: %s; G1 infinity flag with x = 1: %s; G2 x = u, not in G2: %s "
           "(bn254_basic.json g1_decode_reject[4], [9], g2_decode_reject[2])",
           f1 == TC_POINT_OK ? "ACCEPTED" : tc_point_fault_str(f1),
           f1i == TC_POINT_OK ? "ACCEPTED" : tc_point_fault_str(f1i),
           f2 == TC_POINT_OK ? "ACCEPTED" : tc_point_fault_str(f2));
}

/* -------------------------------------------------------- PST answers */

/* Decodes a vector row into an opening; false when something does not
 * parse or decode. */
static bool opening_from_row(tc_pst_opening *o, const pst_row *row)
{
    memset(o, 0, sizeof *o);
    o->m = 2;
    for (int i = 0; i < 2; i++) {
        if (!tc_fr_from_dec(&o->z[i], row->z[i]) ||
            g1_from_hex(&o->pi[i], row->pi[i]) != TC_POINT_OK)
            return false;
    }
    return tc_fr_from_dec(&o->y, row->y);
}

static bool g1_affine_is_hex(const tc_g1_affine *a, const char *hex)
{
    uint8_t b[TC_G1_BYTES];
    char h[2 * TC_G1_BYTES + 1];
    tc_g1_to_bytes(b, a);
    tc_hex_encode(h, b, sizeof b);
    return strcmp(h, hex) == 0;
}

static bool g2_affine_is_hex(const tc_g2_affine *a, const char *hex)
{
    uint8_t b[TC_G2_BYTES];
    char h[2 * TC_G2_BYTES + 1];
    tc_g2_to_bytes(b, a);
    tc_hex_encode(h, b, sizeof b);
    return strcmp(h, hex) == 0;
}

/* Verifies a vector row against a commitment: 1 holds, 0 rejected, -1 the
 * row does not decode or the verifier refused the input. */
static int verify_row(const tc_pst_vk *vk, const tc_g1_affine *c, const pst_row *row)
{
    tc_pst_opening o;
    tc_error e = {0};
    bool ok = false;
    if (!opening_from_row(&o, row))
        return -1;
    if (tc_pst_verify(&e, &ok, vk, c, &o) != TC_OK)
        return -1;
    return ok ? 1 : 0;
}

static void check_pst(st_run *r, int n_threads)
{
    tc_pst_srs srs;
    tc_pst_shape shape;
    tc_fr t[2];
    tc_error e = {0};
    memset(&srs, 0, sizeof srs);
    memset(&shape, 0, sizeof shape);
    shape.m = 2;
    shape.n[0] = PST_SHAPE[0];
    shape.n[1] = PST_SHAPE[1];
    tc_pst_setup_opts so = {.n_threads = n_threads, .monomial = false};

    /* setup */
    bool have_srs = tc_fr_from_dec(&t[0], PST_TRAPDOORS[0]) &&
                    tc_fr_from_dec(&t[1], PST_TRAPDOORS[1]) &&
                    tc_pst_setup(&e, &srs, &shape, t, TC_PST_ORIGIN_EXPLICIT, &so) == TC_OK;
    bool ok = have_srs && g1_affine_is_hex(&srs.ck[0], PST_CK0) &&
              g1_affine_is_hex(&srs.ck[11], PST_CK11) &&
              g2_affine_is_hex(&srs.vk.tau[0], PST_TAU_G2[0]) &&
              g2_affine_is_hex(&srs.vk.tau[1], PST_TAU_G2[1]);
    report(r, ok, "pst_setup", "%s", ok ? "3x4 from trapdoors: ck[0], ck[11], tau_g2 (pst.json n3x4_a)"
                                   : !have_srs ? "3x4 setup from trapdoors failed (pst.json n3x4_a)"
                                               : "3x4 keys differ (pst.json n3x4_a ck, vk.tau_g2)");

    /* commit */
    tc_g1 c;
    tc_g1_affine ca;
    char got[2 * TC_G1_BYTES + 1] = "";
    bool have_c = have_srs && tc_pst_commit_i64(&e, &c, &srs, PST_VALUES, 12, n_threads) == TC_OK;
    if (have_c) {
        g1_hex(got, &c);
        tc_g1_to_affine(&ca, &c);
    }
    ok = have_c && strcmp(got, PST_COMMITMENT) == 0;
    report(r, ok, "pst_commit", "commitment bytes (pst.json n3x4_a commitment)%s%s",
           ok ? "" : ": got ", ok ? "" : got);

    /* open at the grid point of openings[0] */
    tc_pst_opening want, o;
    bool have_o = have_c && opening_from_row(&want, &PST_GRID) &&
                  tc_pst_open(&e, &o, &srs, PST_VALUES, 12, want.z, 1, n_threads) == TC_OK;
    ok = have_o && tc_fr_eq(&o.y, &want.y) && g1_affine_is_hex(&o.pi[0], PST_GRID.pi[0]) &&
         g1_affine_is_hex(&o.pi[1], PST_GRID.pi[1]);
    report(r, ok, "pst_open", "%s", ok ? "grid opening at (1, 2): y and proof bytes (pst.json n3x4_a openings[0])"
                                : "grid opening at (1, 2) differs (pst.json n3x4_a openings[0])");

    /* our opening, and the vector's field opening, verify */
    bool ours = false;
    if (have_o && tc_pst_verify(&e, &ours, &srs.vk, &ca, &o) != TC_OK)
        ours = false;
    int theirs = have_c ? verify_row(&srs.vk, &ca, &PST_FIELD) : -1;
    ok = ours && theirs == 1;
    report(r, ok, "pst_verify",
           "our grid opening %s, field opening %s (pst.json n3x4_a openings[0], [1])",
           ours ? "verifies" : "REJECTED", theirs == 1 ? "verifies" : "REJECTED");

    /* tampered openings are rejected */
    char why[256] = "";
    size_t n_bad = 0;
    for (int i = 0; i < 3; i++) {
        int v = have_c ? verify_row(&srs.vk, &ca, &PST_TAMPERED[i]) : 1;
        if (v != 0) {
            n_bad++;
            snprintf(why + strlen(why), sizeof why - strlen(why), "; %s %s",
                     PST_TAMPERED[i].name, v == 1 ? "ACCEPTED" : "not checked");
        }
    }
    report(r, n_bad == 0, "pst_reject",
           "wrong_y, swapped_proofs, tampered_proof rejected (pst.json n3x4_a openings[4], [6], [9])%s",
           why);
    tc_pst_srs_free(&srs);
}

static void check_quantize(st_run *r)
{
    tc_quant_params q14, q8;
    tc_error e = {0};
    int64_t v = 0, vn = 0, third = 0;
    bool ok = tc_quant_decimal(&e, &q14, 14, 0) == TC_OK &&
              tc_quant_decimal(&e, &q8, 16, 50) == TC_OK &&
              q14.exponent == 14 && q8.exponent == 8;
    float x = ldexpf(8388609.0f, -15);
    ok = ok && tc_quant_value_f32(&q14, x, &v) && tc_quant_value_f32(&q14, -x, &vn) &&
         tc_quant_value_f32(&q8, 1.0f / 3.0f, &third);
    ok = ok && v == QUANT_TIE && vn == -QUANT_TIE && third == QUANT_THIRD;
    if (ok)
        report(r, true, "quantize",
               "round_half_even(256.000030517578125 x 10^14) = %lld, (float)1/3 at s = 8 = %lld "
               "(tests/tensor/test_quantize.c)", (long long)v, (long long)third);
    else
        report(r, false, "quantize",
               "256.000030517578125 x 10^14: got %lld and %lld for -x, want %lld; "
               "(float)1/3 at s = 8: got %lld, want %lld", (long long)v, (long long)vn,
               (long long)QUANT_TIE, (long long)third, (long long)QUANT_THIRD);
}

tc_status tc_selftest_known_answers(tc_error *err, size_t *n_failed, const tc_selftest_opts *opts)
{
    st_run r = {.o = opts};
    *n_failed = 0;
    check_fp_mul(&r);
    check_fp_inv(&r);
    check_fr_sqrt(&r);
    check_g1_mul(&r);
    check_g2_mul(&r);
    check_pairing(&r);
    tc_status s = check_pairing_product(err, &r);
    if (s != TC_OK)
        return s;
    check_decode_reject(&r);
    check_pst(&r, threads_of(opts));
    check_quantize(&r);
    *n_failed = r.n_failed;
    return TC_OK;
}
