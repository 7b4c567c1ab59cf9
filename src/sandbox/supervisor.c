/* supervisor.c - fork workers, pass their channels to the front, replace
 * them, and run the services workers may not run themselves. */
#include "sandbox/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/privs.h"

#define MG_SUPERVISOR_TICK_MS 200
#define MG_SERVICE_READ_TIMEOUT_MS 10000
#define MG_SERVICE_GRACE_MS 3000 /* for a service child to end once its worker is gone */

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

MgIpcFrame *
mg_sandbox_service_call (int service_fd, const MgIpcFrame *request, gsize max, int timeout_ms,
                         GError **error)
{
  if (!mg_ipc_frame_send (service_fd, request, error))
    return NULL;
  return mg_ipc_frame_recv (service_fd, max, timeout_ms, error);
}

typedef struct {
  int ctl;
  int sigchld; /* signalfd: a child ended, replace it at once */
  const MgSandboxLimits *limits;
  gsize max_frame;
  MgSandboxJobFunc job;
  MgSandboxServiceFunc service;
  gpointer ctx;
  GHashTable *workers;  /* worker pid -> supervisor's end of its service channel */
  GHashTable *services; /* service child pid -> worker pid it answers */
  GHashTable *busy;     /* worker pids with a service child running */
} MgSupervisor;

/* In a new child: drop the supervisor's channels and signal set-up. */
static void
child_reset (MgSupervisor *s)
{
  sigset_t all;

  close (s->ctl);
  close (s->sigchld);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
}

static int worker_channel = -1; /* in a worker: its job channel */

int
mg_sandbox_worker_channel (void)
{
  return worker_channel;
}

static void G_GNUC_NORETURN
worker_main (MgSupervisor *s, int fd, int service_fd)
{
  g_autoptr (GError) error = NULL;

  worker_channel = fd;

  if (!mg_sandbox_enter (s->limits, &error)) {
    g_warning ("worker: %s", error->message);
    _exit (70);
  }
  for (;;) {
    g_autoptr (MgIpcFrame) request = mg_ipc_frame_recv (fd, s->max_frame, -1, NULL);
    g_autoptr (MgIpcFrame) reply = NULL;
    if (request == NULL || (mg_ipc_frame_type (request) != MG_IPC_JOB_MAIL &&
                            mg_ipc_frame_type (request) != MG_IPC_JOB_FILE &&
                            mg_ipc_frame_type (request) != MG_IPC_JOB_PPAP))
      _exit (0); /* the front retired us, or is gone */
    reply = s->job (s->ctx, fd, service_fd, request);
    if (!mg_ipc_frame_send (fd, reply, NULL))
      _exit (0);
  }
}

static void
close_all_services (MgSupervisor *s)
{
  GHashTableIter it;
  gpointer fd;

  g_hash_table_iter_init (&it, s->workers);
  while (g_hash_table_iter_next (&it, NULL, &fd))
    close (GPOINTER_TO_INT (fd));
}

static gboolean
spawn_worker (MgSupervisor *s)
{
  int sv[2], svc[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return FALSE;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, svc) != 0) {
    close (sv[0]);
    close (sv[1]);
    return FALSE;
  }
  pid = fork ();
  if (pid == 0) {
    child_reset (s);
    close (sv[0]);
    close (svc[0]);
    close_all_services (s);
    worker_main (s, sv[1], svc[1]);
  }
  close (sv[1]);
  close (svc[1]);
  if (pid > 0 && !send_worker (s->ctl, sv[0], pid))
    kill (pid, SIGKILL);
  close (sv[0]);
  if (pid < 0) {
    close (svc[0]);
    return FALSE;
  }
  g_hash_table_insert (s->workers, GINT_TO_POINTER (pid), GINT_TO_POINTER (svc[0]));
  return TRUE;
}

static gboolean
write_proc (const char *name, const char *text)
{
  return g_file_set_contents_full (name, text, -1, G_FILE_SET_CONTENTS_NONE, 0, NULL);
}

/* A new, empty network namespace: directly when the kernel lets this user,
 * else inside a user namespace of its own that maps only this user (the
 * program run there gets no capability: its ids are not root). */
