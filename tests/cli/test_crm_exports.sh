#!/usr/bin/env bash
# Issue 14: the demo as HubSpot and Salesforce export it (gen-demo --export: spaced names, their
# date formats, lifecycle stages or a Converted flag, company size and industry in a companies /
# accounts table, a deals / opportunities file with open deals) goes through `mqlcal init` and
# `mqlcal run` with a [join] section added, and gives the same points, rule and audit as the
# plain file through `mqlcal init`. The deals file gives the same outcome as the lifecycle stage.
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }
mkdir -p "$T/plain" "$T/hubspot" "$T/salesforce"
"$GEN" --n 6000 --seed 7 --out "$T/plain/leads.csv" >/dev/null
"$GEN" --n 6000 --seed 7 --export hubspot --out "$T/hubspot/contacts.csv" >/dev/null
"$GEN" --n 6000 --seed 7 --export salesforce --out "$T/salesforce/leads.csv" >/dev/null
for f in hubspot/companies.csv hubspot/deals.csv salesforce/accounts.csv salesforce/opportunities.csv; do
    [ -s "$T/$f" ] && ok "gen-demo --export wrote $f" || nok "gen-demo --export: no $f"
done
expect_contains "$(head -1 "$T/hubspot/contacts.csv")" "Record ID,Create Date,Original Source" "HubSpot: spaced column names"
expect_contains "$(sed -n 2p "$T/salesforce/leads.csv")" "/2024 " "Salesforce: M/D/YYYY h:mm AM dates"
open=$(grep -c ',appointmentscheduled,' "$T/hubspot/deals.csv")
[ "$open" -gt 100 ] && ok "the deals file has $open open deals" || nok "open deals: $open"

cd "$T/plain" && "$MQLCAL" init leads.csv --out demo.ini >/dev/null && cd - >/dev/null
run "$MQLCAL" run "$T/plain/demo.ini" --quiet
expect_rc 0 "the plain file: init + run"

# HubSpot: init, then the companies table joined on Associated Company ID
cd "$T/hubspot" || exit 1
run "$MQLCAL" init contacts.csv --out hs.ini
expect_rc 0 "HubSpot contacts: init"
c=$(cat hs.ini)
expect_contains "$c" "outcome = Lifecycle Stage" "init takes the lifecycle stage for the outcome"
pos=$(grep '^positive = ' hs.ini)
[[ "$pos" == *salesqualifiedlead* && "$pos" == *opportunity* && "$pos" == *customer* && "$pos" != *marketingqualifiedlead* ]] &&
    ok "and the SQL stages for positive ($pos)" || nok "positive: $pos"
expect_contains "$c" "date = Create Date          ; read as ISO 8601" "the creation date with its time"
expect_contains "$c" "; Associated Company ID                      ; whole numbers named as an identifier" \
    "a company id is a key, not a count, and init says how to join its table"
python3 - hs.ini <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("[attributes]", "[join companies]\nfile = companies.csv\nkey = Associated Company ID\non = Company ID\n\n[attributes]", 1)
s = s.replace("Demo Request = count, engagement\n", "Demo Request = count, engagement\ncompanies.Company Size = categorical, fit\ncompanies.Industry = categorical, fit\n", 1)
open(p, "w").write(s)
PY
run "$MQLCAL" run hs.ini
expect_rc 0 "HubSpot: run with the companies table joined"
expect_contains "$OUT" "join companies" "the console reconciles the join"
expect_contains "$OUT" "6000 leads matched, 0 unmatched" "every lead found its company"
cd - >/dev/null

map="WITH m(a, b) AS (VALUES ('channel','Original Source'), ('job_level','Job Level'),
    ('company_size','companies.Company Size'), ('industry','companies.Industry'),
    ('country','Country/Region'), ('email_type','Email Type'),
    ('pricing_page_views','Pricing Page Views'), ('guide_downloads','Guide Downloads'),
    ('webinar_signups','Webinar Signups'), ('email_clicks','Email Clicks'),
    ('site_visits','%VISITS%'), ('time_on_site','Time on Site'), ('demo_request','Demo Request'))"
