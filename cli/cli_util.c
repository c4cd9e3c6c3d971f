/* Small parsing helpers shared by the subcommands. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT_S */
#include "cli.h"
#include "tensor/layout.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool cli_parse_i64(const char *s, int64_t *v)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *v = x;
    return true;
}

bool cli_parse_u64(const char *s, uint64_t *v)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0')
        return false;
    *v = x;
    return true;
}

bool cli_parse_int(const char *s, int lo, int hi, int *v)
{
    int64_t x;
    if (!cli_parse_i64(s, &x) || x < lo || x > hi)
        return false;
    *v = (int)x;
    return true;
}

/* The CPUs this process may run on: the affinity mask (which honours
 * taskset and cgroup cpusets), sized for any CPU count, else the online
 * CPUs, else 1. */
static long usable_cpus(void)
{
    for (int ncpu = 1024; ncpu <= (1 << 16); ncpu *= 2) {
        size_t size = CPU_ALLOC_SIZE(ncpu);
        cpu_set_t *set = CPU_ALLOC(ncpu);
        if (set == NULL)
            break;
        CPU_ZERO_S(size, set);
        int r = sched_getaffinity(0, size, set);
        int n = r == 0 ? CPU_COUNT_S(size, set) : 0;
        int e = errno;
        CPU_FREE(set);
        if (r == 0 && n > 0)
            return n;
        if (r != 0 && e != EINVAL) /* EINVAL: the mask is too small */
            break;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? cpus : 1;
}

int cli_default_threads(void)
{
    long cpus = usable_cpus();
    return cpus < CLI_MAX_DEFAULT_THREADS ? (int)cpus : CLI_MAX_DEFAULT_THREADS;
}

bool cli_threads_option(const char *verb, const char *arg, int *threads)
{
    if (cli_parse_int(arg, 1, 256, threads))
        return true;
    cli_usage(verb, "--threads must be in 1..256");
    return false;
}

int cli_parse_u64_list(const char *s, uint64_t *out, int max)
{
    int n = 0;
    const char *p = s;
    if (s == NULL || *s == '\0')
        return -1;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char buf[32];
        if (len == 0 || len >= sizeof buf || n == max)
            return -1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (!cli_parse_u64(buf, &out[n]))
            return -1;
        n++;
        if (comma == NULL)
            return n;
        p = comma + 1;
    }
}

void cli_quant_init(cli_quant *q)
{
    q->scale = 16;
    q->quant = 50;
    q->bscale = 0;
    q->binary = q->decimal_set = false;
}

bool cli_quant_option(cli_quant *q, int code, const char *arg, const char *verb)
{
    switch (code) {
    case 's':
        q->decimal_set = true;
        if (cli_parse_int(arg, -19, 19, &q->scale))
            return true;
        cli_usage(verb, "--scale-factor must be an integer in -19..19");
        return false;
    case 'q':
        q->decimal_set = true;
        if (cli_parse_int(arg, 0, 100, &q->quant))
            return true;
        cli_usage(verb, "--quantize must be an integer in 0..100");
        return false;
    default: /* 'b' */
        q->binary = true;
        if (cli_parse_int(arg, -1074, 1074, &q->bscale))
            return true;
        cli_usage(verb, "--binary-scale must be an integer in -1074..1074");
        return false;
    }
}

bool cli_quant_params(const cli_quant *q, tc_quant_params *out, const char *verb)
{
    tc_error err = {0};
    if (q->binary && q->decimal_set) {
        cli_usage(verb, "--binary-scale excludes --scale-factor and --quantize");
        return false;
    }
    tc_status st = q->binary ? tc_quant_binary(&err, out, q->bscale)
                             : tc_quant_decimal(&err, out, q->scale, q->quant);
    if (st != TC_OK) {
        cli_usage(verb, "%s", err.msg);
        return false;
    }
    return true;
}

char *cli_sibling_path(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) : 1;
    const char *dir = slash ? path : ".";
    if (slash == path)
        dir_len = 1;                       /* "/x" → "/" */
    size_t n = dir_len + 1 + strlen(name) + 1;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "%.*s/%s", (int)dir_len, dir, name);
    return out;
}

bool cli_not_stdout(const char *verb, const char *opt, const char *path, const char *why)
{
    if (path == NULL || strcmp(path, "-"))
        return true;
    cli_errorf(verb, "%s -: %s (name a file; ./- for a file called -)", opt, why);
    return false;
}

int cli_write_with_meta(const char *verb, const char *data_path, const void *data, size_t len,
                        const char *meta_path, const char *meta_text, bool force)
{
    tc_error err = {0};
    tc_file_set set;
    tc_file_set_init(&set);
    tc_status st = TC_OK;
    if (!force)
        st = tc_meta_check_owner(&err, meta_path, data_path);
    if (st == TC_OK)
        st = tc_file_set_add(&err, &set, data_path, data, len);
    if (st == TC_OK)
        st = tc_file_set_add(&err, &set, meta_path, meta_text, strlen(meta_text));
    if (st == TC_OK)
        st = tc_file_set_commit(&err, &set);
    tc_file_set_discard(&set);
    return st == TC_OK ? CLI_OK : cli_report(verb, &err, st);
}

void cli_help_exit_codes(FILE *f)
{
    fprintf(f, "\n-h, --help shows this text.  Exit status: 0 success (valid), 1 rejected,\n"
               "2 usage error, 3 any other error (unreadable or malformed input, I/O).\n");
}

int cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tensorcommit %s: ", verb);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\ntry 'tensorcommit %s --help'\n", verb);
    va_end(ap);
    return CLI_USAGE;
}

int cli_getopt(int argc, char **argv, const struct option *opts)
{
    opterr = 0; /* the messages are ours: one line naming the option */
    int c = getopt_long(argc, argv, ":h", opts, NULL);
    if (c == ':') {
        cli_usage(argv[0], "option '%s' needs a value", argv[optind - 1]);
        return '?';
    }
    if (c == '?') {
        if (optopt != 0 && optopt != '?')
            cli_usage(argv[0], "unknown option '-%c'", optopt);
        else
            cli_usage(argv[0], "unknown option '%s'", argv[optind - 1]);
        return '?';
    }
    return c;
}

int cli_extra_args(const char *verb, int argc, char **argv, int optind_)
{
    if (optind_ < argc)
        return cli_usage(verb, "unexpected argument '%s'", argv[optind_]);
    return CLI_OK;
}
