/* quarantine_alert.c - keep alert events, compose and send the Japanese mail.
 *
 * Must never put a byte of an original in an alert, nor let text from a mail
 * (addresses, virus names, queue ids) reach the alert's header: the body is
 * base64 and the facts are cleaned of control characters.
 */
#include "quarantine/quarantine_alert.h"
#include "util/jsonget.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "quarantine/quarantine_audit.h"
#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_smtp.h"

#define MG_ALERT_STATE_MAX (1024 * 1024)   /* a bigger state file is started afresh */
#define MG_ALERT_TEXT_MAX 300              /* characters of one fact shown */

typedef struct {
  gint64 last_sent;     /* unix time of the last mail, 0: none */
  gint64 dropped;       /* events counted but not listed */
  GPtrArray *events;    /* JsonObject * */
} MgAlertState;

static void
state_clear (MgAlertState *state)
{
  g_clear_pointer (&state->events, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgAlertState, state_clear)

static gboolean
io_error (GError **error, const char *what, int err)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", what,
               g_strerror (err));
  return FALSE;
}

/* The state as FD holds it; a damaged or oversized one is read as empty. */
static void
state_read (int fd, MgAlertState *state)
{
  g_autofree char *text = g_malloc (MG_ALERT_STATE_MAX + 1);
  ssize_t n = pread (fd, text, MG_ALERT_STATE_MAX, 0);
  g_auto (GStrv) lines = NULL;

  state->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (n <= 0 || n >= MG_ALERT_STATE_MAX)
    return;
  text[n] = '\0';
  lines = g_strsplit (text, "\n", -1);
  if (sscanf (lines[0], "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &state->last_sent,
              &state->dropped) != 2)
    state->last_sent = state->dropped = 0;
  for (guint i = 1; lines[i] != NULL && state->events->len < MG_QUARANTINE_ALERT_KEPT_MAX;
       i++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonNode *root;
    if (*lines[i] == '\0' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
      continue;
    root = json_parser_get_root (parser);
    if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
      g_ptr_array_add (state->events, json_object_ref (json_node_get_object (root)));
  }
}

static gboolean
state_write (int fd, const MgAlertState *state, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_string_append_printf (out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                          state->last_sent, state->dropped);
  for (guint i = 0; i < state->events->len; i++) {
    g_autofree char *line = mg_quarantine_audit_to_line (
      g_ptr_array_index (state->events, i));
    g_string_append_printf (out, "%s\n", line);
  }
  if (ftruncate (fd, 0) != 0 || pwrite (fd, out->str, out->len, 0) != (ssize_t) out->len)
    return io_error (error, "alert.state", errno ? errno : ENOSPC);
  return TRUE;
}

/* TEXT cut to MG_ALERT_TEXT_MAX characters, control characters replaced. */
static char *
clean (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0' && n < MG_ALERT_TEXT_MAX; p = g_utf8_next_char (p),
       n++) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
      g_string_append_c (out, '?');
    else
      g_string_append_unichar (out, c);
  }
  return g_string_free (out, FALSE);
}

static void
set_text (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL) {
    g_autofree char *text = clean (value);
    json_object_set_string_member (object, name, text);
  }
}

static JsonObject *
event_object (const MgQuarantineAlertEvent *event)
{
  JsonObject *object = json_object_new ();
  g_autoptr (GString) to = g_string_new (NULL);

  json_object_set_int_member (object, "time", g_get_real_time () / G_USEC_PER_SEC);
  set_text (object, "kind", event->kind);
  set_text (object, "id", event->item_id);
  set_text (object, "queue_id", event->queue_id);
  set_text (object, "verdict", event->verdict);
  set_text (object, "virus", event->viruses);
  set_text (object, "detail", event->detail);
  if (event->envelope != NULL && event->envelope->sender != NULL) {
    set_text (object, "from", event->envelope->sender);
    for (guint i = 0; event->envelope->recipients != NULL &&
                      event->envelope->recipients[i] != NULL; i++)
      g_string_append_printf (to, "%s%s", i > 0 ? ", " : "", event->envelope->recipients[i]);
    set_text (object, "to", to->str);
  }
  return object;
}

static const char *
member (JsonObject *object, const char *name)
{
  return json_object_get_string_member_with_default (object, name, NULL);
}

