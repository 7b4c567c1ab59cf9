/* test_sandbox.c - hostile jobs in real sandboxed workers.
 *
 * This program is its own front and, exec'd with the supervisor argument,
 * its own supervisor: the workers run a job function that misbehaves on
 * request (crash, endless loop, unbounded allocation, connect(), execve(),
 * writing outside its temporary directory, a forked child that tries execve()). Each must end
 * that job with MG_SANDBOX_ERROR_FAILED or be refused by the kernel, and the pool must go on
 * serving the next job.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pwd.h>
#include <unistd.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "sandbox/pool.h"
#include "sandbox/privs.h"
#include "sandbox/supervisor.h"

#define SUPERVISOR_ARG "--test-supervisor"
#define SLOW_SUPERVISOR_ARG "--test-slow-supervisor"

static MgIpcFrame *
reply_text (const char *text)
{
  MgIpcFrame *reply = mg_ipc_frame_new (MG_IPC_RESULT_MAIL);

  mg_ipc_frame_add_str (reply, MG_IPC_F_REASON, text);
  return reply;
}

static MgIpcFrame *
try_connect (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0); /* seccomp kills here */
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (25) };

  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  connect (fd, (struct sockaddr *) &sa, sizeof sa);
  return reply_text ("connected");
}

static MgIpcFrame *
try_write (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd < 0)
    return reply_text (errno == EACCES || errno == EPERM ? "denied" : g_strerror (errno));
  close (fd);
  return reply_text ("written");
}

/* fork (): the child inherits the filter (it cannot execve either) and its
 * end is seen by wait4. */
static MgIpcFrame *
try_fork (void)
{
  int status = 0;
  pid_t pid = fork ();

  if (pid == 0) {
    alarm (60); /* the child's own deadline, as src/filters/pdf_child.c sets */
    execl ("/bin/true", "true", NULL);
    _exit (3);
  }
  if (pid < 0 || waitpid (pid, &status, 0) != pid)
    return reply_text ("no child");
  if (WIFSIGNALED (status))
    return reply_text (WTERMSIG (status) == SIGSYS ? "child stopped by seccomp"
                                                   : "child killed");
  return reply_text ("child exited");
}

/* The supervisor's service: start a program, as LibreOffice needs to. */
static MgIpcFrame *
service (gpointer ctx, const MgIpcFrame *request)
{
  g_autofree char *out = NULL;
  (void) ctx;
  (void) request;
  if (!g_spawn_command_line_sync ("echo served", &out, NULL, NULL, NULL))
    return reply_text ("spawn failed");
  return reply_text (g_strstrip (out));
}

/* The list of parts a job sends before its risky work. */
static void
send_parts (int front_fd, const char *list)
{
  g_autoptr (MgIpcFrame) parts = mg_ipc_frame_new (MG_IPC_PARTS);

  mg_ipc_frame_add_str (parts, MG_IPC_F_PARTS, list);
  mg_ipc_frame_send (front_fd, parts, NULL);
}

static MgIpcFrame *
hostile_job (gpointer ctx, int front_fd, int service_fd, const MgIpcFrame *job)
{
  g_autofree char *queue_id = mg_ipc_frame_get_str (job, MG_IPC_F_QUEUE_ID);
  const char *what = queue_id;
  (void) ctx;

  if (g_str_has_prefix (what, "parts-")) { /* list, then do the rest */
    send_parts (front_fd, "listed");
    what += strlen ("parts-");
  }
  if (g_str_equal (what, "twice"))
    send_parts (front_fd, "again");

  if (g_str_equal (what, "service")) {
    g_autoptr (MgIpcFrame) request = mg_ipc_frame_new (MG_IPC_CONVERT);
    MgIpcFrame *reply = mg_sandbox_service_call (service_fd, request, 4096, 10000, NULL);
    return reply != NULL ? reply : reply_text ("no reply");
  }
  if (g_str_equal (what, "ids")) {
    g_autofree char *ids = g_strdup_printf ("%d %d", (int) getuid (), (int) geteuid ());
    return reply_text (ids);
  }
  if (g_str_equal (what, "signal")) /* the supervisor: seccomp kills here */
    syscall (SYS_tgkill, getppid (), getppid (), SIGTERM);
  if (g_str_equal (what, "crash"))
    raise (SIGSEGV);
  if (g_str_equal (what, "loop"))
    for (volatile int i = 0;; i++)
      ;
  if (g_str_equal (what, "alloc"))
    for (;;)
      memset (g_malloc (64 << 20), 1, 64 << 20);
  if (g_str_equal (what, "connect"))
    return try_connect ();
  if (g_str_equal (what, "exec"))
    execl ("/bin/true", "true", NULL);
  if (g_str_equal (what, "fork"))
    return try_fork ();
  if (g_str_equal (what, "write"))
    return try_write (g_getenv ("MUGAI_TEST_OUTSIDE"));
  if (g_str_equal (what, "tmpwrite")) {
    g_autofree char *p = g_build_filename (g_getenv ("TMPDIR"), "scratch", NULL);
    return try_write (p);
  }
  return reply_text ("ok");
}

