/* quarantine_item.h - one item of the quarantine as the index describes it.
 *
 * Filled from the pipeline's report when a message is stored, and from the
 * index afterwards. Every string that came from the message (sender, subject,
 * reasons' details) is hostile text: escape it for where it is shown.
 */
#pragma once
#include <glib.h>

typedef struct {
  char *id;       /* the report id, [0-9]{8}T[0-9]{6}Z-[0-9a-f]{8} */
  gint64 time;    /* seconds since the epoch (UTC) */
  char *queue_id; /* Postfix queue id, or NULL */
  char *message_id;
  char *sender;          /* From, decoded, as the report has it */
  char *sender_address;  /* addr-spec of From, or NULL */
  char *recipients;      /* addr-specs of To and Cc, ", "-separated, or NULL */
  char *subject;         /* decoded: hostile text, escape before showing */
  char *verdict;         /* "sanitised" or "withheld" */
  gboolean held;         /* withheld, or parts removed (else kept because keep = all) */
  char *reasons;         /* English reasons, "; "-separated, or NULL */
  char *virus;           /* signature names, ", "-separated, or NULL */
  char *original_sha256; /* object names; NULL once deleted */
  char *report_sha256;
  gint64 size;         /* bytes of the original */
  char *state;         /* held | pending | released | deleted */
  char *envelope_from; /* MAIL FROM ("" for <>), or NULL */
  char **envelope_to;  /* RCPT TO addresses; NULL when no envelope was recorded */
} MgQuarantineItem;

/* States of an item. */
#define MG_QUARANTINE_STATE_HELD "held"       /* withheld or parts removed */
#define MG_QUARANTINE_STATE_KEPT "kept"       /* passed whole; stored because keep = all */
#define MG_QUARANTINE_STATE_PENDING "pending" /* a release is requested */
#define MG_QUARANTINE_STATE_RELEASED "released"
#define MG_QUARANTINE_STATE_DELETED "deleted" /* original removed, report kept */

/* A new item with the fields the report REPORT_JSON carries (id, queue id,
 * message id, sender, subject, verdict, reasons, virus); *REASONS_R gets the
 * distinct reasons (English) of the message and of its removed or withheld
 * parts. NULL when the report is not a JSON object. */
MgQuarantineItem *mg_quarantine_item_from_report (const char *report_json,
                                                  GPtrArray **reasons_r);

void mg_quarantine_item_free (MgQuarantineItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgQuarantineItem, mg_quarantine_item_free)
