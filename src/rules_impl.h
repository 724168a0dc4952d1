/*
 * rules_impl.h: what the rules_*.c files share and nobody else uses: the names of attribute
 * kinds and groups read back, and adding a value to a level.
 */
#ifndef MQLCAL_RULES_IMPL_H
#define MQLCAL_RULES_IMPL_H

#include "mqlcal/rules.h"

/* 0 and *k (*g) set when s names a kind (group) as config_kind_name (config_group_name) spells
 * it, -1 otherwise. */
int rules_kind_of(const char *s, enum attr_kind *k);
int rules_group_of(const char *s, enum attr_group *g);

/* Appends a copy of v to l's values; -1 when out of memory. */
int rules_push_value(struct rules_level *l, const char *v);

#endif
