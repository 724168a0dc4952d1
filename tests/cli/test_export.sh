#!/usr/bin/env bash
# End-to-end tests of `mqlcal export`, `mqlcal score` and `mqlcal check-rules` (rules.h,
# scorer.h and export.h are the contracts; docs/rule-file.md the format):
#   1. agreement on every lead of the demo data, Leads.csv and bank-full.csv: the scores the fit
#      stored, `mqlcal score`, an independent scorer written from docs/rule-file.md
#      (tests/tools/score_rules.py), rules.sql in SQLite and rules.sql in PostgreSQL give the
#      same rows; rules.json validates against docs/rule-file.schema.json; rules.pmml against
#      the PMML 4.4 XSD (xmllint);
#   2. round trip: export, check-rules, score the history: MQLs and SQLs at the rule equal the
#      sweep's (the report's) figures exactly;
#   3. the scorer's formats, standard input, records it cannot score, a header without a column;
#   4. bad rule files: each gives its precise error and exit 2.
# PostgreSQL, xmllint and python3-jsonschema are installed by scripts/install-deps.sh --export
# when missing; checks needing one are skipped, saying why, only when it cannot be installed.
. "$(dirname "$0")/lib.sh"

TOOLS="$ROOT/tests/tools"
PY=/usr/bin/python3
if ! command -v xmllint >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
    ! "$PY" -c 'import jsonschema' 2>/dev/null; then
    "$ROOT/scripts/install-deps.sh" --export >"$T/install.log" 2>&1 || true
fi
XSD="$ROOT/tests/data/pmml/pmml-4-4.xsd" # a copy of ../shared/pmml/pmml-4-4.xsd

pg_setup

# load_table CSV DELIM DBKIND: a table "leads" of the CSV's values as text (plus "_line", the
# record's first line, for rule files without an id column) in SQLite ($T/sql.db) or PostgreSQL
with_lines() { # CSV DELIM -> CSV with a leading _line column
    "$PY" - "$1" "$2" <<'EOF'
import csv, sys
src, delim = sys.argv[1], sys.argv[2]
with open(src, newline="", encoding="utf-8-sig") as f:
    r = csv.reader(f, delimiter=delim)
    w = csv.writer(sys.stdout, delimiter=delim, lineterminator="\n")
    head = next(r)
    w.writerow(["_line"] + head)
    prev = r.line_num
    for row in r:
        w.writerow([prev + 1] + row)
        prev = r.line_num
EOF
}

