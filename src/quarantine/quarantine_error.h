/* quarantine_error.h - the error domain of the quarantine (GError codes that
 * callers, the CLI and the web UI among them, tell apart: a missing item, a
 * role, the two-person rule, an unreachable shared store...).
 */
#pragma once
#include <glib.h>

#define MG_QUARANTINE_ERROR (mg_quarantine_error_quark ())
GQuark mg_quarantine_error_quark (void);
typedef enum {
  MG_QUARANTINE_ERROR_DB,          /* the index could not be read or written */
  MG_QUARANTINE_ERROR_NOT_FOUND,   /* no such item or request */
  MG_QUARANTINE_ERROR_STATE,       /* not allowed in the item's present state */
  MG_QUARANTINE_ERROR_ROLE,        /* the actor's role does not allow it */
  MG_QUARANTINE_ERROR_SAME_PERSON, /* the requester may not approve their request */
  MG_QUARANTINE_ERROR_POLICY,      /* configuration forbids it */
  MG_QUARANTINE_ERROR_RELEASE,     /* the release itself failed */
  MG_QUARANTINE_ERROR_UNREACHABLE, /* the shared store (PostgreSQL) cannot be reached */
} MgQuarantineError;
