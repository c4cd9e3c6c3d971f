/* Grid layouts: the flat shape rule, the structured axis split, and every
 * mapping both ways on random shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/testutil.h"
#include "tensor/layout.h"

static tc_prng rng;

static void test_flat_shape_rule(void **s)
{
    (void)s;
    uint32_t d;
    int k;
    /* 60 values: 4^3 = 64 ties with 8^2 = 64; the smaller d wins */
    assert_true(tc_layout_flat_shape(60, TC_LAYOUT_FLAT_MIN_DIM, TC_LAYOUT_FLAT_MAX_DIM, 0, &d, &k));
    assert_int_equal(d, 4);
    assert_int_equal(k, 3);
    /* 2,408,448 values: 4^11 = 4,194,304 has the least padding (9^7 =
     * 4,782,969 has more) */
    assert_true(tc_layout_flat_shape(2408448, TC_LAYOUT_FLAT_MIN_DIM, TC_LAYOUT_FLAT_MAX_DIM, 0, &d, &k));
    assert_int_equal(d, 4);
    assert_int_equal(k, 11);
    /* with d up to 16, 12^6 = 2,985,984 would pad less */
    assert_true(tc_layout_flat_shape(2408448, 3, 16, 0, &d, &k));
    assert_int_equal(d, 12);
    assert_int_equal(k, 6);
    /* the research example: 1,679,616 = 6^8 exactly */
    assert_true(tc_layout_flat_shape(1679616, TC_LAYOUT_FLAT_MIN_DIM, TC_LAYOUT_FLAT_MAX_DIM, 0, &d, &k));
    assert_int_equal(d, 6);
    assert_int_equal(k, 8);
    /* forced k: the smallest d with d^k ≥ N */
    assert_true(tc_layout_flat_shape(60, 3, 16, 2, &d, &k));
    assert_int_equal(d, 8);
    assert_int_equal(k, 2);
    assert_false(tc_layout_flat_shape(1000, 3, 16, 1, &d, &k));   /* 16 < 1000 */
    assert_false(tc_layout_flat_shape(10, 5, 4, 0, &d, &k));
    /* brute-force check of the rule on many N */
    for (size_t n = 1; n < 3000; n += 1 + n / 50) {
        assert_true(tc_layout_flat_shape(n, 3, 16, 0, &d, &k));
        size_t size = 1;
        for (int i = 0; i < k; i++)
            size *= d;
        assert_true(size >= n);
        for (uint32_t e = 3; e <= 16; e++) {
            size_t p = e;
            while (p < n)
                p *= e;
            assert_true(p - n > size - n || (p - n == size - n && e >= d));
        }
    }
}

static void test_axis_split(void **s)
{
    (void)s;
    size_t p;
    uint32_t f[TC_LAYOUT_MAX_VARS];
    assert_int_equal(tc_layout_axis_split(1, &p, f), 0);
    assert_int_equal(p, 1);
    assert_int_equal(tc_layout_axis_split(64, &p, f), 2);           /* 8·8 */
    assert_int_equal(f[0], 8);
    assert_int_equal(f[1], 8);
    assert_int_equal(tc_layout_axis_split(768, &p, f), 3);          /* 12·8·8 */
    assert_int_equal(f[0], 12);
    assert_int_equal(f[1], 8);
    assert_int_equal(f[2], 8);
    assert_int_equal(tc_layout_axis_split(17, &p, f), 2);           /* 18 = 6·3 */
    assert_int_equal(p, 18);
    assert_int_equal(f[0], 6);
    assert_int_equal(f[1], 3);
    assert_int_equal(tc_layout_axis_split(6, &p, f), 1);
    assert_int_equal(f[0], 6);
    /* every split multiplies back to a 13-smooth padded size ≥ n, parts in
     * 2..16, non-increasing; no smaller size ≥ n would do */
    for (size_t n = 1; n < 5000; n++) {
        int nf = tc_layout_axis_split(n, &p, f);
        assert_true(nf >= 0 && p >= n);
        size_t prod = 1;
        for (int i = 0; i < nf; i++) {
            assert_true(f[i] >= 2 && f[i] <= 16);
            if (i)
                assert_true(f[i] <= f[i - 1]);
            prod *= f[i];
        }
        assert_int_equal(prod, p);
        for (size_t q = n; q < p; q++) {
            size_t r = q;
            for (unsigned pr = 2; pr <= 13; pr++)
                while (r % pr == 0)
                    r /= pr;
            assert_true(r != 1);
        }
    }
}