# agree NAME DIR CSV DELIM: every check of section 1 on the run in DIR
agree() {
    local name=$1 dir=$2 csv=$3 delim=$4 db=$2/out/mqlcal.db
    run "$MQLCAL" check-rules "$dir/out/rules.json"
    expect_rc 0 "$name: check-rules accepts the exported rules.json"
    if "$PY" -c 'import jsonschema' 2>/dev/null; then
        run "$PY" -c 'import json, sys, jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator.check_schema(s)
jsonschema.validate(d, s, cls=jsonschema.Draft202012Validator)' "$ROOT/docs/rule-file.schema.json" "$dir/out/rules.json"
        expect_rc 0 "$name: rules.json validates against docs/rule-file.schema.json"
    else
        skip "$name: python3-jsonschema not installed"
    fi
    run "$MQLCAL" score --rules "$dir/out/rules.json" "$csv"
    expect_rc 0 "$name: every lead scored"
    cp "$T/out" "$dir/score.csv"
    # the fit's scores: id, score, fit score, engagement score of every lead
    sqlite3 -csv "$db" "SELECT _id, score, fit_score, engagement_score FROM scores" >"$dir/fit.csv"
    cut -d, -f1-4 "$dir/score.csv" | tail -n +2 >"$dir/score4.csv"
    run "$PY" "$TOOLS/same_rows.py" "$dir/fit.csv" "$dir/score4.csv"
    expect_rc 0 "$name: mqlcal score gives the fit's stored scores for every lead ($OUT)"
    run "$PY" "$TOOLS/score_rules.py" "$dir/out/rules.json" "$csv"
    cp "$T/out" "$dir/py.csv"
    run "$PY" "$TOOLS/same_rows.py" "$dir/score.csv" "$dir/py.csv"
    expect_rc 0 "$name: an independent scorer reading only the rule file and its documentation agrees ($OUT)"
    # the SQL export in SQLite and PostgreSQL
    local src=$csv
    if ! grep -q '"id_column": "' "$dir/out/rules.json"; then
        with_lines "$csv" "$delim" >"$dir/lined.csv"
        src=$dir/lined.csv
    fi
    rm -f "$dir/sql.db"
    sqlite3 "$dir/sql.db" -cmd ".mode csv" -cmd ".separator '$delim'" ".import '$src' leads"
    sqlite3 -csv "$dir/sql.db" <"$dir/out/rules.sql" >"$dir/sqlite.csv" 2>"$T/sqlerr"
    expect_eq "$?:$(head -c 200 "$T/sqlerr")" "0:" "$name: rules.sql runs in SQLite"
    run "$PY" "$TOOLS/same_rows.py" "$dir/score.csv" "$dir/sqlite.csv" --skip-header-a
    expect_rc 0 "$name: rules.sql in SQLite gives mqlcal score's rows ($OUT)"
    if [ $pg = 1 ]; then
        pg_load leads "$src" "$delim"
        psql_ --csv -t -f "$dir/out/rules.sql" >"$dir/pg.csv" 2>"$T/pgerr"
        expect_eq "$?:$(head -c 200 "$T/pgerr")" "0:" "$name: rules.sql runs in PostgreSQL"
        run "$PY" "$TOOLS/same_rows.py" "$dir/score.csv" "$dir/pg.csv" --skip-header-a
        expect_rc 0 "$name: rules.sql in PostgreSQL gives mqlcal score's rows ($OUT)"
    else
        skip "$name: SQL in PostgreSQL: $PG_WHY"
    fi
    if command -v xmllint >/dev/null && [ -f "$XSD" ]; then
        run xmllint --noout --schema "$XSD" "$dir/out/rules.pmml"
        expect_rc 0 "$name: rules.pmml validates against the PMML 4.4 XSD"
        # issue 13: categorical values are trimmed before the lookup (' vp ' scored 30 points
        # lower), counts and numbers outside the data grammar's range are invalid
        run "$PY" - "$dir/out/rules.pmml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
ns = {"p": "http://www.dmg.org/PMML-4_4"}
doc = ET.parse(sys.argv[1]).getroot()
fields = {f.get("name"): f for f in doc.iterfind(".//p:DataField", ns)}
derived = {d.get("name"): d for d in doc.iterfind(".//p:DerivedField", ns)}
bad = []
for ch in doc.iterfind(".//p:Characteristic", ns):
    name = ch.get("name")
    f = fields[name]
    for pred in ch.iter():
        fld = pred.get("field")
        if fld is None:
            continue
        if f.get("optype") == "categorical":
            d = derived.get(fld)
            if fld != "mqlcal.trimmed:" + name or d is None or d.find("p:Apply", ns).get("function") != "trimBlanks":
                bad.append("%s: predicate on %s, not its trimmed value" % (name, fld))
        elif f.find("p:Interval", ns) is None:
            bad.append("%s: no valid range" % name)
for m in doc.iterfind(".//p:MiningField[@usageType='active']", ns):
    if m.get("invalidValueTreatment") != "returnInvalid":
        bad.append("%s: invalid values are not refused" % m.get("name"))
print("; ".join(bad[:5]) if bad else "ok")
sys.exit(1 if bad else 0)
PYEOF
        expect_rc 0 "$name: rules.pmml trims categorical values, refuses invalid counts and numbers ($OUT)"
    else
        skip "$name: xmllint or $XSD missing"
    fi
    # round trip: MQLs and SQLs at the rule, as the sweep stored them
    sqlite3 "$db" -cmd ".mode csv" ".import '$dir/score.csv' scored_rt"
    expect_eq "$(sql "$db" "SELECT count(*) || ' ' || sum(l._outcome) FROM scored_rt s JOIN leads l ON l._id = s.id WHERE s.mql = '1'")" \
        "$(sql "$db" "SELECT mqls || ' ' || sqls FROM sweeps ORDER BY sweep_id DESC LIMIT 1")" \
        "$name: round trip: MQLs and SQLs at the rule from the scored history equal the sweep's"
    expect_eq "$(sql "$db" "SELECT printf('%.12f', CAST(sum(l._outcome) AS REAL) / count(*)) FROM scored_rt s JOIN leads l ON l._id = s.id WHERE s.mql = '1'")" \
        "$(sql "$db" "SELECT printf('%.12f', conversion) FROM sweeps ORDER BY sweep_id DESC LIMIT 1")" \
        "$name: round trip: conversion at the rule equals the report's"
}

