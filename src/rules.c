/*
 * rules.c: struct rules, the recommended rule, and what every part of it shares: releasing it,
 * the names of kinds and groups, the joined table a column comes from (rules.h). Made from the
 * store in rules_store.c, written as rules.json in rules_json_write.c, read back in
 * rules_json_read.c, used to score a lead in rules_score.c.
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

/* The kind (group) whose name, as config_kind_name spells it, is s. */
int rules_kind_of(const char *s, enum attr_kind *k)
{
    const enum attr_kind all[] = {ATTR_CATEGORICAL, ATTR_COUNT, ATTR_NUMERIC};
    for (size_t i = 0; i < ARRAY_SIZE(all); i++)
        if (strcmp(s, config_kind_name(all[i])) == 0) {
            *k = all[i];
            return 0;
        }
    return -1;
}

int rules_group_of(const char *s, enum attr_group *g)
{
    const enum attr_group all[] = {GROUP_NONE, GROUP_FIT, GROUP_ENGAGEMENT};
    for (size_t i = 0; i < ARRAY_SIZE(all); i++)
        if (strcmp(s, config_group_name(all[i])) == 0) {
            *g = all[i];
            return 0;
        }
    return -1;
}

int rules_push_value(struct rules_level *l, const char *v)
{
    char **nv = realloc(l->values, (l->nvalues + 1) * sizeof *nv);
    if (!nv)
        return -1;
    l->values = nv;
    if (!(l->values[l->nvalues] = text_dup(v)))
        return -1;
    l->nvalues++;
    return 0;
}

void rules_release(struct rules *r)
{
    if (!r)
        return;
    free(r->provenance_json);
    free(r->id_column);
    for (size_t i = 0; i < r->nmissing; i++)
        free(r->missing_values[i]);
    free(r->missing_values);
    for (size_t j = 0; j < r->njoins; j++) {
        free(r->joins[j].name);
        free(r->joins[j].key);
        free(r->joins[j].on);
        free(r->joins[j].file);
        free(r->joins[j].sha256);
    }
    free(r->joins);
    free(r->missing_len);
    free(r->dq_attr);
    free(r->dq_number);
    free(r->scaling_method);
    for (size_t a = 0; a < r->nattrs; a++) {
        struct rules_attr *at = &r->attrs[a];
        free(at->name);
        for (size_t l = 0; l < at->nlevels; l++) {
            free(at->levels[l].label);
            for (size_t v = 0; v < at->levels[l].nvalues; v++)
                free(at->levels[l].values[v]);
            free(at->levels[l].values);
        }
        free(at->levels);
        free(at->slots);
        free(at->pts);
        free(at->delta);
        free(at->edge_hi);
        free(at->edge_level);
    }
    free(r->attrs);
    for (size_t q = 0; q < r->ndq; q++) {
        free(r->dq[q].column);
        free(r->dq[q].value);
    }
    free(r->dq);
    free(r->expected.period);
    free(r->expected.basis);
    memset(r, 0, sizeof *r);
}