points() { # $1 store, $2 side (a: plain names, b: export names)
    sql "$1" "${map//%VISITS%/$3} SELECT m.a, label, points FROM fit_levels f JOIN m ON f.attribute = m.$2
        WHERE fit_id = (SELECT max(fit_id) FROM fits) ORDER BY 1, 2"
}
PDB="$T/plain/out/mqlcal.db" HDB="$T/hubspot/out/mqlcal.db" SDB="$T/salesforce/out/mqlcal.db"
P=$(points "$PDB" a "Number of Sessions")
[ "$(echo "$P" | wc -l)" -gt 40 ] && ok "the plain file's points: $(echo "$P" | wc -l) levels" || nok "plain points: $P"
expect_eq "$(points "$HDB" b "Number of Sessions")" "$P" "HubSpot export: the same points for every level"
rule="SELECT threshold, coalesce(fit_min, 'none'), mqls, sqls, printf('%.12g', conversion) FROM sweeps ORDER BY sweep_id DESC LIMIT 1"
expect_eq "$(sql "$HDB" "$rule")" "$(sql "$PDB" "$rule")" "HubSpot export: the same recommended rule"
audit="SELECT value, leads, mqls, sqls FROM audit_segments WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps) ORDER BY column_name != '%C%', value"
expect_eq "$(sql "$HDB" "${audit//%C%/Original Source}")" "$(sql "$PDB" "${audit//%C%/channel}")" "HubSpot export: the same audit"

# HubSpot, outcome from the deals file instead: a contact with a deal (open or closed) is an SQL
cd "$T/hubspot" || exit 1
sed -e '/^outcome = /d' -e '/^positive = /d' -e '/^negative = /d' -e 's|^dir = out|dir = out-deals|' hs.ini >deals.ini
printf '\n[outcomes]\nfile = deals.csv\nid = Associated Contact ID\ndate = Create Date\n' >>deals.ini
run "$MQLCAL" run deals.ini --quiet
expect_rc 0 "HubSpot: the outcome from deals.csv"
cd - >/dev/null
expect_eq "$(points "$T/hubspot/out-deals/mqlcal.db" b "Number of Sessions")" "$P" "deals file route: the same points"

# Salesforce: Converted flag, US dates, the accounts table joined on Account ID
cd "$T/salesforce" || exit 1
run "$MQLCAL" init leads.csv --out sf.ini
expect_rc 0 "Salesforce leads: init"
expect_contains "$(cat sf.ini)" "outcome = Converted" "init takes Converted for the outcome"
expect_contains "$(cat sf.ini)" "date = Created Date          ; read as M/D/YYYY" "and reads the US dates"
python3 - sf.ini <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("[attributes]", "[join accounts]\nfile = accounts.csv\nkey = Account ID\non = Account ID\n\n[attributes]", 1)
s = s.replace("Demo Request = count, engagement\n", "Demo Request = count, engagement\naccounts.Employees = categorical, fit\naccounts.Industry = categorical, fit\n", 1)
open(p, "w").write(s)
PY
run "$MQLCAL" run sf.ini --quiet
expect_rc 0 "Salesforce: run with the accounts table joined"
cd - >/dev/null
SP=$(sql "$SDB" "${map//%VISITS%/Site Visits} SELECT m.a, label, points FROM fit_levels f JOIN m ON (CASE f.attribute
        WHEN 'accounts.Employees' THEN 'companies.Company Size' WHEN 'accounts.Industry' THEN 'companies.Industry'
        WHEN 'Lead Source' THEN 'Original Source' WHEN 'Country' THEN 'Country/Region' ELSE f.attribute END) = m.b
        WHERE fit_id = (SELECT max(fit_id) FROM fits) ORDER BY 1, 2")
expect_eq "$SP" "$P" "Salesforce export: the same points for every level"
expect_eq "$(sql "$SDB" "$rule")" "$(sql "$PDB" "$rule")" "Salesforce export: the same recommended rule"

# joins: an unmatched key gives missing values, a duplicate key is an error naming it
cd "$T/hubspot" || exit 1
grep -v '^1020,' companies.csv >c2.csv
sed -e 's|^file = companies.csv|file = c2.csv|' -e 's|^dir = out|dir = out2|' hs.ini >unmatched.ini
n1020=$(grep -c ',1020,' contacts.csv)
run "$MQLCAL" ingest unmatched.ini
expect_rc 0 "a company with no row in the table: loaded"
expect_contains "$OUT" "$((6000 - n1020)) leads matched, $n1020 unmatched" "unmatched leads are counted, never dropped"
expect_eq "$(sql out2/mqlcal.db "SELECT count(*) FROM leads")" "6000" "every lead is loaded"
expect_eq "$(sql out2/mqlcal.db "SELECT count(*) FROM leads WHERE \"companies.Industry\" IS NULL AND \"companies.Company Size\" IS NULL")" \
    "$(($(sql out/mqlcal.db "SELECT count(*) FROM leads WHERE \"companies.Industry\" IS NULL AND \"companies.Company Size\" IS NULL") + n1020))" \
    "their joined columns are missing"
expect_eq "$(sql out2/mqlcal.db "SELECT leads_matched + leads_unmatched, leads_unmatched FROM joins")" "6000|$n1020" "joins: matched + unmatched = leads"
(cat companies.csv; sed -n 5p companies.csv) >c3.csv
sed -e 's|^file = companies.csv|file = c3.csv|' -e 's|^dir = out|dir = out3|' hs.ini >dup.ini
run "$MQLCAL" ingest dup.ini
expect_rc 2 "a key on two rows"
expect_contains "$ERR" "key '1004' is on two rows (lines 5 and" "the error names the key and both lines"
sed -e 's|^key = Associated Company ID|key = Company|' -e 's|^dir = out|dir = out4|' hs.ini >nokey.ini
run "$MQLCAL" ingest nokey.ini
expect_rc 2 "a join key absent from the header"
expect_contains "$ERR" "[join companies] key: no column 'Company' in the header of" "the error names the section and column"
sed -e 's|^companies.Industry = |companies.Sector = |' -e 's|^dir = out|dir = out5|' hs.ini >nocol.ini
run "$MQLCAL" ingest nocol.ini
expect_rc 2 "a joined column the table lacks"
expect_contains "$ERR" "no column 'Sector' in the header of" "the error names the column"
expect_contains "$ERR" "nearest:" "and the nearest names"
