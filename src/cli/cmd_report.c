/* cmd_report.c - `mugai report`: totals over a period, from the audit log.
 *
 *   mugai report [-c FILE] [--from DATE] [--to DATE] [--format text|csv|json]
 *
 * DATE is YYYY-MM-DD (JST) or ISO 8601; --to includes the whole day it
 * names. Text is in the notice language ([notice] language), CSV has Japanese
 * headers (UTF-8 with a BOM, formula cells quoted) for Excel, JSON is the
 * object of quarantine_stats.h. Exit 0, 64 usage, 75 no audit log, 78
 * configuration.
 */
#include <stdio.h>
#include <string.h>

#include "cli/admin/admin_print.h"
#include "cli/cli.h"
#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_stats.h"

typedef struct {
  char *config, *from, *to, *format;
} MgReportArgs;

/* Labels of the groups and keys: JSON name, Japanese, English. */
static const char *const labels[][3] = {
  { "messages", "メール", "Messages" },
  { "files", "ファイル（mugai files）", "Files (mugai files)" },
  { "attachments", "添付・ファイルの種類と処理", "Attachments and files by type and action" },
  { "removals", "削除・保留の理由", "Removed or withheld, by reason" },
  { "viruses", "ウイルス名", "Viruses" },
  { "releases", "解放", "Releases" },
  { "elapsed_ms", "処理時間（ミリ秒）", "Processing time (ms)" },
  { "recipients", "宛先ごとのメール", "Messages per recipient" },
  { "withheld_sender_domains", "保留したメールの差出人ドメイン",
    "Sender domains of withheld mail" },
  { "days", "日別（JST）", "Per day (JST)" },
  { "total", "合計", "total" },
  { "sanitised", "無害化", "sanitised" },
  { "withheld", "保留", "withheld" },
  { "kept", "通過", "kept" },
  { "converted", "変換", "converted" },
  { "removed", "削除", "removed" },
  { "requested", "申請", "requested" },
  { "approved", "承認", "approved" },
  { "rejected", "却下", "rejected" },
  { "count", "件数", "count" },
  { "mean", "平均", "mean" },
};

static const char *
label (const char *name, gboolean ja)
{
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i][0], name))
      return labels[i][ja ? 1 : 2];
  return name;
}

static gboolean
parse_args (int argc, char **argv, MgReportArgs *a, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config, "configuration file", "FILE" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &a->from, "from this day (JST)", "YYYY-MM-DD" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &a->to, "to this day, included (JST)", "YYYY-MM-DD" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &a->format, "text (default), csv or json", "F" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- totals from the audit log");

  g_option_context_add_main_entries (ctx, entries, NULL);
  return g_option_context_parse (ctx, &argc, &argv, error);
}

/* --from/--to as unix seconds; a bare day given to --to counts whole. */
static gboolean
period (const MgReportArgs *a, gint64 *from_r, gint64 *to_r)
{
  *from_r = 0;
  *to_r = G_MAXINT64;
  if (a->from != NULL && !mg_quarantine_query_parse_time (a->from, from_r)) {
    fprintf (stderr, "mugai report: --from: not a date (YYYY-MM-DD or ISO 8601)\n");
    return FALSE;
  }
  if (a->to != NULL && !mg_quarantine_query_parse_time (a->to, to_r)) {
    fprintf (stderr, "mugai report: --to: not a date (YYYY-MM-DD or ISO 8601)\n");
    return FALSE;
  }
  if (a->to != NULL && strlen (a->to) == 10)
    *to_r += 24 * 3600;
  return TRUE;
}

static void
print_json (JsonObject *stats)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_node_set_object (node, stats);
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* Visit every count: group, sub-group (or NULL), key, value. */
typedef void (*MgReportVisit) (const char *group, const char *sub, const char *key,
                               gint64 value, gpointer data);

static void
visit_group (const char *name, JsonObject *g, const char *sub, MgReportVisit fn, gpointer data)
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

