/* admin_actions.h - the POST actions of the admin web UI.
 *
 * Run after the server checked the session and the CSRF token. Each goes
 * through src/quarantine (roles, two-person rule, audit) and answers with a
 * redirect (303) to the item or statistics page, with a message for it.
 */
#pragma once
#include "admin/admin_pages.h"

/* ACTION ("request", "approve", "reject", "delete") on item ID. */
MgAdminReply *mg_admin_actions_item (MgAdminContext *ctx, const char *id, const char *action);
MgAdminReply *mg_admin_actions_purge (MgAdminContext *ctx);
