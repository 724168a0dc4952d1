# tests/cli/lib.sh: a small TAP library for the end-to-end CLI tests.
# Source it, then call the checks; each prints "ok N - what" or "not ok N - what".
set -u
: "${MQLCAL:?set MQLCAL to the mqlcal binary (tests/run.sh does)}"
ROOT="${MQLCAL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
DATA="$ROOT/tests/data"
SHARED="$ROOT/../shared/datasets"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
_n=0

ok()   { _n=$((_n + 1)); echo "ok $_n - $*"; }
nok()  { _n=$((_n + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n - # SKIP $*"; }

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR and the status in $RC.
run() {
    "$@" >"$T/out" 2>"$T/err"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
}

# expect_rc N WHAT
expect_rc() {
    if [ "$RC" -eq "$1" ]; then ok "$2 (exit $1)"; else
        nok "$2: expected exit $1, got $RC"; echo "#   stdout: ${OUT:0:400}"; echo "#   stderr: ${ERR:0:400}"
    fi
}

# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() {
    if [[ "$1" == *"$2"* ]]; then ok "$3"; else
        nok "$3: missing '$2'"; echo "#   got: ${1:0:600}"
    fi
}

# expect_eq GOT WANT WHAT
expect_eq() {
    if [ "$1" = "$2" ]; then ok "$3"; else nok "$3: expected '$2', got '$1'"; fi
}

# sql DB QUERY: one value from the store
sql() { sqlite3 -batch -noheader "$1" "$2"; }

# scores_to_arrays DB: after a test edits the latest fit's `scores` table by SQL, copies it
# into the fit's arrays (fit_arrays: little-endian blobs in lead id order, docs/store.md),
# which are what the stages after the fit read.
scores_to_arrays() {
    local db=$1 d
    d=$(mktemp -d "$T/arrays.XXXXXX")
    sqlite3 -batch -separator ' ' "$db" "SELECT holdout, score, fit_score, engagement_score, p FROM scores ORDER BY _id" |
        D="$d" perl -e '
            my (@h, @s, @f, @e, @p);
            while (<STDIN>) { my @v = split; push @h, $v[0]; push @s, $v[1]; push @f, $v[2]; push @e, $v[3]; push @p, $v[4]; }
            sub put { my ($n, $b) = @_; open(my $o, ">:raw", "$ENV{D}/$n") or die; print $o $b; close $o; }
            put("holdout", pack("C*", @h)); put("score", pack("l<*", @s)); put("fit_score", pack("l<*", @f));
            put("engagement_score", pack("l<*", @e)); put("p", pack("d<*", @p));'
    local n set=""
    for n in holdout score fit_score engagement_score p; do
        set="$set UPDATE fit_arrays SET data = readfile('$d/$n') WHERE name = 'fit:$n' AND fit_id = (SELECT max(fit_id) FROM fits);"
    done
    sqlite3 -batch "$db" "$set"
}

# demo_tools: sets GEN (the demo generator beside $MQLCAL, else the build's) and CONF (the demo
# config); fails when either is missing, so a test can skip: demo_tools || { skip ...; exit 0; }
demo_tools() {
    GEN="${GEN:-$(dirname "$MQLCAL")/gen-demo}"
    [ -x "$GEN" ] || GEN="$ROOT/build/gen-demo"
    CONF="$ROOT/datasets/demo/demo.ini"
    [ -x "$GEN" ] && [ -f "$CONF" ]
}
