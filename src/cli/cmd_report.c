/* cmd_report.c - `mugai report`: totals over a period, from the audit log.
 *
 *   mugai report [-c FILE] [--from DATE] [--to DATE | --month YYYY-MM]
 *                [--format text|csv|json] [--lang ja|en]
 *
 * DATE is YYYY-MM-DD (JST) or ISO 8601; --to includes the whole day it
 * names; --month is that calendar month (JST). Text and CSV labels are in
 * --lang, else the notice language ([notice] language); CSV is UTF-8 with a
 * BOM, formula cells quoted, for Excel (quarantine_report.h); JSON is the
 * object of quarantine_stats.h. Exit 0, 64 usage, 75 no audit log, 78
 * configuration.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli_print.h"
#include "cli/cli.h"
#include "cli/cli_text.h"
#include "common/msg.h"
#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_report.h"
#include "quarantine/quarantine_stats.h"

typedef struct {
  char *config, *from, *to, *month, *format, *lang;
} MgReportArgs;

static const char *
label (const char *name, gboolean ja)
{
  return mg_quarantine_report_label (name, ja);
}

static gboolean
parse_args (int argc, char **argv, MgReportArgs *a, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config, "configuration file", "FILE" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &a->from, "from this day (JST)", "YYYY-MM-DD" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &a->to, "to this day, included (JST)", "YYYY-MM-DD" },
    { "month", 0, 0, G_OPTION_ARG_STRING, &a->month, "that month (JST)", "YYYY-MM" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &a->format, "text (default), csv or json", "F" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &a->lang, "ja or en (default: [notice] language)",
      "L" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- totals from the audit log");

  g_option_context_add_main_entries (ctx, entries, NULL);
  return g_option_context_parse (ctx, &argc, &argv, error);
}

/* --month YYYY-MM as --from its first day --to its last (owned by A). */
static gboolean
month_period (MgReportArgs *a)
{
  int y, m;
  char end;
  g_autoptr (GDate) last = NULL;

  if (a->month == NULL)
    return TRUE;
  if (a->from != NULL || a->to != NULL || strlen (a->month) != 7 ||
      sscanf (a->month, "%4d-%2d%c", &y, &m, &end) != 2 || y < 1970 || y > 9999 || m < 1 ||
      m > 12) {
    mg_cli_error ("mugai report", "--month: YYYY-MM, without --from or --to");
    return FALSE;
  }
  last = g_date_new_dmy (g_date_get_days_in_month (m, y), m, y);
  a->from = g_strdup_printf ("%04d-%02d-01", y, m);
  a->to = g_strdup_printf ("%04d-%02d-%02d", y, m, g_date_get_day (last));
  return TRUE;
}

/* --from/--to as unix seconds; a bare day given to --to counts whole. */
static gboolean
period (MgReportArgs *a, gint64 *from_r, gint64 *to_r)
{
  *from_r = 0;
  *to_r = G_MAXINT64;
  if (!month_period (a))
    return FALSE;
  if (a->from != NULL && !mg_quarantine_query_parse_time (a->from, from_r)) {
    mg_cli_error ("mugai report", "--%s: not a date (YYYY-MM-DD or ISO 8601)", "from");
    return FALSE;
  }
  if (a->to != NULL && !mg_quarantine_query_parse_time (a->to, to_r)) {
    mg_cli_error ("mugai report", "--%s: not a date (YYYY-MM-DD or ISO 8601)", "to");
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

typedef struct {
  gboolean ja;
  const char *group, *sub;
} MgReportText;

static void
text_row (const char *group, const char *sub, const char *key, gint64 value, gpointer data)
{
  MgReportText *t = data;
  g_autofree char *k = mg_cli_print_clean (label (key, t->ja));

  if (g_strcmp0 (t->group, group) != 0)
    printf ("\n%s\n", label (group, t->ja));
  if (sub != NULL && (g_strcmp0 (t->sub, sub) != 0 || g_strcmp0 (t->group, group) != 0)) {
    g_autofree char *s = mg_cli_print_clean (label (sub, t->ja));
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

  printf (mg_msg (MG_MSG_CLI_REPORT_HEADER, ja ? MG_LANG_JA : MG_LANG_EN),
          a->from != NULL ? a->from : "-", a->to != NULL ? a->to : "-");
  mg_quarantine_report_visit (stats, text_row, &t);
}

static int
run (MgReportArgs *a, const MgConfig *config)
{
  g_autoptr (GError) error = NULL;
  gint64 from, to;
  JsonObject *stats;
  gboolean ja = a->lang != NULL ? g_str_equal (a->lang, "ja")
                                : g_strcmp0 (config->notice_language, "en") != 0;

  if (!period (a, &from, &to))
    return MG_EXIT_USAGE;
  stats = mg_quarantine_stats_collect (config, from, to, &error);
  if (stats == NULL) {
    mg_cli_error ("mugai report", "%s", error->message);
    return MG_EXIT_TEMPFAIL;
  }
  if (g_strcmp0 (a->format, "json") == 0) {
    print_json (stats);
  } else if (g_strcmp0 (a->format, "csv") == 0) {
    g_autofree char *csv = mg_quarantine_report_csv (stats, ja);
    fputs (csv, stdout);
  } else {
    print_text (stats, a, ja);
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
  static const char *const langs[] = { "ja", "en", NULL };
  int status;

  if (!parse_args (argc, argv, &args, &error)) {
    mg_cli_error ("mugai report", "%s", error->message);
    status = MG_EXIT_USAGE;
  } else if (args.format != NULL && !g_strv_contains (formats, args.format)) {
    mg_cli_error ("mugai report", "--format: text, csv or json");
    status = MG_EXIT_USAGE;
  } else if (args.lang != NULL && !g_strv_contains (langs, args.lang)) {
    mg_cli_error ("mugai report", "--lang: ja or en");
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
  g_free (args.month);
  g_free (args.lang);
  return status;
}
