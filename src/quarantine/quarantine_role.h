/* quarantine_role.h - the two roles of quarantine review and what each may do.
 *
 * An operator reviews and requests releases; an approver may also approve or
 * reject requests (never their own), delete originals and purge. Roles come
 * from the users file of the web UI (or the CLI's --as user); this module only
 * checks them, so that the rules live in one place.
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_audit.h"

#define MG_QUARANTINE_ROLE_OPERATOR "operator"
#define MG_QUARANTINE_ROLE_APPROVER "approver"

/* TRUE when ROLE is "operator" or "approver". */
gboolean mg_quarantine_role_valid (const char *role);

/* TRUE when ACTOR has ROLE (an approver has every operator right); else FALSE
 * with MG_QUARANTINE_ERROR_ROLE naming ACTION. */
gboolean mg_quarantine_role_require (const MgQuarantineActor *actor, const char *role,
                                     const char *action, GError **error);