static void
append_fact (GString *body, const char *label, const char *value)
{
  if (value != NULL && *value != '\0')
    g_string_append_printf (body, "    %s: %s\n", label, value);
}

static char *
jst (gint64 unix_time)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+09:00");
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S JST");
}

static void
append_event (GString *body, guint n, JsonObject *event)
{
  g_autofree char *when = jst (json_object_get_int_member_with_default (event, "time", 0));
  gboolean virus = g_strcmp0 (member (event, "kind"), "virus") == 0;
  const char *from = member (event, "from");

  g_string_append_printf (body, "[%u] %s\n", n,
                          virus ? "ウイルスを検出しました" : "無害化できませんでした（処理の失敗）");
  append_fact (body, "時刻", when);
  append_fact (body, "判定", member (event, "verdict"));
  append_fact (body, "ウイルス名", member (event, "virus"));
  append_fact (body, "詳細", member (event, "detail"));
  append_fact (body, "隔離 ID", member (event, "id"));
  if (from != NULL)
    g_string_append_printf (body, "    差出人（エンベロープ）: <%s>\n", from);
  append_fact (body, "宛先（エンベロープ）", member (event, "to"));
  append_fact (body, "キュー ID", member (event, "queue_id"));
  if (member (event, "id") != NULL)
    g_string_append_printf (body, "    確認: mugai quarantine show %s\n", member (event, "id"));
  g_string_append_c (body, '\n');
}

static guint
count_kind (const MgAlertState *state, const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < state->events->len; i++)
    n += g_strcmp0 (member (g_ptr_array_index (state->events, i), "kind"), kind) == 0;
  return n;
}

static char *
compose_body (const MgAlertState *state, gint64 total)
{
  GString *body = g_string_new (NULL);
  guint viruses = count_kind (state, "virus");

  g_string_append_printf (body,
                          "mugai（無害化中継）からの警告です。\n\n"
                          "前回の通知以降の件数: %" G_GINT64_FORMAT " 件"
                          "（ウイルス %u 件、処理の失敗 %u 件）\n",
                          total, viruses, state->events->len - viruses);
  if (state->dropped > 0)
    g_string_append_printf (body, "（一覧は最初の %u 件です。残り %" G_GINT64_FORMAT
                            " 件は監査ログで確認してください）\n",
                            state->events->len, state->dropped);
  g_string_append (body, "このメールには原本を添付していません。原本は隔離領域に保管して"
                         "います。\n\n");
  for (guint i = 0; i < state->events->len; i++)
    append_event (body, i + 1, g_ptr_array_index (state->events, i));
  g_string_append (body, "-- \nmugai ([alert] address への自動通知)\n");
  return g_string_free (body, FALSE);
}

static char *
encoded_subject (gint64 total, guint viruses)
{
  g_autofree char *subject = g_strdup_printf (
    viruses > 0 ? "【mugai 警告】ウイルスを検出しました（%" G_GINT64_FORMAT " 件）"
                : "【mugai 警告】無害化できないメールがありました（%" G_GINT64_FORMAT " 件）",
    total);
  g_autofree char *b64 = g_base64_encode ((const guchar *) subject, strlen (subject));

  return g_strdup_printf ("=?UTF-8?B?%s?=", b64);
}

static GBytes *
compose (const MgConfig *config, const MgAlertState *state)
{
  gint64 total = state->events->len + state->dropped;
  g_autofree char *body = compose_body (state, total);
  g_autofree char *b64 = g_base64_encode ((const guchar *) body, strlen (body));
  g_autofree char *subject = encoded_subject (total, count_kind (state, "virus"));
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  const char *from = *config->release_sender != '\0' ? config->release_sender
                                                     : "MAILER-DAEMON";
  GString *out = g_string_new (NULL);
  gsize len = strlen (b64);

  g_string_append_printf (out, "From: <%s>\nTo: <%s>\nSubject: %s\nDate: %s\n"
                          "Message-ID: <%08x%08x.alert@mugai>\nMIME-Version: 1.0\n"
                          "X-Mugai-Alert: count=%" G_GINT64_FORMAT "\n"
                          "Content-Type: text/plain; charset=UTF-8\n"
                          "Content-Transfer-Encoding: base64\n\n",
                          from, config->alert_address, subject, date, g_random_int (),
                          g_random_int (), total);
  for (gsize i = 0; i < len; i += 76)
    g_string_append_printf (out, "%.*s\n", (int) MIN (76, len - i), b64 + i);
  return g_string_free_to_bytes (out);
}

