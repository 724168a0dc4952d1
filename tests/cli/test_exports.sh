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
