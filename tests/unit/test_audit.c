/*
 * Unit tests for include/mqlcal/audit.h, on a hand-computed fixture.
 *
 * The 24 leads of test_sweep.c (same dates, plans, outcomes, scores, fit scores, holdout and
 * disqualifiers), with a channel and a sales feedback column added, and every predicted
 * probability set to 0.5 by hand. At capacity 3 and target 0.55 the recommended rule is 11
 * points with fit >= 5 (test_sweep.c), whose 12 MQLs are (lead month plan channel sql feedback):
 *
 *   L01 Jan basic ref 1 accepted    L09 Feb pro   ref 1 accepted    L16 Apr pro   ref 1 accepted
 *   L17 Apr basic ref 1 (missing)   L03 Jan basic ads 0 rejected    L10 Feb basic ads 0 rejected
 *   L19 Apr basic ads 0 accepted    L24 Apr basic ads 0 rejected    L05 Jan basic web 1 accepted
 *   L12 Feb basic web 1 accepted    L13 Feb pro   web 0 rejected    L20 Apr pro   web 1 accepted
 *
 * channel (leads: ref 5, ads 6, web 12, missing 1 = L22; 11 SQLs in all):
 *   ref  4 MQLs 4 SQLs: conversion 1, Wilson low 0.5101 > 0.5 predicted (the former, uncorrected
 *        rule called it under-rated; its calibration test, p 0.0455, does not survive Holm)
 *   ads  4 MQLs 0 SQLs: conversion 0, Wilson high 0.4899 < 0.5 (formerly over-rated; p 0.0455)
 *   web  4 MQLs 3 SQLs: 0.75 in [0.3006, 0.9544]: ok
 *   (missing) 0 MQLs: no MQL
 * plan (leads: basic 12, pro 10, legacy 2): basic 8 MQLs 4 SQLs (ok), pro 4 MQLs 3 SQLs (ok),
 *   legacy 0 MQLs (both legacy leads are disqualified).
 * Months Jan, Feb, Mar, Apr: ref MQLs 1 1 0 2 (SQLs 1 1 0 2), ads 1 1 0 2 (0 0 0 0), web 1 2 0 1
 * (1 1 0 1). Feedback values: accepted, recycled (L02 only, no MQL), rejected, (missing).
 */
#include "testutil.h"

#include "sweep_fixture.h"

#include <math.h>

#include "mqlcal/fsx.h"
#include "mqlcal/audit.h"
#include "mqlcal/fit.h"
#include "mqlcal/ingest.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"

static const char csv_text[] = "lead_id,created_at,job,plan,channel,fb,became_sql\n"
                               "L01,2025-01-03,manager,basic,ref,accepted,1\n"
                               "L02,2025-01-09,manager,pro,ref,recycled,1\n"
                               "L03,2025-01-15,manager,basic,ads,rejected,0\n"
                               "L04,2025-01-20,manager,pro,ads,,0\n"
                               "L05,2025-01-24,manager,basic,web,accepted,1\n"
                               "L06,2025-01-28,manager,pro,ads,,0\n"
                               "L07,2025-01-31,manager,basic,web,,0\n"
                               "L08,2025-01-02,student,basic,web,accepted,1\n"
                               "L09,2025-02-01,manager,pro,ref,accepted,1\n"
                               "L10,2025-02-05,manager,basic,ads,rejected,0\n"
                               "L11,2025-02-10,manager,pro,web,,1\n"
                               "L12,2025-02-14,manager,basic,web,accepted,1\n"
                               "L13,2025-02-19,manager,pro,web,rejected,0\n"
                               "L14,2025-02-24,manager,basic,web,,0\n"
                               "L15,2025-02-28,manager,legacy,web,,0\n"
                               "L16,2025-04-01,manager,pro,ref,accepted,1\n"
                               "L17,2025-04-07,manager,basic,ref,,1\n"
                               "L18,2025-04-11,manager,pro,web,,0\n"
                               "L19,2025-04-16,manager,basic,ads,accepted,0\n"
                               "L20,2025-04-21,manager,pro,web,accepted,1\n"
                               "L21,2025-04-25,manager,basic,web,,0\n"
                               "L22,2025-04-28,manager,pro,,,0\n"
                               "L23,2025-04-29,STUDENT,legacy,web,,1\n"
                               "L24,2025-04-30,manager,basic,ads,rejected,0\n";

