/* Chart of a selection plan: one bar per unit (its significance value), the
 * range chosen for each verifier shaded in its colour, and a legend with the
 * budget each one uses.  Drawn with cairo into memory, written atomically. */
#include "select/select.h"
#include "util/util.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WIDTH = 1100, PLOT_LEFT = 80, PLOT_RIGHT = 30, PLOT_TOP = 60, PLOT_H = 320,
       LEGEND_ROW = 20 };

static const double palette[16][3] = {
    {0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17}, {0.84, 0.15, 0.16},
    {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
    {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81}, {0.68, 0.78, 0.91}, {1.00, 0.73, 0.47},
    {0.60, 0.87, 0.54}, {1.00, 0.60, 0.59}, {0.77, 0.69, 0.84}, {0.77, 0.61, 0.58},
};

typedef struct png_buf {
    unsigned char *data;
    size_t len, cap;
    bool failed;
} png_buf;

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int n)
{
    png_buf *b = closure;
    if (b->len + n > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 65536) + n;
        unsigned char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->failed = true;
            return CAIRO_STATUS_NO_MEMORY;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return CAIRO_STATUS_SUCCESS;
}

/* A round axis maximum: 1, 2 or 5 times a power of ten, at least v. */
static double nice_max(double v)
{
    if (!(v > 0))
        return 1;
    double p = pow(10, floor(log10(v)));
    for (int i = 0; i < 3; i++) {
        double m = (double[]){1, 2, 5}[i] * p;
        if (m >= v)
            return m;
    }
    return 10 * p;
}

static int owner_of(const tc_select_plan *p, size_t i)
{
    for (size_t k = 0; k < p->M; k++)
        if (p->assignment[k].start >= 0 && (int64_t)i >= p->assignment[k].start &&
            (int64_t)i <= p->assignment[k].end)
            return (int)k;
    return -1;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double align)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
}

static void draw_grid(cairo_t *cr, double ymax, double pw)
{
    cairo_set_font_size(cr, 11);
    for (int t = 0; t <= 5; t++) {
        double y = PLOT_TOP + PLOT_H - PLOT_H * t / 5.0;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, PLOT_LEFT, y);
        cairo_line_to(cr, PLOT_LEFT + pw, y);
        cairo_stroke(cr);
        char lab[32];
        snprintf(lab, sizeof lab, "%.3g", ymax * t / 5.0);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        text_at(cr, PLOT_LEFT - 6, y + 4, lab, 1.0);
    }
}

static void draw_axes(cairo_t *cr, const tc_select_plan *p, double pw)
{
    cairo_set_font_size(cr, 11);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, PLOT_LEFT, PLOT_TOP);
    cairo_line_to(cr, PLOT_LEFT, PLOT_TOP + PLOT_H);
    cairo_line_to(cr, PLOT_LEFT + pw, PLOT_TOP + PLOT_H);
    cairo_stroke(cr);
    double bw = pw / (double)p->L;
    size_t step = 1;
    while (bw * (double)step < 28)
        step++;
    for (size_t i = 0; i < p->L; i += step) {
        char lab[32];
        snprintf(lab, sizeof lab, "%zu", i);
        text_at(cr, PLOT_LEFT + bw * ((double)i + 0.5), PLOT_TOP + PLOT_H + 15, lab, 0.5);
    }
    text_at(cr, PLOT_LEFT + pw / 2, PLOT_TOP + PLOT_H + 32,
            p->unit == TC_UNIT_BLOCK ? "block" : "matrix", 0.5);
    cairo_save(cr);
    cairo_translate(cr, 24, PLOT_TOP + PLOT_H / 2.0);
    cairo_rotate(cr, -M_PI / 2);
    text_at(cr, 0, 0, p->unit == TC_UNIT_BLOCK ? "significance (sum over block)"
                                               : "significance",
            0.5);
    cairo_restore(cr);
}

