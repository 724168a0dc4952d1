#!/usr/bin/env bash
# Issue 13: lose nothing, overwrite nothing, say nothing false. One regression check per item,
# each failing on the code before the fix (commit 857ff9a) and passing after:
#   1. the report swap removes only folders mqlcal can prove it wrote (a manifest), never
#      through a symlink;  3. a stray quote rejects exactly its physical lines, ingest and the
#   scorer agree;  4. outputs never replace inputs, devices or other people's files;
#   5. a second writer on an output folder fails at once naming the holder's pid;
#   12. a store loaded from another file or config is not reused;  15. data reaches the
#   terminal with its control characters escaped;  and the others further down.
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }

"$GEN" --n 3000 --seed 7 --out "$T/leads.csv" >/dev/null
# config NAME CSV OUTDIR [extra sed]: the demo config on another CSV and output folder
config() {
    sed -e "s#^leads = .*#leads = $2#" -e "s#^dir = .*#dir = $3#" -e "s#^bootstrap.*##" "$CONF" >"$T/$1.ini"
    printf '\n' >>"$T/$1.ini"
}

# ==== 1. the report swap deletes only what mqlcal wrote ========================================
mkdir -p "$T/w1"
cp "$T/leads.csv" "$T/w1/leads.csv"
config c1 leads.csv .
mv "$T/c1.ini" "$T/w1/c.ini"
mkdir -p "$T/w1/report"
echo "my notes" >"$T/w1/report/notes.txt"
echo "slides" >"$T/w1/report/deck.pptx"
run "$MQLCAL" run "$T/w1/c.ini" --quiet
expect_rc 2 "a user's own report/ folder in the output folder: refused"
expect_contains "$ERR" "which mqlcal did not write" "the refusal names a file mqlcal did not write"
if [ -f "$T/w1/report/notes.txt" ] && [ -f "$T/w1/report/deck.pptx" ]; then
    ok "the user's files in report/ are still there"
else nok "the user's files in report/ were deleted"; fi
rm -rf "$T/w1/report"

# report/ a symlink to a folder of the user's
mkdir -p "$T/precious"
echo "keep" >"$T/precious/a.txt"
ln -s "$T/precious" "$T/w1/report"
run "$MQLCAL" run "$T/w1/c.ini" --quiet
expect_rc 2 "report/ is a symlink: refused"
expect_contains "$ERR" "symbolic link" "the refusal says it is a symlink"
if [ -f "$T/precious/a.txt" ]; then ok "the folder the symlink points to is untouched"; else
    nok "the files behind the symlink were deleted"; fi
rm -f "$T/w1/report"

# a planted .report-tmp-<dead pid> symlink and a report.old symlink
ln -s "$T/precious" "$T/w1/.report-tmp-999999"
run "$MQLCAL" run "$T/w1/c.ini" --quiet
expect_rc 2 "a planted .report-tmp-<dead pid> symlink: refused"
[ -f "$T/precious/a.txt" ] && ok "behind the planted tmp symlink: untouched" || nok "planted tmp symlink followed"
rm -f "$T/w1/.report-tmp-999999"
ln -s "$T/precious" "$T/w1/report.old"
run "$MQLCAL" run "$T/w1/c.ini" --quiet
expect_rc 2 "a planted report.old symlink: refused"
[ -f "$T/precious/a.txt" ] && ok "behind report.old: untouched" || nok "report.old symlink followed"
[ -L "$T/w1/report.old" ] && ok "the planted symlink itself is left" || nok "the planted symlink was removed"
rm -f "$T/w1/report.old"

# a normal run, then a second one replaces mqlcal's own report
run "$MQLCAL" run "$T/w1/c.ini" --quiet
expect_rc 0 "run in a clean folder"
run "$MQLCAL" report "$T/w1/c.ini"
expect_rc 0 "a second report replaces mqlcal's own"
echo "late" >"$T/w1/report/added-by-user.txt"
run "$MQLCAL" report "$T/w1/c.ini"
expect_rc 2 "a file the user added to mqlcal's report folder: refused"
[ -f "$T/w1/report/added-by-user.txt" ] && ok "the added file is kept" || nok "the added file was deleted"
rm -f "$T/w1/report/added-by-user.txt"

