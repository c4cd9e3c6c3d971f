/* The engine against the reference outputs: every tiny model's and
 * stories260K's hidden states, layer outputs and logits (1e-4 absolute) and
 * greedy ids (exact); deterministic mode identical for 1 and 2 threads;
 * partial execution identical to the full pass; kernels against their
 * references; bad configurations rejected. */
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
#include <unistd.h>

#include "common/testutil.h"
#include "model/engine.h"
#include "model/model_internal.h"
#include "model/kernels.h"
#include "tensor/npy.h"

#define TOL 1e-4

/* The tiny models live in tests/models; stories260K is the bundled model in
 * models/ (its reference outputs are in tests/models/stories260K/expected). */
static void model_dir(char *out, size_t cap, const char *name)
{
    if (strcmp(name, "stories260K") == 0)
        snprintf(out, cap, "%s/models/%s", TC_SOURCE_DIR, name);
    else
        snprintf(out, cap, "%s/models/%s", TC_TEST_DATA_DIR, name);
}

static void load_npy(tc_npy *a, const char *model, const char *cas, const char *what)
{
    char path[512];
    snprintf(path, sizeof path, "%s/models/%s/expected/%s_%s.npy", TC_TEST_DATA_DIR, model, cas,
             what);
    tc_error err = {0};
    tc_status s = tc_npy_read(&err, a, path);
    if (s != TC_OK)
        fail_msg("%s", err.msg);
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= m))
            m = d; /* NaN propagates as a failure */
    }
    return m;
}

static json_t *load_cases(const char *model)
{
    char path[512];
    snprintf(path, sizeof path, "%s/models/%s/expected/cases.json", TC_TEST_DATA_DIR, model);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    return root;
}

static size_t json_ids(const json_t *arr, int32_t *out, size_t cap)
{
    size_t n = json_array_size(arr);
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++)
        out[i] = (int32_t)json_integer_value(json_array_get(arr, i));
    return n;
}

/* Checks every case of one model in one engine mode. */
static void check_model(const char *name, bool deterministic, int threads)
{
    char dir[512];
    model_dir(dir, sizeof dir, name);
    tc_error err = {0};
    tc_model *m = NULL;
    if (tc_model_load(&err, &m, dir) != TC_OK)
        fail_msg("%s", err.msg);
    const tc_model_config *c = tc_model_cfg(m);
    size_t L = (size_t)c->n_layers, dim = (size_t)c->dim, V = (size_t)c->vocab;
    tc_engine_opts o = {.n_threads = threads, .deterministic = deterministic};
    json_t *root = load_cases(name);
    json_t *cases = json_object_get(root, "cases");
    bool stories = !strcmp(name, "stories260K");
    for (size_t ci = 0; ci < json_array_size(cases); ci++) {
        json_t *cs = json_array_get(cases, ci);
        const char *cname = json_string_value(json_object_get(cs, "name"));
        int32_t ids[1024];
        size_t T = json_ids(json_object_get(cs, "input_ids"), ids, 1024);
        tc_npy e_ids, e_hid, e_lo, e_log;
        load_npy(&e_ids, name, cname, "ids");
        load_npy(&e_hid, name, cname, "hidden_states");
        load_npy(&e_lo, name, cname, "layer_outputs");
        load_npy(&e_log, name, cname, "logits");
        assert_int_equal(e_ids.count, T);
        for (size_t t = 0; t < T; t++)
            assert_int_equal(((int64_t *)e_ids.data)[t], ids[t]);
        assert_int_equal(e_hid.count, (L + 1) * T * dim);
        assert_int_equal(e_lo.count, L * T * dim);
        assert_int_equal(e_log.count, T * V);

        tc_session *s = NULL;
        assert_int_equal(tc_session_new(&err, &s, m, &o), TC_OK);
        float *hid = calloc((L + 1) * T * dim, sizeof *hid);
        float *lo = calloc(L * T * dim, sizeof *lo);
        float *lg = calloc(T * V, sizeof *lg);
        assert_int_equal(tc_capture(&err, s, ids, T, hid, lo, lg), TC_OK);
        double dh = max_abs_diff(hid, e_hid.data, e_hid.count);
        double dl = max_abs_diff(lo, e_lo.data, e_lo.count);
        double dg = max_abs_diff(lg, e_log.data, e_log.count);
        print_message("%s/%s det=%d threads=%d: max |diff| hidden %.3g layer_out %.3g logits %.3g\n",
                      name, cname, deterministic, threads, dh, dl, dg);
        assert_true(dh <= TOL);
        assert_true(dl <= TOL);
        assert_true(dg <= TOL);

        /* greedy continuation, exact ids */
        int32_t want[1024], got[2048];
        size_t n_new = json_ids(json_object_get(cs, "greedy_new_ids"), want, 1024);
        if (n_new > 0) {
            int32_t stop[TC_MAX_STOP_IDS + 1];
            size_t n_stop = 0;
            if (stories) {
                n_stop = tc_model_default_stop(m, stop);
                /* the documented stop set: eos 2 and bos 1 */
                assert_int_equal(n_stop, 2);
                assert_true((stop[0] == 2 && stop[1] == 1));
            }
            tc_sampler greedy = {0, 0, 1.0f, 0};
            size_t n_out = 0;
            assert_int_equal(tc_generate(&err, s, ids, T, n_new, &greedy, stop, n_stop, got,
                                         &n_out, NULL, NULL),
                             TC_OK);
            assert_int_equal(n_out, T + n_new);
            assert_memory_equal(got + T, want, n_new * sizeof(int32_t));
        }
        free(hid);
        free(lo);
        free(lg);
        tc_session_free(s);
        tc_npy_free(&e_ids);
        tc_npy_free(&e_hid);
        tc_npy_free(&e_lo);
        tc_npy_free(&e_log);
    }
    json_decref(root);
    tc_model_free(m);
}

