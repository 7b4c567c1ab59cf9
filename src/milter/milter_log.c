/* milter_log.c - build the summary line from the result and its report.
 *
 * Must never let text from the mail add a field or a line to the log.
 */
#include "milter/milter_log.h"
#include "common/report_fields.h"
#include "util/jsonget.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "quarantine/quarantine_alert.h"

/* TEXT with bytes that could split or forge a field written as \xNN: with
 * STRICT (text from the mail) also spaces, quotes, commas, "<", ">" and "=";
 * else (mugai's own text, at the end of the line) control bytes only. */
static void
append_text (GString *out, const char *text, gboolean strict)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++) {
    if (*p < ' ' || *p == 0x7f || *p == '\\' || *p == '"' ||
        (strict && (*p == ' ' || strchr ("<>,=", *p) != NULL)))
      g_string_append_printf (out, "\\x%02x", *p);
    else
      g_string_append_c (out, (char) *p);
  }
}

static void
append_escaped (GString *out, const char *text)
{
  append_text (out, text, TRUE);
}

/* ADDRESS in angle brackets (Postfix gives the envelope with them, the
 * report's Message-ID too: one pair is taken off first). */
static void
append_address (GString *out, const char *address)
{
  gsize len = strlen (address);
  g_autofree char *bare = len >= 2 && address[0] == '<' && address[len - 1] == '>'
                              ? g_strndup (address + 1, len - 2)
                              : g_strdup (address);

  g_string_append_c (out, '<');
  append_escaped (out, bare);
  g_string_append_c (out, '>');
}

static void
append_envelope (GString *out, const MgEnvelope *envelope)
{
  if (envelope == NULL || envelope->sender == NULL) {
    g_string_append (out, " from=- to=-");
    return;
  }
  g_string_append (out, " from=");
  append_address (out, envelope->sender);
  g_string_append (out, " to=");
  for (guint i = 0; envelope->recipients != NULL && envelope->recipients[i] != NULL; i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    append_address (out, envelope->recipients[i]);
  }
}

static void
append_viruses (GString *out, JsonObject *report)
{
  JsonArray *names = mg_jsonget_array (report, MG_REPORT_VIRUS);
  guint n = names != NULL ? json_array_get_length (names) : 0;

  for (guint i = 0; i < n; i++) {
    JsonNode *name = json_array_get_element (names, i);
    g_string_append (out, i == 0 ? " virus=" : ",");
    append_escaped (out, JSON_NODE_HOLDS_VALUE (name) && json_node_get_string (name) != NULL
                             ? json_node_get_string (name)
                             : "?");
  }
}

static void
append_message_id (GString *out, JsonObject *report)
{
  JsonNode *node = json_object_get_member (report, MG_REPORT_MESSAGE_ID);
  const char *id = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node)
                                                                : NULL;
  g_autofree char *bare = id != NULL ? g_strstrip (g_strdup (id)) : NULL;

  if (bare == NULL || *bare == '\0')
    return;
  g_string_append (out, " message_id=");
  append_address (out, bare);
}

