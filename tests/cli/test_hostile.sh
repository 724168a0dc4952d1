#!/usr/bin/env bash
# Hostile data through every stage (tests/tools/hostile_csv.py writes it): column names with
# spaces, quotes, a bracket and SQL keywords; values with script, HTML that would close a
# table, SQL that would end a statement, CSV formula prefixes, quotes, commas, line breaks and
# a 100 KB value; a record with a NUL byte and one with invalid UTF-8. Shows that:
#   - ingest rejects the two bad records with their reasons and stores every other value
#     verbatim, the store's tables intact (no SQL built by mqlcal is changed by data or names);
#   - the HTML report escapes every value: a parser finds only the elements mqlcal writes,
#     no script, no event handler, no foreign image, and the hostile texts as visible text;
#   - every CSV output neutralises formula prefixes in text cells (a leading apostrophe), and
#     `mqlcal score` does so in its reasons and disqualifier cells (the id is kept verbatim);
#   - rules.sql scores the leads in SQLite exactly as `mqlcal score` does, and leaves the
#     leads table alone; rules.json and rules.pmml stay valid (check-rules, JSON Schema, XSD).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
TOOLS="$ROOT/tests/tools"

"$PY" "$TOOLS/hostile_csv.py" "$T"
run "$MQLCAL" run "$T/hostile.ini" --quiet
expect_rc 0 "run on hostile data"
DB="$T/result/mqlcal.db"

# ---- ingest and the store ----------------------------------------------------------------------
expect_contains "$OUT" "reconciliation: read 3002 = loaded 3000 + rejected 2" "ingest: every record accounted for"
expect_eq "$(sql "$DB" "SELECT group_concat(reason, ',') FROM (SELECT reason FROM rejects ORDER BY line)")" \
    "nul_byte,invalid_utf8" "ingest: the NUL byte and the invalid UTF-8 are rejected with their reasons"
expect_eq "$(sql "$DB" "SELECT count(*) FROM leads WHERE \"select\" = '''; DROP TABLE leads; --'")" \
    "$(grep -c "^[^,]*,[^,]*,'; DROP TABLE leads; --," "$T/clean.csv")" "store: the SQL-looking value is stored verbatim"
expect_eq "$(sql "$DB" "SELECT max(length(\"select\")) FROM leads")" "100000" "store: the 100 KB value is whole"
expect_eq "$(sql "$DB" "SELECT count(*) FROM leads WHERE _id = '=1+2'")" "1" "store: a formula-looking id is kept"
expect_eq "$(sql "$DB" "SELECT count(*) FROM sqlite_master WHERE name IN ('leads', 'sweeps', 'fits', 'rejects')")" \
    "4" "store: every table is still there"
expect_eq "$(sql "$DB" "PRAGMA integrity_check")" "ok" "store: integrity"

# ---- the HTML report -------------------------------------------------------------------------
run "$PY" - "$T/result/report/index.html" <<'EOF'
import html.parser, sys
ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "nav", "main", "section",
           "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "a", "img", "figure", "figcaption",
           "table", "thead", "tbody", "tr", "th", "td", "caption", "span", "div", "strong",
           "em", "i", "code", "pre", "small", "details", "summary", "br", "dl", "dt", "dd", "footer",
           "b", "sup", "sub", "abbr"}
text = open(sys.argv[1], encoding="utf-8", errors="strict").read()
problems, seen = [], []
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            problems.append("element <%s>" % tag)
        for k, v in attrs:
            if k.startswith("on"):
                problems.append("attribute %s on <%s>" % (k, tag))
            if tag == "img" and k == "src" and ("/" in (v or "") or not (v or "").endswith(".png")):
                problems.append("image %s" % v)
    def handle_data(self, data):
        seen.append(data)
P().feed(text)
visible = "".join(seen)
for want in ["<script>alert(1)</script>", "'; DROP TABLE leads; --", "<img src=x onerror=alert(1)>",
             "</td></tr></table><h1>pwned</h1>", '=HYPERLINK("http://evil.example","x")']:
    if want not in visible:
        problems.append("not shown as text: %r" % want[:40])
if problems:
    print("; ".join(problems[:8]))
    sys.exit(1)
print("clean")
EOF
expect_rc 0 "report: only mqlcal's elements, hostile values shown as text ($OUT)"

