/*
 * schema.c: the declaration of every table of the store, and the CREATE TABLE text, row writer
 * and result check made from it (schema.h). A column added to a table is added here, in
 * docs/store.md (tests/unit/test_schema.c compares them) and with STORE_SCHEMA_VERSION.
 */
#include "mqlcal/schema.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/store.h"
#include "mqlcal/strbuf.h"

/* ---- the declarations ---------------------------------------------------------------------- */

static const struct schema_column meta_cols[] = {
    {"key", S_TEXT, "PRIMARY KEY"},
    {"value", S_TEXT, ""},
};

static const struct schema_column loads_cols[] = {
    {"load_id", S_INT, "PRIMARY KEY"},
    {"source", S_TEXT, "NOT NULL"},
    {"config", S_TEXT, "NOT NULL"},
    {"started_at", S_TEXT, "NOT NULL"},
    {"finished_at", S_TEXT, ""},
    {"bytes", S_INT, ""},
    {"rows_read", S_INT, ""},
    {"rows_loaded", S_INT, ""},
    {"rows_rejected", S_INT, ""},
    {"blank_lines", S_INT, ""},
    {"date_min", S_TEXT, ""},
    {"date_max", S_TEXT, ""},
    {"sha256", S_TEXT, ""},
    {"lines", S_INT, ""},
    {"lines_header", S_INT, ""},
    {"lines_loaded", S_INT, ""},
    {"lines_rejected", S_INT, ""},
    {"source_size", S_INT, ""},
    {"source_mtime", S_TEXT, ""},
    {"config_hash", S_TEXT, ""},
    {"outcomes_source", S_TEXT, ""},
    {"outcomes_rows", S_INT, ""},
    {"outcomes_rows_no_id", S_INT, ""},
    {"outcomes_ids", S_INT, ""},
    {"outcomes_ids_matched", S_INT, ""},
    {"outcomes_sha256", S_TEXT, ""},
    {"sqls", S_INT, ""},
    {"not_sqls", S_INT, ""},
    {"pending", S_INT, ""},
    {"outcomes_pending_rows", S_INT, ""},
};

static const struct schema_column columns_cols[] = {
    {"position", S_INT, "PRIMARY KEY"},
    {"name", S_TEXT, "NOT NULL UNIQUE"},
    {"role", S_TEXT, "NOT NULL"},
    {"kind", S_TEXT, ""},
    {"grp", S_TEXT, ""},
    {"csv_field", S_INT, "NOT NULL"},
    {"missing", S_INT, ""},
};

static const struct schema_column joins_cols[] = {
    {"name", S_TEXT, "PRIMARY KEY"},      {"source", S_TEXT, "NOT NULL"},
    {"key", S_TEXT, "NOT NULL"},          {"on_column", S_TEXT, "NOT NULL"},
    {"sha256", S_TEXT, "NOT NULL"},       {"rows", S_INT, "NOT NULL"},
    {"rows_no_key", S_INT, "NOT NULL"},   {"keys", S_INT, "NOT NULL"},
    {"leads_matched", S_INT, "NOT NULL"}, {"leads_unmatched", S_INT, "NOT NULL"},
    {"keys_unused", S_INT, "NOT NULL"},
};

static const struct schema_column rejects_cols[] = {
    {"line", S_INT, "NOT NULL"},    {"lines", S_INT, "NOT NULL"}, {"reason", S_TEXT, "NOT NULL"},
    {"detail", S_TEXT, "NOT NULL"}, {"raw", S_ANY, ""},
};

static const struct schema_column maturity_cols[] = {
    {"as_of", S_TEXT, "NOT NULL"},
    {"as_of_source", S_TEXT, "NOT NULL"},
    {"window_days", S_INT, "NOT NULL"},
    {"window_source", S_TEXT, "NOT NULL"},
    {"median_days", S_INT, ""},
    {"p90_days", S_INT, ""},
    {"p95_days", S_INT, ""},
    {"leads", S_INT, "NOT NULL"},
    {"sqls", S_INT, "NOT NULL"},
    {"late_sqls", S_INT, "NOT NULL"},
    {"sqls_undated", S_INT, "NOT NULL"},
    {"mature", S_INT, "NOT NULL"},
    {"immature", S_INT, "NOT NULL"},
    {"immature_sqls", S_INT, "NOT NULL"},
    {"undated", S_INT, "NOT NULL"},
    {"pending", S_INT, "NOT NULL"},
    {"immature_from", S_TEXT, "NOT NULL"},
    {"curve_subjects", S_INT, "NOT NULL"},
    {"curve_events", S_INT, "NOT NULL"},
};

static const struct schema_column maturity_curve_cols[] = {
    {"day", S_INT, "NOT NULL PRIMARY KEY"}, {"at_risk", S_INT, "NOT NULL"},
    {"events", S_INT, "NOT NULL"},          {"censored", S_INT, "NOT NULL"},
    {"converted", S_REAL, "NOT NULL"},      {"converted_lo", S_REAL, ""},
    {"converted_hi", S_REAL, ""},           {"se_log", S_REAL, ""},
};

