/* Challenges: which block ranges a verifier re-executes (audit.h,
 * docs/audit.md "Policies"). */
#include "protocol/audit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "select/select.h"
#include "util/json.h"

/* ------------------------------------------------------------ policies */

static const char *const policy_names[] = {"weighted", "exact", "uniform"};

const char *tc_policy_name(tc_policy p)
{
    return (unsigned)p < TC_ARRAY_LEN(policy_names) ? policy_names[p] : "?";
}

bool tc_policy_from_name(tc_policy *p, const char *name)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(policy_names); i++)
        if (!strcmp(name, policy_names[i])) {
            *p = (tc_policy)i;
            return true;
        }
    return false;
}

void tc_audit_blocks_free(tc_audit_blocks *b)
{
    if (b == NULL)
        return;
    free(b->cost);
    free(b->significance);
    memset(b, 0, sizeof *b);
}

tc_status tc_audit_blocks_from_model(tc_error *err, tc_audit_blocks *b, const char *model_dir,
                                     const char *scores_path, int n_threads)
{
    tc_select_scores s;
    tc_select_scores_init(&s);
    memset(b, 0, sizeof *b);
    tc_status st;
    if (scores_path != NULL) {
        st = tc_select_scores_read(err, &s, scores_path);
    } else {
        tc_select_options so;
        tc_select_options_default(&so);
        so.n_threads = n_threads > 0 ? (size_t)n_threads : 1;
        st = tc_select_scores_from_model(err, &s, model_dir, &so);
    }
    if (st != TC_OK)
        goto out;
    size_t L = s.map.num_blocks;
    if (L == 0 || s.blocks == NULL) {
        st = tc_fail(err, TC_EFORMAT, "%s: no transformer blocks in the scores",
                     scores_path ? scores_path : model_dir);
        goto out;
    }
    b->cost = malloc(L * sizeof *b->cost);
    b->significance = malloc(L * sizeof *b->significance);
    if (b->cost == NULL || b->significance == NULL) {
        st = tc_fail(err, TC_ENOMEM, "out of memory");
        goto out;
    }
    b->L = L;
    for (size_t i = 0; i < L; i++) {
        b->cost[i] = s.blocks[i].total_parameters;
        b->significance[i] = s.blocks[i].sum_significance;
        if (b->cost[i] == 0 || !(b->significance[i] >= 0) || !isfinite(b->significance[i])) {
            st = tc_fail(err, TC_EFORMAT, "%s: block %zu has no parameters or a bad score",
                         scores_path ? scores_path : model_dir, i + 1);
            goto out;
        }
    }
out:
    if (st != TC_OK)
        tc_audit_blocks_free(b);
    tc_select_scores_free(&s);
    return st;
}

void tc_challenge_free(tc_challenge *c)
{
    if (c == NULL)
        return;
    free(c->coverage);
    free(c->coverage_uniform);
    c->coverage = c->coverage_uniform = NULL;
}

/* ---------------------------------------------------- hash-based DRBG */

/* Uniform 64-bit words from a 32-byte seed: word i of block j is bytes
 * 8i..8i+7 of SHA-256(seed ‖ u64 j), little-endian.  Every draw of a
 * challenge comes from here, so a public challenge is a pure function of
 * its seed. */
typedef struct drbg {
    uint8_t seed[32];
    uint64_t block;
    uint64_t words[4];
    int used;
} drbg;

static void drbg_init(drbg *g, const uint8_t seed[32])
{
    memcpy(g->seed, seed, 32);
    g->block = 0;
    g->used = 4;
}

static uint64_t drbg_u64(drbg *g)
{
    if (g->used == 4) {
        uint8_t in[40], out[32];
        memcpy(in, g->seed, 32);
        for (int i = 0; i < 8; i++)
            in[32 + i] = (uint8_t)(g->block >> (8 * i));
        tc_sha256_oneshot(out, in, sizeof in);
        for (int w = 0; w < 4; w++) {
            uint64_t v = 0;
            for (int i = 7; i >= 0; i--)
                v = v << 8 | out[8 * w + i];
            g->words[w] = v;
        }
        g->block++;
        g->used = 0;
    }
    return g->words[g->used++];
}

/* Uniform in [0, n), n ≥ 1, by rejection (no modulo bias). */
static uint64_t drbg_below(drbg *g, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t v = drbg_u64(g);
        if (v < limit)
            return v % n;
    }
}

/* Uniform in (0, 1]: 53 bits. */
static double drbg_unit(drbg *g)
{
    return ((double)(drbg_u64(g) >> 11) + 1.0) / 9007199254740992.0;
}

