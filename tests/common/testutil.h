/* Shared test helpers: loading JSON vectors from tests/vectors, a
 * seeded PRNG whose seed is fixed and printed (TC_TEST_SEED=<n> in the
 * environment overrides it, TC_TEST_SEED=time draws one), and scratch
 * folders. */
#ifndef TC_TESTUTIL_H
#define TC_TESTUTIL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

/* Loads TC_TEST_DATA_DIR/<rel> (tests/<rel>); aborts the test program with a message when the
 * file is missing or malformed (a missing vector file must fail, not skip). */
static inline json_t *tu_load_json(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TC_TEST_DATA_DIR, rel);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (j == NULL) {
        fprintf(stderr, "cannot load %s: %s (line %d)\n", path, e.text, e.line);
        exit(1);
    }
    return j;
}

static inline const char *tu_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL) {
        fprintf(stderr, "vector field '%s' missing or not a string\n", key);
        exit(1);
    }
    return s;
}

/* The seed of a randomised test: fixed by default (the FNV-1a hash of the
 * test's name, so a run is reproducible and tests draw different values);
 * TC_TEST_SEED=<n> picks another, TC_TEST_SEED=time a fresh one per run. */
static inline uint64_t tu_seed(const char *test_name)
{
    const char *env = getenv("TC_TEST_SEED");
    uint64_t seed = 0xcbf29ce484222325ULL;
    for (const char *c = test_name; *c != '\0'; c++)
        seed = (seed ^ (uint8_t)*c) * 0x100000001b3ULL;
    if (env != NULL && strcmp(env, "time") == 0)
        seed = (uint64_t)time(NULL);
    else if (env != NULL && env[0] != '\0')
        seed = strtoull(env, NULL, 0);
    fprintf(stderr, "%s: seed %llu (replay with TC_TEST_SEED=%llu)\n", test_name,
            (unsigned long long)seed, (unsigned long long)seed);
    return seed;
}

/* A fresh folder /tmp/tc_test_<tag>_XXXXXX in dir (len ≥ 32 + tag); 0 or −1. */
static inline int tu_mkdtemp(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/tc_test_%s_XXXXXX", tag);
    return mkdtemp(dir) == NULL ? -1 : 0;
}

/* Removes a folder made by tu_mkdtemp and everything in it; 0 or −1. */
static inline int tu_rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
