/* cli_print.c - text, CSV and JSON output of quarantine items.
 *
 * Must never print a string from a message without cleaning it first, nor a
 * CSV cell a spreadsheet would evaluate.
 */
#include "cli/cli_print.h"
#include "common/report_fields.h"
#include "util/jsonget.h"

#include <string.h>

#include "quarantine/quarantine_headers.h"
#include "quarantine/quarantine_report.h"
#include "util/jsonsafe.h"

char *
mg_cli_print_clean (const char *text)
{
  return text != NULL ? mg_quarantine_headers_printable (text, FALSE) : g_strdup ("-");
}

static char *
utc_iso (gint64 time)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static void
print_text_row (FILE *out, const char *const *cells, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    g_autofree char *clean = mg_cli_print_clean (cells[i]);
    fprintf (out, "%s%s", i > 0 ? "\t" : "", clean);
  }
  fputc ('\n', out);
}

void
mg_cli_print_csv_row (FILE *out, const char *const *cells, gsize n)
{
  g_autoptr (GString) row = g_string_new (NULL);

  mg_quarantine_report_csv_row (row, cells, n);
  fputs (row->str, out);
}

static const char *const list_columns[] = {
  "id", "time (JST)", "from", "subject", "verdict", "reasons", "state", "recipients",
};

static void
print_list_rows (FILE *out, GPtrArray *items, gboolean csv)
{
  void (*row) (FILE *, const char *const *, gsize) = csv ? mg_cli_print_csv_row
                                                         : print_text_row;

  row (out, list_columns, G_N_ELEMENTS (list_columns));
  for (guint i = 0; i < items->len; i++) {
    const MgQuarantineItem *it = g_ptr_array_index (items, i);
    g_autofree char *time = mg_quarantine_query_format_jst (it->time);
    const char *cells[] = { it->id,      time,        it->sender, it->subject,
                            it->verdict, it->reasons, it->state,  it->recipients };
    row (out, cells, G_N_ELEMENTS (cells));
  }
}

static void
print_json (FILE *out, JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = mg_jsonsafe_escape (json_generator_to_data (gen, NULL));
  fprintf (out, "%s\n", text);
}

static void
set_string (JsonObject *o, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (o, name, value);
  else
    json_object_set_null_member (o, name);
}

static JsonArray *
split_array (const char *text, const char *separator)
{
  JsonArray *array = json_array_new ();
  g_auto (GStrv) parts = g_strsplit (text != NULL ? text : "", separator, -1);

  for (char **p = parts; *p != NULL; p++)
    if (**p != '\0')
      json_array_add_string_element (array, *p);
  return array;
}

JsonNode *
mg_cli_print_item_json (const MgQuarantineItem *it)
{
  JsonObject *o = json_object_new ();
  g_autofree char *utc = utc_iso (it->time);
  g_autofree char *jst = mg_quarantine_query_format_jst (it->time);
  JsonNode *node;

  set_string (o, "id", it->id);
  set_string (o, "time", utc);
  set_string (o, "time_jst", jst);
  set_string (o, "queue_id", it->queue_id);
  set_string (o, "message_id", it->message_id);
  set_string (o, "from", it->sender);
  set_string (o, "from_address", it->sender_address);
  json_object_set_array_member (o, "recipients", split_array (it->recipients, ", "));
  set_string (o, "subject", it->subject);
  set_string (o, "verdict", it->verdict);
  json_object_set_boolean_member (o, "held", it->held);
  json_object_set_array_member (o, "reasons", split_array (it->reasons, "; "));
  json_object_set_array_member (o, "virus", split_array (it->virus, ", "));
  set_string (o, "state", it->state);
  json_object_set_int_member (o, "size", it->size);
  set_string (o, "sha256", it->original_sha256);
  if (it->envelope_to != NULL) {
    JsonObject *env = json_object_new ();
    JsonArray *to = json_array_new ();
    set_string (env, "from", it->envelope_from);
    for (int i = 0; it->envelope_to[i] != NULL; i++)
      json_array_add_string_element (to, it->envelope_to[i]);
    json_object_set_array_member (env, "to", to);
    json_object_set_object_member (o, "envelope", env);
  } else {
    json_object_set_null_member (o, "envelope");
  }
  node = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  return node;
}

void
mg_cli_print_list (FILE *out, GPtrArray *items, MgCliPrintFormat format)
{
  g_autoptr (JsonNode) node = NULL;
  JsonArray *array;

  if (format != MG_CLI_PRINT_JSON) {
    if (format == MG_CLI_PRINT_CSV)
      fputs ("\xEF\xBB\xBF", out); /* so that Excel reads UTF-8 */
    print_list_rows (out, items, format == MG_CLI_PRINT_CSV);
    return;
  }
  array = json_array_new ();
  for (guint i = 0; i < items->len; i++)
    json_array_add_element (array, mg_cli_print_item_json (g_ptr_array_index (items, i)));
  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  print_json (out, node);
}