# an output name that is somebody else's file
mkdir -p "$T/w1b"
config c1b "$T/leads.csv" "$T/w1b"
echo "my own audit" >"$T/w1b/audit.csv"
run "$MQLCAL" run "$T/c1b.ini" --quiet
expect_rc 2 "an audit.csv that mqlcal did not write: refused"
expect_contains "$ERR" "did not write" "the refusal says why"
expect_eq "$(cat "$T/w1b/audit.csv")" "my own audit" "the user's audit.csv is unchanged"

# ==== 3. a stray quote ==========================================================================
mkdir -p "$T/w3"
{
    echo "lead_id,created_at,title,visits,amount,became_sql"
    echo "A0,2025-06-04,plain,1,2.5,0"
    echo 'A1,2025-06-05,"24" screen,1,2.5,1'
    echo "A2,2025-06-06,next,2,1.5,0"
    echo 'A3,2025-06-07,"ok, quoted",3,1.0,1'
    echo 'A4,2025-06-08,24" inch,4,1.0,0'
} >"$T/w3/leads.csv"
cat >"$T/w3/c.ini" <<EOF
[data]
leads = leads.csv
id = lead_id
outcome = became_sql
date = created_at
[attributes]
title = categorical
visits = count
amount = numeric
[output]
dir = out
EOF
run "$MQLCAL" ingest "$T/w3/c.ini"
expect_rc 0 "stray quote: ingest"
DB="$T/w3/out/mqlcal.db"
expect_eq "$(sql "$DB" "SELECT group_concat(_id, ' ') FROM (SELECT _id FROM leads ORDER BY _id)")" "A0 A2 A3 A4" \
    "stray quote: A2 after the bad record is loaded, not swallowed"
expect_eq "$(sql "$DB" "SELECT line || ':' || lines || ':' || reason FROM rejects")" "3:1:bad_quote" \
    "stray quote: exactly line 3 rejected as bad_quote"
expect_eq "$(sql "$DB" "SELECT _outcome FROM leads WHERE _id = 'A0'")" "0" "A0 keeps its own outcome"
expect_eq "$(sql "$DB" "SELECT title FROM leads WHERE _id = 'A4'")" '24" inch' "a quote inside an unquoted field is literal"
expect_contains "$OUT" "lines: 6 = header 1 + loaded 4 + rejected 1 + blank 0" "the reconciliation counts physical lines"
# ==== 4. outputs never overwrite inputs =========================================================
mkdir -p "$T/w4"
cp "$T/leads.csv" "$T/w4/sweep.csv"
config c4 sweep.csv .
mv "$T/c4.ini" "$T/w4/c.ini"
sum_before=$(sha256sum "$T/w4/sweep.csv" | cut -d' ' -f1)
run "$MQLCAL" run "$T/w4/c.ini" --quiet
expect_rc 2 "a leads file named sweep.csv in the output folder: refused"
expect_contains "$ERR" "input" "the refusal says the output is an input"
expect_eq "$(sha256sum "$T/w4/sweep.csv" | cut -d' ' -f1)" "$sum_before" "the leads file is unchanged"
config c4b "$T/leads.csv" "$T/w4b"
sum_before=$(sha256sum "$T/leads.csv" | cut -d' ' -f1)
run "$MQLCAL" ingest "$T/c4b.ini" --db "$T/leads.csv"
expect_rc 2 "--db naming the leads file: refused"
expect_eq "$(sha256sum "$T/leads.csv" | cut -d' ' -f1)" "$sum_before" "--db leads.csv: the CSV is unchanged"
run "$MQLCAL" ingest "$T/c4b.ini" --db /dev/null
expect_rc 2 "--db /dev/null: refused"
[ -c /dev/null ] && ok "/dev/null is still a device" || nok "/dev/null was replaced"
[ ! -e /dev/.mqlcal.lock ] && ok "no lock file was made in /dev" || nok "a lock file was made in /dev"
echo "notes" >"$T/w4/notes.txt"
run "$MQLCAL" ingest "$T/c4b.ini" --db "$T/w4/notes.txt"
expect_rc 2 "--db on a file that is not an mqlcal store: refused"
expect_eq "$(cat "$T/w4/notes.txt")" "notes" "that file is unchanged"
run "$MQLCAL" ingest "$T/c4b.ini"
run "$MQLCAL" fit "$T/c4b.ini" --quiet
run "$MQLCAL" sweep "$T/c4b.ini"
sum_before=$(sha256sum "$T/c4b.ini" | cut -d' ' -f1)
run "$MQLCAL" export "$T/c4b.ini" --format json --out "$T/c4b.ini"
expect_rc 2 "export --out naming the config: refused"
expect_eq "$(sha256sum "$T/c4b.ini" | cut -d' ' -f1)" "$sum_before" "the config is unchanged"