static void test_stories260K(void **state) { (void)state; check_model("stories260K", false, 1); }
static void test_tiny_llama(void **state) { (void)state; check_model("tiny-llama", false, 1); }
static void test_tiny_qwen2(void **state) { (void)state; check_model("tiny-qwen2", false, 2); }
static void test_tiny_gpt2(void **state) { (void)state; check_model("tiny-gpt2", false, 1); }

static void test_deterministic_matches_reference(void **state)
{
    (void)state;
    check_model("stories260K", true, 2);
    check_model("tiny-llama", true, 1);
    check_model("tiny-qwen2", true, 1);
    check_model("tiny-gpt2", true, 2);
}

/* Deterministic mode: the same bytes for 1 and 2 threads. */
static void test_deterministic_threads(void **state)
{
    (void)state;
    const char *names[] = {"stories260K", "tiny-gpt2", "tiny-qwen2", "tiny-llama"};
    for (size_t k = 0; k < 4; k++) {
        char dir[512];
        model_dir(dir, sizeof dir, names[k]);
        tc_error err = {0};
        tc_model *m = NULL;
        assert_int_equal(tc_model_load(&err, &m, dir), TC_OK);
        const tc_model_config *c = tc_model_cfg(m);
        size_t T = (size_t)c->max_pos < 40 ? (size_t)c->max_pos : 40;
        size_t L = (size_t)c->n_layers, dim = (size_t)c->dim, V = (size_t)c->vocab;
        int32_t ids[64];
        tc_prng g;
        tc_prng_seed(&g, 7 + k);
        for (size_t t = 0; t < T; t++)
            ids[t] = (int32_t)tc_prng_below(&g, V);
        float *h[2], *lg[2];
        int32_t gen[2][64];
        for (int r = 0; r < 2; r++) {
            tc_engine_opts o = {.n_threads = r + 1, .deterministic = true};
            tc_session *s = NULL;
            assert_int_equal(tc_session_new(&err, &s, m, &o), TC_OK);
            h[r] = calloc((L + 1) * T * dim, sizeof(float));
            lg[r] = calloc(T * V, sizeof(float));
            assert_int_equal(tc_capture(&err, s, ids, T, h[r], NULL, lg[r]), TC_OK);
            tc_sampler smp = {0.8f, 20, 0.9f, 42};
            size_t n_out;
            assert_int_equal(tc_generate(&err, s, ids, 4, 12, &smp, NULL, 0, gen[r], &n_out,
                                         NULL, NULL),
                             TC_OK);
            assert_int_equal(n_out, 16);
            tc_session_free(s);
        }
        assert_memory_equal(h[0], h[1], (L + 1) * T * dim * sizeof(float));
        assert_memory_equal(lg[0], lg[1], T * V * sizeof(float));
        assert_memory_equal(gen[0], gen[1], 16 * sizeof(int32_t));
        for (int r = 0; r < 2; r++) {
            free(h[r]);
            free(lg[r]);
        }
        tc_model_free(m);
    }
}