static void
visit (JsonObject *stats, MgReportVisit fn, gpointer data)
{
  for (guint i = 0; i < 10; i++) {
    JsonNode *node = json_object_get_member (stats, labels[i][0]);
    if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
      visit_group (labels[i][0], json_node_get_object (node), NULL, fn, data);
  }
}

static void
csv_row (const char *group, const char *sub, const char *key, gint64 value, gpointer data)
{
  g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  const char *cells[] = { label (group, TRUE), sub != NULL ? label (sub, TRUE) : "",
                          label (key, TRUE), n };

  mg_admin_print_csv_row (data, cells, G_N_ELEMENTS (cells));
}

typedef struct {
  gboolean ja;
  const char *group, *sub;
} MgReportText;

static void
text_row (const char *group, const char *sub, const char *key, gint64 value, gpointer data)
{
  MgReportText *t = data;
  g_autofree char *k = mg_admin_print_clean (label (key, t->ja));

  if (g_strcmp0 (t->group, group) != 0)
    printf ("\n%s\n", label (group, t->ja));
  if (sub != NULL && (g_strcmp0 (t->sub, sub) != 0 || g_strcmp0 (t->group, group) != 0)) {
    g_autofree char *s = mg_admin_print_clean (label (sub, t->ja));
    printf ("  %s\n", s);
  }
  t->group = group;
  t->sub = sub;
  printf ("%s  %10" G_GINT64_FORMAT "  %s\n", sub != NULL ? "  " : "", value, k);
}

static void
print_text (JsonObject *stats, const MgReportArgs *a, gboolean ja)
{
  MgReportText t = { ja, NULL, NULL };

  printf (ja ? "mugai 集計（監査ログから）  期間: %s 〜 %s\n"
             : "mugai report (from the audit log)  period: %s to %s\n",
          a->from != NULL ? a->from : "-", a->to != NULL ? a->to : "-");
  visit (stats, text_row, &t);
}

static int
run (const MgReportArgs *a, const MgConfig *config)
{
  g_autoptr (GError) error = NULL;
  gint64 from, to;
  JsonObject *stats;

  if (!period (a, &from, &to))
    return MG_EXIT_USAGE;
  stats = mg_quarantine_stats_collect (config->quarantine_directory, from, to, &error);
  if (stats == NULL) {
    fprintf (stderr, "mugai report: %s\n", error->message);
    return MG_EXIT_TEMPFAIL;
  }
  if (g_strcmp0 (a->format, "json") == 0) {
    print_json (stats);
  } else if (g_strcmp0 (a->format, "csv") == 0) {
    const char *head[] = { "区分", "小区分", "項目", "件数" };
    fputs ("\xEF\xBB\xBF", stdout);   /* so that Excel reads UTF-8 */
    mg_admin_print_csv_row (stdout, head, G_N_ELEMENTS (head));
    visit (stats, csv_row, stdout);
  } else {
    print_text (stats, a, g_strcmp0 (config->notice_language, "en") != 0);
  }
  json_object_unref (stats);
  return MG_EXIT_OK;
}

int
mg_cmd_report (int argc, char **argv)
{
  MgReportArgs args = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  static const char *const formats[] = { "text", "csv", "json", NULL };
  int status;

  if (!parse_args (argc, argv, &args, &error)) {
    fprintf (stderr, "mugai report: %s\n", error->message);
    status = MG_EXIT_USAGE;
  } else if (args.format != NULL && !g_strv_contains (formats, args.format)) {
    fprintf (stderr, "mugai report: --format: text, csv or json\n");
    status = MG_EXIT_USAGE;
  } else if ((config = mg_cli_load_config (args.config)) == NULL) {
    status = MG_EXIT_CONFIG;
  } else {
    status = run (&args, config);
  }
  g_free (args.config);
  g_free (args.from);
  g_free (args.to);
  g_free (args.format);
  return status;
}
