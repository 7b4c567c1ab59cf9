/* pool.c - the front's side: start the supervisor, hand jobs to workers. */
#include "sandbox/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/privs.h"
#include "util/fdio.h"

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-sandbox-error-quark, mg_sandbox_error)
/* clang-format on */

#define MG_POOL_WAIT_STEP_US 5000

typedef struct {
  int fd;
  pid_t pid;
  guint jobs;
  gboolean busy;
} MgWorker;

struct MgSandboxPool {
  MgSandboxPoolSettings settings;
  int ctl;
  pid_t supervisor;
  GMutex lock;
  GCond freed;        /* a worker became idle */
  GPtrArray *workers; /* MgWorker * */
  guint most;         /* the most workers held at once */
  char *fatal;        /* the supervisor's start-up failure */
};

static void
worker_close (MgWorker *w)
{
  mg_clear_fd (&w->fd);
  g_free (w);
}

/* Read every control message waiting: new workers, or a fatal reason. */
static void
drain_ctl (MgSandboxPool *pool)
{
  for (;;) {
    char buf[512];
    union {
      struct cmsghdr h;
      char space[CMSG_SPACE (sizeof (int))];
    } control;
    struct iovec iov = { buf, sizeof buf - 1 };
    struct msghdr msg = { .msg_iov = &iov,
                          .msg_iovlen = 1,
                          .msg_control = control.space,
                          .msg_controllen = sizeof control.space };
    ssize_t n = recvmsg (pool->ctl, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
    if (n <= 0)
      return;
    if (buf[0] == 'F') {
      buf[n] = '\0';
      g_free (pool->fatal);
      pool->fatal = g_strdup (buf + 1);
    } else if (buf[0] == 'W' && n == 5 && c != NULL && c->cmsg_type == SCM_RIGHTS) {
      MgWorker *w = g_new0 (MgWorker, 1);
      guint32 be;
      memcpy (&w->fd, CMSG_DATA (c), sizeof (int));
      memcpy (&be, buf + 1, sizeof be);
      w->pid = (pid_t) GUINT32_FROM_BE (be);
      g_ptr_array_add (pool->workers, w);
      pool->most = MAX (pool->most, pool->workers->len);
    }
  }
}

static char **
expand_argv (char **argv, int ctl)
{
  guint n = g_strv_length (argv);
  char **out = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    out[i] = g_str_equal (argv[i], "@CTL@") ? g_strdup_printf ("%d", ctl) : g_strdup (argv[i]);
  return out;
}

/* fork + exec: between them only async-signal-safe calls, so this is safe
 * from a process that already runs threads (a reload in the milter). */
static pid_t
spawn_supervisor (char **argv, int child_ctl)
{
  g_auto (GStrv) args = expand_argv (argv, child_ctl);
  pid_t pid = fork ();

  if (pid == 0) {
    mg_privs_carry_saved_ids ();
    fcntl (child_ctl, F_SETFD, 0);
    execv (mg_privs_self_exe, args); /* the only execve the front's filter allows */
    _exit (127);
  }
  return pid;
}

static gboolean
wait_first_worker (MgSandboxPool *pool, GError **error)
{
  gint64 deadline = g_get_monotonic_time () +
                    pool->settings.start_timeout_ms * G_GINT64_CONSTANT (1000);

  while (g_get_monotonic_time () < deadline) {
    drain_ctl (pool);
    if (pool->workers->len > 0)
      return TRUE;
    if (pool->fatal != NULL || waitpid (pool->supervisor, NULL, WNOHANG) != 0)
      break;
    g_usleep (MG_POOL_WAIT_STEP_US);
  }
  g_set_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_SETUP, "%s",
               pool->fatal != NULL ? pool->fatal : "the sandbox supervisor did not start");
  return FALSE;
}

MgSandboxPool *
mg_sandbox_pool_new (char **argv, const MgSandboxPoolSettings *settings, GError **error)
{
  g_autoptr (MgSandboxPool) pool = g_new0 (MgSandboxPool, 1);
  int sv[2];

  signal (SIGPIPE, SIG_IGN); /* a dead worker is an error return, not a signal */
  pool->settings = *settings;
  pool->ctl = -1;
  pool->supervisor = -1;
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->freed);
  pool->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_close);
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    g_set_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_SETUP, "socketpair: %s",
                 g_strerror (errno));
    return NULL;
  }
  pool->ctl = sv[0];
  pool->supervisor = spawn_supervisor (argv, sv[1]);
  close (sv[1]);
  if (pool->supervisor < 0 || !wait_first_worker (pool, error)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_SETUP, "fork: %s",
                   g_strerror (errno));
    return NULL;
  }
  return g_steal_pointer (&pool);
}

void
mg_sandbox_pool_free (MgSandboxPool *pool)
{
  if (pool == NULL)
    return;
  g_clear_pointer (&pool->workers, g_ptr_array_unref);
  mg_clear_fd (&pool->ctl);
  if (pool->supervisor > 0)
    waitpid (pool->supervisor, NULL, 0);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->freed);
  g_free (pool->fatal);
  g_free (pool);
}

