/*
 * Unit tests for include/mqlcal/report.h and figures.h, on a fixture store: 240 leads (the 24
 * of test_sweep.c ten times over, with ids, dates spread over 2025, a channel holding hostile
 * values and a feedback column), ingested, fitted, swept and audited. Then the report:
 * every chart rendered at its size and not blank, every section present, every image the page
 * names on disk, every table's CSV on disk, every value from the data escaped, and the ROC
 * legend's AUC equal to the fit's AUC with points.
 */
#include "testutil.h"

#include <math.h>

#include "mqlcal/audit.h"
#include "mqlcal/figures.h"
#include "mqlcal/fit.h"
#include "mqlcal/ingest.h"
#include "mqlcal/report.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"

#define NLEADS 240

static const char *const hostile[] = {"<script>alert(1)</script>", "web & \"events\"",
                                      "' OR 1=1; DROP TABLE leads; --", "=HYPERLINK(\"x\")",
                                      "referral"};

static const char config_text[] =
    "[data]\nleads = leads.csv\nid = lead_id\noutcome = became_sql\ndate = created_at\n"
    "feedback = fb\n"
    "[attributes]\nplan = categorical, fit\njob = categorical, fit\nvisits = count, engagement\n"
    "[segments]\nby = channel, plan\n"
    "[rules]\ndisqualify = job:student\n"
    "[model]\nholdout = 0.25\nmin_level_count = 1\n"
    "[calibration]\ncapacity = 6\ntarget_conversion = 0.3\nbootstrap = 50\n";

struct fixture {
    char dir[256];
    struct config cfg;
    struct report_data data;
    struct report_result res;
    char *html;
};

/* A deterministic CSV: conversion rises with visits and plan, students rarely convert. */
static void write_csv(const char *dir)
{
    size_t cap = 64 * 1024, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "lead_id,created_at,job,plan,visits,channel,fb,became_sql\n");
    unsigned s = 12345;
    for (int i = 0; i < NLEADS; i++) {
        s = s * 1103515245u + 12345u;
        unsigned r = (s >> 8) % 1000;
        const char *job = i % 9 == 0 ? "student" : i % 3 ? "manager" : "director";
        const char *plan = i % 4 == 0 ? "pro" : i % 7 == 0 ? "legacy" : "basic";
        int visits = (int)(r % 7);
        double p = 0.05 + 0.1 * visits + (plan[0] == 'p' ? 0.15 : 0) + (job[0] == 'd' ? 0.1 : 0) -
                   (job[0] == 's' ? 0.1 : 0);
        int sql = (double)((s >> 3) % 1000) / 1000 < p;
        const char *ch = hostile[i % 5];
        /* quote the channel for CSV: double every quote */
        char q[128];
        size_t k = 0;
        q[k++] = '"';
        for (const char *c = ch; *c && k + 3 < sizeof q; c++) {
            if (*c == '"')
                q[k++] = '"';
            q[k++] = *c;
        }
        q[k++] = '"';
        q[k] = '\0';
        len += (size_t)snprintf(csv + len, cap - len, "L%03d,2025-%02d-%02d,%s,%s,%d,%s,%s,%d\n", i,
                                1 + i % 12, 1 + i % 28, job, plan, visits, q,
                                i % 5 == 0   ? "<b>accepted</b>"
                                : i % 5 == 1 ? "rejected"
                                             : "",
                                sql);
    }
    char path[512];
    tu_write_text(dir, "leads.csv", csv, path, sizeof path);
    free(csv);
}

