/* verdict.c - names of verdicts and actions; the texts of reasons come from
 * the catalogue (msg_reason.c). */
#include "common/verdict.h"

G_STATIC_ASSERT (MG_MSG_NOTICE_FIRST - MG_MSG_REASON_FIRST == MG_REASON_COUNT - 1);

const char *
mg_verdict_name (MgVerdict verdict)
{
  static const char *const names[] = { "sanitised", "withheld", "tempfail" };
  g_assert ((guint) verdict < G_N_ELEMENTS (names));
  return names[verdict];
}

const char *
mg_action_name (MgAction action)
{
  static const char *const names[] = { "kept", "converted", "removed", "withheld" };
  g_assert ((guint) action < G_N_ELEMENTS (names));
  return names[action];
}

const char *
mg_reason_text (MgReason reason, MgLang lang)
{
  g_assert ((guint) reason < MG_REASON_COUNT);
  if (reason == MG_REASON_NONE)
    return "";
  return mg_msg (MG_MSG_REASON_FIRST + (reason - 1), lang);
}
