#!/usr/bin/env bash
# Issue 14: pending outcomes (open deals). A pending lead is scored and counted in MQL volume
# per period and the capacity check, and left out of the fit, every conversion, calibration and
# holdout metric. Shown exactly: a run where 10 % of the leads are pending gives the same
# points, the same SQLs and conversions at every threshold and the same holdout metrics as a run
# on the file without those leads, while its MQL counts are those of the shorter file plus the
# pending leads at or above each threshold. Both outcome routes ([data] pending, [outcomes]
# pending stages) give the same store.
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }
mkdir -p "$T/p" "$T/k" "$T/o"
"$GEN" --n 8000 --seed 11 --out "$T/gen.csv" >/dev/null

# every 10th lead (not on the first or last day, so the calendar stays the same) is an open deal
first=$(awk -F, 'NR == 2 { print $2 }' "$T/gen.csv")
last=$(awk -F, 'END { print $2 }' "$T/gen.csv")
awk -F, -v OFS=, -v f="$first" -v l="$last" '
    NR == 1 { print > P; print > K; next }
    { pend = (NR % 10 == 0 && $2 != f && $2 != l) }
    pend { $NF = "Engaging"; print > P; next }
    { print > P; print > K }' P="$T/p/leads.csv" K="$T/k/leads.csv" "$T/gen.csv"
npend=$(grep -c ',Engaging$' "$T/p/leads.csv")
[ "$npend" -gt 600 ] && ok "the fixture has $npend pending leads" || nok "fixture: $npend pending"

conf() { # $1: folder, $2: extra [data] lines
    sed -e "s|^leads = .*|leads = leads.csv|" -e "s|^dir = .*|dir = out|" \
        -e "s|^negative = 0|negative = 0\n$2|" "$CONF" >"$1/demo.ini"
}
conf "$T/p" "pending = Engaging, Prospecting"
conf "$T/k" ""
run "$MQLCAL" run "$T/p/demo.ini" --quiet
expect_rc 0 "run with pending leads"
PDB="$T/p/out/mqlcal.db"
run "$MQLCAL" run "$T/k/demo.ini" --quiet
expect_rc 0 "run on the file without them"
KDB="$T/k/out/mqlcal.db"

run "$MQLCAL" ingest "$T/p/demo.ini"
expect_contains "$OUT" "outcomes: loaded 8000 = SQL" "the console reconciles loaded = SQL + not SQL + pending"
expect_contains "$OUT" "+ pending $npend" "and names the pending leads"
expect_eq "$(sql "$PDB" "SELECT rows_loaded = sqls + not_sqls + pending, pending FROM loads")" "1|$npend" \
    "loads: rows_loaded = sqls + not_sqls + pending"
expect_eq "$(sql "$PDB" "SELECT count(*) FROM leads WHERE _outcome IS NULL")" "$npend" \
    "leads: a pending lead's _outcome is NULL"
run "$MQLCAL" run "$T/p/demo.ini" --quiet

q_points="SELECT attribute, label, points FROM fit_levels WHERE fit_id = (SELECT max(fit_id) FROM fits) ORDER BY 1, 2"
expect_eq "$(sql "$PDB" "$q_points")" "$(sql "$KDB" "$q_points")" "the points are those of the file without the pending leads"
q_fit="SELECT n_train, n_holdout, sql_train, sql_holdout, printf('%.12g', deviance) FROM fits ORDER BY fit_id DESC LIMIT 1"
expect_eq "$(sql "$PDB" "$q_fit")" "$(sql "$KDB" "$q_fit")" "training and holdout: the same leads, SQLs and deviance"
expect_eq "$(sql "$PDB" "SELECT n_pending FROM fits ORDER BY fit_id DESC LIMIT 1")" "$npend" "fits.n_pending"
q_val="SELECT sample, metric, printf('%.12g', value), printf('%.12g', lo) FROM fit_metrics WHERE fit_id = (SELECT max(fit_id) FROM fits) ORDER BY 1, 2"
expect_eq "$(sql "$PDB" "$q_val")" "$(sql "$KDB" "$q_val")" "AUC, Brier, log loss on training and holdout: unchanged"
q_cb="SELECT sample, bin, leads, sqls, printf('%.12g', predicted) FROM fit_calibration WHERE fit_id = (SELECT max(fit_id) FROM fits) ORDER BY 1, 2"
expect_eq "$(sql "$PDB" "$q_cb")" "$(sql "$KDB" "$q_cb")" "the calibration bins: unchanged"
q_cal="SELECT sample, score, leads, sqls FROM fit_histogram WHERE fit_id = (SELECT max(fit_id) FROM fits) ORDER BY 1, 2"
expect_eq "$(sql "$PDB" "$q_cal")" "$(sql "$KDB" "$q_cal")" "the calibration's counts leave the pending leads out"