static void check_mappings(const tc_layout *lay)
{
    uint32_t coords[TC_LAYOUT_MAX_VARS];
    size_t seen = 0;
    for (size_t g = 0; g < lay->grid_size; g++) {
        tc_layout_index_to_coords(lay, coords, g);
        for (int i = 0; i < lay->m; i++)
            assert_true(coords[i] < lay->shape[i]);
        assert_int_equal(tc_layout_coords_to_index(lay, coords), g);
        size_t l, t, h;
        if (tc_layout_index_to_ltoh(lay, g, &l, &t, &h)) {
            assert_int_equal(tc_layout_ltoh_to_index(lay, l, t, h), g);
            seen++;
        }
    }
    assert_int_equal(seen, lay->n_layers * lay->n_tokens * lay->hidden);
}

static void test_mappings_random(void **s)
{
    (void)s;
    for (int it = 0; it < 40; it++) {
        size_t L = 1 + tc_prng_below(&rng, 9), T = 1 + tc_prng_below(&rng, 40),
               H = 1 + tc_prng_below(&rng, 70);
        tc_layout lay;
        assert_int_equal(tc_layout_structured(NULL, &lay, L, T, H), TC_OK);
        size_t prod = 1;
        for (int i = 0; i < lay.m; i++)
            prod *= lay.shape[i];
        assert_int_equal(prod, lay.grid_size);
        check_mappings(&lay);
        assert_int_equal(tc_layout_flat(NULL, &lay, L, T, H, 3, 16, 0, 7), TC_OK);
        check_mappings(&lay);
    }
}

static void test_fill_and_slices(void **s)
{
    (void)s;
    size_t L = 6, T = 17, H = 64, n = L * T * H;
    int64_t *values = malloc(n * sizeof *values);
    for (size_t i = 0; i < n; i++)
        values[i] = (int64_t)i + 1;                 /* nonzero: padding is visible */
    tc_layout lay;
    assert_int_equal(tc_layout_structured(NULL, &lay, L, T, H), TC_OK);
    assert_int_equal(lay.padded[1], 18);   /* 17 is prime: 18 = 6·3 */
    int64_t *grid = malloc(lay.grid_size * sizeof *grid);
    assert_int_equal(tc_layout_fill(NULL, &lay, grid, values), TC_OK);
    /* the layer-3 slice = grid entries whose leading coords equal the prefix */
    uint32_t prefix[TC_LAYOUT_MAX_VARS], coords[TC_LAYOUT_MAX_VARS];
    int j = tc_layout_layer_prefix(&lay, 3, prefix);
    int jt = tc_layout_token_prefix(&lay, 3, 17, prefix + TC_LAYOUT_MAX_VARS / 2);
    assert_int_equal(j, lay.axis_vars[0]);
    assert_int_equal(jt, lay.axis_vars[0] + lay.axis_vars[1]);
    size_t in_layer = 0, in_token = 0;
    for (size_t g = 0; g < lay.grid_size; g++) {
        tc_layout_index_to_coords(&lay, coords, g);
        size_t l, t, h;
        bool real = tc_layout_index_to_ltoh(&lay, g, &l, &t, &h);
        assert_int_equal(grid[g], real ? values[(l * T + t) * H + h] : 0);
        bool match = memcmp(coords, prefix, (size_t)j * sizeof *coords) == 0;
        assert_int_equal(match, real ? l == 3 : (g / (lay.padded[1] * lay.padded[2]) == 3));
        in_layer += match && real;
        bool tmatch = memcmp(coords, prefix + TC_LAYOUT_MAX_VARS / 2, (size_t)jt * sizeof *coords) == 0;
        in_token += tmatch;
        if (tmatch && real)
            assert_true(l == 3 && t == 17);
    }
    assert_int_equal(in_layer, T * H);
    assert_int_equal(in_token, lay.padded[2]);
    /* flat: real values in order, padding copies of real values, seeded */
    assert_int_equal(tc_layout_flat(NULL, &lay, L, T, H, 3, 16, 0, 99), TC_OK);
    int64_t *g2 = malloc(lay.grid_size * sizeof *g2), *g3 = malloc(lay.grid_size * sizeof *g3);
    assert_int_equal(tc_layout_fill(NULL, &lay, g2, values), TC_OK);
    assert_memory_equal(g2, values, n * sizeof *values);
    for (size_t g = n; g < lay.grid_size; g++)
        assert_true(g2[g] >= 1 && g2[g] <= (int64_t)n);
    assert_int_equal(tc_layout_fill(NULL, &lay, g3, values), TC_OK);
    assert_memory_equal(g2, g3, lay.grid_size * sizeof *g2);
    lay.pad_seed = 100;
    assert_int_equal(tc_layout_fill(NULL, &lay, g3, values), TC_OK);
    assert_memory_not_equal(g2 + n, g3 + n, (lay.grid_size - n) * sizeof *g2);
    free(values);
    free(grid);
    free(g2);
    free(g3);
}

/* A token capacity pads the token axis as for that many tokens: the grid
 * is that of the capacity, the real tokens keep their places, the rows
 * beyond them are zero, and layout.json carries the capacity both ways. */
