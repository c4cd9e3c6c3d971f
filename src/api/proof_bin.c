/* The public API: the compact binary encoding of a proof (docs/api.md).
 *
 *   "TCPROOF1"                       magic and version (8 bytes)
 *   u8 m, u8 n[m]                    the shape
 *   commitment                       compressed G1 (32 bytes)
 *   u32 n_open, u32 n_slice          little-endian
 *   n_open × { z[m], y, pi[m] }      scalars 32 bytes little-endian < r,
 *                                    points compressed G1
 *   n_slice × { u8 j, z[j], values[Π_{i≥j} n_i], pi[j] }
 *
 * Nothing may follow.  Decoding checks every byte: a scalar ≥ r, a point
 * off the curve or not canonical, a length that does not add up. */
#include "api/api_internal.h"

#include "ec/encoding.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t proof_magic[8] = {'T', 'C', 'P', 'R', 'O', 'O', 'F', '1'};

/* The encoded size, or 0 when it does not fit a size_t. */
static size_t encoded_size(const tc_pst_proof_file *f)
{
    size_t m = (size_t)f->shape.m, total = 8 + 1 + m + 32 + 8, item;
    if (!tc_mul_size(&item, f->n_open, (2 * m + 1) * 32) || !tc_add_size(&total, total, item))
        return 0;
    for (size_t k = 0; k < f->n_slice; k++) {
        const tc_pst_slice *s = &f->slice[k];
        item = 1 + 64 * (size_t)s->j + 32 * s->count;
        if (!tc_add_size(&total, total, item))
            return 0;
    }
    return total;
}

static uint8_t *put_frs(uint8_t *q, const tc_fr *v, size_t n)
{
    for (size_t i = 0; i < n; i++, q += 32)
        tc_fr_to_bytes(q, &v[i]);
    return q;
}

static uint8_t *put_points(uint8_t *q, const tc_g1_affine *v, size_t n)
{
    for (size_t i = 0; i < n; i++, q += 32)
        tc_g1_to_bytes(q, &v[i]);
    return q;
}

static void put_u32(uint8_t *q, size_t v)
{
    for (int i = 0; i < 4; i++)
        q[i] = (uint8_t)(v >> (8 * i));
}

