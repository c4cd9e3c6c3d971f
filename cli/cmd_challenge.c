/* tensorcommit challenge: the verifier draws which block ranges to
 * re-execute, after the commitment is fixed (docs/audit.md). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/audit.h"
#include "util/json.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit challenge --receipt receipt.json --model DIR\n"
            "            --budgets B1,B2,.. --out challenge.json\n"
            "            [--policy weighted|exact|uniform] [--scores scores.json]\n"
            "            [--public | --seed N] [--threads N]\n"
            "\n"
            "The verifier's first step.  Draws one contiguous range of transformer blocks\n"
            "per budget; the prover must open the hidden states at each range's edges\n"
            "(tensorcommit respond), which the verifier then re-executes on its own copy of\n"
            "the model (tensorcommit audit).  A budget is a parameter count (the blocks'\n"
            "weights, as in `select optimize`) or a percentage of all blocks' parameters\n"
            "(\"25%%\").  Block costs and significance come from the model's ESD scores,\n"
            "or from --scores (the output of `tensorcommit select scores`).\n"
            "\n"
            "Policies (docs/audit.md):\n"
            "  weighted  default: with probability 1/2 a uniform draw, otherwise the exact\n"
            "            optimiser on randomly perturbed scores; every block is checked with\n"
            "            at least half the probability uniform placement gives it\n"
            "  exact     the optimum over the significance scores: deterministic, so a\n"
            "            prover who knows the scores knows which blocks are never checked\n"
            "  uniform   one maximal window per budget, uniformly at random\n"
            "\n"
            "Randomness comes from the operating system.  --seed N makes the draw\n"
            "reproducible (for tests: a prover who knows N knows the ranges).  --public\n"
            "derives it from SHA-256 of the commitment, SRS id, model digest and receipt,\n"
            "so anyone can recompute it; a prover can then re-commit until a falsified\n"
            "block is not drawn (expected 1/(1-p) tries for coverage p).\n"
            "\n"
            "The challenge records the receipt's commitment and digest and a fresh nonce,\n"
            "so a response to another run or another challenge is refused, and each\n"
            "block's probability of being re-executed.\n");
    cli_help_exit_codes(f);
}

/* "123", or "25%" of total (rounded down) */
static bool parse_budget(const char *s, uint64_t total, uint64_t *out)
{
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '%') {
        char buf[32];
        if (n >= sizeof buf)
            return false;
        memcpy(buf, s, n - 1);
        buf[n - 1] = '\0';
        char *end;
        double p = strtod(buf, &end);
        if (*end != '\0' || !(p >= 0 && p <= 100))
            return false;
        *out = (uint64_t)(p / 100.0 * (double)total);
        return true;
    }
    return cli_parse_u64(s, out);
}

static int parse_budgets(const char *verb, const char *list, uint64_t total, uint64_t *out)
{
    int n = 0;
    char buf[1024];
    if (strlen(list) >= sizeof buf)
        return -1;
    strcpy(buf, list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == TC_AUDIT_MAX_RANGES) {
            cli_errorf(verb, "--budgets: at most %d budgets", TC_AUDIT_MAX_RANGES);
            return -1;
        }
        if (!parse_budget(t, total, &out[n])) {
            cli_errorf(verb, "--budgets: '%s' is not a parameter count or a percentage", t);
            return -1;
        }
        n++;
    }
    if (n == 0)
        cli_errorf(verb, "--budgets: give at least one budget");
    return n > 0 ? n : -1;
}

/* The receipt's commitment, SRS id and model digest, and the digest of its
 * bytes; the run must use the structured layout. */
static tc_status receipt_ids(tc_error *err, tc_challenge *ch, const char *receipt)
{
    static const char *const keys[] = {"commitment", "srs_id", "model_digest"};
    char *dst[] = {ch->commitment, ch->srs_id, ch->model_digest};
    json_t *obj = NULL;
    uint8_t rd[32];
    tc_status st = tc_json_load_object(err, &obj, receipt, TC_JSON_MAX_INPUT, rd);
    for (int i = 0; st == TC_OK && i < 3; i++)
        if (!tc_json_hex32(obj, keys[i], dst[i]))
            st = tc_fail(err, TC_EFORMAT, "%s: \"%s\" must be 64 hex characters", receipt,
                         keys[i]);
    const char *lk = json_string_value(json_object_get(json_object_get(obj, "layout"), "kind"));
    if (st == TC_OK && (lk == NULL || strcmp(lk, "structured")))
        st = tc_fail(err, TC_EUNSUPPORTED, "%s: the run uses the %s layout; an audit opens "
                     "whole layers, which needs the structured layout (run without --layout "
                     "flat)", receipt, lk ? lk : "unknown");
    if (st == TC_OK)
        tc_hex_encode(ch->receipt_digest, rd, 32);
    json_decref(obj);
    return st;
}

/* The draw's seed s32 and the challenge's nonce: from the receipt
 * (--public), from --seed (tests), or from the operating system. */
