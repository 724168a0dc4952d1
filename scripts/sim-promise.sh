#!/usr/bin/env bash
# sim-promise.sh: does the recommended rule's promise hold on next quarter's leads?
#
# For each seed, gen-demo writes 27 months of leads from its fixed true model (the start month
# turns with the seed, so every calendar quarter is the fresh one in turn). The first 24 months
# are the training export: mqlcal ingest + fit + sweep + export choose a rule and write what it
# expects (rules.json `expected`). The last 3 months are the fresh cohort, from the same
# process: `mqlcal score` applies the rule file to them and their outcomes give what the rule
# delivered. Per seed it compares:
#   - the expected conversion and its 95 % prediction interval with the cohort's conversion;
#   - the expected MQLs per month and interval with the cohort's MQLs per month;
#   - the expected SQLs per month and interval with the cohort's;
#   - feasible_share with whether the cohort met both capacity and target;
#   - for contrast, the same rule's in-sample figures (all leads: conversion with its Wilson
#     interval, the mean MQLs a month over the history), as the headline gave them before.
# With OLD (a path to an mqlcal built before the change), the old procedure runs as well: its
# rule (chosen and measured on all leads) scored on the same cohort, with its own figures.
#
#   scripts/sim-promise.sh [SEEDS] [N] [OLD]   (from the project root, after make; defaults
#                                               40 seeds of 56250 leads: the demo's rate)
# Prints one line per seed (to stderr) and the summary; docs/forecast.md holds the run it was
# written from. Needs sqlite3 and awk.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-40}
N=${2:-56250}
OLD=${3:-}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
MQLCAL=${MQLCAL:-$PWD/mqlcal} # MQLCAL=path: another build (a copy, so that make can go on)

# realised figures of a scored cohort: MQLs, SQLs among them, MQLs per month, and the months'
# p90 (type 7) for the capacity check
realised() { # score.csv cohort.csv
    awk -F, 'NR == FNR { if (FNR > 1) mql[$1] = $5; next }
        FNR == 1 { next }
        { m = substr($2, 1, 7); months[m] = 1; if (mql[$1] == 1) { n++; s += $NF; per[m]++ } }
        END {
            k = 0; for (m in months) { v[++k] = per[m] + 0 }
            # sort v ascending
            for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            h = 0.9 * (k - 1); lo = int(h); p90 = v[lo + 1] + (h - lo) * (v[lo + 2 <= k ? lo + 2 : lo + 1] - v[lo + 1])
            printf "%d %d %.4f %.4f\n", n, s, n / k, p90 }' "$1" "$2"
}

run_one() { # binary outdir -> leaves the store and rules.json in outdir
    local bin=$1 out=$2
    sed -e "s|^leads = .*|leads = $W/train.csv|" -e "s|^dir = .*|dir = $out|" \
        datasets/demo/demo.ini >"$W/c.ini"
    rm -rf "$out"
    for stage in ingest fit sweep export; do
        "$bin" "$stage" "$W/c.ini" --quiet >/dev/null
    done
}

printf 'seed start conv exp lo hi real | mqls exp lo hi real | sqls exp lo hi real | feas met | insample conv lo hi vol%s\n' \
    "${OLD:+ | old conv lo hi vol feas real_conv real_mqls met}" >&2