tc_status tc_proof_to_bytes(tc_error *err, uint8_t **buf, size_t *len, const tc_proof *p)
{
    TC_API_NONNULL(err, buf, "buf");
    *buf = NULL;
    TC_API_NONNULL(err, len, "len");
    *len = 0;
    TC_API_NONNULL(err, p, "p");
    tc_status st = tc_api_proof_faults(err, p);
    if (st != TC_OK)
        return st;
    const tc_pst_proof_file *f = &p->f;
    size_t m = (size_t)f->shape.m, total = encoded_size(f);
    if (f->n_open > UINT32_MAX || f->n_slice > UINT32_MAX || total == 0)
        return tc_fail(err, TC_EARG, "%s: the proof is too large to encode", __func__);
    uint8_t *out = malloc(total), *q = out;
    if (out == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory for a %zu-byte proof", total);
    memcpy(q, proof_magic, 8);
    q += 8;
    *q++ = (uint8_t)m;
    for (size_t i = 0; i < m; i++)
        *q++ = (uint8_t)f->shape.n[i];
    q = put_points(q, &f->commitment, 1);
    put_u32(q, f->n_open);
    put_u32(q + 4, f->n_slice);
    q += 8;
    for (size_t k = 0; k < f->n_open; k++) {
        q = put_frs(q, f->open[k].z, m);
        q = put_frs(q, &f->open[k].y, 1);
        q = put_points(q, f->open[k].pi, m);
    }
    for (size_t k = 0; k < f->n_slice; k++) {
        const tc_pst_slice *s = &f->slice[k];
        *q++ = (uint8_t)s->j;
        q = put_frs(q, s->z, (size_t)s->j);
        q = put_frs(q, s->values, s->count);
        q = put_points(q, s->pi, (size_t)s->j);
    }
    *buf = out;
    *len = total;
    return TC_OK;
}

/* --------------------------------------------------------------- decode */

typedef struct reader {
    const uint8_t *p;
    size_t left;
    tc_error *err;
} reader;

static tc_status take(reader *r, const uint8_t **at, size_t n, const char *what)
{
    if (r->left < n)
        return tc_fail(r->err, TC_EFORMAT, "binary proof: truncated in %s", what);
    *at = r->p;
    r->p += n;
    r->left -= n;
    return TC_OK;
}

static tc_status get_frs(reader *r, tc_fr *v, size_t n, const char *what)
{
    const uint8_t *at = NULL;
    for (size_t i = 0; i < n; i++) {
        tc_status st = take(r, &at, 32, what);
        if (st != TC_OK)
            return st;
        if (!tc_fr_from_bytes(&v[i], at))
            return tc_fail(r->err, TC_EFORMAT, "binary proof: %s: scalar %zu is not below r",
                           what, i);
    }
    return TC_OK;
}

static tc_status get_points(reader *r, tc_g1_affine *v, size_t n, const char *what)
{
    const uint8_t *at = NULL;
    for (size_t i = 0; i < n; i++) {
        tc_status st = take(r, &at, 32, what);
        if (st != TC_OK)
            return st;
        tc_point_fault fault = tc_g1_decode(&v[i], at);
        if (fault != TC_POINT_OK)
            return tc_fail(r->err, TC_EFORMAT, "binary proof: %s: point %zu: %s", what, i,
                           tc_point_fault_str(fault));
    }
    return TC_OK;
}

static uint32_t get_u32(const uint8_t *q)
{
    return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

/* Magic, shape, commitment and the item counts. */
static tc_status read_header(reader *r, tc_proof *p, size_t *n_open, size_t *n_slice)
{
    const uint8_t *at = NULL;
    tc_pst_proof_file *f = &p->f;
    tc_status st = take(r, &at, 9, "the header");
    if (st == TC_OK && memcmp(at, proof_magic, 8) != 0)
        st = tc_fail(r->err, TC_EFORMAT, "binary proof: bad magic");
    if (st != TC_OK)
        return st;
    f->shape.m = at[8];
    if (f->shape.m < 1 || f->shape.m > TC_PST_MAX_VARS)
        return tc_fail(r->err, TC_EFORMAT, "binary proof: %d axes (1..%d)", f->shape.m,
                       TC_PST_MAX_VARS);
    st = take(r, &at, (size_t)f->shape.m, "the shape");
    for (int i = 0; i < f->shape.m && st == TC_OK; i++)
        f->shape.n[i] = at[i];
    if (st == TC_OK && tc_pst_shape_check(r->err, &f->shape) != TC_OK)
        st = tc_fail(r->err, TC_EFORMAT, "binary proof: bad shape");
    if (st == TC_OK)
        st = get_points(r, &f->commitment, 1, "the commitment");
    if (st == TC_OK)
        st = take(r, &at, 8, "the counts");
    if (st != TC_OK)
        return st;
    tc_hex_encode(f->commitment_hex, at - 32, 32);
    *n_open = get_u32(at);
    *n_slice = get_u32(at + 4);
    /* every item takes at least 32 bytes: counts cannot outrun the input */
    if (*n_open > r->left / 32 || *n_slice > r->left / 32)
        return tc_fail(r->err, TC_EFORMAT, "binary proof: item counts exceed the input");
    return TC_OK;
}

static tc_status read_slice(reader *r, const tc_pst_shape *shape, tc_pst_slice *s)
{
    const uint8_t *at = NULL;
    tc_status st = take(r, &at, 1, "a slice");
    if (st != TC_OK)
        return st;
    s->j = at[0];
    if (s->j < 1 || s->j > shape->m)
        return tc_fail(r->err, TC_EFORMAT, "binary proof: slice level %d outside 1..%d", s->j,
                       shape->m);
    s->count = tc_pst_suffix_size(shape, s->j);
    if (s->count > r->left / 32)
        return tc_fail(r->err, TC_EFORMAT, "binary proof: truncated in a slice's values");
    s->values = malloc(s->count * sizeof *s->values);
    if (s->values == NULL)
        return tc_fail(r->err, TC_ENOMEM, "out of memory for %zu slice values", s->count);
    st = get_frs(r, s->z, (size_t)s->j, "a slice prefix");
    if (st == TC_OK)
        st = get_frs(r, s->values, s->count, "slice values");
    if (st == TC_OK)
        st = get_points(r, s->pi, (size_t)s->j, "a slice proof");
    return st;
}

/* The items after the header, into arrays allocated for them. */
static tc_status read_items(reader *r, tc_proof *p, size_t n_open, size_t n_slice)
{
    tc_pst_proof_file *f = &p->f;
    size_t m = (size_t)f->shape.m;
    f->open = calloc(n_open ? n_open : 1, sizeof *f->open);
    f->open_fault = calloc(n_open ? n_open : 1, sizeof *f->open_fault);
    f->slice = calloc(n_slice ? n_slice : 1, sizeof *f->slice);
    f->slice_fault = calloc(n_slice ? n_slice : 1, sizeof *f->slice_fault);
    if (!f->open || !f->open_fault || !f->slice || !f->slice_fault)
        return tc_fail(r->err, TC_ENOMEM, "out of memory for %zu items", n_open + n_slice);
    p->cap_open = n_open ? n_open : 1;
    p->cap_slice = n_slice ? n_slice : 1;
    tc_status st = TC_OK;
    for (size_t k = 0; k < n_open && st == TC_OK; k++, f->n_open++) {
        tc_pst_opening *o = &f->open[k];
        o->m = f->shape.m;
        st = get_frs(r, o->z, m, "an opening's point");
        if (st == TC_OK)
            st = get_frs(r, &o->y, 1, "an opening's value");
        if (st == TC_OK)
            st = get_points(r, o->pi, m, "an opening's proof");
    }
    for (size_t k = 0; k < n_slice && st == TC_OK; k++, f->n_slice++)
        st = read_slice(r, &f->shape, &f->slice[k]);
    if (st == TC_OK && r->left != 0)
        st = tc_fail(r->err, TC_EFORMAT, "binary proof: %zu bytes after the last item", r->left);
    return st;
}

tc_status tc_proof_from_bytes(tc_error *err, tc_proof **out, const uint8_t *buf, size_t len)
{
    TC_API_NONNULL(err, out, "out");
    *out = NULL;
    TC_API_NONNULL(err, buf, "buf");
    reader r = {buf, len, err};
    size_t n_open = 0, n_slice = 0;
    tc_proof *p = calloc(1, sizeof *p);
    if (p == NULL)
        return tc_fail(err, TC_ENOMEM, "out of memory");
    tc_status st = read_header(&r, p, &n_open, &n_slice);
    if (st == TC_OK)
        st = read_items(&r, p, n_open, n_slice);
    if (st != TC_OK) {
        tc_proof_free(p);
        return st;
    }
    *out = p;
    return TC_OK;
}
