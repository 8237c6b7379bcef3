/* hl-cli-mpi.c: the MPI ranks of one command (see hl-cli-mpi.h).
 *
 * Rank 0 receives every other rank's outcome point to point, in rank
 * order: a header (failed or not, the length of what follows) and then
 * the payload or the error message, in pieces small enough for MPI's int
 * counts. It then broadcasts the verdict, so that every rank ends the same
 * way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hl-cli-mpi.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#ifdef HL_HAVE_MPI
#include <mpi.h>
#endif

/* Largest piece of one message: MPI counts are ints. */
#define PIECE_BYTES (1 << 30)
/* How long a waiting rank sleeps between two tests of its request. */
#define WAIT_SLICE_US 500

enum { TAG_HEADER = 1, TAG_DATA = 2 };

static int      rank;
static int      size = 1;
static int      local_size = 1;

/* Variables MPI launchers (Open MPI's mpirun, PMIx, Hydra) set in the
 * processes they start. */
static gboolean
started_by_launcher (void)
{
  static const char * const names[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                        "PMI_RANK" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_getenv (names[i]) != NULL)
      return TRUE;
  return FALSE;
}

int
hl_cli_mpi_rank (void)
{
  return rank;
}

int
hl_cli_mpi_size (void)
{
  return size;
}

int
hl_cli_mpi_local_size (void)
{
  return local_size;
}

void
hl_cli_mpi_share (int  n,
                  int  of_rank,
                  int  n_ranks,
                  int *first,
                  int *count)
{
  gint64 begin = (gint64) n * of_rank / n_ranks;
  gint64 end = (gint64) n * (of_rank + 1) / n_ranks;

  *first = (int) begin;
  *count = (int) (end - begin);
}

/* One process: its own payload, or its failure. */
static gboolean
gather_local (GBytes       *payload,
              const GError *failure,
              GPtrArray   **payloads,
              GError      **error)
{
  if (failure != NULL)
    {
      g_propagate_error (error, g_error_copy (failure));
      return FALSE;
    }
  *payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (*payloads, payload != NULL ? g_bytes_ref (payload) : g_bytes_new (NULL, 0));
  return TRUE;
}

#ifdef HL_HAVE_MPI

static gboolean initialised;

/* The message rank 0 reports for a failed rank. */
static char *
failure_text (int         failed_rank,
              const char *host,
              const char *message)
{
  /* Translators: "rank 1 on node7: <what went wrong>" */
  return g_strdup_printf (_("rank %d on %s: %s"), failed_rank, host, message);
}

gboolean
hl_cli_mpi_init (int      *argc,
                 char   ***argv,
                 GError  **error)
{
  MPI_Comm local;
  int provided;

  if (!started_by_launcher ())
    return TRUE;
  MPI_Init_thread (argc, argv, MPI_THREAD_FUNNELED, &provided);
  initialised = TRUE;
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);
  MPI_Comm_split_type (MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
  MPI_Comm_size (local, &local_size);
  MPI_Comm_free (&local);
  return TRUE;
}

void
hl_cli_mpi_finalize (void)
{
  if (initialised)
    MPI_Finalize ();
  initialised = FALSE;
}

/* Waits for @request, sleeping between tests: MPI's own waits spin. */
static void
wait_politely (MPI_Request *request)
{
  int done = 0;

  for (MPI_Test (request, &done, MPI_STATUS_IGNORE); !done;
       MPI_Test (request, &done, MPI_STATUS_IGNORE))
    g_usleep (WAIT_SLICE_US);
}

static void
send_bytes (const guint8 *data,
            gsize         length,
            int           tag)
{
  for (gsize at = 0; at < length; at += PIECE_BYTES)
    {
      MPI_Request request;

      MPI_Isend (data + at, (int) MIN (length - at, PIECE_BYTES), MPI_BYTE, 0, tag,
                 MPI_COMM_WORLD, &request);
      wait_politely (&request);
    }
}

static void
receive_bytes (guint8 *data,
               gsize   length,
               int     from,
               int     tag)
{
  for (gsize at = 0; at < length; at += PIECE_BYTES)
    {
      MPI_Request request;

      MPI_Irecv (data + at, (int) MIN (length - at, PIECE_BYTES), MPI_BYTE, from, tag,
                 MPI_COMM_WORLD, &request);
      wait_politely (&request);
    }
}

