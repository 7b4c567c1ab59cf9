/* quarantine_audit.c - build audit lines with json-glib and append them.
 *
 * Must never write a line in two pieces, nor drop a line silently: a failed
 * append is an error for the caller (a message is then tempfailed, an admin
 * action refused).
 */
#include "quarantine/quarantine_audit.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <syslog.h>
#include <unistd.h>

char *
mg_quarantine_audit_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static gboolean
append_line (const char *dir, const char *line, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "audit.log", NULL);
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  gsize len = strlen (text);
  ssize_t n;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      (fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                 g_strerror (errno));
    return FALSE;
  }
  do
    n = write (fd, text, len);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t) len || fdatasync (fd) != 0) {
    int saved = n < 0 ? errno : (n != (ssize_t) len ? ENOSPC : errno);
    close (fd);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  close (fd);
  syslog (LOG_MAIL | LOG_INFO, "audit: %s", line);
  return TRUE;
}

static char *
to_line (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static void
set_string (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static void
set_digest (JsonObject *object, const char *sha_name, const char *size_name,
            GBytes *bytes)
{
  g_autofree char *sha = bytes != NULL
                           ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes)
                           : NULL;

  set_string (object, sha_name, sha);
  json_object_set_int_member (object, size_name,
                              bytes != NULL ? (gint64) g_bytes_get_size (bytes) : 0);
}

/* The report's members follow the time and event, in the report's order. */
static JsonObject *
message_object (const char *report_json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object = json_object_new ();
  g_autofree char *now = mg_quarantine_audit_now ();
  JsonNode *root;

  json_object_set_string_member (object, "time", now);
  json_object_set_string_member (object, "event", "message");
  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return object;
  {
    JsonObject *report = json_node_get_object (root);
    g_autoptr (GList) names = json_object_get_members (report);
    for (GList *l = names; l != NULL; l = l->next)
      json_object_set_member (object, l->data,
                              json_node_copy (json_object_get_member (report, l->data)));
  }
  return object;
}

gboolean
mg_quarantine_audit_message (const char *dir, const char *report_json,
                             const char *recipients, GBytes *input, GBytes *output,
                             gboolean stored, GError **error)
{
  JsonObject *object = message_object (report_json);
  g_autofree char *line = NULL;

  set_string (object, "to", recipients);
  set_digest (object, "sha256", "size", input);
  set_digest (object, "output_sha256", "output_size", output);
  json_object_set_boolean_member (object, "stored", stored);
  line = to_line (object);
  json_object_unref (object);
  return append_line (dir, line, error);
}

gboolean
mg_quarantine_audit_action (const char *dir, const MgQuarantineActor *actor,
                            const char *action, const char *item_id, const char *result,
                            const char *detail, GError **error)
{
  JsonObject *object = json_object_new ();
  g_autofree char *now = mg_quarantine_audit_now ();
  g_autofree char *line = NULL;

  json_object_set_string_member (object, "time", now);
  json_object_set_string_member (object, "event", "action");
  set_string (object, "action", action);
  set_string (object, "id", item_id);
  set_string (object, "user", actor->name);
  set_string (object, "role", actor->role);
  set_string (object, "address", actor->address);
  set_string (object, "result", result);
  set_string (object, "detail", detail);
  line = to_line (object);
  json_object_unref (object);
  return append_line (dir, line, error);
}
