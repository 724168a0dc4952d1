/* Unit tests for include/mqlcal/chart.h: ticks by hand, and every kind of chart rendered from
 * fixture data, checked for its size (2x the CSS size) and that it is not blank. */
#include "testutil.h"

#include <cairo.h>
#include <math.h>

#include "mqlcal/chart.h"

/* ---- ticks ---- */

static void expect_ticks(double lo, double hi, int want, int integer, double wlo, double whi,
                         const double *wt, size_t wn)
{
    double t[64];
    size_t n = chart_ticks(&lo, &hi, want, integer, t, 64);
    assert_near(lo, wlo, 1e-12);
    assert_near(hi, whi, 1e-12);
    assert_int_equal(n, wn);
    for (size_t i = 0; i < n; i++)
        assert_near(t[i], wt[i], 1e-12);
}

static void test_ticks(void **state)
{
    (void)state;
    /* 0 .. 0.57 in about 6: raw step 0.095 -> 0.1; 0 .. 0.6 */
    expect_ticks(0, 0.57, 6, 0, 0, 0.6, (const double[]){0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 7);
    /* -153 .. 252 in about 7: raw 57.9 -> 100; -200 .. 300 */
    expect_ticks(-153, 252, 7, 0, -200, 300, (const double[]){-200, -100, 0, 100, 200, 300}, 6);
    /* 0 .. 1783 in about 6: raw 297 -> 500 */
    expect_ticks(0, 1783, 6, 0, 0, 2000, (const double[]){0, 500, 1000, 1500, 2000}, 5);
    /* 2.5 steps: 0 .. 11 in about 5: raw 2.2 -> 2.5 */
    expect_ticks(0, 11, 5, 0, 0, 12.5, (const double[]){0, 2.5, 5, 7.5, 10, 12.5}, 6);
    /* whole numbers only: 0 .. 3 in about 6: raw 0.5 -> 1 */
    expect_ticks(0, 3, 6, 1, 0, 3, (const double[]){0, 1, 2, 3}, 4);
    /* one value: widened by 10 % either side (45 .. 55), raw step 2.5 */
    expect_ticks(50, 50, 4, 0, 45, 55, (const double[]){45, 47.5, 50, 52.5, 55}, 5);
    /* zero alone: -1 .. 1 */
    expect_ticks(0, 0, 4, 0, -1, 1, (const double[]){-1, -0.5, 0, 0.5, 1}, 5);
}

/* ---- rendering ---- */

static void render(const char *dir, const char *name, const struct chart_spec *spec)
{
    char path[512];
    tu_path(path, sizeof path, dir, name);
    struct mql_err err;
    mql_err_clear(&err);
    if (chart_png(spec, path, &err) != 0)
        fail_msg("chart_png %s: %s", name, err.msg);
    double var =
        tu_png_variance(path, spec->width ? spec->width : 800, spec->height ? spec->height : 450);
    /* a white page with only a title has a variance near 100; a drawn chart several hundred */
    if (!(var > 200))
        fail_msg("%s looks blank: grey-level variance %.1f", name, var);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld-1", path, (long)getpid());
    assert_false(tu_exists(tmp)); /* renamed into place */
}

#define NPTS 50

static void test_lines_bands_marks(void **state)
{
    const char *dir = *state;
    double x[NPTS], y[NPTS], lo[NPTS], hi[NPTS], v[NPTS];
    for (int i = 0; i < NPTS; i++) {
        x[i] = i - 10;
        y[i] = 0.1 + 0.8 / (1 + exp(-(i - 25) / 5.0));
        lo[i] = y[i] - 0.05;
        hi[i] = y[i] + 0.05;
        v[i] = 2000 / (1 + exp((i - 25) / 6.0));
    }
    y[30] = NAN; /* a gap */
    struct chart_series s[] = {
        {"band", CHART_BAND, x, NULL, lo, hi, NPTS, CHART_BLUE, 0, 0, 0, 0, 0},
        {"conversion", CHART_LINE, x, y, NULL, NULL, NPTS, CHART_BLUE, 0, 0, 0, 0, 0},
        {"volume", CHART_LINE, x, v, NULL, NULL, NPTS, CHART_ORANGE, 1, 1, 0, 0, 0},
    };
    struct chart_mark m[] = {
        {1, 0, 12, "recommended", CHART_BLACK, 0},
        {0, 0, 0.3, "target", CHART_BLUE, 1},
        {0, 1, 400, "capacity", CHART_VERMILLION, 1},
    };
    struct chart_spec spec = {.title = "Lines, a band, marks and two axes",
                              .subtitle = "fixture",
                              .x = {"x (points)", NAN, NAN, 0, 1, NULL, 0},
                              .y = {"Conversion (%)", 0, NAN, 1, 0, NULL, 0},
                              .y2 = {"MQLs per month", 0, NAN, 0, 0, NULL, 0},
                              .has_y2 = 1,
                              .series = s,
                              .nseries = 3,
                              .marks = m,
                              .nmarks = 3};
    render(dir, "lines.png", &spec);
}

static void test_bars_points_categories(void **state)
{
    const char *dir = *state;
    const char *cats[] = {"US",        "a rather long segment value that is cut",
                          "(missing)", "DE",
                          "FR",        "IN",
                          "BR",        "JP",
                          "SE",        "NL",
                          "ES",        "AU",
                          "CA",        "<b>x</b>"};
    enum { NC = sizeof cats / sizeof *cats };
    double x[NC], c[NC], lo[NC], hi[NC], p[NC];
    for (int i = 0; i < NC; i++) {
        x[i] = i;
        c[i] = 0.3 + 0.02 * i;
        lo[i] = c[i] - 0.05;
        hi[i] = c[i] + 0.07;
        p[i] = c[i] + 0.01 * ((i % 3) - 1);
    }
    c[2] = NAN; /* no MQL: no bar */
    struct chart_series s[] = {
        {"observed", CHART_BARS, x, c, lo, hi, NC, CHART_SKY, 0, 0, 0.6, 0, 0},
        {"predicted", CHART_POINTS, x, p, NULL, NULL, NC, CHART_ORANGE, 0, 0, 0, 0, 0},
    };
    struct chart_spec spec = {.title = "Bars with error bars, points, turned categories",
                              .x = {"country", NAN, NAN, 0, 0, cats, NC},
                              .y = {"Conversion (%)", 0, NAN, 1, 0, NULL, 0},
                              .series = s,
                              .nseries = 2};
    render(dir, "bars.png", &spec);
}

static void test_horizontal(void **state)
{
    const char *dir = *state;
    const char *cats[] = {"job: vp", "job: student", "job: manager (ref)", "size: 1-10"};
    double x[] = {0, 1, 2, 3}, pos[] = {34, NAN, NAN, NAN}, neg[] = {NAN, -45, NAN, -23};
    double lo[] = {30, -50, NAN, -26}, hi[] = {38, -40, NAN, -20}, zero[] = {NAN, NAN, 0, NAN};
    struct chart_series s[] = {
        {"adds", CHART_BARS, x, pos, lo, hi, 4, CHART_BLUE, 0, 0, 0.7, 0, 0},
        {"takes", CHART_BARS, x, neg, lo, hi, 4, CHART_VERMILLION, 0, 0, 0.7, 0, 0},
        {"reference", CHART_POINTS, x, zero, NULL, NULL, 4, CHART_GREY, 0, 0, 0, 0, 0},
    };
    struct chart_spec spec = {.title = "Horizontal bars",
                              .x = {NULL, NAN, NAN, 0, 0, cats, 4},
                              .y = {"Points", NAN, NAN, 0, 0, NULL, 0},
                              .horizontal = 1,
                              .series = s,
                              .nseries = 3,
                              .width = 700,
                              .height = 260};
    render(dir, "horizontal.png", &spec);
}

static void test_heatmap(void **state)
{
    const char *dir = *state;
    enum { NX = 30, NY = 12 };
    double x[NX], y[NY], z[NX * NY];
    unsigned char inside[NX * NY];
    for (int i = 0; i < NX; i++)
        x[i] = 10 + 2 * i;
    for (int j = 0; j < NY; j++)
        y[j] = j * j; /* uneven rows */
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++) {
            z[j * NX + i] = (NX - i) * (NY - j) * 1.5;
            inside[j * NX + i] = i + j > 20;
        }
    z[5] = NAN; /* an empty cell */
    struct chart_heatmap h = {z, x, y, NX, NY, inside, "SQLs per month", "within capacity"};
    double rx = 50, ry = 25;
    struct chart_series s = {
        "recommended", CHART_POINTS, &rx, &ry, NULL, NULL, 1, CHART_VERMILLION, 0, 0, 0, 0, 0};
    struct chart_spec spec = {.title = "A heatmap with a boundary",
                              .x = {"Threshold (points)", NAN, NAN, 0, 0, NULL, 0},
                              .y = {"Fit minimum (points)", NAN, NAN, 0, 0, NULL, 0},
                              .series = &s,
                              .nseries = 1,
                              .heatmap = &h};
    render(dir, "heatmap.png", &spec);
}

