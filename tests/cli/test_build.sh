#!/usr/bin/env bash
# make install honours PREFIX and DESTDIR; the demo config and generator agree.
. "$(dirname "$0")/lib.sh"
if [ "$MQLCAL" != "$ROOT/mqlcal" ]; then skip "install test runs on the plain build only"; exit 0; fi
run make -s -C "$ROOT" install PREFIX=/opt/mq DESTDIR="$T/stage"
expect_rc 0 "make install"
[ -x "$T/stage/opt/mq/bin/mqlcal" ] && ok "installed under DESTDIR/PREFIX/bin" || nok "not installed under DESTDIR/PREFIX/bin"
run "$T/stage/opt/mq/bin/mqlcal" --version
expect_contains "$OUT" "mqlcal" "installed binary runs"
# generator: same seed, same bytes
"$ROOT/build/gen-demo" --n 3000 --seed 7 --out "$T/a.csv"
"$ROOT/build/gen-demo" --n 3000 --seed 7 --out "$T/b.csv"
cmp -s "$T/a.csv" "$T/b.csv" && ok "generator: same seed, same bytes" || nok "generator output differs between runs"
"$ROOT/build/gen-demo" --n 3000 --seed 8 --out "$T/c.csv"
cmp -s "$T/a.csv" "$T/c.csv" && nok "generator: another seed gave the same bytes" || ok "generator: another seed, other bytes"