static const struct schema_column maturity_periods_cols[] = {
    {"position", S_INT, "NOT NULL PRIMARY KEY"},
    {"period", S_TEXT, "NOT NULL"},
    {"first_day", S_TEXT, "NOT NULL"},
    {"status", S_TEXT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},
    {"pending", S_INT, "NOT NULL"},
    {"mature", S_INT, "NOT NULL"},
    {"immature", S_INT, "NOT NULL"},
    {"sqls", S_INT, "NOT NULL"},
    {"late_sqls", S_INT, "NOT NULL"},
    {"sqls_so_far", S_INT, "NOT NULL"},
    {"conversion", S_REAL, ""},
    {"expected_conversion", S_REAL, ""},
};

static const struct schema_column leads_cols[] = {
    {"_line", S_INT, "NOT NULL"},
    {"_id", S_TEXT, "NOT NULL PRIMARY KEY"},
    {"_outcome", S_INT, "CHECK (_outcome IN (0, 1))"},
    {"_created", S_TEXT, ""},
    {"_sql_at", S_TEXT, ""},
    {"_maturity", S_TEXT, ""},
};

static const struct schema_column fits_cols[] = {
    {"fit_id", S_INT, "PRIMARY KEY"},
    {"created_at", S_TEXT, "NOT NULL"},
    {"mqlcal_version", S_TEXT, "NOT NULL"},
    {"config", S_TEXT, "NOT NULL"},
    {"config_hash", S_TEXT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},
    {"date_min", S_TEXT, ""},
    {"date_max", S_TEXT, ""},
    {"holdout", S_TEXT, "NOT NULL"},
    {"n_train", S_INT, "NOT NULL"},
    {"n_holdout", S_INT, "NOT NULL"},
    {"sql_train", S_INT, "NOT NULL"},
    {"sql_holdout", S_INT, "NOT NULL"},
    {"columns", S_INT, "NOT NULL"},
    {"aliased", S_INT, "NOT NULL"},
    {"l2", S_REAL, "NOT NULL"},
    {"iterations", S_INT, "NOT NULL"},
    {"converged", S_INT, "NOT NULL"},
    {"deviance", S_REAL, "NOT NULL"},
    {"null_deviance", S_REAL, "NOT NULL"},
    {"aic", S_REAL, "NOT NULL"},
    {"intercept", S_REAL, "NOT NULL"},
    {"intercept_se", S_REAL, ""},
    {"scaling", S_TEXT, "NOT NULL"},
    {"base", S_INT, "NOT NULL"},
    {"factor", S_REAL, "NOT NULL"},
    {"offset", S_REAL, "NOT NULL"},
    {"min_score", S_INT, "NOT NULL"},
    {"max_score", S_INT, "NOT NULL"},
    {"n_pending", S_INT, "NOT NULL"},
};

static const struct schema_column fit_attributes_cols[] = {
    {"fit_id", S_INT, "NOT NULL"},
    {"position", S_INT, "NOT NULL"},
    {"attribute", S_TEXT, "NOT NULL"},
    {"kind", S_TEXT, "NOT NULL"},
    {"grp", S_TEXT, "NOT NULL"},
    {"excluded", S_INT, "NOT NULL"},
    {"why", S_TEXT, ""},
    {"auc_alone", S_REAL, ""},
    {"reference", S_INT, "NOT NULL"},
    {"missing_level", S_INT, "NOT NULL"},
    {"unseen_level", S_INT, "NOT NULL"},
};

static const struct schema_column fit_levels_cols[] = {
    {"fit_id", S_INT, "NOT NULL"},
    {"attribute", S_TEXT, "NOT NULL"},
    {"position", S_INT, "NOT NULL"},
    {"level", S_INT, "NOT NULL"},
    {"label", S_TEXT, "NOT NULL"},
    {"lo", S_REAL, ""},
    {"hi", S_REAL, ""},
    {"is_missing", S_INT, "NOT NULL"},
    {"is_other", S_INT, "NOT NULL"},
    {"is_reference", S_INT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},
    {"sqls", S_INT, "NOT NULL"},
    {"design_column", S_INT, ""},
    {"coef", S_REAL, ""},
    {"se", S_REAL, ""},
    {"z", S_REAL, ""},
    {"p_value", S_REAL, ""},
    {"ci_lo", S_REAL, ""},
    {"ci_hi", S_REAL, ""},
    {"aliased", S_INT, "NOT NULL"},
    {"points", S_INT, "NOT NULL"},
};

static const struct schema_column fit_values_cols[] = {
    {"fit_id", S_INT, "NOT NULL"},
    {"attribute", S_TEXT, "NOT NULL"},
    {"value", S_TEXT, "NOT NULL"},
    {"level", S_INT, "NOT NULL"},
};

