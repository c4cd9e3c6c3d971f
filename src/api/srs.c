/* The public API: scalars, commitments, the SRS and the verification key
 * (include/tensorcommit.h) over src/pst. */
#include "api/api_internal.h"

#include "ec/encoding.h"

#include <stdlib.h>
#include <string.h>

void tc_free(void *p)
{
    free(p);
}

/* ----------------------------------------------------------- shared */

tc_status tc_api_shape(tc_error *err, tc_pst_shape *s, const uint32_t *dims, int ndim,
                       const char *fn)
{
    memset(s, 0, sizeof *s);
    TC_API_NONNULL(err, dims, "dims");
    if (ndim < 1 || ndim > TC_PST_MAX_VARS)
        return tc_fail(err, TC_EARG, "%s: ndim %d outside 1..%d", fn, ndim, TC_PST_MAX_VARS);
    s->m = ndim;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 1 || dims[i] > TC_PST_MAX_N)
            return tc_fail(err, TC_EARG, "%s: dims[%d] = %u outside 1..%d", fn, i, dims[i],
                           TC_PST_MAX_N);
        s->n[i] = dims[i];
    }
    tc_error why = {0};
    if (tc_pst_shape_check(&why, s) != TC_OK)
        return tc_fail(err, TC_EARG, "%s: %s", fn, why.msg);
    return TC_OK;
}

tc_status tc_api_grid_check(tc_error *err, const tc_pst_shape *want, const int64_t *grid,
                            const uint32_t *dims, int ndim, const char *fn)
{
    tc_pst_shape got;
    if (grid == NULL)
        return tc_fail(err, TC_EARG, "%s: grid is NULL", fn);
    tc_status st = tc_api_shape(err, &got, dims, ndim, fn);
    if (st != TC_OK)
        return st;
    if (!tc_pst_shape_eq(&got, want)) {
        char a[128], b[128];
        tc_pst_shape_str(a, sizeof a, &got);
        tc_pst_shape_str(b, sizeof b, want);
        return tc_fail(err, TC_EARG, "%s: grid shape %s is not the key's shape %s", fn, a, b);
    }
    return TC_OK;
}

tc_status tc_api_fr(tc_error *err, tc_fr *out, const tc_scalar *a, const char *what)
{
    if (!tc_fr_from_bytes(out, a->bytes))
        return tc_fail(err, TC_EFORMAT, "%s is not a canonical scalar (>= r)", what);
    return TC_OK;
}

void tc_api_scalar(tc_scalar *out, const tc_fr *a)
{
    tc_fr_to_bytes(out->bytes, a);
}

/* ---------------------------------------------------------- scalars */

void tc_scalar_from_i64(tc_scalar *out, int64_t v)
{
    tc_fr f;
    tc_fr_from_i64(&f, v);
    tc_api_scalar(out, &f);
}

tc_status tc_scalar_from_dec(tc_error *err, tc_scalar *out, const char *text)
{
    tc_fr f;
    TC_API_NONNULL(err, out, "out");
    TC_API_NONNULL(err, text, "text");
    if (!tc_fr_from_dec(&f, text))
        return tc_fail(err, TC_EFORMAT, "\"%.80s\" is not a decimal number below r", text);
    tc_api_scalar(out, &f);
    return TC_OK;
}

tc_status tc_scalar_to_dec(tc_error *err, char out[80], const tc_scalar *a)
{
    tc_fr f;
    TC_API_NONNULL(err, out, "out");
    TC_API_NONNULL(err, a, "a");
    tc_status st = tc_api_fr(err, &f, a, "the scalar");
    if (st == TC_OK)
        tc_fr_to_dec(out, &f);
    return st;
}

/* ------------------------------------------------------- commitments */

void tc_commitment_to_hex(char hex[65], const tc_commitment *c)
{
    tc_hex_encode(hex, c->bytes, sizeof c->bytes);
}

tc_status tc_commitment_from_hex(tc_error *err, tc_commitment *c, const char *hex)
{
    char why[160];
    tc_g1_affine p;
    TC_API_NONNULL(err, c, "c");
    TC_API_NONNULL(err, hex, "hex");
    if (!tc_pst_point_from_hex(&p, hex, why))
        return tc_fail(err, TC_EFORMAT, "commitment: %s", why);
    tc_g1_to_bytes(c->bytes, &p);
    return TC_OK;
}

/* -------------------------------------------------------------- SRS */

typedef enum setup_kind { SETUP_RANDOM, SETUP_SEEDED, SETUP_TRAPDOORS } setup_kind;