/* ------------------------------------------------------ uniform windows */

/* The maximal windows of one budget: [a, end[a]] is the longest range
 * starting at a within the budget, kept when it cannot be extended to the
 * left either.  Returns the count written to starts/ends (0 when no block
 * fits). */
static size_t windows(const tc_audit_blocks *b, uint64_t budget, size_t *starts, size_t *ends)
{
    size_t n = 0;
    for (size_t a = 0; a < b->L; a++) {
        uint64_t used = 0;
        size_t e = a;
        while (e < b->L && used + b->cost[e] <= budget && used + b->cost[e] >= used)
            used += b->cost[e++];
        if (e == a)
            continue;                               /* block a alone is over budget */
        bool left_max = a == 0 || used + b->cost[a - 1] > budget || used + b->cost[a - 1] < used;
        if (left_max) {
            starts[n] = a;
            ends[n++] = e - 1;
        }
    }
    return n;
}

/* Exact per-block probability that a uniformly drawn window of each budget
 * (independently) covers the block. */
static tc_status uniform_coverage(tc_error *err, double *cov, const tc_audit_blocks *b,
                                  const uint64_t *budgets, size_t M)
{
    size_t L = b->L;
    size_t *st = malloc(2 * L * sizeof *st);
    if (st == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t i = 0; i < L; i++)
        cov[i] = 1.0;                               /* running P(not covered) */
    for (size_t k = 0; k < M; k++) {
        size_t n = windows(b, budgets[k], st, st + L);
        if (n == 0)
            continue;
        for (size_t i = 0; i < L; i++) {
            size_t hits = 0;
            for (size_t w = 0; w < n; w++)
                hits += st[w] <= i && i <= st[L + w];
            cov[i] *= 1.0 - (double)hits / (double)n;
        }
    }
    for (size_t i = 0; i < L; i++)
        cov[i] = 1.0 - cov[i];
    free(st);
    return TC_OK;
}