/* Partial execution from hidden_states[a] reproduces hidden_states[a+1..b+1]
 * bit for bit, in both modes. */
static void check_partial(const char *name, bool det)
{
    char dir[512];
    model_dir(dir, sizeof dir, name);
    tc_error err = {0};
    tc_model *m = NULL;
    assert_int_equal(tc_model_load(&err, &m, dir), TC_OK);
    const tc_model_config *c = tc_model_cfg(m);
    size_t T = 24, L = (size_t)c->n_layers, dim = (size_t)c->dim;
    int32_t ids[24];
    for (size_t t = 0; t < T; t++)
        ids[t] = (int32_t)((t * 37 + 5) % (size_t)c->vocab);
    tc_engine_opts o = {.n_threads = 2, .deterministic = det};
    tc_session *s = NULL;
    assert_int_equal(tc_session_new(&err, &s, m, &o), TC_OK);
    float *hid = calloc((L + 1) * T * dim, sizeof(float));
    float *out = calloc(L * T * dim, sizeof(float));
    assert_int_equal(tc_capture(&err, s, ids, T, hid, NULL, NULL), TC_OK);
    for (size_t a = 0; a < L; a++)
        for (size_t b = a; b < L; b++) {
            assert_int_equal(tc_session_run_blocks(&err, s, hid + a * T * dim, T, (int)a, (int)b,
                                                   out, NULL),
                             TC_OK);
            assert_memory_equal(out, hid + (a + 1) * T * dim, (b - a + 1) * T * dim * sizeof(float));
        }
    assert_int_equal(tc_session_run_blocks(&err, s, hid, T, 1, 0, out, NULL), TC_EARG);
    assert_int_equal(tc_session_run_blocks(&err, s, hid, T, 0, (int)L, out, NULL), TC_EARG);
    free(hid);
    free(out);
    tc_session_free(s);
    tc_model_free(m);
}

static void test_partial(void **state)
{
    (void)state;
    const char *names[] = {"stories260K", "tiny-gpt2", "tiny-qwen2", "tiny-llama"};
    for (size_t k = 0; k < 4; k++) {
        check_partial(names[k], true);
        check_partial(names[k], false);
    }
}

/* Dot products and sums against their plain loops (deterministic mode bit
 * for bit, fast mode within rounding), and the matvec / matmul rows agreeing
 * with the dot. */