# ---- CSV outputs: formula prefixes neutralised --------------------------------------------------
csv_check() { # FILES...: every text cell starting = + - @ is neutralised (numbers may be negative)
    "$PY" - "$@" <<'EOF'
import csv, sys
bad = []
for path in sys.argv[1:]:
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    try:
                        float(cell)
                    except ValueError:
                        bad.append("%s: %r" % (path.rsplit("/", 1)[-1], cell[:30]))
print("; ".join(bad[:5]) if bad else "neutralised")
sys.exit(1 if bad else 0)
EOF
}
run csv_check "$T"/result/*.csv "$T"/result/report/*.csv
expect_rc 0 "every CSV of the run and the report neutralises formula prefixes ($OUT)"
expect_contains "$(cat "$T/result/audit.csv")" "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"" \
    "audit.csv: the formula value gets its apostrophe"

# ---- the exports ------------------------------------------------------------------------------
run "$MQLCAL" check-rules "$T/result/rules.json"
expect_rc 0 "rules.json: check-rules accepts it"
if "$PY" -c 'import jsonschema' 2>/dev/null; then
    run "$PY" -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft202012Validator)' \
        "$ROOT/docs/rule-file.schema.json" "$T/result/rules.json"
    expect_rc 0 "rules.json: valid against the JSON Schema"
else
    skip "python3-jsonschema not installed"
fi
if command -v xmllint >/dev/null; then
    run xmllint --noout --schema "$ROOT/tests/data/pmml/pmml-4-4.xsd" "$T/result/rules.pmml"
    expect_rc 0 "rules.pmml: valid PMML 4.4"
else
    run "$PY" -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/result/rules.pmml"
    expect_rc 0 "rules.pmml: well-formed XML (xmllint not installed)"
fi
run "$MQLCAL" score --rules "$T/result/rules.json" "$T/clean.csv"
expect_rc 0 "score: every clean lead scored"
cp "$T/out" "$T/score.csv"
rm -f "$T/sql.db"
sqlite3 "$T/sql.db" -cmd ".mode csv" ".import '$T/clean.csv' leads"
sqlite3 -csv "$T/sql.db" <"$T/result/rules.sql" >"$T/sqlite.csv" 2>"$T/sqlerr"
expect_eq "$?:$(head -c 200 "$T/sqlerr")" "0:" "rules.sql runs in SQLite on the hostile column names"
run "$PY" "$TOOLS/same_rows.py" "$T/score.csv" "$T/sqlite.csv" --skip-header-a
expect_rc 0 "rules.sql gives mqlcal score's rows ($OUT)"
expect_eq "$(sqlite3 "$T/sql.db" "SELECT count(*) FROM leads")" "3000" "rules.sql leaves the leads table alone"
expect_contains "$(head -2 "$T/score.csv")" "=1+2," "score: the id is written verbatim (the key back to the CRM)"

# a rule whose attribute (and disqualifier column) is named like a formula: its reason and
# disqualifier cells get the apostrophe
"$PY" - "$T/result/rules.json" "$T/clean.csv" "$T/at.json" "$T/at.csv" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for a in r["attributes"]:
    if a["name"] == "select":
        a["name"] = "@select"
for q in r["disqualifiers"]:
    q["column"] = "@select"
json.dump(r, open(sys.argv[3], "w"))
head, rest = open(sys.argv[2], encoding="utf-8").read().split("\n", 1)
open(sys.argv[4], "w", encoding="utf-8").write(head.replace(",select,", ",@select,") + "\n" + rest)
EOF
run "$MQLCAL" score --rules "$T/at.json" "$T/at.csv"
expect_rc 0 "score with an attribute named @select"
cp "$T/out" "$T/at-score.csv"
run "$PY" -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))[1:]
cells = [c for r in rows for c in r[5:]]
assert any(c.startswith("'"'"'@select: ") for c in cells), "no neutralised reason"
assert any(r[5].startswith("'"'"'@select:'"'"'; DROP") for r in rows), "no neutralised disqualifier"
assert not any(c.startswith("@") for c in cells), "a cell starts with @"
print("ok")' "$T/at-score.csv"
expect_rc 0 "score: reason and disqualifier cells naming @select start with an apostrophe ($OUT)"
