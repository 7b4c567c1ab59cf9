/* milter_log.h - the one summary line per message in the mail log.
 *
 * Like amavisd-new's "Blocked INFECTED": one line an admin can grep, with the
 * verdict, the quarantine id, the envelope, the virus names, the Message-ID,
 * the sizes, the time taken, the virus database and the reason:
 *
 *   QUEUEID: withheld id=ID from=<a@x> to=<b@y>,<c@y> virus=NAME[,NAME]
 *     message_id=<...> in=N out=N ms=N signatures="daily N, main N" reason=TEXT
 *
 * (one line). "virus=" and "message_id=" are left out when there is none;
 * "reason=" comes last and runs to the end of the line. Text that came from
 * the mail (addresses, Message-ID, virus names) has spaces, control bytes,
 * quotes, commas and angle brackets written as \xNN, so that a field can
 * never be forged.
 */
#pragma once
#include <glib.h>

#include "common/envelope.h"
#include "pipeline/pipeline.h"

/* The summary line of RESULT (VERDICT_TEXT: "withheld", "sanitised" or
 * "rejected": refused with 550 for a virus), for a message of IN_SIZE bytes taken in MS.
 * ENVELOPE may be NULL. */
/* Alerts ([alert] address, quarantine_alert.h) in a thread of their own, so
 * that a slow SMTP listener never holds up a reply to Postfix: the virus of
 * RESULT's report, or a flush of kept events; a message that failed (its
 * queue id and what failed). CONFIG must outlive the process's threads. */
void mg_milter_log_alert (const MgConfig *config, const MgMailResult *result,
                          const char *verdict_text, const MgEnvelope *envelope);
void mg_milter_log_alert_failure (const MgConfig *config, const char *queue_id,
                                  const MgEnvelope *envelope, const char *what);
/* A failed reload of the virus engine (WHAT: why), told the same way. */
void mg_milter_log_alert_reload (const MgConfig *config, const char *what);

char *mg_milter_log_summary (const char *queue_id, const char *verdict_text,
                             const MgEnvelope *envelope, const MgMailResult *result,
                             gsize in_size, gint64 ms);
