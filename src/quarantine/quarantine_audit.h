/* quarantine_audit.h - the audit log: DIR/audit.log and syslog.
 *
 * One JSON object per line: one per message the pipeline saw ("event":
 * "message": ids, sender, recipients, subject, verdict, what became of each
 * part, SHA-256 of what came in and went out, timings) and one per admin
 * action ("event": "action": who, in which role, from which address, what, on
 * which item, the result). Times are UTC (ISO 8601, "Z"); the UI shows JST.
 *
 * Lines are appended with O_APPEND in one write(2) each, so that concurrent
 * writers never interleave, and never rewritten: rotation renames the file
 * (a new one is opened for every line).
 */
#pragma once
#include <glib.h>

/* Who did something: NAME (user of the users file, or the Unix user for the
 * CLI), ROLE ("operator", "approver", or "local" for the CLI without one) and
 * ADDRESS (the client's IP address, or "local" and the Unix user). */
typedef struct {
  const char *name;
  const char *role;
  const char *address;
} MgQuarantineActor;

/* Append the line of one message: REPORT_JSON (the pipeline's report) with
 * the time, RECIPIENTS (may be NULL), the SHA-256 and size of the input and
 * of the output, and whether the original was STORED. */
gboolean mg_quarantine_audit_message (const char *dir, const char *report_json,
                                      const char *recipients, GBytes *input,
                                      GBytes *output, gboolean stored, GError **error);

/* Append the line of one admin action. ITEM_ID and DETAIL may be NULL;
 * RESULT is "ok", "refused" or "failed". */
gboolean mg_quarantine_audit_action (const char *dir, const MgQuarantineActor *actor,
                                     const char *action, const char *item_id,
                                     const char *result, const char *detail,
                                     GError **error);

/* The present time as the audit log writes it (UTC, ISO 8601). */
char *mg_quarantine_audit_now (void);