static const struct schema_column fit_metrics_cols[] = {
    {"fit_id", S_INT, "NOT NULL"},
    {"sample", S_TEXT, "NOT NULL"},
    {"metric", S_TEXT, "NOT NULL"},
    {"value", S_REAL, ""},
    {"lo", S_REAL, ""},
    {"hi", S_REAL, ""},
};

static const struct schema_column fit_calibration_cols[] = {
    {"fit_id", S_INT, "NOT NULL"},
    {"sample", S_TEXT, "NOT NULL"},
    {"bin", S_INT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},
    {"sqls", S_INT, "NOT NULL"},
    {"p_min", S_REAL, ""},
    {"p_max", S_REAL, ""},
    {"predicted", S_REAL, ""},
    {"observed", S_REAL, ""},
    {"lo", S_REAL, ""},
    {"hi", S_REAL, ""},
};

static const struct schema_column fit_warnings_cols[] = {
    {"fit_id", S_INT, "NOT NULL"},
    {"kind", S_TEXT, "NOT NULL"},
    {"subject", S_TEXT, "NOT NULL"},
    {"message", S_TEXT, "NOT NULL"},
};

static const struct schema_column fit_histogram_cols[] = {
    {"fit_id", S_INT, "NOT NULL"}, {"sample", S_TEXT, "NOT NULL"}, {"score", S_INT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},  {"sqls", S_INT, "NOT NULL"},
};

static const struct schema_column scores_cols[] = {
    {"_id", S_TEXT, "PRIMARY KEY"},
    {"_line", S_INT, "NOT NULL"},
    {"fit_id", S_INT, "NOT NULL"},
    {"holdout", S_INT, "NOT NULL"},
    {"score", S_INT, "NOT NULL"},
    {"fit_score", S_INT, "NOT NULL"},
    {"engagement_score", S_INT, "NOT NULL"},
    {"p", S_REAL, "NOT NULL"},
};

static const struct schema_column fit_arrays_cols[] = {
    {"fit_id", S_INT, "NOT NULL"}, {"name", S_TEXT, "NOT NULL"}, {"type", S_TEXT, "NOT NULL"},
    {"n", S_INT, "NOT NULL"},      {"data", S_BLOB, "NOT NULL"}, {"dict", S_BLOB, ""},
};

static const struct schema_column sweeps_cols[] = {
    {"sweep_id", S_INT, "PRIMARY KEY"},
    {"fit_id", S_INT, "NOT NULL"},
    {"created_at", S_TEXT, "NOT NULL"},
    {"period", S_TEXT, "NOT NULL"},
    {"periods", S_INT, "NOT NULL"},
    {"capacity", S_REAL, ""},
    {"capacity_rule", S_TEXT, "NOT NULL"},
    {"target_conversion", S_REAL, ""},
    {"bootstrap", S_INT, "NOT NULL"},
    {"seed", S_INT, "NOT NULL"},
    {"recommended", S_INT, "NOT NULL"},
    {"threshold", S_INT, ""},
    {"fit_min", S_INT, ""},
    {"mqls", S_INT, ""},
    {"sqls", S_INT, ""},
    {"conversion", S_REAL, ""},
    {"conv_lo", S_REAL, ""},
    {"conv_hi", S_REAL, ""},
    {"recall", S_REAL, ""},
    {"vol_mean", S_REAL, ""},
    {"vol_p90", S_REAL, ""},
    {"vol_recent", S_REAL, ""},
    {"vol_cap", S_REAL, ""},
    {"months_over", S_INT, ""},
    {"months_whole", S_INT, ""},
    {"train_mqls", S_INT, ""},
    {"train_sqls", S_INT, ""},
    {"train_conversion", S_REAL, ""},
    {"holdout_mqls", S_INT, ""},
    {"holdout_sqls", S_INT, ""},
    {"holdout_conversion", S_REAL, ""},
    {"holdout_conv_lo", S_REAL, ""},
    {"holdout_conv_hi", S_REAL, ""},
    {"basis", S_TEXT, ""},
    {"horizon", S_INT, ""},
    {"recent_periods", S_INT, ""},
    {"growth", S_REAL, ""},
    {"exp_mqls", S_REAL, ""},
    {"exp_mqls_lo", S_REAL, ""},
    {"exp_mqls_hi", S_REAL, ""},
    {"exp_conversion", S_REAL, ""},
    {"exp_conv_lo", S_REAL, ""},
    {"exp_conv_hi", S_REAL, ""},
    {"exp_sqls", S_REAL, ""},
    {"exp_sqls_lo", S_REAL, ""},
    {"exp_sqls_hi", S_REAL, ""},
    {"feasible_share", S_REAL, ""},
    {"binding", S_TEXT, ""},
    {"reasoning", S_TEXT, "NOT NULL"},
    {"warnings", S_TEXT, ""},
    {"pending", S_INT, ""},
    {"holdout_pending", S_INT, ""},
};