static tc_status draw_seed(tc_error *err, tc_challenge *ch, uint8_t s32[32], bool is_public,
                           bool seeded, uint64_t seed)
{
    uint8_t nonce[32];
    if (is_public) {
        tc_challenge_public_seed(s32, ch);
        tc_hex_encode(ch->nonce, s32, 32);
        return TC_OK;
    }
    if (seeded) {
        uint8_t msg[40] = "tensorcommit.challenge.test-seed";
        for (int i = 0; i < 8; i++)
            msg[32 + i] = (uint8_t)(seed >> (8 * i));
        tc_sha256_oneshot(s32, msg, sizeof msg);
        tc_sha256_oneshot(nonce, s32, 32);
        tc_hex_encode(ch->nonce, nonce, 32);
        fprintf(stderr, "tensorcommit challenge: WARNING: drawn from --seed %llu: reproducible "
                        "for tests, predictable for a prover\n", (unsigned long long)seed);
        return TC_OK;
    }
    tc_status st = tc_os_random(err, s32, 32);
    if (st == TC_OK)
        st = tc_os_random(err, nonce, 32);
    if (st == TC_OK)
        tc_hex_encode(ch->nonce, nonce, 32);
    return st;
}

int cmd_challenge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"receipt", required_argument, 0, 'r'}, {"model", required_argument, 0, 'm'},
        {"budgets", required_argument, 0, 'b'}, {"policy", required_argument, 0, 'p'},
        {"scores", required_argument, 0, 'S'},  {"seed", required_argument, 0, 's'},
        {"public", no_argument, 0, 'P'},        {"out", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *receipt = NULL, *model = NULL, *budgets_s = NULL, *scores = NULL, *out = NULL;
    tc_policy policy = TC_POLICY_WEIGHTED;
    bool is_public = false, seeded = false;
    uint64_t seed = 0;
    int threads = cli_default_threads(), c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'r': receipt = optarg; break;
        case 'm': model = optarg; break;
        case 'b': budgets_s = optarg; break;
        case 'S': scores = optarg; break;
        case 'o': out = optarg; break;
        case 'P': is_public = true; break;
        case 'p':
            if (!tc_policy_from_name(&policy, optarg))
                return cli_usage(argv[0], "--policy must be weighted, exact or uniform");
            break;
        case 's':
            if (!cli_parse_u64(optarg, &seed))
                return cli_usage(argv[0], "--seed must be a non-negative integer");
            seeded = true;
            break;
        case 't':
            if (!cli_threads_option(argv[0], optarg, &threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;     /* cli_getopt said why */
        }
    }
    if (receipt == NULL || model == NULL || budgets_s == NULL || out == NULL)
        return cli_usage(argv[0], "--receipt, --model, --budgets and --out are required");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (is_public && seeded)
        return cli_usage(argv[0], "--public and --seed exclude each other");
    if (is_public && scores != NULL)
        return cli_usage(argv[0], "--public takes the model's own scores (anyone recomputes the "
                                  "challenge from the model), not --scores");

    tc_error err = {0};
    tc_status st;
    tc_challenge ch;
    memset(&ch, 0, sizeof ch);
    tc_audit_blocks b = {0};
    char *json = NULL;
    uint8_t s32[32];
    int rc = CLI_ERROR;
    st = receipt_ids(&err, &ch, receipt);
    if (st != TC_OK)
        goto fail;
    st = tc_audit_blocks_from_model(&err, &b, model, scores, threads);
    if (st != TC_OK)
        goto fail;
    uint64_t total = 0, budgets[TC_AUDIT_MAX_RANGES];
    for (size_t i = 0; i < b.L; i++)
        total += b.cost[i];
    int M = parse_budgets(argv[0], budgets_s, total, budgets);
    if (M < 0) {
        rc = CLI_USAGE;
        goto done;
    }
    st = draw_seed(&err, &ch, s32, is_public, seeded, seed);
    if (st != TC_OK)
        goto fail;
    st = tc_challenge_draw(&err, &ch, &b, budgets, (size_t)M, policy, s32);
    if (st != TC_OK)
        goto fail;
    ch.is_public = is_public;
    ch.seeded = seeded;
    memset(s32, 0, sizeof s32);
    st = tc_challenge_to_json(&err, &json, &ch);
    if (st == TC_OK)
        st = tc_write_file_atomic(&err, out, json, strlen(json));
    if (st != TC_OK)
        goto fail;
    printf("policy      %s%s\n", tc_policy_name(policy), is_public ? " (public)" : "");
    for (int k = 0; k < M; k++) {
        if (ch.first[k] == 0)
            printf("budget %-12llu  no block fits\n", (unsigned long long)budgets[k]);
        else
            printf("budget %-12llu  blocks %d..%d (open hidden states %d and %d)\n",
                   (unsigned long long)budgets[k], ch.first[k], ch.last[k], ch.first[k] - 1,
                   ch.last[k]);
    }
    printf("coverage    ");
    for (size_t i = 0; i < b.L; i++)
        printf("%s%.3f", i ? " " : "", ch.coverage[i]);
    printf("   (P(block re-executed), blocks 1..%zu)\n", b.L);
    printf("challenge   %s\n", out);
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_report(argv[0], &err, st);
done:
    free(json);
    tc_challenge_free(&ch);
    tc_audit_blocks_free(&b);
    return rc;
}
