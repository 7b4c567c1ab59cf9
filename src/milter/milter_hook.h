/* milter_hook.h - [alert] exec from the milter, outside the front's filter.
 *
 * The front's seccomp filter lets it execute nothing but itself, so the alert
 * command is run by a helper process forked once at start-up, after the
 * front became [milter] user and before it loads that filter: the helper
 * runs as the service user, single-threaded, and does one thing: it reads a
 * request (the MUGAI_ALERT_* variables and the stdin of one alert) from the
 * front, runs the command (quarantine_hook.h, with [alert] exec_timeout) and
 * answers whether it succeeded. It dies with the front.
 */
#pragma once
#include "common/config.h"

#define MG_MILTER_HOOK_FRAME_MAX (4 * 1024 * 1024) /* one request */

/* When [alert] exec is set: fork the helper and route the alerts' command
 * through it. Call while the process is single-threaded. */
void mg_milter_hook_start (const MgConfig *config);
