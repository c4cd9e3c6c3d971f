/* What the server loads once at start: the model (its shape and
 * tokenizer), the SRS for the server's grid shape (or a seeded one with
 * --allow-test-srs), the verification key, the bearer token; and what a
 * crash may have left in the runs folder (staging folders) is removed. */
#include "service/server_internal.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/engine.h"
#include "protocol/textio.h"
#include "tokenizer/tokenizer.h"
#include "tensor/layout.h"

void tc_serve_opts_default(tc_serve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:8080";
    o->runs_dir = "runs";
    o->queue_max = 8;
    o->max_body = 1 << 20;
    o->timeout_s = 60;
    o->n_threads = 1;
}

/* Removes the hidden staging folders a killed run leaves (run.c) and the
 * exchange files of a respond cut short. */
static void remove_staging(const char *runs)
{
    DIR *d = opendir(runs);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char dir[4096], file[4096 + 256];
        snprintf(dir, sizeof dir, "%s/%s", runs, e->d_name);
        if (!strncmp(e->d_name, ".challenge.", 11) || !strncmp(e->d_name, ".response.", 10))
            unlink(dir);      /* a respond's exchange files */
        if (e->d_name[0] != '.' || strstr(e->d_name, ".staging.") == NULL)
            continue;
        DIR *sd = opendir(dir);
        struct dirent *f;
        while (sd != NULL && (f = readdir(sd)) != NULL) {
            if (strcmp(f->d_name, ".") && strcmp(f->d_name, "..")) {
                snprintf(file, sizeof file, "%s/%s", dir, f->d_name);
                unlink(file);
            }
        }
        if (sd != NULL)
            closedir(sd);
        if (rmdir(dir) == 0)
            fprintf(stderr, "tensorcommit serve: removed %s (a run that never finished)\n", dir);
    }
    closedir(d);
}

/* The SRS for shape: loaded from o->srs_path, or made from a fixed seed. */
static tc_status load_srs(tc_error *err, tc_service *s, const tc_pst_shape *shape)
{
    const tc_serve_opts *o = s->o;
    tc_status st;
    char want[128];
    tc_pst_shape_str(want, sizeof want, shape);
    if (o->srs_path == NULL) {
        static const uint8_t seed[] = "tensorcommit service test SRS";
        tc_pst_setup_opts so = {o->n_threads, false, NULL, NULL};
        fprintf(stderr, "tensorcommit serve: making a SEEDED SRS of shape %s (testing only: "
                        "anyone can forge its proofs)\n", want);
        st = tc_pst_setup_seeded(err, &s->srs, shape, seed, sizeof seed - 1, &so);
        uint8_t *buf = NULL;
        size_t len;
        if (st == TC_OK)            /* encoding sets the id: the file's digest */
            st = tc_pst_srs_encode(err, &buf, &len, &s->srs);
        free(buf);
    } else {
        st = tc_pst_srs_load(err, &s->srs, o->srs_path, o->n_threads);
        if (st == TC_OK && !tc_pst_shape_eq(&s->srs.shape, shape)) {
            char have[128];
            tc_pst_shape_str(have, sizeof have, &s->srs.shape);
            return tc_fail(err, TC_EFORMAT, "%s: the SRS is for shape %s; this model at "
                           "--max-context %zu needs %s (tensorcommit setup --shape %s)",
                           o->srs_path, have, o->max_context, want, want);
        }
    }
    if (st != TC_OK)
        return st;
    s->srs_testing = tc_pst_origin_is_testing(s->srs.origin);
    s->srs_origin = tc_pst_origin_name(s->srs.origin);
    tc_hex_encode(s->srs_id, s->srs.id, 32);
    if (s->srs_testing && !o->allow_test_srs)
        return tc_fail(err, TC_EARG, "%s: the SRS's origin is %s (testing only: whoever knows "
                       "its trapdoors can forge proofs); pass --allow-test-srs to serve it anyway",
                       o->srs_path, s->srs_origin);
    return TC_OK;
}

static tc_status load_model(tc_error *err, tc_service *s)
{
    const tc_serve_opts *o = s->o;
    tc_status st = tc_model_load(err, &s->model, o->model_dir);
    if (st == TC_OK)
        st = tc_engine_tokenizer(err, &s->tok, o->model_dir);
    if (st != TC_OK)
        return st;
    if (s->tok == NULL)
        return tc_fail(err, TC_EFORMAT, "%s: no tokenizer.json: the service reads prompts as text",
                       o->model_dir);
    const tc_model_config *cfg = tc_model_cfg(s->model);
    s->n_layers = (size_t)cfg->n_layers + 1;
    s->hidden = (size_t)cfg->dim;
    snprintf(s->model_type, sizeof s->model_type, "%s", cfg->model_type);
    if (cfg->max_pos > 0 && o->max_context > (size_t)cfg->max_pos)
        return tc_fail(err, TC_EARG, "--max-context %zu exceeds the model's context of %d tokens",
                       o->max_context, cfg->max_pos);
    return TC_OK;
}

tc_status tc_svc_setup(tc_error *err, tc_service *s, const tc_serve_opts *o)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    tc_status st = TC_OK;
    if (o->srs_path == NULL && !o->allow_test_srs) {
        st = tc_fail(err, TC_EARG, "--srs is required (only --allow-test-srs makes a seeded one)");
        goto fail;
    }
    if (o->token_file != NULL)
        st = tc_token_file_read(err, s->token, o->token_file);
    if (st != TC_OK)
        goto fail;
    st = load_model(err, s);
    if (st != TC_OK)
        goto fail;
    tc_layout lay;
    st = tc_layout_structured_cap(err, &lay, s->n_layers, 1, s->hidden, o->max_context);
    if (st != TC_OK)
        goto fail;
    tc_pst_shape shape = {.m = lay.m};
    for (int i = 0; i < lay.m; i++)
        shape.n[i] = lay.shape[i];
    uint32_t prefix[TC_PST_MAX_VARS];
    s->slice_level = tc_layout_layer_prefix(&lay, 0, prefix);
    st = load_srs(err, s, &shape);
    if (st == TC_OK)
        st = tc_pst_vk_encode(err, &s->vk_json, &s->srs, &s->slice_level, 1);
    if (st != TC_OK)
        goto fail;
    if (mkdir(o->runs_dir, 0755) != 0 && errno != EEXIST) {
        st = tc_fail(err, TC_EIO, "%s: cannot create the runs folder: %s", o->runs_dir,
                     strerror(errno));
        goto fail;
    }
    remove_staging(o->runs_dir);
    fprintf(stderr, "tensorcommit serve: model %s (%s, %zu hidden states × %zu), SRS %.16s… "
                    "(origin %s%s), max context %zu, runs in %s%s\n",
            o->model_dir, s->model_type, s->n_layers, s->hidden, s->srs_id, s->srs_origin,
            s->srs_testing ? ", TESTING ONLY" : "", o->max_context, o->runs_dir,
            s->token[0] ? ", bearer token required" : "");
    return TC_OK;
fail:
    tc_svc_teardown(s);
    return st;
}

void tc_svc_teardown(tc_service *s)
{
    free(s->vk_json);
    s->vk_json = NULL;
    tc_pst_srs_free(&s->srs);
    tc_tok_free(s->tok);
    tc_model_free(s->model);
    s->tok = NULL;
    s->model = NULL;
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}
