#!/usr/bin/env python3
"""Compares two CSV files row by row, in any order: same_rows.py A B [--skip-header-a] [--skip-header-b]

Cells are compared as text after CSV parsing, so quoting differences do not count; an empty
cell equals a missing one (SQL NULL), trailing empty cells included (rules.sql's error column,
NULL on every lead mqlcal score scores). Prints "same N rows" and exits 0, or prints the first
differing rows of each side and exits 1.
"""
import csv
import sys


def rows(path, skip):
    with open(path, newline="", encoding="utf-8") as f:
        r = list(csv.reader(f))
    if skip:
        r = r[1:]
    out = []
    for row in r:
        row = list(row)
        while row and row[-1] == "":  # trailing empty cells: rules.sql's NULL error column
            row.pop()
        out.append(tuple(row))
    return sorted(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    a = rows(args[0], "--skip-header-a" in sys.argv)
    b = rows(args[1], "--skip-header-b" in sys.argv)
    if a == b:
        print("same %d rows" % len(a))
        return 0
    sa, sb = set(a), set(b)
    print("%d rows against %d" % (len(a), len(b)))
    for x in sorted(sa - sb)[:3]:
        print("only in %s: %s" % (args[0], ",".join(x)))
    for x in sorted(sb - sa)[:3]:
        print("only in %s: %s" % (args[1], ",".join(x)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
