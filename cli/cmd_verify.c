/* tensorcommit verify: check every opening and slice of a proof.json
 * against a verification key (vk.json) or an SRS.  Exit 0 when all hold,
 * 1 when any is rejected (each rejection is named with its reason), 2 on
 * usage errors, 3 when an input cannot be read. */
#include "cli.h"

#include "pst/pst.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit verify (--vk vk.json | --srs srs.tcs) --proof proof.json\n"
            "                           [--commitment HEX] [--json]\n"
            "       tensorcommit verify --run RUNDIR [--srs srs.tcs] [--model DIR | --skip-model]\n"
            "                           [--tolerance X] [--threads N] [--json]\n"
            "\n"
            "Verifies every opening and slice in proof.json.  Point openings need only the\n"
            "verification key; a slice fixing J leading coordinates also needs level J of\n"
            "the Lagrange key, from the SRS or embedded by `tensorcommit vk --slice-levels`.\n"
            "Keys embedded in vk.json are checked against the verification key when it is\n"
            "loaded (level sums and pairings over levels J..m); a vk.json whose keys fail,\n"
            "or one from an older version that lacks the levels above J, is refused\n"
            "(exit 3; regenerate it with `tensorcommit vk`).\n"
            "--commitment requires the proof's commitment to be this one.\n"
            "Prints the commitment, then one line per opening (its point and value) and per\n"
            "slice (its fixed coordinates and first values), values as signed integers;\n"
            "--json prints one JSON object instead (docs/formats.md).\n"
            "\n"
            "--run re-checks a folder written by `tensorcommit run`: every artefact against\n"
            "the receipt, the grid against the commitment, every proof, and (with the\n"
            "model) the prompt, the text, the sampling and the hidden states by\n"
            "re-execution; what is informative only is printed as `note` lines.\n"
            "A key or SRS whose origin is seeded or explicit is for testing: a WARNING\n"
            "line before the verdict says so.\n");
    cli_help_exit_codes(f);
}

typedef struct verifier {
    const tc_pst_vk *vk;
    const tc_pst_srs *srs;          /* or NULL */
    const tc_pst_vk_file *vf;       /* or NULL */
} verifier;

static const tc_g1_affine *level_keys(const verifier *v, int j)
{
    if (v->srs != NULL)
        return tc_pst_srs_level(v->srs, j);
    if (j == v->vk->shape.m && v->vf->levels[j] == NULL)
        return &v->vk->g1;          /* level m is [1]₁ */
    return v->vf->levels[j];
}

/* Verifies the openings: one batch first; when it fails, one by one to name
 * the culprits.  Returns the number rejected, or −1 on an internal error. */
typedef char reason[TC_PST_FAULT_LEN]; /* why an item was rejected; "" when valid */

static void set_reason(reason r, const char *msg)
{
    size_t n = strnlen(msg, TC_PST_FAULT_LEN - 1); /* long messages are cut */
    memcpy(r, msg, n);
    r[n] = '\0';
}

static long verify_openings(const verifier *v, const tc_pst_proof_file *pf, const char *path,
                            reason *why)
{
    long rejected = 0;
    size_t n_ok_form = 0;
    tc_error err = {0};
    for (size_t k = 0; k < pf->n_open; k++) {
        if (pf->commitment_fault[0] != '\0' || pf->open_fault[k][0] != '\0') {
            set_reason(why[k], pf->commitment_fault[0] ? pf->commitment_fault : pf->open_fault[k]);
            rejected++;
        } else {
            n_ok_form++;
        }
    }
    if (n_ok_form == 0)
        return rejected;
    tc_pst_opening *o = malloc(n_ok_form * sizeof *o);
    tc_g1_affine *cs = malloc(n_ok_form * sizeof *cs);
    size_t *idx = malloc(n_ok_form * sizeof *idx);
    if (o == NULL || cs == NULL || idx == NULL) {
        free(o), free(cs), free(idx);
        fprintf(stderr, "tensorcommit verify: %s: out of memory\n", path);
        return -1;
    }
    size_t n = 0;
    for (size_t k = 0; k < pf->n_open; k++)
        if (pf->commitment_fault[0] == '\0' && pf->open_fault[k][0] == '\0') {
            o[n] = pf->open[k];
            cs[n] = pf->commitment;
            idx[n++] = k;
        }
    bool ok = false;
    tc_status st = n > 1 ? tc_pst_verify_batch(&err, &ok, v->vk, cs, o, n, 2) : TC_OK;
    if (st != TC_OK) {
        fprintf(stderr, "tensorcommit verify: %s: %s\n", path, err.msg);
        rejected = -1;
        goto out;
    }
    for (size_t q = 0; q < n; q++) {
        if (!ok) {
            bool one = false;
            st = tc_pst_verify(&err, &one, v->vk, &cs[q], &o[q]);
            if (st != TC_OK) {
                fprintf(stderr, "tensorcommit verify: %s: %s\n", path, err.msg);
                rejected = -1;
                goto out;
            }
            if (!one) {
                set_reason(why[idx[q]], err.msg);
                rejected++;
            }
        }
    }
out:
    free(o), free(cs), free(idx);
    return rejected;
}