static void
isolate_network (void)
{
  g_autofree char *uid_map = g_strdup_printf ("%d %d 1\n", (int) getuid (), (int) getuid ());
  g_autofree char *gid_map = g_strdup_printf ("%d %d 1\n", (int) getgid (), (int) getgid ());

  gboolean ok;

  if (unshare (CLONE_NEWNET) == 0)
    return;
  /* /proc/self is root's while the process is not dumpable (it changed user) */
  prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
  ok = unshare (CLONE_NEWUSER | CLONE_NEWNET) == 0 &&
       write_proc ("/proc/self/setgroups", "deny") &&
       write_proc ("/proc/self/uid_map", uid_map) &&
       write_proc ("/proc/self/gid_map", gid_map);
  if (!ok)
    g_warning ("service: no network namespace: %s", g_strerror (errno));
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* TRUE when FD has a request within IDLE seconds. */
static gboolean
next_request (int fd, gint64 idle)
{
  struct pollfd p = { fd, POLLIN, 0 };
  int r;

  while ((r = poll (&p, 1, (int) MIN (idle, G_MAXINT / 1000) * 1000)) < 0 && errno == EINTR)
    ;
  return r > 0;
}

/* One request, answered; FALSE when the channel failed. */
static gboolean
serve_one (MgSupervisor *s, int fd)
{
  g_autoptr (MgIpcFrame) request = NULL;
  g_autoptr (MgIpcFrame) reply = NULL;

  request = mg_ipc_frame_recv (fd, s->max_frame, MG_SERVICE_READ_TIMEOUT_MS, NULL);
  if (request == NULL)
    return FALSE;
  reply = s->service (s->ctx, request);
  return mg_ipc_frame_send (fd, reply, NULL);
}

/* In a child of the supervisor: its worker's requests, answered, the first
 * one at once, the next ones while they come within service_idle. */
static void G_GNUC_NORETURN
service_main (MgSupervisor *s, int fd)
{
  g_autoptr (GError) error = NULL;
  gint64 idle = s->limits->service_idle;

  (void) setpgid (0, 0);
  if (!mg_privs_become_worker (s->limits->uid, s->limits->gid, &error)) {
    g_warning ("service: %s", error->message);
    _exit (70);
  }
  isolate_network ();
  while (serve_one (s, fd) && idle > 0 && next_request (fd, idle))
    ;
  (void) s->service (s->ctx, NULL);
  _exit (0);
}

static void
start_service (MgSupervisor *s, pid_t worker, int fd)
{
  pid_t pid = fork ();

  if (pid == 0) {
    child_reset (s);
    service_main (s, fd);
  }
  if (pid > 0)
    (void) setpgid (pid, pid); /* as the child does: no kill of the group misses */
  if (pid < 0) {
    g_warning ("supervisor: cannot fork a service: %s", g_strerror (errno));
    return;
  }
  g_hash_table_add (s->busy, GINT_TO_POINTER (worker));
  g_hash_table_insert (s->services, GINT_TO_POINTER (pid), GINT_TO_POINTER (worker));
}

static void
reap (MgSupervisor *s)
{
  pid_t pid;
  int status;
  gpointer worker, fd;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0) {
    if (g_hash_table_steal_extended (s->services, GINT_TO_POINTER (pid), NULL, &worker)) {
      kill (-pid, SIGKILL); /* whatever the service child left running */
      g_hash_table_remove (s->busy, worker);
      continue;
    }
    if (g_hash_table_steal_extended (s->workers, GINT_TO_POINTER (pid), NULL, &fd))
      close (GPOINTER_TO_INT (fd));
    g_hash_table_remove (s->busy, GINT_TO_POINTER (pid));
    mg_sandbox_remove_tmp ((int) pid);
    if (WIFSIGNALED (status) && WTERMSIG (status) != SIGKILL)
      g_warning ("worker %d ended by signal %d (replaced)", (int) pid, WTERMSIG (status));
  }
}

gboolean
mg_sandbox_supervisor_drop (const MgPrivsUsers *users, MgSandboxLimits *limits, GError **error)
{
  limits->uid = users->worker_uid;
  limits->gid = users->worker_gid;
  return mg_privs_enter_supervisor (users, error) && mg_privs_filter_supervisor (error);
}

/* A message from the front: 'K' + pid asks to kill one of our workers (the
 * front runs as another user and may not). FALSE when the front is gone. */
static gboolean
read_ctl (MgSupervisor *s)
{
  char buf[64];
  ssize_t n = recv (s->ctl, buf, sizeof buf, MSG_DONTWAIT);
  guint32 be;

  if (n == 0)
    return FALSE;
  if (n == 1 + (ssize_t) sizeof be && buf[0] == 'K') {
    memcpy (&be, buf + 1, sizeof be);
    if (g_hash_table_contains (s->workers, GUINT_TO_POINTER (GUINT32_FROM_BE (be))))
      kill ((pid_t) GUINT32_FROM_BE (be), SIGKILL);
  }
  return TRUE;
}

