/* milter_reply.c - fail closed, decided once.
 *
 * Must never let an unknown outcome through: the default is tempfail. The
 * reply texts are fixed ASCII, never content from the message.
 */
#include "milter/milter_reply.h"

#include "milter/milter_work.h"

static sfsistat
tempfail (SMFICTX *ctx, const GError *error)
{
  gboolean busy = error != NULL &&
                  g_error_matches (error, MG_MILTER_WORK_ERROR, MG_MILTER_WORK_ERROR_BUSY);

  if (ctx != NULL)
    smfi_setreply (ctx, "451", busy ? "4.3.2" : "4.3.0",
                   busy ? "mugai: too busy, try again later"
                        : "mugai: message could not be sanitised, try again later");
  return SMFIS_TEMPFAIL;
}

sfsistat
mg_milter_reply (SMFICTX *ctx, MgMilterOutcome outcome, const GError *error)
{
  switch (outcome) {
  case MG_MILTER_OUTCOME_COLLECTING:
  case MG_MILTER_OUTCOME_DELIVERED:
    return SMFIS_CONTINUE;
  case MG_MILTER_OUTCOME_VIRUS:
    if (ctx != NULL)
      smfi_setreply (ctx, "550", "5.7.1", "mugai: message refused, it contains a virus");
    return SMFIS_REJECT;
  case MG_MILTER_OUTCOME_STOPPING:
    if (ctx != NULL)
      smfi_setreply (ctx, "451", "4.3.2", "mugai: shutting down, try again later");
    return SMFIS_TEMPFAIL;
  case MG_MILTER_OUTCOME_FAILED:
  default:
    return tempfail (ctx, error);
  }
}
