/*
 * Debug invariants.  TC_VERIFY_CHECK(cond) states what the code around it
 * guarantees (field outputs below p, affine results on the curve, digits in
 * range, arena bounds, shapes, grid indices).  In a build with the CMake
 * option TC_VERIFY (on in `make test SANITIZE=1`) a false condition prints
 * "FILE:LINE: invariant failed: COND" on stderr and aborts; otherwise the
 * macro compiles to nothing and the condition is not evaluated.  It is for
 * the program's own mistakes, never for checking input: bad input is
 * reported through tc_status.
 */
#ifndef TC_UTIL_VERIFY_H
#define TC_UTIL_VERIFY_H

#ifdef TC_VERIFY
_Noreturn void tc_verify_fail(const char *file, int line, const char *cond);
#define TC_VERIFY_CHECK(cond) \
    ((cond) ? (void)0 : tc_verify_fail(__FILE__, __LINE__, #cond))
#else
#define TC_VERIFY_CHECK(cond) ((void)sizeof(!(cond)))
#endif

#endif