/* Wait for the control channel or a service request. FALSE once the front
 * has closed the control channel. */
static gboolean
serve (MgSupervisor *s)
{
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, g_hash_table_size (s->workers) + 2);
  g_autofree pid_t *owners = g_new0 (pid_t, g_hash_table_size (s->workers) + 2);
  struct signalfd_siginfo info;
  GHashTableIter it;
  gpointer pid, fd;
  guint n = 1;

  fds[0] = (struct pollfd){ s->ctl, POLLIN, 0 };
  fds[n++] = (struct pollfd){ s->sigchld, POLLIN, 0 };
  g_hash_table_iter_init (&it, s->workers);
  while (g_hash_table_iter_next (&it, &pid, &fd))
    if (!g_hash_table_contains (s->busy, pid)) {
      owners[n] = GPOINTER_TO_INT (pid);
      fds[n++] = (struct pollfd){ GPOINTER_TO_INT (fd), POLLIN, 0 };
    }
  if (poll (fds, n, MG_SUPERVISOR_TICK_MS) <= 0)
    return TRUE;
  if ((fds[0].revents & (POLLHUP | POLLERR)) || ((fds[0].revents & POLLIN) && !read_ctl (s)))
    return FALSE;
  while (read (s->sigchld, &info, sizeof info) == (ssize_t) sizeof info)
    ; /* reaped by the caller's loop */
  for (guint i = 2; i < n; i++)
    if (fds[i].revents & POLLIN)
      start_service (s, owners[i], fds[i].fd);
  return TRUE;
}

/* Wait up to MG_SERVICE_GRACE_MS for the service children to end by
 * themselves (their workers gone, they release what they keep). */
static void
await_services (MgSupervisor *s)
{
  gint64 deadline = g_get_monotonic_time () + MG_SERVICE_GRACE_MS * 1000;
  pid_t pid;

  while (g_hash_table_size (s->services) > 0 && g_get_monotonic_time () < deadline) {
    while ((pid = waitpid (-1, NULL, WNOHANG)) > 0)
      if (g_hash_table_remove (s->services, GINT_TO_POINTER (pid)))
        kill (-pid, SIGKILL);
      else
        mg_sandbox_remove_tmp ((int) pid);
    g_usleep (20000);
  }
}

static void
stop_all (MgSupervisor *s)
{
  GHashTableIter it;
  gpointer key;
  pid_t pid;

  g_hash_table_iter_init (&it, s->workers);
  while (g_hash_table_iter_next (&it, &key, NULL))
    kill (GPOINTER_TO_INT (key), SIGKILL);
  close_all_services (s);
  await_services (s);
  g_hash_table_iter_init (&it, s->services);
  while (g_hash_table_iter_next (&it, &key, NULL)) {
    kill (GPOINTER_TO_INT (key), SIGKILL);
    kill (-GPOINTER_TO_INT (key), SIGKILL); /* and what it left running in its group */
  }
  while ((pid = waitpid (-1, NULL, 0)) > 0)
    mg_sandbox_remove_tmp ((int) pid);
}

int
mg_sandbox_supervisor_run (int ctl, guint workers, const MgSandboxLimits *limits,
                           gsize max_frame, MgSandboxJobFunc job, MgSandboxServiceFunc service,
                           gpointer ctx)
{
  MgSupervisor s = { ctl,
                     -1,
                     limits,
                     max_frame,
                     job,
                     service,
                     ctx,
                     g_hash_table_new (NULL, NULL),
                     g_hash_table_new (NULL, NULL),
                     g_hash_table_new (NULL, NULL) };
  sigset_t chld;

  signal (SIGPIPE, SIG_IGN);
  mg_sandbox_remove_stale_tmp ();
  sigemptyset (&chld);
  sigaddset (&chld, SIGCHLD);
  sigprocmask (SIG_BLOCK, &chld, NULL);
  s.sigchld = signalfd (-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  do {
    reap (&s);
    while (g_hash_table_size (s.workers) < workers && spawn_worker (&s))
      ;
  } while (serve (&s));
  stop_all (&s);
  close (s.sigchld);
  g_hash_table_unref (s.workers);
  g_hash_table_unref (s.services);
  g_hash_table_unref (s.busy);
  return 0;
}
