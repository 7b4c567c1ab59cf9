/* admin_guard.c - request deadlines and room for newcomers.
 *
 * Must never touch a socket MHD has closed: an entry leaves the list in the
 * CLOSED notification, which MHD sends before it closes the socket, in the
 * same thread that sweeps.
 */
#include "admin/admin_guard.h"

#include <sys/socket.h>

struct MgAdminGuard {
  GQueue connections; /* MgGuarded, oldest first */
  gint64 timeout;     /* microseconds, monotonic */
  guint closed;
};

typedef struct {
  MgAdminGuard *guard;
  GList link; /* in guard->connections */
  int fd;
  gint64 since; /* began sending the present request */
  gboolean sending;
  gboolean shut;
} MgGuarded;

MgAdminGuard *
mg_admin_guard_new (gint64 request_timeout_seconds)
{
  MgAdminGuard *guard = g_new0 (MgAdminGuard, 1);

  g_queue_init (&guard->connections);
  guard->timeout = request_timeout_seconds * G_USEC_PER_SEC;
  return guard;
}

void
mg_admin_guard_free (MgAdminGuard *guard)
{
  if (guard == NULL)
    return;
  g_warn_if_fail (g_queue_is_empty (&guard->connections));
  g_free (guard);
}

static void
shut (MgGuarded *g)
{
  if (g->shut)
    return;
  g->shut = TRUE;
  g->guard->closed++;
  shutdown (g->fd, SHUT_RDWR);
}

/* Make room for the newcomer (last in the list): close the longest-waiting
 * senders beyond the limit. */
static void
make_room (MgAdminGuard *guard)
{
  guint waiting = 0;

  for (GList *l = guard->connections.head; l != NULL; l = l->next) {
    MgGuarded *g = l->data;
    waiting += g->sending && !g->shut;
  }
  for (GList *l = guard->connections.head; l != NULL && waiting > MG_ADMIN_GUARD_WAITING;
       l = l->next) {
    MgGuarded *g = l->data;
    if (g->sending && !g->shut) {
      shut (g);
      waiting--;
    }
  }
}

static void
started (MgAdminGuard *guard, struct MHD_Connection *connection, void **socket_context)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info (
      connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  MgGuarded *g = g_new0 (MgGuarded, 1);

  g->guard = guard;
  g->link.data = g;
  g->fd = info != NULL ? info->connect_fd : -1;
  g->since = g_get_monotonic_time ();
  g->sending = TRUE;
  g->shut = g->fd < 0;
  *socket_context = g;
  g_queue_push_tail_link (&guard->connections, &g->link);
  mg_admin_guard_sweep (guard);
  make_room (guard);
}

void
mg_admin_guard_notify (void *cls, struct MHD_Connection *connection, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
  MgAdminGuard *guard = cls;
  MgGuarded *g = *socket_context;

  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    started (guard, connection, socket_context);
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && g != NULL) {
    g_queue_unlink (&guard->connections, &g->link);
    g_free (g);
    *socket_context = NULL;
  }
}

static MgGuarded *
guarded (struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info (
      connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

  return info != NULL ? info->socket_context : NULL;
}

void
mg_admin_guard_received (struct MHD_Connection *connection)
{
  MgGuarded *g = guarded (connection);

  if (g != NULL)
    g->sending = FALSE;
}

void
mg_admin_guard_completed (struct MHD_Connection *connection)
{
  MgGuarded *g = guarded (connection);

  if (g != NULL) {
    g->sending = TRUE;
    g->since = g_get_monotonic_time ();
  }
}

void
mg_admin_guard_sweep (MgAdminGuard *guard)
{
  gint64 now = g_get_monotonic_time ();

  for (GList *l = guard->connections.head; l != NULL; l = l->next) {
    MgGuarded *g = l->data;
    if (g->sending && now - g->since > guard->timeout)
      shut (g);
  }
}

guint
mg_admin_guard_closed (MgAdminGuard *guard)
{
  return guard->closed;
}
