/* quarantine_release.h - the two-person release workflow.
 *
 * An operator (or approver) requests the release of a held item; a different
 * approver approves or rejects the request. The requester can never approve
 * their own request (申請者と承認者の兼務禁止): enforced here, whatever the
 * front end, and whatever names are used: an approval is also refused when
 * both actions came from the same Unix user on the command line. Approval claims the request,
 * has DELIVER do the release, and records the outcome; a failed delivery leaves the request
 * pending.
 *
 * This module never sanitises or sends anything itself: the caller's DELIVER
 * re-runs the pipeline on the original and injects only the sanitised result
 * (or, for kind "original", forwards the original to the one internet-zone
 * mailbox the configuration allows). Every step is audited.
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_store.h"

#define MG_QUARANTINE_RELEASE_SANITISED "sanitised" /* re-sanitised, to the recipients */
#define MG_QUARANTINE_RELEASE_ORIGINAL "original"   /* the original, to the forward address */

typedef struct {
  gint64 rid;
  char *item_id;
  char *kind; /* MG_QUARANTINE_RELEASE_* */
  char *requested_by;
  char *requested_unix; /* the Unix user who requested it on the CLI, or NULL */
  gint64 requested_at;  /* seconds since the epoch (UTC) */
  char *note;           /* the requester's words: escape before showing */
  char *password;       /* for an encrypted archive (PPAP), or NULL; cleared once decided */
  char *state;          /* pending | approving | approved | rejected | cancelled */
  char *decided_by;
  gint64 decided_at;
  char *result; /* what the delivery did, or why it failed */
} MgQuarantineRequest;

void mg_quarantine_request_free (MgQuarantineRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgQuarantineRequest, mg_quarantine_request_free)

/* Release ITEM as REQUEST asks, given the ORIGINAL bytes. On success
 * *RESULT_R (owned by the caller) says what was delivered where. */
typedef gboolean (*MgQuarantineDeliver) (gpointer ctx, const MgQuarantineItem *item,
                                         const MgQuarantineRequest *request, GBytes *original,
                                         char **result_r, GError **error);

/* ACTOR (operator or approver) asks for item ID to be released as KIND, with
 * PASSWORD (may be NULL) for an encrypted archive and a NOTE (may be NULL).
 * Refused when the item is deleted or already has a pending request, or KIND
 * is "original" and no [release] original_forward_address is configured. */
gboolean mg_quarantine_release_request (MgQuarantineStore *store, const char *id,
                                        const MgQuarantineActor *actor, const char *kind,
                                        const char *password, const char *note,
                                        GError **error);

/* ACTOR (an approver who is not the requester) approves the pending request
 * of item ID: DELIVER is called with CTX; the item becomes "released". FALSE
 * with ERROR when refused (role, state, MG_QUARANTINE_ERROR_SAME_PERSON) or
 * when the delivery failed (the request stays pending). *RESULT_R (may be
 * NULL) gets what the delivery reported. */
gboolean mg_quarantine_release_approve (MgQuarantineStore *store, const char *id,
                                        const MgQuarantineActor *actor,
                                        MgQuarantineDeliver deliver, gpointer ctx,
                                        char **result_r, GError **error);

/* ACTOR (an approver) rejects the pending request of item ID. */
gboolean mg_quarantine_release_reject (MgQuarantineStore *store, const char *id,
                                       const MgQuarantineActor *actor, const char *note,
                                       GError **error);

/* The pending (or approving) request of item ID, or NULL (ERROR set only when
 * the index failed). */
MgQuarantineRequest *mg_quarantine_release_pending (MgQuarantineStore *store, const char *id,
                                                    GError **error);

/* Every request of item ID, oldest first (MgQuarantineRequest *). */
GPtrArray *mg_quarantine_release_history (MgQuarantineStore *store, const char *id,
                                          GError **error);