# config SRC_INI CSV DIR: a copy of SRC_INI reading CSV, writing into DIR/out
config() { sed -e "s|^leads = .*|leads = $2|" -e "s|^dir = .*|dir = $3/out|" "$ROOT/$1" >"$3/c.ini"; }

# ==== 1 and 2: demo, Leads.csv, bank-full.csv ===================================================
mkdir -p "$T/demo"
"$ROOT/build/gen-demo" --n 50000 --out "$T/demo/leads.csv"
config datasets/demo/demo.ini "$T/demo/leads.csv" "$T/demo"
run "$MQLCAL" run "$T/demo/c.ini" --quiet
expect_rc 0 "demo: mqlcal run"
expect_contains "$OUT" "export: $T/demo/out/rules.json, rules.sql, rules.pmml (93 points with a fit minimum, 13 attributes, 2 disqualifiers)" "demo: run exports the rule"
agree demo "$T/demo" "$T/demo/leads.csv" ,
# odd counts and numbers (tests/tools/odd_numbers.py): every scorer gives the same score or the
# same refusal; rules.sql marks a refused lead in its error column, with no engine error
mkdir -p "$T/odd"
"$PY" "$TOOLS/odd_numbers.py" "$T/demo/leads.csv" "$T/odd/leads.csv"
run "$MQLCAL" score --rules "$T/demo/out/rules.json" "$T/odd/leads.csv"
expect_rc 2 "odd values: mqlcal score refuses some (exit 2)"
printf '%s\n' "$OUT" | tail -n +2 >"$T/odd/score.csv"
rm -f "$T/odd/sql.db"
sqlite3 "$T/odd/sql.db" -cmd ".mode csv" ".import '$T/odd/leads.csv' leads"
sqlite3 -csv "$T/odd/sql.db" <"$T/demo/out/rules.sql" >"$T/odd/sqlite_all.csv" 2>"$T/sqlerr"
expect_eq "$?:$(head -c 200 "$T/sqlerr")" "0:" "odd values: rules.sql runs in SQLite"
awk -F, '$NF == ""' "$T/odd/sqlite_all.csv" >"$T/odd/sqlite.csv"
run "$PY" "$TOOLS/same_rows.py" "$T/odd/score.csv" "$T/odd/sqlite.csv"
expect_rc 0 "odd values: rules.sql in SQLite scores what mqlcal score scores, the same ($OUT)"
if [ $pg = 1 ]; then
    pg_load leads "$T/odd/leads.csv" ,
    psql_ --csv -t -f "$T/demo/out/rules.sql" >"$T/odd/pg_all.csv" 2>"$T/pgerr"
    expect_eq "$?:$(head -c 200 "$T/pgerr")" "0:" "odd values: rules.sql runs in PostgreSQL (no cast error)"
    awk -F, '$NF == ""' "$T/odd/pg_all.csv" >"$T/odd/pg.csv"
    run "$PY" "$TOOLS/same_rows.py" "$T/odd/score.csv" "$T/odd/pg.csv"
    expect_rc 0 "odd values: rules.sql in PostgreSQL scores what mqlcal score scores, the same ($OUT)"
else
    skip "odd values: SQL in PostgreSQL: $PG_WHY"
fi
for real in "xeducation datasets/xeducation/leads.ini xeducation/Leads.csv" "bank datasets/bank-marketing/bank.ini bank-marketing/bank-full.csv"; do
    set -- $real
    if [ ! -f "$SHARED/$3" ]; then skip "$1: $SHARED/$3 absent"; continue; fi
    mkdir -p "$T/$1"
    config "$2" "$SHARED/$3" "$T/$1"
    run "$MQLCAL" run "$T/$1/c.ini" --quiet
    expect_rc 0 "$1: mqlcal run"
    case "$(sed -n 's/^delimiter = \([a-z]*\).*/\1/p' "$T/$1/c.ini")" in
    semicolon) delim=";" ;; pipe) delim="|" ;; tab) delim=$'\t' ;; *) delim="," ;;
    esac
    agree "$1" "$T/$1" "$SHARED/$3" "$delim"
done

