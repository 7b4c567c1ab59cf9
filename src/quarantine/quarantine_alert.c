/* quarantine_alert.c - keep alert events, compose and send the Japanese mail.
 *
 * Must never put a byte of an original in an alert, nor let text from a mail
 * (addresses, virus names, queue ids) reach the alert's header: the body is
 * base64 and the facts are cleaned of control characters.
 */
#include "quarantine/quarantine_alert.h"
#include "common/report_fields.h"
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
#include "quarantine/quarantine_hook.h"
#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_smtp.h"

#define MG_ALERT_STATE_MAX (1024 * 1024) /* a bigger state file is started afresh */
#define MG_ALERT_TEXT_MAX 300            /* characters of one fact shown */

typedef struct {
  gint64 last_sent;  /* unix time of the last mail, 0: none */
  gint64 dropped;    /* events counted but not listed */
  GPtrArray *events; /* JsonObject * */
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

  g_string_append_printf (out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", state->last_sent,
                          state->dropped);
  for (guint i = 0; i < state->events->len; i++) {
    g_autofree char *line = mg_quarantine_audit_to_line (g_ptr_array_index (state->events, i));
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

  for (const char *p = valid; *p != '\0' && n < MG_ALERT_TEXT_MAX;
       p = g_utf8_next_char (p), n++) {
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

static MgQuarantineAlertRunner alert_runner;

void
mg_quarantine_alert_set_runner (MgQuarantineAlertRunner runner)
{
  alert_runner = runner;
}

gboolean
mg_quarantine_alert_enabled (const MgConfig *config)
{
  return *config->alert_address != '\0' || *config->alert_exec != '\0';
}

char *
mg_quarantine_alert_admin_url (const MgConfig *config, const char *path)
{
  const char *base = config->admin_public_url;
  gsize n = strlen (base);

  if (n == 0)
    return NULL;
  while (n > 0 && base[n - 1] == '/')
    n--;
  return g_strdup_printf ("%.*s%s", (int) n, base, path);
}

static JsonObject *
event_object (const MgConfig *config, const MgQuarantineAlertEvent *event)
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
  if (event->item_id != NULL) {
    g_autofree char *path = g_strdup_printf ("/items/%s", event->item_id);
    g_autofree char *url = mg_quarantine_alert_admin_url (config, path);
    set_text (object, "url", url);
  }
  if (event->envelope != NULL && event->envelope->sender != NULL) {
    set_text (object, "from", event->envelope->sender);
    for (guint i = 0;
         event->envelope->recipients != NULL && event->envelope->recipients[i] != NULL; i++)
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

static const char *
event_title (JsonObject *event)
{
  const char *kind = member (event, "kind");

  if (g_strcmp0 (kind, "virus") == 0)
    return "ウイルスを検出しました";
  if (g_strcmp0 (kind, "reload") == 0)
    return "ウイルス定義の読み込みに失敗しました（それまでの定義で検査を続けています）";
  return "無害化できませんでした（処理の失敗）";
}

static void
append_event (GString *body, guint n, JsonObject *event)
{
  g_autofree char *when = jst (json_object_get_int_member_with_default (event, "time", 0));
  const char *from = member (event, "from");

  g_string_append_printf (body, "[%u] %s\n", n, event_title (event));
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
    g_string_append_printf (body, "    確認: mugai quarantine show %s\n",
                            member (event, "id"));
  append_fact (body, "管理画面", member (event, "url"));
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
compose_body (const MgConfig *config, const MgAlertState *state, gint64 total)
{
  GString *body = g_string_new (NULL);
  guint viruses = count_kind (state, "virus"), reloads = count_kind (state, "reload");
  g_autofree char *list = mg_quarantine_alert_admin_url (config, "/items");

  g_string_append_printf (body,
                          "mugai（無害化中継）からの警告です。\n\n"
                          "前回の通知以降の件数: %" G_GINT64_FORMAT " 件"
                          "（ウイルス %u 件、処理の失敗 %u 件、定義の読み込み失敗 %u 件）\n",
                          total, viruses, state->events->len - viruses - reloads, reloads);
  if (state->dropped > 0)
    g_string_append_printf (body,
                            "（一覧は最初の %u 件です。残り %" G_GINT64_FORMAT
                            " 件は監査ログで確認してください）\n",
                            state->events->len, state->dropped);
  g_string_append (body, "このメールには原本を添付していません。原本は隔離領域に保管して"
                         "います。\n\n");
  for (guint i = 0; i < state->events->len; i++)
    append_event (body, i + 1, g_ptr_array_index (state->events, i));
  if (list != NULL)
    g_string_append_printf (body, "隔離一覧（管理画面）: %s\n\n", list);
  g_string_append (body, "-- \nmugai ([alert] の設定による自動通知)\n");
  return g_string_free (body, FALSE);
}

static char *
subject_text (const MgAlertState *state)
{
  gint64 total = state->events->len + state->dropped;

  if (count_kind (state, "virus") > 0)
    return g_strdup_printf ("【mugai 警告】ウイルスを検出しました（%" G_GINT64_FORMAT " 件）",
                            total);
  if (count_kind (state, "reload") > 0)
    return g_strdup_printf (
        "【mugai 警告】ウイルス定義の読み込みに失敗しました（%" G_GINT64_FORMAT " 件）",
        total);
  return g_strdup_printf (
      "【mugai 警告】無害化できないメールがありました（%" G_GINT64_FORMAT " 件）", total);
}

static char *
encoded_subject (const MgAlertState *state)
{
  g_autofree char *subject = subject_text (state);
  g_autofree char *b64 = g_base64_encode ((const guchar *) subject, strlen (subject));

  return g_strdup_printf ("=?UTF-8?B?%s?=", b64);
}

static GBytes *
compose (const MgConfig *config, const MgAlertState *state)
{
  gint64 total = state->events->len + state->dropped;
  g_autofree char *body = compose_body (config, state, total);
  g_autofree char *b64 = g_base64_encode ((const guchar *) body, strlen (body));
  g_autofree char *subject = encoded_subject (state);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  const char *from = *config->release_sender != '\0' ? config->release_sender
                                                     : "MAILER-DAEMON";
  GString *out = g_string_new (NULL);
  gsize len = strlen (b64);

  g_string_append_printf (out,
                          "From: <%s>\nTo: <%s>\nSubject: %s\nDate: %s\n"
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

/* NAME=VALUE of the first event's member KEY, added to VARS when set. */
static void
add_var (GStrvBuilder *vars, const char *name, const char *value)
{
  g_autofree char *var = value != NULL ? g_strdup_printf ("MUGAI_ALERT_%s=%s", name, value)
                                       : NULL;

  if (var != NULL)
    g_strv_builder_add (vars, var);
}

static char *
joined (const MgAlertState *state, const char *key)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < state->events->len; i++) {
    const char *v = member (g_ptr_array_index (state->events, i), key);
    if (v != NULL && strstr (out->str, v) == NULL)
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", v);
  }
  return g_strdup (out->str);
}

/* The facts of STATE as MUGAI_ALERT_* variables (doc/quarantine.md). */
static char **
hook_vars (const MgConfig *config, const MgAlertState *state)
{
  g_autoptr (GStrvBuilder) vars = g_strv_builder_new ();
  JsonObject *first = g_ptr_array_index (state->events, 0);
  static const char *const firsts[][2] = {
    { "KIND", "kind" },       { "ID", "id" },       { "QUEUE_ID", "queue_id" },
    { "VERDICT", "verdict" }, { "VIRUS", "virus" }, { "DETAIL", "detail" },
    { "FROM", "from" },       { "TO", "to" },       { "ITEM_URL", "url" },
  };
  g_autofree char *subject = subject_text (state);
  g_autofree char *ids = joined (state, "id");
  g_autofree char *list = mg_quarantine_alert_admin_url (config, "/items");

  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT,
                                            state->events->len + state->dropped);
  g_autofree char *viruses = g_strdup_printf ("%u", count_kind (state, "virus"));

  add_var (vars, "COUNT", count);
  add_var (vars, "VIRUSES", viruses);
  add_var (vars, "SUBJECT", subject);
  add_var (vars, "IDS", ids);
  add_var (vars, "URL", list);
  for (guint i = 0; i < G_N_ELEMENTS (firsts); i++)
    add_var (vars, firsts[i][0], member (first, firsts[i][1]));
  return g_strv_builder_end (vars);
}

/* Run [alert] exec for STATE; a failure is only logged (the events are
 * not kept for it: the mail, when there is one, has gone). */
static void
run_hook (const MgConfig *config, const MgAlertState *state)
{
  g_auto (GStrv) vars = hook_vars (config, state);
  g_autoptr (GString) lines = g_string_new (NULL);
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < state->events->len; i++) {
    g_autofree char *line = mg_quarantine_audit_to_line (g_ptr_array_index (state->events, i));
    g_string_append_printf (lines, "%s\n", line);
  }
  input = g_bytes_new (lines->str, lines->len);
  if (alert_runner != NULL
          ? !alert_runner (config, (const char *const *) vars, input, &error)
          : !mg_quarantine_hook_run (config->alert_exec, (const char *const *) vars, input,
                                     (guint) config->alert_exec_timeout, &error))
    g_warning ("alert: [alert] exec failed: %s", error->message);
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
  if (*config->alert_address != '\0')
    mail = compose (config, state);
  if (mail != NULL && !mg_quarantine_smtp_send (config->release_smtp, config->release_sender,
                                                rcpt, mail, NULL, error))
    return FALSE;
  if (*config->alert_exec != '\0')
    run_hook (config, state);
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
    g_ptr_array_add (state.events, event_object (config, event));
  else if (event != NULL)
    state.dropped++;
  ok = send_due (config, &state, &send_error);
  if (!state_write (fd, &state, error) && ok) {
    close (fd);
    return FALSE;
  }
  close (fd);
  if (!ok)
    g_propagate_prefixed_error (error, send_error,
                                "alert to %s not sent (kept): ", config->alert_address);
  return ok;
}

gboolean
mg_quarantine_alert_note (const MgConfig *config, const MgQuarantineAlertEvent *event,
                          GError **error)
{
  if (!mg_quarantine_alert_enabled (config))
    return TRUE;
  return update (config, event, error);
}

/* Events are kept when the file holds more than its first line. */
gboolean
mg_quarantine_alert_pending (const MgConfig *config)
{
  g_autofree char *path = g_build_filename (config->quarantine_directory, "alert.state", NULL);
  GStatBuf st;

  return mg_quarantine_alert_enabled (config) && g_stat (path, &st) == 0 && st.st_size > 42;
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
  JsonArray *names = mg_jsonget_array (report, MG_REPORT_VIRUS);
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

  if (!mg_quarantine_alert_enabled (config) || report_json == NULL ||
      !json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;
  report = json_node_get_object (root);
  viruses = report_viruses (report);
  if (viruses == NULL)
    return mg_quarantine_alert_flush (config, error);
  event.item_id = member (report, MG_REPORT_ID);
  event.queue_id = member (report, MG_REPORT_QUEUE_ID);
  event.viruses = viruses;
  return mg_quarantine_alert_note (config, &event, error);
}
