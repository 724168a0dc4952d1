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

# pg_setup: a PostgreSQL server of its own on a temporary data folder, over a Unix socket
# (scripts/install-deps.sh --export installs it when missing); pg=1, or pg=0 and PG_WHY saying
# why. Then psql_ ARGS... runs psql on it and pg_load TABLE CSV DELIM loads a CSV as text columns.
pg_setup() {
    pg=0 PGDIR=""
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        "$ROOT/scripts/install-deps.sh" --export >"$T/install.log" 2>&1 || true
    fi
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    trap 'pg_stop; rm -rf "$T"' EXIT
    if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]; then
        PGDIR=$(mktemp -d /tmp/mqlcal-pg.XXXXXX)
        [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
        _as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >"$T/initdb.log" 2>&1 &&
            _as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -o "-k $PGDIR -c listen_addresses=''" -l "$PGDIR/log" -w start >/dev/null 2>&1 &&
            pg=1
    fi
    [ $pg = 1 ] || PG_WHY="PostgreSQL could not be started ($(tail -1 "$T/install.log" 2>/dev/null; tail -1 "$T/initdb.log" 2>/dev/null))"
}
_as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_stop() {
    [ -n "${PGDIR:-}" ] || return 0
    _as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$PGDIR"
}
psql_() { PGOPTIONS='-c client_min_messages=warning' psql -h "$PGDIR" -U postgres -X -q "$@"; }
pg_load() { # TABLE CSV DELIM
    local cols
    cols=$(head -1 "$2" | python3 -c 'import csv, sys
print(", ".join("\"%s\" TEXT" % c.replace("\"", "\"\"") for c in next(csv.reader(sys.stdin, delimiter=sys.argv[1]))))' "$3")
    psql_ -c "DROP TABLE IF EXISTS \"$1\"" -c "CREATE TABLE \"$1\" ($cols)" &&
        psql_ -c "\\copy \"$1\" FROM '$2' WITH (FORMAT csv, HEADER true, DELIMITER '$3')"
}
