#!/usr/bin/env bash
# Limits of the fit: too many levels in one attribute, too many model columns in all. Both are
# refused with exit 2 and a message that says what to change, never a crash.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/w"
cat > "$T/w/c.ini" <<'INI'
[data]
leads = leads.csv
id = id
outcome = y
[attributes]
a = categorical, force = yes
b = categorical, force = yes
[model]
min_level_count = 1
holdout = none
INI
# 2,100 leads, each with its own value of a and of b: 2 x 2,099 model columns + the intercept
# (force = yes: a value per lead predicts the outcome perfectly, which the leakage guard catches)
awk 'BEGIN { print "id,y,a,b"; for (i = 1; i <= 2100; i++) printf "L%d,%d,a%d,b%d\n", i, i % 2, i, i }' > "$T/w/leads.csv"
"$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null
run "$MQLCAL" fit "$T/w/c.ini"
expect_rc 2 "4,199 model columns"
expect_contains "$ERR" "model columns from 2 attributes: more than 4000 columns" "too many columns: says how many and the limit"

# one attribute with 4,200 levels: over the encoding's 4,096
awk 'BEGIN { print "id,y,a,b"; for (i = 1; i <= 4200; i++) printf "L%d,%d,a%d,b\n", i, i % 2, i }' > "$T/w/leads.csv"
"$MQLCAL" ingest "$T/w/c.ini" --quiet >/dev/null
run "$MQLCAL" fit "$T/w/c.ini"
expect_rc 2 "4,200 levels in one attribute"
expect_contains "$ERR" "attribute 'a': more than 4096 levels" "too many levels: names the attribute"
