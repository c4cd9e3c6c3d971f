/* Status names and error detail. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#include "tc_version.h"

const char *tc_strerror(tc_status s)
{
    switch (s) {
    case TC_OK: return "ok";
    case TC_EARG: return "invalid argument";
    case TC_EFORMAT: return "malformed input";
    case TC_ENOMEM: return "out of memory";
    case TC_EIO: return "input/output error";
    case TC_EUNSUPPORTED: return "unsupported";
    case TC_EINTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *tc_version(void)
{
    return TC_VERSION;
}

tc_status tc_fail(tc_error *err, tc_status s, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        err->status = s;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        /* one line: newlines from embedded text become spaces */
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    return s;
}

void tc_error_clear(tc_error *err)
{
    if (err != NULL) {
        err->status = TC_OK;
        err->msg[0] = '\0';
    }
}
