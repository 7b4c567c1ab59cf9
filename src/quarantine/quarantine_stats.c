/* quarantine_stats.c - count audit lines into one JSON object.
 *
 * Every line is hostile as far as counting goes: a line that is not a JSON
 * object, or lacks a member, is skipped or counted under "?" and never
 * stops the report.
 */
#include "quarantine/quarantine_stats.h"
#include "common/report_fields.h"
#include "quarantine/quarantine_index.h"
#include "util/jsonget.h"

#include <errno.h>
#include <gio/gio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  JsonObject *root;
  GArray *message_ms; /* gint64 */
  GArray *file_ms;
  GHashTable *ppap; /* ids of items withheld as encrypted */
} MgStats;

#define MG_STATS_ENCRYPTED "encrypted content cannot be inspected"

static JsonObject *
group (JsonObject *parent, const char *name)
{
  if (!json_object_has_member (parent, name))
    json_object_set_object_member (parent, name, json_object_new ());
  return json_object_get_object_member (parent, name);
}

static void
count (JsonObject *g, const char *key)
{
  const char *k = key != NULL && *key != '\0' ? key : "?";

  json_object_set_int_member (g, k, json_object_get_int_member_with_default (g, k, 0) + 1);
}

static void
count_strings (JsonObject *g, JsonArray *names)
{
  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++) {
    JsonNode *n = json_array_get_element (names, i);
    if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
      count (g, json_node_get_string (n));
  }
}

static void
add_ms (GArray *list, JsonObject *line)
{
  JsonNode *node = json_object_get_member (line, MG_REPORT_ELAPSED_MS);
  gint64 ms;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return;
  ms = json_node_get_int (node);
  g_array_append_val (list, ms);
}

/* A part or a file: its type and action, and the reason when it went. */
static void
count_object (MgStats *s, JsonObject *o)
{
  const char *action = mg_jsonget_string (o, MG_REPORT_PART_ACTION);
  const char *type = mg_jsonget_string (o, MG_REPORT_PART_DETECTED_TYPE);

  count (group (group (s->root, "attachments"), type != NULL ? type : "?"), action);
  if (g_strcmp0 (action, "removed") == 0 || g_strcmp0 (action, "withheld") == 0)
    count (group (s->root, "removals"), mg_jsonget_string (o, MG_REPORT_PART_REASON));
}

static char *
jst_format (JsonObject *line, const char *format)
{
  g_autoptr (GDateTime)
      utc = mg_jsonget_string (line, "time") != NULL
                ? g_date_time_new_from_iso8601 (mg_jsonget_string (line, "time"), NULL)
                : NULL;
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+09:00");
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;

  return local != NULL ? g_date_time_format (local, format) : g_strdup ("?");
}

static const char *
domain_of (const char *address)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;

  return at != NULL ? at + 1 : address;
}

/* The envelope recipients of a message line, else its header recipients. */
static void
count_recipients (MgStats *s, JsonObject *line)
{
  JsonNode *env = json_object_get_member (line, "envelope");
  JsonArray *to = env != NULL && JSON_NODE_HOLDS_OBJECT (env)
                      ? mg_jsonget_array (json_node_get_object (env), "to")
                      : NULL;
  JsonObject *g = group (s->root, "recipients");
  g_auto (GStrv) header = NULL;

  if (to != NULL) {
    count_strings (g, to);
    return;
  }
  if (mg_jsonget_string (line, "to") == NULL)
    return;
  header = g_strsplit (mg_jsonget_string (line, "to"), ", ", -1);
  for (guint i = 0; header[i] != NULL; i++)
    count (g, header[i]);
}

static const char *
sender (JsonObject *line)
{
  JsonNode *env = json_object_get_member (line, "envelope");
  const char *from = env != NULL && JSON_NODE_HOLDS_OBJECT (env)
                         ? mg_jsonget_string (json_node_get_object (env), "from")
                         : NULL;

  return from != NULL && *from != '\0' ? from : mg_jsonget_string (line, MG_REPORT_FROM);
}

/* KEY counted in the line's day and month (JST), and its virus detections. */
static void
count_period (MgStats *s, JsonObject *line, const char *key)
{
  g_autofree char *day = jst_format (line, "%Y-%m-%d");
  g_autofree char *month = jst_format (line, "%Y-%m");
  JsonArray *viruses = mg_jsonget_array (line, MG_REPORT_VIRUS);
  const char *groups[] = { "days", "months" }, *names[] = { day, month };

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++) {
    JsonObject *g = group (group (s->root, groups[i]), names[i]);
    count (g, key);
    for (guint v = 0; viruses != NULL && v < json_array_get_length (viruses); v++)
      count (g, "detections");
  }
  count_strings (group (s->root, "viruses"), viruses);
}

