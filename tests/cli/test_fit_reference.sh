#!/usr/bin/env bash
# End-to-end check of `mqlcal fit` against R's glm: on the demo data, X Education and bank
# marketing, ingests and fits with mqlcal, then compares the latest fit's coefficients, standard
# errors, deviance, null deviance and AIC with tests/data/reference/*.csv (R's glm on the same
# design, written by scripts/make-reference.sh through scripts/reference-glm.R).
# Tolerances: coefficients 1e-6 absolute, standard errors 1e-5 relative, deviance, null
# deviance and AIC 1e-8 relative; a term aliased on one side must be aliased on the other.
# The datasets in ../shared/datasets are skipped when absent; the demo data is generated here.
. "$(dirname "$0")/lib.sh"

REF="$ROOT/tests/data/reference"
US=$'\037' # field separator between sqlite3 and awk: labels may hold commas, spaces or tabs

# estimates DB: the latest fit as "term US estimate US se US aliased" lines: the intercept, the
# design columns in order, then .deviance, .null_deviance and .aic; NA where there is no value.
estimates() {
    local num="CASE WHEN %s IS NULL THEN 'NA' ELSE printf('%%!.17g', %s) END"
    local coef se
    # shellcheck disable=SC2059
    coef=$(printf "$num" coef coef)
    # shellcheck disable=SC2059
    se=$(printf "$num" se se)
    sqlite3 -batch -noheader -separator "$US" "$1" "
        SELECT '(Intercept)', printf('%!.17g', intercept),
               CASE WHEN intercept_se IS NULL THEN 'NA' ELSE printf('%!.17g', intercept_se) END, 0
          FROM fits WHERE fit_id = (SELECT max(fit_id) FROM fits);
        SELECT attribute || '=' || label, $coef, $se, aliased
          FROM fit_levels WHERE fit_id = (SELECT max(fit_id) FROM fits) AND design_column IS NOT NULL
         ORDER BY design_column;
        SELECT '.deviance', printf('%!.17g', deviance), 'NA', 0 FROM fits WHERE fit_id = (SELECT max(fit_id) FROM fits);
        SELECT '.null_deviance', printf('%!.17g', null_deviance), 'NA', 0 FROM fits WHERE fit_id = (SELECT max(fit_id) FROM fits);
        SELECT '.aic', printf('%!.17g', aic), 'NA', 0 FROM fits WHERE fit_id = (SELECT max(fit_id) FROM fits);"
}

