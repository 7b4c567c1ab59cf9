/* quarantine_remove.h - deleting originals and applying the retention period.
 *
 * Removal takes the index's write lock for each change and removes an object
 * only once no item refers to it; a crash between the two leaves an
 * unreferenced object, which the next purge removes.
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_store.h"

/* Delete the original of item ID: its row and report stay (state "deleted"),
 * pending requests are cancelled. ACTOR must be an approver. Audited. */
gboolean mg_quarantine_remove_item (MgQuarantineStore *store, const char *id,
                                    const MgQuarantineActor *actor, GError **error);

/* Remove items older than [quarantine] retention_days (counted from NOW,
 * seconds since the epoch), every object no item refers to and staging files
 * left by a crash. *ITEMS_R gets how many items went. ACTOR is an approver,
 * or the local system (role "local": the CLI, cron). Audited. */
gboolean mg_quarantine_remove_expired (MgQuarantineStore *store, gint64 now,
                                       const MgQuarantineActor *actor, guint *items_r,
                                       GError **error);
