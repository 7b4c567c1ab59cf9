/* admin_server.h - `mugai admin serve`: the web UI's HTTP server.
 *
 * libmicrohttpd run by one server thread (admin_daemon.h), bound to [admin]
 * listen (127.0.0.1:8025 by default; TLS is the job of a reverse proxy in
 * front), slow clients cut by the connection guard (admin_guard.h).
 * Routes requests, keeps sessions, checks the CSRF token of every POST and
 * answers the login form with rate limiting. Stops on SIGTERM or SIGINT.
 *
 * Never serves a file from disk and never builds a path from a request: item
 * ids are checked against the id syntax before anything looks them up.
 */
#pragma once
#include "common/config.h"

/* Settings for tests: values > 0 override [admin] session_minutes and
 * session_max_lifetime, in seconds. */
typedef struct {
  int session_seconds;
  int max_seconds;
} MgAdminServerTest;

/* Serve until SIGTERM/SIGINT. LISTEN overrides [admin] listen (port 0: any
 * free port). Prints "listening on http://ADDRESS:PORT/" to stderr once
 * ready. Returns the exit status. */
int mg_admin_server_main (const MgConfig *config, const char *listen,
                          const MgAdminServerTest *test);
