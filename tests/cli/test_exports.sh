#!/usr/bin/env bash
# Issue 14: real CRM exports, as they come. What has landed so far: hints when the config and
# the header do not meet (the likely delimiter, the nearest header names, in ingest and in the
# scorer), the outcome tokens exports write (1.0 / 0.0, Y / N), and dates in the layouts CRMs
# export (date_format, and auto detection per column with a refusal of ambiguous columns).
. "$(dirname "$0")/lib.sh"
GEN="${GEN:-$(dirname "$MQLCAL")/gen-demo}"
[ -x "$GEN" ] || GEN="$ROOT/build/gen-demo"
CONF="$ROOT/datasets/demo/demo.ini"
if [ ! -x "$GEN" ] || [ ! -f "$CONF" ]; then skip "no generator or demo config"; exit 0; fi
"$GEN" --n 2000 --seed 11 --out "$T/leads.csv" >/dev/null
# config NAME CSV [extra sed]: the demo config on another CSV, output in $T/NAME
config() {
    local name=$1 csv=$2
    shift 2
    sed -e "s#^leads = .*#leads = $csv#" -e "s#^dir = .*#dir = $T/$name#" "$@" "$CONF" >"$T/$name.ini"
}

# ==== hints ====================================================================================
tr ',' ';' <"$T/leads.csv" >"$T/semi.csv"
config semi "$T/semi.csv"
run "$MQLCAL" ingest "$T/semi.ini"
expect_rc 2 "a ';' file read as ',': refused"
expect_contains "$ERR" "set delimiter = semicolon" "the message names the likely delimiter"
sed '1s/job_level/Job Level/' "$T/leads.csv" >"$T/spaced.csv"
config spaced "$T/spaced.csv"
run "$MQLCAL" ingest "$T/spaced.ini"
expect_rc 2 "a renamed column: refused"
expect_contains "$ERR" "(nearest: 'Job Level'" "the message lists the nearest header name first"
config plain "$T/leads.csv"
"$MQLCAL" run "$T/plain.ini" --quiet >/dev/null 2>&1
run "$MQLCAL" score --rules "$T/plain/rules.json" "$T/spaced.csv"
expect_rc 2 "score: a renamed column: refused"
expect_contains "$ERR" "nearest: 'Job Level'" "score: the message lists the nearest header name"

# ==== outcome tokens ===========================================================================
awk -F, 'BEGIN { OFS = "," } NR > 1 { $NF = ($NF == 1 ? (NR % 2 ? "1.0" : "Y") : (NR % 2 ? "0.0" : "n")) } { print }' \
    "$T/leads.csv" >"$T/tokens.csv"
config tokens "$T/tokens.csv" -e "/^positive =/d" -e "/^negative =/d"
run "$MQLCAL" ingest "$T/tokens.ini"
expect_rc 0 "outcomes written as 1.0 / 0.0 / Y / n: ingest"
expect_eq "$(sql "$T/tokens/mqlcal.db" "SELECT rows_rejected || ' ' || (SELECT sum(_outcome) FROM leads) FROM loads")" \
    "0 $(awk -F, 'NR > 1 && $NF == 1' "$T/leads.csv" | wc -l)" "every row loaded, with the same SQLs as the 0/1 file"

# ==== dates as CRMs export them ================================================================
# each layout of the same leads must load the same days as the ISO file
iso_days=$(sql "$T/plain/mqlcal.db" "SELECT count(*) || ' ' || min(_created) || ' ' || max(_created) || ' ' || sum(julianday(_created)) FROM leads")
relayout() { # NAME AWK-EXPRESSION-OF-y,m,d: the leads with their date rewritten
    awk -F, -v OFS=, 'NR == 1 { print; next } { split($2, a, "-"); y = a[1]; m = a[2] + 0; d = a[3] + 0; $2 = '"$2"'; print }' \
        "$T/leads.csv" >"$T/$1.csv"
}
relayout us 'm "/" d "/" y'
relayout eu 'd "." m "." y'
relayout slash 'y "/" sprintf("%02d", m) "/" sprintf("%02d", d)'
relayout usam 'sprintf("%02d/%02d/%s %d:%02d %s", m, d, y, (NR % 12) + 1, NR % 60, (NR % 2 ? "AM" : "PM"))'
relayout isotz 'y "-" sprintf("%02d", m) "-" sprintf("%02d", d) "T23:30:00-05:00"'
for name in us eu slash usam isotz; do
    config "$name" "$T/$name.csv"
    run "$MQLCAL" ingest "$T/$name.ini"
    expect_rc 0 "dates as $name: ingest (date_format = auto)"
    expect_eq "$(sql "$T/$name/mqlcal.db" "SELECT count(*) || ' ' || min(_created) || ' ' || max(_created) || ' ' || sum(julianday(_created)) FROM leads")" \
        "$iso_days" "dates as $name: the same days as the ISO file (a timestamp keeps its local date)"
done
# an explicit format
relayout named 'd " " substr("JanFebMarAprMayJunJulAugSepOctNovDec", 3 * m - 2, 3) " " y'
config named "$T/named.csv" -e "s#^date = created_at.*#date = created_at\ndate_format = %d %b %Y#"
run "$MQLCAL" ingest "$T/named.ini"
expect_rc 0 "date_format = %d %b %Y: ingest"
expect_eq "$(sql "$T/named/mqlcal.db" "SELECT count(*) || ' ' || min(_created) || ' ' || max(_created) || ' ' || sum(julianday(_created)) FROM leads")" \
    "$iso_days" "date_format = %d %b %Y: the same days"
