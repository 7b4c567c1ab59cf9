/* milter_privs.h - the milter's socket, then leaving root (see privs.h).
 *
 * Started as root: the socket's folder is made (owner [milter] user, group
 * [milter] socket_group, mode 0750) when missing, the socket gets
 * socket_owner, socket_group and socket_mode, and the process becomes
 * [milter] user before it loads the engine or reads a message. Each step
 * that fails ends start-up (mg_milter_daemon_fail).
 */
#pragma once
#include "common/config.h"
#include "sandbox/privs.h"

/* The users of CONFIG; a missing one (as root) exits 78. */
void mg_milter_privs_lookup (const MgConfig *config, MgPrivsUsers *users);
/* Before the socket SOCKET is opened: its folder, and the pid file's when
 * DAEMON. */
void mg_milter_privs_folders (const MgConfig *config, const char *socket, gboolean daemon,
                              const MgPrivsUsers *users);
/* After: the socket's owner, group and mode. */
void mg_milter_privs_socket (const MgConfig *config, const char *socket,
                             const MgPrivsUsers *users);
/* Become the user for good, no_new_privs, the front's seccomp filter (the
 * [alert] exec helper is forked in between: milter_hook.h). */
void mg_milter_privs_drop (const MgConfig *config, const MgPrivsUsers *users);
