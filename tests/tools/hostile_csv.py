#!/usr/bin/env python3
"""Writes a leads CSV made to attack every output of mqlcal, and its config.

usage: hostile_csv.py DIR [N]

DIR/hostile.csv: N leads (default 3000) whose column names hold spaces, quotes, a bracket and
SQL keywords, and whose values hold HTML and script, SQL that would end a statement, CSV formula
prefixes (= + - @), quotes, commas and line breaks, and a 100 KB value (each common enough to be
a level of its own); plus one record with a NUL byte and one with invalid UTF-8 (both must be
rejected with their reason, never dropped). DIR/clean.csv: the same without those two records.
DIR/hostile.ini: the config. Deterministic (seeded).
"""
import os
import random
import sys

d = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
rng = random.Random(20261127)

HOSTILE = [
    "<script>alert(1)</script>",
    "'; DROP TABLE leads; --",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1,2)",
    "-1+2",
    "@cmd",
    '"quoted, with comma"',
    "x" * 100_000,
]
GROUPS = ["north", "south", "<img src=x onerror=alert(1)>", "</td></tr></table><h1>pwned</h1>",
          "=1+1", "Robert'); DROP TABLE sweeps;--"]
NOTES = ["", "accepted", "=cmd|' /C calc'!A0", "<b>bold</b>", "line\nbreak, \"quoted\""]
header = ["lead id", 'created "at"', "select", "group", 'visits ]"', "drop table leads;--",
          "notes", "became_sql"]


def field(v):
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


rows = []
for i in range(n):
    sel = rng.choice(HOSTILE + ["plain", "basic"])
    grp = rng.choice(GROUPS)
    visits = rng.choice([0, 0, 1, 2, 3, 5])
    drops = rng.choice([0, 1, 2])
    logit = -1.5 + 0.6 * visits + (1.0 if sel == HOSTILE[0] else 0) - (0.8 if grp == GROUPS[4] else 0)
    sql = 1 if rng.random() < 1 / (1 + 2.718281828 ** -logit) else 0
    lead = ["=1+2", "<b>L</b>", "'; DROP TABLE leads; --"][i] if i < 3 else "L%05d" % i
    day = "2025-%02d-%02d" % (1 + i * 12 // n, 1 + rng.randrange(28))
    rows.append([lead, day, sel, grp, str(visits), str(drops), rng.choice(NOTES), str(sql)])

with open(os.path.join(d, "clean.csv"), "w", encoding="utf-8", newline="") as f:
    f.write(",".join(field(h) for h in header) + "\n")
    for r in rows:
        f.write(",".join(field(v) for v in r) + "\n")
with open(os.path.join(d, "hostile.csv"), "wb") as f:
    f.write((",".join(field(h) for h in header) + "\n").encode())
    for i, r in enumerate(rows):
        f.write((",".join(field(v) for v in r) + "\n").encode())
        if i == 10:
            f.write(b"NUL1,2025-01-05,pl\x00ain,north,1,0,,0\n")
        if i == 20:
            f.write(b"BAD1,2025-01-06,\xff\xfeplain,north,1,0,,1\n")
with open(os.path.join(d, "hostile.ini"), "w") as f:
    f.write("""[data]
leads = hostile.csv
id = lead id
outcome = became_sql
date = created "at"
feedback = notes
[attributes]
select = categorical, fit
visits ]" = count, engagement, bins = 0 1 3
drop table leads;-- = count, engagement
[segments]
by = group, select
[rules]
disqualify = select:'; DROP TABLE leads; --
[model]
holdout = none
[calibration]
capacity = 60
bootstrap = 20
[output]
dir = result
""")
