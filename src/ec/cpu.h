/*
 * What the CPU offers the arithmetic core, probed once at program load
 * (cpu.c) and read-only afterwards:
 *   adx   the MULX/ADCX/ADOX field multiplication (src/ec/asm/mont_adx.S;
 *         CPUID leaf 7 EBX bits 8 BMI2 and 19 ADX; built on x86-64 ELF);
 *   ifma  the AVX-512 IFMA batch addition of the MSM (msm_ifma.c; CPUID
 *         leaf 7 EBX bits 16 AVX512F and 21 AVX512IFMA, and the OS saving
 *         the ZMM state: CPUID 1 ECX bit 27 OSXSAVE, XCR0 bits 1, 2, 5–7).
 * TC_NO_ASM=1 in the environment turns both off, TC_NO_IFMA=1 the vector
 * path only (any value but empty or "0" counts as set), so the whole suite
 * can run on the portable code.
 */
#ifndef TC_EC_CPU_H
#define TC_EC_CPU_H

#include <stdbool.h>

typedef struct tc_cpu_caps {
    int adx;    /* 1: tc_mont_mul/sqr use the ADX assembly */
    int ifma;   /* 1: msm_batch_add uses the IFMA vector code */
} tc_cpu_caps;

/* Written once, by the load-time constructor in cpu.c, before main() and
 * before any thread exists; never written after.  Read directly by the
 * inline field dispatch (field_impl.h). */
extern tc_cpu_caps tc_cpu;

/* True when the field multiplication uses the ADX assembly (the MSM's
 * IFMA choice: tc_msm_uses_ifma, msm.h). */
bool tc_cpu_has_adx(void);

#endif
