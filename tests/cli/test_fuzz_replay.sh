#!/usr/bin/env bash
# Replays every fuzz target's seed corpus and regression inputs (tests/fuzz/corpus/<target>/
# and tests/fuzz/regress/<target>/) through its replay binary, built beside the unit tests
# (build/tests/replay_<target>; build/asan/tests/ under `make asan`, which sets UNIT_DIR): each
# input must run without a crash, a failed check or, under the sanitizers, a report or a leak,
# and the target must print nothing. A target without a seed corpus fails.
. "$(dirname "$0")/lib.sh"
dir="${UNIT_DIR:-build/tests}"
case $dir in /*) ;; *) dir="$ROOT/$dir" ;; esac

for t in config rules ingest score differential; do
    bin="$dir/replay_$t"
    if [ ! -x "$bin" ]; then
        nok "fuzz_$t: no replay binary $bin (make unit builds it)"
        continue
    fi
    for kind in corpus regress; do
        files=()
        for f in "$ROOT/tests/fuzz/$kind/$t"/*; do
            [ -f "$f" ] && files+=("$f")
        done
        if [ ${#files[@]} -eq 0 ]; then
            # a target without a seed corpus replays nothing: that is a broken checkout, not a
            # pass; regression inputs exist only for targets that once failed
            if [ "$kind" = corpus ]; then nok "fuzz_$t: no seed corpus in tests/fuzz/corpus/$t"; else
                ok "fuzz_$t: no regression inputs (none has failed)"; fi
            continue
        fi
        run "$bin" "${files[@]}"
        printed=$(grep -v '^replay: ' "$T/err")
        if [ "$RC" -eq 0 ] && [ -z "$OUT" ] && [ -z "$printed" ]; then
            ok "fuzz_$t: ${#files[@]} $kind inputs replay clean"
        else
            nok "fuzz_$t: $kind inputs: exit $RC"
            echo "#   last input: $(grep '^replay: ' "$T/err" | tail -n 1)"
            echo "#   stdout: ${OUT:0:400}"
            tail -n 30 "$T/err" | sed 's/^/#   /'
        fi
    done
done
