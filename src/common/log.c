/* log.c - a GLib log writer for syslog or stderr. */
#include "common/log.h"

#include <stdio.h>
#include <syslog.h>

static gboolean log_to_syslog;

static int
syslog_priority (GLogLevelFlags level)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return LOG_ERR;
  if (level & G_LOG_LEVEL_WARNING)
    return LOG_WARNING;
  if (level & G_LOG_LEVEL_MESSAGE)
    return LOG_NOTICE;
  if (level & G_LOG_LEVEL_INFO)
    return LOG_INFO;
  return LOG_DEBUG;
}

static void
log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain;
  (void) data;
  if ((level & G_LOG_LEVEL_DEBUG) && g_getenv ("MUGAI_DEBUG") == NULL)
    return;
  if (log_to_syslog)
    syslog (syslog_priority (level), "%s", message);
  else
    fprintf (stderr, "%s: %s\n", g_get_prgname (), message);
}

void
mg_log_init (const char *ident, gboolean use_syslog)
{
  g_set_prgname (ident);
  log_to_syslog = use_syslog;
  if (use_syslog)
    openlog (ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
  g_log_set_default_handler (log_handler, NULL);
}