static tc_status draw_uniform(tc_error *err, int *first, int *last, const tc_audit_blocks *b,
                              const uint64_t *budgets, size_t M, drbg *g)
{
    size_t *st = malloc(2 * b->L * sizeof *st);
    if (st == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    for (size_t k = 0; k < M; k++) {
        size_t n = windows(b, budgets[k], st, st + b->L);
        first[k] = last[k] = 0;
        if (n == 0)
            continue;
        size_t w = (size_t)drbg_below(g, n);
        first[k] = (int)st[w] + 1;
        last[k] = (int)st[b->L + w] + 1;
    }
    free(st);
    return TC_OK;
}

/* The exact optimiser over the given values (significance or a perturbed
 * copy): disjoint ranges, one per budget. */
static tc_status draw_optimal(tc_error *err, int *first, int *last, const tc_audit_blocks *b,
                              const double *values, const uint64_t *budgets, size_t M)
{
    tc_mvbcs_range asg[TC_AUDIT_MAX_RANGES];
    double opt;
    tc_status st = tc_mvbcs_solve(err, &opt, asg, values, b->cost, b->L, budgets, M);
    if (st != TC_OK)
        return st;
    for (size_t k = 0; k < M; k++) {
        bool empty = asg[k].start < 0;
        first[k] = empty ? 0 : (int)asg[k].start + 1;
        last[k] = empty ? 0 : (int)asg[k].end + 1;
    }
    return TC_OK;
}

/* Perturb and optimise: value_i = (s_i + floor)·E_i with E_i ~ Exp(1) and
 * floor a quarter of the mean score, so every block, even one of score 0,
 * is sometimes worth covering, and significant blocks usually are. */
static tc_status draw_perturbed(tc_error *err, int *first, int *last, const tc_audit_blocks *b,
                                const uint64_t *budgets, size_t M, drbg *g, double *scratch)
{
    double mean = 0;
    for (size_t i = 0; i < b->L; i++)
        mean += b->significance[i];
    mean /= (double)b->L;
    double floor_ = mean > 0 ? mean / 4 : 1.0;
    for (size_t i = 0; i < b->L; i++)
        scratch[i] = (b->significance[i] + floor_) * -log(drbg_unit(g));
    return draw_optimal(err, first, last, b, scratch, budgets, M);
}

static tc_status check_budgets(tc_error *err, const tc_audit_blocks *b, size_t M)
{
    if (M == 0 || M > TC_AUDIT_MAX_RANGES)
        return tc_fail(err, TC_EARG, "%zu budgets: give 1..%d", M, TC_AUDIT_MAX_RANGES);
    if (b->L == 0)
        return tc_fail(err, TC_EARG, "no blocks to choose from");
    return TC_OK;
}

tc_status tc_policy_coverage(tc_error *err, double *cov, double *cov_uniform, double *stderr_,
                             const tc_audit_blocks *b, const uint64_t *budgets, size_t M,
                             tc_policy policy, size_t samples)
{
    tc_status st = check_budgets(err, b, M);
    if (st != TC_OK)
        return st;
    *stderr_ = 0;
    st = uniform_coverage(err, cov_uniform, b, budgets, M);
    if (st != TC_OK)
        return st;
    size_t L = b->L;
    int first[TC_AUDIT_MAX_RANGES], last[TC_AUDIT_MAX_RANGES];
    if (policy == TC_POLICY_UNIFORM) {
        memcpy(cov, cov_uniform, L * sizeof *cov);
        return TC_OK;
    }
    if (policy == TC_POLICY_EXACT) {
        st = draw_optimal(err, first, last, b, b->significance, budgets, M);
        if (st != TC_OK)
            return st;
        for (size_t i = 0; i < L; i++) {
            cov[i] = 0;
            for (size_t k = 0; k < M; k++)
                if (first[k] > 0 && (int)i + 1 >= first[k] && (int)i + 1 <= last[k])
                    cov[i] = 1;
        }
        return TC_OK;
    }
    /* weighted: ½ uniform + ½ perturb-and-optimise (estimated) */
    if (samples == 0)
        samples = 1;
    double *scratch = malloc(L * sizeof *scratch);
    size_t *hits = calloc(L, sizeof *hits);
    if (scratch == NULL || hits == NULL) {
        free(scratch);
        free(hits);
        return tc_fail(err, TC_ENOMEM, "out of memory");
    }
    uint8_t seed[32];
    static const char label[] = "tensorcommit.coverage.v1";
    tc_sha256_oneshot(seed, label, sizeof label - 1);
    drbg g;
    drbg_init(&g, seed);
    for (size_t s = 0; s < samples && st == TC_OK; s++) {
        st = draw_perturbed(err, first, last, b, budgets, M, &g, scratch);
        for (size_t i = 0; i < L && st == TC_OK; i++)
            for (size_t k = 0; k < M; k++)
                if (first[k] > 0 && (int)i + 1 >= first[k] && (int)i + 1 <= last[k]) {
                    hits[i]++;
                    break;
                }
    }
    for (size_t i = 0; i < L && st == TC_OK; i++) {
        double p = (double)hits[i] / (double)samples;
        cov[i] = 0.5 * cov_uniform[i] + 0.5 * p;
        double se = 0.5 * sqrt(p * (1 - p) / (double)samples);
        if (se > *stderr_)
            *stderr_ = se;
    }
    free(scratch);
    free(hits);
    return st;
}

/* ---------------------------------------------------------------- draw */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Hidden states to open: 0 (the embedding), L (the final states), and
 * a − 1 and b of every range; sorted, without repeats. */
static void open_list(tc_challenge *ch)
{
    int v[TC_AUDIT_MAX_OPEN];
    size_t n = 0;
    v[n++] = 0;
    v[n++] = (int)ch->L;
    for (size_t k = 0; k < ch->M; k++)
        if (ch->first[k] > 0) {
            v[n++] = ch->first[k] - 1;
            v[n++] = ch->last[k];
        }
    qsort(v, n, sizeof *v, cmp_int);
    ch->n_open = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || v[i] != v[i - 1])
            ch->open_layers[ch->n_open++] = v[i];
}

tc_status tc_challenge_draw(tc_error *err, tc_challenge *ch, const tc_audit_blocks *b,
                            const uint64_t *budgets, size_t M, tc_policy policy,
                            const uint8_t seed[32])
{
    tc_status st = check_budgets(err, b, M);
    if (st != TC_OK)
        return st;
    tc_challenge_free(ch);
    ch->policy = policy;
    ch->L = b->L;
    ch->M = M;
    memcpy(ch->budgets, budgets, M * sizeof *budgets);
    ch->coverage = malloc(b->L * sizeof *ch->coverage);
    ch->coverage_uniform = malloc(b->L * sizeof *ch->coverage_uniform);
    double *scratch = malloc(b->L * sizeof *scratch);
    if (ch->coverage == NULL || ch->coverage_uniform == NULL || scratch == NULL) {
        free(scratch);
        return tc_fail(err, TC_ENOMEM, "out of memory");
    }
    drbg g;
    drbg_init(&g, seed);
    switch (policy) {
    case TC_POLICY_EXACT:
        st = draw_optimal(err, ch->first, ch->last, b, b->significance, budgets, M);
        break;
    case TC_POLICY_UNIFORM:
        st = draw_uniform(err, ch->first, ch->last, b, budgets, M, &g);
        break;
    default:
        if (drbg_below(&g, 2) == 0)
            st = draw_uniform(err, ch->first, ch->last, b, budgets, M, &g);
        else
            st = draw_perturbed(err, ch->first, ch->last, b, budgets, M, &g, scratch);
        break;
    }
    free(scratch);
    if (st != TC_OK)
        return st;
    open_list(ch);
    return tc_policy_coverage(err, ch->coverage, ch->coverage_uniform, &ch->coverage_stderr, b,
                              budgets, M, policy, 4000);
}

