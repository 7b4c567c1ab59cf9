/* admin_daemon.h - the HTTP daemon of `mugai admin serve` and its loop.
 *
 * libmicrohttpd without a thread of its own (epoll), run by one server thread
 * with MHD_run_wait, so that the connection guard (admin_guard.h) can close
 * slow connections between rounds; the main thread waits for SIGTERM or
 * SIGINT. At most MG_ADMIN_DAEMON_CONNECTIONS connections, 16 per client
 * address (MG_ADMIN_GUARD_WAITING per address when [admin] trusted_proxies
 * is set: the proxy is one address for everyone), an idle timeout of 60 s and
 * a deadline of [admin] request_timeout seconds for each request.
 */
#pragma once
#include <microhttpd.h>

#include "admin/admin_pages.h"

#define MG_ADMIN_DAEMON_CONNECTIONS 256

/* Serve SERVER on LISTEN (ADDRESS:PORT, port 0: any free one) with HANDLER
 * and COMPLETED (their CLS is SERVER) until SIGTERM/SIGINT. Prints
 * "listening on http://ADDRESS:PORT/" to stderr once ready. Returns the exit
 * status. */
int mg_admin_daemon_run (MgAdminServer *server, const char *listen,
                         MHD_AccessHandlerCallback handler,
                         MHD_RequestCompletedCallback completed);
