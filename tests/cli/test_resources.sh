#!/usr/bin/env bash
# Resources: memory, size limits, full and read-only disks, missing folders.
#   1. ingest memory does not grow with the file: the peak RSS of 800,000 leads is that of
#      400,000 (scripts/stress-ingest.sh shows 2 GB against 200 MB; docs/performance.md);
#   2. a config over 1 MiB and a rule file over 64 MiB are refused with the limit named;
#   3. a full disk (a small tmpfs) during ingest, export and report: a clear error, exit 3,
#      and the previous outputs byte for byte as they were;
#   4. a read-only output folder and an output folder that cannot be made: clear errors, exit 3.
# The disk cases need a tmpfs mount (root); they are skipped where mounting is not allowed.
. "$(dirname "$0")/lib.sh"
demo_tools || { skip "no generator or demo config"; exit 0; }

# config NAME CSV OUTDIR: the demo config on another CSV and output folder
config() { sed -e "s#^leads = .*#leads = $2#" -e "s#^dir = .*#dir = $3#" "$CONF" >"$T/$1.ini"; }
# peak_kb CMD...: the peak resident memory of CMD in KB
peak_kb() {
    python3 - "$@" <<'EOF'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}
MOUNTS=()
cleanup() { for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
# tmpfs DIR SIZE [ro]: mounts a tmpfs; fails where mounting is not allowed
tmpfs() {
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2${3:+,$3}" tmpfs "$1" 2>/dev/null || return 1
    MOUNTS+=("$1")
}

# ==== 1. memory =================================================================================
# (on the plain build only: ASan's quarantine and valgrind's own memory are not mqlcal's)
if [ "$MQLCAL" != "$ROOT/mqlcal" ]; then
    skip "memory: measured on the plain build only"
else
"$GEN" --n 400000 --seed 4 --out "$T/m1.csv"
"$GEN" --n 800000 --seed 5 --out "$T/m2.csv"
config m1 "$T/m1.csv" "$T/om1"
config m2 "$T/m2.csv" "$T/om2"
k1=$(peak_kb "$MQLCAL" ingest "$T/m1.ini" --quiet)
k2=$(peak_kb "$MQLCAL" ingest "$T/m2.ini" --quiet)
expect_eq "$(sql "$T/om2/mqlcal.db" "SELECT count(*) FROM leads")" 800000 "memory: 800,000 leads loaded"
if [ $((k2 - k1)) -lt 4096 ]; then ok "memory: twice the leads, the same peak RSS ($((k1 / 1024)) MB, $((k2 / 1024)) MB)"
else nok "memory: peak RSS grew from $((k1 / 1024)) MB to $((k2 / 1024)) MB with twice the leads"; fi
rm -rf "$T/om1" "$T/om2" "$T/m1.csv" "$T/m2.csv"
fi

# ==== 2. size limits ============================================================================
{ cat "$CONF"; for i in $(seq 14000); do echo "; padding line $i of a config that is far too big ......................"; done; } >"$T/big.ini"
run "$MQLCAL" ingest "$T/big.ini"
expect_rc 2 "a config over 1 MiB is refused"
expect_contains "$ERR" "larger than 1048576 bytes" "the message names the config limit"
"$GEN" --n 2000 --seed 1 --out "$T/small.csv"
config small "$T/small.csv" "$T/osmall"
"$MQLCAL" run "$T/small.ini" --quiet >/dev/null 2>&1 || nok "small run"
python3 - "$T/osmall/rules.json" "$T/big.json" <<'EOF'
import sys
text = open(sys.argv[1]).read().rstrip()
assert text.endswith("}")
open(sys.argv[2], "w").write(text[:-1] + " " * (65 << 20) + "}\n")
EOF
run "$MQLCAL" check-rules "$T/big.json"
expect_rc 2 "a rule file over 64 MiB is refused"
expect_contains "$ERR" "over the 64 MiB a rule file may have" "the message names the rule file limit"
run "$MQLCAL" score --rules "$T/big.json" "$T/small.csv"
expect_rc 2 "score refuses it too"
run "$MQLCAL" review "$T/small.ini" --previous "$T/big.json"
expect_rc 2 "review refuses it too"
rm -f "$T/big.json"

# ==== 3. a full disk ============================================================================
if ! tmpfs "$T/full" 10m; then
    skip "full disk: cannot mount a tmpfs here (needs root)"
else
    config full "$T/small.csv" "$T/full/out"
    "$MQLCAL" run "$T/full.ini" --quiet >/dev/null 2>&1 || nok "full: the first run fits"
    cp -a "$T/full/out" "$T/before"
    "$GEN" --n 50000 --seed 6 --out "$T/big.csv"
    config full "$T/big.csv" "$T/full/out"
    run "$MQLCAL" run "$T/full.ini" --quiet
    expect_rc 3 "full disk during ingest: exit 3"
    expect_contains "$ERR" "disk is full" "full disk: the message says so"
    run diff -r "$T/before" "$T/full/out"
    expect_rc 0 "full disk: every previous output byte for byte as it was ($OUT)"
    expect_eq "$(sql "$T/full/out/mqlcal.db" "PRAGMA integrity_check")" "ok" "full disk: the store passes integrity_check"
    # export and report into a folder with no room left (the store elsewhere, as --db)
    config full "$T/small.csv" "$T/full/out"
    cp "$T/full/out/mqlcal.db" "$T/store.db"
    dd if=/dev/zero of="$T/full/filler" bs=64k 2>/dev/null
    run "$MQLCAL" export "$T/full.ini" --db "$T/store.db"
    expect_rc 3 "full disk during export: exit 3"
    expect_contains "$ERR" "No space left on device" "export: the message says so"
    run "$MQLCAL" report "$T/full.ini" --db "$T/store.db"
    expect_rc 3 "full disk during report: exit 3"
    expect_contains "$ERR" "No space left on device" "report: the message says so"
    run diff -r "$T/before" "$T/full/out"
    expect_rc 0 "full disk: rule files and report byte for byte as they were ($OUT)"
    run find "$T/full/out" -name '*tmp*'
    expect_eq "$OUT" "" "full disk: no temporary file left behind"
fi

# ==== 4. read-only and impossible output folders ================================================
if ! tmpfs "$T/ro" 1m ro; then
    skip "read-only folder: cannot mount a tmpfs here (needs root)"
else
    config ro "$T/small.csv" "$T/ro/out"
    run "$MQLCAL" run "$T/ro.ini" --quiet
    expect_rc 3 "a read-only output folder: exit 3"
    expect_contains "$ERR" "Read-only file system" "read-only: the message says so"
    expect_contains "$ERR" "$T/ro/out" "read-only: the message names the folder"
fi
touch "$T/afile"
config nodir "$T/small.csv" "$T/afile/out"
run "$MQLCAL" run "$T/nodir.ini" --quiet
expect_rc 3 "an output folder under a file: exit 3"
expect_contains "$ERR" "$T/afile/out" "no folder: the message names it"
run "$MQLCAL" export "$T/small.ini" --db "$T/osmall/mqlcal.db" --format json --out "$T/nope/rules.json"
expect_rc 3 "export --out into a missing folder: exit 3"
expect_contains "$ERR" "$T/nope/rules.json" "missing folder: the message names the file"