/* A rank's outcome: its payload, or its failure as text. */
static void
send_outcome (GBytes       *payload,
              const GError *failure)
{
  g_autofree char *message = NULL;
  char host[MPI_MAX_PROCESSOR_NAME] = "";
  const guint8 *data;
  gint64 header[2];
  MPI_Request request;
  gsize length = 0;
  int host_length;

  if (failure != NULL)
    {
      MPI_Get_processor_name (host, &host_length);
      message = failure_text (rank, host, failure->message);
      data = (const guint8 *) message;
      length = strlen (message);
    }
  else
    data = payload != NULL ? g_bytes_get_data (payload, &length) : NULL;
  header[0] = failure != NULL;
  header[1] = (gint64) length;
  MPI_Isend (header, 2, MPI_INT64_T, 0, TAG_HEADER, MPI_COMM_WORLD, &request);
  wait_politely (&request);
  send_bytes (data, length, TAG_DATA);
}

/* Rank 0: the outcome of rank @from; a failure goes into @error (the first
 * one only). */
static GBytes *
receive_outcome (int      from,
                 GError **error)
{
  gint64 header[2];
  MPI_Request request;
  guint8 *data;

  MPI_Irecv (header, 2, MPI_INT64_T, from, TAG_HEADER, MPI_COMM_WORLD, &request);
  wait_politely (&request);
  data = g_malloc (MAX (header[1], 1) + 1);
  receive_bytes (data, header[1], from, TAG_DATA);
  if (header[0] == 0)
    return g_bytes_new_take (data, header[1]);
  data[header[1]] = '\0';
  if (error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, (const char *) data);
  g_free (data);
  return NULL;
}

static int
broadcast_verdict (int failed)
{
  MPI_Request request;

  MPI_Ibcast (&failed, 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
  wait_politely (&request);
  return failed;
}

static gboolean
gather_root (GBytes       *payload,
             const GError *failure,
             GPtrArray   **payloads,
             GError      **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GError *first_failure = NULL;

  if (failure != NULL)
    {
      char host[MPI_MAX_PROCESSOR_NAME] = "";
      g_autofree char *message = NULL;
      int host_length;

      MPI_Get_processor_name (host, &host_length);
      message = failure_text (0, host, failure->message);
      first_failure = g_error_new_literal (failure->domain, failure->code, message);
    }
  g_ptr_array_add (all, payload != NULL ? g_bytes_ref (payload) : g_bytes_new (NULL, 0));
  /* Every rank is heard, also after a failure, so none waits forever. */
  for (int r = 1; r < size; r++)
    {
      GBytes *received = receive_outcome (r, &first_failure);

      g_ptr_array_add (all, received != NULL ? received : g_bytes_new (NULL, 0));
    }
  if (broadcast_verdict (first_failure != NULL))
    {
      g_propagate_error (error, first_failure);
      return FALSE;
    }
  *payloads = g_steal_pointer (&all);
  return TRUE;
}

gboolean
hl_cli_mpi_gather (GBytes       *payload,
                   const GError *failure,
                   GPtrArray   **payloads,
                   GError      **error)
{
  g_return_val_if_fail (payloads != NULL && *payloads == NULL, FALSE);

  if (size == 1)
    return gather_local (payload, failure, payloads, error);
  if (rank == 0)
    return gather_root (payload, failure, payloads, error);
  send_outcome (payload, failure);
  if (broadcast_verdict (0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("a rank of the run failed; rank 0 reports which"));
      return FALSE;
    }
  return TRUE;
}

#else /* !HL_HAVE_MPI */

gboolean
hl_cli_mpi_init (int      *argc,
                 char   ***argv,
                 GError  **error)
{
  if (!started_by_launcher ())
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("this headlens-cli was built without MPI, so every process an MPI "
                         "launcher starts would do all the work: build it with "
                         "meson setup -Dmpi=enabled, or run it without mpirun"));
  return FALSE;
}

void
hl_cli_mpi_finalize (void)
{
}

gboolean
hl_cli_mpi_gather (GBytes       *payload,
                   const GError *failure,
                   GPtrArray   **payloads,
                   GError      **error)
{
  g_return_val_if_fail (payloads != NULL && *payloads == NULL, FALSE);

  return gather_local (payload, failure, payloads, error);
}

#endif /* HL_HAVE_MPI */
