/* The generate and capture commands end to end: outputs against the shared
 * reference files, and bad model folders rejected with exit status 3 and one
 * line on stderr.  argv[1] is the tensorcommit binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/testutil.h"
#include "tensor/npy.h"

static const char *bin;
static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(tmpdir, sizeof tmpdir, "cli");
}

static int teardown(void **state)
{
    (void)state;
    return tu_rmtree(tmpdir);
}

/* Runs the binary with `args`; returns its exit status; stderr lines and the
 * first line go to *lines / first. */
static int run(const char *args, int *lines, char *first, size_t cap)
{
    char cmd[4096], errf[512];
    snprintf(errf, sizeof errf, "%s/stderr.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>'%s'", bin, args, errf);
    int st = system(cmd);
    FILE *f = fopen(errf, "r");
    assert_non_null(f);
    int n = 0;
    char line[1000];
    if (first)
        first[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        if (n == 0 && first)
            snprintf(first, cap, "%s", line);
        n++;
    }
    fclose(f);
    if (lines)
        *lines = n;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

/* capture --tokens on tiny-gpt2 equals the expected files; the token file
 * round-trips; generate on stories260K prints the known story. */
static void test_capture_matches(void **state)
{
    (void)state;
    const char *ids = "190,249,241,297,119,62,35";
    char args[2048], first[1024];
    snprintf(args, sizeof args, "capture --model %s/models/tiny-gpt2 --tokens %s --out %s/cap",
             TC_TEST_DATA_DIR, ids, tmpdir);
    assert_int_equal(run(args, NULL, NULL, 0), 0);
    const char *names[3][2] = {{"hidden_states", "short_hidden_states"},
                               {"logits", "short_logits"},
                               {"tokens", "short_ids"}};
    for (int i = 0; i < 3; i++) {
        char p1[512], p2[512];
        snprintf(p1, sizeof p1, "%s/cap/%s.npy", tmpdir, names[i][0]);
        snprintf(p2, sizeof p2, "%s/models/tiny-gpt2/expected/%s.npy", TC_TEST_DATA_DIR, names[i][1]);
        tc_npy a, b;
        tc_error err = {0};
        assert_int_equal(tc_npy_read(&err, &a, p1), TC_OK);
        assert_int_equal(tc_npy_read(&err, &b, p2), TC_OK);
        assert_int_equal(a.dtype, b.dtype);
        assert_int_equal(a.ndim, b.ndim);
        assert_memory_equal(a.shape, b.shape, (size_t)a.ndim * sizeof(int64_t));
        if (a.dtype == TC_NPY_I64) {
            assert_memory_equal(a.data, b.data, a.count * 8);
        } else {
            const float *x = a.data, *y = b.data;
            for (size_t k = 0; k < a.count; k++)
                assert_true(fabsf(x[k] - y[k]) <= 1e-4f);
        }
        tc_npy_free(&a);
        tc_npy_free(&b);
    }
    char p[512];
    snprintf(p, sizeof p, "%s/cap/stats.json", tmpdir);
    assert_int_equal(access(p, R_OK), 0);

    /* deterministic capture: identical bytes for 1 and 2 threads */
    snprintf(args, sizeof args,
             "capture --model %s/models/stories260K --prompt 'Once upon a time' "
             "--max-new-tokens 20 --deterministic --threads 1 --out %s/d1",
             TC_SOURCE_DIR, tmpdir);
    if (run(args, NULL, first, sizeof first) != 0)
        fail_msg("%s", first);
    snprintf(args, sizeof args,
             "capture --model %s/models/stories260K --prompt 'Once upon a time' "
             "--max-new-tokens 20 --deterministic --threads 2 --out %s/d2",
             TC_SOURCE_DIR, tmpdir);
    assert_int_equal(run(args, NULL, NULL, 0), 0);
    sh("cmp -s %s/d1/hidden_states.npy %s/d2/hidden_states.npy", tmpdir, tmpdir);
    sh("cmp -s %s/d1/logits.npy %s/d2/logits.npy", tmpdir, tmpdir);
    sh("cmp -s %s/d1/tokens.npy %s/d2/tokens.npy", tmpdir, tmpdir);
}

/* generate from BOS on stories260K prints the documented 200-token story
 * (greedy, through the tokenizer for the prompt "" and the decoding). */
static void test_generate_story(void **state)
{
    (void)state;
    char cmd[2048], outp[512];
    snprintf(outp, sizeof outp, "%s/story.txt", tmpdir);
    snprintf(cmd, sizeof cmd,
             "'%s' generate --model %s/models/stories260K --prompt '' --max-new-tokens 200 "
             "> '%s' 2>/dev/null",
             bin, TC_SOURCE_DIR, outp);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/models/stories260K/expected/cases.json", TC_TEST_DATA_DIR);
    json_error_t je;
    json_t *root = json_load_file(cmd, 0, &je);
    assert_non_null(root);
    json_t *cases = json_object_get(root, "cases");
    const char *want = NULL;
    for (size_t i = 0; i < json_array_size(cases); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(cases, i), "name")),
                    "bos_only"))
            want = json_string_value(json_object_get(json_array_get(cases, i), "greedy_text"));
    assert_non_null(want);
    FILE *f = fopen(outp, "r");
    assert_non_null(f);
    static char got[8192];
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    assert_true(n == strlen(want) + 1 && got[n - 1] == '\n');
    got[n - 1] = '\0';
    assert_string_equal(got, want);
    json_decref(root);
}

