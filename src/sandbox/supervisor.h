/* supervisor.h - the process that forks and replaces sandboxed workers.
 *
 * Runs single-threaded in its own process (exec'd by the front), so forking
 * is safe; loads what workers share once (the caller's setup, before this is
 * called), forks WORKERS workers, hands each one's channel to the front, and
 * forks a replacement whenever one exits. It never reads untrusted input. It
 * exits when the front closes the control channel.
 */
#pragma once
#include <glib.h>

#include "ipc/frame.h"
#include "sandbox/privs.h"
#include "sandbox/sandbox.h"

/* One job in a worker, already inside its sandbox: JOB in, the reply out
 * (never NULL). SERVICE_FD reaches the supervisor (mg_sandbox_service_call);
 * FRONT_FD is the job's channel, on which the job may send one MG_IPC_PARTS
 * frame before its reply (mg_ipc_frame_send), so that the front can name
 * what the job held even if the worker dies later. */
typedef MgIpcFrame *(*MgSandboxJobFunc) (gpointer ctx, int front_fd, int service_fd,
                                         const MgIpcFrame *job);

/* What a worker may not do itself (start LibreOffice): run by the supervisor
 * in a child process of its own, outside the seccomp profile but in a new,
 * empty network namespace where the kernel allows it. REQUEST in, reply out
 * (never NULL). The service child leads a process group of its own, killed
 * whole when it ends. With limits' service_idle it serves its worker's
 * further requests until that many seconds pass without one (what it keeps
 * between requests, such as a running LibreOffice, stays in its namespace
 * and group); its last call has REQUEST NULL: release what is kept, the
 * return value is ignored (may be NULL). */
typedef MgIpcFrame *(*MgSandboxServiceFunc) (gpointer ctx, const MgIpcFrame *request);

/* From a worker: send REQUEST to the supervisor and wait for the reply (at
 * most MAX bytes, TIMEOUT_MS). NULL with ERROR. */
MgIpcFrame *mg_sandbox_service_call (int service_fd, const MgIpcFrame *request, gsize max,
                                     int timeout_ms, GError **error);

/* In a worker: the channel its jobs come in on and its replies go out on
 * (for tests that must write raw bytes there); -1 in any other process. */
int mg_sandbox_worker_channel (void);

/* Tell the front that start-up failed (REASON, one line). */
void mg_sandbox_supervisor_fail (int ctl, const char *reason);

/* After loading what the workers share: take the users' ids (see privs.h),
 * set LIMITS' worker user, no_new_privs and the supervisor's seccomp filter.
 * FALSE with ERROR: the supervisor must fail. */
gboolean mg_sandbox_supervisor_drop (const MgPrivsUsers *users, MgSandboxLimits *limits,
                                     GError **error);

/* Serve until the front goes away; returns the exit status. */
int mg_sandbox_supervisor_run (int ctl, guint workers, const MgSandboxLimits *limits,
                               gsize max_frame, MgSandboxJobFunc job,
                               MgSandboxServiceFunc service, gpointer ctx);
