/* admin_daemon.c - start libmicrohttpd, run its loop, stop on a signal.
 *
 * Must never touch the daemon from two threads: only the server thread runs
 * it (and the guard) until the main thread has joined it. Started as root,
 * it becomes [milter] user once the socket is bound, before it serves.
 */
#include "admin/admin_daemon.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "admin/admin_guard.h"
#include "common/config.h"
#include "common/exit.h"
#include "sandbox/privs.h"

#define MG_ADMIN_DAEMON_TICK_MS 250

typedef struct {
  MgAdminServer *server;
  MHD_AccessHandlerCallback handler;
  MHD_RequestCompletedCallback completed;
  struct MHD_Daemon *daemon;
  MgAdminGuard *guard;
  gint stopping;
} MgDaemonLoop;

static gboolean
parse_listen (const char *text, struct sockaddr_storage *sa, gboolean *v6_r, GError **error)
{
  g_autoptr (GInetSocketAddress)
      address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("0.0.0.0", 0));
  g_autoptr (GSocketConnectable) parsed = g_network_address_parse (text, 0, error);
  GInetAddress *inet;
  guint16 port;

  if (parsed == NULL)
    return FALSE;
  inet = g_inet_address_new_from_string (
      g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (parsed));
  if (inet == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "[admin] listen: %s: an IP address and a port", text);
    return FALSE;
  }
  g_object_unref (address);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (inet, port));
  *v6_r = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;
  g_object_unref (inet);
  return g_socket_address_to_native (G_SOCKET_ADDRESS (address), sa, sizeof *sa, error);
}

static struct MHD_Daemon *
start_daemon (MgDaemonLoop *d, const char *listen, GError **error)
{
  struct sockaddr_storage sa;
  gboolean v6 = FALSE;
  struct MHD_Daemon *daemon;
  unsigned per_ip = d->server->proxies->len > 0 ? MG_ADMIN_GUARD_WAITING : 16u;

  if (!parse_listen (listen, &sa, &v6, error))
    return NULL;
  daemon = MHD_start_daemon (
      MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, d->handler,
      d->server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa, MHD_OPTION_NOTIFY_COMPLETED,
      d->completed, d->server, MHD_OPTION_NOTIFY_CONNECTION, mg_admin_guard_notify, d->guard,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned) MG_ADMIN_DAEMON_CONNECTIONS,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
      MHD_OPTION_END);
  if (daemon == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot listen on %s", listen);
  return daemon;
}

static void
announce (struct MHD_Daemon *daemon, const char *listen)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_BIND_PORT);
  g_autofree char *host = g_strdup (listen);
  char *colon = strrchr (host, ':');

  if (colon != NULL)
    *colon = '\0';
  if (!g_str_has_prefix (host, "127.") && !g_str_equal (host, "[::1]"))
    g_warning ("listening on %s, not on loopback: put a TLS reverse proxy in front", host);
  fprintf (stderr, "mugai admin: listening on http://%s:%u/\n", host,
           info != NULL ? (unsigned) info->port : 0u);
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* The server thread: requests, then the guard's deadlines, round after round. */
static gpointer
run_loop (gpointer data)
{
  MgDaemonLoop *d = data;

  while (!g_atomic_int_get (&d->stopping)) {
    MHD_run_wait (d->daemon, MG_ADMIN_DAEMON_TICK_MS);
    mg_admin_guard_sweep (d->guard);
  }
  return NULL;
}

/* Signals are caught by handlers, not blocked: the sandbox supervisor that a
 * release starts from the server thread must not inherit a blocked SIGTERM. */
static int
serve (MgDaemonLoop *d, const char *listen)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GThread *thread;

  /* before the socket: a SIGTERM once it accepts is a clean stop (exit 0) */
  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGINT, quit, loop);
  d->daemon = start_daemon (d, listen, &error);
  if (d->daemon == NULL) {
    fprintf (stderr, "mugai admin: %s\n", error->message);
    return MG_EXIT_CONFIG;
  }
  /* bound: nothing else needs root (see privs.h) */
  if (!mg_privs_service_drop (&d->server->users, &error)) {
    fprintf (stderr, "mugai admin: %s\n", error->message);
    MHD_stop_daemon (d->daemon);
    return MG_EXIT_CONFIG;
  }
  announce (d->daemon, listen);
  thread = g_thread_new ("mugai-admin", run_loop, d);
  g_main_loop_run (loop);
  g_atomic_int_set (&d->stopping, TRUE);
  g_thread_join (thread);
  MHD_stop_daemon (d->daemon);
  if (mg_admin_guard_closed (d->guard) > 0)
    g_message ("%u slow connections were closed", mg_admin_guard_closed (d->guard));
  return MG_EXIT_OK;
}

int
mg_admin_daemon_run (MgAdminServer *server, const char *listen,
                     MHD_AccessHandlerCallback handler, MHD_RequestCompletedCallback completed)
{
  MgDaemonLoop d = { server, handler, completed, NULL, NULL, 0 };
  int status;

  d.guard = mg_admin_guard_new (server->config->admin_request_timeout);
  status = serve (&d, listen);
  mg_admin_guard_free (d.guard);
  return status;
}
