/* notice.c - the notices, in Japanese or English (their words are in the
 * catalogue, msg_notice.c). */
#include "pipeline/notice.h"

#include "common/msg.h"
#include "pipeline/policy.h"

/* The language of the notices of JOB. */
static MgLang
lang (const MgJob *job)
{
  return mg_msg_lang (job->language);
}

static MgMsgId
action_word (MgAction action)
{
  switch (action) {
  case MG_ACTION_KEPT:
    return MG_MSG_NOTICE_KEPT;
  case MG_ACTION_CONVERTED:
    return MG_MSG_NOTICE_CONVERTED;
  case MG_ACTION_REMOVED:
    return MG_MSG_NOTICE_REMOVED;
  case MG_ACTION_WITHHELD:
    return MG_MSG_NOTICE_WITHHELD;
  }
  g_assert_not_reached ();
}

static void
append_part_line (GString *out, const MgJob *job, const MgPart *part)
{
  MgLang l = lang (job);
  g_autofree char *name = part->filename ? mg_policy_output_name (part->filename, NULL, 0)
                                         : g_strdup (mg_msg (MG_MSG_NOTICE_NO_NAME, l));
  const char *type = part->detected_type ? part->detected_type : part->declared_type;

  g_string_append_printf (out, mg_msg (MG_MSG_NOTICE_ITEM, l), name, type ? type : "?",
                          mg_msg (action_word (part->action), l));
  if (part->output_filename != NULL && g_strcmp0 (part->output_filename, name) != 0)
    g_string_append_printf (out, "%s%s", mg_msg (MG_MSG_NOTICE_ARROW, l),
                            part->output_filename);
  if (part->reason != MG_REASON_NONE)
    g_string_append_printf (out, " — %s", mg_reason_text (part->reason, l));
  if (part->reason == MG_REASON_VIRUS && part->detail != NULL)
    g_string_append_printf (out, " (%s)", part->detail);
  g_string_append_c (out, '\n');
}

static void
append_parts (GString *out, const MgJob *job)
{
  MgLang l = lang (job);

  if (job->parts->len == 0) {
    g_string_append (out, mg_msg (job->parts_unlisted ? MG_MSG_NOTICE_PARTS_UNLISTED
                                                      : MG_MSG_NOTICE_NO_PARTS,
                                  l));
    return;
  }
  g_string_append (out, mg_msg (MG_MSG_NOTICE_PARTS_LIST, l));
  for (guint i = 0; i < job->parts->len; i++)
    append_part_line (out, job, g_ptr_array_index (job->parts, i));
}

char *
mg_notice_banner (const MgJob *job, const char *id)
{
  MgLang l = lang (job);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, mg_msg (MG_MSG_NOTICE_BANNER, l), id);
  append_parts (out, job);
  if (job->html_converted)
    g_string_append (out, mg_msg (MG_MSG_NOTICE_HTML_CONVERTED, l));
  if (job->alternative_differs)
    g_string_append (out, mg_msg (MG_MSG_NOTICE_ALTERNATIVE_DIFFERS, l));
  g_string_append (out, mg_msg (MG_MSG_NOTICE_RULE, l));
  return g_string_free (out, FALSE);
}

char *
mg_notice_withheld (const MgJob *job, const char *id, const char *from, const char *subject)
{
  MgLang l = lang (job);
  GString *out = g_string_new (NULL);

  g_string_append (out, mg_msg (MG_MSG_NOTICE_WITHHELD_INTRO, l));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s: %s", mg_msg (MG_MSG_NOTICE_REASON, l),
                          mg_reason_text (job->withhold, l));
  if (job->viruses->len > 0)
    g_string_append_printf (out, " (%s)", (char *) g_ptr_array_index (job->viruses, 0));
  g_string_append_printf (out, "\n%s: %s\n", mg_msg (MG_MSG_NOTICE_QUARANTINE_ID, l), id);
  if (from != NULL)
    g_string_append_printf (out, "%s: %s\n", mg_msg (MG_MSG_NOTICE_FROM, l), from);
  if (subject != NULL)
    g_string_append_printf (out, "%s: %s\n", mg_msg (MG_MSG_NOTICE_SUBJECT, l), subject);
  g_string_append_c (out, '\n');
  append_parts (out, job);
  g_string_append_c (out, '\n');
  g_string_append (out, mg_msg (job->withhold == MG_REASON_ENCRYPTED ? MG_MSG_NOTICE_ENCRYPTED
                                                                     : MG_MSG_NOTICE_ASK_ADMIN,
                                l));
  return g_string_free (out, FALSE);
}
