/* util: where output files go.  Devices, FIFOs and "-" are written through
 * (never replaced by a regular file), symbolic links are followed and their
 * target replaced, regular files are replaced by rename (a reader holding the
 * old file keeps it), and a file set is all or nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/testutil.h"

static char dir[256];

static int setup_dir(void **state)
{
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "fileout");
}

static int remove_dir(void **state)
{
    (void)state;
    return tu_rmtree(dir);
}

static void in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* The file's whole content as a string ("" when missing: callers compare). */
static char *slurp(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    tc_error err;
    if (tc_read_file(&err, &data, &len, path, 1 << 24) != TC_OK)
        return strdup("<missing>");
    return (char *)data;
}

static void assert_content(const char *path, const char *want)
{
    char *got = slurp(path);
    assert_string_equal(got, want);
    free(got);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Entries of the test folder whose name contains ".tmp.". */
static int count_temps(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* A device that always reports a full disk: a private node like /dev/full
 * where this test may make one (as root: so a build that replaced devices
 * would not damage the machine's), else /dev/full itself when not root
 * (then /dev cannot be written); NULL when neither. */
static const char *full_device(char *buf, size_t cap)
{
    in_dir(buf, cap, "full");
    if (access(buf, F_OK) == 0 || mknod(buf, S_IFCHR | 0666, makedev(1, 7)) == 0)
        return buf;
    return geteuid() != 0 ? "/dev/full" : NULL;
}

static void test_dev_full(void **state)
{
    (void)state;
    char buf[300];
    const char *full = full_device(buf, sizeof buf);
    struct stat sb;
    if (full == NULL || stat(full, &sb) != 0 || !S_ISCHR(sb.st_mode))
        skip();
    tc_error err = {0};
    assert_int_equal(tc_write_file_atomic(&err, full, "abc", 3), TC_EIO);
    assert_non_null(strstr(err.msg, full));
    assert_non_null(strstr(err.msg, "No space left"));
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(stat(full, &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));          /* still the device */
    assert_int_equal(count_temps(), 0);

    /* in a set, the device fails at commit: the regular file beside it is
     * not created and no temporary file stays */
    char a[300];
    in_dir(a, sizeof a, "with_full.txt");
    tc_file_set set;
    tc_file_set_init(&set);
    assert_int_equal(tc_file_set_add(&err, &set, a, "A", 1), TC_OK);
    assert_int_equal(count_temps(), 1);
    assert_int_equal(tc_file_set_add(&err, &set, full, "B", 1), TC_OK);
    assert_int_equal(tc_file_set_commit(&err, &set), TC_EIO);
    assert_non_null(strstr(err.msg, full));
    assert_int_equal(access(a, F_OK), -1);
    assert_int_equal(count_temps(), 0);
    assert_int_equal(stat(full, &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
}

static void test_fifo(void **state)
{
    (void)state;
    char fifo[300];
    in_dir(fifo, sizeof fifo, "pipe");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* more than a pipe holds, so the writer must stream to the reader */
    size_t n = 300000;
    char *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i * 7 % 26);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        int fd = open(fifo, O_RDONLY);
        size_t got = 0;
        char buf[4096];
        ssize_t r;
        bool same = fd >= 0;
        while (same && (r = read(fd, buf, sizeof buf)) > 0) {
            same = got + (size_t)r <= n && !memcmp(buf, data + got, (size_t)r);
            got += (size_t)r;
        }
        _exit(same && got == n ? 0 : 1);
    }
    tc_error err = {0};
    assert_int_equal(tc_write_file_atomic(&err, fifo, data, n), TC_OK);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);   /* read every byte */
    struct stat sb;
    assert_int_equal(lstat(fifo, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    assert_int_equal(count_temps(), 0);
    free(data);
}

static void test_stdout(void **state)
{
    (void)state;
    char cap[300];
    in_dir(cap, sizeof cap, "captured");
    int here = open(".", O_RDONLY | O_DIRECTORY);
    assert_true(here >= 0);
    assert_int_equal(chdir(dir), 0);          /* a file named "-" would land here */
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    tc_error err = {0};
    tc_status st = tc_write_file_atomic(&err, "-", "to stdout\n", 10);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_equal(st, TC_OK);
    assert_int_equal(access("-", F_OK), -1);   /* no file called "-" */
    assert_int_equal(fchdir(here), 0);
    close(here);
    assert_content(cap, "to stdout\n");
}

static void test_symlink(void **state)
{
    (void)state;
    char real[300], link1[300], link2[300], sub[300], dang[300], made[300], buf[300];
    tc_error err = {0};
    in_dir(real, sizeof real, "real.txt");
    in_dir(link1, sizeof link1, "link1");
    in_dir(link2, sizeof link2, "link2");
    put(real, "old");
    assert_int_equal(symlink("real.txt", link1), 0);       /* relative to the link's folder */
    assert_int_equal(symlink(link1, link2), 0);            /* a chain, absolute */
    assert_int_equal(tc_write_file_atomic(&err, link2, "new", 3), TC_OK);
    assert_content(real, "new");
    struct stat sb;
    assert_int_equal(lstat(link1, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));                       /* the links stay links */
    assert_int_equal(lstat(link2, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    ssize_t n = readlink(link1, buf, sizeof buf - 1);
    assert_true(n == 8 && !memcmp(buf, "real.txt", 8));

    /* a link to a file not there yet, in a folder that is */
    in_dir(sub, sizeof sub, "sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    in_dir(dang, sizeof dang, "dangling");
    in_dir(made, sizeof made, "sub/later.txt");
    assert_int_equal(symlink("sub/later.txt", dang), 0);
    assert_int_equal(tc_write_file_atomic(&err, dang, "made", 4), TC_OK);
    assert_content(made, "made");
    assert_int_equal(lstat(dang, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));

    /* a loop is an error, not a hang */
    char l1[300], l2[300];
    in_dir(l1, sizeof l1, "loop1");
    in_dir(l2, sizeof l2, "loop2");
    assert_int_equal(symlink("loop2", l1), 0);
    assert_int_equal(symlink("loop1", l2), 0);
    assert_int_equal(tc_write_file_atomic(&err, l1, "x", 1), TC_EIO);
    assert_non_null(strstr(err.msg, "symbolic links"));
    assert_int_equal(count_temps(), 0);
}

static void test_regular(void **state)
{
    (void)state;
    char path[300], keep[300], nodir[300];
    tc_error err = {0};
    in_dir(path, sizeof path, "plain.txt");
    in_dir(keep, sizeof keep, "plain.keep");
    put(path, "before");
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(link(path, keep), 0);      /* a reader holding the old file */
    assert_int_equal(tc_write_file_atomic(&err, path, "after", 5), TC_OK);
    assert_content(path, "after");
    assert_content(keep, "before");             /* replaced by rename, not rewritten */
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);  /* the replaced file's permissions */
    assert_int_equal(count_temps(), 0);

    /* errors leave nothing behind */
    in_dir(nodir, sizeof nodir, "missing/x.txt");
    assert_int_equal(tc_write_file_atomic(&err, nodir, "a", 1), TC_EIO);
    assert_non_null(strstr(err.msg, nodir));
    assert_int_equal(tc_write_file_atomic(&err, dir, "a", 1), TC_EIO);
    assert_non_null(strstr(err.msg, "is a folder"));
    assert_int_equal(count_temps(), 0);
}

static void test_set_all_or_nothing(void **state)
{
    (void)state;
    char a[300], b[300], alias[300], sub[300];
    tc_error err = {0};
    in_dir(a, sizeof a, "set_a.txt");
    in_dir(b, sizeof b, "set_b.txt");
    put(a, "A0");

    tc_file_set set;
    tc_file_set_init(&set);
    assert_int_equal(tc_file_set_add(&err, &set, a, "A1", 2), TC_OK);
    assert_int_equal(tc_file_set_add(&err, &set, b, "B1", 2), TC_OK);
    assert_content(a, "A0");                    /* nothing visible before commit */
    assert_int_equal(access(b, F_OK), -1);
    assert_int_equal(tc_file_set_commit(&err, &set), TC_OK);
    assert_content(a, "A1");
    assert_content(b, "B1");
    assert_int_equal(count_temps(), 0);

    /* a failure on the second file: the first is not replaced */
    in_dir(sub, sizeof sub, "set_folder");
    assert_int_equal(mkdir(sub, 0755), 0);
    tc_file_set_init(&set);
    assert_int_equal(tc_file_set_add(&err, &set, a, "A2", 2), TC_OK);
    assert_int_equal(tc_file_set_add(&err, &set, sub, "S", 1), TC_EIO);
    tc_file_set_discard(&set);
    assert_content(a, "A1");
    assert_int_equal(count_temps(), 0);

    /* one file under two names (a link) is refused */
    in_dir(alias, sizeof alias, "set_alias");
    assert_int_equal(symlink("set_a.txt", alias), 0);
    tc_file_set_init(&set);
    assert_int_equal(tc_file_set_add(&err, &set, a, "A3", 2), TC_OK);
    assert_int_equal(tc_file_set_add(&err, &set, alias, "A4", 2), TC_EARG);
    assert_non_null(strstr(err.msg, "the same file"));
    tc_file_set_discard(&set);
    assert_content(a, "A1");
    assert_int_equal(count_temps(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dev_full),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_stdout),
        cmocka_unit_test(test_symlink),
        cmocka_unit_test(test_regular),
        cmocka_unit_test(test_set_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