static void test_no_data(void **state)
{
    const char *dir = *state;
    struct chart_series s = {"nothing",  CHART_LINE, NULL, NULL, NULL, NULL, 0,
                             CHART_BLUE, 0,          0,    0,    0,    0};
    struct chart_spec spec = {.title = "No data at all",
                              .x = {"x", NAN, NAN, 0, 0, NULL, 0},
                              .y = {"y", NAN, NAN, 0, 0, NULL, 0},
                              .series = &s,
                              .nseries = 1};
    render(dir, "empty.png", &spec); /* axes, the legend and "no data": not blank */
}

static void test_errors(void **state)
{
    const char *dir = *state;
    char path[512];
    struct mql_err err;
    tu_path(path, sizeof path, dir, "bad.png");
    double x[2] = {0, 1};
    /* a line without y */
    struct chart_series s = {"y missing", CHART_LINE, x, NULL, NULL, NULL, 2,
                             CHART_BLUE,  0,          0, 0,    0,    0};
    struct chart_spec spec = {.title = "bad", .series = &s, .nseries = 1};
    mql_err_clear(&err);
    assert_int_equal(chart_png(&spec, path, &err), MQL_EINPUT);
    assert_err_contains(&err, "chart 'bad': series 0 has no data arrays");
    /* an empty heatmap */
    struct chart_heatmap h = {NULL, x, x, 0, 0, NULL, NULL, NULL};
    struct chart_spec hs = {.title = "empty heatmap", .heatmap = &h};
    mql_err_clear(&err);
    assert_int_equal(chart_png(&hs, path, &err), MQL_EINPUT);
    assert_err_contains(&err, "an empty heatmap");
    /* too small for its labels */
    struct chart_spec small = {.title = "tiny", .width = 60, .height = 40};
    mql_err_clear(&err);
    assert_int_equal(chart_png(&small, path, &err), MQL_EINPUT);
    assert_err_contains(&err, "too small");
    /* an unwritable place */
    struct chart_spec ok = {.title = "fine"};
    mql_err_clear(&err);
    assert_int_equal(chart_png(&ok, "/nonexistent-dir/x.png", &err), MQL_EIO);
    assert_err_contains(&err, "/nonexistent-dir/x.png");
    assert_false(tu_exists(path));
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_dir, tu_teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks),
        T(test_lines_bands_marks),
        T(test_bars_points_categories),
        T(test_horizontal),
        T(test_heatmap),
        T(test_no_data),
        T(test_errors),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    chart_cleanup();
    return failed;
}
