/* Grid layouts (see layout.h). */
#include "tensor/layout.h"

#include <string.h>

#include "util/verify.h"

/* ------------------------------------------------------ axis factorisation */

typedef struct split_search {
    uint32_t cur[TC_LAYOUT_MAX_VARS], best[TC_LAYOUT_MAX_VARS];
    int best_n;          /* −1: none found */
    uint32_t best_max;
} split_search;

/* Is (a, n) preferred over (best, best_n)?  Fewer factors, then a smaller
 * largest factor, then lexicographically larger (both sorted descending). */
static bool split_better(const split_search *s, int n)
{
    if (s->best_n < 0 || n != s->best_n)
        return s->best_n < 0 || n < s->best_n;
    if (s->cur[0] != s->best_max)
        return s->cur[0] < s->best_max;
    for (int i = 0; i < n; i++)
        if (s->cur[i] != s->best[i])
            return s->cur[i] > s->best[i];
    return false;
}

/* Enumerates non-increasing factor sequences of `rest` with parts ≤ limit. */
static void split_dfs(split_search *s, size_t rest, uint32_t limit, int depth)
{
    if (rest == 1) {
        if (split_better(s, depth)) {
            memcpy(s->best, s->cur, sizeof s->cur);
            s->best_n = depth;
            s->best_max = depth ? s->cur[0] : 0;
        }
        return;
    }
    if (depth == TC_LAYOUT_MAX_VARS || (s->best_n >= 0 && depth >= s->best_n))
        return;
    for (uint32_t f = limit; f >= 2; f--) {
        if (rest % f == 0) {
            s->cur[depth] = f;
            split_dfs(s, rest / f, f, depth + 1);
        }
    }
}

static bool is_13_smooth(size_t n)
{
    static const unsigned primes[] = {2, 3, 5, 7, 11, 13};
    for (size_t i = 0; i < TC_ARRAY_LEN(primes); i++)
        while (n % primes[i] == 0)
            n /= primes[i];
    return n == 1;
}

int tc_layout_axis_split(size_t n, size_t *padded, uint32_t factors[TC_LAYOUT_MAX_VARS])
{
    size_t p = n == 0 ? 1 : n;
    while (!is_13_smooth(p))
        p++;
    split_search s;
    memset(&s, 0, sizeof s);
    s.best_n = -1;
    split_dfs(&s, p, TC_LAYOUT_MAX_DIM, 0);
    *padded = p;
    if (s.best_n > 0)
        memcpy(factors, s.best, (size_t)s.best_n * sizeof factors[0]);
    return s.best_n;
}

/* ---------------------------------------------------------------- layouts */

static tc_status check_dims(tc_error *err, size_t l, size_t t, size_t h, size_t *total)
{
    size_t lt;
    if (l == 0 || t == 0 || h == 0)
        return tc_fail(err, TC_EARG, "layout: empty tensor (%zu layers, %zu tokens, %zu hidden)",
                       l, t, h);
    if (!tc_mul_size(&lt, l, t) || !tc_mul_size(total, lt, h) || *total > ((size_t)1 << 40))
        return tc_fail(err, TC_EARG, "layout: tensor of %zu×%zu×%zu values is too large", l, t, h);
    return TC_OK;
}

tc_status tc_layout_structured(tc_error *err, tc_layout *lay, size_t n_layers,
                               size_t n_tokens, size_t hidden)
{
    return tc_layout_structured_cap(err, lay, n_layers, n_tokens, hidden, 0);
}

