/* quarantine_alert.h - alert mail to the CSIRT: viruses and failures.
 *
 * When [alert] address is set, a virus found in a message (and a message the
 * milter could not sanitise: a worker crash, a sandbox kill, a deadline) is
 * told to that address in Japanese, through [release] smtp (the listener
 * without the milter), from [release] sender. The mail names what was found,
 * the quarantine id, the envelope sender and recipients, the queue id and the
 * time; never a byte of the original.
 *
 * Rate limit: at most one mail per [alert] interval seconds. An event inside
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

#define MG_QUARANTINE_ALERT_KEPT_MAX 100   /* events listed in one mail; more are counted */

typedef struct {
  const char *kind;             /* "virus" or "failure" */
  const char *item_id;          /* quarantine id, or NULL */
  const char *queue_id;         /* or NULL */
  const char *verdict;          /* "withheld", "rejected", "tempfail", ... */
  const char *viruses;          /* ", "-separated names, or NULL */
  const char *detail;           /* what failed, or NULL */
  const MgEnvelope *envelope;   /* or NULL */
} MgQuarantineAlertEvent;

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
