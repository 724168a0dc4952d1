#!/usr/bin/env python3
"""An independent scorer, written from docs/rule-file.md alone:
score_rules.py RULES.json LEADS.csv [NAME=TABLE.csv ...]

Prints what `mqlcal score` prints (CSV: id, score, fit_score, engagement_score, mql,
disqualifier, reason_1..3) for every record it can score; records it cannot score go to
stderr as "line N: why". It shares no code with mqlcal: the tests compare the two on every
lead, which shows that the rule file and its documentation are enough to score.
"""
import csv
import json
import re
import sys

SPACE = " \t\n\v\f\r"
COUNT = re.compile(r"^[+-]?[0-9]+$")
REAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def main():
    rules = json.load(open(sys.argv[1], encoding="utf-8"))
    inp = rules["input"]
    missing = set(inp["missing_values"])
    attrs = []
    for a in rules["attributes"]:
        levels = a["levels"]
        by_label = {l["label"]: i for i, l in enumerate(levels)}
        at = {"name": a["name"], "kind": a["kind"], "group": a["group"], "levels": levels,
              "ref": by_label[a["reference"]], "missing": by_label[a["missing"]]}
        if a["kind"] == "categorical":
            at["unseen"] = by_label[a["unseen"]]
            at["value"] = {v: i for i, l in enumerate(levels) for v in l["values"]}
        else:
            at["bins"] = [(i, l["lo"], l["hi"]) for i, l in enumerate(levels) if "lo" in l]
        attrs.append(at)
    rule = rules["rule"]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "score", "fit_score", "engagement_score", "mql", "disqualifier",
                  "reason_1", "reason_2", "reason_3"])
    # the record's first line: count the line breaks the csv module consumed
    with open(sys.argv[2], newline="", encoding="utf-8-sig") as f:
        text = f.read()
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=inp["delimiter"])
    header = next(reader)
    col = {name.strip(SPACE): i for i, name in enumerate(header)}
    # joined tables: NAME.c is column c of the row whose `on` equals the lead's `key`
    given = dict(a.split("=", 1) for a in sys.argv[3:])
    tables = {}
    for j in inp.get("joins", []):
        with open(given.get(j["name"], j["file"]), newline="", encoding="utf-8-sig") as f:
            r = csv.reader(f, delimiter=inp["delimiter"])
            head = [h.strip(SPACE) for h in next(r)]
            rows = {}
            for t in r:
                if not t or t == [""]:
                    continue
                k = t[head.index(j["on"])].strip(SPACE)
                if k == "" or k in missing:
                    continue
                assert k not in rows, "duplicate key %r" % k
                rows[k] = dict(zip(head, t))
        tables[j["name"]] = (j["key"], rows)
    line = 1
    consumed = reader.line_num
    status = 0
    for rec in reader:
        start = consumed + 1
        consumed = reader.line_num
        if not rec or rec == [""]:
            continue
        if len(rec) != len(header):
            print("line %d: expected %d fields, got %d" % (start, len(header), len(rec)),
                  file=sys.stderr)
            status = 2
            continue

        def value(name):
            table = name.split(".", 1)[0]
            if table in tables and name not in col:
                key, rows = tables[table]
                k = rec[col[key]].strip(SPACE)
                row = rows.get(k) if k != "" and k not in missing else None
                v = "" if row is None else row[name.split(".", 1)[1]].strip(SPACE)
            else:
                v = rec[col[name]].strip(SPACE)
            return None if v == "" or v in missing else v

        score, fit, eng, chosen, bad = rules["scaling"]["base"], 0, 0, [], None
        for at in attrs:
            v = value(at["name"])
            if v is None:
                lv = at["missing"]
            elif at["kind"] == "categorical":
                lv = at["value"].get(v, at["unseen"])
            else:
                if at["kind"] == "count":
                    if not COUNT.match(v) or int(v) < 0:
                        bad = "count %s: %r" % (at["name"], v)
                        break
                    x = float(int(v))
                else:
                    if not REAL.match(v):
                        bad = "number %s: %r" % (at["name"], v)
                        break
                    x = float(v)
                lv = next(i for i, lo, hi in at["bins"]
                          if (lo is None or x >= lo) and (hi is None or x < hi))
            p = at["levels"][lv]["points"]
            score += p
            fit += p if at["group"] == "fit" else 0
            eng += p if at["group"] == "engagement" else 0
            chosen.append(lv)
        if bad:
            print("line %d: %s" % (start, bad), file=sys.stderr)
            status = 2
            continue
        dq = ""
        for d in rules["disqualifiers"]:
            v = value(d["column"])
            if v is not None and v.lower() == d["value"].lower() and v.isascii():
                dq = "%s:%s" % (d["column"], d["value"])
                break
        mql = (rule["threshold"] is not None and not dq and score >= rule["threshold"]
               and (rule["fit_min"] is None or fit >= rule["fit_min"]))
        diffs = []
        for k, (at, lv) in enumerate(zip(attrs, chosen)):
            d = at["levels"][lv]["points"] - at["levels"][at["ref"]]["points"]
            if d > 0:
                diffs.append((-d, k, "%s: %s (+%d)" % (at["name"], at["levels"][lv]["label"], d)))
        diffs.sort()
        reasons = [t for _, _, t in diffs[:3]] + [""] * (3 - min(3, len(diffs)))
        ident = value(inp["id_column"]) or "" if inp["id_column"] else str(start)
        if inp["id_column"]:
            ident = rec[col[inp["id_column"]]].strip(SPACE)
        out.writerow([ident, score, fit, eng, 1 if mql else 0, dq] + reasons)
    return status


if __name__ == "__main__":
    sys.exit(main())
