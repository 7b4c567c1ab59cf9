/* sandbox.h - lock a worker process down before it reads untrusted input.
 *
 * One function, in an order a reader can check: leave root for an
 * unprivileged user (when started as root), make a private temporary
 * directory, forbid new privileges, set resource limits, confine writes to
 * that directory (Landlock, where the kernel has it), install the seccomp
 * allow-list. After it the process can compute, use the descriptors it holds,
 * read files, and write only inside its temporary directory (libclamav unpacks
 * archives into temporary files there), and fork a child that inherits all of
 * this (the PDF filter renders in one under lower limits); no socket,
 * connect, execve, kill or ptrace.
 * A forbidden system call kills the process (SIGSYS).
 */
#pragma once
#include <glib.h>
#include <sys/types.h>

typedef struct {
  gint64 max_memory_mb;   /* address space (not applied under AddressSanitizer) */
  gint64 max_cpu_seconds; /* CPU time of the whole worker life */
  gint64 max_open_files;
  gint64 max_file_size; /* bytes of any file written (temporary files) */
  uid_t uid;            /* the worker user ([milter] worker_user; never root) */
  gid_t gid;
  gint64 service_idle; /* seconds a service child waits for its worker's next
                          request (0: one request per service child) */
} MgSandboxLimits;

/* Enter the sandbox. FALSE with ERROR when a step fails: the caller must
 * then exit rather than read input unconfined. */
gboolean mg_sandbox_enter (const MgSandboxLimits *limits, GError **error);

/* The private temporary directory of worker PID is named from this prefix
 * (under g_get_tmp_dir()); the supervisor removes it when the worker ends. */
#define MG_SANDBOX_TMP_PREFIX "mugai-worker-"
void mg_sandbox_remove_tmp (int pid);
/* Remove the directories of workers that no longer exist (a supervisor that
 * was killed could not clean up after them). */
void mg_sandbox_remove_stale_tmp (void);
