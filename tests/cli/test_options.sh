#!/usr/bin/env bash
# The command line (src/cli/options.c): every command's usage comes from its option table;
# "--name value" and "--name=value" are the same everywhere; a flag takes no value; a missing
# value, an unknown option, a missing required option or positional is a usage error (exit 1).
. "$(dirname "$0")/lib.sh"

for c in ingest fit sweep audit report export review run score init check-rules; do
    run "$MQLCAL" "$c" --help
    expect_rc 0 "$c --help"
    expect_contains "$OUT" "usage: mqlcal $c" "$c --help prints its usage"
done
run "$MQLCAL" fit --help
expect_contains "$OUT" "--dump-design PREFIX" "fit's usage lists --dump-design from its table"
expect_contains "$OUT" "-q, --quiet" "and the short form of --quiet"
run "$MQLCAL" ingest --help
[[ "$OUT" != *"--timings"* ]] && ok "ingest does not offer --timings, which it never used" ||
    nok "ingest offers --timings"
run "$MQLCAL" ingest x.ini --timings
expect_rc 1 "ingest --timings is an unknown option now"

demo_tools || { nok "the demo generator is not built (make)"; exit 0; }
"$GEN" --n 2000 --seed 3 --out "$T/leads.csv" >/dev/null
sed -e "s|^leads = .*|leads = $T/leads.csv|" -e "s|^dir = .*|dir = $T/o|" "$CONF" >"$T/c.ini"
run "$MQLCAL" run "$T/c.ini" --quiet --db="$T/eq.db"
expect_rc 0 "run --db=PATH"
[ -f "$T/eq.db" ] && ok "the store is where --db= says" || nok "no store at --db=PATH"
run "$MQLCAL" export "$T/c.ini" --db "$T/eq.db" --format=json --out=-
expect_rc 0 "export --format=json --out=- (both in = form)"
a=$OUT
run "$MQLCAL" export "$T/c.ini" --db "$T/eq.db" --format json --out -
expect_eq "$OUT" "$a" "--format json --out - writes the same as the = form"
expect_contains "$a" '"format": "mqlcal-rules"' "and it is the rule file"
run "$MQLCAL" score --rules="$T/o/rules.json" --format=jsonl "$T/leads.csv"
expect_rc 0 "score --rules=FILE --format=jsonl"
b=$(echo "$OUT" | head -3)
run "$MQLCAL" score --rules "$T/o/rules.json" --format jsonl - <"$T/leads.csv"
expect_eq "$(echo "$OUT" | head -3)" "$b" "score with spaced values and - for standard input: the same"
run "$MQLCAL" sweep "$T/c.ini" --quiet=yes
expect_rc 1 "a flag given a value"
expect_contains "$ERR" "takes no value: '--quiet'" "says the flag takes no value"
run "$MQLCAL" sweep "$T/c.ini" --db
expect_rc 1 "--db without its value"
expect_contains "$ERR" "--db needs a value (PATH)" "names the missing value"
run "$MQLCAL" sweep "$T/c.ini" --nope
expect_rc 1 "an unknown option"
expect_contains "$ERR" "unknown option '--nope'" "names it"
expect_contains "$ERR" "usage: mqlcal sweep CONFIG" "and prints the usage"
run "$MQLCAL" sweep "$T/c.ini" "$T/c.ini"
expect_rc 1 "two configs"
run "$MQLCAL" score "$T/leads.csv"
expect_rc 1 "score without --rules"
expect_contains "$ERR" "missing --rules FILE" "names the required option"
run "$MQLCAL" init
expect_rc 1 "init without a leads file"
expect_contains "$ERR" "missing LEADS.csv" "names the positional"
run "$MQLCAL" check-rules -- "$T/o/rules.json"
expect_rc 0 "-- ends the options"