static void test_kernels_dot(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, 1234);
    float x[777], w[777];
    for (size_t i = 0; i < 777; i++) {
        x[i] = (float)(tc_prng_double(&g) * 2 - 1) * (i % 7 == 0 ? 1000.0f : 1.0f);
        w[i] = (float)(tc_prng_double(&g) * 2 - 1);
    }
    for (size_t n = 0; n <= 777; n += (n < 70 ? 1 : 29)) {
        float a = tc_vec_dot_det(x, w, n), b = tc_vec_dot_det_ref(x, w, n);
        assert_memory_equal(&a, &b, sizeof a);
        float s1 = tc_vec_sum_det(x, n), s2 = tc_vec_sum_det_ref(x, n);
        assert_memory_equal(&s1, &s2, sizeof s1);
        float mx = -INFINITY;
        for (size_t i = 0; i < n; i++)
            mx = x[i] > mx ? x[i] : mx;
        assert_true(tc_vec_max(x, n) == mx);
        double ref = 0, mag = 0;
        for (size_t i = 0; i < n; i++) {
            ref += (double)x[i] * w[i];
            mag += fabs((double)x[i] * w[i]);
        }
        assert_true(fabs(a - ref) <= 1e-5 * mag + 1e-30);
        /* matvec and det matmul rows agree with the dot (fast within rounding) */
        float y[4], yd[4];
        float W4[4 * 777];
        for (int r = 0; r < 4; r++)
            memcpy(W4 + (size_t)r * n, w, n * sizeof(float));
        tc_matvec_fast(y, W4, x, NULL, n, 0, 4);
        tc_matmul_det(yd, 4, x, W4, NULL, 1, n, 0, 4);
        for (int r = 0; r < 4; r++) {
            assert_true(fabs(y[r] - ref) <= 1e-5 * mag + 1e-30);
            assert_memory_equal(&yd[r], &a, sizeof a);
        }
        /* three tokens (a pair and a single) against 7 rows, with bias */
        float X3[3 * 777], W7[7 * 777], B7[7], Y3[3 * 7];
        for (size_t i = 0; i < 3 * n; i++)
            X3[i] = x[(i * 5) % 777];
        for (size_t i = 0; i < 7 * n; i++)
            W7[i] = w[(i * 3) % 777];
        for (int r = 0; r < 7; r++)
            B7[r] = (float)r - 3.5f;
        tc_matmul_det(Y3, 7, X3, W7, B7, 3, n, 0, 7);
        for (size_t t = 0; t < 3; t++)
            for (size_t r = 0; r < 7; r++) {
                float want = tc_vec_dot_det_ref(X3 + t * n, W7 + r * n, n) + B7[r];
                assert_memory_equal(&Y3[t * 7 + r], &want, sizeof want);
            }
    }
}

/* Attention kernels against their plain loops, bit for bit. */
static void test_kernels_attention(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, 1235);
    enum { D = 128, N = 150, LD = 160 };
    static float kt[D * LD], v[N * D], q[D], a[N], s1[N], s2[N], o1[D], o2[D];
    for (size_t i = 0; i < D * LD; i++)
        kt[i] = (float)(tc_prng_double(&g) * 2 - 1);
    for (size_t i = 0; i < N * D; i++)
        v[i] = (float)(tc_prng_double(&g) * 2 - 1);
    for (size_t i = 0; i < D; i++)
        q[i] = (float)(tc_prng_double(&g) * 2 - 1);
    for (size_t i = 0; i < N; i++)
        a[i] = (float)tc_prng_double(&g);
    size_t ds[] = {8, 64, 128, 40}, ns[] = {1, 15, 16, 17, 63, 64, 65, 150};
    for (size_t di = 0; di < 4; di++)
        for (size_t ni = 0; ni < 8; ni++) {
            size_t d = ds[di], n = ns[ni];
            tc_vec_scores(s1, q, kt, LD, d, n);
            tc_vec_scores_ref(s2, q, kt, LD, d, n);
            assert_memory_equal(s1, s2, n * sizeof(float));
            tc_vec_weighted_sum(o1, a, v, d, n, d);
            tc_vec_weighted_sum_ref(o2, a, v, d, n, d);
            assert_memory_equal(o1, o2, d * sizeof(float));
        }
}