static const struct schema_column sweep_thresholds_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"},  {"sample", S_TEXT, "NOT NULL"},
    {"threshold", S_INT, "NOT NULL"}, {"mqls", S_INT, "NOT NULL"},
    {"sqls", S_INT, "NOT NULL"},      {"conversion", S_REAL, ""},
    {"conv_lo", S_REAL, ""},          {"conv_hi", S_REAL, ""},
    {"recall", S_REAL, ""},           {"lift", S_REAL, ""},
    {"vol_mean", S_REAL, ""},         {"vol_max", S_REAL, ""},
    {"vol_p90", S_REAL, ""},          {"sqls_per_period", S_REAL, ""},
    {"share_fit", S_REAL, ""},        {"band_conv_lo", S_REAL, ""},
    {"band_conv_hi", S_REAL, ""},     {"band_vol_lo", S_REAL, ""},
    {"band_vol_hi", S_REAL, ""},      {"pending", S_INT, "NOT NULL"},
    {"vol_recent", S_REAL, ""},       {"vol_cap", S_REAL, ""},
};

static const struct schema_column sweep_grid_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"}, {"threshold", S_INT, "NOT NULL"},
    {"fit_min", S_INT, ""},          {"mqls", S_INT, "NOT NULL"},
    {"sqls", S_INT, "NOT NULL"},     {"conversion", S_REAL, ""},
    {"vol_mean", S_REAL, ""},        {"vol_max", S_REAL, ""},
    {"vol_p90", S_REAL, ""},         {"sqls_per_period", S_REAL, ""},
    {"share_fit", S_REAL, ""},       {"feasible", S_INT, "NOT NULL"},
    {"pending", S_INT, "NOT NULL"},  {"decided", S_INT, "NOT NULL"},
    {"vol_recent", S_REAL, ""},      {"vol_cap", S_REAL, ""},
};

static const struct schema_column sweep_periods_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"}, {"position", S_INT, "NOT NULL"},
    {"period", S_TEXT, "NOT NULL"},  {"leads", S_INT, "NOT NULL"},
    {"mqls", S_INT, "NOT NULL"},     {"sqls", S_INT, "NOT NULL"},
    {"conversion", S_REAL, ""},      {"partial", S_INT, "NOT NULL"},
    {"pending", S_INT, "NOT NULL"},
};

static const struct schema_column sweep_disqualifiers_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"},     {"rule", S_TEXT, "NOT NULL"},
    {"column_name", S_TEXT, "NOT NULL"}, {"value", S_TEXT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},        {"sqls", S_INT, "NOT NULL"},
    {"conversion", S_REAL, ""},          {"mqls_blocked", S_INT, "NOT NULL"},
    {"sqls_blocked", S_INT, "NOT NULL"}, {"pending", S_INT, "NOT NULL"},
};

static const struct schema_column audit_segments_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"},
    {"column_name", S_TEXT, "NOT NULL"},
    {"value", S_TEXT, "NOT NULL"},
    {"leads", S_INT, "NOT NULL"},
    {"mqls", S_INT, "NOT NULL"},
    {"mql_rate", S_REAL, ""},
    {"sqls", S_INT, "NOT NULL"},
    {"conversion", S_REAL, ""},
    {"conv_lo", S_REAL, ""},
    {"conv_hi", S_REAL, ""},
    {"share_sqls", S_REAL, ""},
    {"predicted", S_REAL, ""},
    {"flag", S_TEXT, "NOT NULL"},
    {"pending", S_INT, "NOT NULL"},
    {"known", S_INT, "NOT NULL"},
    {"all_sqls", S_INT, "NOT NULL"},
    {"all_conversion", S_REAL, ""},
    {"p_calibration", S_REAL, ""},
    {"p_calibration_holm", S_REAL, ""},
    {"p_low", S_REAL, ""},
    {"p_low_holm", S_REAL, ""},
    {"low", S_INT, "NOT NULL"},
};

static const struct schema_column audit_periods_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"}, {"column_name", S_TEXT, "NOT NULL"},
    {"value", S_TEXT, "NOT NULL"},   {"period", S_TEXT, "NOT NULL"},
    {"mqls", S_INT, "NOT NULL"},     {"sqls", S_INT, "NOT NULL"},
    {"conversion", S_REAL, ""},      {"pending", S_INT, "NOT NULL"},
};

static const struct schema_column audit_feedback_cols[] = {
    {"sweep_id", S_INT, "NOT NULL"}, {"column_name", S_TEXT, "NOT NULL"},
    {"value", S_TEXT, "NOT NULL"},   {"feedback", S_TEXT, "NOT NULL"},
    {"mqls", S_INT, "NOT NULL"},
};

