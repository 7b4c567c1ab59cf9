/* admin_item.h - the page of one held item.
 *
 * Its fields, what became of each part and why, the headers of the original
 * (escaped), the history of release requests, and the forms the viewer's role
 * and the item's state allow: request (with the PPAP password field), approve
 * and reject (never offered to the requester), delete (which asks first, on
 * a page of its own). Viewing is audited.
 */
#pragma once
#include "admin/admin_pages.h"

MgAdminReply *mg_admin_item_page (MgAdminContext *ctx, const char *id);

/* The page that asks an approver to confirm the deletion of ID's original. */
MgAdminReply *mg_admin_item_delete_confirm (MgAdminContext *ctx, const char *id);
