#!/usr/bin/env bash
# End-to-end tests of `mqlcal review` (include/mqlcal/review.h is the contract):
#   1. drift: 200,000 generated leads whose true model changes on 2026-07-01 (gen-demo
#      --drift-at: webinar signups stop predicting, a partner_marketplace channel appears).
#      Last quarter's rule is fitted on the leads before that date, this quarter's on all of
#      them; the review must name webinar_signups (coefficient change) and nothing else, and put
#      channel's CSI in the shifted band with partner_marketplace as the new value.
#   2. the same without drift: nothing flagged, every band stable.
#   3. a rule file reviewed against itself: no flips, PSI between the rules 0, no changes.
#   4. a previous rule file naming a column the data lacks and lacking one it has: reported.
#   5. run with [review] previous; the current rule's figures equal the sweep's; errors.
. "$(dirname "$0")/lib.sh"

demo_tools || { skip "no generator or demo config"; exit 0; }

# config NAME CSV OUTDIR [EXTRA]: the demo config on another CSV and output folder
config() {
    sed -e "s#^leads = .*#leads = $2#" -e "s#^dir = .*#dir = $3#" "$CONF" >"$T/$1.ini"
    [ -z "${4:-}" ] || printf '%b' "$4" >>"$T/$1.ini"
}

# fit_rule NAME CSV: ingest, fit, sweep, export into $T/out-NAME
fit_rule() {
    config "$1" "$2" "$T/out-$1"
    for stage in ingest fit sweep export; do
        if ! "$MQLCAL" "$stage" "$T/$1.ini" --quiet >"$T/$1.$stage.log" 2>&1; then
            nok "$1: $stage failed"
            cat "$T/$1.$stage.log" | sed 's/^/#   /'
            return 1
        fi
    done
}

rev_sql() { sql "$1" "SELECT $2 FROM reviews ORDER BY review_id DESC LIMIT 1"; }
attrs_where() { # DB CONDITION: the latest review's attributes matching, comma-separated
    sql "$1" "SELECT group_concat(attribute, ',') FROM (SELECT attribute FROM review_attributes
              WHERE review_id = (SELECT max(review_id) FROM reviews) AND ($2) ORDER BY attribute)"
}

for kind in drift nodrift; do
    opt=""
    [ $kind = drift ] && opt="--drift-at 2026-07-01"
    # shellcheck disable=SC2086
    "$GEN" --n 200000 $opt --out "$T/$kind.csv"
    awk -F, 'NR == 1 || $2 < "2026-07-01"' "$T/$kind.csv" >"$T/$kind-old.csv"
    fit_rule "$kind-old" "$T/$kind-old.csv" || exit 0
    fit_rule "$kind-new" "$T/$kind.csv" || exit 0
done

# ==== 1. drift ==================================================================================
DB="$T/out-drift-new/mqlcal.db"
run "$MQLCAL" review "$T/drift-new.ini" --previous "$T/out-drift-old/rules.json"
expect_rc 0 "drift: review runs"
# channel too, at alpha 0.05: the rule maps the new partner_marketplace leads to its reference
# level, whose conversion moves, so every other channel is worth 4 to 13 points less against it
expect_eq "$(attrs_where "$DB" "flagged = 1")" "channel,webinar_signups" \
    "drift: webinar_signups and channel (its reference took in the new channel) are the attributes whose relationship with conversion changed"
expect_eq "$(attrs_where "$DB" "csi_band <> 'stable'")" "channel" "drift: channel's mix is the one that moved"
expect_eq "$(attrs_where "$DB" "csi_band = 'shifted' AND new_value = 'partner_marketplace' AND new_share > 0.1")" \
    "channel" "drift: channel's CSI is in the shifted band (>= 0.25), partner_marketplace named"
expect_eq "$(sql "$DB" "SELECT csi > 0.25 FROM review_attributes WHERE attribute = 'channel' AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "1" "drift: channel's CSI crosses 0.25"
expect_eq "$(sql "$DB" "SELECT worst_level, worst_points_change < -5, worst_p_holm < 0.001 FROM review_attributes WHERE attribute = 'webinar_signups' AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "1+|1|1" "drift: webinar signups 1+ lost more than 5 points, Holm p < 0.001"
expect_eq "$(rev_sql "$DB" "flagged, baseline, current_span")" "1|2026-Q2|2026-Q3" \
    "drift: flagged; default spans are the last two complete quarters"
expect_contains "$OUT" "webinar_signups: the relationship with conversion changed" "drift: the summary names webinar_signups"
expect_contains "$OUT" "most often 'partner_marketplace'" "drift: the summary names the new channel"
expect_contains "$OUT" "what to do: " "drift: a recommendation is printed"