# ==== 5. concurrent runs ========================================================================
config c5 "$T/leads.csv" "$T/w5"
"$MQLCAL" ingest "$T/c5.ini" >/dev/null
# hold the lock from another process, as a running mqlcal would
python3 - "$T/w5/.mqlcal.lock" "$T/w5/held" <<'EOF' &
import fcntl, os, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(20)
EOF
HOLDER=$!
for _ in $(seq 50); do [ -f "$T/w5/held" ] && break; sleep 0.1; done
run "$MQLCAL" run "$T/c5.ini" --quiet
expect_rc 3 "a second writer on a locked output folder fails at once"
expect_contains "$ERR" "locked by pid $HOLDER" "the message names the holder's pid"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
# two real runs at once: one wins, the other says why; no run exits 0 on the other's data
config c5b "$T/leads.csv" "$T/w5b"
"$MQLCAL" run "$T/c5b.ini" --quiet >/dev/null 2>&1
bad=0
for i in 1 2 3 4 5; do
    "$MQLCAL" run "$T/c5b.ini" --quiet >"$T/o1" 2>"$T/e1" &
    p1=$!
    "$MQLCAL" run "$T/c5b.ini" --quiet >"$T/o2" 2>"$T/e2" &
    p2=$!
    wait $p1; r1=$?
    wait $p2; r2=$?
    for k in 1 2; do
        r=$([ $k = 1 ] && echo $r1 || echo $r2)
        if [ "$r" -ne 0 ] && ! grep -q "locked by" "$T/e$k"; then bad=$((bad + 1)); fi
    done
    [ $r1 -eq 0 ] || [ $r2 -eq 0 ] || bad=$((bad + 1))
done
expect_eq "$bad" "0" "two runs at once, 5 times: every failure is 'locked by', one run always finishes"
run sqlite3 "$T/w5b/mqlcal.db" "PRAGMA integrity_check"
expect_eq "$OUT" "ok" "the store is whole after the races"
left=$(find "$T/w5b" -name '*.tmp-*' | wc -l)
expect_eq "$left" "0" "no temporary file is left"

# ingest and the scorer split the same bytes the same way (3, continued: the demo's rule)
head -4 "$T/leads.csv" | awk -F, 'NR == 3 { $3 = "\"" $3 "\" x" } { print }' OFS=, >"$T/stray.csv"
config c3s "$T/stray.csv" "$T/w3s"
run "$MQLCAL" ingest "$T/c3s.ini"
expect_eq "$(sql "$T/w3s/mqlcal.db" "SELECT line || ':' || reason FROM rejects")" "3:bad_quote" "ingest: line 3 is bad_quote"
loaded=$(sql "$T/w3s/mqlcal.db" "SELECT group_concat(_id, ' ') FROM (SELECT _id FROM leads ORDER BY _line)")
run "$MQLCAL" score --rules "$T/w5b/rules.json" "$T/stray.csv"
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" "$loaded " "the scorer scores exactly the records ingest loads"
expect_contains "$ERR" ":3: not scored: bad_quote" "the scorer rejects the same line as bad_quote"

