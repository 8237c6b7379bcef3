/* hl-cli-mpi.h: the MPI ranks of one command, `mpirun -n K headlens-cli
 * analyze …` or `… extract --corpus …`.
 *
 * MPI is an optional build feature (meson -Dmpi=enabled, Open MPI on
 * Debian). Without it, or when the program was not started by an MPI
 * launcher, there is one rank, 0 of 1, and every call here is local. Only
 * the main thread calls MPI (MPI_THREAD_FUNNELED); waits for other ranks
 * sleep between tests instead of spinning, so a rank that finished early
 * leaves the cores to the ranks still computing on the same machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Initialises MPI when an MPI launcher started the process; fails when it
 * did but this build has no MPI (each rank would then do all the work). */
gboolean hl_cli_mpi_init       (int        *argc,
                                char     ***argv,
                                GError    **error);
void     hl_cli_mpi_finalize   (void);
int      hl_cli_mpi_rank       (void);
int      hl_cli_mpi_size       (void);
/* The ranks on this machine, which share its cores. */
int      hl_cli_mpi_local_size (void);
/* The share of rank @rank among @size ranks of @n items: the contiguous
 * items [*first, *first + *count). */
void     hl_cli_mpi_share      (int         n,
                                int         rank,
                                int         size,
                                int        *first,
                                int        *count);

/* Collective: every rank gives its @payload, or its @failure (then
 * @payload is ignored). When no rank failed, rank 0 gets every rank's
 * payload in rank order in *@payloads (other ranks get NULL) and each
 * returns TRUE. Otherwise every rank returns FALSE; rank 0's error is the
 * first failed rank's, prefixed with "rank R on HOST: ", the others' says
 * that a rank failed. */
gboolean hl_cli_mpi_gather     (GBytes       *payload,
                                const GError *failure,
                                GPtrArray   **payloads,
                                GError      **error);

G_END_DECLS
