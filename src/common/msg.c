/* msg.c - the lookup of the catalogue (see msg.h). */
#include "common/msg.h"

#include "common/msg_private.h"

static const struct {
  const MgMsg *rows;
  const gsize *n_rows;
  MgMsgId first;
} areas[] = {
  { mg_msg_reason_rows, &mg_msg_reason_n_rows, MG_MSG_REASON_FIRST },
  { mg_msg_notice_rows, &mg_msg_notice_n_rows, MG_MSG_NOTICE_FIRST },
  { mg_msg_ui_rows, &mg_msg_ui_n_rows, MG_MSG_UI_FIRST },
  { mg_msg_report_rows, &mg_msg_report_n_rows, MG_MSG_REPORT_FIRST },
  { mg_msg_cli_rows, &mg_msg_cli_n_rows, MG_MSG_CLI_FIRST },
};

const MgMsg *
mg_msg_row (MgMsgId id)
{
  for (gsize a = G_N_ELEMENTS (areas); a-- > 0;)
    if (id >= areas[a].first)
      return (gsize) (id - areas[a].first) < *areas[a].n_rows
                 ? &areas[a].rows[id - areas[a].first]
                 : NULL;
  return NULL;
}

gsize
mg_msg_n_rows (void)
{
  gsize n = 0;

  for (gsize a = 0; a < G_N_ELEMENTS (areas); a++)
    n += *areas[a].n_rows;
  return n;
}

const char *
mg_msg (MgMsgId id, MgLang lang)
{
  const MgMsg *row = mg_msg_row (id);

  g_assert (row != NULL && row->id == id);
  return lang == MG_LANG_EN ? row->en : row->ja;
}

MgMsgId
mg_msg_find (const char *en, MgMsgId first, MgMsgId end)
{
  for (MgMsgId id = first; id < end; id++)
    if (g_str_equal (mg_msg (id, MG_LANG_EN), en))
      return id;
  return MG_MSG_COUNT;
}

char *
mg_msg_replace (const char *text, MgMsgId first, MgMsgId end, MgLang lang)
{
  GString *out = g_string_new (text);

  for (MgMsgId id = first; lang != MG_LANG_EN && id < end; id++)
    g_string_replace (out, mg_msg (id, MG_LANG_EN), mg_msg (id, lang), 0);
  return g_string_free (out, FALSE);
}

MgLang
mg_msg_lang (const char *name)
{
  return g_strcmp0 (name, "ja") == 0 ? MG_LANG_JA : MG_LANG_EN;
}
