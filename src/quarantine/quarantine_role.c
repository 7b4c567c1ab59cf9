/* quarantine_role.c - role checks.
 *
 * Must never grant a right to an actor whose role is missing or unknown.
 */
#include "quarantine/quarantine_role.h"

#include "quarantine/quarantine_index.h"

gboolean
mg_quarantine_role_valid (const char *role)
{
  return g_strcmp0 (role, MG_QUARANTINE_ROLE_OPERATOR) == 0 ||
         g_strcmp0 (role, MG_QUARANTINE_ROLE_APPROVER) == 0;
}

gboolean
mg_quarantine_role_require (const MgQuarantineActor *actor, const char *role,
                            const char *action, GError **error)
{
  gboolean ok = g_strcmp0 (actor->role, role) == 0 ||
                (g_strcmp0 (role, MG_QUARANTINE_ROLE_OPERATOR) == 0 &&
                 g_strcmp0 (actor->role, MG_QUARANTINE_ROLE_APPROVER) == 0);

  if (ok && actor->name != NULL && *actor->name != '\0')
    return TRUE;
  g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_ROLE,
               "%s needs the role %s (%s has %s)", action, role,
               actor->name != NULL ? actor->name : "nobody",
               actor->role != NULL ? actor->role : "none");
  return FALSE;
}
