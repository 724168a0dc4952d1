/* fsx.c: writing outputs without harming inputs or files mqlcal did not write (fsx.h). */
#include "mqlcal/fsx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqlcal/text.h"

/* ---- protected inputs -------------------------------------------------------------------- */

struct ident {
    dev_t dev;
    ino_t ino;
    char *path;
};

static struct ident *inputs;
static size_t ninputs;

int fsx_protect(const char *path, struct mql_err *err)
{
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return 0; /* an absent input is reported by whoever opens it */
    for (size_t i = 0; i < ninputs; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino)
            return 0;
    struct ident *p = realloc(inputs, (ninputs + 1) * sizeof *p);
    char *copy = text_dup(path);
    if (!p || !copy) {
        if (p)
            inputs = p;
        free(copy);
        return mql_err_oom(err);
    }
    inputs = p;
    inputs[ninputs++] = (struct ident){st.st_dev, st.st_ino, copy};
    return 0;
}

void fsx_protect_reset(void)
{
    for (size_t i = 0; i < ninputs; i++)
        free(inputs[i].path);
    free(inputs);
    inputs = NULL;
    ninputs = 0;
}

int fsx_check_output(const char *path, struct mql_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return mql_err_set(err, MQL_EIO, "cannot write '%s': %s", path, strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        return mql_err_set(err, MQL_EINPUT,
                           "output '%s' is a symbolic link: mqlcal writes only regular files it "
                           "made and will not replace it",
                           path);
    if (!S_ISREG(st.st_mode))
        return mql_err_set(err, MQL_EINPUT,
                           "output '%s' exists and is not a regular file (%s): mqlcal will not "
                           "replace it",
                           path, S_ISDIR(st.st_mode) ? "a folder" : "a device, pipe or socket");
    for (size_t i = 0; i < ninputs; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino)
            return mql_err_set(err, MQL_EINPUT,
                               "output '%s' is the input '%s' of this run: mqlcal will not "
                               "overwrite an input; choose another output path",
                               path, inputs[i].path);
    return 0;
}

/* ---- names and manifests ------------------------------------------------------------------ */

/* The folder of path (malloc'd) and, in *base, where its last part starts. */
static char *dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    return text_dirname(path);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Reads the manifest of the folder open as dfd: the names, NUL-separated in one buffer with
 * *n bytes. *buf = NULL when there is none; -1 when it is not a regular file or unreadable. */
static int manifest_read(int dfd, char **buf, size_t *n)
{
    *buf = NULL;
    *n = 0;
    int fd = openat(dfd, FSX_MANIFEST, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
        close(fd);
        return -1;
    }
    char *b = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (b && got < (size_t)st.st_size) {
        ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!b)
        return -1;
    /* a line cut by a crash (no final LF) is not a claim */
    while (got > 0 && b[got - 1] != '\n')
        got--;
    for (size_t i = 0; i < got; i++)
        if (b[i] == '\n')
            b[i] = '\0';
    b[got] = '\0';
    *buf = b;
    *n = got;
    return 0;
}

static int manifest_has(const char *buf, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
        if (strcmp(buf + i, name) == 0)
            return 1;
    return 0;
}

/* name is "<listed>.tmp-<pid>-<n>" for a name the manifest lists; *pid is the writer's. */
static int is_tmp_of_listed(const char *buf, size_t n, const char *name, long *pid)
{
    const char *t = strstr(name, ".tmp-");
    while (t) {
        char *e1, *e2;
        long p = strtol(t + 5, &e1, 10);
        if (e1 != t + 5 && *e1 == '-') {
            strtol(e1 + 1, &e2, 10);
            if (e2 != e1 + 1 && *e2 == '\0') {
                char *listed = text_ndup(name, (size_t)(t - name));
                int yes = listed && manifest_has(buf, n, listed);
                free(listed);
                if (yes) {
                    *pid = p;
                    return 1;
                }
            }
        }
        t = strstr(t + 1, ".tmp-");
    }
    return 0;
}

int fsx_is_owned(const char *path)
{
    const char *base;
    char *dir = dir_of(path, &base);
    if (!dir)
        return -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd < 0)
        return 0;
    char *buf;
    size_t n;
    int rc = manifest_read(dfd, &buf, &n);
    close(dfd);
    if (rc < 0)
        return -1;
    int yes = buf && manifest_has(buf, n, base);
    free(buf);
    return yes;
}