/* Send what STATE keeps when the interval has passed; TRUE when nothing
 * needed sending or it was sent. */
static gboolean
send_due (const MgConfig *config, MgAlertState *state, GError **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *rcpt[] = { config->alert_address, NULL };
  g_autoptr (GBytes) mail = NULL;

  if (state->events->len == 0 || now - state->last_sent < config->alert_interval)
    return TRUE;
  mail = compose (config, state);
  if (!mg_quarantine_smtp_send (config->release_smtp, config->release_sender, rcpt, mail,
                                NULL, error))
    return FALSE;
  state->last_sent = now;
  state->dropped = 0;
  g_ptr_array_set_size (state->events, 0);
  return TRUE;
}

/* Under the lock of DIR/alert.state: add EVENT (may be NULL) and send. A
 * flush (EVENT NULL) leaves it to whoever holds the lock. */
static gboolean
update (const MgConfig *config, const MgQuarantineAlertEvent *event, GError **error)
{
  const char *dir = config->quarantine_directory;
  g_autofree char *path = g_build_filename (dir, "alert.state", NULL);
  g_auto (MgAlertState) state = { 0 };
  GError *send_error = NULL;
  int fd;
  gboolean ok;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return io_error (error, dir, errno);
  fd = mg_quarantine_object_open_file (dir, path, O_RDWR, error);
  if (fd < 0)
    return FALSE;
  if (flock (fd, event != NULL ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close (fd);
    return err == EWOULDBLOCK || io_error (error, path, err);
  }
  state_read (fd, &state);
  if (event != NULL && state.events->len < MG_QUARANTINE_ALERT_KEPT_MAX)
    g_ptr_array_add (state.events, event_object (event));
  else if (event != NULL)
    state.dropped++;
  ok = send_due (config, &state, &send_error);
  if (!state_write (fd, &state, error) && ok) {
    close (fd);
    return FALSE;
  }
  close (fd);
  if (!ok)
    g_propagate_prefixed_error (error, send_error, "alert to %s not sent (kept): ",
                                config->alert_address);
  return ok;
}

gboolean
mg_quarantine_alert_note (const MgConfig *config, const MgQuarantineAlertEvent *event,
                          GError **error)
{
  if (*config->alert_address == '\0')
    return TRUE;
  return update (config, event, error);
}

/* Events are kept when the file holds more than its first line. */
gboolean
mg_quarantine_alert_pending (const MgConfig *config)
{
  g_autofree char *path = g_build_filename (config->quarantine_directory, "alert.state",
                                            NULL);
  GStatBuf st;

  return *config->alert_address != '\0' && g_stat (path, &st) == 0 && st.st_size > 42;
}

gboolean
mg_quarantine_alert_flush (const MgConfig *config, GError **error)
{
  if (!mg_quarantine_alert_pending (config))
    return TRUE;
  return update (config, NULL, error);
}

/* The report's virus names, ", "-joined, or NULL when there is none. */
static char *
report_viruses (JsonObject *report)
{
  JsonArray *names = mg_jsonget_array (report, "virus");
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++) {
    JsonNode *name = json_array_get_element (names, i);
    if (JSON_NODE_HOLDS_VALUE (name) && json_node_get_string (name) != NULL)
      g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "",
                              json_node_get_string (name));
  }
  return out->len > 0 ? g_strdup (out->str) : NULL;
}

gboolean
mg_quarantine_alert_report (const MgConfig *config, const char *report_json,
                            const char *verdict, const MgEnvelope *envelope, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *viruses = NULL;
  JsonObject *report;
  JsonNode *root;
  MgQuarantineAlertEvent event = { "virus", NULL, NULL, verdict, NULL, NULL, envelope };

  if (*config->alert_address == '\0' || report_json == NULL ||
      !json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;
  report = json_node_get_object (root);
  viruses = report_viruses (report);
  if (viruses == NULL)
    return mg_quarantine_alert_flush (config, error);
  event.item_id = member (report, "id");
  event.queue_id = member (report, "queue_id");
  event.viruses = viruses;
  return mg_quarantine_alert_note (config, &event, error);
}