static const struct schema_column reviews_cols[] = {
    {"review_id", S_INT, "PRIMARY KEY"},
    {"created_at", S_TEXT, "NOT NULL"},
    {"fit_id", S_INT, "NOT NULL"},
    {"previous", S_TEXT, "NOT NULL"},
    {"current", S_TEXT, "NOT NULL"},
    {"leads", S_INT, ""},
    {"sqls", S_INT, ""},
    {"periods", S_INT, ""},
    {"period", S_TEXT, ""},
    {"baseline", S_TEXT, ""},
    {"baseline_from", S_TEXT, ""},
    {"baseline_to", S_TEXT, ""},
    {"baseline_leads", S_INT, ""},
    {"current_span", S_TEXT, ""},
    {"current_from", S_TEXT, ""},
    {"current_to", S_TEXT, ""},
    {"current_leads", S_INT, ""},
    {"psi", S_REAL, ""},
    {"psi_band", S_TEXT, ""},
    {"psi_previous", S_REAL, ""},
    {"psi_rules", S_REAL, ""},
    {"flagged", S_INT, "NOT NULL"},
    {"span_note", S_TEXT, ""},
    {"summary", S_TEXT, "NOT NULL"},
    {"todo", S_TEXT, "NOT NULL"},
    {"seconds", S_REAL, ""},
    {"mqlcal_version", S_TEXT, ""},
};

static const struct schema_column review_rules_cols[] = {
    {"review_id", S_INT, "NOT NULL"},
    {"rule", S_TEXT, "NOT NULL"},
    {"source", S_TEXT, ""},
    {"has_rule", S_INT, ""},
    {"threshold", S_INT, ""},
    {"fit_min", S_INT, ""},
    {"mqls", S_INT, ""},
    {"sqls", S_INT, ""},
    {"conversion", S_REAL, ""},
    {"conv_lo", S_REAL, ""},
    {"conv_hi", S_REAL, ""},
    {"recall", S_REAL, ""},
    {"mqls_per_period", S_REAL, ""},
    {"sqls_per_period", S_REAL, ""},
    {"psi", S_REAL, ""},
    {"unscorable", S_INT, ""},
    {"pending", S_INT, ""},
};

static const struct schema_column review_flips_cols[] = {
    {"review_id", S_INT, "NOT NULL"},
    {"previous_mql", S_INT, ""},
    {"current_mql", S_INT, ""},
    {"leads", S_INT, ""},
    {"sqls", S_INT, ""},
    {"conversion", S_REAL, ""},
    {"conv_lo", S_REAL, ""},
    {"conv_hi", S_REAL, ""},
    {"pending", S_INT, ""},
};

static const struct schema_column review_points_cols[] = {
    {"review_id", S_INT, "NOT NULL"}, {"attribute", S_TEXT, ""},     {"level", S_TEXT, ""},
    {"previous_points", S_INT, ""},   {"current_points", S_INT, ""}, {"previous_above", S_INT, ""},
    {"current_above", S_INT, ""},     {"change", S_TEXT, ""},
};

static const struct schema_column review_attributes_cols[] = {
    {"review_id", S_INT, "NOT NULL"}, {"attribute", S_TEXT, ""},
    {"in_previous", S_INT, ""},       {"in_current", S_INT, ""},
    {"in_data", S_INT, ""},           {"csi", S_REAL, ""},
    {"csi_band", S_TEXT, ""},         {"score_shift", S_REAL, ""},
    {"new_share", S_REAL, ""},        {"new_value", S_TEXT, ""},
    {"tested_levels", S_INT, ""},     {"flagged", S_INT, ""},
    {"worst_level", S_TEXT, ""},      {"worst_z", S_REAL, ""},
    {"worst_p_holm", S_REAL, ""},     {"worst_points_change", S_REAL, ""},
    {"min_detectable", S_REAL, ""},
};

static const struct schema_column review_levels_cols[] = {
    {"review_id", S_INT, "NOT NULL"},
    {"attribute", S_TEXT, ""},
    {"level", S_TEXT, ""},
    {"b_baseline", S_REAL, ""},
    {"se_baseline", S_REAL, ""},
    {"b_current", S_REAL, ""},
    {"se_current", S_REAL, ""},
    {"z", S_REAL, ""},
    {"p", S_REAL, ""},
    {"p_holm", S_REAL, ""},
    {"points_change", S_REAL, ""},
    {"flagged", S_INT, ""},
    {"detectable", S_REAL, ""},
};

static const struct schema_column review_buckets_cols[] = {
    {"review_id", S_INT, "NOT NULL"}, {"attribute", S_TEXT, ""},     {"bucket", S_TEXT, ""},
    {"baseline_share", S_REAL, ""},   {"current_share", S_REAL, ""},
};

static const struct schema_column review_psi_cols[] = {
    {"review_id", S_INT, "NOT NULL"}, {"score_from", S_INT, ""},     {"score_to", S_INT, ""},
    {"baseline_share", S_REAL, ""},   {"current_share", S_REAL, ""},
};