q_conv="SELECT sample, threshold, sqls, printf('%.12g', conversion), printf('%.12g', conv_lo), printf('%.12g', lift) FROM sweep_thresholds WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps) ORDER BY 1, 2"
expect_eq "$(sql "$PDB" "$q_conv")" "$(sql "$KDB" "$q_conv")" "SQLs, conversion, its interval and lift at every threshold: unchanged"
# volumes: the shorter file's MQLs plus the pending leads at or above the threshold, not disqualified
bad=$(sql "$PDB" "ATTACH '$KDB' AS k;
    SELECT count(*) FROM sweep_thresholds p JOIN k.sweep_thresholds q USING (sample, threshold)
     WHERE p.sample = 'all' AND p.sweep_id = (SELECT max(sweep_id) FROM main.sweeps)
       AND q.sweep_id = (SELECT max(sweep_id) FROM k.sweeps)
       AND (p.mqls != q.mqls + p.pending OR p.pending != (SELECT count(*) FROM scores s JOIN leads l USING (_id)
            WHERE l._outcome IS NULL AND s.score >= p.threshold
              AND NOT (lower(coalesce(l.job_level, '')) = 'student' OR lower(coalesce(l.email_type, '')) = 'edu')))")
expect_eq "$bad" "0" "MQLs at every threshold = the shorter file's + the pending leads at or above it"
expect_eq "$(sql "$PDB" "SELECT sum(mqls) > 0 AND sum(pending) > 0 FROM sweep_periods WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps)")" "1" \
    "sweep_periods: per-period MQLs count the pending leads"
expect_eq "$(sql "$PDB" "SELECT count(*) FROM sweep_periods WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps)
     AND mqls > pending AND abs(conversion - sqls * 1.0 / (mqls - pending)) > 1e-12")" "0" \
    "a period's conversion is SQLs / (MQLs - pending)"
expect_eq "$(sql "$PDB" "SELECT count(*) FROM audit_segments WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps)
     AND mqls > pending AND abs(conversion - sqls * 1.0 / (mqls - pending)) > 1e-12")" "0" \
    "audit: a segment's conversion is SQLs / (MQLs - pending)"
expect_eq "$(sql "$PDB" "SELECT sum(pending) > 0 FROM audit_segments WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps)")" "1" \
    "audit_segments.pending"
page=$(cat "$T/p/out/report/index.html" 2>/dev/null)
expect_contains "$page" "8000 loaded = " "the report reconciles the outcomes"
expect_contains "$page" "pending. A pending lead" "and says what a pending lead counts in"

# ==== the same through an [outcomes] file with a pending stage ================================
# deals: one row per SQL (Closed Won), per negative (Closed Lost), per pending lead (Engaging)
awk -F, -v OFS=, 'NR == 1 { print "Contact ID,Deal Stage"; next }
    $NF == "1" { print $1, "Closed Won" } $NF == "0" { print $1, "Closed Lost" }
    $NF == "Engaging" { print $1, "Engaging" }' "$T/p/leads.csv" >"$T/o/deals.csv"
python3 -c 'import csv, sys
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
for row in csv.reader(open(sys.argv[1], newline="")): w.writerow(row[:-1])' "$T/p/leads.csv" "$T/o/leads.csv"
sed -e "s|^leads = .*|leads = leads.csv|" -e "s|^dir = .*|dir = out|" -e "/^outcome = /d" \
    -e "/^positive = /d" -e "/^negative = /d" "$CONF" >"$T/o/demo.ini"
cat >>"$T/o/demo.ini" <<'EOF'
[outcomes]
file = deals.csv
id = Contact ID
stage = Deal Stage
positive = Closed Won
negative = Closed Lost
pending = Engaging, Prospecting
EOF
run "$MQLCAL" run "$T/o/demo.ini" --quiet
expect_rc 0 "run with outcomes from a deals file with open deals"
ODB="$T/o/out/mqlcal.db"
expect_eq "$(sql "$ODB" "SELECT pending, outcomes_pending_rows FROM loads")" "$npend|$npend" \
    "loads: pending leads and the deals file's pending rows"
expect_eq "$(sql "$ODB" "$q_points")" "$(sql "$PDB" "$q_points")" "the same points as [data] pending"
expect_eq "$(sql "$ODB" "$q_conv")" "$(sql "$PDB" "$q_conv")" "the same sweep as [data] pending"

# ==== bad input ================================================================================
sed "s|^pending = .*|pending = Engaging, 1|" "$T/p/demo.ini" >"$T/p/both.ini"
run "$MQLCAL" ingest "$T/p/both.ini"
expect_rc 2 "a pending value that is also positive"
expect_contains "$ERR" "'1' is both positive and pending" "the error names the value and both lists"
sed "s|^pending = .*|pending = Closed Won|" "$T/o/demo.ini" >"$T/o/both.ini"
run "$MQLCAL" ingest "$T/o/both.ini"
expect_rc 2 "an [outcomes] pending stage that is also positive"
expect_contains "$ERR" "stage 'Closed Won' is both positive and pending" "the error names the stage"
sed "s|^pending = .*||" "$T/p/demo.ini" >"$T/p/none.ini"
run "$MQLCAL" ingest "$T/p/none.ini" --db "$T/p/none.db"
expect_rc 0 "without pending, an open deal is a bad outcome (rejected, not dropped)"
expect_eq "$(sql "$T/p/none.db" "SELECT count(*) FROM rejects WHERE reason = 'bad_outcome'")" "$npend" \
    "every open deal is in rejects as bad_outcome"
expect_contains "$OUT" "is in none of positive, negative (nor pending)" "the reject says pending exists"