static void
field (FILE *out, const char *name, const char *value)
{
  g_autofree char *clean = mg_cli_print_clean (mg_jsonget_or_dash (value));

  fprintf (out, "%-12s %s\n", name, clean);
}

static void
print_fields (FILE *out, const MgQuarantineItem *it)
{
  g_autofree char *jst = mg_quarantine_query_format_jst (it->time);
  g_autofree char *utc = utc_iso (it->time);
  g_autofree char *when = g_strdup_printf ("%s (%s)", jst, utc);
  g_autofree char *from = g_strdup_printf ("%s <%s>", mg_jsonget_or_dash (it->sender),
                                           mg_jsonget_or_dash (it->sender_address));
  g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT " bytes, sha256 %s", it->size,
                                           mg_jsonget_or_dash (it->original_sha256));

  field (out, "ID:", it->id);
  field (out, "Time:", when);
  field (out, "Queue ID:", it->queue_id);
  field (out, "Message-ID:", it->message_id);
  field (out, "From:", from);
  field (out, "Recipients:", it->recipients);
  if (it->envelope_to != NULL) {
    g_autofree char *to = g_strjoinv (", ", it->envelope_to);
    g_autofree char *env = g_strdup_printf (
        "<%s> -> %s", it->envelope_from != NULL ? it->envelope_from : "?", to);
    field (out, "Envelope:", env);
  } else {
    field (out, "Envelope:", "(none recorded: release only with approve --to ADDR)");
  }
  field (out, "Subject:", it->subject);
  field (out, "Verdict:", it->verdict);
  field (out, "State:", it->state);
  field (out, "Reasons:", it->reasons);
  field (out, "Virus:", it->virus);
  field (out, "Original:", size);
}

static void
print_part (FILE *out, JsonObject *part)
{
  g_autoptr (GString) line = g_string_new (NULL);
  const char *reason = mg_jsonget_string (part, MG_REPORT_PART_REASON);
  const char *detail = mg_jsonget_string (part, MG_REPORT_PART_DETAIL);
  const char *output = mg_jsonget_string (part, MG_REPORT_PART_OUTPUT_FILENAME);
  g_autofree char *clean = NULL;

  g_string_append_printf (line, "%s  %s  %s (declared %s)  %s",
                          mg_jsonget_string_or_dash (part, MG_REPORT_PART_PATH),
                          mg_jsonget_string_or_dash (part, MG_REPORT_PART_FILENAME),
                          mg_jsonget_string_or_dash (part, MG_REPORT_PART_DETECTED_TYPE),
                          mg_jsonget_string_or_dash (part, MG_REPORT_PART_DECLARED_TYPE),
                          mg_jsonget_string_or_dash (part, MG_REPORT_PART_ACTION));
  if (reason != NULL)
    g_string_append_printf (line, ": %s", reason);
  if (detail != NULL)
    g_string_append_printf (line, " (%s)", detail);
  if (output != NULL)
    g_string_append_printf (line, " -> %s", output);
  clean = mg_cli_print_clean (line->str);
  fprintf (out, "  %s\n", clean);
}

static void
print_parts (FILE *out, JsonObject *report)
{
  JsonArray *parts = mg_jsonget_array (report, MG_REPORT_PARTS);
  const char *detail = report != NULL ? mg_jsonget_string (report, MG_REPORT_DETAIL) : NULL;

  if (detail != NULL)
    field (out, "Detail:", detail);
  fprintf (out, "\nParts (what was removed and why):\n");
  if (parts == NULL || json_array_get_length (parts) == 0)
    fprintf (out, "  -\n");
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++) {
    JsonNode *p = json_array_get_element (parts, i);
    if (JSON_NODE_HOLDS_OBJECT (p))
      print_part (out, json_node_get_object (p));
  }
}

static void
print_requests (FILE *out, GPtrArray *requests)
{
  fprintf (out, "\nRelease requests:\n");
  if (requests == NULL || requests->len == 0)
    fprintf (out, "  -\n");
  for (guint i = 0; requests != NULL && i < requests->len; i++) {
    const MgQuarantineRequest *r = g_ptr_array_index (requests, i);
    g_autofree char *when = mg_quarantine_query_format_jst (r->requested_at);
    g_autofree char *line = g_strdup_printf (
        "#%" G_GINT64_FORMAT " %s requested by %s at %s: %s%s%s%s%s", r->rid, r->kind,
        r->requested_by, when, r->state, r->decided_by != NULL ? " by " : "",
        r->decided_by != NULL ? r->decided_by : "", r->result != NULL ? " - " : "",
        r->result != NULL ? r->result : "");
    g_autofree char *clean = mg_cli_print_clean (line);
    fprintf (out, "  %s\n", clean);
  }
}

