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
#include <string.h>
#include <syslog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quarantine/quarantine_index.h"
#include "quarantine/quarantine_object.h"
#include "util/jsonsafe.h"

char *
mg_quarantine_audit_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

#define MG_AUDIT_TAIL_MAX (4 * 1024 * 1024) /* longest last line looked back for */

static gboolean
io_error (GError **error, const char *path, int err)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", path,
               g_strerror (err));
  return FALSE;
}

/* The hash of the last line of PATH (for a log written before the chain
 * existed), or the genesis value when there is none. */
static char *
last_line_hash (const char *path)
{
  g_autofree char *text = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  off_t size = fd >= 0 ? lseek (fd, 0, SEEK_END) : -1;
  gsize want = size > 0 ? (gsize) MIN (size, (off_t) MG_AUDIT_TAIL_MAX) : 0;
  ssize_t len = 0;
  const char *end, *start;

  text = g_malloc (want + 1);
  if (want > 0)
    len = pread (fd, text, want, size - (off_t) want);
  if (fd >= 0)
    close (fd);
  if (len <= 0)
    return g_strdup (MG_AUDIT_GENESIS);
  end = text + len;
  if (end[-1] == '\n')
    end--;
  start = end;
  while (start > text && start[-1] != '\n')
    start--;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) start, end - start);
}

/* The hash of the line written last: DIR/audit.chain, kept under FD's lock. */
static char *
read_chain (int fd, const char *log_path)
{
  char buf[65] = { 0 };
  ssize_t n = pread (fd, buf, 64, 0);

  if (n == 64 && strspn (buf, "0123456789abcdef") == 64)
    return g_strdup (buf);
  return last_line_hash (log_path);
}

static gboolean
write_all (int fd, const char *path, const char *text, gsize len, GError **error)
{
  ssize_t n;

  do
    n = write (fd, text, len);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t) len || fdatasync (fd) != 0)
    return io_error (error, path, n < 0 ? errno : (n != (ssize_t) len ? ENOSPC : errno));
  return TRUE;
}

/* A line waiting to be appended: the thread that queued it waits until a
 * writer (itself or another thread) has written and synced it. */
typedef struct {
  const MgConfig *config;
  JsonObject *object;
  char *line;    /* the line as written, once done */
  GError *error; /* or why not */
  gboolean done;
} MgAuditPending;

/* Group commit: the threads of one process queue their lines; one of them at
 * a time takes every queued line of its directory and appends them with one
 * write and one fdatasync of audit.log and of audit.chain, under the chain's
 * lock as before. A caller still returns only after its own line is on disk,
 * but concurrent messages share the fsyncs instead of queueing for them. */
static GMutex pending_lock;
static GCond pending_cond;
static GPtrArray *pending;       /* MgAuditPending *, not yet taken */
static gboolean pending_writing; /* a writer is appending a batch */

/* The queued lines of CONFIG's store, taken off the queue (called with
 * pending_lock). */
static GPtrArray *
take_batch (const MgConfig *config)
{
  GPtrArray *batch = g_ptr_array_new ();

  for (guint i = 0; i < pending->len;) {
    MgAuditPending *p = g_ptr_array_index (pending, i);
    if (p->config->quarantine_backend == config->quarantine_backend &&
        g_str_equal (p->config->quarantine_directory, config->quarantine_directory) &&
        g_strcmp0 (p->config->quarantine_dsn, config->quarantine_dsn) == 0) {
      g_ptr_array_add (batch, p);
      g_ptr_array_remove_index (pending, i);
    } else {
      i++;
    }
  }
  return batch;
}

/* The lines of BATCH chained after PREV, as one text; *LAST_R the hash of
 * the last one. */
static char *
chain_lines (GPtrArray *batch, const char *prev, char **last_r)
{
  GString *text = g_string_new (NULL);
  char *hash = g_strdup (prev);

  for (guint i = 0; i < batch->len; i++) {
    MgAuditPending *p = g_ptr_array_index (batch, i);
    json_object_set_string_member (p->object, "prev", hash);
    p->line = mg_quarantine_audit_to_line (p->object);
    g_string_append (text, p->line);
    g_string_append_c (text, '\n');
    g_free (hash);
    hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, p->line, -1);
  }
  *last_r = hash;
  return g_string_free (text, FALSE);
}