static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    tu_mkdtemp(fx->dir, sizeof fx->dir);
    write_csv(fx->dir);
    char path[512];
    tu_write_text(fx->dir, "c.ini", config_text, path, sizeof path);
    struct mql_err err;
    mql_err_clear(&err);
    if (config_load(path, &fx->cfg, &err) != 0)
        fail_msg("config_load: %s", err.msg);
    struct ingest_stats stats;
    if (ingest_run(&fx->cfg, NULL, &stats, &err) != 0)
        fail_msg("ingest_run: %s", err.msg);
    assert_int_equal(stats.loaded, NLEADS);
    char *dbp = ingest_default_db(&fx->cfg);
    sqlite3 *db = tu_open_store(dbp);
    free(dbp);
    struct fit_result fr;
    struct sweep_result sw;
    struct audit_result au;
    int rc = fit_run(db, &fx->cfg, &fr, &err);
    fit_release(&fr);
    if (rc)
        fail_msg("fit_run: %s", err.msg);
    if (sweep_compute(db, &fx->cfg, &sw, &err) || sweep_store(db, &fx->cfg, &sw, &err))
        fail_msg("sweep: %s", err.msg);
    if (!sw.has_rec)
        fail_msg("the fixture needs a recommended rule: %s", sw.reasoning);
    if (audit_run(&fx->cfg, &sw, &au, &err) || audit_store(db, &fx->cfg, &sw, &au, &err))
        fail_msg("audit: %s", err.msg);
    audit_release(&au);
    sweep_release(&sw);
    if (report_run(db, &fx->cfg, &fx->res, &err) != 0)
        fail_msg("report_run: %s", err.msg);
    if (report_load(db, &fx->data, &err) != 0)
        fail_msg("report_load: %s", err.msg);
    store_close(db);
    fx->html = tu_read_file(fx->res.index);
    assert_non_null(fx->html);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx) /* the set-up failed */
        return 0;
    free(fx->html);
    report_release(&fx->data);
    report_result_release(&fx->res);
    config_release(&fx->cfg);
    if (getenv("MQLCAL_KEEP_TEST_DIRS"))
        fprintf(stderr, "kept %s\n", fx->dir);
    else
        tu_rmrf(fx->dir);
    free(fx);
    return 0;
}

/* Every chart of figures.h, at its size, not blank. */
static void test_every_chart(void **state)
{
    const struct fixture *fx = *state;
    static const struct {
        const char *file;
        int w, h;
    } want[] = {
        {"sweep.png", 800, 450},       {"tradeoff.png", 800, 450},
        {"grid.png", 800, 500},        {"periods.png", 800, 450},
        {"scores.png", 800, 450},      {"calibration.png", 800, 450},
        {"roc.png", 620, 520},         {"gains.png", 620, 520},
        {"segment-1.png", 800, 450},   {"segment-2.png", 800, 450},
        {"scorecard-fit.png", 800, 0}, {"scorecard-engagement.png", 800, 0},
    };
    assert_int_equal(fx->res.ncharts, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", fx->res.dir, want[i].file);
        int h = want[i].h;
        if (h == 0) { /* scorecards: 150 + 22 per level of the group */
            int fit = strstr(want[i].file, "fit") != NULL;
            size_t levels = 0;
            for (size_t r = 0; r < fx->data.levels.nrows; r++)
                levels += strcmp(store_table_text(&fx->data.levels, r, "grp"),
                                 fit ? "fit" : "engagement") == 0;
            assert_true(levels > 0);
            h = (int)(150 + 22 * levels);
        }
        double var = tu_png_variance(path, want[i].w, h);
        if (!(var > 200))
            fail_msg("%s looks blank: grey-level variance %.1f", want[i].file, var);
    }
}

static int has(const char *html, const char *s)
{
    return strstr(html, s) != NULL;
}

