#!/usr/bin/env bash
# End-to-end tests of `mqlcal ingest`: the bad-input corpus in tests/data, each fixture with
# its exact reject reasons or error, the reconciliation, atomic replacement and exit statuses.
. "$(dirname "$0")/lib.sh"

# ingest_fixture FILE [CONFIG]: copies FILE to $T/w/leads.csv beside CONFIG and ingests it
ingest_fixture() {
    rm -rf "$T/w"; mkdir -p "$T/w"
    cp "$DATA/$1" "$T/w/leads.csv"
    cp "$DATA/${2:-corpus.ini}" "$T/w/c.ini"
    run "$MQLCAL" ingest "$T/w/c.ini" --quiet
    DB="$T/w/out/mqlcal.db"
}
rejects() { sql "$DB" "SELECT group_concat(line || ':' || reason, ' ') FROM (SELECT * FROM rejects ORDER BY line)"; }
counts()  { sql "$DB" "SELECT (SELECT count(*) FROM leads) || '+' || (SELECT count(*) FROM rejects)"; }
reconciles() { # read = loaded + rejected, in the output and in the store
    expect_contains "$OUT" "reconciliation: read $1 = loaded $2 + rejected $3" "$4: reconciliation printed"
    expect_eq "$(counts)" "$2+$3" "$4: store holds $2 leads and $3 rejects"
}

ingest_fixture good.csv
expect_rc 0 "good.csv loads"
reconciles 3 3 0 good.csv
expect_eq "$(sql "$DB" "SELECT _id, _outcome, _created, channel, job_level IS NULL, pricing_page_views, time_on_site FROM leads WHERE _line = 4")" \
    "L3|0|2025-01-04|web|1|1|100.0" "good.csv: values typed, NA stored as NULL"
expect_eq "$(sql "$DB" "SELECT typeof(pricing_page_views) || typeof(time_on_site) || typeof(channel) FROM leads WHERE _id = 'L1'")" \
    "integerrealtext" "good.csv: count INTEGER, numeric REAL, categorical TEXT"
expect_eq "$(sql "$DB" "SELECT sales_feedback FROM leads WHERE _id = 'L3'")" \
    "rejected: no budget, no timeline" "good.csv: quoted field with a comma"
expect_eq "$(sql "$DB" "SELECT group_concat(name || '=' || role, ' ') FROM columns")" \
    "lead_id=id became_sql=outcome created_at=date channel=attribute job_level=attribute pricing_page_views=attribute time_on_site=attribute country=segment sales_feedback=feedback" \
    "good.csv: columns table describes the roles"

ingest_fixture ragged.csv
expect_rc 0 "ragged.csv loads the good rows"
reconciles 4 2 2 ragged.csv
expect_eq "$(rejects)" "3:field_count 4:field_count" "ragged.csv: short and long rows rejected"
expect_eq "$(sql "$DB" "SELECT detail FROM rejects WHERE line = 3")" "expected 9 fields, got 4" "ragged.csv: detail names the counts"
expect_eq "$(sql "$DB" "SELECT raw FROM rejects WHERE line = 3")" "L2,2025-01-03,web,US" "ragged.csv: raw text kept"

ingest_fixture unterminated.csv
expect_rc 0 "unterminated.csv"
reconciles 2 1 1 unterminated.csv
expect_eq "$(rejects)" "3:unterminated_quote" "unterminated.csv: reason"
expect_contains "$(sql "$DB" "SELECT detail FROM rejects")" "runs to the end of the file (2 lines)" "unterminated.csv: detail"

ingest_fixture bad_numbers.csv
reconciles 7 1 6 bad_numbers.csv
expect_eq "$(rejects)" "3:bad_number 4:bad_number 5:bad_number 6:bad_number 7:bad_number 8:bad_number" "bad_numbers.csv: 3x, -1, 2.5 counts and 1e400, abc, NaN reals"
expect_eq "$(sql "$DB" "SELECT detail FROM rejects WHERE line = 3")" \
    "column 'pricing_page_views': expected a whole number >= 0, got '3x'" "bad_numbers.csv: detail names column and value"

