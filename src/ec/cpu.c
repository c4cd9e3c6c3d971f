/* The load-time CPU probe (cpu.h): one constructor reads CPUID and the
 * environment and fills tc_cpu. */
#include "ec/cpu.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define TC_CPU_X86 1
#endif

tc_cpu_caps tc_cpu;

/* A switch-off variable is set unless absent, empty or "0". */
static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

#ifdef TC_CPU_X86
/* BMI2 (MULX) and ADX (ADCX/ADOX); the assembly exists on ELF targets. */
static int probe_adx(void)
{
#if defined(__ELF__)
    unsigned eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return ((ebx >> 8) & 1) && ((ebx >> 19) & 1);
#else
    return 0;
#endif
}

/* AVX-512F and IFMA, with the OS saving the opmask and ZMM state. */
static int probe_ifma(void)
{
#if defined(__GNUC__) && !defined(__clang_analyzer__)
    unsigned eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid(1, eax, ebx, ecx, edx);
    bool osxsave = (ecx >> 27) & 1;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if (!osxsave || !((ebx >> 16) & 1) || !((ebx >> 21) & 1))
        return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 0xe6) == 0xe6;
#else
    return 0;
#endif
}
#endif

__attribute__((constructor)) static void tc_cpu_probe(void)
{
#ifdef TC_CPU_X86
    bool no_asm = env_set("TC_NO_ASM");
    tc_cpu.adx = !no_asm && probe_adx();
    tc_cpu.ifma = !no_asm && !env_set("TC_NO_IFMA") && probe_ifma();
#else
    tc_cpu.adx = 0;
    tc_cpu.ifma = 0;
#endif
}

bool tc_cpu_has_adx(void) { return tc_cpu.adx != 0; }
