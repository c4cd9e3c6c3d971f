/* Whole-file reads and output files.
 *
 * An output path is resolved before anything is written:
 *   "-"                       standard output, written through;
 *   a symbolic link           followed (hop by hop, relative to the link's
 *                             folder) to the name it points at, which is the
 *                             one replaced: the link stays a link;
 *   a character or block device, a FIFO
 *                             opened and written through (nothing to rename:
 *                             /dev/full must stay a device);
 *   a regular file or a name that does not exist yet
 *                             written under a temporary name in the same
 *                             folder, fsync'd, then renamed over the name, so
 *                             a reader sees the old file or the new one;
 *   a folder, a socket        refused.
 * A set of files (tc_file_set) writes every temporary file first and renames
 * them only when all were written, so a multi-file output is all or nothing. */
#define _GNU_SOURCE
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

tc_status tc_read_file(tc_error *err, uint8_t **data, size_t *len,
                       const char *path, size_t max_len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return tc_fail(err, TC_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_len) {
        close(fd);
        return tc_fail(err, TC_EFORMAT, "%s: file is %lld bytes, more than the %zu allowed",
                       path, (long long)st.st_size, max_len);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n + 1);
    if (buf == NULL) {
        close(fd);
        return tc_fail(err, TC_ENOMEM, "%s: cannot allocate %zu bytes", path, n + 1);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            close(fd);
            return tc_fail(err, TC_EIO, "%s: read failed after %zu bytes", path, got);
        }
        got += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *data = buf;
    *len = n;
    return TC_OK;
}

/* ------------------------------------------------------------ outputs */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* "folder of path" + "/" + name (name absolute: a copy of name). */
static char *join_beside(const char *path, const char *name)
{
    if (name[0] == '/')
        return dup_str(name);
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash == NULL ? 0 : (size_t)(slash - path) + 1;
    size_t n = dir_len + strlen(name) + 1;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%.*s%s", (int)dir_len, path, name);
    return p;
}

/* Whether path's folder is inside /proc (after resolving it). */
static bool in_proc(const char *path)
{
    char *a = dup_str(path);
    char *dir = a != NULL ? realpath(dirname(a), NULL) : NULL;
    bool yes = dir != NULL && !strncmp(dir, "/proc/", 6);
    free(dir);
    free(a);
    return yes;
}

tc_status tc_path_resolve(tc_error *err, const char *path, char **out)
{
    *out = NULL;
    char *cur = dup_str(path);
    if (cur == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
    for (int hop = 0; hop < 40; hop++) {
        struct stat st, end;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = cur;          /* not a link, or not there yet: this name */
            return TC_OK;
        }
        char target[PATH_MAX];
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0) {
            tc_status s = tc_fail(err, TC_EIO, "%s: cannot read the link: %s", path, strerror(errno));
            free(cur);
            return s;
        }
        target[n] = '\0';
        char *next = join_beside(cur, target);
        if (next == NULL) {
            free(cur);
            return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
        }
        /* /proc's links to open files (/dev/stdout is /proc/self/fd/1, whose
         * text may be "pipe:[123]"), and any link whose text does not lead
         * to what it opens, are kept and opened as they are. */
        struct stat via;
        if (stat(cur, &end) == 0 &&
            (in_proc(cur) || stat(next, &via) != 0 || via.st_dev != end.st_dev ||
             via.st_ino != end.st_ino)) {
            free(next);
            *out = cur;
            return TC_OK;
        }
        free(cur);
        cur = next;
    }
    free(cur);
    return tc_fail(err, TC_EIO, "%s: too many levels of symbolic links", path);
}

char *tc_path_canonical(const char *path)
{
    if (!strcmp(path, "-"))
        return dup_str(path);
    char *res = NULL;
    if (tc_path_resolve(NULL, path, &res) != TC_OK)
        return NULL;
    char *a = dup_str(res), *b = dup_str(res), *out = NULL;
    if (a != NULL && b != NULL) {
        char *dir = realpath(dirname(a), NULL);
        const char *base = basename(b);
        if (dir != NULL) {
            size_t n = strlen(dir) + strlen(base) + 2;
            out = malloc(n);
            if (out != NULL)
                snprintf(out, n, "%s/%s", strcmp(dir, "/") ? dir : "", base);
        }
        free(dir);
    }
    free(a);
    free(b);
    free(res);
    return out;
}