static MgSandboxPool *pool;

/* *PARTS_R (when not NULL): the list of parts the job sent, or NULL. */
static gboolean
run_listed (const char *what, char **answer_r, char **parts_r, GError **error)
{
  g_autoptr (MgIpcFrame) job = mg_ipc_frame_new (MG_IPC_JOB_MAIL);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (MgIpcFrame) parts = NULL;
  gboolean ok;

  mg_ipc_frame_add_str (job, MG_IPC_F_QUEUE_ID, what);
  ok = mg_sandbox_pool_run (pool, job, &reply, &parts, error);
  if (parts_r != NULL)
    *parts_r = parts != NULL ? mg_ipc_frame_get_str (parts, MG_IPC_F_PARTS) : NULL;
  if (!ok)
    return FALSE;
  *answer_r = mg_ipc_frame_get_str (reply, MG_IPC_F_REASON);
  return TRUE;
}

static gboolean
run (const char *what, char **answer_r, GError **error)
{
  return run_listed (what, answer_r, NULL, error);
}

static void
assert_answer (const char *what, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;

  g_assert_true (run (what, &answer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (answer, ==, expected);
}

/* Started as root, workers run as _mugai-worker (not nobody, never root). */
static void
test_worker_user (void)
{
  struct passwd *pw = getpwnam ("_mugai-worker");
  g_autofree char *expected = NULL;

  if (getuid () != 0) {
    expected = g_strdup_printf ("%d %d", (int) getuid (), (int) getuid ());
    assert_answer ("ids", expected);
    return;
  }
  g_assert_nonnull (pw); /* scripts/setup.sh creates it */
  expected = g_strdup_printf ("%d %d", (int) pw->pw_uid, (int) pw->pw_uid);
  assert_answer ("ids", expected);
}

static void
assert_job_failed (const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;

  g_assert_false (run (what, &answer, &error));
  g_assert_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_FAILED);
  assert_answer ("ok", "ok"); /* the pool goes on serving */
}

static void
test_stopped (gconstpointer what)
{
  assert_job_failed (what);
}

/* A worker that listed its parts and then died: the job fails, and the front
 * still has the list. A list without a later failure comes with the reply. */
static void
test_parts_survive (gconstpointer what)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *parts = NULL;
  g_autofree char *job = g_strconcat ("parts-", what, NULL);

  g_assert_false (run_listed (job, &answer, &parts, &error));
  g_assert_error (error, MG_SANDBOX_ERROR, MG_SANDBOX_ERROR_FAILED);
  g_assert_cmpstr (parts, ==, "listed");
  g_clear_pointer (&parts, g_free);
  g_assert_true (run_listed ("parts-ok", &answer, &parts, NULL));
  g_assert_cmpstr (answer, ==, "ok");
  g_assert_cmpstr (parts, ==, "listed");
}

/* Two lists for one job is a protocol error: the job fails. */
static void
test_parts_twice (void)
{
  assert_job_failed ("parts-twice");
}

static void
test_write_confined (void)
{
  g_autofree char *outside = g_build_filename (g_getenv ("MUGAI_TEST_DIR"), "outside", NULL);

  assert_answer ("write", "denied");
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
  assert_answer ("tmpwrite", "written");
}

static void
test_fork (void)
{
  assert_answer ("fork", "child stopped by seccomp");
}

/* A worker cannot start a program, but its supervisor runs one for it. */
static void
test_service (void)
{
  assert_answer ("service", "served");
}

static void
test_ipc_strict (void)
{
  g_autoptr (GError) error = NULL;
  const guint8 bad[] = { 0x4d, 0x47, 0x00, 0x03, 0, 0, 0, 8, 0, 0, 0, 99, 0, 0, 0, 0 };
  const guint8 overrun[] = { 0x4d, 0x47, 0x00, 0x03, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 9, 0 };

  g_assert_null (mg_ipc_frame_decode (bad, sizeof bad, &error));
  g_clear_error (&error);
  g_assert_null (mg_ipc_frame_decode (overrun, sizeof overrun, &error));
  g_assert_nonnull (error);
}