ingest_fixture bad_dates.csv
reconciles 7 3 4 bad_dates.csv
expect_eq "$(rejects)" "3:bad_date 4:bad_date 5:bad_date 6:bad_date" "bad_dates.csv: Feb 30, US format, month 13, hour 25"
expect_eq "$(sql "$DB" "SELECT group_concat(coalesce(_created, 'NULL'), ' ') FROM leads")" \
    "2025-01-02 2024-02-29 NULL" "bad_dates.csv: date-time with offset kept as its date, empty date NULL"

ingest_fixture empty.csv
expect_rc 2 "empty.csv"
expect_contains "$ERR" "empty file: no header" "empty.csv: message"
[ ! -e "$T/w/out/mqlcal.db" ] && ok "empty.csv: no store created" || nok "empty.csv: a store was created"

ingest_fixture header_only.csv
expect_rc 2 "header_only.csv"
expect_contains "$ERR" "header only, no rows" "header_only.csv: message"

ingest_fixture bom.csv
expect_rc 0 "bom.csv"
reconciles 2 2 0 bom.csv
expect_eq "$(sql "$DB" "SELECT count(*) FROM leads WHERE _id = 'L1'")" "1" "bom.csv: BOM stripped from the first column name"

ingest_fixture crlf.csv
reconciles 2 2 0 crlf.csv
expect_eq "$(sql "$DB" "SELECT hex(sales_feedback) FROM leads WHERE _id = 'L1'")" "$(printf 'multi\r\nline' | xxd -p | tr a-f A-F)" "crlf.csv: CRLF inside a quoted field kept"
expect_eq "$(sql "$DB" "SELECT _line FROM leads WHERE _id = 'L2'")" "4" "crlf.csv: line numbers count the embedded line"

ingest_fixture cr_only.csv
reconciles 2 2 0 cr_only.csv

ingest_fixture blank_lines_no_final_newline.csv
reconciles 2 2 0 blank_lines_no_final_newline.csv
expect_contains "$OUT" "blank lines skipped 2" "blank lines counted, not rows"
expect_eq "$(sql "$DB" "SELECT _line FROM leads WHERE _id = 'L2'")" "5" "blank lines: line numbers stay true"

ingest_fixture duplicate_ids.csv
reconciles 4 2 2 duplicate_ids.csv
expect_eq "$(rejects)" "4:duplicate_id 5:duplicate_id" "duplicate_ids.csv: later rows rejected"
expect_eq "$(sql "$DB" "SELECT detail FROM rejects WHERE line = 5")" "column 'lead_id': duplicate id 'L2' (first at line 3)" "duplicate_ids.csv: names the first"
expect_eq "$(sql "$DB" "SELECT _created FROM leads WHERE _id = 'L1'")" "2025-01-02" "duplicate_ids.csv: the first is kept"

ingest_fixture invalid_utf8.csv
reconciles 4 2 2 invalid_utf8.csv
expect_eq "$(rejects)" "3:invalid_utf8 5:invalid_utf8" "invalid_utf8.csv: 0xFF and a surrogate rejected, valid é kept"
expect_eq "$(sql "$DB" "SELECT typeof(raw) FROM rejects WHERE line = 3")" "blob" "invalid_utf8.csv: raw kept as bytes"

ingest_fixture nul_byte.csv
reconciles 2 1 1 nul_byte.csv
expect_eq "$(rejects)" "3:nul_byte" "nul_byte.csv"