static void
print_headers (FILE *out, const char *headers)
{
  g_auto (GStrv) lines = g_strsplit (headers != NULL ? headers : "", "\n", -1);

  fprintf (out, "\nHeaders of the original%s:\n", headers == NULL ? " (deleted)" : "");
  for (char **l = lines; *l != NULL; l++) {
    g_autofree char *clean = mg_cli_print_clean (*l);
    if (**l != '\0')
      fprintf (out, "  %s\n", clean);
  }
}

static JsonArray *
requests_json (GPtrArray *requests)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; requests != NULL && i < requests->len; i++) {
    const MgQuarantineRequest *r = g_ptr_array_index (requests, i);
    JsonObject *o = json_object_new ();
    g_autofree char *at = utc_iso (r->requested_at);
    json_object_set_int_member (o, "rid", r->rid);
    set_string (o, "kind", r->kind);
    set_string (o, "requested_by", r->requested_by);
    set_string (o, "requested_at", at);
    set_string (o, "note", r->note);
    set_string (o, "state", r->state);
    set_string (o, "decided_by", r->decided_by);
    set_string (o, "result", r->result);
    json_array_add_object_element (array, o);
  }
  return array;
}

static void
print_show_json (FILE *out, const MgQuarantineItem *item, JsonObject *report,
                 GPtrArray *requests, const char *headers)
{
  JsonObject *o = json_object_new ();
  g_autoptr (JsonNode) node = NULL;

  json_object_set_member (o, "item", mg_cli_print_item_json (item));
  if (report != NULL)
    json_object_set_object_member (o, "report", json_object_ref (report));
  else
    json_object_set_null_member (o, "report");
  json_object_set_array_member (o, "requests", requests_json (requests));
  set_string (o, "headers", headers);
  node = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  print_json (out, node);
}

void
mg_cli_print_show (FILE *out, const MgQuarantineItem *item, const char *report_json,
                   GPtrArray *requests, const char *headers, gboolean json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *report = mg_jsonget_parse_object (parser, report_json);

  if (json) {
    print_show_json (out, item, report, requests, headers);
    return;
  }
  print_fields (out, item);
  print_parts (out, report);
  print_requests (out, requests);
  print_headers (out, headers);
}

static JsonArray *
stats_json (GPtrArray *rows, const char *key)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; rows != NULL && i < rows->len; i++) {
    const MgQuarantineStatsRow *r = g_ptr_array_index (rows, i);
    JsonObject *o = json_object_new ();
    set_string (o, key, r->label);
    json_object_set_int_member (o, "total", r->total);
    json_object_set_int_member (o, "withheld", r->withheld);
    json_object_set_int_member (o, "sanitised", r->sanitised);
    json_object_set_int_member (o, "released", r->released);
    json_array_add_object_element (array, o);
  }
  return array;
}

static void
print_stats_table (FILE *out, GPtrArray *rows, const char *title)
{
  fprintf (out, "%s\ttotal\twithheld\tsanitised\treleased\n", title);
  for (guint i = 0; rows != NULL && i < rows->len; i++) {
    const MgQuarantineStatsRow *r = g_ptr_array_index (rows, i);
    g_autofree char *label = mg_cli_print_clean (r->label);
    fprintf (out,
             "%s\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT
             "\t%" G_GINT64_FORMAT "\n",
             label, r->total, r->withheld, r->sanitised, r->released);
  }
}

void
mg_cli_print_stats (FILE *out, GPtrArray *by_day, GPtrArray *by_reason, gint64 retention_days,
                    gboolean json)
{
  JsonObject *o;
  g_autoptr (JsonNode) node = NULL;

  if (!json) {
    fprintf (out, "retention_days\t%" G_GINT64_FORMAT "\n\n", retention_days);
    print_stats_table (out, by_day, "day (JST)");
    fputc ('\n', out);
    print_stats_table (out, by_reason, "reason");
    return;
  }
  o = json_object_new ();
  json_object_set_int_member (o, "retention_days", retention_days);
  json_object_set_array_member (o, "by_day", stats_json (by_day, "day"));
  json_object_set_array_member (o, "by_reason", stats_json (by_reason, "reason"));
  node = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  print_json (out, node);
}