static tc_status srs_setup(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim,
                           setup_kind kind, const void *arg, size_t arg_len, int n_threads)
{
    tc_pst_shape shape;
    tc_fr t[TC_PST_MAX_VARS];
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    tc_status st = tc_api_shape(err, &shape, dims, ndim, "tc_srs_setup");
    if (st != TC_OK)
        return st;
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "tc_srs_setup: n_threads %d < 1", n_threads);
    if (kind == SETUP_SEEDED && (arg == NULL || arg_len < 1 || arg_len > TC_PST_MAX_SEED))
        return tc_fail(err, TC_EARG, "tc_srs_setup_seeded: seed of %zu bytes (1..%d)", arg_len,
                       TC_PST_MAX_SEED);
    if (kind == SETUP_TRAPDOORS) {
        TC_API_NONNULL(err, arg, "t");
        for (int i = 0; i < ndim; i++)
            if (!tc_fr_from_bytes(&t[i], ((const tc_scalar *)arg)[i].bytes))
                return tc_fail(err, TC_EARG, "tc_srs_setup_trapdoors: t[%d] is not canonical", i);
    }
    tc_srs *srs = calloc(1, sizeof *srs);
    if (srs == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    tc_pst_setup_opts opts = {.n_threads = n_threads};
    if (kind == SETUP_RANDOM)
        st = tc_pst_setup_random(err, &srs->s, &shape, &opts);
    else if (kind == SETUP_SEEDED)
        st = tc_pst_setup_seeded(err, &srs->s, &shape, arg, arg_len, &opts);
    else
        st = tc_pst_setup(err, &srs->s, &shape, t, TC_PST_ORIGIN_EXPLICIT, &opts);
    memset(t, 0, sizeof t);
    /* the id is the digest of the file's content: encode once to set it */
    uint8_t *buf = NULL;
    size_t len = 0;
    if (st == TC_OK)
        st = tc_pst_srs_encode(err, &buf, &len, &srs->s);
    free(buf);
    if (st != TC_OK) {
        tc_srs_free(srs);
        return st;
    }
    *out = srs;
    return TC_OK;
}

tc_status tc_srs_setup(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim, int n_threads)
{
    return srs_setup(err, out, dims, ndim, SETUP_RANDOM, NULL, 0, n_threads);
}

tc_status tc_srs_setup_seeded(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim,
                              const uint8_t *seed, size_t seed_len, int n_threads)
{
    return srs_setup(err, out, dims, ndim, SETUP_SEEDED, seed, seed_len, n_threads);
}

tc_status tc_srs_setup_trapdoors(tc_error *err, tc_srs **out, const uint32_t *dims, int ndim,
                                 const tc_scalar *t, int n_threads)
{
    return srs_setup(err, out, dims, ndim, SETUP_TRAPDOORS, t, 0, n_threads);
}

tc_status tc_srs_load(tc_error *err, tc_srs **out, const char *path, int n_threads)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, path, "path");
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "tc_srs_load: n_threads %d < 1", n_threads);
    tc_srs *srs = calloc(1, sizeof *srs);
    if (srs == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    tc_status st = tc_pst_srs_load(err, &srs->s, path, n_threads);
    if (st != TC_OK) {
        tc_srs_free(srs);
        return st;
    }
    *out = srs;
    return TC_OK;
}

tc_status tc_srs_save(tc_error *err, const tc_srs *srs, const char *path)
{
    TC_API_NONNULL(err, srs, "srs");
    TC_API_NONNULL(err, path, "path");
    /* encoding recomputes the id, which it finds equal: the handle stays as is */
    tc_pst_srs copy = srs->s;
    return tc_pst_srs_write(err, path, &copy);
}

void tc_srs_id(uint8_t id[32], const tc_srs *srs)
{
    memcpy(id, srs->s.id, 32);
}

void tc_srs_id_hex(char hex[65], const tc_srs *srs)
{
    tc_hex_encode(hex, srs->s.id, 32);
}

int tc_srs_shape(uint32_t dims[TC_MAX_DIMS], const tc_srs *srs)
{
    for (int i = 0; i < TC_MAX_DIMS; i++)
        dims[i] = i < srs->s.shape.m ? srs->s.shape.n[i] : 0;
    return srs->s.shape.m;
}

bool tc_srs_is_testing(const tc_srs *srs)
{
    return tc_pst_origin_is_testing(srs->s.origin);
}

tc_status tc_srs_check_var(tc_error *err, bool *ok, const tc_srs *srs, int n_threads)
{
    TC_API_NONNULL(err, ok, "ok");
    *ok = false;
    TC_API_NONNULL(err, srs, "srs");
    if (n_threads < 1)
        return tc_fail(err, TC_EARG, "tc_srs_check_var: n_threads %d < 1", n_threads);
    return tc_pst_srs_check(err, ok, &srs->s, n_threads);
}

void tc_srs_free(tc_srs *srs)
{
    if (srs == NULL)
        return;
    tc_pst_srs_free(&srs->s);
    free(srs);
}