# compare NAME REF.csv ESTIMATES: prints "ok|nok|# TAB message" lines for report()
compare() {
    awk -v name="$1" -v us="$US" '
    function abs(x) { return x < 0 ? -x : x }
    function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
    function g(x) { return sprintf("%.3g", x) }
    function v(s) { return isnum(s) ? sprintf("%.10g", s + 0) : s }
    function line(status, msg) { print status "\t" msg }
    # worst(kind): prints the up to 5 terms of bad_<kind> with the largest differences
    function worst(n, shown, i, j, best, used) {
        split("", used)
        for (shown = 0; shown < 5 && shown < n; shown++) {
            best = 0
            for (i = 1; i <= n; i++)
                if (!(i in used) && (best == 0 || bd[i] > bd[best])) best = i
            used[best] = 1
            line("#", "  " bt[best] ": mqlcal " bm[best] ", R " br[best] ", " bw[best] " " g(bd[best]))
        }
    }
    # check(kind, what, tol, tols, relative): the comparison of one quantity over the shared terms
    function check(kind, what, tol, tols, relative,   i, t, a, b, d, n, nbad, maxd, worst_t) {
        n = 0; nbad = 0; maxd = 0; split("", bt)
        for (i = 1; i <= nr; i++) {
            t = rterm[i]
            if (!(t in mest) || (t in ralias) || malias[t]) continue
            a = kind == "se" ? mse[t] : mest[t]
            b = kind == "se" ? rse[t] : rest[t]
            n++
            if (!isnum(a) || !isnum(b)) d = "missing"
            else {
                d = abs(a - b)
                if (relative) d = b != 0 ? d / abs(b) : (a == 0 ? 0 : d)
            }
            if (d == "missing" || d > tol) {
                nbad++; bt[nbad] = t; bm[nbad] = v(a); br[nbad] = v(b)
                bw[nbad] = relative ? "relative diff" : "diff"
                bd[nbad] = d == "missing" ? 1e308 : d
                if (d == "missing") bw[nbad] = "not a number:"
            }
            if (d != "missing" && d > maxd) maxd = d
        }
        if (n == 0) { line("nok", name ": no " what " to compare"); return }
        if (nbad == 0)
            line("ok", name ": " n " " what " within " tols (relative ? " relative" : "") \
                 " of R'"'"'s glm (max " (relative ? "relative " : "") "diff " g(maxd) ")")
        else {
            line("nok", name ": " nbad " of " n " " what " differ from R'"'"'s glm by more than " tols \
                 (relative ? " relative" : "") " (max " (relative ? "relative " : "") "diff " g(maxd) ")")
            worst(nbad)
        }
    }
    function scalar(t, what,   a, b, d) {
        a = mest[t]; b = rest[t]
        if (!(t in rest) || !(t in mest) || !isnum(a) || !isnum(b)) {
            line("nok", name ": " what ": mqlcal " a ", R " b); return
        }
        d = abs(a - b) / (b != 0 ? abs(b) : 1)
        if (d <= 1e-8) line("ok", name ": " what " " sprintf("%.10g", a) " within 1e-8 relative of R'"'"'s glm (relative diff " g(d) ")")
        else line("nok", name ": " what ": mqlcal " v(a) ", R " v(b) ": relative diff " g(d) " > 1e-8")
    }
    FNR == 1 { file++ }
    file == 1 && FNR == 1 { next }          # the header of the reference
    file == 1 {                             # "term",estimate,se: the term may hold commas
        if (!match($0, /,[^,]*,[^,]*$/)) { line("nok", name ": reference line " FNR " unreadable: " $0); next }
        t = substr($0, 1, RSTART - 1)
        split(substr($0, RSTART + 1), f, ",")
        if (t ~ /^".*"$/) { t = substr(t, 2, length(t) - 2); gsub(/""/, "\"", t) }
        if (t ~ /^\./) { rest[t] = f[1]; next }
        rterm[++nr] = t; rest[t] = f[1]; rse[t] = f[2] == "" ? "NA" : f[2]
        if (f[1] == "NA") ralias[t] = 1
        next
    }
    {                                       # mqlcal: term US estimate US se US aliased
        split($0, f, us); t = f[1]
        if (t ~ /^\./) { mest[t] = f[2]; next }
        mterm[++nm] = t; mest[t] = f[2]; mse[t] = f[3]; malias[t] = f[4] + 0
    }
    END {
        # the design: the same terms in the same order
        same = nr == nm
        for (i = 1; i <= nr && i <= nm; i++) if (rterm[i] != mterm[i]) { same = 0; break }
        if (same) line("ok", name ": mqlcal'"'"'s " nm " design columns are R'"'"'s " nr " terms, in the same order")
        else {
            line("nok", name ": mqlcal'"'"'s " nm " design columns differ from R'"'"'s " nr " terms")
            for (i = 1; i <= nr; i++) if (!(rterm[i] in mest)) line("#", "  only in R: " rterm[i])
            for (i = 1; i <= nm; i++) if (!(mterm[i] in rest)) line("#", "  only in mqlcal: " mterm[i])
            for (i = 1; i <= nr && i <= nm; i++)
                if (rterm[i] != mterm[i]) { line("#", "  first difference at column " i - 1 ": mqlcal " mterm[i] ", R " rterm[i]); break }
        }
        # aliased terms: the same in both
        both = ""; bad = 0; why = ""
        for (i = 1; i <= nr; i++) {
            t = rterm[i]
            if (!(t in mest)) continue
            if ((t in ralias) && malias[t]) both = both (both == "" ? "" : ", ") t
            else if ((t in ralias) != (malias[t] != 0)) {
                bad++; why = why "\n#\t  " t ": " ((t in ralias) ? "aliased in R, not in mqlcal (coef " mest[t] ")" : "aliased in mqlcal, not in R (estimate " rest[t] ")")
            }
        }
        if (bad == 0) line("ok", name ": " (both == "" ? "no term aliased in either" : "aliased in both: " both))
        else line("nok", name ": " bad " term(s) aliased on one side only" why)
        check("coef", "coefficients", 1e-6, "1e-6", 0)
        check("se", "standard errors", 1e-5, "1e-5", 1)
        scalar(".deviance", "deviance")
        scalar(".null_deviance", "null deviance")
        scalar(".aic", "AIC")
    }' "$2" "$3"
}

# report: turns compare's lines into TAP through lib.sh
report() {
    local status msg
    while IFS=$'\t' read -r status msg; do
        case "$status" in
        ok) ok "$msg" ;;
        nok) nok "$msg" ;;
        *) echo "# $msg" ;;
        esac
    done
}