# ==== 2. no drift ===============================================================================
DB="$T/out-nodrift-new/mqlcal.db"
run "$MQLCAL" review "$T/nodrift-new.ini" --previous "$T/out-nodrift-old/rules.json"
expect_rc 0 "no drift: review runs"
expect_eq "$(rev_sql "$DB" "flagged, psi_band, psi < 0.1")" "0|stable|1" "no drift: nothing flagged, PSI stable"
expect_eq "$(attrs_where "$DB" "flagged = 1 OR csi_band <> 'stable'")" "" "no drift: no attribute flagged"
expect_contains "$OUT" "No change detected: no attribute's mix moved, and no relationship with conversion changed by as much as the tests can see (a change of" \
    "no drift: the summary says no change was detected, and how large a change it could have seen"

expect_eq "$(sql "$DB" "SELECT count(*) = sum(min_detectable >= 5 AND min_detectable < 15) FROM review_attributes WHERE review_id = (SELECT max(review_id) FROM reviews) AND tested_levels > 0")" 1 \
    "no drift: on 200,000 leads every tested attribute could have shown a change of 5 to 15 points"

# ==== 3. a rule file against itself =============================================================
run "$MQLCAL" review "$T/nodrift-new.ini" --previous "$T/out-nodrift-new/rules.json"
expect_rc 0 "self: review runs"
expect_eq "$(sql "$DB" "SELECT sum(leads) FROM review_flips WHERE previous_mql <> current_mql AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "0" "self: no lead flips"
expect_eq "$(rev_sql "$DB" "psi_rules, psi = psi_previous")" "0.0|1" "self: PSI between the rules is 0, both rules drift alike"
expect_eq "$(sql "$DB" "SELECT count(*) FROM review_points WHERE change <> 'same' AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "0" "self: no point changes"
expect_eq "$(sql "$DB" "SELECT count(DISTINCT mqls || ':' || sqls || ':' || conversion) FROM review_rules WHERE review_id = (SELECT max(review_id) FROM reviews)")" \
    "1" "self: both sides give the same MQLs, SQLs and conversion"
expect_eq "$(sql "$DB" "SELECT r.mqls = s.mqls AND r.sqls = s.sqls AND r.conversion = s.conversion AND r.mqls_per_period = s.vol_mean FROM review_rules r, sweeps s WHERE r.rule = 'current' AND r.review_id = (SELECT max(review_id) FROM reviews) AND s.sweep_id = (SELECT max(sweep_id) FROM sweeps)")" \
    "1" "self: the current rule's MQLs, SQLs, conversion and volume equal the sweep's"
expect_contains "$OUT" "keep it" "self: the summary says to keep the rule"
run "$MQLCAL" review "$T/nodrift-new.ini" --previous "$T/out-nodrift-new/rules.json" --current "$T/out-nodrift-new/rules.json"
expect_rc 0 "self: --current FILE"
expect_eq "$(rev_sql "$DB" "psi_rules")" "0.0" "self: --current FILE gives PSI 0 too"

# ==== 4. attributes the data lacks, or the rule lacks ===========================================
python3 - "$T/out-nodrift-old/rules.json" "$T/edited.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["attributes"] = [a for a in r["attributes"] if a["name"] != "demo_request"]
r["attributes"].append({"name": "legacy_score", "kind": "count", "group": "fit", "reference": "low",
                        "missing": "low", "levels": [
                            {"label": "low", "points": 0, "lo": None, "hi": 50},
                            {"label": "high", "points": 9, "lo": 50, "hi": None}]})
json.dump(r, open(sys.argv[2], "w"))
EOF
run "$MQLCAL" check-rules "$T/edited.json"
expect_rc 0 "edited rule file is valid"
run "$MQLCAL" review "$T/nodrift-new.ini" --previous "$T/edited.json"
expect_rc 0 "a column the data lacks is not fatal"
expect_contains "$OUT" "The data has no column 'legacy_score' (in the previous rule): scored as missing" "the missing column is reported"
expect_eq "$(sql "$DB" "SELECT in_previous, in_current, in_data FROM review_attributes WHERE attribute = 'legacy_score' AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "1|0|0" "legacy_score: in the previous rule only, not in the data"
expect_eq "$(sql "$DB" "SELECT group_concat(change) FROM review_points WHERE attribute = 'demo_request' AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "added,added" "demo_request, absent from the previous rule: its levels are added"
expect_eq "$(sql "$DB" "SELECT group_concat(change) FROM review_points WHERE attribute = 'legacy_score' AND review_id = (SELECT max(review_id) FROM reviews)")" \
    "removed,removed" "legacy_score's levels are removed"