ingest_fixture bad_ids_outcomes.csv
reconciles 6 2 4 bad_ids_outcomes.csv
expect_eq "$(rejects)" "3:missing_id 4:missing_id 5:missing_outcome 6:bad_outcome" "bad_ids_outcomes.csv: reasons"
expect_eq "$(sql "$DB" "SELECT _outcome FROM leads WHERE _id = 'L6'")" "1" "bad_ids_outcomes.csv: ' YES ' is positive (trimmed, case-insensitive)"

ingest_fixture no_outcome_column.csv
expect_rc 2 "no_outcome_column.csv"
expect_contains "$ERR" "c.ini:6: key 'outcome': no column 'became_sql'" "no_outcome_column.csv: names config line and key"

# the configured delimiter
ingest_fixture semicolon.csv
sed -i 's/^missing = .*/&\ndelimiter = semicolon/' "$T/w/c.ini"
run "$MQLCAL" ingest "$T/w/c.ini" --quiet
expect_rc 0 "semicolon.csv with delimiter = semicolon"
expect_eq "$(sql "$DB" "SELECT channel FROM leads WHERE _id = 'L2'")" "a;b" "semicolon.csv: quoted delimiter kept"
expect_eq "$(rejects)" "2:bad_number" "semicolon.csv: decimal comma is not a number"

# a 1 MB field loads whole
rm -rf "$T/w"; mkdir -p "$T/w"; cp "$DATA/corpus.ini" "$T/w/c.ini"
{ head -1 "$DATA/good.csv"; printf 'L1,2025-01-02,web,US,manager,3,12.5,"'; head -c 1048576 /dev/zero | tr '\0' 'x'; printf '",1\nL2,2025-01-03,web,US,manager,3,12.5,,0\n'; } > "$T/w/leads.csv"
run "$MQLCAL" ingest "$T/w/c.ini" --quiet
expect_rc 0 "1 MB field"
expect_eq "$(sql "$T/w/out/mqlcal.db" "SELECT length(sales_feedback) FROM leads WHERE _id = 'L1'") $(sql "$T/w/out/mqlcal.db" "SELECT count(*) FROM leads")" "1048576 2" "1 MB field: kept whole, next row intact"

# attribute that names no column: config file, line and key
rm -rf "$T/w"; mkdir -p "$T/w"; cp "$DATA/good.csv" "$T/w/leads.csv"
sed 's/^job_level = categorical, fit/job_title = categorical, fit/' "$DATA/corpus.ini" > "$T/w/c.ini"
run "$MQLCAL" ingest "$T/w/c.ini"
expect_rc 2 "attribute naming no column"
expect_contains "$ERR" "c.ini:15: attribute 'job_title': no such column" "attribute naming no column: file, line, key"

# config errors: exit 2 with file:line
printf '[data]\nleads = x.csv\noutcome = y\n[attributes]\na = categorical\n[sales]\nx = 1\n' > "$T/bad.ini"
run "$MQLCAL" ingest "$T/bad.ini"
expect_rc 2 "unknown section"
expect_contains "$ERR" "bad.ini:7: unknown section [sales]" "unknown section: file and line"
printf '[data]\nleads = x.csv\noutcome = y\n[attributes]\na = categorical\n[calibration]\ncapacity = lots\n' > "$T/bad.ini"
run "$MQLCAL" ingest "$T/bad.ini"
expect_rc 2 "bad value"
expect_contains "$ERR" "bad.ini:7: key 'capacity': expected a number, got 'lots'" "bad value: file, line, key"
printf '[data]\nleads = x.csv\n[attributes]\na = categorical\n' > "$T/bad.ini"
run "$MQLCAL" ingest "$T/bad.ini"
expect_rc 2 "missing required key"
expect_contains "$ERR" "bad.ini: [data]: missing required key 'outcome'" "missing required key: named"
run "$MQLCAL" ingest "$T/nonexistent.ini"
expect_rc 2 "missing config"

