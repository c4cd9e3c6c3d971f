/* tensorcommit selftest: check known answers embedded in the binary (no data
 * files needed), then time the core operations (src/protocol/selftest.h).
 * Exit 0 when every known answer holds, 1 when any fails or a timed
 * operation gives a wrong result, 2 on usage errors, 3 when the checks could
 * not run. */
#include "cli.h"

#include "protocol/selftest.h"
#include "selftest_timing.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: tensorcommit selftest [--no-timings] [--threads N]\n"
            "\n"
            "Checks known answers compiled into the binary, copied from independent\n"
            "test vectors (tests/vectors/bn254_basic.json and pst.json): Fp product\n"
            "and inverse, Fr square root, G1 and G2 scalar multiplication, the pairing\n"
            "e(G1, G2), a pairing-product check, rejection of invalid point encodings,\n"
            "a PST setup, commitment, opening and verification, rejection of tampered\n"
            "openings, and an exact quantization tie.  Prints one line per check,\n"
            "\"ok NAME\" or \"FAIL NAME\", then a table of timings (median, min, max per\n"
            "operation over a few repetitions) of the field, group, pairing, MSM and\n"
            "PST operations.  Takes about a second; needs no files.\n"
            "\n"
            "  --no-timings   only the known answers\n"
            "  --threads N    threads for the MSM and PST timings\n"
            "                 (default: the usable CPUs, at most 64)\n"
            "\n"
            "exit status: 0 all known answers hold, 1 any fails (or a timed operation\n"
            "gives a wrong result), 2 usage error, 3 the checks could not run\n");
    cli_help_exit_codes(f);
}

static void on_check(void *ctx, bool ok, const char *name, const char *detail)
{
    (void)ctx;
    printf("%-4s %-16s %s\n", ok ? "ok" : "FAIL", name, detail);
    fflush(stdout);
}

/* Prints seconds with a unit that keeps three or four significant digits. */
static void print_time(double s)
{
    if (s < 1e-6)
        printf("%9.1f ns", s * 1e9);
    else if (s < 1e-3)
        printf("%9.2f us", s * 1e6);
    else if (s < 1.0)
        printf("%9.2f ms", s * 1e3);
    else
        printf("%9.3f s ", s);
}

static void on_timing(void *ctx, const cli_timing *t)
{
    (void)ctx;
    printf("  %-18s", t->name);
    print_time(t->median);
    print_time(t->min);
    print_time(t->max);
    printf("  %2d  %s\n", t->reps, t->what);
    fflush(stdout);
}

static void machine(void)
{
    char model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        char line[512];
        while (fgets(line, sizeof line, f) != NULL) {
            if (!strncmp(line, "model name", 10)) {
                const char *c = strchr(line, ':');
                if (c != NULL) {
                    snprintf(model, sizeof model, "%s", c + 1 + (c[1] == ' '));
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    struct utsname u;
    if (uname(&u) != 0)
        snprintf(u.machine, sizeof u.machine, "?");
    printf("machine: %s, %ld online cpus, %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), u.machine);
}

int cmd_selftest(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-timings", no_argument, NULL, 'n'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool timings = true;
    int n_threads = cli_default_threads();
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, longopts)) != -1) {
        switch (c) {
        case 'n':
            timings = false;
            break;
        case 't':
            if (!cli_parse_int(optarg, 1, 256, &n_threads)) {
                cli_usage(argv[0], "--threads: expected an integer in 1..256, got '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'h':
            help(stdout);
            return CLI_OK;
        default:
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_extra_args(argv[0], argc, argv, optind);

    tc_selftest_opts opts = {.n_threads = n_threads, .check = on_check, .ctx = NULL};
    tc_error err = {0};
    size_t n_failed = 0, n_checks = 0;
    while (tc_selftest_names[n_checks] != NULL)
        n_checks++;
    printf("known answers (embedded from bn254_basic.json and pst.json):\n");
    tc_status s = tc_selftest_known_answers(&err, &n_failed, &opts);
    if (s != TC_OK)
        return cli_report(argv[0], &err, s);
    printf("%zu of %zu known answers hold\n", n_checks - n_failed, n_checks);

    if (timings) {
        printf("\ntimings, %d thread%s, seconds per operation:\n", n_threads,
               n_threads == 1 ? "" : "s");
        machine();
        printf("  %-18s%12s%12s%12s  %s\n", "operation", "median", "min", "max", "reps");
        s = cli_selftest_timings(&err, n_threads, on_timing, NULL);
        if (s == TC_EINTERNAL) {   /* a timed operation gave a wrong result */
            printf("FAIL timings: %s\n", err.msg);
            return CLI_REJECTED;
        }
        if (s != TC_OK)
            return cli_report(argv[0], &err, s);
    }
    return n_failed == 0 ? CLI_OK : CLI_REJECTED;
}