# ==== 5. run with [review] previous, and errors =================================================
config withrev "$T/nodrift.csv" "$T/out-withrev" "\n[review]\nprevious = $T/out-nodrift-old/rules.json\n"
run "$MQLCAL" run "$T/withrev.ini" --quiet
expect_rc 0 "run with [review] previous"
expect_contains "$OUT" "review 1 (fit 1)" "run: the review stage runs after the export"
expect_eq "$(rev_sql "$T/out-withrev/mqlcal.db" "previous")" "$T/out-nodrift-old/rules.json" "run: the configured file is the previous rule"

run "$MQLCAL" review "$T/nodrift-new.ini"
expect_rc 1 "no previous rule file: usage error"
expect_contains "$ERR" "give --previous FILE or set [review] previous" "no previous: the message says how"
printf '{"format": "mqlcal-rules", "version": 1,' >"$T/broken.json"
run "$MQLCAL" review "$T/nodrift-new.ini" --previous "$T/broken.json"
expect_rc 2 "a broken previous rule file"
expect_contains "$ERR" "previous rule: $T/broken.json:1:" "broken: the message names the file and line"
run "$MQLCAL" review "$T/nodrift-new.ini" --previous "$T/nope.json"
expect_rc 2 "a previous rule file that does not exist"
config unfitted "$T/nodrift.csv" "$T/out-unfitted"
"$MQLCAL" ingest "$T/unfitted.ini" --quiet >/dev/null 2>&1
run "$MQLCAL" review "$T/unfitted.ini" --previous "$T/out-nodrift-old/rules.json"
expect_rc 2 "review before fit"
expect_contains "$ERR" "run 'mqlcal fit' first" "before fit: the message says what to run"
config badspan "$T/nodrift.csv" "$T/out-nodrift-new" "\n[review]\nbaseline = 2026-01-01..2025-12-31\ncurrent = 2026-07-01..2026-09-30\n"
run "$MQLCAL" review "$T/badspan.ini" --previous "$T/out-nodrift-old/rules.json"
expect_rc 2 "a baseline that ends before it starts"
expect_contains "$ERR" "badspan.ini:" "bad span: the message names the config file"

# ==== 6. data without dates: old vs new still, stability said to need dates ====================
"$GEN" --n 5000 --seed 9 --out "$T/nodates.csv"
config nodates "$T/nodates.csv" "$T/out-nodates"
sed -i '/^date = /d' "$T/nodates.ini"
for stage in ingest fit sweep export; do "$MQLCAL" "$stage" "$T/nodates.ini" --quiet >/dev/null 2>&1; done
run "$MQLCAL" review "$T/nodates.ini" --previous "$T/out-nodates/rules.json"
expect_rc 0 "no dates: review runs"
expect_contains "$OUT" "the data has no dates, so it cannot be split into a baseline and a current span" "no dates: stability is not checked, and why"
expect_contains "$OUT" "Configure the lead creation date ([data] date)" "no dates: what to do"
expect_eq "$(rev_sql "$T/out-nodates/mqlcal.db" "periods, period, psi IS NULL, baseline IS NULL")" "1|period|1|1" "no dates: one period, no PSI, no spans stored"

# promise kept (issue 16, item 7): last quarter's rules.json promised a conversion and a volume;
# the review measures what its MQLs delivered on the leads created after its data ended
if demo_tools; then
    mkdir -p "$T/promise" && cd "$T/promise" || exit 1
    "$GEN" --n 20000 --seed 3 --out all.csv
    awk -F, 'NR == 1 || $2 < "2026-04-01"' all.csv >old.csv
    sed -e "s|^leads = .*|leads = old.csv|" -e "s|^dir = .*|dir = old|" "$CONF" >old.ini
    sed -e "s|^leads = .*|leads = all.csv|" -e "s|^dir = .*|dir = new|" "$CONF" >new.ini
    printf '\n[review]\nprevious = old/rules.json\n' >>new.ini
    "$MQLCAL" run old.ini --quiet >/dev/null 2>&1
    run "$MQLCAL" run new.ini
    expect_rc 0 "a run reviewing last quarter's rule"
    expect_contains "$OUT" "promise kept? the previous rule promised" "the console compares the promise"
    expect_contains "$OUT" "on the leads created after 2026-03-31 it delivered" "on the leads after its data"
    row=$(sql new/mqlcal.db "SELECT since, leads, mqls - pending, whole_periods FROM review_promise")
    want=$(python3 - all.csv old/rules.json <<'PY'
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["created_at"] > "2026-03-31"]
since = json.load(open(sys.argv[2]))["provenance"]["input"]["date_max"]
print("%s|%d" % (since, len(rows)))
PY
)
    expect_eq "${row%|*|*}" "$want" "the promise is judged from the day after the previous data's last date, on every later lead"
    expect_eq "${row##*|}" 6 "over the 6 whole months after it"
    # independently: the previous rule file scores the later leads (mqlcal score), their own
    # outcomes say which of its MQLs converted
    awk -F, 'NR == 1 || $2 > "2026-03-31"' all.csv >later.csv
    "$MQLCAL" score --rules old/rules.json later.csv >later-scores.csv 2>/dev/null
    expect_eq "$(sql new/mqlcal.db "SELECT mqls || ' ' || printf('%.6f', conversion) FROM review_promise")" \
        "$(python3 - later.csv later-scores.csv <<'PY'