# usage
run "$MQLCAL" ingest
expect_rc 1 "no config: usage"
run "$MQLCAL" ingest a.ini --bogus
expect_rc 1 "unknown option: usage"
run "$MQLCAL" frobnicate
expect_rc 1 "unknown command: usage"
run "$MQLCAL" --version
expect_rc 0 "--version"
expect_contains "$OUT" "mqlcal " "--version prints the version"
run "$MQLCAL" --help
expect_contains "$OUT" "ingest" "--help lists commands"
run "$MQLCAL" ingest --help
expect_rc 0 "ingest --help"
expect_contains "$OUT" "usage: mqlcal ingest CONFIG" "ingest --help prints usage"

# I/O errors: exit 3
ingest_fixture good.csv
run "$MQLCAL" ingest "$T/w/c.ini" --quiet --db "$T/no/such/dir/x.db"
expect_rc 3 "store in a missing folder"

# a failed re-ingest leaves the previous load intact
ingest_fixture good.csv
: > "$T/w/leads.csv"
run "$MQLCAL" ingest "$T/w/c.ini" --quiet
expect_rc 2 "re-ingest of an empty file fails"
expect_eq "$(sql "$T/w/out/mqlcal.db" "SELECT count(*) FROM leads")" "3" "previous load intact after a failed re-ingest"
cp "$DATA/duplicate_ids.csv" "$T/w/leads.csv"
run "$MQLCAL" ingest "$T/w/c.ini" --quiet
expect_eq "$(sql "$T/w/out/mqlcal.db" "SELECT count(*) || ' ' || (SELECT count(*) FROM rejects) FROM leads")" "2 2" "re-ingest replaces the load"
ls "$T/w/out" | grep -q tmp && nok "no temporary file left" || ok "no temporary file left"

# provenance and data quality: the input's SHA-256 (as sha256sum prints it) and, per column,
# the loaded rows where it is missing
ingest_fixture good.csv
expect_eq "$(sql "$DB" "SELECT sha256 FROM loads")" "$(sha256sum "$T/w/leads.csv" | cut -d' ' -f1)" "sha256 of the input equals sha256sum's"
expect_eq "$(sql "$DB" "SELECT group_concat(name || ':' || missing, ' ') FROM (SELECT * FROM columns ORDER BY position)")" \
    "lead_id:0 became_sql:0 created_at:0 channel:0 job_level:1 pricing_page_views:0 time_on_site:1 country:0 sales_feedback:1" \
    "missing per column: NA job level (L3), empty time on site and feedback (L2)"
run "$MQLCAL" ingest "$T/w/c.ini"
expect_contains "$OUT" "sha256 $(sha256sum "$T/w/leads.csv" | cut -d' ' -f1)" "ingest prints the input's sha256"
ingest_fixture bom.csv
expect_eq "$(sql "$DB" "SELECT sha256 || ' ' || bytes FROM loads")" "$(sha256sum "$T/w/leads.csv" | cut -d' ' -f1) $(stat -c %s "$T/w/leads.csv")" "sha256 and bytes cover the whole file, BOM included"
for f in bad_numbers.csv bad_ids_outcomes.csv bad_dates.csv; do
    ingest_fixture "$f"
    want=""
    # id, outcome and date are stored as _id, _outcome, _created (docs/store.md)
    while IFS='|' read -r name stored; do
        q=$(printf '%s' "$stored" | sed 's/"/""/g')
        want="$want $name:$(sql "$DB" "SELECT count(*) FROM leads WHERE \"$q\" IS NULL")"
    done < <(sql "$DB" "SELECT name, CASE role WHEN 'id' THEN '_id' WHEN 'outcome' THEN '_outcome' WHEN 'date' THEN '_created' ELSE name END FROM columns ORDER BY position")
    expect_eq " $(sql "$DB" "SELECT group_concat(name || ':' || missing, ' ') FROM (SELECT * FROM columns ORDER BY position)")" "$want" \
        "$f: missing per column counts only loaded rows (equals the NULLs in leads)"
done