# ==== 3. the scorer =============================================================================
R="$T/demo/out/rules.json"
run "$MQLCAL" score --rules "$R" --format jsonl "$T/demo/leads.csv"
expect_rc 0 "jsonl: scored"
expect_eq "$(printf '%s\n' "$OUT" | "$PY" -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(len(rows), sum(r["mql"] is True for r in rows), sorted(rows[0]))')" \
    "50000 $(awk -F, 'NR > 1 && $5 == 1' "$T/demo/score.csv" | wc -l) ['disqualifier', 'engagement_score', 'fit_score', 'id', 'mql', 'reason_1', 'reason_2', 'reason_3', 'score']" \
    "jsonl: one object per lead, the same MQLs, the documented keys"
run "$MQLCAL" score --rules "$R" - <"$T/demo/leads.csv"
expect_eq "$(printf '%s\n' "$OUT" | sha256sum)" "$(sha256sum <"$T/demo/score.csv")" "standard input: the same output"
# records that cannot be scored: reported with line and reason, the others written, exit 2
{
    head -3 "$T/demo/leads.csv"
    head -2 "$T/demo/leads.csv" | tail -1 | awk -F, 'BEGIN {OFS=","} {$1 = "BAD1"; $12 = "many"; print}'
    echo "SHORT,1,2"
    head -5 "$T/demo/leads.csv" | tail -2
} >"$T/bad.csv"
pcol=$(head -1 "$T/demo/leads.csv" | tr ',' '\n' | grep -n '^pricing_page_views$' | cut -d: -f1)
awk -F, -v c="$pcol" 'BEGIN {OFS=","} NR == 4 {$c = "many"} {print}' "$T/bad.csv" >"$T/bad2.csv"
run "$MQLCAL" score --rules "$R" "$T/bad2.csv"
expect_rc 2 "unscorable records: exit 2"
expect_contains "$ERR" "bad2.csv:4: not scored: column 'pricing_page_views': expected a whole number >= 0, got 'many'" "unscorable records: a bad count, with its line"
expect_contains "$ERR" "bad2.csv:5: not scored: expected 17 fields, got 3" "unscorable records: a short record, with its line"
expect_contains "$ERR" "2 of 6 records could not be scored" "unscorable records: counted"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" "5" "unscorable records: the 4 others written, with the header"
printf 'lead_id,channel\nL1,web\n' >"$T/narrow.csv"
run "$MQLCAL" score --rules "$R" "$T/narrow.csv"
expect_rc 2 "a header without the rule's columns"
expect_contains "$ERR" "narrow.csv: the header has no column 'job_level' (the rule file's attribute)" "a header without the rule's columns: names the column"
run "$MQLCAL" export "$T/demo/c.ini" --format sql --out -
expect_rc 0 "export --format sql --out -"
expect_contains "$OUT" 'FROM "leads"' "export to standard output: the SQL"
run "$MQLCAL" export "$T/demo/c.ini" --format xml
expect_rc 1 "export: an unknown format is a usage error"

# ==== 4. bad rule files =========================================================================
badrule() { # WHAT SED-EXPRESSION MESSAGE
    sed -e "$2" "$R" >"$T/bad.json"
    run "$MQLCAL" check-rules "$T/bad.json"
    expect_rc 2 "bad rule file: $1"
    expect_contains "$ERR" "$3" "bad rule file: $1: the message"
    run "$MQLCAL" score --rules "$T/bad.json" "$T/demo/leads.csv"
    expect_rc 2 "bad rule file: $1: score refuses it"
}
head -c 3000 "$R" >"$T/trunc.json"
run "$MQLCAL" check-rules "$T/trunc.json"
expect_rc 2 "bad rule file: truncated JSON"
expect_contains "$ERR" "trunc.json:" "bad rule file: truncated JSON: file, line and column"
expect_contains "$ERR" "not valid JSON: premature end of input" "bad rule file: truncated JSON: the message"
badrule "wrong version" 's/"version": 1/"version": 7/' 'bad.json: version: version 7 is not supported (this mqlcal reads version 1)'
badrule "unknown attribute kind" '0,/"kind": "count"/s//"kind": "ordinal"/' "unknown attribute kind 'ordinal' (expected categorical, count or numeric)"
badrule "non-integer points" '0,/"points": 15,/s//"points": 15.5,/' ".points: expected an integer, got a number"
badrule "duplicate level" '0,/"label": "events"/s//"label": "content_syndication"/' "duplicate level 'content_syndication' (also levels[0])"
badrule "missing threshold" '/"threshold": /d' 'bad.json: rule.threshold: missing'
run "$MQLCAL" check-rules "$T/none.json"
expect_rc 2 "bad rule file: absent"
expect_contains "$ERR" "cannot read '$T/none.json'" "bad rule file: absent: named"
