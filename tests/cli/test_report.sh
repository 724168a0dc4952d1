#!/usr/bin/env bash
# End-to-end tests of `mqlcal report` (include/mqlcal/report.h and figures.h are the contract):
#   1. the demo data (50,000 generated leads) through `mqlcal run`: the report's files, the
#      page's structure, and the page opened in headless Chromium (tests/tools/browser_check.py):
#      no broken image, no console error, every section, nothing wider than the page;
#   2. the same on Leads.csv and bank-full.csv (skipped without ../shared/datasets);
#   3. a sweep without a recommended rule still gives a report that says so;
#   4. errors: report before any sweep, an output folder that cannot be made; a report over an
#      old one leaves nothing of it behind.
# Chromium is installed by scripts/install-deps.sh --browser when missing; the browser checks
# are skipped, with the reason, only when that is impossible.
. "$(dirname "$0")/lib.sh"

CHECK="$ROOT/tests/tools/browser_check.py"
browser=1
if ! command -v chromium >/dev/null 2>&1; then
    "$ROOT/scripts/install-deps.sh" --browser >"$T/install.log" 2>&1 || true
    command -v chromium >/dev/null 2>&1 || browser=0
fi

# config SRC_INI CSV DIR: a copy of SRC_INI reading CSV and writing into DIR
config() {
    sed -e "s|^leads = .*|leads = $2|" -e "s|^dir = .*|dir = $3/out|" "$ROOT/$1" >"$3/c.ini"
}

