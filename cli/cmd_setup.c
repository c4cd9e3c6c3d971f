/* tensorcommit setup: make a structured reference string for a grid shape
 * (docs/design.md §3.3).  Trapdoors come from the OS random source unless a seed or
 * explicit trapdoors are given, which is for testing only. */
#include "cli.h"

#include "pst/pst.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit setup --shape N0,N1,.. [--seed HEX | --trapdoors T0,T1,..]\n"
            "                          [--monomial] [--threads N] [--progress | --quiet]\n"
            "                          --out srs.tcs\n"
            "       tensorcommit setup --check srs.tcs [--threads N]\n"
            "\n"
            "Makes the SRS for a grid of the given shape (each N in 1..16, up to 24 axes):\n"
            "Lagrange keys at every level, the verification key and, with --monomial,\n"
            "the monomial key.  Prints the SRS id on stdout: the file's last 32 bytes, the\n"
            "SHA-256 of every byte before them (not `sha256sum` of the whole file).\n"
            "\n"
            "  --shape N0,N1,..     grid shape, e.g. 6,6,6,6,6,6,6,6\n"
            "  --seed HEX           derive the trapdoors from a seed (testing only)\n"
            "  --trapdoors T0,..    explicit decimal trapdoors (testing only)\n"
            "  --monomial           also store the monomial key\n"
            "  --threads N          threads (default: the usable CPUs, at most 64)\n"
            "  --progress           report progress on stderr\n"
            "  --quiet              no progress (overrides --progress)\n"
            "  --out FILE           the SRS file to write\n"
            "  --check FILE         verify an existing SRS: digest, points, and with random\n"
            "                       linear combinations and pairings that every key level\n"
            "                       is the sum of the one below and that level 0 matches\n"
            "                       the verification key (exit 0 sound, 1 not, 3 unreadable)\n"
            "\n"
            "Without --seed or --trapdoors the trapdoors come from the OS random source\n"
            "and are wiped.  Anyone who knows the seed or the trapdoors can forge proofs.\n");
    cli_help_exit_codes(f);
}

static void on_progress(void *ctx, const char *stage, double frac)
{
    (void)ctx;
    fprintf(stderr, "setup: %s %3.0f%%\n", stage, 100.0 * frac);
}

static int check_srs(const char *verb, const char *path, int threads)
{
    tc_error err = {0};
    tc_pst_srs srs;
    tc_status st = tc_pst_srs_load(&err, &srs, path, threads);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    bool ok = false;
    st = tc_pst_srs_check(&err, &ok, &srs, threads);
    char id[65], sh[128];
    tc_hex_encode(id, srs.id, 32);
    tc_pst_shape_str(sh, sizeof sh, &srs.shape);
    if (st == TC_OK) {
        if (ok)
            printf("ok: %s shape %s origin %s%s\n", id, sh, tc_pst_origin_name(srs.origin),
                   srs.mk ? " (with monomial key)" : "");
        else
            printf("rejected: %s: %s\n", path, err.msg);
    }
    tc_pst_srs_free(&srs);
    if (st != TC_OK)
        return cli_report(verb, &err, st);
    return ok ? CLI_OK : CLI_REJECTED;
}

/* Says which limit a --shape that tc_pst_shape_parse refused breaks. */
static int shape_usage(const char *verb, const char *text)
{
    tc_pst_shape s;
    memset(&s, 0, sizeof s);
    int count = 0;
    const char *p = text;
    for (;;) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || *p < '0' || *p > '9')
            return cli_usage(verb, "--shape must be sizes separated by commas, e.g. 6,6,6");
        if (count < TC_PST_MAX_VARS)
            s.n[count] = v > 1000 ? 1000 : (uint32_t)v;
        count++;
        p = end;
        if (*p == '\0')
            break;
        if (*p != ',' && *p != 'x')
            return cli_usage(verb, "--shape must be sizes separated by commas, e.g. 6,6,6");
        p++;
    }
    if (count > TC_PST_MAX_VARS)
        return cli_usage(verb, "--shape has %d sizes (at most %d variables)", count,
                         TC_PST_MAX_VARS);
    s.m = count;
    tc_error e = {0};
    if (tc_pst_shape_check(&e, &s) != TC_OK)
        return cli_usage(verb, "--shape %s: %s", text, e.msg);
    return cli_usage(verb, "--shape %s is not a grid shape", text);
}