static const struct schema_column review_promise_cols[] = {
    {"review_id", S_INT, "NOT NULL"},
    {"since", S_TEXT, ""},
    {"period", S_TEXT, ""},
    {"promised_conversion", S_REAL, ""},
    {"promised_lo", S_REAL, ""},
    {"promised_hi", S_REAL, ""},
    {"promised_per_period", S_REAL, ""},
    {"leads", S_INT, ""},
    {"mqls", S_INT, ""},
    {"pending", S_INT, ""},
    {"sqls", S_INT, ""},
    {"conversion", S_REAL, ""},
    {"conv_lo", S_REAL, ""},
    {"conv_hi", S_REAL, ""},
    {"per_period", S_REAL, ""},
    {"whole_periods", S_INT, ""},
};

static const struct schema_column review_periods_cols[] = {
    {"review_id", S_INT, "NOT NULL"},
    {"period", S_TEXT, ""},
    {"leads", S_INT, ""},
    {"sqls", S_INT, ""},
    {"previous_mqls", S_INT, ""},
    {"previous_sqls", S_INT, ""},
    {"current_mqls", S_INT, ""},
    {"current_sqls", S_INT, ""},
    {"pending", S_INT, ""},
    {"previous_pending", S_INT, ""},
    {"current_pending", S_INT, ""},
};

static const struct schema_column review_curve_cols[] = {
    {"review_id", S_INT, "NOT NULL"},
    {"rule", S_TEXT, ""},
    {"threshold", S_INT, ""},
    {"mqls", S_INT, ""},
    {"sqls", S_INT, ""},
    {"mqls_per_period", S_REAL, ""},
    {"conversion", S_REAL, ""},
    {"pending", S_INT, ""},
};

#define TABLE(name, stage, grain, cols, keys, options)                                             \
    {                                                                                              \
        name, stage, grain, cols, ARRAY_SIZE(cols), keys, options, 0                               \
    }
#define OPEN_TABLE(name, stage, grain, cols, keys, options)                                        \
    {                                                                                              \
        name, stage, grain, cols, ARRAY_SIZE(cols), keys, options, 1                               \
    }

static const struct schema_table tables[] = {
    TABLE("meta", "ingest", "key", meta_cols, NULL, "STRICT"),
    TABLE("loads", "ingest", "load (one row)", loads_cols, NULL, "STRICT"),
    TABLE("columns", "ingest", "stored column", columns_cols, NULL, "STRICT"),
    TABLE("joins", "ingest", "[join NAME] table", joins_cols, NULL, "STRICT"),
    TABLE("rejects", "ingest", "record that could not be loaded", rejects_cols, NULL, "STRICT"),
    TABLE("maturity", "maturity", "store (one row)", maturity_cols, NULL, ""),
    TABLE("maturity_curve", "maturity", "day since creation", maturity_curve_cols, NULL, ""),
    TABLE("maturity_periods", "maturity", "creation period", maturity_periods_cols, NULL, ""),
    OPEN_TABLE("leads", "ingest", "loaded record", leads_cols, NULL, "STRICT, WITHOUT ROWID"),
    TABLE("fits", "fit", "fit", fits_cols, NULL, "STRICT"),
    TABLE("fit_attributes", "fit", "attribute", fit_attributes_cols,
          "PRIMARY KEY (fit_id, position)", "STRICT"),
    TABLE("fit_levels", "fit", "attribute level", fit_levels_cols,
          "PRIMARY KEY (fit_id, position, level)", "STRICT"),
    TABLE("fit_values", "fit", "categorical value", fit_values_cols, NULL, "STRICT"),
    TABLE("fit_metrics", "fit", "sample × metric", fit_metrics_cols, NULL, "STRICT"),
    TABLE("fit_calibration", "fit", "sample × decile", fit_calibration_cols, NULL, "STRICT"),
    TABLE("fit_warnings", "fit", "warning", fit_warnings_cols, NULL, "STRICT"),
    TABLE("fit_histogram", "fit", "sample × score", fit_histogram_cols, NULL, "STRICT"),
    TABLE("scores", "fit", "lead (latest fit only; keyed by _id like leads)", scores_cols, NULL,
          "STRICT, WITHOUT ROWID"),
    TABLE("fit_arrays", "fit", "per-lead column of the latest fit", fit_arrays_cols,
          "PRIMARY KEY (fit_id, name)", "STRICT"),
    TABLE("sweeps", "sweep", "sweep", sweeps_cols, NULL, "STRICT"),
    TABLE("sweep_thresholds", "sweep", "sample × threshold", sweep_thresholds_cols,
          "PRIMARY KEY (sweep_id, sample, threshold)", "STRICT"),
    TABLE("sweep_grid", "sweep", "threshold × fit minimum (with MQLs)", sweep_grid_cols, NULL,
          "STRICT"),
    TABLE("sweep_periods", "sweep", "period", sweep_periods_cols, NULL, "STRICT"),
    TABLE("sweep_disqualifiers", "sweep", "[rules] disqualify item", sweep_disqualifiers_cols, NULL,
          "STRICT"),
    TABLE("audit_segments", "audit", "segment column × value", audit_segments_cols, NULL, "STRICT"),
    TABLE("audit_periods", "audit", "segment value × period", audit_periods_cols, NULL, "STRICT"),
    TABLE("audit_feedback", "audit", "segment value × feedback value", audit_feedback_cols, NULL,
          "STRICT"),
    TABLE("reviews", "review", "review", reviews_cols, NULL, ""),
    TABLE("review_rules", "review", "rule", review_rules_cols, "PRIMARY KEY (review_id, rule)", ""),
    TABLE("review_flips", "review", "cell", review_flips_cols, NULL, ""),
    TABLE("review_points", "review", "(attribute, level label) of either rule", review_points_cols,
          NULL, ""),
    TABLE("review_attributes", "review", "attribute of either rule", review_attributes_cols, NULL,
          ""),
    TABLE("review_levels", "review", "tested level of the current rule", review_levels_cols, NULL,
          ""),
    TABLE("review_buckets", "review", "attribute × bucket", review_buckets_cols, NULL, ""),
    TABLE("review_psi", "review", "score bin of the current rule", review_psi_cols, NULL, ""),
    TABLE("review_promise", "review",
          "one row, when the previous rule file has an expected block and its provenance an "
          "input.date_max",
          review_promise_cols, NULL, ""),
    TABLE("review_periods", "review", "period", review_periods_cols, NULL, ""),
    TABLE("review_curve", "review", "rule × threshold", review_curve_cols, NULL, ""),
};

