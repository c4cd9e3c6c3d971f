/*
 * Grid layouts: where each (layer, token, hidden) integer sits in the
 * committed grid (docs/design.md §3.4).
 *
 * structured (the default): the logical tensor [L][T][H] is zero-padded to
 *   [Lp][Tp][Hp], and each padded axis is split into its own variables with
 *   sizes in 2..16 (Lp, Tp, Hp are the smallest sizes ≥ L, T, H whose prime
 *   factors are ≤ 13, split into as few factors as possible, the most
 *   balanced split on a tie, largest factor first).  Because the grid is C
 *   order, grid index = (l·Tp + t)·Hp + h, a layer is the slice that fixes
 *   the layer variables, and a (layer, token) vector the slice that fixes
 *   the layer and token variables.
 * flat (the research code's layout): the L·T·H values flattened in order,
 *   padded to d^k with the least padding for d in [min_dim, max_dim] (a tie
 *   goes to the smaller d), or with a forced k; padding values are copies of
 *   real values chosen by a seeded generator.
 *
 * Mappings, both ways: grid coordinates ↔ grid index ↔ (layer, token, hidden).
 */
#ifndef TC_TENSOR_LAYOUT_H
#define TC_TENSOR_LAYOUT_H

#include "util/util.h"

#define TC_LAYOUT_MAX_VARS 24
#define TC_LAYOUT_MAX_DIM 16
/* Default d range of the flat layout.  The research code's documented
 * examples fix it: 60 values → 4^3 (a tie with 8^2, so 2 is excluded and 8
 * included) and 2,408,448 → 4^11 (so 12, whose 12^6 pads less, is excluded);
 * 9 is the largest base its README names. */
#define TC_LAYOUT_FLAT_MIN_DIM 3
#define TC_LAYOUT_FLAT_MAX_DIM 9

typedef enum tc_layout_kind { TC_LAYOUT_STRUCTURED, TC_LAYOUT_FLAT } tc_layout_kind;

typedef struct tc_layout {
    tc_layout_kind kind;
    size_t n_layers, n_tokens, hidden;       /* the logical tensor [L][T][H] */
    int m;                                   /* number of grid variables */
    uint32_t shape[TC_LAYOUT_MAX_VARS];      /* grid shape n_0..n_{m−1} */
    size_t grid_size;                        /* Π shape */
    /* structured */
    size_t padded[3];                        /* Lp, Tp, Hp */
    size_t token_capacity;                   /* 0, or the T ≥ n_tokens that Tp pads */
    int axis_vars[3];                        /* variables of each axis, in order */
    /* flat */
    uint32_t flat_d;                         /* base d (grid is d^k) */
    uint64_t pad_seed;                       /* seed of the padding sampler */
} tc_layout;

/* The structured layout for [L][T][H] (each ≥ 1). */
tc_status tc_layout_structured(tc_error *err, tc_layout *lay, size_t n_layers,
                               size_t n_tokens, size_t hidden) TC_MUST_CHECK;
/* The structured layout with the token axis padded as for token_capacity
 * tokens (≥ n_tokens; 0 is tc_layout_structured): every run of up to that
 * many tokens then has one grid shape, so one SRS serves them all.  The
 * extra token rows are zero padding like the rest. */
tc_status tc_layout_structured_cap(tc_error *err, tc_layout *lay, size_t n_layers,
                                   size_t n_tokens, size_t hidden,
                                   size_t token_capacity) TC_MUST_CHECK;
/* The flat layout: d in [min_dim, max_dim] (2 ≤ min ≤ max ≤ 16) with the
 * least padding, or force_k > 0 to fix the exponent (then the smallest d in
 * range with d^k ≥ N). */
tc_status tc_layout_flat(tc_error *err, tc_layout *lay, size_t n_layers, size_t n_tokens,
                         size_t hidden, uint32_t min_dim, uint32_t max_dim, int force_k,
                         uint64_t pad_seed) TC_MUST_CHECK;

/* The least-padding flat shape rule alone: returns d and k for N values. */
bool tc_layout_flat_shape(size_t n_values, uint32_t min_dim, uint32_t max_dim, int force_k,
                          uint32_t *d, int *k);
/* The smallest size ≥ n that splits into factors in 2..16, and the split
 * (largest first).  Returns the number of factors (0 for n = 1). */
int tc_layout_axis_split(size_t n, size_t *padded, uint32_t factors[TC_LAYOUT_MAX_VARS]);

/* grid index ↔ coordinates (C order). */
void tc_layout_index_to_coords(const tc_layout *lay, uint32_t *coords, size_t index);
size_t tc_layout_coords_to_index(const tc_layout *lay, const uint32_t *coords);
/* (layer, token, hidden) → grid index. */
size_t tc_layout_ltoh_to_index(const tc_layout *lay, size_t layer, size_t token, size_t h);
/* grid index → (layer, token, hidden); false for a padding position. */
bool tc_layout_index_to_ltoh(const tc_layout *lay, size_t index, size_t *layer,
                             size_t *token, size_t *h);

/* Fills grid (grid_size) from values (L·T·H, C order [L][T][H]). */
tc_status tc_layout_fill(tc_error *err, const tc_layout *lay, int64_t *grid,
                         const int64_t *values) TC_MUST_CHECK;

/* Number of leading variables that fix a layer / a (layer, token) pair in
 * the structured layout, and the prefix coordinates for them. */
int tc_layout_layer_prefix(const tc_layout *lay, size_t layer, uint32_t *coords);
int tc_layout_token_prefix(const tc_layout *lay, size_t layer, size_t token, uint32_t *coords);

/* layout.json: the layout's parameters and derived shape (docs/formats.md).
 * Reading re-derives the layout from its parameters and rejects a file whose
 * recorded shape disagrees. */
tc_status tc_layout_to_json(tc_error *err, const tc_layout *lay, char **json) TC_MUST_CHECK;
/* The same as a JSON object (jansson json_t *, new reference) for embedding
 * in receipts and comparing with them. */
void *tc_layout_to_json_object(const tc_layout *lay);
tc_status tc_layout_write(tc_error *err, const tc_layout *lay, const char *path) TC_MUST_CHECK;
tc_status tc_layout_read(tc_error *err, tc_layout *lay, const char *path) TC_MUST_CHECK;
/* Its text (malloc'd, ending in a newline); data_file, when not NULL, is
 * recorded as "data_file". */
tc_status tc_layout_encode(tc_error *err, const tc_layout *lay, const char *data_file,
                           char **text) TC_MUST_CHECK;

/* Meta files (layout.json, quantization.json written beside a data file by
 * `layout` and `quantize`) record the data file they describe as
 * "data_file": its name when both are in one folder, else its absolute path.
 * tc_meta_data_name gives that entry (malloc'd; NULL when out of memory).
 * tc_meta_check_owner fails when meta_path is an existing regular file that
 * records another data file, or none, so a meta of one file is never
 * silently replaced by that of another (the CLI's --force skips the check). */
char *tc_meta_data_name(const char *meta_path, const char *data_path);
tc_status tc_meta_check_owner(tc_error *err, const char *meta_path,
                              const char *data_path) TC_MUST_CHECK;

#endif
