#!/usr/bin/env bash
# sim-decline.sh: the false-alarm rate and the power of the fit's "immature" warning (the
# latest months' conversion far below the earlier months', without SQL dates: maturity.h),
# end to end: gen-demo data (no change over time: every alarm is false) and the same data
# exported mid-stream (--as-of: the latest leads immature, so the warning should fire), each
# through mqlcal ingest + fit, for SEEDS seeds (default 100) of N leads (default 20000).
#   scripts/sim-decline.sh [SEEDS] [N]          (from the project root, after make)
# Prints the alarms per scenario; docs/maturity.md holds the run it was written from.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-100}
N=${2:-20000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
false_alarms=0 hits=0
for ((s = 1; s <= SEEDS; s++)); do
    for kind in full censored; do
        opt=()
        [ $kind = censored ] && opt=(--as-of 2026-06-30)
        build/gen-demo --n "$N" --seed "$s" "${opt[@]}" --out "$W/l.csv"
        sed -e "s|^leads = .*|leads = $W/l.csv|" -e "s|^dir = .*|dir = $W/out|" datasets/demo/demo.ini >"$W/c.ini"
        ./mqlcal ingest "$W/c.ini" --quiet >/dev/null
        if ./mqlcal fit "$W/c.ini" --quiet | grep -q "immature: outcome"; then
            [ $kind = full ] && false_alarms=$((false_alarms + 1)) || hits=$((hits + 1))
        fi
    done
done
echo "seeds $SEEDS, leads $N: false alarms $false_alarms of $SEEDS (no change over time); alarms $hits of $SEEDS (exported on 2026-06-30, outcome column alone)"
