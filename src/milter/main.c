/* main.c - mugai-milter: the libmilter daemon in front of the pipeline.
 *
 * Start-up happens in an order a reader can check: signals blocked (before
 * any thread exists), options, configuration,
 * log, the users (exit 78 when missing),
 * detach, socket (the only thing opened as root), leaving root for [milter]
 * user with no capability, no_new_privs and a seccomp filter (milter_privs.c),
 * engine (exit 78 without a usable database), pid file; then smfi_main in a
 * thread of its own.
 *
 * Signals: Debian's libmilter runs a worker pool that stops serving sessions
 * the moment its own signal thread sees SIGTERM, which would cut messages in
 * flight. So only the main thread takes SIGTERM/SIGINT (libmilter's thread
 * is kept from them until then: milter_signals.h), whenever it arrives,
 * refuses new messages, lets those in flight finish, and only then calls
 * smfi_stop; the exit status is 0. A second SIGTERM while draining reaches
 * libmilter and stops at once (Postfix then tempfails what was open: nothing
 * is lost). SIGHUP reloads the engine.
 * It must never start serving without an engine.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "mg_build.h"
#include "milter/milter_callbacks.h"
#include "milter/milter_daemon.h"
#include "milter/milter_log.h"
#include "milter/milter_privs.h"
#include "milter/milter_signals.h"
#include "worker/worker.h"

#define PROGRESS_INTERVAL 5 /* seconds between smfi_progress calls */

typedef struct {
  char *config_path;
  char *socket;
  gboolean foreground;
  gboolean version;
} MgMilterOptions;

static void
parse_options (int *argc, char ***argv, MgMilterOptions *options)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &options->config_path,
      "configuration file (default " MG_CONFIG_DEFAULT_PATH ")", "FILE" },
    { "socket", 'p', 0, G_OPTION_ARG_STRING, &options->socket,
      "milter socket: unix:/path or inet:PORT@127.0.0.1 (overrides [milter] socket)",
      "SOCKET" },
    { "foreground", 'f', 0, G_OPTION_ARG_NONE, &options->foreground,
      "stay in the foreground and log to stderr", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, "print the version", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- mugai sanitising milter");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error) || *argc > 1) {
    fprintf (stderr, "mugai-milter: %s\n", error ? error->message : "unexpected argument");
    exit (MG_EXIT_USAGE);
  }
  /* The daemon works from / and the sandbox supervisor reads the file again:
   * a relative path must not change meaning. */
  if (options->config_path != NULL && !g_path_is_absolute (options->config_path)) {
    char *absolute = g_canonicalize_filename (options->config_path, NULL);
    g_free (options->config_path);
    options->config_path = absolute;
  }
}

typedef struct {
  pthread_t main_thread;
  int status;
} MgMilterLoop;

static gpointer
run_smfi_main (gpointer data)
{
  MgMilterLoop *loop = data;

  loop->status = smfi_main ();
  pthread_kill (loop->main_thread, MG_MILTER_SIGNAL_ENDED);
  return NULL;
}

/* Wait for SIGTERM or SIGINT (returns TRUE) or the end of smfi_main (FALSE);
 * SIGHUP reloads the engine and keeps waiting. */