static const char config_text[] =
    "[data]\nleads = leads.csv\nid = lead_id\noutcome = became_sql\ndate = created_at\n"
    "feedback = fb\n"
    "[attributes]\nplan = categorical, fit\n"
    "[segments]\nby = channel, plan\n"
    "[rules]\ndisqualify = job:student, plan: Legacy\n"
    "[model]\nholdout = none\nmin_level_count = 1\n"
    "[calibration]\ncapacity = 3\ncapacity_rule = mean\ntarget_conversion = 0.55\nbootstrap = 0\n";

struct fixture {
    char dir[256];
    char db_path[512];
    struct config cfg;
    struct sweep_result sw;
    struct audit_result au;
};

/* Ingests, fits, writes the hand scores and probabilities over the fit's, sweeps, audits. */
static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    tu_mkdtemp(fx->dir, sizeof fx->dir);
    tu_ingest_text(fx->dir, csv_text, config_text, &fx->cfg, fx->db_path, sizeof fx->db_path,
                   NLEADS);
    struct mql_err err;
    mql_err_clear(&err);

    sqlite3 *db = tu_open_store(fx->db_path);
    struct fit_result fr;
    int rc = fit_run(db, &fx->cfg, &fr, &err);
    long long fit_id = fr.fit_id;
    fit_release(&fr);
    if (rc)
        fail_msg("fit_run: %s", err.msg);
    unsigned char holdout[NLEADS] = {0};
    double p[NLEADS];
    for (int i = 0; i < NLEADS; i++)
        p[i] = 0.5;
    if (store_array_put(db, fit_id, "fit:score", STORE_I32, fx_score, NLEADS, NULL, 0, &err) ||
        store_array_put(db, fit_id, "fit:fit_score", STORE_I32, fx_fit, NLEADS, NULL, 0, &err) ||
        store_array_put(db, fit_id, "fit:holdout", STORE_U8, holdout, NLEADS, NULL, 0, &err) ||
        store_array_put(db, fit_id, "fit:p", STORE_F64, p, NLEADS, NULL, 0, &err))
        fail_msg("store_array_put: %s", err.msg);
    if (sweep_compute(db, &fx->cfg, &fx->sw, &err) != 0)
        fail_msg("sweep_compute: %s", err.msg);
    if (audit_run(&fx->cfg, &fx->sw, &fx->au, &err) != 0)
        fail_msg("audit_run: %s", err.msg);
    store_close(db);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    if (!fx) /* the set-up failed */
        return 0;
    audit_release(&fx->au);
    sweep_release(&fx->sw);
    config_release(&fx->cfg);
    tu_rmrf(fx->dir);
    free(fx);
    return 0;
}

static const struct audit_value *value_of(const struct audit_segment *s, const char *v)
{
    for (size_t i = 0; i < s->nvalues; i++)
        if (strcmp(s->values[i].value, v) == 0)
            return &s->values[i];
    fail_msg("no value '%s' in segment %s", v, s->column);
    return NULL;
}

static void expect_periods(const struct audit_value *v, const size_t *mqls, const size_t *sqls)
{
    for (size_t t = 0; t < 4; t++) {
        if (v->period_mqls[t] != mqls[t] || v->period_sqls[t] != sqls[t])
            fail_msg("%s, period %zu: %zu MQLs %zu SQLs, want %zu %zu", v->value, t,
                     v->period_mqls[t], v->period_sqls[t], mqls[t], sqls[t]);
    }
}

static void test_the_rule(void **state)
{
    const struct fixture *fx = *state;
    assert_true(fx->sw.has_rec);
    assert_int_equal(fx->sw.rec.threshold, 11);
    assert_int_equal(fx->sw.rec.fit_min, 5);
    assert_int_equal(fx->sw.rec.mqls, 12);
    assert_int_equal(fx->sw.rec.sqls, 7);
    assert_int_equal(fx->au.nperiods, 4);
    assert_int_equal(fx->au.nsegments, 2);
    assert_string_equal(fx->au.segments[0].column, "channel");
    assert_string_equal(fx->au.segments[1].column, "plan");
}