/* HASH over the hash in FD (CHAIN_PATH) in place, then synced: no truncation
 * first, so the file is never empty and its block is rewritten, not freed
 * and allocated again (a 64-byte write within one block is all or nothing). */
static gboolean
write_chain (int fd, const char *chain_path, const char *hash, GError **error)
{
  gsize len = strlen (hash);
  struct stat st;
  ssize_t n;

  do
    n = pwrite (fd, hash, len, 0);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t) len)
    return io_error (error, chain_path, n < 0 ? errno : ENOSPC);
  if (fstat (fd, &st) != 0 || (st.st_size != (off_t) len && ftruncate (fd, (off_t) len) != 0))
    return io_error (error, chain_path, errno);
  if (fdatasync (fd) != 0)
    return io_error (error, chain_path, errno);
  return TRUE;
}

/* DIR/audit.chain opened for writing, DIR made first when it is missing
 * (a new quarantine). */
static int
open_chain (const char *dir, const char *chain_path, GError **error)
{
  GError *local = NULL;
  int fd = mg_quarantine_object_open_file (dir, chain_path, O_RDWR, &local);

  if (fd >= 0 || !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
    if (local != NULL)
      g_propagate_error (error, local);
    return fd;
  }
  g_error_free (local);
  if (g_mkdir_with_parents (dir, 0700) != 0) {
    io_error (error, dir, errno);
    return -1;
  }
  return mg_quarantine_object_open_file (dir, chain_path, O_RDWR, error);
}

/* Append BATCH to DIR/audit.log and record the last line's hash in
 * DIR/audit.chain, both under that file's lock. */
static gboolean
append_batch (const char *dir, GPtrArray *batch, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "audit.log", NULL);
  g_autofree char *chain_path = g_build_filename (dir, "audit.chain", NULL);
  g_autofree char *prev = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hash = NULL;
  int chain, fd;
  gboolean ok;

  chain = open_chain (dir, chain_path, error);
  if (chain < 0)
    return FALSE;
  if (flock (chain, LOCK_EX) != 0) {
    close (chain);
    return io_error (error, chain_path, errno);
  }
  fd = mg_quarantine_object_open_file (dir, path, O_WRONLY | O_APPEND, error);
  if (fd < 0) {
    close (chain);
    return FALSE;
  }
  prev = read_chain (chain, path);
  text = chain_lines (batch, prev, &hash);
  ok = write_all (fd, path, text, strlen (text), error) &&
       write_chain (chain, chain_path, hash, error);
  close (fd);
  close (chain); /* releases the lock */
  return ok;
}

/* Append BATCH to the shared store's audit log, chained after its last line,
 * in one transaction that holds the audit writers' lock. */
static gboolean
append_batch_shared (const MgConfig *config, GPtrArray *batch, GError **error)
{
  g_autoptr (MgQuarantineIndex) index = mg_quarantine_index_open (config, error);
  g_autofree char *last = NULL;
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *text = NULL;

  if (index == NULL || !mg_quarantine_index_audit_begin (index, &last, error))
    return FALSE;
  prev = last != NULL ? g_compute_checksum_for_string (G_CHECKSUM_SHA256, last, -1)
                      : g_strdup (MG_AUDIT_GENESIS);
  text = chain_lines (batch, prev, &hash);
  for (guint i = 0; i < batch->len; i++) {
    MgAuditPending *p = g_ptr_array_index (batch, i);
    if (!mg_quarantine_index_audit_append (index, p->line, error)) {
      mg_quarantine_index_rollback (index);
      return FALSE;
    }
  }
  return mg_quarantine_index_commit (index, error);
}

/* TRUE when no line of BATCH is of a message or file that was stored: the
 * lines the relay may keep locally while the shared store is unreachable. */
static gboolean
nothing_stored (GPtrArray *batch)
{
  for (guint i = 0; i < batch->len; i++) {
    MgAuditPending *p = g_ptr_array_index (batch, i);
    if (!json_object_has_member (p->object, "stored") ||
        json_object_get_boolean_member_with_default (p->object, "stored", TRUE))
      return FALSE;
  }
  return TRUE;
}

