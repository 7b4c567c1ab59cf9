/* log.h - where mugai's log lines go: stderr (CLI, milter -f) or syslog. */
#pragma once
#include <glib.h>

/* Send GLib log messages of domain "mugai" to syslog (ident IDENT) or stderr. */
void mg_log_init (const char *ident, gboolean use_syslog);
