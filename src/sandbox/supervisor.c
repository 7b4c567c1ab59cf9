/* supervisor.c - fork workers, pass their channels to the front, replace them. */
#include "sandbox/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MG_SUPERVISOR_RESPAWN_PAUSE_US 100000

/* Control messages to the front: 'W' + pid with the worker's descriptor,
 * or 'F' + a one-line reason. */
static gboolean
send_worker (int ctl, int fd, pid_t pid)
{
  char buf[1 + sizeof (guint32)];
  guint32 be = GUINT32_TO_BE ((guint32) pid);
  struct iovec iov = { buf, sizeof buf };
  union {
    struct cmsghdr h;
    char space[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  struct msghdr msg = { 0 };
  struct cmsghdr *c;

  buf[0] = 'W';
  memcpy (buf + 1, &be, sizeof be);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.space;
  msg.msg_controllen = sizeof control.space;
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  return sendmsg (ctl, &msg, MSG_NOSIGNAL) == (ssize_t) sizeof buf;
}

void
mg_sandbox_supervisor_fail (int ctl, const char *reason)
{
  g_autofree char *msg = g_strconcat ("F", reason, NULL);

  if (send (ctl, msg, strlen (msg), MSG_NOSIGNAL) < 0)
    g_warning ("supervisor: cannot report failure: %s", g_strerror (errno));
}

static void G_GNUC_NORETURN
worker_main (int fd, const MgSandboxLimits *limits, gsize max_frame, MgSandboxJobFunc job,
             gpointer ctx)
{
  g_autoptr (GError) error = NULL;

  if (!mg_sandbox_enter (limits, &error)) {
    g_warning ("worker: %s", error->message);
    _exit (70);
  }
  for (;;) {
    g_autoptr (MgIpcFrame) request = mg_ipc_frame_recv (fd, max_frame, -1, NULL);
    g_autoptr (MgIpcFrame) reply = NULL;
    if (request == NULL || mg_ipc_frame_type (request) != MG_IPC_JOB)
      _exit (0);   /* the front retired us, or is gone */
    reply = job (ctx, request);
    if (!mg_ipc_frame_send (fd, reply, NULL))
      _exit (0);
  }
}

typedef struct {
  int ctl;
  const MgSandboxLimits *limits;
  gsize max_frame;
  MgSandboxJobFunc job;
  gpointer ctx;
  GHashTable *pids;   /* live worker pids */
} MgSupervisor;

static gboolean
spawn_worker (MgSupervisor *s)
{
  int sv[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return FALSE;
  pid = fork ();
  if (pid == 0) {
    close (s->ctl);
    close (sv[0]);
    worker_main (sv[1], s->limits, s->max_frame, s->job, s->ctx);
  }
  close (sv[1]);
  if (pid > 0 && !send_worker (s->ctl, sv[0], pid)) {
    kill (pid, SIGKILL);
  }
  close (sv[0]);
  if (pid < 0)
    return FALSE;
  g_hash_table_add (s->pids, GINT_TO_POINTER (pid));
  return TRUE;
}

static void
reap (MgSupervisor *s)
{
  pid_t pid;
  int status;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0) {
    g_hash_table_remove (s->pids, GINT_TO_POINTER (pid));
    mg_sandbox_remove_tmp ((int) pid);
    if (WIFSIGNALED (status) && WTERMSIG (status) != SIGKILL)
      g_warning ("worker %d ended by signal %d (replaced)", (int) pid, WTERMSIG (status));
  }
}

/* TRUE while the front keeps the control channel open. */
static gboolean
front_alive (int ctl, int timeout_ms)
{
  struct pollfd pfd = { ctl, POLLIN, 0 };
  char buf[64];

  if (poll (&pfd, 1, timeout_ms) <= 0)
    return TRUE;
  if (pfd.revents & (POLLHUP | POLLERR))
    return FALSE;
  return recv (ctl, buf, sizeof buf, MSG_DONTWAIT) != 0;
}

static void
stop_workers (MgSupervisor *s)
{
  GHashTableIter it;
  gpointer key;

  pid_t pid;

  g_hash_table_iter_init (&it, s->pids);
  while (g_hash_table_iter_next (&it, &key, NULL))
    kill (GPOINTER_TO_INT (key), SIGKILL);
  while ((pid = waitpid (-1, NULL, 0)) > 0)
    mg_sandbox_remove_tmp ((int) pid);
}

int
mg_sandbox_supervisor_run (int ctl, guint workers, const MgSandboxLimits *limits,
                           gsize max_frame, MgSandboxJobFunc job, gpointer ctx)
{
  MgSupervisor s = { ctl, limits, max_frame, job, ctx, g_hash_table_new (NULL, NULL) };

  signal (SIGPIPE, SIG_IGN);
  while (front_alive (ctl, 200)) {
    reap (&s);
    while (g_hash_table_size (s.pids) < workers) {
      if (!spawn_worker (&s)) {
        g_warning ("supervisor: cannot fork a worker: %s", g_strerror (errno));
        break;
      }
      g_usleep (g_hash_table_size (s.pids) < workers ? 0 : MG_SUPERVISOR_RESPAWN_PAUSE_US / 10);
    }
  }
  stop_workers (&s);
  g_hash_table_unref (s.pids);
  return 0;
}
