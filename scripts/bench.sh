#!/usr/bin/env bash
# Benchmark: generates N leads (default 1,000,000) with the demo generator and times each
# stage as a whole process over RUNS runs (default 5), reporting the median wall time and the
# peak resident memory, side by side with the peers on the same data in the same run:
#   ingest  vs  sqlite3 DB -cmd '.mode csv' '.import FILE t'
#   fit     the solver's own time (reported by --timings) vs scikit-learn's
#           LogisticRegression(penalty=None, solver='lbfgs') and R's glm on the same encoded
#           design (mqlcal fit --dump-design), fit call only, with their coefficient gaps
#   sweep   vs  sqlite3 computing MQLs and SQLs at every threshold (a window over the scores)
#   report  (no peer: the targets are absolute)
#   score   vs  sqlite3 running the exported rules.sql over the same leads loaded as text
#   review  vs  scoring the history with both rules by rules.sql in sqlite3 (2 x the above)
# Usage: scripts/bench.sh [N] [RUNS]     (make bench runs it with the defaults)
# PEER_RUNS (default 3) sets the runs of the slow peers; NO_PEERS=1 skips sklearn and R.
# Prints a Markdown table; with BENCH_WRITE=1 it also replaces the table in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${2:-5}
scripts/install-deps.sh --bench
PEER_RUNS=${PEER_RUNS:-3}
make --no-print-directory all >/dev/null
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing" >&2; exit 1; }

