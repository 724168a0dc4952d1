#!/usr/bin/env bash
# Issue 14: real CRM exports, as they come. What has landed so far: hints when the config and
# the header do not meet (the likely delimiter, the nearest header names, in ingest and in the
# scorer), the outcome tokens exports write (1.0 / 0.0, Y / N), and dates in the layouts CRMs
# export (date_format, and auto detection per column with a refusal of ambiguous columns).
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }
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

# ==== the outcome in a deals file ([outcomes]) =================================================
python3 - "$T/leads.csv" "$T/noout.csv" "$T/deals.csv" <<'PYEOF'
import csv, datetime, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = rows[0]
i_id, i_c, i_y = h.index("lead_id"), h.index("created_at"), h.index("became_sql")
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(
    [[v for j, v in enumerate(r) if j != i_y] for r in rows])
deals = [["Deal ID", "Contact ID", "Deal Stage", "Created Date"]]
n = 0
for r in rows[1:]:
    d = datetime.date.fromisoformat(r[i_c])
    if r[i_y] == "1":  # one or two deals, the won one not always first
        for k in range(1 + n % 2):
            day = d + datetime.timedelta(days=5 + 7 * k)
            deals.append(["D%d" % n, r[i_id], "Closed Won" if k == 0 else "Closed Lost",
                          "%d/%d/%d" % (day.month, day.day, day.year)])
            n += 1
    elif n % 5 == 0:
        day = d + datetime.timedelta(days=3)
        deals.append(["D%d" % n, r[i_id], "Closed Lost", "%d/%d/%d" % (day.month, day.day, day.year)])
        n += 1
    n += 1
deals.append(["D%d" % (n + 1), "NO-SUCH-LEAD", "Closed Won", "1/2/2025"])
deals.append(["D%d" % (n + 2), "", "Closed Won", "1/3/2025"])
csv.writer(open(sys.argv[3], "w", newline=""), lineterminator="\n").writerows(deals)
PYEOF
config deals "$T/noout.csv" -e "/^outcome =/d" -e "/^positive =/d" -e "/^negative =/d"
printf '\n[outcomes]\nfile = %s\nid = Contact ID\nstage = Deal Stage\npositive = Closed Won\nnegative = Closed Lost\ndate = Created Date\n' "$T/deals.csv" >>"$T/deals.ini"
run "$MQLCAL" ingest "$T/deals.ini"
expect_rc 0 "[outcomes] with stages and US dates: ingest"
expect_eq "$(sql "$T/deals/mqlcal.db" "SELECT count(*) || ' ' || sum(_outcome) || ' ' || count(_sql_at) FROM leads" 2>&1)" \
    "$(sql "$T/plain/mqlcal.db" "SELECT count(*) || ' ' || sum(_outcome) || ' ' || sum(_outcome) FROM leads")" \
    "a lead with a won deal is an SQL, with the won deal's date; lost and none are not"
expect_contains "$OUT" "lead ids:" "the load reports matched and unmatched ids"
expect_eq "$(sql "$T/deals/mqlcal.db" "SELECT outcomes_rows_no_id || ' ' || (outcomes_ids - outcomes_ids_matched) FROM loads")" "1 1" \
    "a deal without an id and one whose id is no lead are counted"
run "$MQLCAL" fit "$T/deals.ini" --quiet
pts=$(sql "$T/deals/mqlcal.db" "SELECT group_concat(points, ',') FROM (SELECT points FROM fit_levels ORDER BY rowid)")
[ -n "$pts" ] || pts="(no fit)"
expect_eq "$pts" "$(sql "$T/plain/mqlcal.db" "SELECT group_concat(points, ',') FROM (SELECT points FROM fit_levels ORDER BY rowid)")" \
    "[outcomes]: the same points as the 0/1 file"
# without stage: any row is an SQL
config deals2 "$T/noout.csv" -e "/^outcome =/d" -e "/^positive =/d" -e "/^negative =/d"
awk -F, 'NR == 1 || $3 == "Closed Won"' "$T/deals.csv" >"$T/won.csv"
printf '\n[outcomes]\nfile = %s\nid = Contact ID\n' "$T/won.csv" >>"$T/deals2.ini"
run "$MQLCAL" ingest "$T/deals2.ini"
expect_rc 0 "[outcomes] without stage: ingest"
expect_eq "$(sql "$T/deals2/mqlcal.db" "SELECT sum(_outcome) FROM leads")" "$(sql "$T/plain/mqlcal.db" "SELECT sum(_outcome) FROM leads")" \
    "[outcomes] without stage: a lead with a row is an SQL"
# bad input
sed 's/Closed Lost/Negotiation/' "$T/deals.csv" >"$T/odd_deals.csv"
sed "s#^file = .*#file = $T/odd_deals.csv#" "$T/deals.ini" >"$T/odd_deals.ini"
run "$MQLCAL" ingest "$T/odd_deals.ini"
expect_rc 2 "a stage in neither list: refused"
expect_contains "$ERR" "stage 'Negotiation' is in none of" "the message names the file, line and stage"
sed "s#^id = Contact ID#id = Contact#" "$T/deals.ini" >"$T/noid.ini"
run "$MQLCAL" ingest "$T/noid.ini"
expect_rc 2 "an [outcomes] id column the file lacks: refused"
expect_contains "$ERR" "no column 'Contact' in the header of $T/deals.csv (nearest: 'Contact ID'" "the message names the nearest column"
printf '\n[outcomes]\nfile = %s\nid = Contact ID\n' "$T/won.csv" >"$T/both.tmp"
cat "$T/plain.ini" "$T/both.tmp" >"$T/both.ini"
run "$MQLCAL" ingest "$T/both.ini"
expect_rc 2 "[data] outcome and [outcomes] together: refused"
# a changed deals file makes the store stale
echo "D999999,L0000005,Closed Won,1/5/2025" >>"$T/won.csv"
run "$MQLCAL" fit "$T/deals2.ini" --quiet
expect_rc 2 "fit after the [outcomes] file changed: refused"
expect_contains "$ERR" "the [outcomes] file" "the message names the deals file"
# the report's data quality says where the outcomes came from and how the ids matched
"$MQLCAL" fit "$T/deals.ini" --quiet >/dev/null 2>&1 && "$MQLCAL" sweep "$T/deals.ini" >/dev/null 2>&1
run "$MQLCAL" report "$T/deals.ini"
expect_rc 0 "[outcomes]: report"
expect_contains "$(cat "$T/deals/report/index.html")" "<p>Outcomes from $T/deals.csv: 806 rows (1 without a lead id) for 678 lead ids; 677 matched a loaded lead, 1 matched none.</p>" \
    "[outcomes]: the page accounts for every deals row"
