/* admin_guard.h - slow clients may not crowd out the others.
 *
 * libmicrohttpd only knows an idle timeout, which a client that trickles one
 * header line now and then never reaches. The guard follows every connection
 * (MHD's connection notifications) and knows whether it is still sending a
 * request: from when it connected, or finished its previous request, until
 * the request is whole and about to be answered. It closes a connection
 *  - that takes more than [admin] request_timeout seconds to send one request
 *    (checked by mg_admin_guard_sweep, after each round of the server loop);
 *  - when a new one arrives while MG_ADMIN_GUARD_WAITING connections are
 *    still sending: the one that has waited longest goes, so a newcomer is
 *    always served.
 * A connection is closed with shutdown(2) on its socket, which MHD then sees
 * and cleans up itself. All calls must come from the thread that runs the MHD
 * daemon (MHD_run_wait): the guard has no lock.
 */
#pragma once
#include <glib.h>
#include <microhttpd.h>

#define MG_ADMIN_GUARD_WAITING 48

typedef struct MgAdminGuard MgAdminGuard;

MgAdminGuard *mg_admin_guard_new (gint64 request_timeout_seconds);
void mg_admin_guard_free (MgAdminGuard *guard);

/* MHD_OPTION_NOTIFY_CONNECTION's callback; CLS is the guard. */
void mg_admin_guard_notify (void *cls, struct MHD_Connection *connection,
                            void **socket_context, enum MHD_ConnectionNotificationCode code);

/* CONNECTION has sent a whole request (it is being answered), or finished
 * one and may send the next. */
void mg_admin_guard_received (struct MHD_Connection *connection);
void mg_admin_guard_completed (struct MHD_Connection *connection);

/* Close the connections past their deadline. */
void mg_admin_guard_sweep (MgAdminGuard *guard);

/* How many connections were closed for being slow (for the log). */
guint mg_admin_guard_closed (MgAdminGuard *guard);