config badfmt "$T/named.csv" -e "s#^date = created_at.*#date = created_at\ndate_format = %d %Q %Y#"
run "$MQLCAL" ingest "$T/badfmt.ini"
expect_rc 2 "date_format with an unknown directive: refused"
expect_contains "$ERR" "'%Q' is not a directive" "the message names the directive"
# ambiguous: every day and month at most 12
{ head -1 "$T/us.csv"; awk -F, 'NR > 1 { split($2, a, "/"); if (a[1] <= 12 && a[2] <= 12) print }' "$T/us.csv"; } >"$T/amb.csv"
config amb "$T/amb.csv"
run "$MQLCAL" ingest "$T/amb.ini"
expect_rc 2 "a column whose every value reads as M/D and as D/M: refused"
expect_contains "$ERR" "ambiguous dates" "the message says ambiguous"
expect_contains "$ERR" "set date_format = %m/%d/%Y or %d/%m/%Y" "the message says how to decide"
if [[ "$ERR" =~ \'([0-9]+/[0-9]+/[0-9]+)\'\ is\ ([0-9-]+)\ or\ ([0-9-]+) ]]; then ok "the message shows a value and both readings (${BASH_REMATCH[0]})"; else
    nok "the message shows no value with its two readings"; fi
# a typo in a decided column is a bad_date reject, not a lost row
{ head -3 "$T/us.csv"; echo "$(sed -n 4p "$T/us.csv" | awk -F, -v OFS=, '{ $2 = "13/45/2025"; print }')"; tail -n +5 "$T/us.csv"; } >"$T/ustypo.csv"
config ustypo "$T/ustypo.csv"
run "$MQLCAL" ingest "$T/ustypo.ini"
expect_rc 0 "a bad date in an M/D/YYYY column: ingest"
expect_eq "$(sql "$T/ustypo/mqlcal.db" "SELECT line || ' ' || reason FROM rejects")" "4 bad_date" "it is rejected as bad_date, with its line"
expect_contains "$(sql "$T/ustypo/mqlcal.db" "SELECT detail FROM rejects")" "expected a date M/D/YYYY" "the detail names the column's layout"

# ==== the outcome as a date ====================================================================
# "became an SQL on" filled in means SQL: the same SQLs as the 0/1 column, no outcome column
python3 - "$T/leads.csv" "$T/sqldate.csv" <<'PYEOF'
import csv, datetime, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head = rows[0]
c, y = head.index("created_at"), head.index("became_sql")
out = [[h for i, h in enumerate(head) if i != y] + ["Became a Sales Qualified Lead Date"]]
for r in rows[1:]:
    d = ""
    if r[y] == "1":
        day = datetime.date.fromisoformat(r[c]) + datetime.timedelta(days=len(r[0]) % 7 + 3)
        d = "%d/%d/%d 10:15 AM" % (day.month, day.day, day.year)
    out.append([v for i, v in enumerate(r) if i != y] + [d])
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(out)
PYEOF
config sqldate "$T/sqldate.csv" -e "s#^outcome = .*#outcome_date = Became a Sales Qualified Lead Date#" \
    -e "/^positive =/d" -e "/^negative =/d"
run "$MQLCAL" ingest "$T/sqldate.ini"
expect_rc 0 "outcome_date alone (US timestamps): ingest"
expect_eq "$(sql "$T/sqldate/mqlcal.db" "SELECT count(*) || ' ' || sum(_outcome) || ' ' || count(_sql_at) FROM leads")" \
    "$(sql "$T/plain/mqlcal.db" "SELECT count(*) || ' ' || sum(_outcome) || ' ' || sum(_outcome) FROM leads")" \
    "a filled-in SQL date is an SQL: the same leads and SQLs as the 0/1 file, each SQL with its date"
run "$MQLCAL" fit "$T/sqldate.ini" --quiet
expect_rc 0 "outcome_date alone: fit"
expect_eq "$(sql "$T/sqldate/mqlcal.db" "SELECT group_concat(points, ',') FROM (SELECT points FROM fit_levels ORDER BY rowid)")" \
    "$(sql "$T/plain/mqlcal.db" "SELECT group_concat(points, ',') FROM (SELECT points FROM fit_levels ORDER BY rowid)")" \
    "outcome_date alone: the same points as the 0/1 file"
# an SQL date before the lead was created is rejected with its reason
awk -F, -v OFS=, 'NR == 1 { print; next } $NF != "" && !done { $NF = "1/1/2020"; done = 1 } { print }' "$T/sqldate.csv" >"$T/before.csv"
config before "$T/before.csv" -e "s#^outcome = .*#outcome_date = Became a Sales Qualified Lead Date#" \
    -e "/^positive =/d" -e "/^negative =/d"
run "$MQLCAL" ingest "$T/before.ini"
expect_rc 0 "an SQL date before creation: ingest"
expect_eq "$(sql "$T/before/mqlcal.db" "SELECT reason FROM rejects")" "outcome_before_created" "it is rejected as outcome_before_created"
config nooutcome "$T/sqldate.csv" -e "/^outcome = /d"
run "$MQLCAL" ingest "$T/nooutcome.ini"
expect_rc 2 "neither outcome nor outcome_date: refused"
expect_contains "$ERR" "outcome_date" "the message names both keys"
