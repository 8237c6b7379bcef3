/* hl-output-set.h: the files one command writes, replaced as a set.
 *
 * Every file of a set is written into a hidden temporary folder beside its
 * destination (".headlens-HOST-PID-XXXXXX" in the destination folder).
 * hl_output_set_commit() syncs them and renames them into place only when
 * all were written, so a failure (a full disk, a crash, a signal) leaves
 * the previous files intact and never a mix of old and new ones. A
 * destination that is one of the command's inputs (the same device and
 * inode, also through symbolic and hard links) is refused.
 *
 * The temporary folders of live sets are removed when the process gets
 * SIGINT, SIGTERM or SIGHUP (after hl_output_set_install_signal_cleanup ()),
 * and those of killed runs are removed by the next set created in the same
 * folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HL_OUTPUT_ERROR (hl_output_error_quark ())

typedef enum
{
  HL_OUTPUT_ERROR_IS_INPUT,   /* a destination is one of the inputs */
  HL_OUTPUT_ERROR_NAME,       /* a name that is not a plain file name, or added twice */
  HL_OUTPUT_ERROR_IO,         /* creating, writing, syncing or renaming failed */
} HlOutputError;

typedef enum
{
  HL_OUTPUT_SET_NONE          = 0,
  HL_OUTPUT_SET_CREATE_FOLDER = 1 << 0,  /* create the folder and its parents */
} HlOutputSetFlags;

typedef struct _HlOutputSet HlOutputSet;

GQuark       hl_output_error_quark  (void);

/* Removes the temporary folders of killed runs in @dir and creates this
 * set's temporary folder there; @dir must exist unless @flags say to
 * create it. */
HlOutputSet *hl_output_set_new      (const char        *dir,
                                     HlOutputSetFlags   flags,
                                     GError           **error);
const char  *hl_output_set_get_dir  (HlOutputSet  *self);

/* Records an input of the command: no destination may be the same file.
 * Inputs that do not exist are ignored (they cannot be replaced). */
void         hl_output_set_add_input (HlOutputSet  *self,
                                      const char   *path);

/* Writes @contents (@length bytes, or up to its NUL when -1) as the file
 * @name of the set. */
gboolean     hl_output_set_add_contents (HlOutputSet  *self,
                                         const char   *name,
                                         const char   *contents,
                                         gssize        length,
                                         GError      **error);

/* Writes the @n_parts strings @parts, one after the other, as the file
 * @name of the set: a large file formatted in parts needs no copy of
 * them joined. */
gboolean     hl_output_set_add_parts (HlOutputSet    *self,
                                      const char     *name,
                                      GString * const *parts,
                                      guint           n_parts,
                                      GError        **error);

/* Adds the file @name and returns the temporary path the caller writes it
 * to (owned by the set; nothing exists there yet). */
const char  *hl_output_set_add_file (HlOutputSet  *self,
                                     const char   *name,
                                     GError      **error);

/* Syncs every file, checks again that no destination is an input, and
 * renames them all into place. Signals that arrive meanwhile wait until
 * the renames are done. After a failure no destination was changed unless
 * the failure was a rename, which the error then names. */
gboolean     hl_output_set_commit   (HlOutputSet  *self,
                                     GError      **error);

/* Removes the temporary folder unless committed, and frees the set. */
void         hl_output_set_free     (HlOutputSet  *self);

/* Refuses @output when it is the same file as one of the NULL-terminated
 * @inputs (device and inode). For outputs not written through a set. */
gboolean     hl_output_check_not_input (const char          *output,
                                        const char * const  *inputs,
                                        GError             **error);

/* Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in the
 * threads it starts later; call it first in main ()) and handles them in
 * a thread of their own: it removes the temporary folders of live sets,
 * then ends the process by the same signal. Child processes started with
 * hl_output_set_child_setup () as their setup get the default mask back. */
void         hl_output_set_install_signal_cleanup (void);
void         hl_output_set_child_setup            (gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlOutputSet, hl_output_set_free)

G_END_DECLS