/* An item withheld because it is encrypted (a password ZIP: PPAP). */
static void
count_ppap (MgStats *s, JsonObject *line, JsonArray *parts)
{
  gboolean encrypted = g_strcmp0 (mg_jsonget_string (line, MG_REPORT_REASON),
                                  MG_STATS_ENCRYPTED) == 0;
  const char *id = mg_jsonget_string (line, MG_REPORT_ID);

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++) {
    JsonNode *p = json_array_get_element (parts, i);
    encrypted |= JSON_NODE_HOLDS_OBJECT (p) &&
                 g_strcmp0 (
                     mg_jsonget_string (json_node_get_object (p), MG_REPORT_PART_REASON),
                     MG_STATS_ENCRYPTED) == 0;
  }
  if (!encrypted)
    return;
  count (group (s->root, "ppap"), "received");
  if (id != NULL)
    g_hash_table_add (s->ppap, g_strdup (id));
}

static void
count_message (MgStats *s, JsonObject *line)
{
  const char *verdict = mg_jsonget_string (line, MG_REPORT_VERDICT);
  JsonArray *parts = mg_jsonget_array (line, MG_REPORT_PARTS);

  count (group (s->root, "messages"), "total");
  count (group (s->root, "messages"), verdict);
  count_period (s, line, verdict);
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++) {
    JsonNode *p = json_array_get_element (parts, i);
    if (JSON_NODE_HOLDS_OBJECT (p))
      count_object (s, json_node_get_object (p));
  }
  count_ppap (s, line, parts);
  if (g_strcmp0 (verdict, "withheld") == 0)
    count (group (s->root, "withheld_sender_domains"), domain_of (sender (line)));
  count_recipients (s, line);
  add_ms (s->message_ms, line);
}

static void
count_file (MgStats *s, JsonObject *line)
{
  count (group (s->root, "files"), "total");
  count (group (s->root, "files"), mg_jsonget_string (line, MG_REPORT_PART_ACTION));
  count_period (s, line, "files");
  count_object (s, line);
  count_ppap (s, line, NULL);
  add_ms (s->file_ms, line);
}

static void
count_action (MgStats *s, JsonObject *line)
{
  static const char *const actions[][2] = { { "request", "requested" },
                                            { "approve", "approved" },
                                            { "reject", "rejected" } };

  const char *action = mg_jsonget_string (line, "action");
  const char *detail = mg_jsonget_string (line, "detail");
  const char *id = mg_jsonget_string (line, "id");
  gboolean ok = g_strcmp0 (mg_jsonget_string (line, "result"), "ok") == 0;

  /* detail: "kind=sanitised with archive password", in parentheses after
   * the reason when refused */
  if (g_strcmp0 (action, "request") == 0 && detail != NULL &&
      strstr (detail, "kind=sanitised with archive password") != NULL)
    count (group (s->root, "ppap"), ok ? "password_given" : "password_wrong");
  if (!ok)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++) {
    if (g_strcmp0 (action, actions[i][0]) != 0)
      continue;
    count (group (s->root, "releases"), actions[i][1]);
    if (i > 0 && id != NULL && g_hash_table_contains (s->ppap, id))
      count (group (s->root, "ppap"), actions[i][1]);
  }
}

static gboolean
in_period (JsonObject *line, gint64 from, gint64 to)
{
  g_autoptr (GDateTime)
      t = mg_jsonget_string (line, "time") != NULL
              ? g_date_time_new_from_iso8601 (mg_jsonget_string (line, "time"), NULL)
              : NULL;
  gint64 unix_time;

  if (t == NULL)
    return FALSE;
  unix_time = g_date_time_to_unix (t);
  return unix_time >= from && unix_time < to;
}

static void
count_line (MgStats *s, const char *line, gint64 from, gint64 to)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *o;

  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  o = json_node_get_object (root);
  if (!in_period (o, from, to))
    return;
  if (g_strcmp0 (mg_jsonget_string (o, "event"), "message") == 0)
    count_message (s, o);
  else if (g_strcmp0 (mg_jsonget_string (o, "event"), "file") == 0)
    count_file (s, o);
  else if (g_strcmp0 (mg_jsonget_string (o, "event"), "action") == 0)
    count_action (s, o);
}

static void
count_file_lines (MgStats *s, const char *path, gint64 from, gint64 to)
{
  FILE *f = fopen (path, "re");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (f == NULL)
    return;
  while ((n = getline (&line, &cap, f)) > 0)
    if (n <= MG_QUARANTINE_STATS_LINE_MAX && line[0] == '{')
      count_line (s, g_strchomp (line), from, to);
  free (line);
  fclose (f);
}