for ((s = 1; s <= SEEDS; s++)); do
    start=$(printf '2024-%02d-01' $(((s - 1) % 12 + 1)))
    cut=$(date -u -d "$start +24 months" +%F)
    build/gen-demo --n "$N" --seed "$s" --start "$start" --months 27 --out "$W/all.csv"
    awk -F, -v cut="$cut" -v tr="$W/train.csv" -v co="$W/cohort.csv" \
        'NR == 1 { print > tr; print > co; next } $2 < cut { print > tr; next } { print > co }' "$W/all.csv"
    run_one "$MQLCAL" "$W/new"
    "$MQLCAL" score --rules "$W/new/rules.json" "$W/cohort.csv" >"$W/score.csv" 2>/dev/null
    read -r n sq per p90 < <(realised "$W/score.csv" "$W/cohort.csv")
    row=$(sqlite3 -separator ' ' "$W/new/mqlcal.db" "SELECT exp_conversion, exp_conv_lo, exp_conv_hi,
        exp_mqls, exp_mqls_lo, exp_mqls_hi, exp_sqls, exp_sqls_lo, exp_sqls_hi,
        coalesce(feasible_share, 'nan'), conversion, conv_lo, conv_hi, vol_mean, capacity,
        target_conversion FROM sweeps ORDER BY sweep_id DESC LIMIT 1")
    line="$s $start $row $n $sq $per $p90"
    if [ -n "$OLD" ]; then
        run_one "$OLD" "$W/old"
        "$OLD" score --rules "$W/old/rules.json" "$W/cohort.csv" >"$W/oscore.csv" 2>/dev/null
        read -r on osq oper op90 < <(realised "$W/oscore.csv" "$W/cohort.csv")
        orow=$(sqlite3 -separator ' ' "$W/old/mqlcal.db" "SELECT conversion, conv_lo, conv_hi,
            vol_mean, coalesce(feasible_share, 'nan') FROM sweeps ORDER BY sweep_id DESC LIMIT 1")
        line="$line $orow $on $osq $oper $op90"
    fi
    echo "$line"
done >"$W/rows.txt"

awk -v old="${OLD:+1}" '
function cover(x, lo, hi) { return x >= lo && x <= hi }
{
    s = $1; ec = $3; clo = $4; chi = $5; em = $6; mlo = $7; mhi = $8; es = $9; slo = $10; shi = $11
    feas = $12; ic = $13; ilo = $14; ihi = $15; ivol = $16; cap = $17; tgt = $18
    n = $19; sq = $20; per = $21; p90 = $22
    rc = n > 0 ? sq / n : 0; rs = sq / 3
    met = (rc >= tgt) && (p90 <= cap)
    printf "%3d %s  conv %.3f [%.3f %.3f] real %.3f | mqls %6.1f [%6.1f %6.1f] real %6.1f | sqls %5.1f [%5.1f %5.1f] real %5.1f | feas %.2f met %d | in-sample %.3f [%.3f %.3f] %6.1f", s, $2, ec, clo, chi, rc, em, mlo, mhi, per, es, slo, shi, rs, feas, met, ic, ilo, ihi, ivol > "/dev/stderr"
    k++
    cc += cover(rc, clo, chi); cm += cover(per, mlo, mhi); cs += cover(rs, slo, shi)
    ec_err += ec - rc; em_err += em - per; es_err += es - rs
    fe += feas; mt += met
    ic_cov += cover(rc, ilo, ihi); ic_err += ic - rc; iv_err += ivol - per
    ec_abs += (ec - rc) ^ 2; em_rel += ((em - per) / per) ^ 2
    if (old) {
        oc = $23; olo = $24; ohi = $25; ovol = $26; ofeas = $27; on = $28; osq = $29; oper = $30; op90 = $31
        orc = on > 0 ? osq / on : 0; omet = (orc >= tgt) && (op90 <= cap)
        printf " | old %.3f [%.3f %.3f] %6.1f feas %.2f real %.3f %6.1f met %d", oc, olo, ohi, ovol, ofeas, orc, oper, omet > "/dev/stderr"
        o_cov += cover(orc, olo, ohi); o_err += oc - orc; o_verr += ovol - oper; o_fe += ofeas; o_mt += omet
    }
    printf "\n" > "/dev/stderr"
}
END {
    printf "seeds %d (27 months each: 24 to choose the rule on, the next 3 as the fresh cohort)\n", k
    printf "expected (this version):\n"
    printf "  conversion: 95 %% prediction interval covers the cohort %d of %d (%.0f %%); mean signed error %+.2f points (expected - delivered); rms %.2f points\n", cc, k, 100 * cc / k, 100 * ec_err / k, 100 * sqrt(ec_abs / k)
    printf "  MQLs a month: interval covers %d of %d (%.0f %%); mean signed error %+.1f (rms %.1f %%)\n", cm, k, 100 * cm / k, em_err / k, 100 * sqrt(em_rel / k)
    printf "  SQLs a month: interval covers %d of %d (%.0f %%); mean signed error %+.1f\n", cs, k, 100 * cs / k, es_err / k
    printf "  chance of meeting capacity and target: mean %.2f; met in %d of %d cohorts (%.2f)\n", fe / k, mt, k, mt / k
    printf "in sample (the same rule on all leads of the 24 months, as the headline gave it before):\n"
    printf "  conversion: Wilson 95 %% interval covers the cohort %d of %d (%.0f %%); mean signed error %+.2f points\n", ic_cov, k, 100 * ic_cov / k, 100 * ic_err / k
    printf "  MQLs a month (mean over the history): mean signed error %+.1f\n", iv_err / k
    if (old) {
        printf "the old procedure (rule chosen and measured on all leads, bootstrap feasibility):\n"
        printf "  conversion: its 95 %% interval covers the cohort %d of %d (%.0f %%); mean signed error %+.2f points\n", o_cov, k, 100 * o_cov / k, 100 * o_err / k
        printf "  MQLs a month: mean signed error %+.1f\n", o_verr / k
        printf "  feasible in %.2f of bootstrap replicates on average; met in %d of %d cohorts\n", o_fe / k, o_mt, k
    }
}' "$W/rows.txt"