/* Every section, every image on disk, every table's CSV on disk. */
static void test_structure(void **state)
{
    const struct fixture *fx = *state;
    const char *h = fx->html;
    static const char *const sections[] = {"summary", "quality",       "model",    "validation",
                                           "sweep",   "disqualifiers", "segments", "provenance"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        char id[64];
        snprintf(id, sizeof id, "<section id=\"%s\">", sections[i]);
        if (!has(h, id))
            fail_msg("no section %s", sections[i]);
    }
    assert_true(has(h, "<!DOCTYPE html>"));
    assert_false(has(h, "<script")); /* works without script, and none was injected */
    size_t imgs = 0, csvs = 0;
    for (const char *p = h; (p = strstr(p, "<img src=\"")); imgs++) {
        p += strlen("<img src=\"");
        char file[128], path[600];
        size_t n = strcspn(p, "\"");
        assert_true(n < sizeof file);
        memcpy(file, p, n);
        file[n] = '\0';
        assert_null(strchr(file, '/')); /* beside the page */
        snprintf(path, sizeof path, "%s/%s", fx->res.dir, file);
        if (!tu_exists(path))
            fail_msg("the page shows %s, which is not there", file);
    }
    assert_int_equal(imgs, fx->res.ncharts);
    for (const char *p = h; (p = strstr(p, "<a class=\"csv\" href=\"")); csvs++) {
        p += strlen("<a class=\"csv\" href=\"");
        char file[128], path[600];
        size_t n = strcspn(p, "\"");
        memcpy(file, p, n);
        file[n] = '\0';
        snprintf(path, sizeof path, "%s/%s", fx->res.dir, file);
        if (!tu_exists(path))
            fail_msg("the page links %s, which is not there", file);
    }
    assert_int_equal(csvs, fx->res.ntables);
    /* the recommendation, as the sweep stored it */
    const char *reasoning = store_table_text(&fx->data.sweep, 0, "reasoning");
    assert_non_null(reasoning);
    char *escaped = malloc(4 * strlen(reasoning) + 1);
    size_t k = 0;
    for (const char *c = reasoning; *c; c++) /* the sentence holds '>=' */
        k += (size_t)sprintf(escaped + k, "%s",
                             *c == '>'   ? "&gt;"
                             : *c == '<' ? "&lt;"
                                         : (char[2]){*c, 0});
    if (!has(h, escaped))
        fail_msg("the page lacks the recommendation: %s", reasoning);
    free(escaped);
}

/* Values from the data come out as text, never as markup. */
static void test_escaping(void **state)
{
    const struct fixture *fx = *state;
    const char *h = fx->html;
    assert_true(has(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_true(has(h, "web &amp; &quot;events&quot;"));
    assert_true(has(h, "&#39; OR 1=1; DROP TABLE leads; --"));
    assert_true(has(h, "&lt;b&gt;accepted&lt;/b&gt;"));
    assert_false(has(h, "<b>accepted</b>"));
    /* the audit table's CSV keeps the value, with the formula neutralised */
    char path[600];
    snprintf(path, sizeof path, "%s/audit-1.csv", fx->res.dir);
    char *csv = tu_read_file(path);
    assert_non_null(csv);
    assert_true(has(csv, "<script>alert(1)</script>"));
    assert_true(has(csv, "\"'=HYPERLINK(\"\"x\"\")\""));
    free(csv);
}

/* The ROC legend's AUC is the fit's AUC with points, computed the other way. */
static void test_auc(void **state)
{
    const struct fixture *fx = *state;
    double want = NAN;
    for (size_t r = 0; r < fx->data.metrics.nrows; r++)
        if (strcmp(store_table_text(&fx->data.metrics, r, "sample"), "holdout") == 0 &&
            strcmp(store_table_text(&fx->data.metrics, r, "metric"), "auc_points") == 0)
            want = store_table_num(&fx->data.metrics, r, "value");
    assert_true(isfinite(want));
    assert_near(figures_auc(&fx->data.hist, "holdout"), want, 1e-12);
    assert_true(isnan(figures_auc(&fx->data.hist, "nothing")));
}

/* No sweep yet: a clear message. */
static void test_no_sweep(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    struct report_data d;
    struct mql_err err;
    mql_err_clear(&err);
    assert_int_equal(report_load(db, &d, &err), MQL_EINPUT);
    assert_err_contains(&err, "run 'mqlcal sweep' first");
    report_release(&d);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_chart), cmocka_unit_test(test_structure),
        cmocka_unit_test(test_escaping),    cmocka_unit_test(test_auc),
        cmocka_unit_test(test_no_sweep),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    chart_cleanup();
    return failed;
}
