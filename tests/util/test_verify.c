/* TC_VERIFY_CHECK fires where an invariant is broken, and only in a build
 * with TC_VERIFY.  Each case runs in a child process: a broken invariant
 * must abort it (SIGABRT) with "FILE:LINE: invariant failed: COND" on
 * stderr when TC_VERIFY is defined, and must go unnoticed (exit 0)
 * otherwise; a case that keeps every invariant must exit 0 in both builds.
 * The broken invariants are fed to checked internal functions directly:
 *   field  tc_fp_sub of an unreduced operand (all-ones limbs, above p):
 *          the output is not below p (field_impl.h);
 *   grid   a grid coordinate past its axis (tensor/layout.c). */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ec/field.h"
#include "tensor/layout.h"

#ifdef TC_VERIFY
static const bool verify_on = true;
#else
static const bool verify_on = false;
#endif

static int failures;

/* Keeps the compiler from dropping a computation whose result is unused. */
static void keep(const void *p, size_t n)
{
    __asm__ volatile("" : : "r"(p), "r"(n) : "memory");
}

static void case_field(bool broken)
{
    tc_fp a, b, r;
    tc_fp_from_u64(&a, 5);
    tc_fp_from_u64(&b, 3);
    if (broken)
        memset(a.l, 0xff, sizeof a.l);    /* 2^256 − 1 > p: not a field element */
    tc_fp_sub(&r, &a, &b);
    keep(&r, sizeof r);
}

static void case_grid(bool broken)
{
    tc_error err;
    tc_layout lay;
    if (tc_layout_structured(&err, &lay, 2, 3, 5) != TC_OK)
        _exit(3);
    uint32_t coords[TC_LAYOUT_MAX_VARS] = {0};
    if (broken)
        coords[lay.m - 1] = lay.shape[lay.m - 1];   /* one past the last */
    size_t index = tc_layout_coords_to_index(&lay, coords);
    keep(&index, sizeof index);
}

/* Runs fn(broken) in a child; returns its wait status and its stderr. */
static int run_child(void (*fn)(bool), bool broken, char *msg, size_t cap)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        fn(broken);
        _exit(0);
    }
    close(fd[1]);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < cap && (got = read(fd[0], msg + len, cap - 1 - len)) > 0)
        len += (size_t)got;
    msg[len] = '\0';
    close(fd[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static void expect(const char *name, void (*fn)(bool), bool broken, const char *where)
{
    char msg[4096];
    int st = run_child(fn, broken, msg, sizeof msg);
    bool aborted = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
    bool clean = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    bool ok;
    if (broken && verify_on)
        ok = aborted && strstr(msg, where) != NULL && strstr(msg, "invariant failed: ") != NULL;
    else
        ok = clean && msg[0] == '\0';
    size_t len = strlen(msg);
    if (len > 0 && msg[len - 1] == '\n')
        msg[len - 1] = '\0';
    printf("%s: %s %s, child %s%s%s\n", ok ? "ok" : "FAIL", name,
           broken ? "broken" : "intact", aborted ? "aborted" : clean ? "exited 0" : "failed",
           msg[0] ? ": " : "", msg);
    if (!ok)
        failures++;
}

int main(void)
{
    printf("TC_VERIFY is %s in this build\n", verify_on ? "on" : "off");
    expect("field", case_field, false, "field_impl.h:");
    expect("field", case_field, true, "field_impl.h:");
    expect("grid", case_grid, false, "layout.c:");
    expect("grid", case_grid, true, "layout.c:");
    return failures ? 1 : 0;
}