static gint
compare_ms (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* p50, p95 (nearest rank) and mean of LIST into S's "elapsed_ms".NAME. */
static void
percentiles (MgStats *s, GArray *list, const char *name)
{
  JsonObject *g = group (group (s->root, "elapsed_ms"), name);
  gint64 sum = 0;

  g_array_sort (list, compare_ms);
  for (guint i = 0; i < list->len; i++)
    sum += g_array_index (list, gint64, i);
  json_object_set_int_member (g, "count", list->len);
  if (list->len == 0)
    return;
  json_object_set_int_member (g, "p50", g_array_index (list, gint64, (list->len - 1) / 2));
  json_object_set_int_member (g, "p95",
                              g_array_index (list, gint64, (list->len * 95 + 99) / 100 - 1));
  json_object_set_int_member (g, "mean", sum / list->len);
}

/* Members of G set to 0, so that every total is there. */
static void G_GNUC_NULL_TERMINATED
zero (JsonObject *g, ...)
{
  va_list ap;
  const char *name;

  va_start (ap, g);
  while ((name = va_arg (ap, const char *)) != NULL)
    json_object_set_int_member (g, name, 0);
  va_end (ap);
}

/* For g_ptr_array_sort (pointers to the elements): audit.log.N by N, highest
 * (oldest, as logrotate numbers them) first. */
static gint
compare_rotated (gconstpointer a, gconstpointer b)
{
  const char *x = strrchr (*(const char *const *) a, '.') + 1;
  const char *y = strrchr (*(const char *const *) b, '.') + 1;
  guint64 nx = g_ascii_strtoull (x, NULL, 10), ny = g_ascii_strtoull (y, NULL, 10);

  return nx > ny ? -1 : nx < ny ? 1 : 0;
}

/* audit.log.N (uncompressed) oldest first, then audit.log. */
static GPtrArray *
log_files (const char *dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    const char *suffix = g_str_has_prefix (name, "audit.log.") ? name + 10 : NULL;
    if (suffix != NULL && *suffix != '\0' && strspn (suffix, "0123456789") == strlen (suffix))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  }
  g_ptr_array_sort (paths, compare_rotated);
  g_ptr_array_add (paths, g_build_filename (dir, "audit.log", NULL));
  return paths;
}

/* The shared store's audit lines (PostgreSQL) into S; FALSE with ERROR when
 * the store cannot be read. */
static gboolean
count_shared_lines (MgStats *s, const MgConfig *config, gint64 from, gint64 to, GError **error)
{
  g_autoptr (MgQuarantineIndex) index = mg_quarantine_index_open (config, error);
  g_auto (GStrv) lines = index != NULL ? mg_quarantine_index_audit_lines (index, error) : NULL;

  if (lines == NULL)
    return FALSE;
  for (guint i = 0; lines[i] != NULL; i++)
    if (strlen (lines[i]) <= MG_QUARANTINE_STATS_LINE_MAX && lines[i][0] == '{')
      count_line (s, lines[i], from, to);
  return TRUE;
}

static void
stats_clear (MgStats *s)
{
  g_array_unref (s->message_ms);
  g_array_unref (s->file_ms);
  g_hash_table_unref (s->ppap);
}

JsonObject *
mg_quarantine_stats_collect (const MgConfig *config, gint64 from, gint64 to, GError **error)
{
  const char *dir = config->quarantine_directory;
  gboolean shared = config->quarantine_backend == MG_QUARANTINE_BACKEND_POSTGRESQL;
  g_autoptr (GPtrArray) paths = log_files (dir);
  g_autofree char *main_log = g_build_filename (dir, "audit.log", NULL);
  MgStats s = { json_object_new (), g_array_new (FALSE, FALSE, sizeof (gint64)),
                g_array_new (FALSE, FALSE, sizeof (gint64)),
                g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  static const char *const groups[] = { "messages", "files",      "attachments",
                                        "removals", "viruses",    "releases",
                                        "ppap",     "recipients", "withheld_sender_domains",
                                        "days",     "months" };

  if (!shared && !g_file_test (main_log, G_FILE_TEST_EXISTS) && paths->len == 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no audit log", main_log);
    json_object_unref (s.root);
    stats_clear (&s);
    return NULL;
  }
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    group (s.root, groups[i]);
  zero (group (s.root, "messages"), "total", "sanitised", "withheld", NULL);
  zero (group (s.root, "files"), "total", "kept", "converted", "removed", "withheld", NULL);
  zero (group (s.root, "releases"), "requested", "approved", "rejected", NULL);
  zero (group (s.root, "ppap"), "received", "password_given", "password_wrong", "approved",
        "rejected", NULL);
  if (shared && !count_shared_lines (&s, config, from, to, error)) {
    json_object_unref (s.root);
    stats_clear (&s);
    return NULL;
  }
  /* With a shared store, the relay's own audit.log holds the lines of clean
   * mail written while the store was unreachable. */
  for (guint i = 0; i < paths->len; i++)
    count_file_lines (&s, g_ptr_array_index (paths, i), from, to);
  percentiles (&s, s.message_ms, "messages");
  percentiles (&s, s.file_ms, "files");
  stats_clear (&s);
  return s.root;
}
