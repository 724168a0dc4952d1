/*
 * rules_json_write.c: writing struct rules as rules.json (docs/rule-file.md), atomically
 * (rules.h: rules_to_json, rules_write_json).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mqlcal/rules.h"
#include "rules_impl.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqlcal/fsx.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"

/* ---- writing ------------------------------------------------------------------------------- */

static json_t *bound(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

char *rules_to_json(const struct rules *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string(RULES_FORMAT));
    json_object_set_new(root, "version", json_integer(RULES_VERSION));
    json_t *prov = r->provenance_json ? json_loads(r->provenance_json, 0, NULL) : NULL;
    json_object_set_new(root, "provenance", prov ? prov : json_object());
    json_t *in = json_object();
    json_object_set_new(in, "id_column", r->id_column ? json_string(r->id_column) : json_null());
    char delim[2] = {r->delimiter ? r->delimiter : ',', 0};
    json_object_set_new(in, "delimiter", json_string(delim));
    json_t *miss = json_array();
    for (size_t i = 0; i < r->nmissing; i++)
        json_array_append_new(miss, json_string(r->missing_values[i]));
    json_object_set_new(in, "missing_values", miss);
    if (r->njoins) {
        json_t *js = json_array();
        for (size_t j = 0; j < r->njoins; j++) {
            const struct rules_join *rj = &r->joins[j];
            json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", rj->name, "key", rj->key, "on",
                                  rj->on, "file", rj->file);
            json_object_set_new(o, "sha256", rj->sha256 ? json_string(rj->sha256) : json_null());
            json_array_append_new(js, o);
        }
        json_object_set_new(in, "joins", js);
    }
    json_object_set_new(root, "input", in);
    json_t *sc = json_object();
    json_object_set_new(sc, "method", json_string(r->scaling_method ? r->scaling_method : "pdo"));
    json_object_set_new(sc, "factor", json_real(r->factor));
    json_object_set_new(sc, "offset", json_real(r->offset));
    json_object_set_new(sc, "base", json_integer(r->base));
    json_object_set_new(root, "scaling", sc);
    json_t *attrs = json_array();
    for (size_t a = 0; a < r->nattrs; a++) {
        const struct rules_attr *at = &r->attrs[a];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(at->name));
        json_object_set_new(o, "kind", json_string(config_kind_name(at->kind)));
        json_object_set_new(o, "group", json_string(config_group_name(at->group)));
        json_object_set_new(o, "reference", json_string(at->levels[at->reference].label));
        json_object_set_new(o, "missing", json_string(at->levels[at->missing].label));
        if (at->kind == ATTR_CATEGORICAL)
            json_object_set_new(o, "unseen", json_string(at->levels[at->unseen].label));
        json_t *ls = json_array();
        for (size_t l = 0; l < at->nlevels; l++) {
            const struct rules_level *L = &at->levels[l];
            json_t *lo = json_object();
            json_object_set_new(lo, "label", json_string(L->label));
            json_object_set_new(lo, "points", json_integer(L->points));
            if (at->kind == ATTR_CATEGORICAL) {
                json_t *vs = json_array();
                for (size_t v = 0; v < L->nvalues; v++)
                    json_array_append_new(vs, json_string(L->values[v]));
                json_object_set_new(lo, "values", vs);
            } else if (!L->no_bin) {
                json_object_set_new(lo, "lo", bound(L->lo));
                json_object_set_new(lo, "hi", bound(L->hi));
            }
            json_array_append_new(ls, lo);
        }
        json_object_set_new(o, "levels", ls);
        json_array_append_new(attrs, o);
    }
    json_object_set_new(root, "attributes", attrs);
    json_t *dqs = json_array();
    for (size_t q = 0; q < r->ndq; q++)
        json_array_append_new(
            dqs, json_pack("{s:s, s:s}", "column", r->dq[q].column, "value", r->dq[q].value));
    json_object_set_new(root, "disqualifiers", dqs);
    json_t *rule = json_object();
    json_object_set_new(rule, "threshold", r->has_rule ? json_integer(r->threshold) : json_null());
    json_object_set_new(rule, "fit_min",
                        r->has_rule && r->has_fit_min ? json_integer(r->fit_min) : json_null());
    json_object_set_new(root, "rule", rule);
    if (r->has_expected) {
        const struct rules_expected *e = &r->expected;
        json_t *x = json_object();
        json_object_set_new(x, "period", json_string(e->period ? e->period : "period"));
        json_object_set_new(x, "basis", json_string(e->basis ? e->basis : "in_sample"));
        json_object_set_new(x, "horizon", json_integer(e->horizon));
        json_object_set_new(x, "leads", json_integer(e->leads));
        json_object_set_new(x, "mqls", json_integer(e->mqls));
        json_object_set_new(x, "sqls", json_integer(e->sqls));
        json_object_set_new(x, "mqls_per_period", bound(e->mqls_per_period));
        json_object_set_new(x, "mqls_per_period_ci",
                            json_pack("[o, o]", bound(e->mqls_lo), bound(e->mqls_hi)));
        json_object_set_new(x, "sqls_per_period", bound(e->sqls_per_period));
        json_object_set_new(x, "sqls_per_period_ci",
                            json_pack("[o, o]", bound(e->sqls_lo), bound(e->sqls_hi)));
        json_object_set_new(x, "conversion", bound(e->conversion));
        json_object_set_new(x, "conversion_ci",
                            json_pack("[o, o]", bound(e->conv_lo), bound(e->conv_hi)));
        json_object_set_new(x, "feasible_share", bound(e->feasible_share));
        json_object_set_new(x, "recall", bound(e->recall));
        json_object_set_new(root, "expected", x);
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    return text;
}

int rules_write_json(const struct rules *r, const char *path, int flags, struct mql_err *err)
{
    char *text = rules_to_json(r);
    if (!text)
        return mql_err_oom(err);
    size_t n = strlen(text);
    text[n] = '\n'; /* the NUL becomes the last line's end: written as n + 1 bytes */
    int rc = fsx_write_file(path, text, n + 1, flags, err);
    free(text);
    return rc;
}
