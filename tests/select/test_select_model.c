/* select: prunable-matrix discovery on small synthetic model folders
 * (docs/layer-selection.md §2): OPT's k, v, q, out order, GPT-2's Conv1D
 * shapes as stored, tied extras ignored, and the models that must be
 * refused (missing matrix, unknown model_type, a weight that is not 2-D). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "select/select.h"
#include "util/util.h"

typedef struct tensor_spec {
    char name[96];
    int ndim;
    size_t shape[2];
} tensor_spec;

/* Seeded N(0,1)-ish values for tensor number t. */
static void fill(float *x, size_t n, size_t t)
{
    tc_prng g;
    tc_prng_seed(&g, 1000 + t);
    for (size_t j = 0; j < n; j++)
        x[j] = (float)(tc_prng_double(&g) + tc_prng_double(&g) + tc_prng_double(&g) - 1.5);
}

static size_t numel(const tensor_spec *t)
{
    return t->ndim == 1 ? t->shape[0] : t->shape[0] * t->shape[1];
}

/* Writes dir/model.safetensors (F32, contiguous) and dir/config.json. */
static void write_model(const char *dir, const char *config, const tensor_spec *ts, size_t n)
{
    mkdir(dir, 0700);
    char path[512], header[8192];
    size_t off = 0, hl = 0;
    hl += (size_t)snprintf(header + hl, sizeof header - hl, "{");
    for (size_t i = 0; i < n; i++) {
        size_t bytes = numel(&ts[i]) * 4;
        if (ts[i].ndim == 1)
            hl += (size_t)snprintf(header + hl, sizeof header - hl,
                                   "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%zu],"
                                   "\"data_offsets\":[%zu,%zu]}",
                                   i ? "," : "", ts[i].name, ts[i].shape[0], off, off + bytes);
        else
            hl += (size_t)snprintf(header + hl, sizeof header - hl,
                                   "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%zu,%zu],"
                                   "\"data_offsets\":[%zu,%zu]}",
                                   i ? "," : "", ts[i].name, ts[i].shape[0], ts[i].shape[1], off,
                                   off + bytes);
        off += bytes;
    }
    hl += (size_t)snprintf(header + hl, sizeof header - hl, "}");
    while (hl % 8)
        header[hl++] = ' ';
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint8_t len8[8];
    for (int b = 0; b < 8; b++)
        len8[b] = (uint8_t)((uint64_t)hl >> (8 * b));
    fwrite(len8, 1, 8, f);
    fwrite(header, 1, hl, f);
    for (size_t i = 0; i < n; i++) {
        float *x = malloc(numel(&ts[i]) * sizeof *x);
        fill(x, numel(&ts[i]), i);
        fwrite(x, 4, numel(&ts[i]), f);
        free(x);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/config.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(config, f);
    fclose(f);
}

static void remove_model(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    rmdir(dir);
}

static size_t add(tensor_spec *ts, size_t n, const char *name, size_t r, size_t c)
{
    snprintf(ts[n].name, sizeof ts[n].name, "%s", name);
    ts[n].ndim = c ? 2 : 1;
    ts[n].shape[0] = r;
    ts[n].shape[1] = c;
    return n + 1;
}

/* The metric of tensor t computed independently of the scores path. */
static double metric_of(const tensor_spec *t, size_t index)
{
    size_t ne = numel(t);
    float *x = malloc(ne * sizeof *x);
    double *w = malloc(ne * sizeof *w);
    size_t n = t->shape[0] < t->shape[1] ? t->shape[0] : t->shape[1];
    double *ev = malloc(n * sizeof *ev);
    fill(x, ne, index);
    for (size_t j = 0; j < ne; j++)
        w[j] = x[j];
    tc_error err = {0};
    tc_esd_fit fit;
    assert_int_equal(tc_esd_eigenvalues(&err, ev, w, t->shape[0], t->shape[1]), TC_OK);
    assert_int_equal(tc_esd_fit_metric(&err, &fit, ev, n, TC_METRIC_ALPHA_PEAK), TC_OK);
    free(x);
    free(w);
    free(ev);
    return fit.ok ? fit.alpha : NAN;
}

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tc_sel_model_%d", (int)getpid());
    return 0;
}