/* tc_vec_exp, the scalar and the array version. */
static void test_kernels_exp(void **state)
{
    (void)state;
    /* tc_vec_exp: within 2 ulp of exp over the range the engine uses */
    for (float v = -103.0f; v < 88.0f; v += 0.0137f) {
        double e = exp((double)v);
        float f = tc_vec_exp(v);
        assert_true(fabs(f - e) <= 2.5 * fabs(e) * 1.2e-7 || (e < 1.2e-38 && fabs(f - e) < 3e-45));
    }
    tc_prng g;
    tc_prng_seed(&g, 1236);
    /* the array version gives the scalar's bits, special values included */
    float arr[4096], one[4096];
    for (size_t i = 0; i < 4096; i++) {
        uint32_t bits = (uint32_t)tc_prng_next(&g);
        float f;
        memcpy(&f, &bits, 4);
        arr[i] = i < 2000 ? (float)(tc_prng_double(&g) * 220 - 120) : f;
    }
    arr[0] = NAN;
    arr[1] = INFINITY;
    arr[2] = -INFINITY;
    arr[3] = 88.8f;
    arr[4] = -104.0f;
    arr[5] = 88.79f;
    arr[6] = -103.99f;
    arr[7] = -0.0f;
    for (size_t i = 0; i < 4096; i++)
        one[i] = tc_vec_exp(arr[i]);
    tc_vec_exp_inplace(arr, 4095);
    for (size_t i = 0; i < 4095; i++)
        if (isnan(one[i]))
            assert_true(isnan(arr[i]));
        else
            assert_memory_equal(&arr[i], &one[i], 4);
    assert_true(tc_vec_exp(-INFINITY) == 0.0f);
    float withnan[20] = {1, 2, NAN, 7, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, NAN, 1, 0};
    assert_true(tc_vec_max(withnan, 20) == 7.0f);
    assert_true(isinf(tc_vec_exp(100.0f)));
    assert_true(tc_vec_exp(0.0f) == 1.0f);
}

/* tc_sample: the greedy choice and seeded draws. */
static void test_sampler(void **state)
{
    (void)state;
    tc_prng g;
    tc_prng_seed(&g, 9);
    /* greedy: ties go to the first maximum (torch.argmax), NaN is no token */
    tc_sampler greedy = {0.0f, 0, 1.0f, 1};
    float sc6[6];
    int32_t isc6[6];
    float ties[6] = {1.0f, 4.0f, -2.0f, 4.0f, 4.0f, 0.5f};
    assert_int_equal(tc_sample(&greedy, &g, ties, 6, sc6, isc6), 1);
    float inf_ties[4] = {INFINITY, 0.0f, INFINITY, 1.0f};
    assert_int_equal(tc_sample(&greedy, &g, inf_ties, 4, sc6, isc6), 0);
    float nan_first[4] = {NAN, 1.0f, 2.0f, 0.0f}, nan_mid[4] = {3.0f, 1.0f, NAN, 0.0f};
    assert_int_equal(tc_sample(&greedy, &g, nan_first, 4, sc6, isc6), -1);
    assert_int_equal(tc_sample(&greedy, &g, nan_mid, 4, sc6, isc6), -1);
    tc_sampler warm = {0.8f, 0, 1.0f, 1};
    float nan_last[4] = {3.0f, 1.0f, 0.0f, NAN};
    assert_int_equal(tc_sample(&warm, &g, nan_last, 4, sc6, isc6), -1);
    /* sampling: top_k 1 is greedy, and the draw is reproducible for a seed */
    float lg[10] = {0.1f, 2.0f, -1.0f, 2.5f, 0.0f, 0.3f, 1.0f, 2.49f, -3.0f, 0.0f};
    float tmp[10], sc[10];
    int32_t isc[10];
    tc_sampler k1 = {1.0f, 1, 1.0f, 9};
    memcpy(tmp, lg, sizeof lg);
    tc_prng_seed(&g, 9);
    assert_int_equal(tc_sample(&k1, &g, tmp, 10, sc, isc), 3);
    tc_sampler p = {0.7f, 0, 0.5f, 9};
    int counts[10] = {0};
    for (int i = 0; i < 2000; i++) {
        memcpy(tmp, lg, sizeof lg);
        counts[tc_sample(&p, &g, tmp, 10, sc, isc)]++;
    }
    /* top-p 0.5 keeps only ids 3 and 7 (the two largest) */
    assert_int_equal(counts[3] + counts[7], 2000);
    assert_true(counts[3] > 700 && counts[7] > 700);
}

