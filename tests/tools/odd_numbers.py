#!/usr/bin/env python3
"""odd_numbers.py LEADS.csv OUT.csv: the leads file's first rows again, each with one odd value
in pricing_page_views (a count) or time_on_site (a number): what a CRM export or a hostile user
puts there (1e3, 0x10, 1,000, 3x, NA, inf, spaces, signs, huge exponents). The ids are ODD<i>_<col>.
The scorers (mqlcal score, rules.sql in SQLite and PostgreSQL) must agree on each: the same
score, or the same refusal (issue 13, item 11)."""
import csv
import sys

ODD = ["NA", "1e3", "0x10", "1,000", "3x", " 5 ", "+3", "-0", "-2", "007", "", "1.0", "inf",
       "nan", "1e5", "1E+05", "1e300", ".5", "5.", "-", "+", ".", "e5", "1e", "1.2.3", "--1",
       "12345678901234567890", "123456789012345678", "1e-99", "1e100", " -7.25 ", "3 4",
       "0.0000001", "1e+9", "Infinity", "\u00a05", "\uff15", "5e0", "-.5e-5"]


def main():
    rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
    head, body = rows[0], rows[1:]
    cols = [head.index("pricing_page_views"), head.index("time_on_site")]
    out = [head]
    for i, v in enumerate(ODD):
        for col in cols:
            r = list(body[i % len(body)])
            r[0] = "ODD%d_%d" % (i, col)
            r[col] = v
            out.append(r)
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(out)


if __name__ == "__main__":
    main()
