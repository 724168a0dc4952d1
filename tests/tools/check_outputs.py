#!/usr/bin/env python3
"""Checks that an mqlcal output folder is whole after a crash: every file a reader or a
production scorer would open is a complete version, old or new.

usage: check_outputs.py OUT_DIR ROWS[,ROWS...]

  - the store (mqlcal.db) passes PRAGMA integrity_check and holds one of the given lead counts;
  - rules.json parses and its provenance names one of the given row counts; rules.pmml is
    well-formed XML; rules.sql is one whole query (ends with its last line, the join);
  - every CSV in the folder and in report/ parses with the same number of fields on every row;
  - report/index.html is a whole page (ends with </html>), and every image and link in it
    names a file that exists; every PNG there is whole (signature first, IEND chunk last).
Files may be missing (the old state had none); a present file must be whole. Prints one line
per problem and exits 1 when there is any.
"""
import csv, html.parser, json, os, sqlite3, sys, xml.etree.ElementTree as ET

out, rows = sys.argv[1], {int(x) for x in sys.argv[2].split(",")}
problems = []


def bad(msg):
    problems.append(msg)


db = os.path.join(out, "mqlcal.db")
if os.path.exists(db):
    con = sqlite3.connect(db)  # read-write, as mqlcal opens it: a hot journal is rolled back
    check = con.execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        bad(f"store: integrity_check: {check}")
    n = con.execute("SELECT count(*) FROM leads").fetchone()[0]
    if n not in rows:
        bad(f"store: {n} leads, neither of {sorted(rows)}")
    con.close()

p = os.path.join(out, "rules.json")
if os.path.exists(p):
    try:
        r = json.load(open(p))
        n = r["provenance"]["input"]["rows"]
        if n not in rows:
            bad(f"rules.json: {n} rows, neither of {sorted(rows)}")
    except Exception as e:  # noqa: BLE001 - any failure is a finding
        bad(f"rules.json: {e}")
p = os.path.join(out, "rules.pmml")
if os.path.exists(p):
    try:
        ET.parse(p)
    except ET.ParseError as e:
        bad(f"rules.pmml: {e}")
p = os.path.join(out, "rules.sql")
if os.path.exists(p):
    text = open(p).read()
    if not text.endswith("FROM t LEFT JOIN top ON top.id = t.id\n"):  # the query's last line
        bad("rules.sql: not a whole query")


def check_csv(path):
    try:
        with open(path, newline="") as f:
            widths = {len(row) for row in csv.reader(f)}
        if len(widths) > 1:
            bad(f"{path}: rows of {sorted(widths)} fields")
    except Exception as e:  # noqa: BLE001
        bad(f"{path}: {e}")


def check_png(path):
    data = open(path, "rb").read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[-12:-4] != b"\x00\x00\x00\x00IEND":
        bad(f"{path}: not a whole PNG ({len(data)} bytes)")


for name in sorted(os.listdir(out)):
    if name.endswith(".csv"):
        check_csv(os.path.join(out, name))

rep = os.path.join(out, "report")
page = os.path.join(rep, "index.html")
if os.path.isdir(rep):
    if not os.path.exists(page):
        bad("report/: no index.html")
    else:
        text = open(page, encoding="utf-8").read()
        if not text.rstrip().endswith("</html>"):
            bad("report/index.html: not a whole page")

        class Links(html.parser.HTMLParser):
            def __init__(self):
                super().__init__()
                self.files = []

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                ref = a.get("src") if tag == "img" else a.get("href") if tag == "a" else None
                if ref and "://" not in ref and not ref.startswith("#"):
                    self.files.append(ref)

        lk = Links()
        lk.feed(text)
        for ref in lk.files:
            if not os.path.exists(os.path.join(rep, ref)):
                bad(f"report/index.html names {ref}, which is missing")
        for name in sorted(os.listdir(rep)):
            path = os.path.join(rep, name)
            if name.endswith(".png"):
                check_png(path)
            elif name.endswith(".csv"):
                check_csv(path)

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