size_t schema_count(void)
{
    return ARRAY_SIZE(tables);
}

const struct schema_table *schema_at(size_t i)
{
    return i < ARRAY_SIZE(tables) ? &tables[i] : NULL;
}

const struct schema_table *schema_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
        if (strcmp(tables[i].name, name) == 0)
            return &tables[i];
    return NULL;
}

size_t schema_column_index(const struct schema_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    return SIZE_MAX;
}

const char *schema_type_name(enum schema_type type)
{
    static const char *const names[] = {"INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
    return (size_t)type < ARRAY_SIZE(names) ? names[type] : "ANY";
}

/* ---- CREATE TABLE -------------------------------------------------------------------------- */

char *schema_create_sql(const struct schema_table *t, const char *extra)
{
    struct strbuf b = {0};
    strbuf_addf(&b, "CREATE TABLE IF NOT EXISTS %s(", t->name);
    for (size_t c = 0; c < t->ncols; c++) {
        const struct schema_column *col = &t->cols[c];
        strbuf_addf(&b, "%s%s %s", c ? ", " : "", col->name, schema_type_name(col->type));
        if (col->constraint[0])
            strbuf_addf(&b, " %s", col->constraint);
    }
    if (extra && extra[0])
        strbuf_addf(&b, ", %s", extra);
    if (t->keys)
        strbuf_addf(&b, ", %s", t->keys);
    strbuf_addf(&b, ")%s%s", t->options[0] ? " " : "", t->options);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static int create_one(sqlite3 *db, const struct schema_table *t, struct mql_err *err)
{
    char *sql = schema_create_sql(t, NULL);
    if (!sql)
        return mql_err_oom(err);
    int rc = store_exec(db, sql, err);
    free(sql);
    return rc;
}

int schema_create_table(sqlite3 *db, const char *name, struct mql_err *err)
{
    const struct schema_table *t = schema_find(name);
    if (!t)
        return mql_err_set(err, MQL_EIO, "internal: the schema declares no table '%s'", name);
    return create_one(db, t, err);
}

int schema_create(sqlite3 *db, const char *name, struct mql_err *err)
{
    int rc = 0, found = 0;
    for (size_t i = 0; i < ARRAY_SIZE(tables) && !rc; i++)
        if (strcmp(tables[i].stage, name) == 0 && !tables[i].open_ended) {
            found = 1;
            rc = create_one(db, &tables[i], err);
        }
    if (!rc && !found)
        rc = mql_err_set(err, MQL_EIO, "internal: the schema declares no stage '%s'", name);
    return rc;
}

int schema_check_result(const struct schema_table *t, char *const *names, size_t n,
                        struct mql_err *err)
{
    for (size_t c = 0; c < t->ncols; c++) {
        size_t k = 0;
        while (k < n && strcmp(names[k], t->cols[c].name) != 0)
            k++;
        if (k == n)
            return mql_err_set(err, MQL_EINPUT,
                               "the store's table '%s' has no column '%s': it was written by "
                               "another mqlcal; run 'mqlcal run' again",
                               t->name, t->cols[c].name);
    }
    return 0;
}

/* ---- the row writer ------------------------------------------------------------------------ */

static int row_open(struct schema_row *w, sqlite3 *db, const char *table, const char *verb,
                    struct mql_err *err);

int schema_row_open(struct schema_row *w, sqlite3 *db, const char *table, struct mql_err *err)
{
    return row_open(w, db, table, "INSERT", err);
}

int schema_row_replace(struct schema_row *w, sqlite3 *db, const char *table, struct mql_err *err)
{
    return row_open(w, db, table, "INSERT OR REPLACE", err);
}

static int row_open(struct schema_row *w, sqlite3 *db, const char *table, const char *verb,
                    struct mql_err *err)
{
    memset(w, 0, sizeof *w);
    w->db = db;
    w->err = err;
    w->t = schema_find(table);
    if (!w->t)
        return mql_err_set(err, MQL_EIO, "internal: the schema declares no table '%s'", table);
    struct strbuf b = {0};
    strbuf_addf(&b, "%s INTO %s(", verb, table);
    for (size_t c = 0; c < w->t->ncols; c++)
        strbuf_addf(&b, "%s%s", c ? ", " : "", w->t->cols[c].name);
    strbuf_add(&b, ") VALUES(");
    for (size_t c = 0; c < w->t->ncols; c++)
        strbuf_add(&b, c ? ", ?" : "?");
    strbuf_add(&b, ")");
    int rc = b.oom ? mql_err_oom(err) : store_prepare(db, b.s, &w->st, err);
    free(b.s);
    if (!rc && (size_t)sqlite3_bind_parameter_count(w->st) != w->t->ncols)
        rc = mql_err_set(err, MQL_EIO,
                         "internal: the insert into '%s' has %d values for %zu columns", table,
                         sqlite3_bind_parameter_count(w->st), w->t->ncols);
    return rc;
}

/* The column the next put fills, or NULL (and the writer marked bad) when the value does not
 * belong there. */
static const struct schema_column *slot(struct schema_row *w, int kind)
{
    if (w->bad)
        return NULL;
    if (!w->st) {
        w->bad = 1;
        mql_err_set(w->err, MQL_EIO, "internal: a put into a writer that is not open");
        return NULL;
    }
    if (w->next >= w->t->ncols) {
        w->bad = 1;
        mql_err_set(w->err, MQL_EIO, "internal: a row of '%s' given more than its %zu columns",
                    w->t->name, w->t->ncols);
        return NULL;
    }
    const struct schema_column *c = &w->t->cols[w->next];
    int ok = c->type == S_ANY || kind == S_INT || kind == S_ANY ||
             (kind == S_REAL && c->type == S_REAL) || (int)c->type == kind;
    if (!ok) {
        w->bad = 1;
        mql_err_set(w->err, MQL_EIO, "internal: column '%s' of '%s' is %s, given a %s", c->name,
                    w->t->name, schema_type_name(c->type),
                    schema_type_name((enum schema_type)kind));
        return NULL;
    }
    return c;
}

static int pos(struct schema_row *w)
{
    return (int)++w->next;
}

void schema_put_int(struct schema_row *w, long long v)
{
    if (slot(w, S_INT))
        sqlite3_bind_int64(w->st, pos(w), v);
}

void schema_put_real(struct schema_row *w, double v)
{
    if (slot(w, S_REAL))
        store_bind_real(w->st, pos(w), v);
}

void schema_put_text(struct schema_row *w, const char *s)
{
    if (slot(w, s ? S_TEXT : S_ANY)) {
        int i = pos(w);
        if (s)
            sqlite3_bind_text(w->st, i, s, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(w->st, i);
    }
}

void schema_put_textn(struct schema_row *w, const char *s, size_t n)
{
    if (slot(w, S_TEXT))
        sqlite3_bind_text64(w->st, pos(w), s, n, SQLITE_STATIC, SQLITE_UTF8);
}

void schema_put_blob(struct schema_row *w, const void *data, size_t n)
{
    if (slot(w, S_BLOB))
        sqlite3_bind_blob64(w->st, pos(w), data, n, SQLITE_STATIC);
}

void schema_put_null(struct schema_row *w)
{
    if (slot(w, S_ANY))
        sqlite3_bind_null(w->st, pos(w));
}

void schema_put_opt_int(struct schema_row *w, int present, long long v)
{
    if (present)
        schema_put_int(w, v);
    else
        schema_put_null(w);
}

int schema_row_end(struct schema_row *w)
{
    if (!w->bad && w->st && w->next != w->t->ncols) {
        w->bad = 1;
        mql_err_set(w->err, MQL_EIO,
                    "internal: a row of '%s' ended at column %zu of %zu ('%s' unfilled)",
                    w->t->name, w->next, w->t->ncols, w->t->cols[w->next].name);
    }
    if (w->bad || !w->st)
        return w->err && w->err->code ? w->err->code : MQL_EIO;
    w->next = 0;
    return store_step_done(w->db, w->st, w->err);
}

void schema_row_close(struct schema_row *w)
{
    sqlite3_finalize(w->st);
    w->st = NULL;
}