/* A copy of tiny-llama with its safetensors replaced by `st_cmd`'s output. */
static void bad_folder(const char *name, const char *st_cmd)
{
    sh("mkdir -p %s/%s && cp %s/models/tiny-llama/config.json %s/%s/", tmpdir, name,
       TC_TEST_DATA_DIR, tmpdir, name);
    sh("cd %s/%s && %s", tmpdir, name, st_cmd);
}

static void expect_error(const char *name, const char *verb_args, const char *needle)
{
    char args[2048], first[1024];
    int lines = 0;
    if (!strcmp(verb_args, "capture"))
        snprintf(args, sizeof args, "capture --model %s/%s --tokens 1,2,3 --out %s/o_%s", tmpdir,
                 name, tmpdir, name);
    else
        snprintf(args, sizeof args, "%s --model %s/%s --tokens 1,2,3", verb_args, tmpdir, name);
    int rc = run(args, &lines, first, sizeof first);
    if (rc != 3 || lines != 1 || strstr(first, needle) == NULL)
        fail_msg("%s: rc %d, %d lines: %s (wanted '%s')", name, rc, lines, first, needle);
    char p[512];
    snprintf(p, sizeof p, "%s/o_%s/hidden_states.npy", tmpdir, name);
    assert_int_not_equal(access(p, F_OK), 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    char src[512];
    snprintf(src, sizeof src, "%s/models/tiny-llama/model.safetensors", TC_TEST_DATA_DIR);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "head -c 100000 %s > model.safetensors", src);
    bad_folder("truncated", cmd);
    expect_error("truncated", "capture", "model.safetensors");
    /* an offset past the end: rewrite one data_offsets end in place */
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import json,struct\n"
             "b=open('%s','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])\n"
             "k=sorted(h, key=lambda k: h[k]['data_offsets'][1] if k!='__metadata__' else 0)[-1]\n"
             "h[k]['data_offsets'][1]+=4; h[k]['shape']=[h[k]['shape'][0], h[k]['shape'][1]] if len(h[k]['shape'])==2 else h[k]['shape']\n"
             "j=json.dumps(h).encode(); j+=b' '*((8-len(j)%%8)%%8)\n"
             "open('model.safetensors','wb').write(struct.pack('<Q',len(j))+j+b[8+n:])\"",
             src);
    bad_folder("offset", cmd);
    expect_error("offset", "capture", "model.safetensors");
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import json,struct\n"
             "b=open('%s','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])\n"
             "h['lm_head.weight']['dtype']='F8_E4M3X'\n"
             "j=json.dumps(h).encode(); j+=b' '*((8-len(j)%%8)%%8)\n"
             "open('model.safetensors','wb').write(struct.pack('<Q',len(j))+j+b[8+n:])\"",
             src);
    bad_folder("dtype", cmd);
    expect_error("dtype", "generate", "unknown dtype");
    /* config missing a field, unsupported model_type */
    snprintf(cmd, sizeof cmd,
             "cp %s . && /usr/bin/python3 -c \"import json; c=json.load(open('config.json')); "
             "del c['intermediate_size']; json.dump(c, open('config.json','w'))\"",
             src);
    bad_folder("nofield", cmd);
    expect_error("nofield", "capture", "intermediate_size");
    snprintf(cmd, sizeof cmd,
             "cp %s . && /usr/bin/python3 -c \"import json; c=json.load(open('config.json')); "
             "c['model_type']='rwkv'; json.dump(c, open('config.json','w'))\"",
             src);
    bad_folder("mtype", cmd);
    expect_error("mtype", "capture", "rwkv");
    /* NaN logits (a NaN final-norm gain) are an error, not a token */
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import json,struct\n"
             "b=bytearray(open('%s','rb').read()); n=struct.unpack('<Q',b[:8])[0]\n"
             "s,e=json.loads(b[8:8+n])['model.norm.weight']['data_offsets']\n"
             "b[8+n+s:8+n+e]=struct.pack('<f',float('nan'))*((e-s)//4)\n"
             "open('model.safetensors','wb').write(b)\"",
             src);
    bad_folder("nan", cmd);
    expect_error("nan", "generate --max-new-tokens 2", "NaN");
    snprintf(cmd, sizeof cmd, "capture --max-new-tokens 2 --out %s/o_nan", tmpdir);
    expect_error("nan", cmd, "NaN");
    /* a tokenizer.json of an unsupported model type */
    snprintf(cmd, sizeof cmd,
             "cp %s . && echo '{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}' > tokenizer.json",
             src);
    bad_folder("tok", cmd);
    char args[2048], first[1024];
    int lines = 0;
    snprintf(args, sizeof args, "generate --model %s/tok --prompt hello", tmpdir);
    int rc = run(args, &lines, first, sizeof first);
    if (rc != 3 || lines != 1)
        fail_msg("tokenizer: rc %d, %d lines: %s", rc, lines, first);
    /* usage errors exit 2 */
    snprintf(args, sizeof args, "capture --model %s/models/tiny-gpt2 --out %s/x", TC_TEST_DATA_DIR,
             tmpdir);
    assert_int_equal(run(args, NULL, NULL, 0), 2);
    snprintf(args, sizeof args, "capture --model %s/models/tiny-gpt2 --tokens 1,500 --out %s/x",
             TC_TEST_DATA_DIR, tmpdir);
    assert_int_equal(run(args, NULL, NULL, 0), 2);
    assert_int_equal(run("generate --help", NULL, NULL, 0), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s path/to/tensorcommit\n", argv[0]);
        return 2;
    }
    bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_matches),
        cmocka_unit_test(test_generate_story),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
