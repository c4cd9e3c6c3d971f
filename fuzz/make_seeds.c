/* Writes the seed inputs of the crypto fuzz targets into fuzz/corpus/:
 * SRS files, vk.json and proof.json for a seeded 2x2 (and 2x3) setup, and
 * point/scalar encodings for fuzz_ec_decode.  Run by hand after a format
 * change:  build-fuzz/fuzz/make_seeds fuzz/corpus
 * Everything comes from fixed seeds, so the output is reproducible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/curve.h"
#include "ec/encoding.h"
#include "ec/field.h"
#include "pst/pst.h"
#include "tensor/layout.h"
#include "tensor/quantize.h"

#include <jansson.h>

static void die(const char *what, const tc_error *err)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, err != NULL ? err->msg : "");
    exit(1);
}

static void put(const char *root, const char *target, const char *name, const void *data,
                size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path, NULL);
}

/* One encoding for fuzz_ec_decode: the mode byte, then the bytes. */
static void put_ec(const char *root, const char *name, int mode, const uint8_t *b, size_t len)
{
    uint8_t buf[1 + TC_G2_ETH_BYTES];
    buf[0] = (uint8_t)mode;
    memcpy(buf + 1, b, len);
    put(root, "fuzz_ec_decode", name, buf, len + 1);
}

static void ec_seeds(const char *root)
{
    tc_g1 g1, p1;
    tc_g2 g2, p2;
    tc_g1_affine a1;
    tc_g2_affine a2;
    tc_fr k;
    uint8_t b[TC_G2_ETH_BYTES];
    char name[64];
    tc_g1_generator(&g1);
    tc_g2_generator(&g2);
    for (int i = 0; i < 3; i++) {
        /* i = 0: infinity; 1: the generator; 2: [7919]G */
        tc_fr_from_u64(&k, i == 0 ? 0 : i == 1 ? 1 : 7919);
        tc_g1_mul_var(&p1, &g1, &k);
        tc_g2_mul_var(&p2, &g2, &k);
        tc_g1_to_affine(&a1, &p1);
        tc_g2_to_affine(&a2, &p2);
        tc_fr_to_bytes(b, &k);
        snprintf(name, sizeof name, "fr_%d", i);
        put_ec(root, name, 0, b, TC_FR_BYTES);
        tc_g1_to_bytes(b, &a1);
        snprintf(name, sizeof name, "g1c_%d", i);
        put_ec(root, name, 1, b, TC_G1_BYTES);
        tc_g2_to_bytes(b, &a2);
        snprintf(name, sizeof name, "g2c_%d", i);
        put_ec(root, name, 2, b, TC_G2_BYTES);
        tc_g1_to_bytes_uncompressed(b, &a1);
        snprintf(name, sizeof name, "g1u_%d", i);
        put_ec(root, name, 3, b, TC_G1_UNCOMPRESSED_BYTES);
        tc_g2_to_bytes_uncompressed(b, &a2);
        snprintf(name, sizeof name, "g2u_%d", i);
        put_ec(root, name, 4, b, TC_G2_UNCOMPRESSED_BYTES);
        tc_g1_to_eth(b, &a1);
        snprintf(name, sizeof name, "g1e_%d", i);
        put_ec(root, name, 5, b, TC_G1_ETH_BYTES);
        tc_g2_to_eth(b, &a2);
        snprintf(name, sizeof name, "g2e_%d", i);
        put_ec(root, name, 6, b, TC_G2_ETH_BYTES);
        snprintf(name, sizeof name, "all_%d", i);
        put_ec(root, name, 7, b, TC_G2_ETH_BYTES);
    }
}