# a planted symlink at a temporary name is never written through
config c5c "$T/leads.csv" "$T/w5c"
"$MQLCAL" run "$T/c5c.ini" --quiet >/dev/null 2>&1
echo "keep" >"$T/victim"
for n in 1 2 3 4 5 6; do ln -sf "$T/victim" "$T/w5c/sweep.csv.tmp-$$-$n" 2>/dev/null; done
ln -sf "$T/victim" "$T/w5c/sweep.csv.tmp"
run "$MQLCAL" sweep "$T/c5c.ini"
expect_rc 0 "sweep with planted symlinks at temporary names"
expect_eq "$(cat "$T/victim")" "keep" "the symlinks' target is unchanged"

# ==== 12. a stale store =========================================================================
config c12 "$T/leads.csv" "$T/w12"
"$MQLCAL" ingest "$T/c12.ini" >/dev/null
"$GEN" --n 2000 --seed 8 --out "$T/other.csv" >/dev/null
sed "s#^leads = .*#leads = $T/other.csv#" "$T/c12.ini" >"$T/c12b.ini"
run "$MQLCAL" fit "$T/c12b.ini" --db "$T/w12/mqlcal.db" --quiet
expect_rc 2 "fit with another leads file on the old store: refused"
expect_contains "$ERR" "run 'mqlcal ingest" "the message says to run ingest"
sed "s#^missing = .*#missing = NA#" "$T/c12.ini" >"$T/c12c.ini"
run "$MQLCAL" fit "$T/c12c.ini" --quiet
expect_rc 2 "fit after the [data] section changed: refused"
expect_contains "$ERR" "[data] section changed" "the message says what changed"
cp "$T/leads.csv" "$T/leads.bak"
echo "X9,2025-01-01,web,US,manager,1,1,0,0,0,1,10,0,,,0" >>"$T/leads.csv"
run "$MQLCAL" fit "$T/c12.ini" --quiet
expect_rc 2 "fit after the leads file changed: refused"
expect_contains "$ERR" "changed since the store was loaded" "the message says the file changed"
cp "$T/leads.bak" "$T/leads.csv"
touch "$T/leads.csv"
run "$MQLCAL" fit "$T/c12.ini" --quiet
expect_rc 0 "the same bytes with a new time: the store is still good"

# ==== 15. control characters never reach the terminal raw ======================================
mkdir -p "$T/w15"
printf 'lead_id,created_at,title,visits,amount,became_sql\nB1,2025-06-05,x,"12\033[2J\nFAKE LINE",2.5,1\nB2,2025-06-06,y,2,1.5,0\nB3,2025-06-07,z,2,1.5,1\n' >"$T/w15/leads.csv"
sed 's#dir = out#dir = out#' "$T/w3/c.ini" >"$T/w15/c.ini"
run "$MQLCAL" ingest "$T/w15/c.ini"
if printf '%s%s' "$OUT" "$ERR" | grep -q $'\033'; then nok "an escape sequence reached the terminal"; else
    ok "ingest: no escape byte printed"; fi
if printf '%s\n' "$OUT" | grep -q '^FAKE LINE'; then nok "a value's line break printed a fake line"; else
    ok "ingest: a value's line break is shown as \\n"; fi
expect_contains "$OUT" '\x1b[2J\nFAKE LINE' "the value is shown with its control characters escaped"

# ==== 2. the review reads last quarter's rule before this run replaces it =====================
config c2 "$T/leads.csv" "$T/w2"
"$MQLCAL" run "$T/c2.ini" --quiet >/dev/null 2>&1
cp "$T/w2/rules.json" "$T/last-quarter.json"
# this quarter: another capacity, so another rule; previous is the output folder's rules.json
sed -e "s#^capacity = .*#capacity = 15#" "$T/c2.ini" >"$T/c2b.ini"
printf '[review]\nprevious = %s/rules.json\n' "$T/w2" >>"$T/c2b.ini"
run "$MQLCAL" run "$T/c2b.ini" --quiet
expect_rc 0 "run with [review] previous = the output folder's rules.json"
if cmp -s "$T/w2/rules.previous.json" "$T/last-quarter.json"; then ok "last quarter's rule is kept as rules.previous.json"; else
    nok "rules.previous.json is not last quarter's rule"; fi
