/* quarantine_alert.h - alerts to the CSIRT: viruses, failures, reloads.
 *
 * When [alert] address is set, a virus found in a message (and a message the
 * milter could not sanitise: a worker crash, a sandbox kill, a deadline; and
 * a failed reload of the virus engine) is told to that address in Japanese,
 * through [release] smtp (the listener without the milter), from [release]
 * sender. The mail names what was found, the quarantine id and its page in
 * the admin UI ([admin] public_url), the envelope sender and recipients, the
 * queue id and the time; never a byte of the original. When [alert] exec is
 * set, that command is run for each alert too (quarantine_hook.h), with the
 * facts in MUGAI_ALERT_* variables and the events as JSON lines on stdin; its
 * failure is logged and never retried nor holds mail.
 *
 * Rate limit: at most one alert per [alert] interval seconds. An event inside
 * the interval is kept in DIR/alert.state (under its lock, so the milter's
 * processes and the CLI share it) and goes out with the next mail, which
 * counts them all: a virus outbreak makes one mail per interval, not one per
 * message. Kept events are sent once the interval has passed, at the next
 * event or the next message the milter handles (mg_quarantine_alert_flush).
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "common/envelope.h"

#define MG_QUARANTINE_ALERT_KEPT_MAX 100 /* events listed in one mail; more are counted */

typedef struct {
  const char *kind;           /* "virus", "failure" or "reload" */
  const char *item_id;        /* quarantine id, or NULL */
  const char *queue_id;       /* or NULL */
  const char *verdict;        /* "withheld", "rejected", "tempfail", ... */
  const char *viruses;        /* ", "-separated names, or NULL */
  const char *detail;         /* what failed, or NULL */
  const MgEnvelope *envelope; /* or NULL */
} MgQuarantineAlertEvent;

/* [admin] public_url followed by PATH ("/items/ID"), or NULL when it is
 * empty. */
char *mg_quarantine_alert_admin_url (const MgConfig *config, const char *path);

/* Runs [alert] exec with VARS and INPUT (quarantine_hook.h); a process that
 * may not execute programs itself (the milter's front) sets one that asks a
 * helper. NULL: mg_quarantine_hook_run here. */
typedef gboolean (*MgQuarantineAlertRunner) (const MgConfig *config, const char *const *vars,
                                             GBytes *input, GError **error);
void mg_quarantine_alert_set_runner (MgQuarantineAlertRunner runner);

/* TRUE when [alert] address or [alert] exec is set. */
gboolean mg_quarantine_alert_enabled (const MgConfig *config);

/* Note EVENT and send what is kept when the interval allows. TRUE when
 * [alert] address is empty or the event was kept (a failed send keeps it for
 * the next try and is reported in ERROR as a warning to log, with TRUE). */
gboolean mg_quarantine_alert_note (const MgConfig *config, const MgQuarantineAlertEvent *event,
                                   GError **error);

/* The virus event of a report (REPORT_JSON with a non-empty "virus"), noted
 * as above; for a report without a virus, mg_quarantine_alert_flush. */
gboolean mg_quarantine_alert_report (const MgConfig *config, const char *report_json,
                                     const char *verdict, const MgEnvelope *envelope,
                                     GError **error);

/* TRUE when events are kept (cheap: a stat). */
gboolean mg_quarantine_alert_pending (const MgConfig *config);

/* Send kept events once the interval has passed (nothing when another
 * process is sending). */
gboolean mg_quarantine_alert_flush (const MgConfig *config, GError **error);
