/* Replays fuzz inputs through a fuzz target's LLVMFuzzerTestOneInput without
 * libFuzzer, so the saved corpus and crash reproducers run in `make test`.
 * Arguments: files or folders (every regular file inside, sorted; a missing
 * folder is skipped).  A harness check failing traps, which fails the test;
 * so does finding no input at all (a target whose corpus went missing would
 * otherwise pass without running).  Prints the number of inputs. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT ((size_t)64 << 20)

static int run_file(const char *path, size_t *count)
{
    tc_error err = {0};
    uint8_t *data = NULL;
    size_t len = 0;
    if (tc_read_file(&err, &data, &len, path, REPLAY_MAX_INPUT) != TC_OK) {
        fprintf(stderr, "replay: %s\n", err.msg);
        return 1;
    }
    /* An exact-size copy, so a sanitizer build catches over-reads. */
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        free(data);
        fprintf(stderr, "replay: %s: out of memory\n", path);
        return 1;
    }
    memcpy(copy, data, len);
    free(data);
    (void)LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    (*count)++;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0; /* a target without saved inputs */
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL) {
                rc = 1;
                goto out;
            }
            names = grown;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            rc = 1;
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = run_file(path, count);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    if (rc != 0)
        fprintf(stderr, "replay: %s: failed\n", dir);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    if (LLVMFuzzerInitialize != NULL)
        (void)LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int rc;
        if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
            rc = run_file(argv[i], &count);
        else
            rc = run_dir(argv[i], &count);
        if (rc != 0)
            return 1;
    }
    printf("replayed %zu inputs\n", count);
    if (count == 0) {
        fprintf(stderr, "replay: no inputs in the folders given: add seeds to fuzz/corpus\n");
        return 1;
    }
    return 0;
}
