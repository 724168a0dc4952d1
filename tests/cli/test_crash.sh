#!/usr/bin/env bash
# SIGKILL at 20 random points during `mqlcal ingest`, and at 20 during `mqlcal run`: each time
# the store must open, pass PRAGMA integrity_check and hold either the previous load or the new
# one, never a mix; and after `run`, every output a reader or a production scorer opens (the
# rule files, the CSV tables, the report page with its charts) must be a whole version, old or
# new (tests/tools/check_outputs.py). Every file is written to a temporary name and renamed.
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }

mkdir -p "$T/w"
sed -e 's|^leads = .*|leads = leads.csv|' -e 's|^dir = .*|dir = out|' "$CONF" > "$T/w/c.ini"
"$GEN" --n 2000 --seed 1 --out "$T/old.csv"
"$GEN" --n 200000 --seed 2 --out "$T/new.csv"
cp "$T/old.csv" "$T/w/leads.csv"
"$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null || { nok "first load"; exit 1; }
old=$(sql "$T/w/out/mqlcal.db" "SELECT count(*) FROM leads")
cp "$T/new.csv" "$T/w/leads.csv"

# ms CMD...: how long CMD takes, in milliseconds
ms() {
    local start
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}

# kill_at MS CMD...: starts CMD, sends SIGKILL after MS milliseconds, waits for it
kill_at() {
    local delay=$1 pid
    shift
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v ms="$delay" 'BEGIN {printf "%.3f", ms / 1000}')"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# ==== ingest ====================================================================================
full_ms=$(ms "$MQLCAL" ingest "$T/w/c.ini" --quiet --db "$T/probe.db")
new=$(sql "$T/probe.db" "SELECT count(*) FROM leads")
seen_old=0 seen_new=0 bad=0
for i in $(seq 20); do
    delay_ms=$(( RANDOM * full_ms * 11 / 10 / 32768 )) # anywhere in 0 .. 110 % of a full load
    kill_at "$delay_ms" "$MQLCAL" ingest "$T/w/c.ini" --quiet
    check=$(sql "$T/w/out/mqlcal.db" "PRAGMA integrity_check" 2>&1)
    n=$(sql "$T/w/out/mqlcal.db" "SELECT count(*) FROM leads" 2>&1)
    if [ "$check" != ok ]; then bad=$((bad + 1)); echo "# kill at ${delay_ms} ms: integrity: $check"
    elif [ "$n" = "$old" ]; then seen_old=$((seen_old + 1))
    elif [ "$n" = "$new" ]; then seen_new=$((seen_new + 1)); cp "$T/old.csv" "$T/w/leads.csv"
        "$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null; cp "$T/new.csv" "$T/w/leads.csv"
    else bad=$((bad + 1)); echo "# kill at ${delay_ms} ms: $n leads, neither $old nor $new"; fi
done
expect_eq "$bad" 0 "20 SIGKILLs during ingest: store always consistent, old ($seen_old) or new ($seen_new) load"
[ $seen_old -gt 0 ] && ok "some ingest kills hit before the rename" || nok "no kill landed before the rename (full load $full_ms ms)"

# ==== run =======================================================================================
# The old state: a whole run on the old leads (store, rule files, CSVs, report). Each round
# starts from a copy of it and kills a run on 50,000 new leads.
"$GEN" --n 50000 --seed 3 --out "$T/run-new.csv"
mkdir -p "$T/r"
sed -e 's|^leads = .*|leads = leads.csv|' -e 's|^dir = .*|dir = out|' "$CONF" > "$T/r/c.ini"
cp "$T/old.csv" "$T/r/leads.csv"
"$MQLCAL" run "$T/r/c.ini" --quiet >/dev/null 2>&1 || { nok "old run"; exit 1; }
cp -a "$T/r/out" "$T/old-out"
cp "$T/run-new.csv" "$T/r/leads.csv"
full_ms=$(ms "$MQLCAL" run "$T/r/c.ini" --quiet)
if ! python3 "$ROOT/tests/tools/check_outputs.py" "$T/r/out" 50000 >"$T/check" 2>&1; then
    nok "a whole run's outputs check out"; sed 's/^/#   /' "$T/check"
fi
bad=0 seen=""
for i in $(seq 20); do
    rm -rf "$T/r/out"
    cp -a "$T/old-out" "$T/r/out"
    delay_ms=$(( RANDOM * full_ms * 11 / 10 / 32768 ))
    kill_at "$delay_ms" "$MQLCAL" run "$T/r/c.ini" --quiet
    if ! python3 "$ROOT/tests/tools/check_outputs.py" "$T/r/out" "$old,50000" >"$T/check" 2>&1; then
        bad=$((bad + 1))
        echo "# kill at $delay_ms ms of $full_ms:"; sed 's/^/#   /' "$T/check"
    fi
    seen="$seen $(sql "$T/r/out/mqlcal.db" "SELECT count(*) FROM leads")"
done
expect_eq "$bad" 0 "20 SIGKILLs during run: store, rule files, CSVs and report always whole (leads seen:$seen)"
# after a kill, the next run finishes and leaves no temporary file behind
"$MQLCAL" run "$T/r/c.ini" --quiet >/dev/null 2>&1
expect_eq "$?" 0 "a run after the kills finishes"
left=$(find "$T/r/out" -name '*tmp*' -o -name '*.old' | head -3)
expect_eq "$left" "" "no temporary files are left behind by the run after the kills"
