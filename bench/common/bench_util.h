/* Shared by the bench programs: the machine line and the sort order their
 * medians use.  Header-only, so each bench folder's CMakeLists stays one
 * executable over its own sources. */
#ifndef TC_BENCH_UTIL_H
#define TC_BENCH_UTIL_H

#include <stdio.h>
#include <string.h>

/* The CPU's "model name" from /proc/cpuinfo, or "unknown". */
static inline void bench_cpu_model(char *out, size_t len)
{
    snprintf(out, len, "unknown");
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (fp == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *v = strchr(line, ':');
        if (v != NULL) {
            v += strspn(v + 1, " \t") + 1;
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, len, "%s", v);
        }
        break;
    }
    fclose(fp);
}

/* qsort order for doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