static void test_channel(void **state)
{
    const struct fixture *fx = *state;
    const struct audit_segment *s = &fx->au.segments[0];
    assert_int_equal(s->nvalues, 4);
    /* by leads, most first */
    assert_string_equal(s->values[0].value, "web");
    assert_string_equal(s->values[1].value, "ads");
    assert_string_equal(s->values[2].value, "ref");
    assert_string_equal(s->values[3].value, "(missing)");

    const struct audit_value *ref = value_of(s, "ref");
    assert_int_equal(ref->leads, 5);
    assert_int_equal(ref->mqls, 4);
    assert_int_equal(ref->sqls, 4);
    assert_near(ref->mql_rate, 4.0 / 5, 1e-15);
    assert_near(ref->conversion, 1.0, 1e-15);
    /* Wilson for 4 of 4: (1 + z^2/8 - z sqrt(z^2/64)) / (1 + z^2/4) */
    double z = 1.959963984540054, z2 = z * z;
    assert_near(ref->conv_lo, (1 + z2 / 8 - z * sqrt(z2 / 64)) / (1 + z2 / 4), 1e-12);
    assert_near(ref->conv_lo, 0.5101, 1e-4);
    assert_near(ref->conv_hi, 1.0, 1e-12);
    assert_near(ref->share_sqls, 4.0 / 11, 1e-15);
    assert_near(ref->predicted, 0.5, 1e-15);
    /* 4 SQLs where the model expects 2 (4 leads at p = 0.5): z = (4 - 2) / sqrt(4 x 0.25) = 2,
     * two-sided p = erfc(sqrt 2) = 0.0455. Under 5 % alone, but Holm over the fixture's values
     * (ads ties it) needs p < 0.05 / 2 for the smallest: no flag, a chance a calibrated model
     * would give */
    assert_near(ref->p_calib, erfc(sqrt(2.0)), 1e-12);
    assert_true(ref->p_calib_holm >= 2 * ref->p_calib - 1e-12);
    assert_int_equal(ref->flag, AUDIT_OK);
    assert_near(ref->all_conversion, 1.0, 1e-15); /* all 5 leads SQLs (L02 is no MQL) */
    expect_periods(ref, (const size_t[]){1, 1, 0, 2}, (const size_t[]){1, 1, 0, 2});

    const struct audit_value *ads = value_of(s, "ads");
    assert_int_equal(ads->leads, 6);
    assert_int_equal(ads->mqls, 4);
    assert_int_equal(ads->sqls, 0);
    assert_near(ads->conversion, 0.0, 1e-15);
    assert_near(ads->conv_hi, 1 - ref->conv_lo, 1e-12); /* Wilson is symmetric */
    assert_near(ads->share_sqls, 0.0, 1e-15);
    assert_near(ads->p_calib, erfc(sqrt(2.0)), 1e-12); /* 0 where 2 are expected: z = -2 */
    assert_int_equal(ads->flag, AUDIT_OK);
    expect_periods(ads, (const size_t[]){1, 1, 0, 2}, (const size_t[]){0, 0, 0, 0});

    const struct audit_value *web = value_of(s, "web");
    assert_int_equal(web->leads, 12);
    assert_int_equal(web->mqls, 4);
    assert_int_equal(web->sqls, 3);
    assert_near(web->mql_rate, 4.0 / 12, 1e-15);
    assert_near(web->conversion, 0.75, 1e-15);
    assert_near(web->conv_lo, 0.3006, 1e-4);
    assert_near(web->conv_hi, 0.9544, 1e-4);
    assert_near(web->share_sqls, 3.0 / 11, 1e-15);
    assert_int_equal(web->flag, AUDIT_OK);
    expect_periods(web, (const size_t[]){1, 2, 0, 1}, (const size_t[]){1, 1, 0, 1});

    const struct audit_value *miss = value_of(s, "(missing)");
    assert_int_equal(miss->leads, 1);
    assert_int_equal(miss->mqls, 0);
    assert_int_equal(miss->flag, AUDIT_NO_MQL);
    assert_true(isnan(miss->conversion));
    assert_true(isnan(miss->predicted));
    assert_near(miss->mql_rate, 0.0, 0);
}