int fsx_claim(const char *path, int durable, struct mql_err *err)
{
    const char *base;
    char *dir = dir_of(path, &base);
    if (!dir)
        return mql_err_oom(err);
    int rc = 0, fd = -1;
    char *mpath = join(dir, FSX_MANIFEST);
    if (!mpath) {
        rc = mql_err_oom(err);
        goto out;
    }
    int owned = fsx_is_owned(path);
    if (owned < 0) {
        rc = mql_err_set(err, MQL_EINPUT, "'%s' is not a regular file: mqlcal will not use it",
                         mpath);
        goto out;
    }
    if (owned)
        goto out;
    fd = open(mpath, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = mql_err_set(err, MQL_EINPUT, "'%s' is not a regular file: mqlcal will not use it",
                         mpath);
        goto out;
    }
    size_t len = strlen(base);
    char *line = malloc(len + 1);
    if (!line) {
        rc = mql_err_oom(err);
        goto out;
    }
    memcpy(line, base, len);
    line[len] = '\n';
    ssize_t w = write(fd, line, len + 1);
    free(line);
    if (w != (ssize_t)(len + 1) || (durable && fsync(fd) != 0))
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", mpath,
                         w < 0 ? strerror(errno) : "short write");
out:
    if (fd >= 0)
        close(fd);
    free(mpath);
    free(dir);
    return rc;
}

/* ---- temporary files ---------------------------------------------------------------------- */

static unsigned long tmp_counter;