tc_status tc_layout_structured_cap(tc_error *err, tc_layout *lay, size_t n_layers,
                                   size_t n_tokens, size_t hidden, size_t token_capacity)
{
    size_t total;
    if (token_capacity != 0 && token_capacity < n_tokens)
        return tc_fail(err, TC_EARG, "layout: %zu tokens exceed the token capacity %zu", n_tokens,
                       token_capacity);
    size_t t_axis = token_capacity != 0 ? token_capacity : n_tokens;
    tc_status st = check_dims(err, n_layers, t_axis, hidden, &total);
    if (st != TC_OK)
        return st;
    memset(lay, 0, sizeof *lay);
    lay->kind = TC_LAYOUT_STRUCTURED;
    lay->n_layers = n_layers;
    lay->n_tokens = n_tokens;
    lay->hidden = hidden;
    lay->token_capacity = token_capacity;
    const size_t dims[3] = {n_layers, t_axis, hidden};
    lay->grid_size = 1;
    for (int a = 0; a < 3; a++) {
        uint32_t f[TC_LAYOUT_MAX_VARS];
        int nf = tc_layout_axis_split(dims[a], &lay->padded[a], f);
        if (nf < 0 || lay->m + nf > TC_LAYOUT_MAX_VARS)
            return tc_fail(err, TC_EARG, "layout: %zu×%zu×%zu needs more than %d variables",
                           n_layers, n_tokens, hidden, TC_LAYOUT_MAX_VARS);
        memcpy(lay->shape + lay->m, f, (size_t)nf * sizeof f[0]);
        lay->axis_vars[a] = nf;
        lay->m += nf;
        lay->grid_size *= lay->padded[a];
    }
    return TC_OK;
}

bool tc_layout_flat_shape(size_t n_values, uint32_t min_dim, uint32_t max_dim, int force_k,
                          uint32_t *d_out, int *k_out)
{
    bool found = false;
    size_t best_pad = 0;
    if (n_values == 0 || min_dim < 2 || max_dim > TC_LAYOUT_MAX_DIM || min_dim > max_dim)
        return false;
    for (uint32_t d = min_dim; d <= max_dim; d++) {
        size_t size = 1;
        int k = 0;
        bool ok = true;
        if (force_k > 0) {
            for (; k < force_k && ok; k++)
                ok = tc_mul_size(&size, size, d);
            ok = ok && size >= n_values;
        } else {
            while (ok && (size < n_values || k == 0)) {
                ok = tc_mul_size(&size, size, d);
                k++;
            }
        }
        if (!ok || k > TC_LAYOUT_MAX_VARS)
            continue;
        size_t pad = size - n_values;
        if (!found || pad < best_pad) {   /* strict: a tie keeps the smaller d */
            found = true;
            best_pad = pad;
            *d_out = d;
            *k_out = k;
        }
    }
    return found;
}

tc_status tc_layout_flat(tc_error *err, tc_layout *lay, size_t n_layers, size_t n_tokens,
                         size_t hidden, uint32_t min_dim, uint32_t max_dim, int force_k,
                         uint64_t pad_seed)
{
    size_t total;
    tc_status st = check_dims(err, n_layers, n_tokens, hidden, &total);
    if (st != TC_OK)
        return st;
    uint32_t d;
    int k;
    if (!tc_layout_flat_shape(total, min_dim, max_dim, force_k, &d, &k))
        return tc_fail(err, TC_EARG,
                       "layout: no flat shape d^k ≥ %zu with d in [%u, %u]%s and at most %d variables",
                       total, min_dim, max_dim, force_k > 0 ? " and the forced k" : "",
                       TC_LAYOUT_MAX_VARS);
    memset(lay, 0, sizeof *lay);
    lay->kind = TC_LAYOUT_FLAT;
    lay->n_layers = n_layers;
    lay->n_tokens = n_tokens;
    lay->hidden = hidden;
    lay->m = k;
    lay->grid_size = 1;
    for (int i = 0; i < k; i++) {
        lay->shape[i] = d;
        lay->grid_size *= d;
    }
    lay->flat_d = d;
    lay->pad_seed = pad_seed;
    return TC_OK;
}

/* --------------------------------------------------------------- mappings */

