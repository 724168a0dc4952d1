#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz`, each for FUZZ_SECONDS, on a copy of its seed
# corpus (tests/fuzz/corpus/<target>/ and tests/fuzz/regress/<target>/) in the build tree, so
# the committed corpus never grows. Up to FUZZ_JOBS targets run at once (default: the number of
# processors). Exits 1, printing the input libFuzzer saved, when any target crashes, leaks,
# hangs (an input running over 10 s) or goes over 2 GiB.
#   tests/fuzz/run.sh BUILD_DIR TARGET...      (make fuzz passes build/fuzz config rules ...)
# Environment: FUZZ_SECONDS (default 60), FUZZ_JOBS, FUZZ_ARGS (more libFuzzer options).
set -u
cd "$(dirname "$0")/../.." || exit 1
build=$1
shift
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# the longest input each target tries: a config is at most a few KiB, a rule file a few tens
max_len() {
    case $1 in
    config) echo 4096 ;;
    rules) echo 32768 ;;
    ingest) echo 8192 ;;
    score) echo 16384 ;;
    differential) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_target() { # $1 = target; writes $build/<target>.log and $build/<target>.rc
    local t=$1 bin="$build/fuzz_$1" corpus="$build/corpus/$1" art="$build/artifacts/$1/"
    mkdir -p "$corpus" "$art"
    local d
    for d in "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t"; do
        [ -d "$d" ] && find "$d" -maxdepth 1 -type f -exec cp -- {} "$corpus/" \;
    done
    local dict=()
    local df="tests/fuzz/$t.dict"
    case $t in ingest | score | differential) df=tests/fuzz/csv.dict ;; esac
    [ -f "$df" ] && dict=(-dict="$df")
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" ${FUZZ_ARGS:-} "$corpus" \
        >"$build/$t.log" 2>&1
    echo $? >"$build/$t.rc"
}

for t in "$@"; do
    [ -x "$build/fuzz_$t" ] || { echo "fuzz: no $build/fuzz_$t (run make fuzz)" >&2; exit 2; }
done
echo "fuzz: $* for ${seconds} s each, $jobs at a time; logs in $build/<target>.log"
running=0
for t in "$@"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_target "$t" &
    running=$((running + 1))
done
wait

failed=0
for t in "$@"; do
    rc=$(cat "$build/$t.rc" 2>/dev/null || echo 1)
    log="$build/$t.log"
    # libFuzzer's last status line ("#N DONE cov: ... ft: ... corp: ... exec/s: ...") and stats
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz: $t: ok, ${runs:-?} runs, peak RSS ${rss:-?} MB: ${done_line:-(no final line)}"
    else
        failed=1
        echo "fuzz: $t: FAILED (exit $rc); last lines of $log:"
        tail -n 40 "$log" | sed 's/^/    /'
        grep -ho "Test unit written to .*" "$log" | sort -u | sed "s/^/fuzz: $t: /"
    fi
done
[ "$failed" -eq 0 ] || { echo "fuzz: failed; replay an input with: $build/fuzz_<target> FILE"; exit 1; }