static long verify_slices(const verifier *v, const tc_pst_proof_file *pf, const char *path,
                          reason *why)
{
    long rejected = 0;
    for (size_t k = 0; k < pf->n_slice; k++) {
        const char *fault = pf->commitment_fault[0] ? pf->commitment_fault : pf->slice_fault[k];
        if (fault[0] != '\0') {
            set_reason(why[k], fault);
            rejected++;
            continue;
        }
        tc_error err = {0};
        bool ok = false;
        tc_status st = tc_pst_verify_slice(&err, &ok, v->vk, level_keys(v, pf->slice[k].j),
                                           &pf->commitment, &pf->slice[k]);
        if (st != TC_OK) {
            fprintf(stderr, "tensorcommit verify: %s: %s\n", path, err.msg);
            return -1;
        }
        if (!ok)
            set_reason(why[k], err.msg), rejected++;
    }
    return rejected;
}

/* A field element as the signed integer it stands for: a, or −(r − a)
 * when that is shorter (the upper half of Fr holds the negative values). */
static void fr_signed(char out[82], const tc_fr *a)
{
    char pos[80], neg[80];
    tc_fr n;
    tc_fr_neg(&n, a);
    tc_fr_to_dec(pos, a);
    tc_fr_to_dec(neg, &n);
    size_t lp = strlen(pos), ln = strlen(neg);
    if (lp < ln || (lp == ln && strcmp(pos, neg) <= 0))
        snprintf(out, 82, "%s", pos);
    else
        snprintf(out, 82, "-%s", neg);
}

static json_t *fr_list_json(const tc_fr *v, size_t n)
{
    json_t *a = json_array();
    char d[82];
    for (size_t i = 0; i < n; i++) {
        fr_signed(d, &v[i]);
        json_array_append_new(a, json_string(d));
    }
    return a;
}

static void print_fr_list(const char *label, const tc_fr *v, size_t n, size_t max)
{
    char d[82];
    printf(" %s (", label);
    for (size_t i = 0; i < n && i < max; i++) {
        fr_signed(d, &v[i]);
        printf(i ? ", %s" : "%s", d);
    }
    printf(n > max ? ", ... %zu in all)" : ")", n);
}

/* The verdicts as text: one line per item with its point and value(s). */
static void print_text(const tc_pst_proof_file *pf, reason *why_o, reason *why_s)
{
    printf("commitment %s\n", pf->commitment_hex);
    for (size_t k = 0; k < pf->n_open; k++) {
        const tc_pst_opening *o = &pf->open[k];
        printf("opening %zu: %s", k, why_o[k][0] ? "rejected:" : "ok");
        if (why_o[k][0])
            printf(" %s", why_o[k]);
        if (pf->open_fault[k][0] == '\0') {
            char d[82];
            print_fr_list("at", o->z, (size_t)o->m, TC_PST_MAX_VARS);
            fr_signed(d, &o->y);
            printf(" value %s", d);
        }
        printf("\n");
    }
    for (size_t k = 0; k < pf->n_slice; k++) {
        const tc_pst_slice *sl = &pf->slice[k];
        printf("slice %zu: %s", k, why_s[k][0] ? "rejected:" : "ok");
        if (why_s[k][0])
            printf(" %s", why_s[k]);
        if (pf->slice_fault[k][0] == '\0') {
            print_fr_list("at", sl->z, (size_t)sl->j, TC_PST_MAX_VARS);
            print_fr_list("values", sl->values, sl->count, 16);
        }
        printf("\n");
    }
}