/* The report (REPORT_JSON) as an object, or NULL. */
static JsonObject *
report_object (JsonParser *parser, const char *report_json)
{
  JsonNode *root;

  if (report_json == NULL || !json_parser_load_from_data (parser, report_json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

char *
mg_milter_log_summary (const char *queue_id, const char *verdict_text,
                       const MgEnvelope *envelope, const MgMailResult *result, gsize in_size,
                       gint64 ms)
{
  g_autoptr (JsonParser) parser = result->report == NULL ? json_parser_new () : NULL;
  JsonObject *report = result->report != NULL ? result->report
                                              : report_object (parser, result->report_json);
  const char *signatures = report != NULL ? json_object_get_string_member_with_default (
                                                report, MG_REPORT_SIGNATURES, NULL)
                                          : NULL;
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s: %s id=%s", queue_id, verdict_text,
                          result->id != NULL ? result->id : "-");
  append_envelope (out, envelope);
  if (report != NULL) {
    append_viruses (out, report);
    append_message_id (out, report);
  }
  g_string_append_printf (out, " in=%zu out=%zu ms=%" G_GINT64_FORMAT, in_size,
                          result->output != NULL ? g_bytes_get_size (result->output) : 0, ms);
  if (signatures != NULL) {
    g_string_append (out, " signatures=\"");
    append_text (out, signatures, FALSE);
    g_string_append_c (out, '"');
  }
  if (result->reason != NULL) {
    g_string_append (out, " reason=");
    append_text (out, result->reason, FALSE);
  }
  return g_string_free (out, FALSE);
}

typedef struct {
  const MgConfig *config;
  char *report_json; /* NULL: a failure or a reload */
  const char *kind;  /* of a failure: "failure" or "reload" */
  char *verdict, *queue_id, *what, *sender;
  char **recipients;
} MgMilterAlert;

static void
alert_free (MgMilterAlert *alert)
{
  g_free (alert->report_json);
  g_free (alert->verdict);
  g_free (alert->queue_id);
  g_free (alert->what);
  g_free (alert->sender);
  g_strfreev (alert->recipients);
  g_free (alert);
}

static gint flusher_running; /* a thread waits to send kept events */

/* Kept events go out once the interval has passed even when no more mail
 * comes: one thread per process waits for it and flushes. */
static void
flush_later (const MgConfig *config)
{
  if (!g_atomic_int_compare_and_exchange (&flusher_running, 0, 1))
    return;
  while (mg_quarantine_alert_pending (config)) {
    g_autoptr (GError) error = NULL;
    g_usleep ((gulong) MAX (config->alert_interval, 1) * G_USEC_PER_SEC);
    if (!mg_quarantine_alert_flush (config, &error))
      g_warning ("alert: %s", error->message);
  }
  g_atomic_int_set (&flusher_running, 0);
}

static gpointer
alert_thread (gpointer data)
{
  MgMilterAlert *alert = data;
  g_autoptr (GError) error = NULL;
  MgEnvelope envelope = { alert->sender, (const char *const *) alert->recipients };
  const MgEnvelope *env = alert->sender != NULL ? &envelope : NULL;
  MgQuarantineAlertEvent event = { alert->kind, NULL, alert->queue_id, alert->verdict, NULL,
                                   alert->what, env };
  gboolean ok = alert->report_json != NULL
                    ? mg_quarantine_alert_report (alert->config, alert->report_json,
                                                  alert->verdict, env, &error)
                    : mg_quarantine_alert_note (alert->config, &event, &error);
  const MgConfig *config = alert->config; /* outlives the alert */

  if (!ok)
    g_warning ("alert: %s", error->message);
  alert_free (alert);
  flush_later (config);
  return NULL;
}

static void
alert_start (MgMilterAlert *alert, const MgEnvelope *envelope)
{
  if (envelope != NULL && envelope->sender != NULL) {
    alert->sender = g_strdup (envelope->sender);
    alert->recipients = g_strdupv ((char **) envelope->recipients);
  }
  g_thread_unref (g_thread_new ("mugai-alert", alert_thread, alert));
}

void
mg_milter_log_alert (const MgConfig *config, const MgMailResult *result,
                     const char *verdict_text, const MgEnvelope *envelope)
{
  MgMilterAlert *alert;

  if (!mg_quarantine_alert_enabled (config) || result->report_json == NULL ||
      (!result->virus && !mg_quarantine_alert_pending (config)))
    return;
  alert = g_new0 (MgMilterAlert, 1);
  alert->config = config;
  alert->report_json = g_strdup (result->report_json);
  alert->verdict = g_strdup (verdict_text);
  alert_start (alert, envelope);
}

void
mg_milter_log_alert_failure (const MgConfig *config, const char *queue_id,
                             const MgEnvelope *envelope, const char *what)
{
  MgMilterAlert *alert;

  if (!mg_quarantine_alert_enabled (config))
    return;
  alert = g_new0 (MgMilterAlert, 1);
  alert->config = config;
  alert->kind = "failure";
  alert->verdict = g_strdup ("tempfail");
  alert->queue_id = g_strdup (queue_id);
  alert->what = g_strdup (what);
  alert_start (alert, envelope);
}

void
mg_milter_log_alert_reload (const MgConfig *config, const char *what)
{
  MgMilterAlert *alert;

  if (!mg_quarantine_alert_enabled (config))
    return;
  alert = g_new0 (MgMilterAlert, 1);
  alert->config = config;
  alert->kind = "reload";
  alert->what = g_strdup (what);
  alert_start (alert, NULL);
}