static MgWorker *
take_idle (MgSandboxPool *pool)
{
  for (guint i = 0; i < pool->workers->len; i++) {
    MgWorker *w = g_ptr_array_index (pool->workers, i);
    if (!w->busy) {
      w->busy = TRUE;
      return w;
    }
  }
  return NULL;
}

static gboolean
has_idle (MgSandboxPool *pool)
{
  for (guint i = 0; i < pool->workers->len; i++)
    if (!((MgWorker *) g_ptr_array_index (pool->workers, i))->busy)
      return TRUE;
  return FALSE;
}

/* Whether a worker is on its way: the pool holds fewer than it once did
 * (one retired or died) or than the supervisor keeps (at start, the others
 * arrive after the first). */
static gboolean
expecting (MgSandboxPool *pool)
{
  return pool->workers->len < MAX (pool->most, pool->settings.workers);
}

/* An idle worker, waiting for one to be released (signalled) or to arrive
 * from the supervisor (the control channel, looked at every wait step while
 * one is expected). With all workers there, only a release can free one:
 * the waiter sleeps until signalled, instead of waking every step to find
 * them all still busy. */
static MgWorker *
acquire (MgSandboxPool *pool, GError **error)
{
  gint64 deadline = g_get_monotonic_time () +
                    pool->settings.job_timeout_ms * G_GINT64_CONSTANT (1000);
  MgWorker *w = NULL;

  g_mutex_lock (&pool->lock);
  for (;;) {
    drain_ctl (pool);
    w = take_idle (pool);
    if (w != NULL || g_get_monotonic_time () >= deadline)
      break;
    if (expecting (pool))
      g_cond_wait_until (&pool->freed, &pool->lock,
                         MIN (deadline, g_get_monotonic_time () + MG_POOL_WAIT_STEP_US));
    else
      g_cond_wait_until (&pool->freed, &pool->lock, deadline);
  }
  if (w != NULL && has_idle (pool)) /* a worker drained here: pass it on to a sleeper */
    g_cond_signal (&pool->freed);
  g_mutex_unlock (&pool->lock);
  if (w == NULL)
    g_set_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_UNAVAILABLE,
                 "no sanitiser worker became free in time");
  return w;
}

/* Kill worker PID: directly when it runs as this process's user, else (it is
 * [milter] worker_user) through the supervisor. */
static void
kill_worker (MgSandboxPool *pool, pid_t pid)
{
  char msg[1 + sizeof (guint32)] = { 'K' };
  guint32 be = GUINT32_TO_BE ((guint32) pid);

  if (kill (pid, SIGKILL) == 0)
    return;
  memcpy (msg + 1, &be, sizeof be);
  if (send (pool->ctl, msg, sizeof msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
    g_warning ("cannot have worker %d killed: %s", (int) pid, g_strerror (errno));
}

/* Give W back, or retire it: after a failure (killed first) or max_jobs. */
static void
release (MgSandboxPool *pool, MgWorker *w, gboolean failed)
{
  if (failed)
    kill_worker (pool, w->pid);
  g_mutex_lock (&pool->lock);
  if (failed || ++w->jobs >= pool->settings.max_jobs)
    g_ptr_array_remove (pool->workers, w); /* closes: the worker sees EOF */
  else
    w->busy = FALSE;
  g_cond_signal (&pool->freed);
  g_mutex_unlock (&pool->lock);
}

/* The reply to a job, after at most one MG_IPC_PARTS frame (kept in
 * *PARTS_R), all within the job's deadline. */
static MgIpcFrame *
receive_reply (MgSandboxPool *pool, int fd, MgIpcFrame **parts_r, GError **error)
{
  gint64 deadline = g_get_monotonic_time () +
                    pool->settings.job_timeout_ms * G_GINT64_CONSTANT (1000);

  for (;;) {
    gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
    MgIpcFrame *frame = mg_ipc_frame_recv (fd, pool->settings.max_frame,
                                           (int) MAX (left_ms, 0), error);
    if (frame == NULL || mg_ipc_frame_type (frame) != MG_IPC_PARTS)
      return frame;
    if (*parts_r != NULL) {
      mg_ipc_frame_free (frame);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a second list of parts");
      return NULL;
    }
    *parts_r = frame;
  }
}

gboolean
mg_sandbox_pool_run (MgSandboxPool *pool, const MgIpcFrame *job, MgIpcFrame **reply_r,
                     MgIpcFrame **parts_r, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (MgIpcFrame) parts = NULL;
  MgWorker *w = acquire (pool, error);
  MgIpcFrame *reply = NULL;
  pid_t pid;

  if (parts_r != NULL)
    *parts_r = NULL;
  if (w == NULL)
    return FALSE;
  pid = w->pid;
  if (mg_ipc_frame_send (w->fd, job, &local))
    reply = receive_reply (pool, w->fd, &parts, &local);
  release (pool, w, reply == NULL);
  if (parts_r != NULL)
    *parts_r = g_steal_pointer (&parts);
  if (reply == NULL) {
    g_set_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_FAILED, "sanitiser worker %d: %s",
                 (int) pid, local->message);
    return FALSE;
  }
  *reply_r = reply;
  return TRUE;
}