import csv, sys
y = {r["lead_id"]: r["became_sql"] for r in csv.DictReader(open(sys.argv[1]))}
m = [r["id"] for r in csv.DictReader(open(sys.argv[2])) if r["mql"] == "1"]
print("%d %.6f" % (len(m), sum(y[i] == "1" for i in m) / len(m)))
PY
)" "the delivered MQLs and conversion equal the rule file scored on the later leads"
    expect_contains "$(cat new/report/index.html)" "<h3>Promise kept?</h3>" "the report has the promise"
    cd - >/dev/null
fi

# ==== 6. power on a year of demo-sized data ======================================================
# 25,000 leads over 12 months (the demo's rate); the review compares the last two quarters. At
# the default alpha 0.05 the tests must see a 20-point change: the smallest detectable change
# (80 % power, Holm's strictest step) is at most 20 points for some attributes and the review
# says how large a change it could have seen. Then pricing page views 4+ (its largest bonus)
# loses half its SQLs in the last quarter, about 30 points: the review must flag it.
"$GEN" --n 25000 --months 12 --out "$T/year.csv"
awk -F, 'NR == 1 || $2 < "2025-07-01"' "$T/year.csv" >"$T/year-old.csv"
python3 - "$T/year.csv" "$T/year-drop.csv" <<'PY'
import csv, random, sys
rnd = random.Random(3)
r = csv.reader(open(sys.argv[1], newline=""))
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
h = next(r)
y, d, v = h.index("became_sql"), h.index("created_at"), h.index("pricing_page_views")
w.writerow(h)
for x in r:
    if x[d] >= "2025-07-01" and int(x[v]) >= 4 and x[y] == "1" and rnd.random() < 0.5:
        x[y] = "0"
    w.writerow(x)
PY
fit_rule year-old "$T/year-old.csv" || exit 0
fit_rule year "$T/year.csv" || exit 0
fit_rule year-drop "$T/year-drop.csv" || exit 0
DB="$T/out-year/mqlcal.db"
run "$MQLCAL" review "$T/year.ini" --previous "$T/out-year-old/rules.json"
expect_rc 0 "a year: review runs"
expect_eq "$(rev_sql "$DB" "flagged")" 0 "a year, no change: nothing flagged"
expect_contains "$OUT" "No change detected" "a year, no change: the summary says no change was detected"
expect_contains "$OUT" "at alpha 0.05; smaller ones would pass unseen)" "a year: and at which alpha, and that smaller changes pass unseen"
expect_eq "$(sql "$DB" "SELECT min(min_detectable) <= 20 AND max(min_detectable) < 35 FROM review_attributes WHERE review_id = (SELECT max(review_id) FROM reviews)")" 1 \
    "a year: the smallest detectable change is 20 points or less for the most visible attribute, under 35 for every one"
DB="$T/out-year-drop/mqlcal.db"
run "$MQLCAL" review "$T/year-drop.ini" --previous "$T/out-year-old/rules.json"
expect_rc 0 "a year, pricing 4+ halved: review runs"
expect_eq "$(attrs_where "$DB" "flagged = 1")" "pricing_page_views" "a year, pricing 4+ halved in the last quarter: pricing_page_views is flagged"
expect_eq "$(sql "$DB" "SELECT worst_level, worst_points_change < -20 FROM review_attributes WHERE attribute = 'pricing_page_views' AND review_id = (SELECT max(review_id) FROM reviews)")" "4+|1" \
    "a year: its 4+ level lost more than 20 points"
