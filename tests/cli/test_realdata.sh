#!/usr/bin/env bash
# The real public datasets in ../shared/datasets ingest with the project's configs, every row
# loaded. Skips cleanly when that folder is absent.
. "$(dirname "$0")/lib.sh"

check() { # NAME CONFIG CSV ROWS
    local name=$1 conf=$ROOT/$2 csv=$SHARED/$3 rows=$4
    if [ ! -f "$csv" ]; then skip "$name: $csv absent"; return; fi
    run "$MQLCAL" ingest "$conf" --quiet --db "$T/$name.db"
    expect_rc 0 "$name ingests"
    expect_contains "$OUT" "reconciliation: read $rows = loaded $rows + rejected 0" "$name: $rows leads, 0 rejects"
    expect_eq "$(sql "$T/$name.db" "SELECT count(*) || ' ' || (SELECT count(*) FROM rejects) FROM leads")" "$rows 0" "$name: store holds them"
}
check xeducation datasets/xeducation/leads.ini xeducation/Leads.csv 9240
check bank datasets/bank-marketing/bank.ini bank-marketing/bank-full.csv 45211

if [ -f "$SHARED/xeducation/Leads.csv" ]; then
    expect_eq "$(sql "$T/xeducation.db" "SELECT round(avg(_outcome), 4) FROM leads")" "0.3854" "xeducation: base rate 38.54 %"
    expect_eq "$(sql "$T/xeducation.db" "SELECT count(*) FROM leads WHERE \"Specialization\" IS NULL")" \
        "$(awk -F, 'NR > 1' "$SHARED/xeducation/Leads.csv" | python3 -c '
import csv, sys
print(sum(1 for r in csv.reader(sys.stdin) if r[12] in ("", "Select")))')" \
        "xeducation: 'Select' and empty Specialization are both missing"
    expect_eq "$(sql "$T/xeducation.db" "SELECT typeof(\"TotalVisits\") FROM leads WHERE \"TotalVisits\" IS NOT NULL LIMIT 1")" "integer" "xeducation: TotalVisits typed as a count"
fi
if [ -f "$SHARED/bank-marketing/bank-full.csv" ]; then
    expect_eq "$(sql "$T/bank.db" "SELECT round(avg(_outcome), 4) FROM leads")" "0.117" "bank: base rate 11.70 %"
    expect_eq "$(sql "$T/bank.db" "SELECT _id FROM leads WHERE _line = 2")" "2" "bank: no id column, the line number is the id"
fi