if cmp -s "$T/w2/rules.json" "$T/last-quarter.json"; then nok "rules.json was not replaced by this quarter's"; else
    ok "rules.json holds this quarter's rule"; fi
prev_thr=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rule']['threshold'])" "$T/last-quarter.json" 2>/dev/null)
cur_thr=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rule']['threshold'])" "$T/w2/rules.json" 2>/dev/null)
got=$(sql "$T/w2/mqlcal.db" "SELECT threshold FROM review_rules WHERE rule = 'previous' ORDER BY review_id DESC LIMIT 1")
if [ -n "$prev_thr" ] && [ "$prev_thr" != "$cur_thr" ]; then ok "the two quarters' rules differ ($prev_thr vs $cur_thr points)"; else
    nok "the test needs two different rules, got '$prev_thr' and '$cur_thr'"; fi
expect_eq "$got" "$prev_thr" "the review compares against last quarter's threshold, not this quarter's"

# ==== 6. a typo date ===========================================================================
mkdir -p "$T/w6"
{ head -1 "$T/leads.csv"; tail -n +2 "$T/leads.csv" | head -1500; tail -n +1502 "$T/leads.csv" | head -1 | sed 's/,20[0-9][0-9]-\([0-9][0-9]\)-\([0-9][0-9]\),/,2204-05-05,/'; tail -n +1503 "$T/leads.csv"; } >"$T/w6/leads.csv"
config c6 "$T/w6/leads.csv" "$T/w6/out"
run "$MQLCAL" ingest "$T/c6.ini"
expect_eq "$(sql "$T/w6/out/mqlcal.db" "SELECT reason FROM rejects")" "date_out_of_range" "a date in 2204 is rejected as date_out_of_range"
"$MQLCAL" fit "$T/c6.ini" --quiet >/dev/null 2>&1
run "$MQLCAL" sweep "$T/c6.ini"
expect_eq "$(sql "$T/w6/out/mqlcal.db" "SELECT periods FROM sweeps ORDER BY sweep_id DESC LIMIT 1")" "24" "the calendar is the leads' 24 months, not centuries"

# ==== 7. undated leads count in the volume =====================================================
mkdir -p "$T/w7"
awk -F, 'NR > 1 && NR % 2 == 0 { $2 = "" } { print }' OFS=, "$T/leads.csv" >"$T/w7/leads.csv"
config c7 "$T/w7/leads.csv" "$T/w7/out"
"$MQLCAL" ingest "$T/c7.ini" >/dev/null && "$MQLCAL" fit "$T/c7.ini" --quiet >/dev/null 2>&1
run "$MQLCAL" sweep "$T/c7.ini"
row=$(sql "$T/w7/out/mqlcal.db" "SELECT mqls, vol_mean FROM sweep_thresholds WHERE sample = 'all' ORDER BY threshold LIMIT 1")
expect_eq "$(echo "$row" | awk -F'|' '$1 > 1000 { printf "%.6f", $2 * 24 - $1 }')" "0.000000" \
    "half the dates empty: MQLs per month x 24 months = every MQL (undated ones spread, not dropped)"

# ==== 8. partial edge months ===================================================================
mkdir -p "$T/w8"
{ cat "$T/leads.csv"
  sed -n 2p "$T/leads.csv" | awk -F, '{ $1 = "EDGE1"; $2 = "2024-09-30"; $4 = "director"; $8 = "business"; print }' OFS=,
  sed -n 3p "$T/leads.csv" | awk -F, '{ $1 = "EDGE2"; $2 = "2026-10-01"; $4 = "director"; $8 = "business"; print }' OFS=,
} >"$T/w8/leads.csv"
config c8 "$T/w8/leads.csv" "$T/w8/out"
"$MQLCAL" ingest "$T/c8.ini" >/dev/null && "$MQLCAL" fit "$T/c8.ini" --quiet >/dev/null 2>&1
run "$MQLCAL" sweep "$T/c8.ini"
row=$(sql "$T/w8/out/mqlcal.db" "SELECT mqls, vol_mean FROM sweep_thresholds WHERE sample = 'all' ORDER BY threshold LIMIT 1")
expect_eq "$(echo "$row" | awk -F'|' '$1 > 1000 { printf "%.6f", $2 * 24 - ($1 - 2) }')" "0.000000" \
    "one-day first and last months: left out, the mean is that of the 24 whole months"

