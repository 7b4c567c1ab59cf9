/* quarantine_report.c - labelled rows and CSV of the audit totals.
 *
 * Names of viruses, reasons and addresses came from mail: a CSV cell is
 * cleaned of control characters and never starts a formula.
 */
#include "quarantine/quarantine_report.h"

#include <string.h>

#include "quarantine/quarantine_headers.h"

/* The groups, in the order they are shown. */
static const char *const groups[] = {
  "messages", "files", "attachments", "removals", "viruses", "releases", "ppap",
  "elapsed_ms", "recipients", "withheld_sender_domains", "days", "months",
};

/* JSON name, Japanese, English. */
static const char *const labels[][3] = {
  { "messages", "メール", "Messages" },
  { "files", "ファイル（mugai files）", "Files (mugai files)" },
  { "attachments", "添付・ファイルの種類と処理", "Attachments and files by type and action" },
  { "removals", "削除・保留の理由", "Removed or withheld, by reason" },
  { "viruses", "ウイルス名", "Viruses" },
  { "releases", "解放", "Releases" },
  { "ppap", "パスワード付き ZIP（PPAP）", "Password-protected ZIP (PPAP)" },
  { "elapsed_ms", "処理時間（ミリ秒）", "Processing time (ms)" },
  { "recipients", "宛先ごとのメール", "Messages per recipient" },
  { "withheld_sender_domains", "保留したメールの差出人ドメイン",
    "Sender domains of withheld mail" },
  { "days", "日別（JST）", "Per day (JST)" },
  { "months", "月別（JST）", "Per month (JST)" },
  { "total", "合計", "total" },
  { "sanitised", "無害化", "sanitised" },
  { "withheld", "保留", "withheld" },
  { "kept", "通過", "kept" },
  { "converted", "変換", "converted" },
  { "removed", "削除", "removed" },
  { "requested", "申請", "requested" },
  { "approved", "承認", "approved" },
  { "rejected", "却下", "rejected" },
  { "received", "受信して保留", "received and withheld" },
  { "password_given", "パスワードを添えた解放申請", "release requested with the password" },
  { "password_wrong", "パスワードが合わず申請できず", "password did not open it" },
  { "detections", "ウイルス検出", "virus detections" },
  { "count", "件数", "count" },
  { "mean", "平均", "mean" },
};

const char *
mg_quarantine_report_label (const char *name, gboolean ja)
{
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i][0], name))
      return labels[i][ja ? 1 : 2];
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
  MgReportCsv c = { g_string_new ("\xEF\xBB\xBF"), ja };   /* the BOM: Excel reads UTF-8 */
  const char *head_ja[] = { "区分", "小区分", "項目", "件数" };
  const char *head_en[] = { "group", "subgroup", "item", "count" };

  mg_quarantine_report_csv_row (c.out, ja ? head_ja : head_en, 4);
  mg_quarantine_report_visit (stats, csv_count, &c);
  return g_string_free (c.out, FALSE);
}
