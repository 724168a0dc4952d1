#!/usr/bin/env bash
# make-reference.sh: regenerates tests/data/reference/{demo,xeducation,bank}.csv, R's glm fits
# of the designs that `mqlcal fit --dump-design` writes, which tests/cli/test_fit_reference.sh
# compares mqlcal's coefficients, standard errors, deviance and AIC with; and
# tests/data/reference/km-demo.csv, R's Kaplan-Meier curve of time to SQL (survival::survfit)
# on the demo exported as of 2026-06-30 (gen-demo --as-of 2026-06-30), which
# tests/cli/test_maturity.sh compares the store's maturity_curve with.
#
#   make && scripts/make-reference.sh            (from the project root)
#
# For each dataset: `mqlcal ingest` and `mqlcal fit --dump-design` into a store in a temporary
# folder (the stores under datasets/*/out are not touched), then scripts/reference-glm.R.
#   demo        the demo data, generated as `make demo` does (build/gen-demo --n 50000
#               --seed 20261126) into the temporary folder, with a copy of
#               datasets/demo/demo.ini pointing at it
#   xeducation  datasets/xeducation/leads.ini on ../shared/datasets/xeducation/Leads.csv
#   bank        datasets/bank-marketing/bank.ini on ../shared/datasets/bank-marketing/bank-full.csv
# A dataset whose file is missing is skipped with a message (its reference is left as it is).
#
# The committed values were produced by
#   R version 4.2.2 Patched (2022-11-10 r83330) -- "Innocent and Trusting"
#   (platform x86_64-pc-linux-gnu, 64-bit)
# with mqlcal 0.1.0. Another R version or BLAS may change the last digits of the values; the
# test's tolerances (1e-6 on coefficients, 1e-5 relative on standard errors) are far wider.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MQLCAL=${MQLCAL:-$ROOT/mqlcal}
GEN=${GEN:-$ROOT/build/gen-demo}
SHARED="$ROOT/../shared/datasets"
OUTDIR="$ROOT/tests/data/reference"

for f in "$MQLCAL" "$GEN"; do
    [ -x "$f" ] || { echo "make-reference.sh: $f not found: run make first" >&2; exit 1; }
done
command -v Rscript >/dev/null || { echo "make-reference.sh: Rscript not found" >&2; exit 1; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUTDIR"

# reference NAME CONFIG: ingest, fit with --dump-design, then R's glm on the dump
reference() {
    local name=$1 config=$2
    echo "== $name ($config)"
    "$MQLCAL" ingest "$config" --db "$W/$name.db" --quiet >"$W/$name.ingest.txt"
    "$MQLCAL" fit "$config" --db "$W/$name.db" --quiet --dump-design "$W/$name" >"$W/$name.fit.txt"
    sed -n 2p "$W/$name.fit.txt"
    Rscript "$ROOT/scripts/reference-glm.R" "$W/$name" "$W/$name.csv"
    cp "$W/$name.csv" "$OUTDIR/$name.csv"
    echo "   wrote tests/data/reference/$name.csv"
}

# demo: generated here, exactly as `make demo` generates datasets/demo/leads.csv
mkdir -p "$W/demo"
"$GEN" --n 50000 --seed 20261126 --out "$W/demo/leads.csv"
sed -e 's|^leads[[:space:]]*=.*|leads = leads.csv|' -e 's|^dir[[:space:]]*=.*|dir = out|' "$ROOT/datasets/demo/demo.ini" >"$W/demo/demo.ini"
reference demo "$W/demo/demo.ini"

if [ -f "$SHARED/xeducation/Leads.csv" ]; then
    reference xeducation "$ROOT/datasets/xeducation/leads.ini"
else
    echo "== xeducation: $SHARED/xeducation/Leads.csv not found: skipped" >&2
fi

if [ -f "$SHARED/bank-marketing/bank-full.csv" ]; then
    reference bank "$ROOT/datasets/bank-marketing/bank.ini"
else
    echo "== bank: $SHARED/bank-marketing/bank-full.csv not found: skipped" >&2
fi

# time to SQL: the demo as exported on 2026-06-30, R's survfit from the raw file alone
echo "== km-demo (gen-demo --as-of 2026-06-30)"
"$GEN" --n 50000 --seed 20261126 --as-of 2026-06-30 --out "$W/km.csv"
Rscript "$ROOT/scripts/reference-km.R" "$W/km.csv" 2026-06-30 "$OUTDIR/km-demo.csv"
echo "   wrote tests/data/reference/km-demo.csv"