static void pst_seeds(const char *root, const char *shape_text, const char *label, int monomial)
{
    tc_error err = {0};
    tc_pst_shape s;
    tc_pst_srs srs;
    char name[64];
    static const uint8_t seed[] = "fuzz seed";
    if (!tc_pst_shape_parse(&s, shape_text))
        die(shape_text, NULL);
    tc_pst_setup_opts o = {1, monomial != 0, NULL, NULL};
    if (tc_pst_setup_seeded(&err, &srs, &s, seed, sizeof seed - 1, &o) != TC_OK)
        die("setup", &err);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (tc_pst_srs_encode(&err, &buf, &len, &srs) != TC_OK)
        die("srs encode", &err);
    snprintf(name, sizeof name, "srs_%s%s", label, monomial ? "_mono" : "");
    put(root, "fuzz_pst_srs", name, buf, len);
    free(buf);
    if (monomial)
        goto out;

    char *json = NULL;
    int levels[TC_PST_MAX_VARS];
    for (int j = 0; j < s.m; j++)
        levels[j] = j + 1;
    if (tc_pst_vk_encode(&err, &json, &srs, levels, s.m) != TC_OK)
        die("vk encode", &err);
    snprintf(name, sizeof name, "vk_%s.json", label);
    put(root, "fuzz_pst_vk", name, json, strlen(json));
    free(json);
    if (tc_pst_vk_encode(&err, &json, &srs, levels, 0) != TC_OK)
        die("vk encode", &err);
    snprintf(name, sizeof name, "vk_%s_nolevels.json", label);
    put(root, "fuzz_pst_vk", name, json, strlen(json));
    free(json);

    size_t count = tc_pst_suffix_size(&s, 0);
    int64_t vals[64];
    for (size_t i = 0; i < count; i++)
        vals[i] = (int64_t)i * 37 - 50;
    tc_g1 c;
    tc_g1_affine ca;
    if (tc_pst_commit_i64(&err, &c, &srs, vals, count, 1) != TC_OK)
        die("commit", &err);
    tc_g1_to_affine(&ca, &c);
    tc_fr z[2 * TC_PST_MAX_VARS];
    for (int i = 0; i < 2 * s.m; i++)
        tc_fr_from_u64(&z[i], i < s.m ? (uint64_t)(i % 2) : 1000003u + (uint64_t)i);
    tc_pst_opening op[2];
    tc_pst_slice sl;
    if (tc_pst_open(&err, op, &srs, vals, count, z, 2, 1) != TC_OK)
        die("open", &err);
    if (tc_pst_open_slice(&err, &sl, &srs, vals, count, z, 1, 1) != TC_OK)
        die("open slice", &err);
    if (tc_pst_proof_encode(&err, &json, &s, &ca, op, 2, &sl, 1) != TC_OK)
        die("proof encode", &err);
    snprintf(name, sizeof name, "proof_%s.json", label);
    put(root, "fuzz_pst_proof", name, json, strlen(json));
    free(json);
    tc_pst_slice_free(&sl);
out:
    tc_pst_srs_free(&srs);
}

static void tensor_seeds(const char *root)
{
    tc_error err = {0};
    tc_layout lay;
    char *json = NULL;
    if (tc_layout_structured(&err, &lay, 3, 5, 7) != TC_OK ||
        tc_layout_to_json(&err, &lay, &json) != TC_OK)
        die("layout", &err);
    put(root, "fuzz_layout", "structured.json", json, strlen(json));
    free(json);
    if (tc_layout_flat(&err, &lay, 2, 3, 10, TC_LAYOUT_FLAT_MIN_DIM, TC_LAYOUT_FLAT_MAX_DIM, 0,
                       12345) != TC_OK ||
        tc_layout_to_json(&err, &lay, &json) != TC_OK)
        die("layout", &err);
    put(root, "fuzz_layout", "flat.json", json, strlen(json));
    free(json);
    tc_quant_params q;
    if (tc_quant_decimal(&err, &q, 3, 100) != TC_OK)
        die("quant", &err);
    json_t *o = tc_quant_to_json(&q);
    json = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
    put(root, "fuzz_quantization", "decimal.json", json, strlen(json));
    free(json);
    json_decref(o);
    if (tc_quant_binary(&err, &q, 16) != TC_OK)
        die("quant", &err);
    o = tc_quant_to_json(&q);
    json = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
    put(root, "fuzz_quantization", "binary.json", json, strlen(json));
    free(json);
    json_decref(o);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIR (with fuzz_ec_decode/, fuzz_pst_*/)\n");
        return 2;
    }
    ec_seeds(argv[1]);
    tensor_seeds(argv[1]);
    pst_seeds(argv[1], "2,2", "2x2", 0);
    pst_seeds(argv[1], "2,2", "2x2", 1);
    pst_seeds(argv[1], "2,3", "2x3", 0);
    return 0;
}