/* The shared store's audit log, or, when it cannot be reached and no line
 * is of a stored item (clean mail with keep = withheld), the relay's local
 * audit.log with its own chain, so that such mail still flows. */
static gboolean
append_batch_to (const MgConfig *config, GPtrArray *batch, GError **error)
{
  GError *local = NULL;

  if (config->quarantine_backend != MG_QUARANTINE_BACKEND_POSTGRESQL)
    return append_batch (config->quarantine_directory, batch, error);
  if (append_batch_shared (config, batch, &local))
    return TRUE;
  if (!g_error_matches (local, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_UNREACHABLE) ||
      !nothing_stored (batch)) {
    g_propagate_error (error, local);
    return FALSE;
  }
  g_error_free (local);
  return append_batch (config->quarantine_directory, batch, error);
}

/* Take the queued lines of CONFIG's store and append them; every one is
 * marked done, with the error when the append failed. Called with
 * pending_lock, which is released while writing. */
static void
write_pending (const MgConfig *config)
{
  g_autoptr (GPtrArray) batch = take_batch (config);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  pending_writing = TRUE;
  g_mutex_unlock (&pending_lock);
  ok = append_batch_to (config, batch, &error);
  g_mutex_lock (&pending_lock);
  for (guint i = 0; i < batch->len; i++) {
    MgAuditPending *p = g_ptr_array_index (batch, i);
    if (!ok) {
      g_clear_pointer (&p->line, g_free);
      p->error = g_error_copy (error);
    }
    p->done = TRUE;
  }
  pending_writing = FALSE;
  g_cond_broadcast (&pending_cond);
}

/* Append OBJECT with "prev" (the SHA-256 of the line before) as one line,
 * and record its own hash in DIR/audit.chain; returns once the line is on
 * disk (fdatasync), possibly written together with other threads' lines. */
static gboolean
append_chained (const MgConfig *config, JsonObject *object, char **line_r, GError **error)
{
  MgAuditPending me = { config, object, NULL, NULL, FALSE };

  g_mutex_lock (&pending_lock);
  if (pending == NULL)
    pending = g_ptr_array_new ();
  g_ptr_array_add (pending, &me);
  while (!me.done) {
    if (!pending_writing)
      write_pending (config);
    else
      g_cond_wait (&pending_cond, &pending_lock);
  }
  g_mutex_unlock (&pending_lock);
  if (me.error != NULL) {
    g_propagate_error (error, me.error);
    return FALSE;
  }
  *line_r = me.line;
  return TRUE;
}

/* Append OBJECT; an admin action's line also goes to syslog (a copy kept
 * elsewhere shows a rewritten chain), a message's does not: the mail log has
 * the milter's summary line and report of it already. */
gboolean
mg_quarantine_audit_append (const MgConfig *config, JsonObject *object, gboolean to_syslog,
                            GError **error)
{
  g_autofree char *line = NULL;

  if (!append_chained (config, object, &line, error))
    return FALSE;
  if (to_syslog)
    syslog (LOG_MAIL | LOG_INFO, "audit: %s", line);
  return TRUE;
}

char *
mg_quarantine_audit_to_line (gpointer object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (gen, node);
  return mg_jsonsafe_escape (json_generator_to_data (gen, NULL));
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
set_digest (JsonObject *object, const char *sha_name, const char *size_name, GBytes *bytes)
{
  g_autofree char *sha = bytes != NULL
                             ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes)
                             : NULL;

  set_string (object, sha_name, sha);
  json_object_set_int_member (object, size_name,
                              bytes != NULL ? (gint64) g_bytes_get_size (bytes) : 0);
}

/* The report's members follow the time and event, in the report's order.
 * REPORT may be NULL (a report that is not a JSON object). */
static JsonObject *
message_object_of (JsonObject *report)
{
  JsonObject *object = json_object_new ();
  g_autofree char *now = mg_quarantine_audit_now ();
  g_autoptr (GList) names = report != NULL ? json_object_get_members (report) : NULL;

  json_object_set_string_member (object, "time", now);
  json_object_set_string_member (object, "event", "message");
  json_object_set_string_member (object, "action", "message");
  json_object_set_string_member (object, "actor", MG_QUARANTINE_AUDIT_SYSTEM);
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (object, l->data,
                            json_node_copy (json_object_get_member (report, l->data)));
  return object;
}

