/*
 * tensorcommit — commitments to the hidden states of language models.
 *
 * The public API.  Every fallible call returns a tc_status; a tc_error, when
 * the caller passes one, receives a one-line message naming the file, field,
 * tensor or offset at fault.  Handles are opaque.  Nothing here prints,
 * exits or aborts on bad input.
 */
#ifndef TENSORCOMMIT_H
#define TENSORCOMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TC_MUST_CHECK __attribute__((warn_unused_result))
#else
#define TC_MUST_CHECK
#endif

/* ------------------------------------------------------------------ status */

typedef enum tc_status {
    TC_OK = 0,
    TC_EARG,          /* the caller broke a precondition */
    TC_EFORMAT,       /* input is malformed: a file, an encoding, a value */
    TC_ENOMEM,        /* an allocation failed */
    TC_EIO,           /* reading or writing a file failed */
    TC_EUNSUPPORTED,  /* well-formed, but not something this build handles */
    TC_EINTERNAL      /* a bug: an invariant did not hold */
} tc_status;

/* A static English name for the status; never NULL. */
const char *tc_strerror(tc_status s);

/* Detail for the last failure of a call that took it.  `msg` is always a
 * NUL-terminated line without a trailing newline. */
typedef struct tc_error {
    tc_status status;
    char msg[512];
} tc_error;

/* Version string of the library, e.g. "0.1.0". */
const char *tc_version(void);

#ifdef __cplusplus
}
#endif
#endif /* TENSORCOMMIT_H */