/* Captures `dir` on fixed tokens into fresh buffers (hidden, logits). */
static void capture_dir(const char *dir, float **hid, float **lg, size_t *nh, size_t *nl)
{
    tc_error err = {0};
    tc_model *m = NULL;
    if (tc_model_load(&err, &m, dir) != TC_OK)
        fail_msg("%s", err.msg);
    const tc_model_config *c = tc_model_cfg(m);
    size_t T = 9;
    int32_t ids[9] = {1, 5, 77, 300, 2, 9, 444, 100, 511};
    *nh = ((size_t)c->n_layers + 1) * T * (size_t)c->dim;
    *nl = T * (size_t)c->vocab;
    *hid = calloc(*nh, sizeof(float));
    *lg = calloc(*nl, sizeof(float));
    tc_engine_opts o = {.n_threads = 1, .deterministic = true};
    tc_session *s = NULL;
    assert_int_equal(tc_session_new(&err, &s, m, &o), TC_OK);
    assert_int_equal(tc_capture(&err, s, ids, T, *hid, NULL, *lg), TC_OK);
    tc_session_free(s);
    tc_model_free(m);
}

/* F16 and BF16 files load exactly: a model whose weights are exactly
 * representable gives the same bits from F16/BF16 storage as from F32; a
 * sharded copy gives the same bits as the single file. */
static void test_weight_formats(void **state)
{
    (void)state;
    if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        skip();
        return;
    }
    char dir[64], cmd[4096];
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "fmt"), 0);
    snprintf(cmd, sizeof cmd,
             "cd %s && /usr/bin/python3 -c \"\n"
             "import json, struct, os, shutil, numpy as np\n"
             "src = '%s/models/tiny-llama'\n"
             "b = open(src + '/model.safetensors', 'rb').read()\n"
             "n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n])\n"
             "t = {k: np.frombuffer(b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]], "
             "dtype=np.float32).reshape(v['shape']) for k, v in h.items() if k != '__metadata__'}\n"
             "def save(path, arrs, dt):\n"
             "    hdr = {}; off = 0; blobs = []\n"
             "    for k in sorted(arrs):\n"
             "        a = arrs[k]\n"
             "        if dt == 'F16': raw = a.astype(np.float16).tobytes()\n"
             "        elif dt == 'BF16': raw = (a.view(np.uint32) >> 16).astype(np.uint16).tobytes()\n"
             "        else: raw = a.astype(np.float32).tobytes()\n"
             "        hdr[k] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [off, off + len(raw)]}\n"
             "        off += len(raw); blobs.append(raw)\n"
             "    j = json.dumps(hdr).encode(); j += b' ' * ((8 - len(j) %% 8) %% 8)\n"
             "    open(path, 'wb').write(struct.pack('<Q', len(j)) + j + b''.join(blobs))\n"
             "f16 = {k: v.astype(np.float16).astype(np.float32) for k, v in t.items()}\n"
             "bf = {k: (v.view(np.uint32) & 0xffff0000).view(np.float32) for k, v in t.items()}\n"
             "for d, arrs, dt in [('f16', f16, 'F16'), ('f16ref', f16, 'F32'), ('bf16', bf, 'BF16'), "
             "('bf16ref', bf, 'F32')]:\n"
             "    os.mkdir(d); shutil.copy(src + '/config.json', d); save(d + '/model.safetensors', arrs, dt)\n"
             "os.mkdir('shard'); shutil.copy(src + '/config.json', 'shard')\n"
             "ks = sorted(t); a = {k: t[k] for k in ks[:len(ks) // 2]}; c = {k: t[k] for k in ks[len(ks) // 2:]}\n"
             "save('shard/m-00001.safetensors', a, 'F32'); save('shard/m-00002.safetensors', c, 'F32')\n"
             "wm = {k: 'm-00001.safetensors' for k in a}; wm.update({k: 'm-00002.safetensors' for k in c})\n"
             "json.dump({'metadata': {}, 'weight_map': wm}, open('shard/model.safetensors.index.json', 'w'))\n"
             "\"",
             dir, TC_TEST_DATA_DIR);
    assert_int_equal(system(cmd), 0);
    const char *pairs[3][2] = {{"f16", "f16ref"}, {"bf16", "bf16ref"}, {"shard", NULL}};
    for (int i = 0; i < 3; i++) {
        char a[256], b[256];
        snprintf(a, sizeof a, "%s/%s", dir, pairs[i][0]);
        if (pairs[i][1])
            snprintf(b, sizeof b, "%s/%s", dir, pairs[i][1]);
        else
            model_dir(b, sizeof b, "tiny-llama");
        float *h1, *l1, *h2, *l2;
        size_t nh, nl;
        capture_dir(a, &h1, &l1, &nh, &nl);
        capture_dir(b, &h2, &l2, &nh, &nl);
        assert_memory_equal(h1, h2, nh * sizeof(float));
        assert_memory_equal(l1, l2, nl * sizeof(float));
        free(h1);
        free(l1);
        free(h2);
        free(l2);
    }
    assert_int_equal(tu_rmtree(dir), 0);
}

