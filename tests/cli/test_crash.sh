#!/usr/bin/env bash
# SIGKILL during `mqlcal ingest` at several points: each time the store must open, pass
# PRAGMA integrity_check and hold either the previous load or the new one, never a mix.
. "$(dirname "$0")/lib.sh"
GEN="${GEN:-$(dirname "$MQLCAL")/gen-demo}"
[ -x "$GEN" ] || GEN="$ROOT/build/gen-demo"
CONF="$ROOT/datasets/demo/demo.ini"
if [ ! -x "$GEN" ] || [ ! -f "$CONF" ]; then skip "no generator or demo config"; exit 0; fi

mkdir -p "$T/w"
sed -e 's|^leads = .*|leads = leads.csv|' -e 's|^dir = .*|dir = out|' "$CONF" > "$T/w/c.ini"
"$GEN" --n 2000 --seed 1 --out "$T/old.csv"
"$GEN" --n 200000 --seed 2 --out "$T/new.csv"
cp "$T/old.csv" "$T/w/leads.csv"
"$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null || { nok "first load"; exit 1; }
old=$(sql "$T/w/out/mqlcal.db" "SELECT count(*) FROM leads")
cp "$T/new.csv" "$T/w/leads.csv"

# how long a full load takes, to spread the kill points over it
start=$(date +%s%N)
"$MQLCAL" ingest "$T/w/c.ini" --quiet --db "$T/probe.db" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
new=$(sql "$T/probe.db" "SELECT count(*) FROM leads")

seen_old=0 seen_new=0 bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
    # a point between 0 and 110% of a full load, different every round
    delay_ms=$(( (full_ms * 11 * i / 100 + RANDOM % 20) ))
    "$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v ms="$delay_ms" 'BEGIN {printf "%.3f", ms / 1000}')"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    check=$(sql "$T/w/out/mqlcal.db" "PRAGMA integrity_check" 2>&1)
    n=$(sql "$T/w/out/mqlcal.db" "SELECT count(*) FROM leads" 2>&1)
    if [ "$check" != ok ]; then bad=$((bad + 1)); echo "# kill at ${delay_ms} ms: integrity: $check"
    elif [ "$n" = "$old" ]; then seen_old=$((seen_old + 1))
    elif [ "$n" = "$new" ]; then seen_new=$((seen_new + 1)); cp "$T/old.csv" "$T/w/leads.csv"
        "$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null; cp "$T/new.csv" "$T/w/leads.csv"
    else bad=$((bad + 1)); echo "# kill at ${delay_ms} ms: $n leads, neither $old nor $new"; fi
done
expect_eq "$bad" 0 "10 SIGKILLs during ingest: store always consistent, old ($seen_old) or new ($seen_new) load"
[ $seen_old -gt 0 ] && ok "some kills hit before the rename" || nok "no kill landed before the rename (full load $full_ms ms)"