# ==== 9. a disqualifier on a column known only after the outcome ===============================
config c9 "$T/leads.csv" "$T/w9"
sed -i -e "s#^demo_request = .*#&\nsales_feedback = categorical, after_outcome = yes#" -e "s#^feedback = .*##" \
    -e "s#^disqualify = .*#disqualify = job_level:student, sales_feedback:rejected#" "$T/c9.ini"
run "$MQLCAL" ingest "$T/c9.ini"
expect_rc 2 "a disqualifier on an after_outcome column: refused"
expect_contains "$ERR" "after_outcome" "the refusal says why"
sed -i "s#^sales_feedback = categorical, after_outcome = yes#sales_feedback = categorical, after_outcome = yes, force = yes#" "$T/c9.ini"
run "$MQLCAL" ingest "$T/c9.ini"
expect_rc 0 "forced: accepted"

# ==== 10. column names are never read as data ==================================================
config c10 "$T/leads.csv" "$T/w10"
sed -i "s#^by = .*#by = channel, lead_id#" "$T/c10.ini"
run "$MQLCAL" ingest "$T/c10.ini"
expect_rc 2 "a segment on the id column: refused"
expect_contains "$ERR" "id column" "the refusal names the role"
config c10b "$T/leads.csv" "$T/w10b"
sed -i "s#^disqualify = .*#disqualify = created_at:2025-01-01#" "$T/c10b.ini"
run "$MQLCAL" ingest "$T/c10b.ini"
expect_rc 2 "a disqualifier on the date column: refused"
# rules.sql on a table without one of the rule's columns fails, it does not score
if command -v sqlite3 >/dev/null; then
    cut -d, -f1-6,8- "$T/leads.csv" >"$T/nocountry.csv"
    sqlite3 "$T/sql.db" ".import --csv $T/nocountry.csv leads" 2>/dev/null
    run sqlite3 "$T/sql.db" ".read $T/w5b/rules.sql"
    if [ "$RC" -ne 0 ] && [[ "$ERR" == *"country"* ]]; then ok "rules.sql on a table without 'country': an error naming it"; else
        nok "rules.sql scored a table that lacks a column (exit $RC)"; fi
fi

# ==== 14. duplicate header columns in the scorer ===============================================
awk -F, 'NR == 1 { print $0 ",channel"; next } { print $0 ",other" }' "$T/leads.csv" >"$T/dup.csv"
run "$MQLCAL" score --rules "$T/w5b/rules.json" "$T/dup.csv"
expect_rc 2 "score: a header naming a rule column twice is refused"
expect_contains "$ERR" "appears twice" "the refusal says so"

# ==== 16. a config that is not UTF-8 ===========================================================
config c16 "$T/leads.csv" "$T/w16"
printf 'bad\xffname = categorical\n' >>"$T/c16.ini"
run "$MQLCAL" ingest "$T/c16.ini"
expect_rc 2 "a config that is not UTF-8: refused"
expect_contains "$ERR" "not valid UTF-8" "the refusal says why (a name that is not UTF-8 would make an invalid rules.json)"