static void draw_ranges_and_bars(cairo_t *cr, const tc_select_plan *p, double ymax, double pw)
{
    double bw = pw / (double)p->L;
    for (size_t k = 0; k < p->M; k++) {
        tc_mvbcs_range a = p->assignment[k];
        if (a.start < 0)
            continue;
        const double *c = palette[k % 16];
        double x0 = PLOT_LEFT + bw * (double)a.start, x1 = PLOT_LEFT + bw * (double)(a.end + 1);
        cairo_set_source_rgba(cr, c[0], c[1], c[2], 0.18);
        cairo_rectangle(cr, x0, PLOT_TOP, x1 - x0, PLOT_H);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        cairo_set_font_size(cr, 12);
        char lab[32];
        snprintf(lab, sizeof lab, "V%zu", k + 1);
        text_at(cr, (x0 + x1) / 2, PLOT_TOP - 6, lab, 0.5);
    }
    for (size_t i = 0; i < p->L; i++) {
        int k = owner_of(p, i);
        double h = PLOT_H * fmin(p->values[i] / ymax, 1.0);
        double gap = bw > 6 ? bw * 0.15 : 0;
        if (k >= 0)
            cairo_set_source_rgb(cr, palette[k % 16][0], palette[k % 16][1], palette[k % 16][2]);
        else
            cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
        cairo_rectangle(cr, PLOT_LEFT + bw * (double)i + gap, PLOT_TOP + PLOT_H - h,
                        bw - 2 * gap, h);
        cairo_fill(cr);
    }
}

static void draw_legend(cairo_t *cr, const tc_select_plan *p, double y0)
{
    cairo_set_font_size(cr, 12);
    for (size_t k = 0; k < p->M; k++) {
        tc_mvbcs_range a = p->assignment[k];
        uint64_t cost = 0;
        double value = 0;
        for (int64_t i = a.start; a.start >= 0 && i <= a.end; i++) {
            cost += p->costs[i];
            value += p->values[i];
        }
        double y = y0 + LEGEND_ROW * (double)k;
        const double *c = palette[k % 16];
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        cairo_rectangle(cr, PLOT_LEFT, y - 10, 12, 12);
        cairo_fill(cr);
        char line[256];
        double pct = p->budgets[k] ? 100.0 * (double)cost / (double)p->budgets[k] : 0;
        if (a.start < 0)
            snprintf(line, sizeof line, "V%zu  budget %llu  unused (nothing fits or helps)", k + 1,
                     (unsigned long long)p->budgets[k]);
        else
            snprintf(line, sizeof line,
                     "V%zu  %s %lld-%lld  cost %llu of budget %llu (%.1f%%)  value %.4g", k + 1,
                     p->unit == TC_UNIT_BLOCK ? "blocks" : "matrices", (long long)a.start,
                     (long long)a.end, (unsigned long long)cost,
                     (unsigned long long)p->budgets[k], pct, value);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        text_at(cr, PLOT_LEFT + 20, y, line, 0);
    }
}

tc_status tc_select_plot_png(tc_error *err, const char *path, const tc_select_plan *p,
                             const char *title)
{
    uint8_t *png = NULL;
    size_t len = 0;
    tc_status st = tc_select_plot_png_encode(err, &png, &len, p, title);
    if (st == TC_OK)
        st = tc_write_file_atomic(err, path, png, len);
    else if (err != NULL) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        st = tc_fail(err, st, "%s: %s", path, inner);
    }
    free(png);
    return st;
}

tc_status tc_select_plot_png_encode(tc_error *err, uint8_t **png, size_t *png_len,
                                    const tc_select_plan *p, const char *title)
{
    const char *path = "chart";
    *png = NULL;
    *png_len = 0;
    if (p->L == 0)
        return tc_fail(err, TC_EARG, "nothing to plot (no units)");
    int height = PLOT_TOP + PLOT_H + 60 + LEGEND_ROW * (int)p->M + 30;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, WIDTH, height);
    cairo_t *cr = cairo_create(sf);
    png_buf buf = {0};
    tc_status st = TC_OK;

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_line_width(cr, 1);
    double vmax = 0, total = 0;
    for (size_t i = 0; i < p->L; i++) {
        vmax = fmax(vmax, p->values[i]);
        total += p->values[i];
    }
    double ymax = nice_max(vmax), pw = WIDTH - PLOT_LEFT - PLOT_RIGHT;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 15);
    char head[512];
    snprintf(head, sizeof head, "%s  —  covered %.4g of %.4g (%.1f%%)", title ? title : "",
             p->optimum, total, total > 0 ? 100 * p->optimum / total : 0.0);
    text_at(cr, PLOT_LEFT, 24, head, 0);
    draw_grid(cr, ymax, pw);
    draw_ranges_and_bars(cr, p, ymax, pw);
    draw_axes(cr, p, pw);
    draw_legend(cr, p, PLOT_TOP + PLOT_H + 62);

    cairo_surface_flush(sf);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_write_to_png_stream(sf, png_write, &buf) != CAIRO_STATUS_SUCCESS ||
        buf.failed)
        st = tc_fail(err, TC_EINTERNAL, "drawing the %s failed", path);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    if (st == TC_OK) {
        *png = buf.data;
        *png_len = buf.len;
    } else {
        free(buf.data);
    }
    return st;
}
