/* The run folder of `tensorcommit run` (run_internal.h).
 *
 * A run is built in a hidden sibling of the run folder, ".<name>.staging.<pid>",
 * and renamed into place only when every file is written, so a run that fails
 * (or a crash) never leaves a partial folder nor touches an earlier run.  An
 * existing folder that is not empty is refused unless --force; with --force it
 * must hold nothing but run files (so a mistyped --out cannot empty a folder
 * of other work), and the two folders swap in one step (renameat2
 * RENAME_EXCHANGE): at every moment the name holds the old run or the new one.
 * The old run, now at the staging name, is then removed.  Where the file
 * system cannot swap, the old folder is renamed to ".<name>.old.<pid>", the
 * new one renamed in, and the old removed; a crash between those two renames
 * leaves the old run whole under the .old name. */
#define _GNU_SOURCE          /* renameat2 */
#include "protocol/run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tc_run_log(const tc_run_opts *o, const char *fmt, ...)
{
    if (o->log == NULL)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->log(o->log_ctx, line);
}

/* mkdir -p: creates the folder and any missing parents. */
static bool make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return errno = ENAMETOOLONG, false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return false;
        buf[i] = c;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? true : (errno = ENOTDIR, false);
}


static const char *const run_files[] = {
    "receipt.json", "grid.npy",      "layout.json",  "quantization.json", "commitment.txt",
    "proofs.json",  "results.json",  "stats.json",   "hidden_states.npy", "tokens.npy",
    "logits.npy",   "srs.tcs",       "vk.json",
};

static bool is_run_file(const char *name)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(run_files); i++)
        if (!strcmp(name, run_files[i]))
            return true;
    return false;
}

/* Removes a folder holding only files (a run folder); false if something
 * stayed. */
static bool remove_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            (void)unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    return rmdir(dir) == 0;
}

/* Checks what is at the target: nothing, an empty folder, or (with force) a
 * folder of run files.  Fills rf->target, rf->parent and rf->replace. */
static tc_status check_target(tc_error *err, tc_run_folder *rf, const char *out_dir, bool force)
{
    tc_status st = tc_path_resolve(err, out_dir, &rf->target);
    if (st != TC_OK)
        return st;
    size_t n = strlen(rf->target);
    while (n > 1 && rf->target[n - 1] == '/')
        rf->target[--n] = '\0';
    const char *slash = strrchr(rf->target, '/');
    const char *base = slash ? slash + 1 : rf->target;
    if (!strcmp(base, ".") || !strcmp(base, "..") || base[0] == '\0' || !strcmp(out_dir, "-"))
        return tc_fail(err, TC_EARG, "%s: --out must name the run folder itself", out_dir);
    size_t plen = slash == NULL ? 1 : slash == rf->target ? 1 : (size_t)(slash - rf->target);
    if ((rf->parent = malloc(plen + 1)) == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    snprintf(rf->parent, plen + 1, "%s", slash == NULL ? "." : rf->target);

    struct stat sb;
    if (stat(rf->target, &sb) != 0) {
        if (errno == ENOENT)
            return TC_OK;
        return tc_fail(err, TC_EIO, "%s: %s", out_dir, strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode))
        return tc_fail(err, TC_EIO, "%s: exists and is not a folder", out_dir);
    DIR *d = opendir(rf->target);
    if (d == NULL)
        return tc_fail(err, TC_EIO, "%s: cannot open folder: %s", out_dir, strerror(errno));
    struct dirent *e;
    while (st == TC_OK && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat fb;
        if (!force)
            st = tc_fail(err, TC_EARG,
                         "%s: folder is not empty; pass --force to replace the run in it", out_dir);
        else if (!is_run_file(e->d_name) ||
                 fstatat(dirfd(d), e->d_name, &fb, AT_SYMLINK_NOFOLLOW) != 0 ||
                 !S_ISREG(fb.st_mode))
            st = tc_fail(err, TC_EARG,
                         "%s: holds %s, which a run does not write: --force replaces only a run "
                         "folder",
                         out_dir, e->d_name);
        else
            rf->replace = true;
    }
    closedir(d);
    return st;
}

/* A hidden sibling of the target: "<parent>/.<name>.<tag>.<pid>.<i>". */
static char *sibling_name(const tc_run_folder *rf, const char *tag, unsigned i)
{
    const char *slash = strrchr(rf->target, '/');
    const char *base = slash ? slash + 1 : rf->target;
    size_t cap = strlen(rf->parent) + strlen(base) + strlen(tag) + 48;
    char *p = malloc(cap);
    if (p != NULL)
        snprintf(p, cap, "%s/.%s.%s.%ld.%u", rf->parent, base, tag, (long)getpid(), i);
    return p;
}

/* Creates the parent folders and a fresh staging folder beside the target. */
static tc_status make_staging(tc_error *err, tc_run_folder *rf, const char *out_dir)
{
    if (!make_dirs(rf->parent))
        return tc_fail(err, TC_EIO, "%s: cannot create folder: %s", rf->parent, strerror(errno));
    for (unsigned i = 0; i < 100; i++) {
        if ((rf->staging = sibling_name(rf, "staging", i)) == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory");
        if (mkdir(rf->staging, 0755) == 0)
            return TC_OK;
        free(rf->staging);
        rf->staging = NULL;
        if (errno != EEXIST)
            break;
    }
    return tc_fail(err, TC_EIO, "%s: cannot create a staging folder beside it: %s", out_dir,
                   strerror(errno));
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);     /* best effort: the renames' durability */
        close(fd);
    }
}

