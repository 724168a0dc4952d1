/*
 * chart.h: charts drawn with cairo into PNG files. A chart is data plus a spec.
 *
 * One plot area with a bottom axis, a left axis and optionally a right axis (series and marks
 * say which vertical axis they use). Series are lines, shaded bands, bars (optionally with
 * error bars, side by side with offsets: histograms) or points (optionally with error bars);
 * a heatmap fills the plot area
 * with a colour scale beside it. Reference marks are labelled vertical or horizontal lines.
 * A category axis puts category i at x = i; with `horizontal` the categories run down the left
 * side instead and the values along the bottom (bar charts of many labelled items).
 *
 * Layout is computed from the text extents: the title and the legend sit above the plot area
 * (so the legend never covers data), margins fit the tick labels, category labels turn 45°
 * when they do not fit side by side. Ticks are "nice" (1, 2, 2.5, 5 × 10^k). Colours come from
 * the Okabe-Ito palette, which colour-blind readers can tell apart; the heatmap uses a
 * perceptually even blue-to-yellow scale. Text is DejaVu Sans (fonts-dejavu-core). The PNG is
 * drawn at 2× the given size, for sharp output on high-density screens and in print.
 *
 * NaN values are gaps: a line breaks there, a bar or point is not drawn.
 */
#ifndef MQLCAL_CHART_H
#define MQLCAL_CHART_H

#include <stddef.h>

#include "mqlcal/err.h"

#define CHART_SCALE 2 /* device pixels per CSS pixel */

enum chart_series_kind {
    CHART_LINE,  /* x, y joined; NaN breaks the line */
    CHART_BAND,  /* the area between lo and hi over x, translucent */
    CHART_BARS,  /* a bar from 0 to y at each x, error bars from lo to hi when given */
    CHART_POINTS /* a dot at each (x, y), error bars from lo to hi when given */
};

/* Okabe-Ito colours by index; CHART_GREY and CHART_BLACK for reference marks. */
enum chart_color {
    CHART_BLUE,
    CHART_ORANGE,
    CHART_GREEN,
    CHART_PINK,
    CHART_SKY,
    CHART_VERMILLION,
    CHART_YELLOW,
    CHART_BLACK,
    CHART_GREY,
    CHART_NCOLORS
};

struct chart_series {
    const char *label; /* in the legend; NULL keeps it out */
    enum chart_series_kind kind;
    const double *x, *y; /* n values each (a BAND uses x, lo, hi) */
    const double *lo, *hi;
    size_t n;
    enum chart_color color;
    int right;     /* 1: on the right axis */
    int dashed;    /* LINE */
    double width;  /* BARS: width in x units (0: 0.8 of the smallest x spacing) */
    double offset; /* BARS: shift in x units, for bars side by side */
    double alpha;  /* BARS fill: 0 means opaque (BAND is always translucent) */
};

struct chart_mark {
    int vertical; /* 1: x = value; 0: y = value on the left (or right) axis */
    int right;
    double value;
    const char *label; /* drawn beside the line, inside the plot area */
    enum chart_color color;
    int dashed;
};

struct chart_axis {
    const char *label;             /* with the unit: "Conversion (%)" */
    double min, max;               /* NaN: from the data (with a margin; a bar axis includes 0) */
    int percent;                   /* values are shares, shown as % */
    int integer;                   /* ticks on whole numbers only */
    const char *const *categories; /* a category axis: categories[i] at i (x axis only) */
    size_t ncategories;
};

struct chart_heatmap {
    const double *z;     /* z[j * nx + i]: the cell at x[i], y[j]; NaN: empty */
    const double *x, *y; /* cell centres, ascending; a cell reaches halfway to its neighbours */
    size_t nx, ny;
    const unsigned char *inside; /* optional: cells inside a boundary, which is drawn */
    const char *scale_label;     /* the colour scale's label, with the unit */
    const char *boundary_label;  /* in the legend, for the boundary line */
};

struct chart_spec {
    const char *title;
    const char *subtitle; /* optional, one line under the title */
    struct chart_axis x, y, y2;
    int has_y2;
    int horizontal; /* categories down the left side, values along the bottom */
    const struct chart_series *series;
    size_t nseries;
    const struct chart_mark *marks;
    size_t nmarks;
    const struct chart_heatmap *heatmap; /* optional */
    int width, height;                   /* CSS pixels; 0: 800 x 450 */
};

/* Draws spec into a PNG at path, written to a temporary name and renamed. MQL_EINPUT when the
 * spec is unusable (no data on an axis, mismatched heatmap), MQL_EIO when cairo or the file
 * fails. */
int chart_png(const struct chart_spec *spec, const char *path, struct mql_err *err);

/* Frees the caches cairo and fontconfig keep for the whole process (fonts, glyphs). Call once
 * at exit, after the last chart, so that leak checkers see no leak; drawing after it is not
 * allowed. */
void chart_cleanup(void);

/* "Nice" ticks over [lo, hi]: about `want` of them, 1/2/2.5/5 × 10^k apart (whole numbers when
 * integer); writes at most cap into ticks and returns how many. The range is widened to whole
 * steps in *lo and *hi. */
size_t chart_ticks(double *lo, double *hi, int want, int integer, double *ticks, size_t cap);

#endif
