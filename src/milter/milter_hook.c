/* milter_hook.c - the helper that runs [alert] exec for the milter.
 *
 * Requests come only from the front (a socketpair made before the fork);
 * the helper still parses them strictly (ipc/frame.h) and never runs
 * anything but the configured command.
 */
#include "milter/milter_hook.h"

#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc/frame.h"
#include "quarantine/quarantine_alert.h"
#include "quarantine/quarantine_hook.h"

static int hook_fd = -1;
static GMutex hook_lock; /* one request on the channel at a time */

static MgIpcFrame *
answer (const MgConfig *config, const MgIpcFrame *request)
{
  g_autofree char *vars = mg_ipc_frame_get_str (request, MG_IPC_F_DETAIL);
  GBytes *input = mg_ipc_frame_get (request, MG_IPC_F_MESSAGE);
  g_auto (GStrv) list = g_strsplit (vars != NULL ? vars : "", "\n", -1);
  g_autoptr (GError) error = NULL;
  MgIpcFrame *reply;

  if (mg_quarantine_hook_run (config->alert_exec, (const char *const *) list, input,
                              (guint) config->alert_exec_timeout, &error))
    return mg_ipc_frame_new (MG_IPC_HOOK_DONE);
  reply = mg_ipc_frame_new (MG_IPC_FAILED);
  mg_ipc_frame_add_str (reply, MG_IPC_F_MESSAGE, error->message);
  return reply;
}

static void G_GNUC_NORETURN
helper_main (const MgConfig *config, int fd)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    _exit (0);
  for (;;) {
    g_autoptr (MgIpcFrame)
        request = mg_ipc_frame_recv (fd, MG_MILTER_HOOK_FRAME_MAX, -1, NULL);
    g_autoptr (MgIpcFrame) reply = NULL;
    if (request == NULL)
      _exit (0);
    reply = mg_ipc_frame_type (request) == MG_IPC_HOOK ? answer (config, request)
                                                       : mg_ipc_frame_new (MG_IPC_FAILED);
    if (!mg_ipc_frame_send (fd, reply, NULL))
      _exit (0);
  }
}

/* In the front: the request to the helper, and its answer. */
static gboolean
run_via_helper (const MgConfig *config, const char *const *vars, GBytes *input, GError **error)
{
  g_autoptr (MgIpcFrame) request = mg_ipc_frame_new (MG_IPC_HOOK);
  g_autoptr (MgIpcFrame) reply = NULL;
  g_autofree char *joined = g_strjoinv ("\n", (char **) vars);
  gsize len = 0;
  const void *data = g_bytes_get_data (input, &len);
  g_autofree char *why = NULL;

  mg_ipc_frame_add_str (request, MG_IPC_F_DETAIL, joined);
  mg_ipc_frame_add (request, MG_IPC_F_MESSAGE, data, len);
  g_mutex_lock (&hook_lock);
  if (mg_ipc_frame_send (hook_fd, request, error))
    reply = mg_ipc_frame_recv (hook_fd, MG_MILTER_HOOK_FRAME_MAX,
                               (int) (config->alert_exec_timeout + 10) * 1000, error);
  g_mutex_unlock (&hook_lock);
  if (reply == NULL)
    return FALSE;
  if (mg_ipc_frame_type (reply) == MG_IPC_HOOK_DONE)
    return TRUE;
  why = mg_ipc_frame_get_str (reply, MG_IPC_F_MESSAGE);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", why != NULL ? why : "refused");
  return FALSE;
}

void
mg_milter_hook_start (const MgConfig *config)
{
  int sv[2];
  pid_t pid;

  if (*config->alert_exec == '\0')
    return;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    g_warning ("NOQUEUE: [alert] exec disabled: socketpair: %s", g_strerror (errno));
    return;
  }
  pid = fork ();
  if (pid == 0) {
    close (sv[0]);
    helper_main (config, sv[1]);
  }
  close (sv[1]);
  if (pid < 0) {
    g_warning ("NOQUEUE: [alert] exec disabled: fork: %s", g_strerror (errno));
    close (sv[0]);
    return;
  }
  hook_fd = sv[0];
  mg_quarantine_alert_set_runner (run_via_helper);
}
