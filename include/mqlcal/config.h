/*
 * config.h: the run's INI configuration (parsed with inih).
 *
 * A config names the leads CSV and its columns, the attributes to score, the segments to audit,
 * the calibration targets and the output folder. Paths in it are relative to the config file's
 * folder and are resolved at load time. The sections and keys are documented in the README.
 *
 * Every key remembers the line it came from, so that later checks (an attribute that names no
 * column in the CSV header) can still point at "config.ini:12: key 'foo'".
 */
#ifndef MQLCAL_CONFIG_H
#define MQLCAL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "mqlcal/err.h"

#define CONFIG_MAX_BYTES (1 << 20) /* a config over 1 MiB is refused */

enum attr_kind {
    ATTR_CATEGORICAL, /* text levels */
    ATTR_COUNT,       /* non-negative whole numbers */
    ATTR_NUMERIC      /* real numbers */
};

enum attr_group {
    GROUP_NONE,      /* scored, but in neither sub-score */
    GROUP_FIT,       /* who the lead is */
    GROUP_ENGAGEMENT /* what the lead did */
};

enum calib_period { PERIOD_WEEK, PERIOD_MONTH, PERIOD_QUARTER };
/* capacity_rule: the statistic of the recent periods' MQLs (forecast.h) that capacity bounds:
 * their mean, their 90th percentile (the default: never lets most of them exceed capacity) or
 * the busiest. */
enum capacity_rule { CAPACITY_MEAN, CAPACITY_P90, CAPACITY_MAX };

/* A list of strings parsed from "a, b, c". */
struct strlist {
    char **items;
    size_t n;
};

/* [outcomes]: the outcome from a second file (deals, opportunities) joined on the lead id. */
struct config_outcomes {
    char *file;  /* resolved path */
    char *id;    /* its column holding the lead id; a lead with a row is an SQL */
    char *date;  /* optional: when (the earliest SQL row per lead counts), or NULL */
    char *stage; /* optional: with positive / negative, which rows make an SQL, or NULL */
    struct strlist positive, negative;
    struct strlist pending; /* stages of deals still open: the outcome is not known yet */
};

/* [join NAME]: an attribute table (accounts, owners, products) keyed by a column of the leads
 * file; its other columns are usable as NAME.column in [attributes], [segments] and [rules]. */
#define CONFIG_MAX_JOINS 16    /* [join NAME] sections at most */
#define CONFIG_MAX_WINDOW 3650 /* window: days at most */

struct config_join {
    char *name; /* NAME, as in NAME.column */
    char *file; /* resolved path */
    char *key;  /* the leads file's column */
    char *on;   /* this file's column holding the key */
    int line;   /* of the section */
};

struct config_attr {
    char *column; /* CSV column name */
    enum attr_kind kind;
    enum attr_group group;
    double *bins; /* ascending bin edges from "bins = 0 60 300", or NULL */
    size_t nbins;
    int after_outcome; /* "after_outcome = yes": known only after the outcome (leaks) */
    int force;         /* "force = yes": keep it even when the leakage guard trips */
    int line;          /* line in the config file */
};

struct config {
    char *path; /* the config file as given */
    char *dir;  /* its folder, for relative paths */

    /* [data] */
    char *leads;             /* resolved path of the CSV */
    char *id;                /* lead id column, or NULL: the id is then the record's line number */
    char *outcome;           /* the outcome column, or NULL when outcome_date alone decides */
    char *outcome_date;      /* when the lead became an SQL (a date column), or NULL */
    struct strlist positive; /* outcome values that count as an SQL, compared case-insensitively */
    struct strlist negative; /* outcome values that count as no SQL */
    struct strlist pending;  /* outcome values meaning "not known yet" (open deals): such a lead
                                counts in MQL volume, not in the fit or any conversion */
    char *date;              /* lead creation date column, or NULL when the data has none */
    int earliest_day;        /* earliest_date: dates before it are rejected; 1990-01-01 */
    int has_as_of;           /* as_of given: the day the export was taken (maturity.h) */
    int32_t as_of_day;       /* days since 1970-01-01 */
    int window;              /* window: an SQL counts within this many days of creation; 0: the
                                95th percentile of time to SQL (maturity.h) */
    char *date_format;       /* date_format: strptime-style (dates.h), or NULL for auto */
    char *feedback;          /* sales feedback column, or NULL */
    char delimiter;
    struct strlist missing; /* values meaning "not filled in", besides the empty value */

    /* [outcomes] */
    struct config_outcomes outcomes;
    int line_outcomes; /* 0: no [outcomes] section */

    /* [join NAME] sections, in file order */
    struct config_join *joins;
    size_t njoins;

    /* [attributes] in file order */
    struct config_attr *attrs;
    size_t nattrs;

    /* [segments] */
    struct strlist segments;

