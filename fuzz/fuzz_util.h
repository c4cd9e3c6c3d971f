/* Helpers shared by the fuzz targets, for parsers that only take a path:
 * the input is written to a file in a private temporary folder made on the
 * first call (and removed at exit).  Also built into the replay test
 * (tests/fuzz), so everything here is plain C without libFuzzer. */
#ifndef TC_FUZZ_UTIL_H
#define TC_FUZZ_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Harness invariant broken: stop with a crash the fuzzer reports. */
#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            __builtin_trap();                                                         \
        }                                                                             \
    } while (0)

#define FUZZ_MAX_FILES 8

typedef struct fuzz_scratch {
    char dir[64];
    char files[FUZZ_MAX_FILES][96];
    int n_files;
} fuzz_scratch;

static inline fuzz_scratch *fuzz_scratch_get(void)
{
    static fuzz_scratch s; /* one per process, set up once */
    return &s;
}

static inline void fuzz_scratch_cleanup(void)
{
    fuzz_scratch *s = fuzz_scratch_get();
    for (int i = 0; i < s->n_files; i++)
        unlink(s->files[i]);
    if (s->dir[0] != '\0')
        rmdir(s->dir);
}

/* The scratch folder (created on first use); aborts if it cannot be made,
 * which is a harness setup failure, not a finding. */
static inline const char *fuzz_scratch_dir(void)
{
    fuzz_scratch *s = fuzz_scratch_get();
    if (s->dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(s->dir, sizeof s->dir, "%s/tc_fuzz_XXXXXX",
                 tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
        if (mkdtemp(s->dir) == NULL) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_scratch_cleanup);
    }
    return s->dir;
}

/* Writes data to <scratch>/<name> (replacing it) and returns that path. */
static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    fuzz_scratch *s = fuzz_scratch_get();
    const char *dir = fuzz_scratch_dir();
    int slot = -1;
    char path[96];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int i = 0; i < s->n_files; i++)
        if (strcmp(s->files[i], path) == 0)
            slot = i;
    if (slot < 0) {
        if (s->n_files == FUZZ_MAX_FILES)
            abort();
        slot = s->n_files++;
        memcpy(s->files[slot], path, sizeof path);
    }
    FILE *f = fopen(s->files[slot], "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: writing the scratch file");
        abort();
    }
    return s->files[slot];
}

/* Removes <scratch>/<name> if it was written. */
static inline void fuzz_remove_file(const char *name)
{
    char path[96];
    snprintf(path, sizeof path, "%s/%s", fuzz_scratch_dir(), name);
    unlink(path);
}

#endif
