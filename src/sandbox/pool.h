/* pool.h - the front's side of the worker pool.
 *
 * The front (mugai-milter, the mugai CLI) never forks workers itself: at start
 * it runs a supervisor (fork + exec of its own program with ARGV, safe even
 * from a threaded process), which loads what the workers need once and forks
 * them. Each new worker reaches the front as a descriptor over a control
 * channel. A job goes to an idle worker; a worker that crashes, is killed by
 * seccomp or the deadline, or answers garbage ends that job with
 * MG_SANDBOX_ERROR_FAILED, and the supervisor forks a replacement. Workers are
 * retired after max_jobs jobs. Thread-safe.
 */
#pragma once
#include <glib.h>

#include "ipc/frame.h"

#define MG_SANDBOX_ERROR (mg_sandbox_error_quark ())
GQuark mg_sandbox_error_quark (void);
typedef enum {
  MG_SANDBOX_ERROR_SETUP,       /* the supervisor could not start (message says why) */
  MG_SANDBOX_ERROR_UNAVAILABLE, /* no worker in time: a fault of this machine */
  MG_SANDBOX_ERROR_FAILED,      /* the worker died or misbehaved on this job */
} MgSandboxError;

typedef struct {
  guint max_jobs;       /* jobs per worker before it is retired */
  int job_timeout_ms;   /* wall clock per job */
  int start_timeout_ms; /* for the supervisor's first worker */
  gsize max_frame;      /* largest reply accepted */
  guint workers;        /* how many workers the supervisor keeps (0: not known) */
} MgSandboxPoolSettings;

typedef struct MgSandboxPool MgSandboxPool;

/* Start the supervisor: ARGV (NULL-terminated) is exec'd after the string
 * "@CTL@" in it is replaced by the control descriptor's number. Waits for the
 * first worker. NULL with MG_SANDBOX_ERROR_SETUP and the supervisor's reason. */
MgSandboxPool *mg_sandbox_pool_new (char **argv, const MgSandboxPoolSettings *settings,
                                    GError **error);
/* Stop: workers get EOF, the supervisor sees the control channel close. */
void mg_sandbox_pool_free (MgSandboxPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgSandboxPool, mg_sandbox_pool_free)

/* Run JOB on a worker; the reply (owned by the caller) in *REPLY_R. When
 * PARTS_R is not NULL it gets the MG_IPC_PARTS frame the worker sent before
 * its reply, or NULL: set even when the job then fails, so that the caller
 * can still say what the job held. */
gboolean mg_sandbox_pool_run (MgSandboxPool *pool, const MgIpcFrame *job, MgIpcFrame **reply_r,
                              MgIpcFrame **parts_r, GError **error);
