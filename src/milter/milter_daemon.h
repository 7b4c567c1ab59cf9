/* milter_daemon.h - becoming a daemon without losing the start-up verdict.
 *
 * The parent stays until the child has loaded the configuration and the
 * engine and opened its socket, then exits with the child's status, so that
 * `mugai-milter` without -f still exits 78 when there is no database. It
 * never writes the pid file before start-up has succeeded.
 */
#pragma once
#include <glib.h>

#include "common/exit.h"

/* Fork; the parent waits for mg_milter_daemon_ready or _failed and exits with
 * that status. Returns in the child only (a new session, cwd /). */
void mg_milter_daemon_detach (void);
/* Tell the waiting parent (if any) that start-up succeeded, and drop the
 * terminal: stdin, stdout and stderr go to /dev/null. */
void mg_milter_daemon_ready (void);
/* Print MESSAGE to stderr and the log, tell the parent, exit with STATUS. */
G_NORETURN void mg_milter_daemon_fail (int status, const char *format, ...)
    G_GNUC_PRINTF (2, 3);

/* Write our pid to PATH atomically. */
gboolean mg_milter_daemon_write_pid (const char *path, GError **error);
