/* TC_NO_ASM and TC_NO_IFMA switch off what they name.  The probes run once,
 * at program load, so each setting is checked in a fresh copy of this
 * program (re-executed through /proc/self/exe with the variable set): with
 * TC_NO_ASM=1 both the ADX field code and the IFMA batch addition are off,
 * with TC_NO_IFMA=1 the IFMA code is off and ADX is as the CPU says, and
 * unset, empty or "0" leave both as the CPU says (CPUID read here, apart
 * from the library's probes).  On this test's machine the "as the CPU says"
 * cases are what make the variables observable. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ec/field.h"
#include "ec/msm.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* What the CPU offers: BMI2 + ADX for the ADX field code (built on x86-64
 * ELF only), AVX-512F + IFMA with the OS saving ZMM state for IFMA. */
static void cpu_offers(bool *adx, bool *ifma)
{
    *adx = *ifma = false;
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
#if defined(__ELF__)
        *adx = ((b >> 8) & 1) && ((b >> 19) & 1);
#endif
    }
    __builtin_cpu_init();
    *ifma = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
#endif
}

static int failures;

/* Runs this program with `env` (VAR=VALUE ... or "") and compares what its
 * probes report with what they should. */
static void expect(const char *env, bool adx, bool ifma)
{
    char cmd[5000], line[64] = "", self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "FAIL: cannot read /proc/self/exe\n");
        failures++;
        return;
    }
    self[n] = '\0';
    snprintf(cmd, sizeof cmd, "env -u TC_NO_ASM -u TC_NO_IFMA %s '%s' --probe", env, self);
    FILE *p = popen(cmd, "r");
    if (p == NULL || fgets(line, sizeof line, p) == NULL) {
        fprintf(stderr, "FAIL: %s: no answer\n", cmd);
        failures++;
        if (p != NULL)
            pclose(p);
        return;
    }
    pclose(p);
    char want[64];
    snprintf(want, sizeof want, "adx=%d ifma=%d\n", adx, ifma);
    if (strcmp(line, want) != 0) {
        fprintf(stderr, "FAIL: [%s] reported %s, expected %s", env, line, want);
        failures++;
    } else {
        printf("ok: [%s] %s", env, line);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--probe")) {
        printf("adx=%d ifma=%d\n", tc_cpu_has_adx(), tc_msm_uses_ifma());
        return 0;
    }
    bool adx, ifma;
    cpu_offers(&adx, &ifma);
    printf("this CPU: adx=%d ifma=%d\n", adx, ifma);
    expect("", adx, ifma);
    expect("TC_NO_ASM=0", adx, ifma);
    expect("TC_NO_ASM=", adx, ifma);
    expect("TC_NO_IFMA=0", adx, ifma);
    expect("TC_NO_ASM=1", false, false);
    expect("TC_NO_ASM=yes", false, false);
    expect("TC_NO_IFMA=1", adx, false);
    expect("TC_NO_IFMA=1 TC_NO_ASM=1", false, false);
    return failures ? 1 : 0;
}
