/*
 * testutil.h: small helpers shared by the cmocka unit tests (header-only, static inline).
 *
 * Temporary files live in a folder made by tu_mkdtemp under /tmp and removed by tu_rmrf, so
 * the tests never depend on the current directory.
 */
#ifndef MQLCAL_TESTUTIL_H
#define MQLCAL_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>

#include "mqlcal/chart.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqlcal/config.h"
#include "mqlcal/err.h"
#include "mqlcal/ingest.h"
#include "mqlcal/store.h"

/* Makes a fresh folder /tmp/mqlcal-test-XXXXXX and writes its path to buf (cap bytes);
 * fails the current test when it cannot. */
static inline void tu_mkdtemp(char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "/tmp/mqlcal-test-XXXXXX");
    assert_true(n > 0 && (size_t)n < cap);
    assert_non_null(mkdtemp(buf));
}

/* Writes path = dir/name (cap bytes) and fails the current test when it does not fit. */
static inline void tu_path(char *path, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(path, cap, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Writes the n bytes at data to dir/name and puts that path in path (cap bytes). */
static inline void tu_write_file(const char *dir, const char *name, const void *data, size_t n,
                                 char *path, size_t cap)
{
    tu_path(path, cap, dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Like tu_write_file for a NUL-terminated text. */
static inline void tu_write_text(const char *dir, const char *name, const char *text, char *path,
                                 size_t cap)
{
    tu_write_file(dir, name, text, strlen(text), path, cap);
}

/* 1 when something (file, folder, ...) exists at path. */
static inline int tu_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The whole file at path as a NUL-terminated string (the caller frees it), or NULL. */
static inline char *tu_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* Opens the store at path (store.h); fails the current test when it cannot. */
static inline sqlite3 *tu_open_store(const char *path)
{
    sqlite3 *db = NULL;
    struct mql_err err;
    mql_err_clear(&err);
    if (store_open(path, &db, &err) != 0)
        fail_msg("store_open %s: %s", path, err.msg);
    return db;
}

/* Removes path and, for a folder, everything under it; missing paths are fine. */
static inline void tu_rmrf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                size_t n = strlen(path) + strlen(e->d_name) + 2;
                char *child = malloc(n);
                if (!child)
                    continue;
                snprintf(child, n, "%s/%s", path, e->d_name);
                tu_rmrf(child);
                free(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static inline void tu_assert_err_contains(const struct mql_err *err, const char *sub,
                                          const char *file, int line)
{
    if (!strstr(err->msg, sub)) {
        print_error("error message '%s' does not contain '%s'\n", err->msg, sub);
        _fail(file, line);
    }
}

/* Fails the current test unless err's message contains sub. */
#define assert_err_contains(err, sub) tu_assert_err_contains((err), (sub), __FILE__, __LINE__)

static inline void tu_assert_near(double got, double want, double tol, const char *what,
                                  const char *file, int line)
{
    double d = got - want;
    if (d < 0)
        d = -d;
    if (!(d <= tol)) { /* NaN fails too */
        print_error("%s: got %.17g, want %.17g (difference %.3g, tolerance %.3g)\n", what, got,
                    want, d, tol);
        _fail(file, line);
    }
}

/* Fails the current test unless |got - want| <= tol (a NaN never passes). */
#define assert_near(got, want, tol) tu_assert_near((got), (want), (tol), #got, __FILE__, __LINE__)

/* Fails the current test unless got is within rel * |want| of want. */
#define assert_near_rel(got, want, rel)                                                            \
    tu_assert_near((got), (want), (rel) * ((want) < 0 ? -(want) : (want)), #got, __FILE__, __LINE__)

/* cmocka setup/teardown: each test gets a fresh folder under /tmp as its state, removed
 * afterwards. */
static inline int tu_setup_dir(void **state)
{
    char *dir = malloc(256);
    if (!dir)
        return -1;
    snprintf(dir, 256, "/tmp/mqlcal-test-XXXXXX");
    if (!mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

/* Removes the test's folder, unless MQLCAL_KEEP_TEST_DIRS is set (to look at what a test
 * wrote: the folder is printed). */
static inline int tu_teardown_dir(void **state)
{
    char *dir = *state;
    if (getenv("MQLCAL_KEEP_TEST_DIRS"))
        fprintf(stderr, "kept %s\n", dir);
    else
        tu_rmrf(dir);
    free(dir);
    return 0;
}

/* A fixture store: writes csv_text as dir/leads.csv and config_text as dir/c.ini, loads the
 * config into cfg (the caller's: config_release) and ingests into db_path (dir/store.db, cap
 * bytes); fails the test unless `loaded` rows load. */
static inline void tu_ingest_text(const char *dir, const char *csv_text, const char *config_text,
                                  struct config *cfg, char *db_path, size_t cap, size_t loaded)
{
    char path[512];
    tu_write_text(dir, "leads.csv", csv_text, path, sizeof path);
    tu_write_text(dir, "c.ini", config_text, path, sizeof path);
    tu_path(db_path, cap, dir, "store.db");
    struct mql_err err;
    mql_err_clear(&err);
    if (config_load(path, cfg, &err) != 0)
        fail_msg("config_load: %s", err.msg);
    struct ingest_opts opts = {.db_path = db_path};
    struct ingest_stats stats;
    if (ingest_run(cfg, &opts, &stats, &err) != 0)
        fail_msg("ingest_run: %s", err.msg);
    assert_int_equal(stats.loaded, loaded);
}

/* Opens the PNG at path, checks that it is want_w x want_h CSS pixels (drawn at CHART_SCALE),
 * and returns the variance of its grey levels (a blank image: near 0). */
static inline double tu_png_variance(const char *path, int want_w, int want_h)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        fail_msg("%s: %s", path, cairo_status_to_string(cairo_surface_status(s)));
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    assert_int_equal(w, want_w * CHART_SCALE);
    assert_int_equal(h, want_h * CHART_SCALE);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    double sum = 0, sum2 = 0, n = (double)w * h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t px;
            memcpy(&px, d + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
            double g = (((px >> 16) & 255) + ((px >> 8) & 255) + (px & 255)) / 3.0;
            sum += g;
            sum2 += g * g;
        }
    cairo_surface_destroy(s);
    return sum2 / n - (sum / n) * (sum / n);
}

#endif