/* The verdicts as one JSON object (docs/formats.md, "verify --json"). */
static int print_json(const tc_pst_proof_file *pf, reason *why_o, reason *why_s, long rejected)
{
    json_t *root = json_object(), *opens = json_array(), *slices = json_array();
    json_object_set_new(root, "valid", json_boolean(rejected == 0));
    json_object_set_new(root, "commitment", json_string(pf->commitment_hex));
    json_object_set_new(root, "rejected", json_integer(rejected));
    for (size_t k = 0; k < pf->n_open; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_boolean(why_o[k][0] == '\0'));
        if (why_o[k][0])
            json_object_set_new(o, "reason", json_string(why_o[k]));
        if (pf->open_fault[k][0] == '\0') {
            char d[82];
            json_object_set_new(o, "point", fr_list_json(pf->open[k].z, (size_t)pf->open[k].m));
            fr_signed(d, &pf->open[k].y);
            json_object_set_new(o, "value", json_string(d));
        }
        json_array_append_new(opens, o);
    }
    for (size_t k = 0; k < pf->n_slice; k++) {
        const tc_pst_slice *sl = &pf->slice[k];
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_boolean(why_s[k][0] == '\0'));
        if (why_s[k][0])
            json_object_set_new(o, "reason", json_string(why_s[k]));
        if (pf->slice_fault[k][0] == '\0') {
            json_object_set_new(o, "prefix", fr_list_json(sl->z, (size_t)sl->j));
            json_object_set_new(o, "values", fr_list_json(sl->values, sl->count));
        }
        json_array_append_new(slices, o);
    }
    json_object_set_new(root, "openings", opens);
    json_object_set_new(root, "slices", slices);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        return cli_errorf("verify", "out of memory"), CLI_ERROR;
    printf("%s\n", text);
    free(text);
    return CLI_OK;
}

/* The key: the SRS (--srs) or vk.json (--vk), whose embedded slice keys
 * are checked against [1]₂ and [t_i]₂ before use.  CLI_OK, or CLI_ERROR
 * after a message. */