static void test_opt_order(void **state)
{
    (void)state;
    tensor_spec ts[32];
    size_t n = 0;
    n = add(ts, n, "model.decoder.embed_tokens.weight", 50, 8);
    static const char *order[6] = {"self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj",
                                   "self_attn.out_proj", "fc1", "fc2"};
    /* Stored alphabetically (q before k): discovery must not follow the file. */
    static const char *stored[6] = {"fc1", "fc2", "self_attn.k_proj", "self_attn.out_proj",
                                    "self_attn.q_proj", "self_attn.v_proj"};
    for (int b = 0; b < 2; b++)
        for (int j = 0; j < 6; j++) {
            char name[96];
            snprintf(name, sizeof name, "model.decoder.layers.%d.%s.weight", b, stored[j]);
            bool fc1 = !strcmp(stored[j], "fc1"), fc2 = !strcmp(stored[j], "fc2");
            n = add(ts, n, name, fc1 ? 24 : 12, fc2 ? 24 : 12);
            snprintf(name, sizeof name, "model.decoder.layers.%d.%s.bias", b, stored[j]);
            n = add(ts, n, name, fc1 ? 24 : 12, 0);
        }
    write_model(dir, "{\"model_type\": \"opt\", \"num_hidden_layers\": 2}", ts, n);
    tc_select_scores s;
    tc_select_options o;
    tc_select_options_default(&o);
    o.n_threads = 2;
    tc_error err = {0};
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_OK);
    assert_int_equal(s.num_layers, 12);
    assert_int_equal(s.map.num_blocks, 2);
    for (size_t l = 0; l < 12; l++) {
        char want[96];
        snprintf(want, sizeof want, "%zu.%s", l / 6, order[l % 6]);
        assert_string_equal(s.layers[l].name, want);
        /* find the tensor and compare its metric */
        char tname[128];
        snprintf(tname, sizeof tname, "model.decoder.layers.%zu.%s.weight", l / 6, order[l % 6]);
        for (size_t t = 0; t < n; t++)
            if (!strcmp(ts[t].name, tname)) {
                assert_int_equal(s.layers[l].shape[0], ts[t].shape[0]);
                assert_int_equal(s.layers[l].num_parameters, numel(&ts[t]));
                double m = metric_of(&ts[t], t);
                assert_true(s.layers[l].metric_value == m);
            }
    }
    char *json = NULL;
    assert_int_equal(tc_select_scores_to_json(&err, &json, &s), TC_OK);
    assert_non_null(strstr(json, "\"is_opt_model\": true"));
    free(json);
    tc_select_scores_free(&s);
    remove_model(dir);
}

static void test_gpt2_conv1d(void **state)
{
    (void)state;
    tensor_spec ts[16];
    size_t n = 0;
    n = add(ts, n, "wte.weight", 40, 8);
    for (int b = 0; b < 3; b++) {
        char name[96];
        snprintf(name, sizeof name, "h.%d.attn.c_attn.weight", b);
        n = add(ts, n, name, 8, 24);  /* Conv1D [in, out], fused QKV */
        snprintf(name, sizeof name, "h.%d.attn.c_proj.weight", b);
        n = add(ts, n, name, 8, 8);
        snprintf(name, sizeof name, "h.%d.mlp.c_fc.weight", b);
        n = add(ts, n, name, 8, 32);
        snprintf(name, sizeof name, "h.%d.mlp.c_proj.weight", b);
        n = add(ts, n, name, 32, 8);
    }
    write_model(dir, "{\"model_type\": \"gpt2\", \"n_layer\": 3}", ts, n);
    tc_select_scores s;
    tc_select_options o;
    tc_select_options_default(&o);
    tc_error err = {0};
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_OK);
    assert_int_equal(s.num_layers, 12);
    assert_string_equal(s.layers[0].name, "0.attn.c_attn");
    assert_true(s.layers[0].shape[0] == 8 && s.layers[0].shape[1] == 24);
    assert_int_equal(s.layers[0].num_parameters, 192);
    assert_string_equal(s.layers[11].name, "2.mlp.c_proj");
    assert_true(s.layers[0].metric_value == metric_of(&ts[1], 1));
    assert_int_equal(s.blocks[1].total_parameters, 192 + 64 + 256 + 256);
    tc_select_scores_free(&s);
    remove_model(dir);
}

static void test_refused(void **state)
{
    (void)state;
    tc_select_scores s;
    tc_select_options o;
    tc_select_options_default(&o);
    tc_error err = {0};
    tensor_spec ts[16];
    size_t n = 0;
    static const char *paths[7] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                   "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj",
                                   "mlp.down_proj"};
    for (int j = 0; j < 7; j++) {
        char name[96];
        snprintf(name, sizeof name, "model.layers.0.%s.weight", paths[j]);
        n = add(ts, n, name, j == 6 ? 8 : 16, j == 6 ? 16 : 8);
    }
    /* Two blocks announced, one present: the missing matrix is named. */
    write_model(dir, "{\"model_type\": \"llama\", \"num_hidden_layers\": 2}", ts, n);
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "model.layers.1.self_attn.q_proj.weight"));
    remove_model(dir);
    write_model(dir, "{\"model_type\": \"mamba\", \"num_hidden_layers\": 1}", ts, n);
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "mamba"));
    assert_non_null(strstr(err.msg, "qwen3"));   /* the table's types, engine or not */
    assert_non_null(strstr(err.msg, "opt"));
    remove_model(dir);
    /* The block count comes from the field the architecture table names. */
    write_model(dir, "{\"model_type\": \"gpt2\", \"num_hidden_layers\": 1}", ts, n);
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "\"n_layer\""));
    remove_model(dir);
    write_model(dir, "{\"num_hidden_layers\": 1}", ts, n);
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "config.json"));
    remove_model(dir);
    /* A 1-D "matrix". */
    n = add(ts, 6, "model.layers.0.mlp.down_proj.weight", 16, 0);
    write_model(dir, "{\"model_type\": \"qwen2\", \"num_hidden_layers\": 1}", ts, n);
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_EFORMAT);
    assert_non_null(strstr(err.msg, "2-D"));
    remove_model(dir);
    assert_int_equal(tc_select_scores_from_model(&err, &s, dir, &o), TC_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_opt_order, setup),
        cmocka_unit_test_setup(test_gpt2_conv1d, setup),
        cmocka_unit_test_setup(test_refused, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