int fsx_tmp_open(struct fsx_tmp *t, const char *path, int flags, struct mql_err *err)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    t->flags = flags;
    int rc = fsx_check_output(path, err);
    if (rc)
        return rc;
    if (flags & FSX_OWNED) {
        struct stat st;
        int owned = fsx_is_owned(path);
        if (lstat(path, &st) == 0 && owned != 1)
            return mql_err_set(err, MQL_EINPUT,
                               "'%s' exists and mqlcal did not write it (it is not listed in "
                               "the folder's %s): move it away or choose another [output] dir",
                               path, FSX_MANIFEST);
        if ((rc = fsx_claim(path, !(flags & FSX_NOSYNC), err)))
            return rc;
    }
    size_t n = strlen(path) + 64;
    t->path = text_dup(path);
    t->tmp = malloc(n);
    if (!t->path || !t->tmp) {
        fsx_tmp_abort(t);
        return mql_err_oom(err);
    }
    for (int tries = 0; tries < 100; tries++) {
        snprintf(t->tmp, n, "%s.tmp-%ld-%lu", path, (long)getpid(), ++tmp_counter);
        t->fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (t->fd >= 0 || errno != EEXIST)
            break;
    }
    if (t->fd < 0) {
        int e = errno;
        free(t->tmp);
        t->tmp = NULL;
        fsx_tmp_abort(t);
        return mql_err_set(err, MQL_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    return 0;
}

void fsx_tmp_abort(struct fsx_tmp *t)
{
    if (t->fd >= 0)
        close(t->fd);
    if (t->tmp)
        unlink(t->tmp);
    free(t->tmp);
    free(t->path);
    memset(t, 0, sizeof *t);
    t->fd = -1;
}

int fsx_sync_parent(const char *path, struct mql_err *err)
{
    const char *base;
    char *dir = dir_of(path, &base);
    if (!dir)
        return mql_err_oom(err);
    int rc = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        rc = mql_err_set(err, MQL_EIO, "cannot open '%s': %s", dir, strerror(errno));
    else if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        rc = mql_err_set(err, MQL_EIO, "cannot sync '%s': %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

int fsx_tmp_commit(struct fsx_tmp *t, struct mql_err *err)
{
    int rc = 0;
    if (!(t->flags & FSX_NOSYNC) && fsync(t->fd) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", t->path, strerror(errno));
    if (close(t->fd) != 0 && !rc)
        rc = mql_err_set(err, MQL_EIO, "cannot write '%s': %s", t->path, strerror(errno));
    t->fd = -1;
    /* checked again: the folder may have changed while the file was written */
    if (!rc)
        rc = fsx_check_output(t->path, err);
    if (!rc && rename(t->tmp, t->path) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", t->tmp, t->path,
                         strerror(errno));
    if (rc) {
        fsx_tmp_abort(t);
        return rc;
    }
    if (!(t->flags & FSX_NOSYNC))
        rc = fsx_sync_parent(t->path, err);
    free(t->tmp);
    t->tmp = NULL;
    fsx_tmp_abort(t);
    return rc;
}

int fsx_write_file(const char *path, const void *data, size_t n, int flags, struct mql_err *err)
{
    struct fsx_tmp t;
    int rc = fsx_tmp_open(&t, path, flags, err);
    if (rc)
        return rc;
    const char *p = data;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(t.fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            fsx_tmp_abort(&t);
            return mql_err_set(err, MQL_EIO, "cannot write '%s': %s", path, strerror(e));
        }
        done += (size_t)w;
    }
    return fsx_tmp_commit(&t, err);
}

int fsx_mkdirs(const char *path, struct mql_err *err)
{
    size_t n = strlen(path);
    if (n == 0)
        return mql_err_set(err, MQL_EIO, "bad folder name '%s'", path);
    char *buf = text_dup(path);
    if (!buf)
        return mql_err_oom(err);
    int rc = 0;
    for (size_t i = 1; i <= n && !rc; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            rc = mql_err_set(err, MQL_EIO, "cannot create folder '%s': %s", buf, strerror(errno));
        else if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = mql_err_set(err, MQL_EIO,
                             "cannot create folder '%s': '%s' is a file, not a folder", path, buf);
        buf[i] = c;
    }
    free(buf);
    return rc;
}

/* ---- the folder lock ------------------------------------------------------------------------ */

struct held {
    dev_t dev;
    ino_t ino;
    int fd;
};
static struct held *held;
static size_t nheld;

int fsx_lock(const char *dir, struct mql_err *err)
{
    struct stat dst;
    if (stat(dir, &dst) != 0)
        return mql_err_set(err, MQL_EIO, "cannot lock folder '%s': %s", dir, strerror(errno));
    for (size_t i = 0; i < nheld; i++)
        if (held[i].dev == dst.st_dev && held[i].ino == dst.st_ino)
            return 0; /* closing a second descriptor would drop the POSIX lock: keep one */
    char *path = join(dir, FSX_LOCKFILE);
    if (!path)
        return mql_err_oom(err);
    int rc = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    struct stat st;
    if (fd < 0) {
        rc =
            mql_err_set(err, errno == ELOOP ? MQL_EINPUT : MQL_EIO, "cannot lock folder '%s': %s",
                        dir, errno == ELOOP ? "its lock file is a symbolic link" : strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = mql_err_set(err, MQL_EINPUT, "cannot lock folder '%s': '%s' is not a regular file",
                         dir, path);
        goto out;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        if (errno != EACCES && errno != EAGAIN) {
            rc = mql_err_set(err, MQL_EIO, "cannot lock folder '%s': %s", dir, strerror(errno));
            goto out;
        }
        struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        long pid = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : 0;
        if (pid > 0)
            rc = mql_err_set(err, MQL_EIO,
                             "output folder '%s' locked by pid %ld (another mqlcal writing "
                             "there): wait for it to finish",
                             dir, pid);
        else
            rc = mql_err_set(err, MQL_EIO, "output folder '%s' locked by another mqlcal", dir);
        goto out;
    }
    struct held *h = realloc(held, (nheld + 1) * sizeof *h);
    if (!h) {
        rc = mql_err_oom(err);
        goto out;
    }
    held = h;
    held[nheld++] = (struct held){dst.st_dev, dst.st_ino, fd};
    /* the file stays empty (the holder's pid comes from F_GETLK), so that it never changes */
    fd = -1;
out:
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

void fsx_unlock_all(void)
{
    for (size_t i = 0; i < nheld; i++)
        close(held[i].fd);
    free(held);
    held = NULL;
    nheld = 0;
}

static int pid_dead(long pid)
{
    return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void fsx_remove_stale_tmp(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return;
    char *buf;
    size_t n;
    if (manifest_read(dfd, &buf, &n) != 0 || !buf) {
        close(dfd);
        return;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        free(buf);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid;
        struct stat st;
        if (is_tmp_of_listed(buf, n, e->d_name, &pid) && pid_dead(pid) &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    free(buf);
}

/* Checks the folder and, when remove is set, removes it. */
static int owned_dir(const char *path, int remove, struct mql_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT
                   ? 0
                   : mql_err_set(err, MQL_EIO, "cannot read '%s': %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return mql_err_set(err, MQL_EINPUT,
                           "'%s' is a symbolic link, not a folder mqlcal wrote: mqlcal will not "
                           "remove or follow it; move it away",
                           path);
    if (!S_ISDIR(st.st_mode))
        return mql_err_set(err, MQL_EINPUT,
                           "'%s' is in the way: it is not a folder mqlcal wrote; move it away",
                           path);
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return mql_err_set(err, MQL_EIO, "cannot read '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0;
    int rc = 0;
    if (manifest_read(dfd, &buf, &n) != 0) {
        close(dfd);
        return mql_err_set(err, MQL_EINPUT, "'%s/%s' is not a regular file: mqlcal will not use it",
                           path, FSX_MANIFEST);
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        free(buf);
        return mql_err_set(err, MQL_EIO, "cannot read '%s': %s", path, strerror(errno));
    }
    struct dirent *e;
    /* first every entry is checked; only when all are mqlcal's is anything removed */
    for (int pass = 0; pass < 1 + remove && !rc; pass++) {
        rewinddir(d);
        while ((e = readdir(d)) && !rc) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            long pid;
            struct stat es;
            int listed =
                buf && (strcmp(e->d_name, FSX_MANIFEST) == 0 || manifest_has(buf, n, e->d_name) ||
                        is_tmp_of_listed(buf, n, e->d_name, &pid));
            if (fstatat(dirfd(d), e->d_name, &es, AT_SYMLINK_NOFOLLOW) != 0)
                rc = mql_err_set(err, MQL_EIO, "cannot read '%s/%s': %s", path, e->d_name,
                                 strerror(errno));
            else if (!listed || !S_ISREG(es.st_mode))
                rc = mql_err_set(err, MQL_EINPUT,
                                 "'%s' holds '%s', which mqlcal did not write%s: mqlcal replaces "
                                 "only folders of its own; move the file (or the folder) away",
                                 path, e->d_name, !listed ? "" : " (it is not a regular file)");
            else if (pass == 1 && strcmp(e->d_name, FSX_MANIFEST) != 0 &&
                     unlinkat(dirfd(d), e->d_name, 0) != 0)
                rc = mql_err_set(err, MQL_EIO, "cannot remove '%s/%s': %s", path, e->d_name,
                                 strerror(errno));
        }
    }
    if (!rc && remove && buf && unlinkat(dirfd(d), FSX_MANIFEST, 0) != 0 && errno != ENOENT)
        rc = mql_err_set(err, MQL_EIO, "cannot remove '%s/%s': %s", path, FSX_MANIFEST,
                         strerror(errno));
    closedir(d);
    free(buf);
    if (!rc && remove && rmdir(path) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot remove '%s': %s", path, strerror(errno));
    return rc;
}

int fsx_remove_owned_dir(const char *path, struct mql_err *err)
{
    return owned_dir(path, 1, err);
}

int fsx_check_owned_dir(const char *path, struct mql_err *err)
{
    return owned_dir(path, 0, err);
}
