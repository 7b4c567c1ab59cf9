/* admin_text.c - the web UI's words for stored names (see admin_text.h). */
#include "admin/admin_text.h"

#include "common/verdict.h"

const char *
mg_admin_text_word (MgLang lang, const char *name)
{
  static const struct {
    const char *name;
    MgMsgId text;
  } words[] = {
    { "withheld", MG_MSG_UI_WITHHELD },
    { "sanitised", MG_MSG_UI_SANITISED },
    { "held", MG_MSG_UI_HELD },
    { "kept", MG_MSG_UI_KEPT },
    { "pending", MG_MSG_UI_PENDING },
    { "released", MG_MSG_UI_RELEASED },
    { "deleted", MG_MSG_UI_DELETED },
    { "operator", MG_MSG_UI_ROLE_OPERATOR },
    { "approver", MG_MSG_UI_ROLE_APPROVER },
    { "approved", MG_MSG_UI_W_APPROVED },
    { "rejected", MG_MSG_UI_W_REJECTED },
    { "cancelled", MG_MSG_UI_W_CANCELLED },
    { "approving", MG_MSG_UI_W_APPROVING },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (name, words[i].name) == 0)
      return mg_msg (words[i].text, lang);
  return name != NULL ? name : "";
}

const char *
mg_admin_text_action (MgLang lang, const char *action)
{
  if (g_strcmp0 (action, "kept") == 0)
    return mg_msg (MG_MSG_UI_W_KEPT, lang);
  if (g_strcmp0 (action, "converted") == 0)
    return mg_msg (MG_MSG_UI_W_CONVERTED, lang);
  if (g_strcmp0 (action, "removed") == 0)
    return mg_msg (MG_MSG_UI_W_REMOVED, lang);
  return mg_admin_text_word (lang, action);
}

const char *
mg_admin_text_kind (MgLang lang, const char *kind)
{
  if (g_strcmp0 (kind, "sanitised") == 0)
    return mg_msg (MG_MSG_UI_W_KIND_SANITISED, lang);
  if (g_strcmp0 (kind, "original") == 0)
    return mg_msg (MG_MSG_UI_W_KIND_ORIGINAL, lang);
  return kind != NULL ? kind : "";
}

static const char *
reason_in (MgLang lang, const char *english)
{
  if (lang == MG_LANG_EN)
    return english;
  for (int r = MG_REASON_NONE + 1; r < MG_REASON_COUNT; r++)
    if (g_str_equal (mg_reason_text ((MgReason) r, MG_LANG_EN), english))
      return mg_reason_text ((MgReason) r, MG_LANG_JA);
  return english;
}

char *
mg_admin_text_reasons (MgLang lang, const char *reasons)
{
  g_auto (GStrv) parts = g_strsplit (reasons != NULL ? reasons : "", "; ", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new ();

  for (char **p = parts; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add (out, (gpointer) reason_in (lang, *p));
  g_ptr_array_add (out, NULL);
  return g_strjoinv (lang == MG_LANG_EN ? "; " : "、", (char **) out->pdata);
}
