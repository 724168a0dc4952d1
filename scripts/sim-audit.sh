#!/usr/bin/env bash
# sim-audit.sh: how often the audit flags a segment value when nothing is wrong. For SEEDS
# seeds (default 20), gen-demo data of N leads (default 20000) gets a 15-value column the
# outcomes do not depend on (region), audited with channel and country (36 values in all);
# the model is the true one's fit, so every flag is false. Counts the runs with at least one
# flag (over-/under-rated: Holm-corrected, the audit's rule), and the runs in which the
# uncorrected rule (the prediction outside the value's Wilson 95 % interval, before issue 16)
# would have flagged one.
#   scripts/sim-audit.sh [SEEDS] [N]          (from the project root, after make)
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-20}
N=${2:-20000}
MQLCAL=${MQLCAL:-./mqlcal}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
holm=0 raw=0
for ((s = 1; s <= SEEDS; s++)); do
    build/gen-demo --n "$N" --seed "$s" --out "$W/p.csv"
    python3 - "$W/p.csv" "$W/l.csv" "$s" <<'PY'
import csv, random, sys
rnd = random.Random(int(sys.argv[3]))
r = csv.reader(open(sys.argv[1], newline=""))
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
w.writerow(next(r) + ["region"])
for x in r:
    w.writerow(x + ["r%02d" % (rnd.randrange(15) + 1)])
PY
    sed -e "s|^leads = .*|leads = $W/l.csv|" -e "s|^dir = .*|dir = $W/out|" -e "s|^by = .*|by = region, channel, country|" datasets/demo/demo.ini >"$W/c.ini"
    "$MQLCAL" ingest "$W/c.ini" --quiet >/dev/null
    "$MQLCAL" fit "$W/c.ini" --quiet >/dev/null
    "$MQLCAL" sweep "$W/c.ini" --quiet >/dev/null
    "$MQLCAL" audit "$W/c.ini" --quiet >/dev/null
    q="SELECT count(*) FROM audit_segments WHERE sweep_id = (SELECT max(sweep_id) FROM sweeps)"
    [ "$(sqlite3 "$W/out/mqlcal.db" "$q AND flag IN ('over-rated', 'under-rated')")" -gt 0 ] && holm=$((holm + 1))
    [ "$(sqlite3 "$W/out/mqlcal.db" "$q AND mqls > pending AND (predicted > conv_hi OR predicted < conv_lo)")" -gt 0 ] && raw=$((raw + 1))
done
echo "seeds $SEEDS, leads $N, 36 audited values: runs with a false flag: Holm $holm of $SEEDS; uncorrected (Wilson interval) $raw of $SEEDS"