    /* [calibration] */
    enum calib_period period;
    double capacity;                  /* MQLs per period that sales can work, > 0 */
    double target_conversion;         /* in (0, 1); 0 = no target */
    enum capacity_rule capacity_rule; /* which of the recent periods must fit; p90 */
    int bootstrap;                    /* replicates for the bands; 200 */
    unsigned long seed;               /* for the bootstrap; 1 */

    /* [rules] */
    struct strlist disqualify; /* "column:value" items (config_dq_item reads one) */
    int line_disqualify;

    /* [model] */
    int min_level_count;  /* levels seen in fewer training leads pool into "(other)"; 30 */
    int quantiles;        /* bins for count/numeric attributes without configured bins; 5 */
    int holdout_months;   /* the latest months are the holdout (needs a date); 3 by default */
    double holdout_share; /* or the latest share of leads (0 < share < 1); 0 = months */
    int no_holdout;       /* "holdout = none": validate in sample only */
    double l2;            /* L2 penalty on every coefficient but the intercept; 1: small
                             levels are shrunk (a N(0, 1/l2) prior on each level's log-odds) */
    double separation_l2; /* the penalty used when separation is found and l2 is 0; 1 */
    double leak_auc;      /* an attribute whose AUC alone exceeds this leaks; 0.85 */
    int max_iter;         /* IRLS iterations at most; 50 */
    double tolerance;     /* converged when the deviance changes by less (relative); 1e-10 */

    /* [points] */
    double pdo;          /* points to double the odds; 20 */
    double anchor_score; /* the score at anchor_odds; 100 */
    double anchor_odds;  /* odds (SQL : not) at anchor_score; 1 */
    int use_range;       /* "range = lo hi": scale to a fixed range instead of pdo */
    double range_lo, range_hi;

    /* [output] */
    char *out_dir; /* resolved */

    /* [review] */
    char *review_previous;   /* resolved path of last quarter's rule file, or NULL */
    int has_review_baseline; /* baseline = A..B given (else the last two complete quarters) */
    int review_baseline[2];  /* first and last day, days since 1970-01-01 */
    int has_review_current;  /* current = C..D given */
    int review_current[2];
    double review_alpha;      /* family-wise level of the coefficient tests; 0.001 */
    double review_min_change; /* a coefficient change is flagged from this many points; 5 */

    /* lines of the keys, for messages that come after parsing (0 = not given) */
    int line_leads, line_id, line_outcome, line_date, line_feedback, line_segments, line_positive,
        line_pending;
    int line_date_format, line_outcome_date, line_as_of, line_window;
};

/* Reads and checks the config at path into cfg (which the caller holds; release it with
 * config_release, also after a failure). Fails with MQL_EINPUT and "path:line: ..." on a wrong
 * section or key, a bad value, a missing required key, a key given twice, a line over 196
 * characters, a file over CONFIG_MAX_BYTES, or no file at path; MQL_EIO when it can't be read. */
int config_load(const char *path, struct config *cfg, struct mql_err *err);

/* Parses config text held in memory; path is used for messages and relative paths only. */
int config_load_string(const char *text, const char *path, struct config *cfg, struct mql_err *err);

/* Frees what cfg owns and zeroes it. Safe on a zeroed or partly loaded config. */
void config_release(struct config *cfg);

/* Returns the attribute configured for column, or NULL. */
const struct config_attr *config_attr_find(const struct config *cfg, const char *column);

/* Names for messages and the store ("categorical", "fit", "month"). */
const char *config_kind_name(enum attr_kind kind);
const char *config_group_name(enum attr_group group);
/* A [rules] disqualify item "column:value": the column and the value as spans, each trimmed
 * of white space (the value empty when there is no ':'). The one reading of the item. */
void config_dq_item(const char *item, const char **col, size_t *ncol, const char **val,
                    size_t *nval);

const char *config_period_name(enum calib_period period);

/* True when value (already trimmed) is a configured missing token (compared exactly) or empty;
 * the span form for values inside a record. ingest keeps the token lengths at hand for its hot
 * loop but applies this rule. */
int config_is_missing(const struct config *cfg, const char *value);
int config_is_missing_span(const struct config *cfg, const char *s, size_t n);

/* True when s[0..n) is empty or, byte for byte, one of l's items: the missing-token rule, for
 * a list that is not a config's (the scorer's rule file, a [join] table's). */
int config_is_missing_in(const struct strlist *l, const char *s, size_t n);

/* True when the span s[0..n) (already trimmed) is one of l's items, ignoring ASCII case: how
 * outcome and stage values are matched against positive / negative. */
int config_list_has(const struct strlist *l, const char *s, size_t n);

/* The join whose NAME prefixes column ("accounts.industry" -> [join accounts]) and, in *sub, the
 * rest ("industry"); NULL when none does. */
const struct config_join *config_join_of(const struct config *cfg, const char *column,
                                         const char **sub);

#endif
