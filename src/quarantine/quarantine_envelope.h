/* quarantine_envelope.h - where a released message may go.
 *
 * The envelope of each item (MAIL FROM and RCPT TO as the MTA gave them) is
 * recorded in its report ("envelope": {"from": ..., "to": [...]}) and in the
 * index. A release goes only to those recipients (or, for an item stored
 * without an envelope, to one address the approver gives), and only when every
 * one of them is in [release] allowed_recipient_domains. The addresses in the
 * original's header are never a destination: the sender wrote them.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>

#include "common/config.h"
#include "common/envelope.h"

/* ADDRESS as an SMTP argument gives it ("<a@b>", "a@b", "<>"): the bare
 * addr-spec ("" for the null sender), or NULL when it is not a plain ASCII
 * addr-spec safe in MAIL FROM / RCPT TO. Owned by the caller. */
char *mg_quarantine_envelope_address (const char *address);

/* REPORT_JSON with an "envelope" member for ENVELOPE (addresses that are not
 * usable are left out): the text in *JSON_R (a new string; REPORT_JSON itself
 * when not an object), and the object it was made from (unref; NULL when not
 * an object), so that the audit line needs no second parse. */
JsonObject *mg_quarantine_envelope_report_object (const char *report_json,
                                                  const MgEnvelope *envelope, char **json_r);

/* TRUE when the domain of ADDRESS is one of DOMAINS (comma- or
 * space-separated) or a subdomain of one, compared without case, and ADDRESS
 * has no '%' or '!' (Postfix would route user%other@ours to "other"). */
gboolean mg_quarantine_envelope_domain_allowed (const char *domains, const char *address);

/* Check that RECIPIENTS (NULL-terminated) is not empty and that every one is
 * a usable address in [release] allowed_recipient_domains of CONFIG. FALSE
 * with MG_QUARANTINE_ERROR_POLICY naming the first that is not (in Japanese
 * and English). */
gboolean mg_quarantine_envelope_check (const MgConfig *config, const char *const *recipients,
                                       GError **error);