# reference NAME CONFIG: ingest and fit into $T/NAME.db, then compare with $REF/NAME.csv
reference() {
    local name=$1 config=$2 db="$T/$1.db"
    if [ ! -f "$REF/$name.csv" ]; then nok "$name: $REF/$name.csv is missing (scripts/make-reference.sh)"; return; fi
    # R's glm has no penalty: the comparison is of the unpenalised fit (l2 = 0; the default l2's
    # optimum is checked by its score equations in tests/unit/test_model.c), so a copy of the
    # config sets it, its leads path made absolute
    local dir leads
    dir=$(cd "$(dirname "$config")" && pwd)
    leads=$(sed -n 's/^leads[[:space:]]*=[[:space:]]*\([^;]*[^; ]\).*/\1/p' "$config" | head -1)
    case "$leads" in /*) ;; *) leads="$dir/$leads" ;; esac
    if grep -q '^\[model\]' "$config"; then
        sed -e "s|^leads[[:space:]]*=.*|leads = $leads|" -e "s|^dir[[:space:]]*=.*|dir = $T/$name-out|" \
            -e '/^\[model\]/a l2 = 0' "$config" >"$T/$name.ini"
    else
        {
            sed -e "s|^leads[[:space:]]*=.*|leads = $leads|" -e "s|^dir[[:space:]]*=.*|dir = $T/$name-out|" "$config"
            printf '\n[model]\nl2 = 0\n'
        } >"$T/$name.ini"
    fi
    config="$T/$name.ini"
    run "$MQLCAL" ingest "$config" --db "$db" --quiet
    if [ "$RC" -ne 0 ]; then nok "$name: ingest failed (exit $RC)"; echo "#   ${ERR:0:400}"; return; fi
    run "$MQLCAL" fit "$config" --db "$db" --quiet
    if [ "$RC" -ne 0 ]; then nok "$name: fit failed (exit $RC)"; echo "#   ${ERR:0:400}"; return; fi
    # context for a failure: the penalty and convergence of mqlcal's fit
    sql "$db" "SELECT '# mqlcal fit ' || fit_id || ': ' || n_train || ' training leads, ' || columns
               || ' columns (' || aliased || ' aliased), ' || iterations || ' iterations, '
               || CASE WHEN converged THEN 'converged' ELSE 'NOT converged' END
               || CASE WHEN l2 > 0 THEN ', L2 penalty ' || l2 || ' (R''s glm has none: estimates differ)' ELSE '' END
               FROM fits ORDER BY fit_id DESC LIMIT 1"
    estimates "$db" >"$T/$name.est"
    report < <(compare "$name" "$REF/$name.csv" "$T/$name.est") # not a pipe: ok/nok count in this shell
}

# demo: generated here as `make demo` does, with a copy of demo.ini pointing at it
if [ -x "$ROOT/build/gen-demo" ]; then
    mkdir -p "$T/demo"
    "$ROOT/build/gen-demo" --n 50000 --seed 20261126 --out "$T/demo/leads.csv" >/dev/null
    sed -e 's|^leads[[:space:]]*=.*|leads = leads.csv|' -e 's|^dir[[:space:]]*=.*|dir = out|' "$ROOT/datasets/demo/demo.ini" >"$T/demo/demo.ini"
    reference demo "$T/demo/demo.ini"
else
    nok "demo: $ROOT/build/gen-demo is not built (make)"
fi

if [ -f "$SHARED/xeducation/Leads.csv" ]; then
    reference xeducation "$ROOT/datasets/xeducation/leads.ini"
else
    skip "xeducation: $SHARED/xeducation/Leads.csv not found"
fi

if [ -f "$SHARED/bank-marketing/bank-full.csv" ]; then
    reference bank "$ROOT/datasets/bank-marketing/bank.ini"
else
    skip "bank: $SHARED/bank-marketing/bank-full.csv not found"
fi
