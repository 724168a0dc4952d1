/* options.c: the table-driven command-line parser and the usage text made from the same
 * tables (options.h). */
#include "options.h"

#include <string.h>

#include "mqlcal/err.h"

void cli_usage(const struct cli_spec *spec, FILE *f)
{
    fprintf(f, "usage: mqlcal %s", spec->cmd);
    if (spec->positional && spec->positional[0])
        fprintf(f, " %s", spec->positional);
    for (size_t i = 0; i < spec->nopts; i++) {
        const struct cli_option *o = &spec->opts[i];
        if (o->kind == CLI_FLAG)
            fprintf(f, " [%s]", o->name);
        else if (o->required)
            fprintf(f, " %s %s", o->name, o->arg);
        else
            fprintf(f, " [%s %s]%s", o->name, o->arg, o->kind == CLI_LIST ? "..." : "");
    }
    fputc('\n', f);
}

static void help(const struct cli_spec *spec)
{
    cli_usage(spec, stdout);
    if (spec->note)
        printf("%s\n", spec->note);
    if (spec->nopts)
        printf("\noptions (a value as --name VALUE or --name=VALUE):\n");
    for (size_t i = 0; i < spec->nopts; i++) {
        const struct cli_option *o = &spec->opts[i];
        char left[64];
        if (o->letter)
            snprintf(left, sizeof left, "-%c, %s%s%s", o->letter, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-28s %s\n", left, o->help);
    }
}

static int usage_error(const struct cli_spec *spec, const char *what, const char *subject)
{
    fprintf(stderr, "mqlcal %s: %s", spec->cmd, what);
    if (subject)
        fprintf(stderr, " '%s'", subject);
    fputc('\n', stderr);
    cli_usage(spec, stderr);
    return MQL_EUSAGE;
}

/* The option a names (with its "=value" part, if any, in *inline_value), or NULL. */
static const struct cli_option *find(const struct cli_spec *spec, const char *a,
                                     const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < spec->nopts; i++) {
        const struct cli_option *o = &spec->opts[i];
        size_t n = strlen(o->name);
        if (o->letter && a[0] == '-' && a[1] == o->letter && a[2] == '\0')
            return o;
        if (strncmp(a, o->name, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
            if (a[n] == '=')
                *inline_value = a + n + 1;
            return o;
        }
    }
    return NULL;
}

/* Stores option o with value v (NULL for a flag) into dst. */
static int set(const struct cli_spec *spec, const struct cli_option *o, const char *v, void *dst)
{
    char *at = (char *)dst + o->offset;
    if (o->kind == CLI_FLAG) {
        *(int *)(void *)at = 1;
    } else if (o->kind == CLI_VALUE) {
        *(const char **)(void *)at = v;
    } else {
        struct cli_list *l = (struct cli_list *)(void *)at;
        if (l->n == CLI_LIST_MAX)
            return usage_error(spec, "too many times:", o->name);
        l->v[l->n++] = v;
    }
    return 0;
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, void *dst, const char **pos,
              size_t *npos)
{
    *npos = 0;
    int options = 1;
    unsigned long long seen = 0; /* bit i: option i was given */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            help(spec);
            return -1;
        }
        if (options && strcmp(a, "--") == 0) {
            options = 0;
            continue;
        }
        if (!options || a[0] != '-' || a[1] == '\0') {
            if (*npos == spec->max_pos)
                return usage_error(
                    spec, spec->max_pos ? "one too many arguments:" : "no argument taken:", a);
            pos[(*npos)++] = a;
            continue;
        }
        const char *v;
        const struct cli_option *o = find(spec, a, &v);
        if (!o)
            return usage_error(spec, "unknown option", a);
        if (o->kind == CLI_FLAG && v)
            return usage_error(spec, "takes no value:", o->name);
        if (o->kind != CLI_FLAG && !v) {
            if (i + 1 >= argc) {
                char what[96];
                snprintf(what, sizeof what, "%s needs a value (%s)", o->name, o->arg);
                return usage_error(spec, what, NULL);
            }
            v = argv[++i];
        }
        int rc = set(spec, o, v, dst);
        if (rc)
            return rc;
        seen |= 1ull << (size_t)(o - spec->opts) % 64;
    }
    for (size_t k = 0; k < spec->nopts && k < 64; k++)
        if (spec->opts[k].required && !(seen >> k & 1)) {
            char what[96];
            snprintf(what, sizeof what, "missing %s %s", spec->opts[k].name, spec->opts[k].arg);
            return usage_error(spec, what, NULL);
        }
    if (*npos < spec->min_pos) {
        char what[96];
        snprintf(what, sizeof what, "missing %s", spec->positional);
        return usage_error(spec, what, NULL);
    }
    return 0;
}