W=$(mktemp -d /tmp/mqlcal-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
build/gen-demo --n "$N" --out "$W/leads.csv"
# l2 = 0: the solver is compared with R's glm and scikit-learn, which fit without a penalty
{ sed -e 's|^leads = .*|leads = leads.csv|' -e 's|^dir = .*|dir = out|' datasets/demo/demo.ini; printf '\n[model]\nl2 = 0\n'; } > "$W/bench.ini"

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
# ingest and its peer alternate run by run, so that a slower spell of a shared machine hits
# both alike
ing=() imp=()
for ((k = 0; k < RUNS; k++)); do
    ing+=("$(RUNS=1 measure ingest "rm -rf '$W/out'" ./mqlcal ingest "$W/bench.ini" --quiet)")
    imp+=("$(RUNS=1 measure import "rm -f '$W/import.db'" sqlite3 "$W/import.db" -cmd '.mode csv' ".import $W/leads.csv t")")
done
pair() { # median time, largest memory of "time mem" lines
    local t m
    t=$(printf '%s\n' "$@" | awk '{print $1}' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
    m=$(printf '%s\n' "$@" | awk '{print $2}' | sort -g | tail -1)
    echo "$t $m"
}
read -r ing_t ing_m < <(pair "${ing[@]}")
read -r imp_t imp_m < <(pair "${imp[@]}")
read -r gen_t gen_m < <(measure generate ":" build/gen-demo --n "$N" --out "$W/gen.csv")

rows=$(sqlite3 "$W/out/mqlcal.db" 'SELECT count(*) FROM leads')

# fit: whole process, and the solver's own time from --timings (median over the runs)
read -r fit_t fit_m < <(measure fit ":" ./mqlcal fit "$W/bench.ini" --quiet)
solve=() load=()
for ((i = 0; i < RUNS; i++)); do
    ./mqlcal fit "$W/bench.ini" --timings >/dev/null 2>"$W/timings"
    solve+=("$(awk '/^timings:/ {print $6}' "$W/timings")")
    load+=("$(awk '/^timings:/ {print $3}' "$W/timings")")
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
solve_t=$(med "${solve[@]}")
load_t=$(med "${load[@]}")
./mqlcal fit "$W/bench.ini" --dump-design "$W/design" >"$W/fit.txt"
cols=$(sqlite3 "$W/out/mqlcal.db" 'SELECT columns FROM fits ORDER BY fit_id DESC LIMIT 1')
iters=$(sqlite3 "$W/out/mqlcal.db" 'SELECT iterations FROM fits ORDER BY fit_id DESC LIMIT 1')
ntrain=$(sqlite3 "$W/out/mqlcal.db" 'SELECT n_train FROM fits ORDER BY fit_id DESC LIMIT 1')
# sweep + audit (the recommendation, the grid, 200 bootstrap replicates, the segment audits)
read -r sw_t sw_m < <(measure sweep ":" ./mqlcal sweep "$W/bench.ini")
read -r au_t au_m < <(measure audit ":" ./mqlcal audit "$W/bench.ini")
# the peer of the sweep: the threshold table alone (MQLs and SQLs at every score, no fit
# minimum, no periods, no bootstrap) in SQL over the same store
peer_sql='SELECT score, sum(n) OVER w AS mqls, sum(s) OVER w AS sqls FROM (SELECT c.score, count(*) AS n, sum(l._outcome) AS s FROM scores c JOIN leads l ON l._id = c._id GROUP BY c.score) WINDOW w AS (ORDER BY score DESC)'
read -r swp_t swp_m < <(measure sweep-peer ":" sqlite3 "$W/out/mqlcal.db" "$peer_sql")
read -r rep_t rep_m < <(measure report ":" ./mqlcal report "$W/bench.ini")
# export, and the scorer on the same CSV (one core: the scorer has one thread); memory on a
# tenth of the file too, to show it does not grow with the input
read -r exp_t exp_m < <(measure export ":" ./mqlcal export "$W/bench.ini")
read -r sco_t sco_m < <(measure score ":" ./mqlcal score --rules "$W/out/rules.json" "$W/leads.csv")
# the review: the exported rule file as last quarter's against the store's rule (the work is
# the same whatever the rules say: both score every lead, then flips, PSI, CSI, two refits)
cp "$W/out/rules.json" "$W/previous.json"
read -r rev_t rev_m < <(measure review ":" ./mqlcal review "$W/bench.ini" --previous "$W/previous.json")
head -n $((N / 10 + 1)) "$W/leads.csv" >"$W/tenth.csv"
read -r sct_t sct_m < <(measure score-tenth ":" ./mqlcal score --rules "$W/out/rules.json" "$W/tenth.csv")
sco_rate=$(awk -v n="$N" -v t="$sco_t" 'BEGIN {printf "%.2f", n / t / 1e6}')
# its peer: the exported SQL in sqlite3 over the same leads loaded as text (load not timed)
sqlite3 "$W/peer.db" -cmd ".mode csv" ".import $W/leads.csv leads"
read -r scp_t scp_m < <(RUNS=1 measure score-peer ":" sqlite3 "$W/peer.db" ".read $W/out/rules.sql")
swc=() swl=()
for ((i = 0; i < RUNS; i++)); do
    ./mqlcal audit "$W/bench.ini" --timings >/dev/null 2>"$W/timings"
    swc+=("$(awk '/^timings:/ {print $14}' "$W/timings")")
    swl+=("$(awk '/^timings:/ {print $3}' "$W/timings")")
done
swc_t=$(med "${swc[@]}")
swl_t=$(med "${swl[@]}")
sk="not run" gl="not run"
if [ "${NO_PEERS:-0}" != 1 ]; then
    if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
        read -r sk_t sk_d sk_i < <(/usr/bin/python3 scripts/bench-solver.py "$W/design" "$W/out/mqlcal.db" "$PEER_RUNS")
        sk="$sk_t s (coefficients within $sk_d of mqlcal's, $sk_i L-BFGS iterations; $(awk -v a="$sk_t" -v b="$solve_t" 'BEGIN {printf "%.0f", a/b}')x mqlcal's solver)"
    fi
    if command -v Rscript >/dev/null; then
        sqlite3 -csv -header "$W/out/mqlcal.db" "SELECT 0 AS column, intercept AS coef FROM fits WHERE fit_id = (SELECT max(fit_id) FROM fits) UNION ALL SELECT design_column, coef FROM fit_levels WHERE fit_id = (SELECT max(fit_id) FROM fits) AND design_column > 0 AND coef IS NOT NULL" >"$W/coef.csv"
        read -r gl_t gl_d gl_i < <(Rscript scripts/bench-solver.R "$W/design" "$W/coef.csv" "$PEER_RUNS")
        gl="$gl_t s (coefficients within $gl_d of mqlcal's, $gl_i IRLS iterations; $(awk -v a="$gl_t" -v b="$solve_t" 'BEGIN {printf "%.0f", a/b}')x mqlcal's solver)"
    fi
fi
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
table=$(cat <<EOT
Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), $N leads ($size_mb MB CSV, $rows loaded),
median of $RUNS whole-process runs (ingest and its peer alternating), peak RSS the largest of
the runs.

| stage | command | median wall (s) | peak RSS (MB) |
|---|---|---:|---:|
| generate | \`build/gen-demo --n $N\` | $gen_t | $gen_m |
| ingest | \`mqlcal ingest\` (typed, validated, duplicate ids checked) | $ing_t | $ing_m |
| peer | \`sqlite3 DB -cmd '.mode csv' '.import FILE t'\` (all text, no checks) | $imp_t | $imp_m |
| fit | \`mqlcal fit\` (load, encode, solve, points, validation, store) | $fit_t | $fit_m |
| sweep | \`mqlcal sweep\` (load, thresholds, grid, 200 bootstrap replicates, store, CSV) | $sw_t | $sw_m |
| audit | \`mqlcal audit\` (the sweep again, then the segment audits) | $au_t | $au_m |
| peer | \`sqlite3\`: MQLs and SQLs at every threshold only, by a window over scores joined to leads | $swp_t | $swp_m |
| report | \`mqlcal report\` (13 charts, the HTML page, its tables as CSV) | $rep_t | $rep_m |
| export | \`mqlcal export\` (rules.json, rules.sql, rules.pmml) | $exp_t | $exp_m |
| score | \`mqlcal score --rules rules.json\` (CSV in, scores and reasons out): $sco_rate million leads/s | $sco_t | $sco_m |
| score, a tenth | the same on the first $((N / 10)) leads: memory does not grow with the input | $sct_t | $sct_m |
| peer | \`sqlite3\` running the exported rules.sql over the same leads as text (one run) | $scp_t | $scp_m |
| review | \`mqlcal review --previous rules.json\` (both rules on every lead, flips, curves, points, PSI, CSI, per-span refits, store) | $rev_t | $rev_m |
| peer | scoring the history with both rules by rules.sql in sqlite3 (twice the run above; no statistics) | $(awk -v a="$scp_t" 'BEGIN {printf "%.1f", 2 * a}') | $scp_m |

ingest / peer wall time: $(awk -v a="$ing_t" -v b="$imp_t" 'BEGIN {printf "%.2f", a/b}')

Solver on the same encoded design ($ntrain training leads, $cols columns), median of runs:
- mqlcal (Newton/IRLS, $iters full-data iterations after a 1-in-16 warm start, two threads): $solve_t s; loading the leads from the store: $load_t s
- scikit-learn LogisticRegression(penalty=None, solver='lbfgs'), fit call only: $sk
- R glm(family = binomial), fit call only: $gl

Sweep and audit, the computation alone (\`--timings\`, median): thresholds, the grid, 200
bootstrap replicates and the audits $swc_t s; loading the scored leads from the store $swl_t s.
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