/* Writes all of data to fd; false with errno set on failure. */
static bool write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return false;
        if (w == 0)
            return errno = EIO, false;
        done += (size_t)w;
    }
    return true;
}

/* fsync of a folder, so a rename in it survives a crash; best effort (some
 * file systems refuse it, and the data itself is already on disk). */
static void sync_folder_of(const char *path)
{
    char *a = dup_str(path);
    if (a == NULL)
        return;
    int fd = open(dirname(a), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(a);
}

typedef struct tc_file_out {
    char *shown;          /* the name the caller gave, for messages */
    char *target;         /* where the data goes: the resolved name */
    char *key;            /* canonical name, to find one file named twice */
    char *tmp;            /* temporary file to rename over target (NULL: written through) */
    uint8_t *copy;        /* written-through data, kept until commit */
    size_t len;
    bool append;          /* a link to an open regular file: write at its end */
} tc_file_out;

void tc_file_set_init(tc_file_set *s)
{
    s->files = NULL;
    s->n = 0;
}

static void out_free(tc_file_out *f)
{
    free(f->shown);
    free(f->target);
    free(f->key);
    free(f->tmp);
    free(f->copy);
}

void tc_file_set_discard(tc_file_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->files[i].tmp != NULL)
            unlink(s->files[i].tmp);
        out_free(&s->files[i]);
    }
    free(s->files);
    tc_file_set_init(s);
}

/* Writes data to a fresh temporary file beside f->target, fsync'd, with the
 * permissions of the file it replaces (0644 for a new one). */
static tc_status write_temp(tc_error *err, tc_file_out *f, const void *data, size_t len,
                            const struct stat *old)
{
    static unsigned counter;
    size_t cap = strlen(f->target) + 48;
    if ((f->tmp = malloc(cap)) == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", f->shown);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(f->tmp, cap, "%s.tmp.%ld.%u", f->target, (long)getpid(), counter++);
        /* O_EXCL: never follow or truncate something already at the name */
        fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        tc_status s = tc_fail(err, TC_EIO, "%s: cannot create: %s", f->shown, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        return s;
    }
    if (old != NULL)
        (void)fchmod(fd, old->st_mode & 07777);
    bool ok = write_all(fd, data, len) && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        tc_status s = tc_fail(err, TC_EIO, "%s: write failed: %s", f->shown, strerror(saved));
        unlink(f->tmp);
        free(f->tmp);
        f->tmp = NULL;
        return s;
    }
    return TC_OK;
}

/* Writes a stream target (stdout, a device, a FIFO) now. */
static tc_status write_through(tc_error *err, const tc_file_out *f, const void *data, size_t len)
{
    if (!strcmp(f->target, "-")) {
        fflush(stdout);          /* what the program printed comes first */
        if (!write_all(STDOUT_FILENO, data, len))
            return tc_fail(err, TC_EIO, "standard output: write failed: %s", strerror(errno));
        return TC_OK;
    }
    int fd = open(f->target, O_WRONLY | O_NOCTTY | O_CLOEXEC | (f->append ? O_APPEND : 0));
    if (fd < 0)
        return tc_fail(err, TC_EIO, "%s: cannot open: %s", f->shown, strerror(errno));
    bool ok = write_all(fd, data, len);
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok)
        return tc_fail(err, TC_EIO, "%s: write failed: %s", f->shown, strerror(saved));
    return TC_OK;
}

/* Resolves path into f and says how it is written: *through for stdout,
 * devices and FIFOs; *old is filled (and *has_old set) for a regular file. */