static gboolean
wait_for_stop (MgMilterEngine *engine)
{
  for (;;) {
    int sig = mg_milter_signals_wait ();

    if (sig == SIGHUP) {
      g_message ("NOQUEUE: SIGHUP: reloading the virus engine");
      mg_milter_engine_reload (engine);
      continue;
    }
    if (sig == MG_MILTER_SIGNAL_ENDED)
      return FALSE;
    g_message ("NOQUEUE: %s received", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return TRUE;
  }
}

/* libmilter leaves Nagle's algorithm on, and its answer at end of message is
 * several small writes (header changes, body chunks, the verdict): each would
 * wait for Postfix's delayed ACK, some 40 ms per message. Accepted sockets
 * inherit TCP_NODELAY from the listening socket (Linux), which libmilter does
 * not expose: it is the one listening TCP socket among our descriptors. */
static void
set_listener_nodelay (void)
{
  for (int fd = 3; fd < 1024; fd++) {
    int accepting = 0, one = 1;
    socklen_t len = sizeof accepting;
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting ||
        getsockname (fd, (struct sockaddr *) &addr, &addr_len) != 0 ||
        (addr.ss_family != AF_INET && addr.ss_family != AF_INET6))
      continue;
    if (setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
      g_warning ("NOQUEUE: TCP_NODELAY: %s", g_strerror (errno));
  }
}

/* A unix socket connectable by the postfix group (mode 0660), not others. */
static void
open_socket (const char *socket, const struct smfiDesc *desc)
{
  mode_t old_mask;
  int ok, err;

  if (smfi_setconn ((char *) socket) != MI_SUCCESS || smfi_register (*desc) != MI_SUCCESS)
    mg_milter_daemon_fail (MG_EXIT_CONFIG, "bad milter socket %s", socket);
  old_mask = umask (0007);
  errno = 0;
  ok = smfi_opensocket (TRUE);
  err = errno;
  umask (old_mask);
  if (ok != MI_SUCCESS)
    mg_milter_daemon_fail (MG_EXIT_OSERR, "cannot listen on %s: %s", socket,
                           err != 0 ? g_strerror (err) : "libmilter gave no reason");
  set_listener_nodelay ();
}

static MgMilterEngine *
load_engine (const MgConfig *config)
{
  g_autoptr (GError) error = NULL;
  MgMilterEngine *engine = mg_milter_engine_new (config, &error);

  if (engine == NULL)
    mg_milter_daemon_fail (
        g_error_matches (error, MG_PIPELINE_ERROR, MG_PIPELINE_ERROR_TEMPFAIL)
            ? MG_EXIT_TEMPFAIL
            : MG_EXIT_CONFIG,
        "%s", error->message);
  return engine;
}

/* No new messages; let those in flight finish. Returns TRUE when everything
 * finished (so the engine may be freed). */
static gboolean
drain (const MgConfig *config, MgMilterWork *work)
{
  guint left, busy;

  mg_milter_session_stop_new ();
  g_message ("NOQUEUE: stopping; finishing the messages in flight");
  left = mg_milter_session_drain ((guint) config->milter_timeout + 10);
  if (left > 0)
    g_warning ("NOQUEUE: %u messages still open at exit: Postfix will retry them", left);
  busy = mg_milter_work_inflight (work);
  if (busy > 0)
    g_warning ("NOQUEUE: %u timed-out sanitising jobs still running at exit", busy);
  return left == 0 && busy == 0;
}

/* Serve until SIGTERM/SIGINT (or libmilter gives up); returns the exit
 * status and whether everything in flight finished. */
static int
run_until_stopped (const MgConfig *config, MgMilterEngine *engine, MgMilterWork *work,
                   gboolean *drained_r)
{
  MgMilterLoop loop = { 0 };
  GThread *thread;
  gboolean stop_requested;

  loop.main_thread = pthread_self ();
  thread = g_thread_new ("mugai-milter", run_smfi_main, &loop);
  stop_requested = wait_for_stop (engine);
  mg_milter_signals_release ();
  *drained_r = stop_requested && drain (config, work);
  if (stop_requested)
    smfi_stop ();
  g_thread_join (thread);
  if (stop_requested)
    return 0;
  g_warning ("NOQUEUE: libmilter stopped on its own (status %d)", loop.status);
  return MG_EXIT_OSERR;
}

/* The socket is the one thing opened as root; then the process becomes
 * [milter] user for good, before the engine (and the supervisor) start. */
static int
serve (const MgConfig *config, const char *socket, gboolean foreground,
       const MgPrivsUsers *users)
{
  g_autoptr (MgMilterEngine) engine = NULL;
  MgMilterWork *work;
  MgMilterSetup setup = { config, NULL };
  struct smfiDesc desc = mg_milter_callbacks_desc (&setup);
  g_autoptr (GError) error = NULL;
  gboolean drained;
  int status;

  mg_milter_privs_folders (config, socket, !foreground, users);
  open_socket (socket, &desc);
  mg_milter_privs_socket (config, socket, users);
  mg_milter_privs_drop (config, users);
  engine = load_engine (config);
  work = mg_milter_work_new (engine, (guint) config->milter_max_inflight,
                             (guint) config->milter_timeout, PROGRESS_INTERVAL);
  setup.work = work;
  if (!foreground && !mg_milter_daemon_write_pid (config->milter_pid_file, &error))
    mg_milter_daemon_fail (MG_EXIT_OSERR, "pid file: %s", error->message);
  mg_milter_engine_on_failure (engine, mg_milter_log_alert_reload);
  mg_milter_engine_watch (engine, (guint) config->milter_reload_interval);
  g_message ("NOQUEUE: listening on %s (max_inflight %" G_GINT64_FORMAT ")", socket,
             config->milter_max_inflight);
  mg_milter_daemon_ready ();
  status = run_until_stopped (config, engine, work, &drained);
  if (!foreground)
    unlink (config->milter_pid_file);
  if (drained)
    mg_milter_work_free (work);
  else
    g_steal_pointer (&engine); /* a job may still use it: leave it to exit */
  g_message ("NOQUEUE: stopped (exit %d)", status);
  return status;
}

/* The sandbox supervisor is this program exec'd by mg_remote_pipeline_new, from a
 * thread whose control signals are blocked: give it back the default mask. */
static int
run_supervisor (int argc, char **argv)
{
  mg_milter_signals_unblock ();
  return mg_worker_supervisor_main (argc, argv);
}

int
main (int argc, char **argv)
{
  MgMilterOptions options = { 0 };
  MgPrivsUsers users;
  g_autoptr (MgConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  /* Before anything else: a SIGTERM from now on waits for the main thread. */
  mg_milter_signals_block ();
  if (argc > 1 && strcmp (argv[1], MG_WORKER_SUPERVISOR_ARG) == 0)
    return run_supervisor (argc, argv);
  parse_options (&argc, &argv, &options);
  if (options.version) {
    printf ("mugai-milter %s\n", MG_VERSION);
    return 0;
  }
  config = mg_config_load (options.config_path, &error);
  if (config == NULL)
    mg_milter_daemon_fail (MG_EXIT_CONFIG, "%s", error->message);
  mg_log_init ("mugai-milter", !options.foreground);
  mg_milter_privs_lookup (config, &users);
  if (!options.foreground)
    mg_milter_daemon_detach ();
  status = serve (config, options.socket ? options.socket : config->milter_socket,
                  options.foreground, &users);
  g_free (options.config_path);
  g_free (options.socket);
  return status;
}
