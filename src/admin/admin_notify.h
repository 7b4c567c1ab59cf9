/* admin_notify.h - tell the approvers that a release waits for them.
 *
 * After a release request, every approver of the users file with an email
 * (other than the requester) gets one mail in Japanese, through [release]
 * smtp from [release] sender: the item id, what kind of release, who asked
 * and why it was held, and the command or page to decide it. Never a byte of
 * the original, nor its subject (hostile text).
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_store.h"

/* Send the mail for the request of KIND on item ID by ACTOR; a failure is
 * logged as a warning (the request stands). */
void mg_admin_notify_request (MgQuarantineStore *store, const char *id,
                              const MgQuarantineActor *actor, const char *kind);