static tc_status classify(tc_error *err, tc_file_out *f, const char *path, bool *through,
                          struct stat *old, bool *has_old)
{
    *through = *has_old = false;
    if ((f->shown = dup_str(path)) == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
    if (path[0] == '\0')
        return tc_fail(err, TC_EARG, "an empty file name");
    if (!strcmp(path, "-")) {
        *through = true;
        f->target = dup_str("-");
        f->key = dup_str("-");
        return f->target && f->key ? TC_OK : tc_fail(err, TC_ENOMEM, "out of memory");
    }
    tc_status s = tc_path_resolve(err, path, &f->target);
    if (s != TC_OK)
        return s;
    struct stat st;
    if (lstat(f->target, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* a link to an open file (/dev/stdout, /dev/fd/N; see
         * tc_path_resolve), whatever it is: written as the shell opened it,
         * never renamed over (a file redirected with >> is appended to) */
        if (stat(f->target, &st) != 0)
            return tc_fail(err, TC_EIO, "%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return tc_fail(err, TC_EIO, "%s: is a folder, not a file", path);
        *through = true;
        f->append = S_ISREG(st.st_mode);
    } else if (stat(f->target, &st) != 0) {
        if (errno != ENOENT)
            return tc_fail(err, TC_EIO, "%s: %s", path, strerror(errno));
    } else if (S_ISREG(st.st_mode)) {
        *old = st;
        *has_old = true;
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        *through = true;
    } else if (S_ISDIR(st.st_mode)) {
        return tc_fail(err, TC_EIO, "%s: is a folder, not a file", path);
    } else {
        return tc_fail(err, TC_EIO, "%s: not a file, device or FIFO that can be written", path);
    }
    if ((f->key = tc_path_canonical(f->target)) == NULL &&
        (f->key = dup_str(f->target)) == NULL)   /* missing folder: creating says so */
        return tc_fail(err, TC_ENOMEM, "out of memory");
    return TC_OK;
}

tc_status tc_file_set_add(tc_error *err, tc_file_set *s, const char *path, const void *data,
                          size_t len)
{
    tc_file_out *grown = realloc(s->files, (s->n + 1) * sizeof *grown);
    if (grown == NULL)
        return tc_fail(err, TC_ENOMEM, "%s: out of memory", path);
    s->files = grown;
    tc_file_out *f = &s->files[s->n];
    memset(f, 0, sizeof *f);
    bool through, has_old;
    struct stat old;
    tc_status st = classify(err, f, path, &through, &old, &has_old);
    for (size_t i = 0; st == TC_OK && i < s->n; i++)
        if (!strcmp(s->files[i].key, f->key))
            st = tc_fail(err, TC_EARG, "%s: the same file as %s; give each output its own name",
                         path, s->files[i].shown);
    if (st == TC_OK && through) {
        /* written at commit, after every temporary file is in place */
        if ((f->copy = malloc(len ? len : 1)) == NULL)
            st = tc_fail(err, TC_ENOMEM, "%s: out of memory for %zu bytes", path, len);
        else if (len)
            memcpy(f->copy, data, len);
        f->len = len;
    } else if (st == TC_OK) {
        st = write_temp(err, f, data, len, has_old ? &old : NULL);
    }
    if (st != TC_OK) {
        out_free(f);
        return st;
    }
    s->n++;
    return TC_OK;
}

/* Renames f's temporary file over its target. */
static tc_status install(tc_error *err, tc_file_out *f)
{
    if (rename(f->tmp, f->target) != 0)
        return tc_fail(err, TC_EIO, "%s: cannot rename into place: %s", f->shown, strerror(errno));
    free(f->tmp);
    f->tmp = NULL;
    sync_folder_of(f->target);
    return TC_OK;
}

tc_status tc_file_set_commit(tc_error *err, tc_file_set *s)
{
    tc_status st = TC_OK;
    /* streams first: they can still fail (ENOSPC on /dev/full, a closed
     * pipe), and then no regular file has been replaced yet */
    for (size_t i = 0; st == TC_OK && i < s->n; i++)
        if (s->files[i].tmp == NULL)
            st = write_through(err, &s->files[i], s->files[i].copy, s->files[i].len);
    for (size_t i = 0; st == TC_OK && i < s->n; i++)
        if (s->files[i].tmp != NULL)
            st = install(err, &s->files[i]);
    tc_file_set_discard(s);     /* removes any temporary file left on failure */
    return st;
}

tc_status tc_write_file_atomic(tc_error *err, const char *path, const void *data, size_t len)
{
    tc_file_out f;
    memset(&f, 0, sizeof f);
    bool through, has_old;
    struct stat old;
    tc_status st = classify(err, &f, path, &through, &old, &has_old);
    if (st == TC_OK && through) {
        st = write_through(err, &f, data, len);     /* no copy for a single file */
    } else if (st == TC_OK) {
        st = write_temp(err, &f, data, len, has_old ? &old : NULL);
        if (st == TC_OK) {
            st = install(err, &f);
            if (st != TC_OK)
                unlink(f.tmp);
        }
    }
    out_free(&f);
    return st;
}