void tc_challenge_public_seed(uint8_t seed[32], const tc_challenge *ch)
{
    static const char label[] = "tensorcommit.challenge.public.v1";
    uint8_t msg[sizeof label - 1 + 4 * 32];
    memcpy(msg, label, sizeof label - 1);
    const char *parts[4] = {ch->commitment, ch->srs_id, ch->model_digest, ch->receipt_digest};
    for (int i = 0; i < 4; i++)
        if (!tc_hex_decode(msg + sizeof label - 1 + 32 * i, 32, parts[i]))
            memset(msg + sizeof label - 1 + 32 * i, 0, 32);
    tc_sha256_oneshot(seed, msg, sizeof msg);
}

/* ---------------------------------------------------------------- JSON */

tc_status tc_challenge_to_json(tc_error *err, char **json, const tc_challenge *ch)
{
    json_t *o = json_object(), *ranges = json_array(), *budgets = json_array();
    json_t *cov = json_array(), *covu = json_array(), *open = json_array();
    json_object_set_new(o, "format", json_string("tensorcommit-challenge"));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "commitment", json_string(ch->commitment));
    json_object_set_new(o, "srs_id", json_string(ch->srs_id));
    json_object_set_new(o, "model_digest", json_string(ch->model_digest));
    json_object_set_new(o, "receipt_digest", json_string(ch->receipt_digest));
    json_object_set_new(o, "nonce", json_string(ch->nonce));
    json_object_set_new(o, "policy", json_string(tc_policy_name(ch->policy)));
    json_object_set_new(o, "public", json_boolean(ch->is_public));
    json_object_set_new(o, "seeded", json_boolean(ch->seeded));
    json_object_set_new(o, "n_blocks", json_integer((json_int_t)ch->L));
    for (size_t k = 0; k < ch->M; k++) {
        json_array_append_new(budgets, json_integer((json_int_t)ch->budgets[k]));
        json_t *r = json_object();
        json_object_set_new(r, "budget", json_integer((json_int_t)ch->budgets[k]));
        json_object_set_new(r, "first_block", json_integer(ch->first[k]));
        json_object_set_new(r, "last_block", json_integer(ch->last[k]));
        json_array_append_new(ranges, r);
    }
    for (size_t i = 0; i < ch->L; i++) {
        json_array_append_new(cov, json_real(ch->coverage[i]));
        json_array_append_new(covu, json_real(ch->coverage_uniform[i]));
    }
    for (size_t i = 0; i < ch->n_open; i++)
        json_array_append_new(open, json_integer(ch->open_layers[i]));
    json_object_set_new(o, "budgets", budgets);
    json_object_set_new(o, "ranges", ranges);
    json_object_set_new(o, "coverage", cov);
    json_object_set_new(o, "coverage_uniform", covu);
    json_object_set_new(o, "coverage_stderr", json_real(ch->coverage_stderr));
    json_object_set_new(o, "open_layers", open);
    tc_status st = tc_json_dump(err, json, o, TC_JSON_SORTED);
    json_decref(o);
    return st;
}

