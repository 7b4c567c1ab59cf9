/* quarantine_audit.h - the audit log: DIR/audit.log (admin actions also to syslog).
 *
 * One JSON object per line: one per message the pipeline saw ("event":
 * "message": ids, sender, recipients, subject, verdict, what became of each
 * part, SHA-256 of what came in and went out, timings) and one per admin
 * action ("event": "action": who, in which role, from which address, what, on
 * which item, the result). Times are UTC (ISO 8601, "Z"); the UI shows JST.
 *
 * Lines are appended with O_APPEND, whole lines in one write(2) (the lines of
 * one process's concurrent messages together: group commit), fsync'd before
 * the append returns, and never rewritten:
 * rotation renames the file (a new one is opened for every line). Every line
 * carries "time", "action", "actor" (who: the authenticated user, or "system"
 * for the pipeline's message lines) and "prev": the SHA-256 (hex) of the line
 * written before it, as written (without its newline), so that a removed or
 * edited line breaks the chain. DIR/audit.chain holds the hash of the last line
 * and is the lock that serialises writers; because of it the first line of a
 * new file, after a rotation, is chained to the last line of the old one.
 * quarantine_audit_check.h verifies the chain. With [quarantine] backend =
 * postgresql the lines go to the shared store's audit_log table instead, one
 * writer at a time on every node (a transaction-level advisory lock), each
 * chained to the line before it in that table.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>

#include "common/config.h"
#include "quarantine/quarantine_index.h"

/* Who did something: NAME (user of the users file, or the Unix user for the
 * CLI), ROLE ("operator", "approver", or "local" for the CLI without one) and
 * ADDRESS (the client's IP address, or "local" and the Unix user). */
typedef struct {
  const char *name;
  const char *role;
  const char *address;
  const char *unix_user; /* the CLI's real Unix user (getuid), NULL for the web UI */
} MgQuarantineActor;

/* Append the line of one message: REPORT_JSON (the pipeline's report) with
 * the time, RECIPIENTS (may be NULL), the SHA-256 and size of the input and
 * of the output, and whether the original was STORED. */
gboolean mg_quarantine_audit_message (const MgConfig *config, const char *report_json,
                                      const char *recipients, GBytes *input, GBytes *output,
                                      gboolean stored, GError **error);

/* Append the line of one file `mugai files` saw: as a message's line, with
 * "event": "file", "action" the file's (kept, converted, removed, withheld),
 * the OPERATOR (the Unix user that ran it) as "actor" and "unix_user". */
gboolean mg_quarantine_audit_file (const MgConfig *config, const char *report_json,
                                   const char *operator_name, GBytes *input, GBytes *output,
                                   gboolean stored, GError **error);

/* The lines mg_quarantine_audit_message and _file append, unwritten (unref). */
JsonObject *mg_quarantine_audit_message_object (const char *report_json,
                                                const char *recipients, GBytes *input,
                                                GBytes *output, gboolean stored);
/* The same as mg_quarantine_audit_message_object, from the report already
 * parsed (REPORT, not taken; NULL: not a JSON object). */
JsonObject *mg_quarantine_audit_message_object_of (JsonObject *report, const char *recipients,
                                                   GBytes *input, GBytes *output,
                                                   gboolean stored);
JsonObject *mg_quarantine_audit_file_object (const char *report_json,
                                             const char *operator_name, GBytes *input,
                                             GBytes *output, gboolean stored);

/* Append OBJECT (with "prev" set here) to CONFIG's audit log, and to syslog
 * when TO_SYSLOG. */
gboolean mg_quarantine_audit_append (const MgConfig *config, JsonObject *object,
                                     gboolean to_syslog, GError **error);

/* With a shared store: append OBJECT's line, chained, inside INDEX's open
 * transaction (taking the audit writers' lock), so that a held item and its
 * line are committed together or not at all. */
gboolean mg_quarantine_audit_append_in (MgQuarantineIndex *index, JsonObject *object,
                                        GError **error);

/* Append the line of one admin action. ITEM_ID and DETAIL may be NULL;
 * RESULT is "ok", "refused" or "failed". */
gboolean mg_quarantine_audit_action (const MgConfig *config, const MgQuarantineActor *actor,
                                     const char *action, const char *item_id,
                                     const char *result, const char *detail, GError **error);

/* The actor of the pipeline's message lines. */
#define MG_QUARANTINE_AUDIT_SYSTEM "system"
/* The "prev" of the very first line written. */
#define MG_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* OBJECT (a JsonObject) as one line of JSON, as the audit log writes it. */
char *mg_quarantine_audit_to_line (gpointer object);

/* The present time as the audit log writes it (UTC, ISO 8601). */
char *mg_quarantine_audit_now (void);
