#!/usr/bin/env bash
# Issue 14: `mqlcal init LEADS.csv` writes a starter config that runs as it is: on the demo
# file, on a ';'-separated export with yes/no outcomes and on an export with US dates and
# sales-written columns; it never overwrites a file; and the real exports in ../shared load.
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }
mkdir -p "$T/w"
"$GEN" --n 3000 --seed 5 --out "$T/w/leads.csv" >/dev/null
cd "$T/w" || exit 1

# ==== the demo's columns =======================================================================
run "$MQLCAL" init leads.csv --out demo.ini
expect_rc 0 "init on the demo file"
expect_contains "$OUT" "init: demo.ini" "it names the config it wrote"
c=$(cat demo.ini)
expect_contains "$c" "leads = leads.csv" "the leads file, relative to the config's folder"
expect_contains "$c" "id = lead_id" "the id column"
expect_contains "$c" $'outcome = became_sql\npositive = 1\nnegative = 0' "the outcome and its values"
expect_contains "$c" "date = created_at" "the creation date"
expect_contains "$c" "feedback = sales_feedback" "sales' feedback column"
expect_contains "$c" "job_level = categorical, fit" "a fit attribute"
expect_contains "$c" "pricing_page_views = count, engagement" "an engagement count"
expect_contains "$c" "by = channel, country" "segments to audit"
run "$MQLCAL" run demo.ini --quiet
expect_rc 0 "the starter config runs as it is"
run "$MQLCAL" init leads.csv --out demo.ini
expect_rc 2 "init never overwrites a file"
expect_eq "$(cat demo.ini)" "$c" "the existing config is unchanged"

# ==== an export: ';', yes/no, US timestamps, spaced names, sales-written columns ===============
python3 - leads.csv export.csv <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = rows[0]
names = {"lead_id": "Contact ID", "created_at": "Create Date", "became_sql": "Converted",
         "channel": "Lead Source", "sales_feedback": "Lead Status"}
out = [[names.get(x, x.replace("_", " ").title()) for x in h] + ["Deal Amount", "Notes"]]
c, y = h.index("created_at"), h.index("became_sql")
for i, r in enumerate(rows[1:]):
    y_, m, d = r[c].split("-")
    r = list(r)
    r[c] = "%d/%d/%s %d:%02d %s" % (int(m), int(d), y_, i % 12 + 1, i % 60, "AM" if i % 2 else "PM")
    r[y] = "Yes" if r[y] == "1" else "No"
    out.append(r + [str(1000 + i) if r[y] == "Yes" else "", "called on %s, left a message" % r[c]])
w = csv.writer(open(sys.argv[2], "w", newline=""), delimiter=";", lineterminator="\r\n")
w.writerows(out)
EOF
run "$MQLCAL" init export.csv --out export.ini
expect_rc 0 "init on a ';' export"
c=$(cat export.ini)
expect_contains "$c" "delimiter = semicolon" "the delimiter"
expect_contains "$c" "id = Contact ID" "a spaced id name"
expect_contains "$c" $'outcome = Converted\npositive = Yes\nnegative = No' "Yes/No outcomes"
expect_contains "$c" "date = Create Date          ; read as M/D/YYYY" "US timestamps"
expect_contains "$c" "Deal Amount = count, after_outcome = yes" "an amount: after the outcome"
expect_contains "$c" "Lead Status = categorical, after_outcome = yes" "a status: after the outcome"
expect_contains "$c" "; Notes = categorical" "free text is left out"
run "$MQLCAL" run export.ini --quiet
expect_rc 0 "the export's starter config runs as it is"
expect_eq "$(sql out/mqlcal.db "SELECT count(*) || ' ' || sum(_outcome) FROM leads")" \
    "3000 $(awk -F, 'NR > 1 && $NF == 1' leads.csv | wc -l)" "every lead loaded, with its outcome"

# ==== an export whose outcome words say nothing ================================================
awk -F, -v OFS=, 'NR > 1 { $NF = ($NF == 1 ? "A" : "B") } { print }' leads.csv >ab.csv
run "$MQLCAL" init ab.csv --out ab.ini
expect_rc 0 "init where the outcome's values are A and B"
expect_contains "$(cat ab.ini)" "; outcome = became_sql   ; its values do not say which are SQLs" \
    "the outcome is left for the user to decide, with the values seen"
run "$MQLCAL" ingest ab.ini
expect_rc 2 "such a config stops until the outcome is given"

# ==== no outcome column at all (it is in a deals file): left for the user, never a guess =====
cut -d, -f1-16 leads.csv >nooutcome.csv
run "$MQLCAL" init nooutcome.csv --out nooutcome.ini
expect_rc 0 "init on a file without an outcome column"
expect_contains "$(cat nooutcome.ini)" "; outcome = ...            ; no outcome column found" "the outcome line is commented, with what to do"
expect_contains "$(cat nooutcome.ini)" "[outcomes]" "it points to the deals-file route"
run "$MQLCAL" ingest nooutcome.ini
expect_rc 2 "such a config stops at the missing outcome"
expect_contains "$ERR" "missing required key 'outcome'" "it says which key"

# ==== the real exports =========================================================================
if [ -f "$SHARED/xeducation/Leads.csv" ]; then
    run "$MQLCAL" init "$SHARED/xeducation/Leads.csv" --out xed.ini
    expect_rc 0 "init on X Education's Leads.csv"
    c=$(cat xed.ini)
    for col in "Tags" "Lead Quality" "Last Activity" "Last Notable Activity"; do
        expect_contains "$c" "$col = categorical, after_outcome = yes" "X Education: '$col' (written by sales) is after_outcome"
    done
    expect_contains "$c" "; Lead Number" "X Education: the lead number is an identifier, left out"
    run "$MQLCAL" run xed.ini --quiet
    expect_rc 0 "X Education: the starter config runs"
else
    skip "X Education: $SHARED/xeducation/Leads.csv absent"
fi
if [ -f "$SHARED/bank-marketing/bank-full.csv" ]; then
    run "$MQLCAL" init "$SHARED/bank-marketing/bank-full.csv" --out bank.ini
    c=$(cat bank.ini)
    expect_contains "$c" $'delimiter = semicolon' "bank: the delimiter"
    expect_contains "$c" $'outcome = y\npositive = yes\nnegative = no' "bank: the outcome y"
    run "$MQLCAL" run bank.ini --quiet
    expect_rc 0 "bank: the starter config runs"
else
    skip "bank: $SHARED/bank-marketing/bank-full.csv absent"
fi