void tc_layout_index_to_coords(const tc_layout *lay, uint32_t *coords, size_t index)
{
    TC_VERIFY_CHECK(index < lay->grid_size);
    for (int i = lay->m - 1; i >= 0; i--) {
        coords[i] = (uint32_t)(index % lay->shape[i]);
        index /= lay->shape[i];
    }
}

size_t tc_layout_coords_to_index(const tc_layout *lay, const uint32_t *coords)
{
    size_t index = 0;
    for (int i = 0; i < lay->m; i++) {
        TC_VERIFY_CHECK(coords[i] < lay->shape[i]);
        index = index * lay->shape[i] + coords[i];
    }
    return index;
}

size_t tc_layout_ltoh_to_index(const tc_layout *lay, size_t layer, size_t token, size_t h)
{
    TC_VERIFY_CHECK(layer < lay->n_layers && token < lay->n_tokens && h < lay->hidden);
    if (lay->kind == TC_LAYOUT_FLAT)
        return (layer * lay->n_tokens + token) * lay->hidden + h;
    return (layer * lay->padded[1] + token) * lay->padded[2] + h;
}

bool tc_layout_index_to_ltoh(const tc_layout *lay, size_t index, size_t *layer,
                             size_t *token, size_t *h)
{
    size_t tp, hp;
    if (lay->kind == TC_LAYOUT_FLAT) {
        if (index >= lay->n_layers * lay->n_tokens * lay->hidden)
            return false;
        tp = lay->n_tokens;
        hp = lay->hidden;
    } else {
        tp = lay->padded[1];
        hp = lay->padded[2];
    }
    *h = index % hp;
    *token = (index / hp) % tp;
    *layer = index / hp / tp;
    return *layer < lay->n_layers && *token < lay->n_tokens && *h < lay->hidden;
}

tc_status tc_layout_fill(tc_error *err, const tc_layout *lay, int64_t *grid, const int64_t *values)
{
    size_t n = lay->n_layers * lay->n_tokens * lay->hidden;
    if (lay->kind == TC_LAYOUT_FLAT) {
        memcpy(grid, values, n * sizeof *grid);
        tc_prng g;
        tc_prng_seed(&g, lay->pad_seed);
        for (size_t i = n; i < lay->grid_size; i++)
            grid[i] = values[tc_prng_below(&g, n)];
        return TC_OK;
    }
    if (lay->grid_size < n)
        return tc_fail(err, TC_EINTERNAL, "layout: grid smaller than the tensor");
    memset(grid, 0, lay->grid_size * sizeof *grid);
    for (size_t l = 0; l < lay->n_layers; l++)
        for (size_t t = 0; t < lay->n_tokens; t++)
            memcpy(grid + tc_layout_ltoh_to_index(lay, l, t, 0),
                   values + (l * lay->n_tokens + t) * lay->hidden, lay->hidden * sizeof *grid);
    return TC_OK;
}

/* Writes the mixed-radix digits of v over shape[first..first+n) into coords. */
static void digits(const tc_layout *lay, uint32_t *coords, int first, int n, size_t v)
{
    for (int i = first + n - 1; i >= first; i--) {
        coords[i] = (uint32_t)(v % lay->shape[i]);
        v /= lay->shape[i];
    }
}

int tc_layout_layer_prefix(const tc_layout *lay, size_t layer, uint32_t *coords)
{
    if (lay->kind != TC_LAYOUT_STRUCTURED)
        return -1;
    digits(lay, coords, 0, lay->axis_vars[0], layer);
    return lay->axis_vars[0];
}

int tc_layout_token_prefix(const tc_layout *lay, size_t layer, size_t token, uint32_t *coords)
{
    if (lay->kind != TC_LAYOUT_STRUCTURED)
        return -1;
    int a = lay->axis_vars[0], b = lay->axis_vars[1];
    digits(lay, coords, 0, a, layer);
    digits(lay, coords, a, b, token);
    return a + b;
}
