#!/usr/bin/env bash
# Benchmark: generates N leads (default 1,000,000) with the demo generator and times each
# stage as a whole process over RUNS runs (default 5), reporting the median wall time and the
# peak resident memory, side by side with the peer on the same file in the same run:
#   ingest  vs  sqlite3 DB -cmd '.mode csv' '.import FILE t'
# Usage: scripts/bench.sh [N] [RUNS]     (make bench runs it with the defaults)
# Prints a Markdown table; with BENCH_WRITE=1 it also replaces the table in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${2:-5}
scripts/install-deps.sh --bench
make --no-print-directory all >/dev/null
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing" >&2; exit 1; }

W=$(mktemp -d /tmp/mqlcal-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
build/gen-demo --n "$N" --out "$W/leads.csv"
sed -e 's|^leads = .*|leads = leads.csv|' -e 's|^dir = .*|dir = out|' datasets/demo/demo.ini > "$W/bench.ini"

# measure NAME PREPARE CMD...: runs PREPARE then CMD RUNS times; prints "median_s peak_mb"
measure() {
    local name=$1 prep=$2; shift 2
    local times=() mems=()
    for ((i = 0; i < RUNS; i++)); do
        eval "$prep"
        /usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null 2>"$W/stderr" || {
            echo "bench: $name failed:" >&2; cat "$W/stderr" >&2; exit 1; }
        read -r t m <"$W/time"
        times+=("$t"); mems+=("$m")
    done
    local med peak
    med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
    peak=$(printf '%s\n' "${mems[@]}" | sort -g | tail -1)
    echo "$med $(awk -v k="$peak" 'BEGIN {printf "%.1f", k/1024}')"
}

size_mb=$(awk -v b="$(stat -c %s "$W/leads.csv")" 'BEGIN {printf "%.0f", b/1048576}')
read -r ing_t ing_m < <(measure ingest "rm -rf '$W/out'" ./mqlcal ingest "$W/bench.ini" --quiet)
read -r imp_t imp_m < <(measure import "rm -f '$W/import.db'" sqlite3 "$W/import.db" -cmd '.mode csv' ".import $W/leads.csv t")
read -r gen_t gen_m < <(measure generate ":" build/gen-demo --n "$N" --out "$W/gen.csv")

rows=$(sqlite3 "$W/out/mqlcal.db" 'SELECT count(*) FROM leads')
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
table=$(cat <<EOT
Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), $N leads ($size_mb MB CSV, $rows loaded),
median of $RUNS whole-process runs, peak RSS the largest of the runs.

| stage | command | median wall (s) | peak RSS (MB) |
|---|---|---:|---:|
| generate | \`build/gen-demo --n $N\` | $gen_t | $gen_m |
| ingest | \`mqlcal ingest\` (typed, validated, duplicate ids checked) | $ing_t | $ing_m |
| peer | \`sqlite3 DB -cmd '.mode csv' '.import FILE t'\` (all text, no checks) | $imp_t | $imp_m |

ingest / peer wall time: $(awk -v a="$ing_t" -v b="$imp_t" 'BEGIN {printf "%.2f", a/b}')
EOT
)
echo "$table"
if [ "${BENCH_WRITE:-0}" = 1 ]; then
    python3 - "$table" <<'PY'
import sys, re
doc = open('docs/performance.md').read()
new = '<!-- bench:begin -->\n' + sys.argv[1] + '\n<!-- bench:end -->'
doc = re.sub(r'<!-- bench:begin -->.*?<!-- bench:end -->', lambda m: new, doc, flags=re.S)
open('docs/performance.md', 'w').write(doc)
PY
fi