static void test_plan(void **state)
{
    const struct fixture *fx = *state;
    const struct audit_segment *s = &fx->au.segments[1];
    assert_int_equal(s->nvalues, 3);
    assert_string_equal(s->values[0].value, "basic");
    assert_string_equal(s->values[1].value, "pro");
    assert_string_equal(s->values[2].value, "legacy");
    const struct audit_value *b = &s->values[0], *p = &s->values[1], *l = &s->values[2];
    assert_int_equal(b->leads, 12);
    assert_int_equal(b->mqls, 8);
    assert_int_equal(b->sqls, 4);
    assert_near(b->conversion, 0.5, 1e-15);
    assert_near(b->conv_lo, 0.2152, 1e-4);
    assert_near(b->conv_hi, 0.7848, 1e-4);
    assert_int_equal(b->flag, AUDIT_OK);
    assert_int_equal(p->leads, 10);
    assert_int_equal(p->mqls, 4);
    assert_int_equal(p->sqls, 3);
    assert_int_equal(l->leads, 2);
    assert_int_equal(l->mqls, 0); /* both disqualified */
    assert_int_equal(l->flag, AUDIT_NO_MQL);
    /* the values add up to the rule */
    assert_int_equal(b->mqls + p->mqls + l->mqls, fx->sw.rec.mqls);
    assert_int_equal(b->sqls + p->sqls + l->sqls, fx->sw.rec.sqls);
}

static void test_feedback(void **state)
{
    const struct fixture *fx = *state;
    const struct audit_result *a = &fx->au;
    assert_int_equal(a->nfeedback, 4);
    assert_string_equal(a->feedback_values[0], "accepted");
    assert_string_equal(a->feedback_values[1], "recycled");
    assert_string_equal(a->feedback_values[2], "rejected");
    assert_string_equal(a->feedback_values[3], "(missing)");
    const struct audit_segment *s = &a->segments[0];
    const struct {
        const char *value;
        size_t counts[4];
    } want[] = {
        {"ref", {3, 0, 0, 1}},
        {"ads", {1, 0, 3, 0}},
        {"web", {3, 0, 1, 0}},
        {"(missing)", {0, 0, 0, 0}},
    };
    for (size_t i = 0; i < 4; i++) {
        const struct audit_value *v = value_of(s, want[i].value);
        for (size_t f = 0; f < 4; f++)
            if (v->feedback[f] != want[i].counts[f])
                fail_msg("%s / %s: %zu MQLs, want %zu", want[i].value, a->feedback_values[f],
                         v->feedback[f], want[i].counts[f]);
    }
}

/* Stored and written: the rows of audit_segments and audit.csv. */
static void test_store_and_csv(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *db = tu_open_store(fx->db_path);
    struct mql_err err;
    mql_err_clear(&err);
    if (fsx_mkdirs(fx->cfg.out_dir, &err) || sweep_store(db, &fx->cfg, &fx->sw, &err) ||
        audit_store(db, &fx->cfg, &fx->sw, &fx->au, &err))
        fail_msg("store: %s", err.msg);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT count(*), sum(mqls), sum(sqls), group_concat(flag, '|') "
                           "FROM (SELECT * FROM audit_segments WHERE column_name = "
                           "'channel' ORDER BY leads DESC)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 4);
    assert_int_equal(sqlite3_column_int(st, 1), 12);
    assert_int_equal(sqlite3_column_int(st, 2), 7);
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "|||no MQL");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT sum(mqls) FROM audit_feedback WHERE column_name = "
                                        "'channel' AND feedback = 'rejected'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 4);
    sqlite3_finalize(st);
    /* sweep_periods: the rule's MQLs per month (Jan L01 L03 L05; Feb L09 L10 L12 L13; none in
     * March; Apr L16 L17 L19 L20 L24) */
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT group_concat(period || ':' || leads || '/' || mqls || "
                           "'/' || sqls, ' ') FROM (SELECT * FROM sweep_periods ORDER "
                           "BY position)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0),
                        "2025-01:8/3/2 2025-02:7/4/2 2025-03:0/0/0 2025-04:9/5/3");
    sqlite3_finalize(st);
    store_close(db);

    char path[600];
    snprintf(path, sizeof path, "%s/audit.csv", fx->cfg.out_dir);
    char *csv = tu_read_file(path);
    assert_non_null(csv);
    assert_non_null(strstr(csv, "\nchannel,ref,5,1,4,"));
    assert_null(strstr(csv, "under-rated")); /* no flag survives Holm on 24 leads */
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_rule),      cmocka_unit_test(test_channel),
        cmocka_unit_test(test_plan),          cmocka_unit_test(test_feedback),
        cmocka_unit_test(test_store_and_csv),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