/* The random-model tool (argv[1]), for a model with 2 MiB tensors. */
static const char *random_model_tool;

/* TC_HUGE_PAGES=1 copies F32 tensors of 2 MiB and more out of the file
 * mapping (model.c): the copies are used (the embedding no longer points
 * into the mapping) and every hidden state and logit keeps its bits. */
static void test_huge_pages(void **state)
{
    (void)state;
    char dir[64], cmd[4096];
    assert_int_equal(tu_mkdtemp(dir, sizeof dir, "huge"), 0);
    snprintf(cmd, sizeof cmd,
             "'%s' --out '%s/m' --dim 256 --layers 2 --heads 4 --kv-heads 2 --ffn 512 "
             "--vocab 2048 --max-pos 64 --seed 3 > /dev/null",
             random_model_tool, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/m", dir);
    float *h[2], *l[2];
    size_t nh, nl;
    for (int huge = 0; huge < 2; huge++) {
        if (huge)
            setenv("TC_HUGE_PAGES", "1", 1);
        else
            unsetenv("TC_HUGE_PAGES");
        capture_dir(cmd, &h[huge], &l[huge], &nh, &nl);
    }
    tc_error err = {0};
    tc_model *m = NULL;
    assert_int_equal(tc_model_load(&err, &m, cmd), TC_OK);   /* still TC_HUGE_PAGES=1 */
    unsetenv("TC_HUGE_PAGES");
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char line[128] = "";
    bool offered = f != NULL && fgets(line, sizeof line, f) != NULL &&
                   (strstr(line, "[always]") || strstr(line, "[madvise]"));
    if (f != NULL)
        fclose(f);
    if (offered) {
        const tc_st_tensor *t = tc_weights_find(m->files, "model.embed_tokens.weight");
        assert_non_null(t);
        assert_ptr_not_equal(m->tok_embed, t->data);
        assert_int_equal((uintptr_t)m->tok_embed % ((uintptr_t)1 << 21), 0);
    }
    tc_model_free(m);
    assert_memory_equal(h[0], h[1], nh * sizeof(float));
    assert_memory_equal(l[0], l[1], nl * sizeof(float));
    for (int i = 0; i < 2; i++) {
        free(h[i]);
        free(l[i]);
    }
    assert_int_equal(tu_rmtree(dir), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_bad_config(void **state)
{
    (void)state;
    char dir[] = "/tmp/tc_test_cfg_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/config.json", dir);
    tc_error err = {0};
    tc_model_config c;
    write_text(path, "{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                     " \"num_attention_heads\": 4, \"vocab_size\": 10}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "config.json"));
    assert_non_null(strstr(err.msg, "intermediate_size"));
    write_text(path, "{\"model_type\": \"mamba\", \"hidden_size\": 64}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "mamba"));
    write_text(path, "{\"hidden_size\": 64}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "model_type"));
    write_text(path, "{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 9,"
                     " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10,"
                     " \"num_key_value_heads\": 3}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_EFORMAT);
    write_text(path, "{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 9,"
                     " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 10,"
                     " \"eos_token_id\": [2, 7], \"bos_token_id\": 1}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_OK);
    assert_int_equal(c.n_eos, 2);
    assert_int_equal(c.head_dim, 16);
    assert_int_equal(c.n_kv_heads, 4);
    snprintf(path, sizeof path, "%s/generation_config.json", dir);
    write_text(path, "{\"eos_token_id\": 3}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_OK);
    assert_int_equal(c.n_eos, 1);
    assert_int_equal(c.eos_ids[0], 3);
    write_text(path, "{\"eos_token_id\": 30}");
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "generation_config.json"));
    /* a model folder with a valid config and no weights */
    unlink(path);
    tc_model *m = NULL;
    assert_int_equal(tc_model_load(&err, &m, dir), TC_EIO);
    assert_null(m);
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    rmdir(dir);
}

/* The block tensors the architecture table names for layer selection exist,
 * as 2-D matrices, in every model the engine runs, and the table's block-count
 * field is the one the engine read. */
static void check_table_row(const char *name)
{
    char dir[512], path[600], tname[256];
    model_dir(dir, sizeof dir, name);
    tc_error err = {0};
    tc_model_config c;
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_OK);
    const tc_arch_info *a = tc_arch_find(c.model_type);
    assert_non_null(a);
    assert_non_null(a->load);
    assert_int_equal(a->arch, c.arch);
    snprintf(path, sizeof path, "%s/config.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, a->n_layers_key)), c.n_layers);
    json_decref(root);
    tc_weights *w = NULL;
    assert_int_equal(tc_weights_open(&err, &w, dir), TC_OK);
    size_t found = 0;
    for (size_t b = 0; b < (size_t)c.n_layers; b++)
        for (size_t j = 0; j < TC_ARCH_MAX_MATRICES && a->blocks->matrices[j]; j++) {
            const tc_st_tensor *t = NULL;
            for (size_t p = 0; p < 2 && a->blocks->prefixes[p] && t == NULL; p++) {
                char prefix[128];
                snprintf(prefix, sizeof prefix, a->blocks->prefixes[p], b);
                snprintf(tname, sizeof tname, "%s%s.weight", prefix, a->blocks->matrices[j]);
                t = tc_weights_find(w, tname);
            }
            if (t == NULL)
                fail_msg("%s: no %s", name, tname);
            assert_int_equal(t->ndim, 2);
            found++;
        }
    assert_true(found >= 4 * (size_t)c.n_layers);
    tc_weights_close(w);
}

static void test_arch_table(void **state)
{
    (void)state;
    const char *names[] = {"stories260K", "tiny-gpt2", "tiny-qwen2", "tiny-llama"};
    for (size_t i = 0; i < TC_ARRAY_LEN(names); i++)
        check_table_row(names[i]);
    assert_null(tc_arch_find("mamba"));
    assert_null(tc_arch_find(""));
    /* A row the engine does not run: select reads it, the engine refuses it
     * and names only what it runs. */
    const tc_arch_info *opt = tc_arch_find("opt");
    assert_non_null(opt);
    assert_null(opt->load);
    char dir[] = "/tmp/tc_test_arch_XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/config.json", dir);
    write_text(path, "{\"model_type\": \"opt\", \"num_hidden_layers\": 2}");
    tc_error err = {0};
    tc_model_config c;
    assert_int_equal(tc_model_config_load(&err, &c, dir), TC_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "\"opt\" is not supported"));
    assert_non_null(strstr(err.msg, "gpt2"));
    assert_null(strstr(err.msg, "qwen3"));
    unlink(path);
    rmdir(dir);
    char all[256], engine[256];
    tc_arch_list(all, sizeof all, false);
    tc_arch_list(engine, sizeof engine, true);
    assert_non_null(strstr(all, "opt"));
    assert_null(strstr(engine, "opt"));
    assert_true(strlen(engine) < strlen(all));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_engine MAKE_RANDOM_MODEL\n");
        return 2;
    }
    random_model_tool = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_dot),
        cmocka_unit_test(test_kernels_attention),
        cmocka_unit_test(test_kernels_exp),
        cmocka_unit_test(test_sampler),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_arch_table),
        cmocka_unit_test(test_stories260K),
        cmocka_unit_test(test_tiny_llama),
        cmocka_unit_test(test_tiny_qwen2),
        cmocka_unit_test(test_tiny_gpt2),
        cmocka_unit_test(test_deterministic_matches_reference),
        cmocka_unit_test(test_deterministic_threads),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_weight_formats),
        cmocka_unit_test(test_huge_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
