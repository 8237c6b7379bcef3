/* hl-file-identity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-file-identity.h"

#include "hl-activations.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIN_BUDGET ((guint64) 768 << 20)

gboolean
hl_file_identity_read (const char      *path,
                       HlFileIdentity  *identity,
                       GError         **error)
{
  struct stat st;

  if (stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_IO,
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_NOT_HDF5,
                   _("“%s” is not a regular file (a folder, a device or a pipe), expected a "
                     "Headlens activation file"), path);
      return FALSE;
    }
  identity->dev = st.st_dev;
  identity->ino = st.st_ino;
  identity->size = st.st_size;
  identity->mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
  identity->ctime_ns = (gint64) st.st_ctim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_ctim.tv_nsec;
  return TRUE;
}

gboolean
hl_file_identity_equal (const HlFileIdentity *a,
                        const HlFileIdentity *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size
         && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* Parses "4G", "512M", "1.5G", "800000000" (bytes); binary units. */
static gboolean
parse_size (const char *text,
            guint64    *bytes)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);
  double unit = 1.0;

  if (end == text || !(value > 0.0) || value > 1e18)
    return FALSE;
  switch (g_ascii_toupper (*end))
    {
    case 'K': unit = 1024.0; end++; break;
    case 'M': unit = 1024.0 * 1024.0; end++; break;
    case 'G': unit = 1024.0 * 1024.0 * 1024.0; end++; break;
    case 'T': unit = 1024.0 * 1024.0 * 1024.0 * 1024.0; end++; break;
    default: break;
    }
  if (g_ascii_toupper (*end) == 'B' || g_ascii_toupper (*end) == 'I')
    end += g_ascii_toupper (end[0]) == 'I' && g_ascii_toupper (end[1]) == 'B' ? 2 : 1;
  if (*end != '\0' || value * unit > 1e18)
    return FALSE;
  *bytes = (guint64) (value * unit);
  return TRUE;
}

gboolean
hl_memory_budget_for_file (guint64   file_size,
                           guint64  *budget,
                           GError  **error)
{
  const char *limit = g_getenv ("HEADLENS_MEMORY_LIMIT");
  long pages = sysconf (_SC_PHYS_PAGES), page_size = sysconf (_SC_PAGE_SIZE);
  guint64 half_ram = pages > 0 && page_size > 0 ? (guint64) pages * page_size / 2 : MIN_BUDGET;
  guint64 scaled = file_size > G_MAXUINT64 / 8 ? G_MAXUINT64 : file_size * 8;

  if (limit != NULL)
    {
      if (parse_size (limit, budget))
        return TRUE;
      g_set_error (error, HL_ACTIVATIONS_ERROR, HL_ACTIVATIONS_ERROR_BUDGET,
                   _("HEADLENS_MEMORY_LIMIT is “%s”, expected a size such as 4G or 512M"),
                   limit);
      return FALSE;
    }
  *budget = MIN (MAX (MIN_BUDGET, scaled), MAX (MIN_BUDGET, half_ram));
  return TRUE;
}
