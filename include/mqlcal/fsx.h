/*
 * fsx.h: the files mqlcal writes, and the rules that keep it from harming the ones it did not.
 *
 * Guarantees (the README's reliability section says them in plain words):
 * - Every output is written to a temporary name unique to the process ("<path>.tmp-<pid>-<n>",
 *   created with O_EXCL | O_NOFOLLOW, so a planted file or symlink is never written through),
 *   flushed to disk and renamed into place: a reader sees the old file or the new one.
 * - An output never replaces an input of the run (fsx_protect), a symlink, a device, a folder
 *   or anything that is not a regular file (MQL_EINPUT).
 * - In a folder mqlcal writes by itself (the output folder, a report folder), it replaces or
 *   removes only names listed in the folder's manifest ".mqlcal-owned", which it appends a name
 *   to before it first creates the file (fsx_tmp_open with FSX_OWNED); any other existing file
 *   of that name is refused (MQL_EINPUT), never overwritten.
 * - A folder is locked (fsx_lock) for the life of the process by a POSIX lock on
 *   "<dir>/.mqlcal.lock": a second writer fails at once, naming the holder's pid (MQL_EIO).
 * Ownership: the strings in these structs are fsx's; release them with the matching call.
 */
#ifndef MQLCAL_FSX_H
#define MQLCAL_FSX_H

#include <stddef.h>

#include "mqlcal/err.h"

#define FSX_MANIFEST ".mqlcal-owned"
#define FSX_LOCKFILE ".mqlcal.lock"

/* Registers path (when it exists) as an input of this process: no output may replace it, by
 * any name (the check is by device and inode). Fails only on out of memory. */
int fsx_protect(const char *path, struct mql_err *err);

/* Forgets every protected input (for tests). */
void fsx_protect_reset(void);

/* 0 when path may be replaced by an output: it is absent, or a regular file (not followed if a
 * symlink) that is not a protected input. MQL_EINPUT naming it otherwise. */
int fsx_check_output(const char *path, struct mql_err *err);

/* 1 when the manifest of path's folder lists path's base name, 0 when not, -1 when the
 * manifest is not a regular file. */
int fsx_is_owned(const char *path);

/* Lists path's base name in its folder's manifest (appends a line unless already listed);
 * durable: the manifest is flushed to disk first. */
int fsx_claim(const char *path, int durable, struct mql_err *err);

enum {
    FSX_OWNED = 1,  /* path is in a folder mqlcal owns: an existing file must be listed in its
                       manifest, and the name is claimed before the file is created */
    FSX_NOSYNC = 2, /* no fsync of the file or its folder (a folder swapped in whole later) */
};

struct fsx_tmp {
    char *path; /* the final name */
    char *tmp;  /* the temporary name, created by this process */
    int fd;     /* open for writing, -1 after commit or abort */
    int flags;
};

/* Checks that path may be written (fsx_check_output, and with FSX_OWNED the manifest), then
 * creates its temporary file. t is the caller's; on failure nothing is left to release. */
int fsx_tmp_open(struct fsx_tmp *t, const char *path, int flags, struct mql_err *err);

/* Flushes t's file to disk, checks path again, renames it into place and syncs the folder.
 * On failure the temporary file is removed. Releases t either way. */
int fsx_tmp_commit(struct fsx_tmp *t, struct mql_err *err);

/* Removes the temporary file and releases t (t->fd may already be closed). */
void fsx_tmp_abort(struct fsx_tmp *t);

/* Writes the n bytes at data to path through a temporary file (fsx_tmp_open with flags). */
int fsx_write_file(const char *path, const void *data, size_t n, int flags, struct mql_err *err);

/* Creates the folder path and its missing parents (mode 0777 less umask). */
int fsx_mkdirs(const char *path, struct mql_err *err);

/* Flushes the folder that holds path to disk. */
int fsx_sync_parent(const char *path, struct mql_err *err);

/* Locks the folder dir for this process (creating the lock file; a second call for the same
 * folder is a no-op). Held until the process exits or fsx_unlock_all. MQL_EIO "output folder
 * 'dir' locked by pid N" when another process holds it. */
int fsx_lock(const char *dir, struct mql_err *err);

void fsx_unlock_all(void);

/* Removes what a killed mqlcal left in dir, which the caller has locked: temporary files of
 * names the manifest lists ("<name>.tmp-<pid>-<n>"). Never follows a symlink. */
void fsx_remove_stale_tmp(const char *dir);

/* Removes the folder path, which mqlcal wrote: it must be a real folder (not a symlink) whose
 * manifest lists every entry (or its temporary files), each a regular file. Otherwise nothing
 * is removed and MQL_EINPUT says which entry is not mqlcal's. An absent folder is fine. */
int fsx_remove_owned_dir(const char *path, struct mql_err *err);

/* The same check without removing: 0 when fsx_remove_owned_dir would remove path. */
int fsx_check_owned_dir(const char *path, struct mql_err *err);

#endif