/* --- mg_privs_adopt and a name swapped under it --------------------------
 * The quarantine's owner may rename entries of its folder at any time: here,
 * just before root changes an entry's owner, the entry becomes a hard link to
 * a root file elsewhere (what fs.protected_hardlinks=0 lets a user make). */
static const char *swap_dir, *swap_target;
static gboolean swap_folder; /* rename SWAP_TARGET over the entry, else link it */

int
fchownat (int dirfd, const char *name, uid_t uid, gid_t gid, int flags)
{
  if (swap_target != NULL) {
    g_autofree char *entry = g_build_filename (swap_dir, "held", NULL);
    g_autofree char *aside = g_strconcat (swap_dir, ".aside", NULL);
    if (swap_folder) {
      g_assert_cmpint (rename (entry, aside), ==, 0);
      g_assert_cmpint (rename (swap_target, entry), ==, 0);
    } else {
      g_assert_cmpint (unlink (entry), ==, 0);
      g_assert_cmpint (link (swap_target, entry), ==, 0);
    }
    swap_target = NULL;
  }
  return (int) syscall (SYS_fchownat, dirfd, name, uid, gid, flags);
}

/* The quarantine folder Q, of another user (nobody); FALSE (skipped) unless root. */
static gboolean
adopt_quarantine (const char *q)
{
  if (getuid () != 0) {
    g_test_skip ("needs root: only root changes a file's owner");
    return FALSE;
  }
  g_assert_cmpint (g_mkdir (q, 0700), ==, 0);
  g_assert_cmpint (chown (q, 65534, 65534), ==, 0);
  return TRUE;
}

static void
test_adopt_swapped_entry (void)
{
  g_autofree char *base = g_dir_make_tmp ("mugai-adopt-XXXXXX", NULL);
  g_autofree char *quarantine = g_build_filename (base, "q", NULL);
  g_autofree char *held = g_build_filename (quarantine, "held", NULL);
  g_autofree char *secret = g_build_filename (base, "secret", NULL);
  g_autoptr (GError) error = NULL;
  struct stat st;

  if (!adopt_quarantine (quarantine))
    return;
  g_assert_true (g_file_set_contents (held, "root left this", -1, NULL));
  g_assert_true (g_file_set_contents (secret, "root's own", -1, NULL));
  swap_dir = quarantine;
  swap_target = secret;
  g_assert_true (mg_privs_adopt (quarantine, &error));
  g_assert_no_error (error);
  g_assert_null (swap_target); /* the swap happened */
  g_assert_cmpint (stat (secret, &st), ==, 0);
  g_assert_cmpint (st.st_uid, ==, 0); /* the file outside keeps its owner */
  g_assert_cmpint (st.st_gid, ==, 0);
  g_assert_cmpint (unlink (held), ==, 0);
  g_assert_cmpint (unlink (secret), ==, 0);
  g_assert_cmpint (rmdir (quarantine), ==, 0);
  g_assert_cmpint (rmdir (base), ==, 0);
}

/* The same with a folder: root left q/held/, and as its owner is changed the
 * name becomes a folder from elsewhere holding a root file. */
