/* The failure path of TC_VERIFY_CHECK (verify.h); built in every
 * configuration, called only where TC_VERIFY is defined. */
#include "util/verify.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void tc_verify_fail(const char *file, int line, const char *cond);

_Noreturn void tc_verify_fail(const char *file, int line, const char *cond)
{
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, cond);
    fflush(stderr);
    abort();
}
