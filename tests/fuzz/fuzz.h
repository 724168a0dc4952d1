/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz/ share.
 *
 * Each target defines LLVMFuzzerTestOneInput. It is linked either with libFuzzer (`make fuzz`,
 * clang) or with tests/fuzz/replay.c, which replays files through it (`make test`, `make asan`).
 * A target never prints; a broken invariant prints one line to stderr and aborts, which both
 * libFuzzer and the replay report as a crash.
 */
#ifndef MQLCAL_FUZZ_H
#define MQLCAL_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #c);             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A private folder for the files a target needs, on tmpfs when there is one: made on the first
 * call, the same path after. The caller removes what it puts there and the folder at exit. */
static inline const char *fuzz_tmpdir(void)
{
    static char dir[256];
    if (dir[0])
        return dir;
    const char *bases[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        struct stat st;
        if (!bases[i] || stat(bases[i], &st) != 0 || !S_ISDIR(st.st_mode) ||
            access(bases[i], W_OK) != 0)
            continue;
        snprintf(dir, sizeof dir, "%s/mqlcal-fuzz-XXXXXX", bases[i]);
        if (mkdtemp(dir))
            return dir;
    }
    fprintf(stderr, "fuzz: cannot make a temporary folder: %s\n", strerror(errno));
    abort();
}

/* dir/name into buf (which holds 512 bytes). */
static inline char *fuzz_path(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", fuzz_tmpdir(), name);
    return buf;
}

/* Writes the n bytes at data to path, or aborts. */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write '%s': %s\n", path, strerror(errno));
        abort();
    }
}

#endif