static tc_status challenge_from_json(tc_error *err, tc_challenge *ch, const json_t *o,
                                     const char *path)
{
    json_int_t v;
    const char *fmt = json_string_value(json_object_get(o, "format"));
    if (fmt == NULL || strcmp(fmt, "tensorcommit-challenge"))
        return tc_fail(err, TC_EFORMAT, "%s: not a challenge (format is not "
                       "\"tensorcommit-challenge\")", path);
    if (!tc_json_int_in(o, "version", 1, 1, &v))
        return tc_fail(err, TC_EFORMAT, "%s: version must be 1", path);
    static const char *const hexkeys[] = {"commitment", "srs_id", "model_digest",
                                          "receipt_digest", "nonce"};
    char *dst[] = {ch->commitment, ch->srs_id, ch->model_digest, ch->receipt_digest, ch->nonce};
    for (size_t i = 0; i < TC_ARRAY_LEN(hexkeys); i++)
        if (!tc_json_hex32(o, hexkeys[i], dst[i]))
            return tc_fail(err, TC_EFORMAT, "%s: \"%s\" must be 64 hex characters", path,
                           hexkeys[i]);
    const char *pol = json_string_value(json_object_get(o, "policy"));
    if (pol == NULL || !tc_policy_from_name(&ch->policy, pol))
        return tc_fail(err, TC_EFORMAT, "%s: \"policy\" must be weighted, exact or uniform", path);
    const json_t *pub = json_object_get(o, "public"), *sd = json_object_get(o, "seeded");
    if (!json_is_boolean(pub) || !json_is_boolean(sd))
        return tc_fail(err, TC_EFORMAT, "%s: \"public\" and \"seeded\" must be true or false",
                       path);
    ch->is_public = json_is_true(pub);
    ch->seeded = json_is_true(sd);
    if (!tc_json_int_in(o, "n_blocks", 1, 1 << 16, &v))
        return tc_fail(err, TC_EFORMAT, "%s: \"n_blocks\" must be an integer in 1..65536", path);
    ch->L = (size_t)v;
    const json_t *ranges = json_object_get(o, "ranges");
    size_t M = json_array_size(ranges);
    if (!json_is_array(ranges) || M == 0 || M > TC_AUDIT_MAX_RANGES)
        return tc_fail(err, TC_EFORMAT, "%s: \"ranges\" must hold 1..%d ranges", path,
                       TC_AUDIT_MAX_RANGES);
    ch->M = M;
    for (size_t k = 0; k < M; k++) {
        const json_t *r = json_array_get(ranges, k);
        json_int_t a, b, bud;
        if (!tc_json_int_in(r, "first_block", 0, (json_int_t)ch->L, &a) ||
            !tc_json_int_in(r, "last_block", 0, (json_int_t)ch->L, &b) ||
            !tc_json_int_in(r, "budget", 0, INT64_MAX, &bud) || (a == 0) != (b == 0) || a > b)
            return tc_fail(err, TC_EFORMAT, "%s: range %zu must have 1 <= first_block <= "
                           "last_block <= %zu (or both 0) and a budget", path, k, ch->L);
        ch->first[k] = (int)a;
        ch->last[k] = (int)b;
        ch->budgets[k] = (uint64_t)bud;
    }
    ch->coverage = calloc(ch->L, sizeof *ch->coverage);
    ch->coverage_uniform = calloc(ch->L, sizeof *ch->coverage_uniform);
    if (ch->coverage == NULL || ch->coverage_uniform == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    const json_t *cov = json_object_get(o, "coverage"), *covu = json_object_get(o, "coverage_uniform");
    if (json_array_size(cov) != ch->L || json_array_size(covu) != ch->L)
        return tc_fail(err, TC_EFORMAT, "%s: \"coverage\" and \"coverage_uniform\" must hold "
                       "%zu probabilities", path, ch->L);
    for (size_t i = 0; i < ch->L; i++) {
        ch->coverage[i] = json_number_value(json_array_get(cov, i));
        ch->coverage_uniform[i] = json_number_value(json_array_get(covu, i));
    }
    ch->coverage_stderr = json_number_value(json_object_get(o, "coverage_stderr"));
    /* the open list follows from the ranges; a file that says otherwise is
     * malformed (a response is checked against the derived list) */
    open_list(ch);
    const json_t *open = json_object_get(o, "open_layers");
    bool same = json_array_size(open) == ch->n_open;
    for (size_t i = 0; same && i < ch->n_open; i++)
        same = json_integer_value(json_array_get(open, i)) == ch->open_layers[i];
    if (!same)
        return tc_fail(err, TC_EFORMAT, "%s: \"open_layers\" does not match the ranges", path);
    return TC_OK;
}

tc_status tc_challenge_read(tc_error *err, tc_challenge *ch, const char *path)
{
    memset(ch, 0, sizeof *ch);
    json_t *o = NULL;
    tc_status st = tc_json_load_object(err, &o, path, 0, NULL);
    if (st == TC_OK)
        st = challenge_from_json(err, ch, o, path);
    json_decref(o);
    if (st != TC_OK)
        tc_challenge_free(ch);
    return st;
}
