/* What a receipt records about the program and the machine that made it
 * (see run.h, docs/formats.md "receipt.json"): informative facts for
 * reproducing a run, never checked by verify beyond their types. */
#include "protocol/run.h"

#include <cblas.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "ec/field.h"
#include "ec/msm.h"
#include "tc_build_info.h"

/* What the CPU offers (CPUID leaf 7, EBX), whatever the program chose to
 * use.  Read directly: compilers differ in which names
 * __builtin_cpu_supports knows (clang 14 has no "adx"). */
static json_t *cpu_features(void)
{
    json_t *a = json_array();
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    unsigned eax, ebx = 0, ecx, edx;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        static const struct { unsigned bit; const char *name; } f[] = {
            {8, "bmi2"}, {19, "adx"}, {5, "avx2"}, {16, "avx512f"}, {21, "avx512ifma"}};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            if (ebx >> f[i].bit & 1)
                json_array_append_new(a, json_string(f[i].name));
    }
#endif
    return a;
}

/* The kernels this process uses: the CPU's features less what TC_NO_ASM /
 * TC_NO_IFMA switched off, and the BLAS the forward pass calls. */
static json_t *kernels(void)
{
    json_t *k = json_object();
    json_object_set_new(k, "field_mul", json_string(tc_cpu_has_adx() ? "adx-asm" : "portable"));
    json_object_set_new(k, "msm_batch_add",
                        json_string(tc_msm_uses_ifma() ? "avx512-ifma" : "scalar"));
    char blas[256];
    snprintf(blas, sizeof blas, "%s", openblas_get_config());
    json_object_set_new(k, "blas", json_string(blas));
    snprintf(blas, sizeof blas, "%s", openblas_get_corename());
    json_object_set_new(k, "blas_core", json_string(blas));
    return k;
}

json_t *tc_run_environment(int n_threads)
{
    json_t *e = json_object(), *b = json_object();
    json_object_set_new(b, "version", json_string(tc_version()));
    json_object_set_new(b, "git_commit", json_string(TC_GIT_COMMIT));
    json_object_set_new(b, "build_type", json_string(TC_BUILD_TYPE));
    json_object_set_new(b, "c_flags", json_string(TC_BUILD_FLAGS));
    json_object_set_new(b, "compiler", json_string(TC_BUILD_COMPILER));
    json_object_set_new(e, "build", b);
    json_object_set_new(e, "cpu_features", cpu_features());
    json_object_set_new(e, "kernels", kernels());
    json_object_set_new(e, "threads", json_integer(n_threads));
    char stamp[32] = "unknown";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(e, "created_utc", json_string(stamp));
    return e;
}
