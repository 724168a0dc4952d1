/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput on each file named on the command line,
 * without libFuzzer, so that `make test` and `make asan` replay the seed corpora and the
 * regression inputs with the project's own compiler (tests/cli/test_fuzz_replay.sh).
 *
 *   replay_<target> FILE...
 *
 * Names each file on stderr before running it, so that a crash shows which input it was.
 * Exits 0 when every file ran, 2 when a file cannot be read; a failing input aborts.
 */
#include "fuzz.h"

static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        free(buf);
        return -1;
    }
    /* exactly n bytes, as libFuzzer passes them: AddressSanitizer sees a read past the end */
    char *data = malloc(n ? n : 1);
    if (!data) {
        free(buf);
        return -1;
    }
    memcpy(data, buf, n);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput((const uint8_t *)data, n);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (replay(argv[i]))
            rc = 2;
    return rc;
}
