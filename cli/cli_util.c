/* Small parsing helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
