/* libFuzzer target: layout.json (tc_layout_read, which takes a path: the
 * input goes to a scratch file).  Any input must load or be refused with a
 * message.  A loaded layout must be consistent (grid size = product of the
 * shape, room for L*T*H values) and survive write -> read unchanged. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tensor/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const tc_layout *a, const tc_layout *b)
{
    FUZZ_CHECK(a->kind == b->kind && a->n_layers == b->n_layers && a->n_tokens == b->n_tokens &&
               a->hidden == b->hidden && a->m == b->m && a->grid_size == b->grid_size);
    FUZZ_CHECK(memcmp(a->shape, b->shape, sizeof a->shape[0] * (size_t)a->m) == 0);
    if (a->kind == TC_LAYOUT_STRUCTURED) {
        FUZZ_CHECK(memcmp(a->padded, b->padded, sizeof a->padded) == 0);
        FUZZ_CHECK(memcmp(a->axis_vars, b->axis_vars, sizeof a->axis_vars) == 0);
    } else {
        FUZZ_CHECK(a->flat_d == b->flat_d && a->pad_seed == b->pad_seed);
    }
}

/* A flat layout's pad_seed is the decimal string written in the file, read
 * exactly (no sign, blanks, or clamping of a value above 2^64 - 1). */
static void check_seed_text(const tc_layout *lay, const uint8_t *data, size_t size)
{
    if (lay->kind != TC_LAYOUT_FLAT)
        return;
    json_t *o = json_loadb((const char *)data, size, 0, NULL);
    FUZZ_CHECK(o != NULL);
    const char *text = json_string_value(json_object_get(o, "pad_seed"));
    char canon[32];
    snprintf(canon, sizeof canon, "%llu", (unsigned long long)lay->pad_seed);
    FUZZ_CHECK(text != NULL && strcmp(text, canon) == 0);
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("layout.json", data, size);
    tc_error err = {0};
    tc_layout lay, again;
    if (tc_layout_read(&err, &lay, path) != TC_OK) {
        FUZZ_CHECK(err.msg[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(lay.m >= 0 && lay.m <= TC_LAYOUT_MAX_VARS);
    size_t grid = 1, values = 0;
    for (int i = 0; i < lay.m; i++) {
        FUZZ_CHECK(lay.shape[i] >= 1 && lay.shape[i] <= TC_LAYOUT_MAX_DIM);
        FUZZ_CHECK(!__builtin_mul_overflow(grid, (size_t)lay.shape[i], &grid));
    }
    FUZZ_CHECK(grid == lay.grid_size);
    FUZZ_CHECK(!__builtin_mul_overflow(lay.n_layers, lay.n_tokens, &values) &&
               !__builtin_mul_overflow(values, lay.hidden, &values) && values <= grid);
    /* The last logical value maps into the grid and back. */
    if (values > 0) {
        size_t l, t, h;
        size_t idx = tc_layout_ltoh_to_index(&lay, lay.n_layers - 1, lay.n_tokens - 1,
                                             lay.hidden - 1);
        FUZZ_CHECK(idx < grid);
        FUZZ_CHECK(tc_layout_index_to_ltoh(&lay, idx, &l, &t, &h));
        FUZZ_CHECK(l == lay.n_layers - 1 && t == lay.n_tokens - 1 && h == lay.hidden - 1);
    }
    check_seed_text(&lay, data, size);
    char *json = NULL;
    FUZZ_CHECK(tc_layout_to_json(&err, &lay, &json) == TC_OK);
    path = fuzz_write_file("layout.json", (const uint8_t *)json, strlen(json));
    free(json);
    FUZZ_CHECK(tc_layout_read(&err, &again, path) == TC_OK);
    check_same(&lay, &again);
    return 0;
}
