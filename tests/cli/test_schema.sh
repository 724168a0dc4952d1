#!/usr/bin/env bash
# The store's contract (schema.h): every column a stage reads back by name is declared in
# src/schema.c, checked over the whole source (tests/tools/check_reads.py) and at run time (a
# stage that asks a table for a column it lacks fails: store_table_check). Both checks are shown
# to fail on a read of an undeclared column.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
    skip "python3 is not installed: the source check of column reads"
else
    run python3 "$ROOT/tests/tools/check_reads.py"
    expect_rc 0 "every column read by name in src/ is declared in src/schema.c"
    expect_contains "$OUT" "0 undeclared" "the check counts the reads"

    # the same source with the report reading a column that sweeps does not have
    mkdir -p "$T/src/cli"
    cp "$ROOT"/src/*.c "$T/src/"
    sed -i '0,/store_table_text(sw, 0, "warnings")/s//store_table_text(sw, 0, "warnings_text")/' \
        "$T/src/report.c"
    run python3 "$ROOT/tests/tools/check_reads.py" --src "$T/src"
    expect_rc 1 "a read of an undeclared column fails the source check"
    expect_contains "$OUT" 'report.c' "it names the file"
    expect_contains "$OUT" '"warnings_text"' "and the column"
fi

# the runtime check: a store whose sweeps table lacks a declared column is refused by report
demo_tools || { nok "the demo generator is not built (make)"; exit 0; }
"$GEN" --n 3000 --seed 7 --out "$T/leads.csv" >/dev/null
sed -e "s|^leads = .*|leads = $T/leads.csv|" -e "s|^dir = .*|dir = $T/o|" "$CONF" >"$T/demo.ini"
run "$MQLCAL" run --quiet "$T/demo.ini"
expect_rc 0 "a run on 3,000 demo leads"
sqlite3 "$T/o/mqlcal.db" 'ALTER TABLE sweeps DROP COLUMN feasible_share'
run "$MQLCAL" report "$T/demo.ini"
expect_rc 2 "a store whose sweeps table lacks a declared column is refused"
expect_contains "$ERR" "the store's table 'sweeps' has no column 'feasible_share'" "naming the column"