# ==== 13. values the rule has never seen =======================================================
awk -F, 'NR > 1 && $3 == "paid_search" { $3 = "sem_paid" } { print }' OFS=, "$T/leads.csv" >"$T/renamed.csv"
nren=$(awk -F, '$3 == "sem_paid"' "$T/renamed.csv" | wc -l)
run "$MQLCAL" score --rules "$T/w5b/rules.json" "$T/renamed.csv"
expect_rc 0 "score with a renamed channel (exit 0 without --strict)"
expect_contains "$ERR" "leads with values the rule has never seen" "score: a summary line on stderr"
expect_contains "$ERR" "channel: $nren leads" "score: the attribute and how many leads"
expect_contains "$ERR" "'sem_paid' $nren" "score: the unseen value named with its count"
run "$MQLCAL" score --strict --rules "$T/w5b/rules.json" "$T/renamed.csv"
expect_rc 2 "score --strict with unseen values"
run "$MQLCAL" score --strict --rules "$T/w5b/rules.json" "$T/leads.csv"
expect_rc 0 "score --strict on the training file: nothing unseen"
expect_contains "$ERR" " 0 leads with values the rule has never seen" "score: the summary says none"

# ==== 16. every output valid for its format ====================================================
{ head -1 "$T/leads.csv"; tail -n +2 "$T/leads.csv" | head -3 | sed '1s/^L[0-9]*/I\xff/'; } >"$T/badid.csv"
run "$MQLCAL" score --format jsonl --rules "$T/w5b/rules.json" "$T/badid.csv"
expect_eq "$(printf '%s\n' "$OUT" | python3 -c 'import sys, json
n = 0
for line in sys.stdin.buffer:
    json.loads(line.decode("utf-8")); n += 1
print(n)' 2>&1)" "2" "jsonl: a non-UTF-8 id is refused, the other lines are valid JSON"
expect_contains "$ERR" "not valid UTF-8" "jsonl: the refusal says why"
# a level with a control character: no invalid PMML is written
mkdir -p "$T/w16b"
awk -F, 'NR > 1 && NR % 3 == 0 { $3 = "bad\001chan" } { print }' OFS=, "$T/leads.csv" >"$T/w16b/leads.csv"
config c16b "$T/w16b/leads.csv" "$T/w16b/out"
run "$MQLCAL" run "$T/c16b.ini" --quiet
expect_rc 2 "a level with a control character: the export is refused"
expect_contains "$ERR" "XML 1.0" "the refusal says why"
[ ! -e "$T/w16b/out/rules.pmml" ] && ok "no invalid rules.pmml was written" || nok "an invalid rules.pmml was written"

# ==== 11. rules.sql refuses exactly what the scorer refuses ====================================
# pricing_page_views is a count, time_on_site a number in the demo's rule
python3 "$ROOT/tests/tools/odd_numbers.py" "$T/leads.csv" "$T/oddnum.csv"
run "$MQLCAL" score --rules "$T/w5b/rules.json" "$T/oddnum.csv"
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1 | sort >"$T/scored_ids"
rm -f "$T/odd.db"
sqlite3 "$T/odd.db" ".import --csv $T/oddnum.csv leads"
sqlite3 -csv "$T/odd.db" ".read $T/w5b/rules.sql" >"$T/odd_sql.csv" 2>"$T/odd_sql.err"
expect_eq "$?" "0" "rules.sql runs on values the scorer refuses (no engine error)"
awk -F, '$NF == "" { print $1 }' "$T/odd_sql.csv" | sort >"$T/sql_ids"
if cmp -s "$T/scored_ids" "$T/sql_ids"; then ok "rules.sql scores exactly the leads mqlcal score scores ($(wc -l <"$T/sql_ids") of $(($(wc -l <"$T/oddnum.csv") - 1)))"; else
    nok "rules.sql and mqlcal score disagree on which odd values are numbers"; diff "$T/scored_ids" "$T/sql_ids" | head -5 | sed 's/^/#   /'; fi
printf '%s\n' "$OUT" | tail -n +2 | sort >"$T/odd_a.csv"
awk -F, '$NF == ""' "$T/odd_sql.csv" | sort >"$T/odd_b.csv"
run python3 "$ROOT/tests/tools/same_rows.py" "$T/odd_a.csv" "$T/odd_b.csv"
expect_rc 0 "rules.sql gives mqlcal score's scores on the odd values it accepts ($OUT)"