/* Puts the finished staging folder at the target (see the top of this
 * section for the order). */
tc_status tc_run_folder_install(tc_error *err, tc_run_folder *rf, const tc_run_opts *o)
{
    sync_dir(rf->staging);
    if (!rf->replace) {
        /* absent or empty: rename replaces an empty folder in one step */
        if (rename(rf->staging, rf->target) != 0)
            return tc_fail(err, TC_EIO, "%s: cannot move the run into place: %s", o->out_dir,
                           strerror(errno));
    } else if (renameat2(AT_FDCWD, rf->staging, AT_FDCWD, rf->target, RENAME_EXCHANGE) == 0) {
        if (!remove_flat(rf->staging))       /* the old run, now at the staging name */
            tc_run_log(o, "note: could not remove the earlier run, left in %s", rf->staging);
    } else {
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
            return tc_fail(err, TC_EIO, "%s: cannot move the run into place: %s", o->out_dir,
                           strerror(errno));
        char *aside = sibling_name(rf, "old", 0);
        if (aside == NULL)
            return tc_fail(err, TC_ENOMEM, "out of memory");
        if (rename(rf->target, aside) != 0) {
            tc_status st = tc_fail(err, TC_EIO, "%s: cannot move the earlier run aside: %s",
                                   o->out_dir, strerror(errno));
            free(aside);
            return st;
        }
        if (rename(rf->staging, rf->target) != 0) {
            tc_status st = tc_fail(err, TC_EIO, "%s: cannot move the run into place: %s",
                                   o->out_dir, strerror(errno));
            (void)rename(aside, rf->target);     /* the earlier run back */
            free(aside);
            return st;
        }
        if (!remove_flat(aside))
            tc_run_log(o, "note: could not remove the earlier run, left in %s", aside);
        free(aside);
    }
    free(rf->staging);
    rf->staging = NULL;                      /* nothing left to clean */
    sync_dir(rf->parent);
    return TC_OK;
}

tc_status tc_run_folder_open(tc_error *err, tc_run_folder *rf, const char *out_dir, bool force)
{
    memset(rf, 0, sizeof *rf);
    tc_status st = check_target(err, rf, out_dir, force);
    if (st == TC_OK)
        st = make_staging(err, rf, out_dir);
    return st;
}

void tc_run_folder_close(tc_run_folder *rf, const tc_run_opts *o)
{
    if (rf->staging != NULL && !remove_flat(rf->staging))
        tc_run_log(o, "note: could not remove the staging folder %s", rf->staging);
    free(rf->target);
    free(rf->parent);
    free(rf->staging);
    memset(rf, 0, sizeof *rf);
}
