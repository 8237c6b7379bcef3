/* hl-full-disk.c: an LD_PRELOAD library that makes a folder behave like a
 * small disk, for the tests of what a full disk does to our outputs.
 *
 *   HL_FULL_DISK_DIR=/tmp/x       the folder (and everything below it)
 *   HL_FULL_DISK_BYTES=65536      the size of its "disk"
 *
 * The space in use is what the files below the folder occupy (their
 * allocated blocks, so truncating or removing a file frees its space, as
 * on a real disk). A write(), pwrite() or writev() to a file below the
 * folder that would extend it past the free space writes what fits and
 * then fails with ENOSPC; overwriting allocated bytes always succeeds.
 * fsync() and fallocate() on such a file fail with ENOSPC while the disk
 * is full. Other files are untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* Both pwrite and pwrite64 are defined here, under their own names. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int
on_disk (int fd)
{
  const char *dir = getenv ("HL_FULL_DISK_DIR");
  char link[64], path[PATH_MAX];
  ssize_t n;

  if (dir == NULL || dir[0] == '\0')
    return 0;
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, path, sizeof path - 1);
  if (n <= 0)
    return 0;
  path[n] = '\0';
  return strncmp (path, dir, strlen (dir)) == 0;
}

static long long
disk_size (void)
{
  const char *text = getenv ("HL_FULL_DISK_BYTES");

  return text != NULL ? atoll (text) : 0;
}

/* The bytes the regular files below @path occupy. */
static long long
usage (const char *path)
{
  DIR *dir = opendir (path);
  struct dirent *entry;
  long long total = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    {
      char child[PATH_MAX];
      struct stat st;

      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;
      snprintf (child, sizeof child, "%s/%s", path, entry->d_name);
      if (lstat (child, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        total += usage (child);
      else if (S_ISREG (st.st_mode))
        total += (long long) st.st_blocks * 512;
    }
  closedir (dir);
  return total;
}

/* How many of @count bytes at @offset (-1: the file position) may be
 * written; 0 with errno ENOSPC when none. */
static size_t
allowed (int    fd,
         size_t count,
         off_t  offset)
{
  struct stat st;
  long long end, grow, free_bytes;
  size_t granted = count;

  if (count == 0 || !on_disk (fd) || fstat (fd, &st) != 0)
    return count;
  if (offset < 0)
    offset = (fcntl (fd, F_GETFL) & O_APPEND) ? st.st_size : lseek (fd, 0, SEEK_CUR);
  pthread_mutex_lock (&lock);
  free_bytes = disk_size () - usage (getenv ("HL_FULL_DISK_DIR"));
  end = (long long) offset + (long long) count;
  grow = end > st.st_size ? end - (offset > st.st_size ? offset : st.st_size) : 0;
  if (grow > free_bytes)
    granted = free_bytes <= 0 || offset >= st.st_size
              ? (size_t) (free_bytes > 0 ? free_bytes : 0)
              : (size_t) (st.st_size - offset + free_bytes);
  pthread_mutex_unlock (&lock);
  if (granted == 0)
    errno = ENOSPC;
  return granted < count ? granted : count;
}

static int
is_full (int fd)
{
  int full;

  if (!on_disk (fd))
    return 0;
  pthread_mutex_lock (&lock);
  full = usage (getenv ("HL_FULL_DISK_DIR")) >= disk_size ();
  pthread_mutex_unlock (&lock);
  return full;
}

#define REAL(name) \
  static __typeof__ (name) *real_##name; \
  if (real_##name == NULL) \
    real_##name = (__typeof__ (name) *) dlsym (RTLD_NEXT, #name)

ssize_t
write (int         fd,
       const void *buf,
       size_t      count)
{
  REAL (write);
  size_t granted = allowed (fd, count, -1);

  if (count > 0 && granted == 0)
    return -1;
  return real_write (fd, buf, granted);
}

ssize_t
pwrite (int         fd,
        const void *buf,
        size_t      count,
        off_t       offset)
{
  REAL (pwrite);
  size_t granted = allowed (fd, count, offset);

  if (count > 0 && granted == 0)
    return -1;
  return real_pwrite (fd, buf, granted, offset);
}

ssize_t
pwrite64 (int         fd,
          const void *buf,
          size_t      count,
          off64_t     offset)
{
  REAL (pwrite64);
  size_t granted = allowed (fd, count, offset);

  if (count > 0 && granted == 0)
    return -1;
  return real_pwrite64 (fd, buf, granted, offset);
}

ssize_t
writev (int                 fd,
        const struct iovec *iov,
        int                 iovcnt)
{
  REAL (writev);
  REAL (write);
  size_t total = 0, granted;
  ssize_t done = 0;

  for (int i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;
  granted = allowed (fd, total, -1);
  if (total > 0 && granted == 0)
    return -1;
  if (granted == total)
    return real_writev (fd, iov, iovcnt);
  for (int i = 0; i < iovcnt && granted > 0; i++)
    {
      size_t part = iov[i].iov_len < granted ? iov[i].iov_len : granted;
      ssize_t n = real_write (fd, iov[i].iov_base, part);

      if (n < 0)
        return done > 0 ? done : -1;
      done += n;
      granted -= part;
    }
  return done;
}

int
fsync (int fd)
{
  REAL (fsync);

  if (is_full (fd))
    {
      errno = ENOSPC;
      return -1;
    }
  return real_fsync (fd);
}

int
fallocate (int   fd,
           int   mode,
           off_t offset,
           off_t len)
{
  REAL (fallocate);

  if (is_full (fd))
    {
      errno = ENOSPC;
      return -1;
    }
  return real_fallocate (fd, mode, offset, len);
}
