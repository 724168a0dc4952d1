#!/usr/bin/env bash
# Ingest memory against file size: generates leads files of about 200 MB and 2 GB (or the
# sizes given, in millions of leads) and ingests each as a whole process, printing rows, bytes,
# wall time and peak resident memory. The claim it checks (docs/performance.md): ingest memory
# does not grow with the file (SQLite's page cache and mqlcal's 1 MiB read buffer bound it).
# Usage: scripts/stress-ingest.sh [MILLIONS...]   (default: 2 21; needs ~5 GB free in TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory all >/dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/mqlcal-stress.XXXXXX")
trap 'rm -rf "$W"' EXIT
[ $# -gt 0 ] || set -- 2 21
printf '| leads | CSV | ingest wall (s) | peak RSS (MB) |\n|---:|---:|---:|---:|\n'
for m in "$@"; do
    build/gen-demo --n $((m * 1000000)) --out "$W/leads.csv"
    sed -e 's|^leads = .*|leads = leads.csv|' -e 's|^dir = .*|dir = out|' datasets/demo/demo.ini >"$W/c.ini"
    read -r secs kb < <(python3 - ./mqlcal ingest "$W/c.ini" --quiet <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
if rc:
    sys.exit("ingest failed: %d" % rc)
print("%.1f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
)
    printf '| %s | %s MB | %s | %.1f |\n' "$(sqlite3 "$W/out/mqlcal.db" 'SELECT count(*) FROM leads')" \
        "$(( $(stat -c %s "$W/leads.csv") / 1048576 ))" "$secs" "$(echo "$kb / 1024" | bc -l)"
    rm -rf "$W/out" "$W/leads.csv"
done