# check_report NAME DIR [SECTIONS]: the files and the page of the report in DIR/out/report
SECTIONS="summary quality model validation sweep disqualifiers segments provenance"
check_report() {
    local name=$1 rep=$2/out/report sections=${3:-$SECTIONS}
    if [ -f "$rep/index.html" ]; then ok "$name: index.html written"; else nok "$name: no index.html"; return; fi
    local missing="" img
    for img in $(grep -o '<img src="[^"]*"' "$rep/index.html" | sed 's/<img src="//; s/"$//'); do
        [ -s "$rep/$img" ] || missing="$missing $img"
    done
    expect_eq "$missing" "" "$name: every image the page shows is beside it"
    expect_eq "$(grep -c '<img src=' "$rep/index.html")" "$(ls "$rep"/*.png | wc -l)" "$name: every chart drawn is on the page"
    for s in $sections; do
        grep -q "<section id=\"$s\">" "$rep/index.html" || missing="$missing $s"
    done
    expect_eq "$missing" "" "$name: every section present"
    ls "$rep"/*.tmp >/dev/null 2>&1 && nok "$name: temporary files left" || ok "$name: no temporary file left"
    if [ $browser = 0 ]; then
        skip "$name: chromium is not installed and could not be (scripts/install-deps.sh --browser: $(tail -1 "$T/install.log"))"
        return
    fi
    run python3 "$CHECK" "$rep/index.html" "$2/shot.png" 1280
    if [ "$RC" = 2 ]; then skip "$name: headless chromium could not be driven: $ERR"; return; fi
    expect_rc 0 "$name: opened in headless chromium"
    local res=$OUT
    expect_contains "$res" '"broken": []' "$name: no broken image in the browser"
    expect_contains "$res" '"errors": []' "$name: no console error in the browser"
    expect_contains "$res" '"overflow": []' "$name: nothing wider than the page at 1280 px"
    expect_contains "$res" "\"sections\": [\"$(echo $sections | sed 's/ /", "/g')\"]" "$name: the browser sees every section in order"
    if [ -s "$2/shot.png" ]; then ok "$name: screenshot taken"; else nok "$name: no screenshot"; fi
}

# ==== 1. demo ====================================================================================
mkdir -p "$T/demo"
"$ROOT/build/gen-demo" --n 50000 --out "$T/demo/leads.csv"
config datasets/demo/demo.ini "$T/demo/leads.csv" "$T/demo"
run "$MQLCAL" run "$T/demo/c.ini" --quiet
expect_rc 0 "demo: mqlcal run"
expect_contains "$(tail -1 "$T/out")" "report: $T/demo/out/report/index.html (13 charts" "demo: run ends with the report's path"
check_report demo "$T/demo"
H="$T/demo/out/report/index.html"
expect_contains "$(cat "$H")" "Expected next quarter at 93 points with fit &gt;= -60: 60 % of MQLs convert (95 % prediction interval 54-66), 170 MQLs a month (130-224), 102 SQLs a month (76-138)" \
    "demo: the summary states what the rule is expected to do next quarter, with intervals"
expect_contains "$(cat "$H")" "its conversion is measured on the holdout (501 MQLs with a known outcome, 301 SQLs), which took no part in choosing it or the points" \
    "demo: the summary says what the promise stands on"
expect_contains "$(cat "$H")" "In sample (all leads): 62 % convert, 167 MQLs a month, 32 % of SQLs captured." "demo: the in-sample figures come last"
expect_contains "$(cat "$H")" "<b>60.1 %</b><span>converted on the holdout (501 MQLs, 301 SQLs)</span>" "demo: a card shows the holdout's figure"
expect_contains "$(cat "$H")" "<b>62.4 %</b><span>converted on the training leads it was chosen on</span>" "demo: and one the training leads'"
expect_contains "$(cat "$H")" "<b>170.3</b><span>MQLs a month expected (129.6-223.7; capacity 210)</span>" "demo: a card shows the expected MQLs with their interval"
if grep -q 'class="rec warn"' "$H"; then nok "demo: the headline box is marked as a warning, with no warning"; else ok "demo: no warning, no warning box"; fi
expect_contains "$(cat "$H")" "$(sha256sum "$T/demo/leads.csv" | cut -d' ' -f1)" "demo: provenance gives the input's sha256"
expect_eq "$(head -1 "$T/demo/out/report/points.csv")" "attribute,group,level,leads,SQL rate,coef,95 % CI low,95 % CI high,p-value,points" "demo: points.csv has the page's columns"
expect_eq "$(($(wc -l <"$T/demo/out/report/points.csv") - 1))" "$(sql "$T/demo/out/mqlcal.db" "SELECT count(*) FROM fit_levels l JOIN fit_attributes a ON a.fit_id = l.fit_id AND a.position = l.position WHERE l.fit_id = (SELECT max(fit_id) FROM fits) AND a.excluded = 0")" \
    "demo: points.csv has one row per level of the scored attributes"
# the report stage again, alone: same files, --timings
run "$MQLCAL" report "$T/demo/c.ini" --timings
expect_rc 0 "demo: mqlcal report"
expect_contains "$ERR" "timings: load" "demo: report --timings"

# ==== 2. real data ===============================================================================
real() { # NAME INI CSV
    local name=$1 csv=$SHARED/$3
    if [ ! -f "$csv" ]; then skip "$name: $csv absent"; return; fi
    mkdir -p "$T/$name"
    config "$2" "$csv" "$T/$name"
    run "$MQLCAL" run "$T/$name/c.ini" --quiet
    expect_rc 0 "$name: mqlcal run"
    check_report "$name" "$T/$name"
}
real xeducation datasets/xeducation/leads.ini xeducation/Leads.csv
real bank datasets/bank-marketing/bank.ini bank-marketing/bank-full.csv

# ==== 2b. a review: last quarter's rule (leads before the drift) against this quarter's =========
mkdir -p "$T/rev/old"
"$ROOT/build/gen-demo" --n 50000 --drift-at 2026-07-01 --out "$T/rev/leads.csv"
awk -F, 'NR == 1 || $2 < "2026-07-01"' "$T/rev/leads.csv" >"$T/rev/old/leads.csv"
config datasets/demo/demo.ini "$T/rev/old/leads.csv" "$T/rev/old"
"$MQLCAL" run "$T/rev/old/c.ini" --quiet >/dev/null 2>&1
config datasets/demo/demo.ini "$T/rev/leads.csv" "$T/rev"
printf '\n[review]\nprevious = %s\n' "$T/rev/old/out/rules.json" >>"$T/rev/c.ini"
run "$MQLCAL" run "$T/rev/c.ini" --quiet
expect_rc 0 "review: mqlcal run with [review] previous"
expect_contains "$(tail -1 "$T/out")" "(16 charts" "review: three more charts"
check_report review "$T/rev" "summary quality model validation sweep disqualifiers segments review provenance"
expect_contains "$(cat "$T/rev/out/report/index.html")" "$(sql "$T/rev/out/mqlcal.db" "SELECT summary FROM reviews ORDER BY review_id DESC LIMIT 1" | cut -c1-60)" \
    "review: the page states the review's summary"
for f in review-curves.png review-stability.png review-points.png review-rules.csv review-flips.csv review-attributes.csv review-points.csv review-periods.csv; do
    [ -s "$T/rev/out/report/$f" ] || missing="$missing $f"
done
expect_eq "${missing:-}" "" "review: its charts and tables are beside the page"
expect_eq "$(($(wc -l <"$T/rev/out/report/review-flips.csv") - 1))" "4" "review: the flip matrix has its four cells"

# ==== 2b. capacity_rule = mean: most recent months over capacity, said first and in bold =========
sed -i 's/^capacity = 210.*/capacity = 210\ncapacity_rule = mean/' "$T/demo/c.ini"
run "$MQLCAL" sweep "$T/demo/c.ini" --quiet
run "$MQLCAL" report "$T/demo/c.ini" --quiet
expect_rc 0 "mean rule: report"
expect_contains "$(cat "$H")" '<p class="rec warn"><b>Over capacity lately: 2 of the latest 3 whole months exceed capacity 210 (9 of all 24).' \
    "mean rule: the summary says first, in bold and in a warning box, that recent months ran over capacity"
sed -i '/^capacity_rule = mean/d' "$T/demo/c.ini"

# ==== 3. no recommended rule: capacity 0.01 a month, below any rule with an MQL lately ==========
sed -i 's/^capacity = .*/capacity = 0.01/' "$T/demo/c.ini"
run "$MQLCAL" run "$T/demo/c.ini" --quiet
expect_rc 0 "no feasible rule: mqlcal run"
expect_contains "$(cat "$H")" "No rule meets both" "no feasible rule: the summary says so"
expect_contains "$(cat "$H")" "No recommended rule, so no audit." "no feasible rule: the audit section says why it is empty"
check_report "no feasible rule" "$T/demo"

# ==== 4. errors ==================================================================================
mkdir -p "$T/early"
config datasets/demo/demo.ini "$T/demo/leads.csv" "$T/early"
run "$MQLCAL" ingest "$T/early/c.ini" --quiet
run "$MQLCAL" report "$T/early/c.ini"
expect_rc 2 "report before any sweep"
expect_contains "$ERR" "run 'mqlcal sweep' first" "report before any sweep: says what to run"
run "$MQLCAL" fit "$T/early/c.ini" --quiet
run "$MQLCAL" sweep "$T/early/c.ini" --quiet
# an output folder that cannot be made (a file is in the way): exit 3, the old report intact
: >"$T/early/afile"
sed -e "s|^dir = .*|dir = $T/early/afile/out|" "$T/early/c.ini" >"$T/early/bad.ini"
before=$(sha256sum "$H" | cut -d' ' -f1)
run "$MQLCAL" report "$T/early/bad.ini" --db "$T/early/out/mqlcal.db"
expect_rc 3 "report folder under a file"
expect_contains "$ERR" "$T/early/afile" "report folder under a file: names the path"
expect_eq "$(sha256sum "$H" | cut -d' ' -f1)" "$before" "report folder under a file: another report untouched"
# a report over an old one leaves no temporary folder and no chart of the old one
run "$MQLCAL" report "$T/early/c.ini"
expect_rc 0 "report over an old one"
expect_eq "$(ls -a "$T/early/out" | grep -c 'report')" "1" "report over an old one: one report folder, no temporary one"