static int load_key(const char *verb, verifier *v, tc_pst_srs *srs, tc_pst_vk_file *vf,
                    const char *srs_path, const char *vk_path)
{
    tc_error err = {0};
    tc_status st;
    if (srs_path != NULL) {
        st = tc_pst_srs_load(&err, srs, srs_path, 2);
        v->srs = srs, v->vk = &srs->vk;
    } else {
        uint8_t *text = NULL;
        size_t len = 0;
        st = tc_read_file(&err, &text, &len, vk_path, (size_t)1 << 32);
        if (st == TC_OK)
            st = tc_pst_vk_decode(&err, vf, (const char *)text, len, vk_path);
        free(text);
        v->vf = vf, v->vk = &vf->vk;
    }
    bool keys_ok = true;
    if (st == TC_OK && v->vf != NULL)
        st = tc_pst_vk_check_levels(&err, &keys_ok, vf, 2);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    if (!keys_ok) {
        cli_errorf(verb, "%s: bad slice keys: %s", vk_path, err.msg);
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* The proof is for the key's shape, and the key holds every level its
 * slices use; false after a message. */
static bool proof_fits_key(const char *verb, const verifier *v, const tc_pst_proof_file *pf,
                           const char *proof, const char *vk_path)
{
    if (!tc_pst_shape_eq(&pf->shape, &v->vk->shape)) {
        char a[128], b[128];
        tc_pst_shape_str(a, sizeof a, &pf->shape);
        tc_pst_shape_str(b, sizeof b, &v->vk->shape);
        cli_errorf(verb, "%s: shape %s is not the key's shape %s", proof, a, b);
        return false;
    }
    for (size_t k = 0; k < pf->n_slice; k++) {
        int j = pf->slice[k].j;
        if (pf->slice_fault[k][0] == '\0' && level_keys(v, j) == NULL) {
            cli_errorf(verb, "%s: no level-%d keys for slice %zu (make it with "
                             "`tensorcommit vk --slice-levels %d`, or pass --srs)",
                       vk_path, j, k, j);
            return false;
        }
    }
    return true;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"vk", required_argument, 0, 'v'},         {"srs", required_argument, 0, 's'},
        {"proof", required_argument, 0, 'p'},      {"commitment", required_argument, 0, 'c'},
        {"run", required_argument, 0, 'r'},        {"json", no_argument, 0, 'J'},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    const char *vk_path = NULL, *srs_path = NULL, *proof = NULL, *want_c = NULL;
    int c;
    bool as_json = false;
    bool run = false, want_help = false;
    for (int i = 1; i < argc; i++) {
        run |= !strcmp(argv[i], "--run") || !strncmp(argv[i], "--run=", 6);
        want_help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
    }
    if (run && !want_help)
        return cli_verify_run(argc, argv);
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'v': vk_path = optarg; break;
        case 's': srs_path = optarg; break;
        case 'p': proof = optarg; break;
        case 'c': want_c = optarg; break;
        case 'J': as_json = true; break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if ((vk_path == NULL) == (srs_path == NULL))
        return cli_usage(argv[0], "give exactly one of --vk and --srs");
    if (proof == NULL)
        return cli_usage(argv[0], "--proof is required");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (want_c != NULL && (strlen(want_c) != 64 || strspn(want_c, "0123456789abcdefABCDEF") != 64))
        return cli_usage(argv[0], "--commitment must be 64 hex characters");

    tc_error err = {0};
    tc_pst_srs srs = {0};
    tc_pst_vk_file vf = {0};
    tc_pst_proof_file pf = {0};
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = CLI_ERROR;
    reason *why_o = NULL, *why_s = NULL;
    verifier v = {0};
    tc_status st;
    if (load_key(argv[0], &v, &srs, &vf, srs_path, vk_path) != CLI_OK)
        goto out;
    st = tc_read_file(&err, &text, &len, proof, (size_t)1 << 34);
    if (st == TC_OK)
        st = tc_pst_proof_decode(&err, &pf, (const char *)text, len, proof);
    if (st != TC_OK) {
        rc = cli_report(argv[0], &err, st);
        goto out;
    }
    if (!proof_fits_key(argv[0], &v, &pf, proof, vk_path))
        goto out;
    if (want_c != NULL && strcasecmp(want_c, pf.commitment_hex) != 0 &&
        pf.commitment_fault[0] == '\0')
        snprintf(pf.commitment_fault, sizeof pf.commitment_fault,
                 "the proof's commitment is not the one given by --commitment");
    why_o = calloc(pf.n_open ? pf.n_open : 1, sizeof *why_o);
    why_s = calloc(pf.n_slice ? pf.n_slice : 1, sizeof *why_s);
    if (why_o == NULL || why_s == NULL) {
        cli_errorf(argv[0], "out of memory");
        goto out;
    }
    long r1 = verify_openings(&v, &pf, proof, why_o);
    long r2 = r1 < 0 ? 0 : verify_slices(&v, &pf, proof, why_s);
    if (r1 < 0 || r2 < 0)
        goto out;
    /* the verdict carries the key's trust label: a testing key proves nothing */
    tc_pst_origin origin = v.srs != NULL ? srs.origin : vf.origin;
    bool testing = tc_pst_origin_is_testing(origin);
    if (as_json) {
        if (testing)      /* stdout stays one JSON object */
            fprintf(stderr, "%s: " TC_PST_TESTING_WARNING "\n",
                    srs_path != NULL ? srs_path : vk_path, tc_pst_origin_name(origin));
        if (print_json(&pf, why_o, why_s, r1 + r2) != CLI_OK)
            goto out;
    } else {
        print_text(&pf, why_o, why_s);
        if (testing)
            printf("%s: " TC_PST_TESTING_WARNING "\n", srs_path != NULL ? srs_path : vk_path,
                   tc_pst_origin_name(origin));
        if (r1 + r2 == 0)
            printf("valid: %zu openings, %zu slices\n", pf.n_open, pf.n_slice);
        else
            printf("rejected: %ld of %zu\n", r1 + r2, pf.n_open + pf.n_slice);
    }
    rc = r1 + r2 == 0 ? CLI_OK : CLI_REJECTED;
out:
    free(why_o);
    free(why_s);
    free(text);
    tc_pst_proof_file_free(&pf);
    tc_pst_vk_file_free(&vf);
    tc_pst_srs_free(&srs);
    return rc;
}