static void
test_adopt_swapped_folder (void)
{
  g_autofree char *base = g_dir_make_tmp ("mugai-adopt-XXXXXX", NULL);
  g_autofree char *quarantine = g_build_filename (base, "q", NULL);
  g_autofree char *held = g_build_filename (quarantine, "held", NULL);
  g_autofree char *other = g_build_filename (base, "other", NULL);
  g_autofree char *secret = g_build_filename (other, "secret", NULL);
  g_autofree char *aside = g_strconcat (quarantine, ".aside", NULL);
  g_autofree char *kept = g_build_filename (aside, "kept", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", base);
  g_autofree char *kept_held = g_build_filename (held, "kept", NULL);
  g_autofree char *secret_held = g_build_filename (held, "secret", NULL);
  g_autoptr (GError) error = NULL;
  struct stat st;

  if (!adopt_quarantine (quarantine))
    return;
  g_assert_cmpint (g_mkdir (held, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0700), ==, 0);
  g_assert_true (g_file_set_contents (secret, "root's own", -1, NULL));
  swap_dir = quarantine;
  swap_target = other;
  swap_folder = TRUE;
  g_assert_true (g_file_set_contents (kept_held, "x", -1, NULL));
  g_assert_true (mg_privs_adopt (quarantine, &error));
  swap_folder = FALSE;
  g_assert_no_error (error);
  g_assert_null (swap_target);
  g_assert_cmpint (stat (secret_held, &st), ==, 0);
  g_assert_cmpint (st.st_uid, ==, 0); /* the folder from elsewhere was not entered */
  g_assert_cmpint (stat (kept, &st), ==, 0);
  g_assert_cmpint (st.st_uid, ==, 65534); /* the folder looked at was */
  g_assert_cmpint (system (cmd), ==, 0);
}

/* ---- a worker that arrives while a job already waits ---- */

static char *
test_path (const char *name)
{
  return g_build_filename (g_getenv ("MUGAI_TEST_DIR"), name, NULL);
}

/* A stand-in worker: answers "ok", after reading the FIFO "release" to its
 * end for the job "hold". */
static void
fake_worker (int fd)
{
  for (;;) {
    g_autoptr (MgIpcFrame) job = mg_ipc_frame_recv (fd, 1 << 20, -1, NULL);
    g_autoptr (MgIpcFrame) reply = reply_text ("ok");
    g_autofree char *what = NULL;
    if (job == NULL)
      _exit (0);
    what = mg_ipc_frame_get_str (job, MG_IPC_F_QUEUE_ID);
    if (g_str_equal (what, "hold")) {
      g_autofree char *path = test_path ("release");
      char c;
      int in = open (path, O_RDONLY);
      while (in >= 0 && read (in, &c, 1) > 0)
        ;
    }
    mg_ipc_frame_send (fd, reply, NULL);
  }
}

/* Fork a stand-in worker and hand its channel to the front over CTL. */
static pid_t
fake_spawn (int ctl)
{
  int sv[2];
  pid_t pid;
  char msg[5] = { 'W' };
  guint32 be;
  union {
    struct cmsghdr h;
    char space[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  struct iovec iov = { msg, sizeof msg };
  struct msghdr m = { .msg_iov = &iov,
                      .msg_iovlen = 1,
                      .msg_control = control.space,
                      .msg_controllen = sizeof control.space };
  struct cmsghdr *c = CMSG_FIRSTHDR (&m);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  pid = fork ();
  if (pid == 0) {
    close (ctl);
    close (sv[0]);
    fake_worker (sv[1]);
  }
  close (sv[1]);
  be = GUINT32_TO_BE ((guint32) pid);
  memcpy (msg + 1, &be, sizeof be);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &sv[0], sizeof (int));
  g_assert_cmpint (sendmsg (ctl, &m, 0), ==, sizeof msg);
  close (sv[0]);
  return pid;
}

/* A supervisor of two workers whose second arrives only once the FIFO
 * "more" is opened for writing; it ends when the front closes CTL. */
static int
slow_supervisor (int ctl)
{
  g_autofree char *more = test_path ("more");
  pid_t first = fake_spawn (ctl), second;
  char c;
  int in = open (more, O_RDONLY);

  close (in);
  second = fake_spawn (ctl);
  while (read (ctl, &c, 1) > 0)
    ;
  kill (first, SIGKILL);
  kill (second, SIGKILL);
  while (wait (NULL) > 0)
    ;
  return 0;
}

typedef struct {
  MgSandboxPool *pool;
  const char *what;
  gint tid;
} PoolJob;

static gpointer
pool_job (gpointer data)
{
  PoolJob *j = data;
  g_autoptr (MgIpcFrame) job = mg_ipc_frame_new (MG_IPC_JOB_MAIL);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autoptr (GError) error = NULL;

  g_atomic_int_set (&j->tid, (gint) syscall (SYS_gettid));
  mg_ipc_frame_add_str (job, MG_IPC_F_QUEUE_ID, j->what);
  if (!mg_sandbox_pool_run (j->pool, job, &reply, NULL, &error))
    return g_strdup (error->message);
  return mg_ipc_frame_get_str (reply, MG_IPC_F_REASON);
}

/* The thread TID sleeps in futex (a condition wait): its syscall file. */
static gboolean
sleeping_in_futex (gint tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/syscall", tid);
  g_autofree char *text = NULL;

  return tid != 0 && g_file_get_contents (path, &text, NULL, NULL) &&
         g_ascii_strtoll (text, NULL, 10) == SYS_futex;
}

/* Both workers busy but one not there yet: a job that then waits must take
 * the second when it arrives, not sleep until the first is released. */
static void
test_waiter_sees_new_worker (gconstpointer self)
{
  MgSandboxPoolSettings settings = { 50, 60000, 20000, 1 << 20, 2 };
  char *argv[] = { (char *) self, SLOW_SUPERVISOR_ARG, "@CTL@", NULL };
  g_autofree char *more = test_path ("more");
  g_autofree char *release = test_path ("release");
  g_autoptr (GError) error = NULL;
  g_autoptr (MgSandboxPool) slow = NULL;
  PoolJob held = { NULL, "hold", 0 }, waiting = { NULL, "quick", 0 };
  g_autofree char *held_answer = NULL;
  g_autofree char *waiting_answer = NULL;
  GThread *a, *b;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  int out;

  g_assert_cmpint (mkfifo (more, 0600), ==, 0);
  g_assert_cmpint (mkfifo (release, 0600), ==, 0);
  slow = mg_sandbox_pool_new (argv, &settings, &error);
  g_assert_no_error (error);
  held.pool = waiting.pool = slow;
  a = g_thread_new ("held", pool_job, &held);
  out = open (release, O_WRONLY); /* returns once the first worker runs "hold" */
  g_assert_cmpint (out, >=, 0);
  b = g_thread_new ("waiting", pool_job, &waiting);
  while (!sleeping_in_futex (g_atomic_int_get (&waiting.tid)) &&
         g_get_monotonic_time () < deadline)
    g_usleep (1000);
  close (open (more, O_WRONLY)); /* the second worker arrives now */
  waiting_answer = g_thread_join (b);
  g_assert_cmpstr (waiting_answer, ==, "ok");
  close (out);
  held_answer = g_thread_join (a);
  g_assert_cmpstr (held_answer, ==, "ok");
}

int
main (int argc, char **argv)
{
  MgSandboxLimits limits = { 512, 30, 64, 1 << 20 };
  MgSandboxPoolSettings settings = { 50, 3000, 20000, 1 << 20, 1 };
  char *sup_argv[] = { argv[0], SUPERVISOR_ARG, "@CTL@", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *outside = NULL;
  int status;

  if (argc == 3 && g_str_equal (argv[1], SLOW_SUPERVISOR_ARG))
    return slow_supervisor (atoi (argv[2]));
  if (argc == 3 && g_str_equal (argv[1], SUPERVISOR_ARG)) {
    MgPrivsUsers users;
    if (!mg_privs_lookup ("_mugai", "_mugai-worker", &users, &error) ||
        !mg_sandbox_supervisor_drop (&users, &limits, &error)) {
      mg_sandbox_supervisor_fail (atoi (argv[2]), error->message);
      return 78;
    }
    return mg_sandbox_supervisor_run (atoi (argv[2]), 1, &limits, 1 << 20, hostile_job,
                                      service, NULL);
  }
  dir = g_dir_make_tmp ("mugai-sandbox-XXXXXX", NULL);
  g_chmod (dir, 0777); /* a worker that dropped root could write here without Landlock */
  g_setenv ("MUGAI_TEST_DIR", dir, TRUE);
  outside = g_build_filename (dir, "outside", NULL);
  g_setenv ("MUGAI_TEST_OUTSIDE", outside, TRUE);
  g_test_init (&argc, &argv, NULL);
  pool = mg_sandbox_pool_new (sup_argv, &settings, &error);
  g_assert_no_error (error);
  g_test_add_data_func ("/sandbox/crash", "crash", test_stopped);
  g_test_add_data_func ("/sandbox/endless-loop", "loop", test_stopped);
  g_test_add_data_func ("/sandbox/unbounded-allocation", "alloc", test_stopped);
  g_test_add_data_func ("/sandbox/connect", "connect", test_stopped);
  g_test_add_data_func ("/sandbox/execve", "exec", test_stopped);
  g_test_add_data_func ("/sandbox/signal-supervisor", "signal", test_stopped);
  g_test_add_data_func ("/sandbox/parts-then-crash", "crash", test_parts_survive);
  g_test_add_data_func ("/sandbox/parts-then-loop", "loop", test_parts_survive);
  g_test_add_func ("/sandbox/parts-twice", test_parts_twice);
  g_test_add_func ("/sandbox/write-confined", test_write_confined);
  g_test_add_func ("/sandbox/service", test_service);
  g_test_add_func ("/sandbox/fork-inherits", test_fork);
  g_test_add_func ("/sandbox/ipc-strict", test_ipc_strict);
  g_test_add_func ("/sandbox/worker-user", test_worker_user);
  g_test_add_func ("/sandbox/adopt-swapped-entry", test_adopt_swapped_entry);
  g_test_add_func ("/sandbox/adopt-swapped-folder", test_adopt_swapped_folder);
  g_test_add_data_func ("/sandbox/waiter-sees-new-worker", argv[0],
                        test_waiter_sees_new_worker);
  status = g_test_run ();
  mg_sandbox_pool_free (pool);
  return status;
}