static JsonObject *
message_object (const char *report_json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return message_object_of (NULL);
  return message_object_of (json_node_get_object (root));
}

/* The digests, sizes and storage of a message's line. */
static JsonObject *
message_object_finish (JsonObject *object, const char *recipients, GBytes *input,
                       GBytes *output, gboolean stored)
{
  set_string (object, "to", recipients);
  set_digest (object, "sha256", "size", input);
  set_digest (object, "output_sha256", "output_size", output);
  json_object_set_boolean_member (object, "stored", stored);
  return object;
}

JsonObject *
mg_quarantine_audit_message_object (const char *report_json, const char *recipients,
                                    GBytes *input, GBytes *output, gboolean stored)
{
  return message_object_finish (message_object (report_json), recipients, input, output,
                                stored);
}

JsonObject *
mg_quarantine_audit_message_object_of (JsonObject *report, const char *recipients,
                                       GBytes *input, GBytes *output, gboolean stored)
{
  return message_object_finish (message_object_of (report), recipients, input, output, stored);
}

/* Append OBJECT (taken), not to syslog. */
static gboolean
append_taken (const MgConfig *config, JsonObject *object, GError **error)
{
  g_autoptr (JsonObject) line = object;

  return mg_quarantine_audit_append (config, line, FALSE, error);
}

gboolean
mg_quarantine_audit_message (const MgConfig *config, const char *report_json,
                             const char *recipients, GBytes *input, GBytes *output,
                             gboolean stored, GError **error)
{
  return append_taken (
      config,
      mg_quarantine_audit_message_object (report_json, recipients, input, output, stored),
      error);
}

JsonObject *
mg_quarantine_audit_file_object (const char *report_json, const char *operator_name,
                                 GBytes *input, GBytes *output, gboolean stored)
{
  JsonObject *object = message_object (report_json);

  json_object_set_string_member (object, "event", "file"); /* "action": the file's */
  json_object_set_string_member (object, "actor", operator_name);
  json_object_set_string_member (object, "unix_user", operator_name);
  set_digest (object, "sha256", "size", input);
  set_digest (object, "output_sha256", "output_size", output);
  json_object_set_boolean_member (object, "stored", stored);
  return object;
}

gboolean
mg_quarantine_audit_file (const MgConfig *config, const char *report_json,
                          const char *operator_name, GBytes *input, GBytes *output,
                          gboolean stored, GError **error)
{
  return append_taken (
      config,
      mg_quarantine_audit_file_object (report_json, operator_name, input, output, stored),
      error);
}

gboolean
mg_quarantine_audit_append_in (MgQuarantineIndex *index, JsonObject *object, GError **error)
{
  g_autofree char *last = NULL;
  g_autofree char *prev = NULL;
  g_autofree char *line = NULL;

  if (!mg_quarantine_index_audit_lock (index, &last, error))
    return FALSE;
  prev = last != NULL ? g_compute_checksum_for_string (G_CHECKSUM_SHA256, last, -1)
                      : g_strdup (MG_AUDIT_GENESIS);
  json_object_set_string_member (object, "prev", prev);
  line = mg_quarantine_audit_to_line (object);
  return mg_quarantine_index_audit_append (index, line, error);
}

gboolean
mg_quarantine_audit_action (const MgConfig *config, const MgQuarantineActor *actor,
                            const char *action, const char *item_id, const char *result,
                            const char *detail, GError **error)
{
  JsonObject *object = json_object_new ();
  g_autofree char *now = mg_quarantine_audit_now ();
  gboolean ok;

  json_object_set_string_member (object, "time", now);
  json_object_set_string_member (object, "event", "action");
  set_string (object, "action", action);
  set_string (object, "actor", actor->name);
  set_string (object, "id", item_id);
  set_string (object, "user", actor->name);
  set_string (object, "role", actor->role);
  set_string (object, "address", actor->address);
  if (actor->unix_user != NULL)
    set_string (object, "unix_user", actor->unix_user);
  set_string (object, "result", result);
  set_string (object, "detail", detail);
  ok = mg_quarantine_audit_append (config, object, TRUE, error);
  json_object_unref (object);
  return ok;
}