static void test_token_capacity(void **s)
{
    (void)s;
    size_t L = 6, T = 17, H = 64, cap = 64, n = L * T * H;
    tc_layout lay, full, back;
    assert_int_equal(tc_layout_structured_cap(NULL, &lay, L, T, H, cap), TC_OK);
    assert_int_equal(tc_layout_structured(NULL, &full, L, cap, H), TC_OK);
    assert_int_equal(lay.n_tokens, T);
    assert_int_equal(lay.padded[1], 64);
    assert_int_equal(lay.m, full.m);
    assert_memory_equal(lay.shape, full.shape, (size_t)lay.m * sizeof lay.shape[0]);
    int64_t *values = malloc(n * sizeof *values), *grid = malloc(lay.grid_size * sizeof *grid);
    for (size_t i = 0; i < n; i++)
        values[i] = (int64_t)i + 1;
    assert_int_equal(tc_layout_fill(NULL, &lay, grid, values), TC_OK);
    size_t nonzero = 0;
    for (size_t g = 0; g < lay.grid_size; g++) {
        size_t l, t, h;
        bool real = tc_layout_index_to_ltoh(&lay, g, &l, &t, &h);
        assert_true(real == (t < T && h < H && l < L));
        assert_int_equal(grid[g], real ? values[(l * T + t) * H + h] : 0);
        nonzero += grid[g] != 0;
        if (real)
            assert_int_equal(g, (l * 64 + t) * 64 + h);
    }
    assert_int_equal(nonzero, n);
    /* layout.json round trip keeps the capacity; without one none is written */
    char path[] = "/tmp/tc_layout_cap_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tc_layout_write(NULL, &lay, path), TC_OK);
    assert_int_equal(tc_layout_read(NULL, &back, path), TC_OK);
    assert_int_equal(back.token_capacity, cap);
    assert_int_equal(back.padded[1], 64);
    assert_int_equal(back.grid_size, lay.grid_size);
    char *json = NULL;
    assert_int_equal(tc_layout_to_json(NULL, &full, &json), TC_OK);
    assert_null(strstr(json, "token_capacity"));
    free(json);
    unlink(path);
    /* fewer than the tokens is refused */
    tc_error err;
    assert_int_equal(tc_layout_structured_cap(&err, &lay, L, T, H, T - 1), TC_EARG);
    assert_non_null(strstr(err.msg, "token capacity"));
    free(values);
    free(grid);
}

/* A flat layout.json's pad_seed has one spelling: the decimal digits of the
 * seed.  Another spelling of the same seed ("06172", "+6172", " 6172") or a
 * seed above 2^64 - 1 would let two different files name one layout (or a
 * clamped one), so each is refused; the canonical text reads back exactly. */
static tc_status read_flat_seed(tc_error *err, tc_layout *lay, const char *seed)
{
    char path[] = "/tmp/tc_layout_seed_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "{\"kind\": \"flat\", \"n_layers\": 2, \"n_tokens\": 3, \"hidden\": 10,"
               " \"d\": 4, \"k\": 3, \"grid_shape\": [4, 4, 4], \"grid_size\": 64,"
               " \"pad_seed\": \"%s\"}\n", seed);
    fclose(f);
    tc_status st = tc_layout_read(err, lay, path);
    unlink(path);
    return st;
}

static void test_flat_seed_spelling(void **s)
{
    (void)s;
    tc_layout lay;
    tc_error err;
    assert_int_equal(read_flat_seed(&err, &lay, "6172"), TC_OK);
    assert_int_equal(lay.pad_seed, 6172);
    assert_int_equal(read_flat_seed(&err, &lay, "0"), TC_OK);
    assert_int_equal(lay.pad_seed, 0);
    assert_int_equal(read_flat_seed(&err, &lay, "18446744073709551615"), TC_OK);
    assert_true(lay.pad_seed == UINT64_MAX);
    const char *bad[] = {"06172", "00", "+6172", " 6172", "6172 ", "-1", "", "0x10",
                         "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        assert_int_equal(read_flat_seed(&err, &lay, bad[i]), TC_EFORMAT);
        assert_non_null(strstr(err.msg, "pad_seed"));
    }
}

static void test_rejects(void **s)
{
    (void)s;
    tc_layout lay;
    tc_error err;
    assert_int_equal(tc_layout_structured(&err, &lay, 0, 3, 3), TC_EARG);
    assert_int_equal(tc_layout_flat(&err, &lay, 4, 4, 4, 3, 16, 1, 0), TC_EARG);
    assert_non_null(strstr(err.msg, "no flat shape"));
}

int main(void)
{
    tc_prng_seed(&rng, tu_seed("test_layout"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_shape_rule),
        cmocka_unit_test(test_axis_split),
        cmocka_unit_test(test_mappings_random),
        cmocka_unit_test(test_fill_and_slices),
        cmocka_unit_test(test_token_capacity),
        cmocka_unit_test(test_flat_seed_spelling),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
