/* quarantine_report.c - labelled rows and CSV of the audit totals.
 *
 * Names of viruses, reasons and addresses came from mail: a CSV cell is
 * cleaned of control characters and never starts a formula.
 */
#include "quarantine/quarantine_report.h"

#include <string.h>

#include "common/msg.h"
#include "quarantine/quarantine_headers.h"

/* The groups, in the order they are shown. */
static const char *const groups[] = {
  "messages", "files",  "attachments", "removals",   "viruses",
  "releases", "ppap",   "elapsed_ms",  "recipients", "withheld_sender_domains",
  "days",     "months",
};

/* JSON name and its label in the catalogue (msg_report.c). */
static const struct {
  const char *name;
  MgMsgId text;
} labels[] = {
  { "messages", MG_MSG_REPORT_MESSAGES },
  { "files", MG_MSG_REPORT_FILES },
  { "attachments", MG_MSG_REPORT_ATTACHMENTS },
  { "removals", MG_MSG_REPORT_REMOVALS },
  { "viruses", MG_MSG_REPORT_VIRUSES },
  { "releases", MG_MSG_REPORT_RELEASES },
  { "ppap", MG_MSG_REPORT_PPAP },
  { "elapsed_ms", MG_MSG_REPORT_ELAPSED_MS },
  { "recipients", MG_MSG_REPORT_RECIPIENTS },
  { "withheld_sender_domains", MG_MSG_REPORT_WITHHELD_SENDER_DOMAINS },
  { "days", MG_MSG_REPORT_DAYS },
  { "months", MG_MSG_REPORT_MONTHS },
  { "total", MG_MSG_REPORT_TOTAL },
  { "sanitised", MG_MSG_REPORT_SANITISED },
  { "withheld", MG_MSG_REPORT_WITHHELD },
  { "kept", MG_MSG_REPORT_KEPT },
  { "converted", MG_MSG_REPORT_CONVERTED },
  { "removed", MG_MSG_REPORT_REMOVED },
  { "requested", MG_MSG_REPORT_REQUESTED },
  { "approved", MG_MSG_REPORT_APPROVED },
  { "rejected", MG_MSG_REPORT_REJECTED },
  { "received", MG_MSG_REPORT_RECEIVED },
  { "password_given", MG_MSG_REPORT_PASSWORD_GIVEN },
  { "password_wrong", MG_MSG_REPORT_PASSWORD_WRONG },
  { "detections", MG_MSG_REPORT_DETECTIONS },
  { "count", MG_MSG_REPORT_COUNT },
  { "mean", MG_MSG_REPORT_MEAN },
};

const char *
mg_quarantine_report_label (const char *name, gboolean ja)
{
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].name, name))
      return mg_msg (labels[i].text, ja ? MG_LANG_JA : MG_LANG_EN);
  return name;
}

static void
visit_group (const char *name, JsonObject *g, const char *sub, MgQuarantineReportVisit fn,
             gpointer data)
{
  g_autoptr (GList) keys = json_object_get_members (g);

  for (GList *l = keys; l != NULL; l = l->next) {
    JsonNode *node = json_object_get_member (g, l->data);
    if (JSON_NODE_HOLDS_OBJECT (node) && sub == NULL)
      visit_group (name, json_node_get_object (node), l->data, fn, data);
    else if (JSON_NODE_HOLDS_VALUE (node))
      fn (name, sub, l->data, json_node_get_int (node), data);
  }
}

void
mg_quarantine_report_visit (JsonObject *stats, MgQuarantineReportVisit fn, gpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++) {
    JsonNode *node = json_object_get_member (stats, groups[i]);
    if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
      visit_group (groups[i], json_node_get_object (node), NULL, fn, data);
  }
}

static void
csv_cell (GString *out, const char *text, gboolean first)
{
  g_autofree char *clean = text != NULL ? mg_quarantine_headers_printable (text, FALSE)
                                        : g_strdup ("");

  g_string_append (out, first ? "\"" : ",\"");
  if (clean[0] != '\0' && strchr ("=+-@", clean[0]) != NULL)
    g_string_append_c (out, '\'');
  for (const char *p = clean; *p != '\0'; p++) {
    if (*p == '"')
      g_string_append_c (out, '"');
    g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

void
mg_quarantine_report_csv_row (GString *out, const char *const *cells, gsize n)
{
  for (gsize i = 0; i < n; i++)
    csv_cell (out, cells[i], i == 0);
  g_string_append (out, "\r\n");
}

typedef struct {
  GString *out;
  gboolean ja;
} MgReportCsv;

static void
csv_count (const char *group, const char *sub, const char *key, gint64 value, gpointer data)
{
  MgReportCsv *c = data;
  g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  const char *cells[] = { mg_quarantine_report_label (group, c->ja),
                          sub != NULL ? mg_quarantine_report_label (sub, c->ja) : "",
                          mg_quarantine_report_label (key, c->ja), n };

  mg_quarantine_report_csv_row (c->out, cells, G_N_ELEMENTS (cells));
}

char *
mg_quarantine_report_csv (JsonObject *stats, gboolean ja)
{
  MgReportCsv c = { g_string_new ("\xEF\xBB\xBF"), ja }; /* the BOM: Excel reads UTF-8 */
  MgLang lang = ja ? MG_LANG_JA : MG_LANG_EN;
  const char *head[] = { mg_msg (MG_MSG_REPORT_CSV_GROUP, lang),
                         mg_msg (MG_MSG_REPORT_CSV_SUBGROUP, lang),
                         mg_msg (MG_MSG_REPORT_CSV_ITEM, lang),
                         mg_msg (MG_MSG_REPORT_CSV_COUNT, lang) };

  mg_quarantine_report_csv_row (c.out, head, G_N_ELEMENTS (head));
  mg_quarantine_report_visit (stats, csv_count, &c);
  return g_string_free (c.out, FALSE);
}
