/* Small parsing helpers shared by the subcommands. */
#include "cli.h"
#include "tensor/layout.h"

#include <errno.h>
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

int cli_default_threads(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 && cpus <= 256 ? (int)cpus : 1;
}

bool cli_threads_option(const char *verb, const char *arg, int *threads)
{
    if (cli_parse_int(arg, 1, 256, threads))
        return true;
    cli_errorf(verb, "--threads must be in 1..256");
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
        cli_errorf(verb, "--scale-factor must be an integer in -19..19");
        return false;
    case 'q':
        q->decimal_set = true;
        if (cli_parse_int(arg, 0, 100, &q->quant))
            return true;
        cli_errorf(verb, "--quantize must be an integer in 0..100");
        return false;
    default: /* 'b' */
        q->binary = true;
        if (cli_parse_int(arg, -1074, 1074, &q->bscale))
            return true;
        cli_errorf(verb, "--binary-scale must be an integer in -1074..1074");
        return false;
    }
}

bool cli_quant_params(const cli_quant *q, tc_quant_params *out, const char *verb)
{
    tc_error err = {0};
    if (q->binary && q->decimal_set) {
        cli_errorf(verb, "--binary-scale excludes --scale-factor and --quantize");
        return false;
    }
    tc_status st = q->binary ? tc_quant_binary(&err, out, q->bscale)
                             : tc_quant_decimal(&err, out, q->scale, q->quant);
    if (st != TC_OK) {
        cli_errorf(verb, "%s", err.msg);
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
    if (st == TC_OK && (st = tc_file_set_add(&err, &set, data_path, data, len)) == TC_OK &&
        (st = tc_file_set_add(&err, &set, meta_path, meta_text, strlen(meta_text))) == TC_OK)
        st = tc_file_set_commit(&err, &set);
    tc_file_set_discard(&set);
    return st == TC_OK ? CLI_OK : cli_report(verb, &err, st);
}