int cmd_setup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"shape", required_argument, 0, 's'},   {"seed", required_argument, 0, 'S'},
        {"trapdoors", required_argument, 0, 't'}, {"monomial", no_argument, 0, 'M'},
        {"threads", required_argument, 0, 'j'}, {"progress", no_argument, 0, 'p'},
        {"out", required_argument, 0, 'o'},     {"help", no_argument, 0, 'h'},
        {"check", required_argument, 0, 'c'},   {"quiet", no_argument, 0, 'q'},
        {0, 0, 0, 0}};
    bool quiet = false;
    const char *shape_s = NULL, *seed_s = NULL, *trap_s = NULL, *out = NULL, *check = NULL;
    bool monomial = false, prog = false;
    int threads = cli_default_threads(), c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 's': shape_s = optarg; break;
        case 'S': seed_s = optarg; break;
        case 't': trap_s = optarg; break;
        case 'M': monomial = true; break;
        case 'p': prog = true; break;
        case 'q': quiet = true; break;
        case 'o': out = optarg; break;
        case 'c': check = optarg; break;
        case 'j':
            if (!cli_threads_option(argv[0], optarg, &threads))
                return CLI_USAGE;
            break;
        case 'h': help(stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (check != NULL) {
        if (shape_s || seed_s || trap_s || out || monomial)
            return cli_usage(argv[0], "--check takes no --shape, --seed, --trapdoors, --out "
                                      "or --monomial");
        if (optind != argc)
            return cli_extra_args(argv[0], argc, argv, optind);
        return check_srs(argv[0], check, threads);
    }
    if (shape_s == NULL || out == NULL)
        return cli_usage(argv[0], "%s is required", shape_s == NULL ? "--shape" : "--out");
    if (seed_s && trap_s)
        return cli_usage(argv[0], "--seed and --trapdoors exclude each other");
    if (optind != argc)
        return cli_extra_args(argv[0], argc, argv, optind);
    if (!cli_not_stdout(argv[0], "--out", out, "standard output carries the SRS id"))
        return CLI_USAGE;
    tc_pst_shape shape;
    if (!tc_pst_shape_parse(&shape, shape_s))
        return shape_usage(argv[0], shape_s);
    tc_pst_setup_opts o = {.n_threads = threads, .monomial = monomial,
                           .progress = prog && !quiet ? on_progress : NULL};
    tc_error err = {0};
    tc_pst_srs srs;
    tc_status st;
    if (seed_s != NULL) {
        uint8_t seed[TC_PST_MAX_SEED];
        size_t len = strlen(seed_s) / 2;
        if (strlen(seed_s) % 2 || len == 0 || len > sizeof seed || !tc_hex_decode(seed, len, seed_s))
            return cli_usage(argv[0], "--seed must be 2..%d hex characters", 2 * TC_PST_MAX_SEED);
        fprintf(stderr, "tensorcommit setup: WARNING: an SRS made from a seed is for testing "
                        "only; anyone who knows the seed can forge proofs\n");
        st = tc_pst_setup_seeded(&err, &srs, &shape, seed, len, &o);
    } else if (trap_s != NULL) {
        tc_fr t[TC_PST_MAX_VARS];
        int n;
        if (!tc_pst_parse_fr_list(t, &n, TC_PST_MAX_VARS, trap_s) || n != shape.m)
            return cli_usage(argv[0], "--trapdoors needs %d decimal values below r", shape.m);
        fprintf(stderr, "tensorcommit setup: WARNING: an SRS made from explicit trapdoors is for "
                        "testing only; anyone who knows them can forge proofs\n");
        st = tc_pst_setup(&err, &srs, &shape, t, TC_PST_ORIGIN_EXPLICIT, &o);
        memset(t, 0, sizeof t);
    } else {
        st = tc_pst_setup_random(&err, &srs, &shape, &o);
    }
    if (st != TC_OK)
        return cli_report(argv[0], &err, st);
    st = tc_pst_srs_write(&err, out, &srs);
    if (st == TC_OK) {
        char id[65];
        tc_hex_encode(id, srs.id, 32);
        printf("%s\n", id);
    }
    tc_pst_srs_free(&srs);
    return st == TC_OK ? CLI_OK : cli_report(argv[0], &err, st);
}
