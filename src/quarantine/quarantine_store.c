/* quarantine_store.c - put items, read them, delete and purge them.
 *
 * Must never index an item before its objects are in place, nor remove an
 * object an item still refers to: objects are renamed into place and removed
 * only while the index's write lock is held.
 */
#include "quarantine/quarantine_store.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "common/report_fields.h"
#include "quarantine/quarantine_headers.h"
#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_pg.h"

#define MG_QUARANTINE_HEADERS_SHOWN (64 * 1024)
#define MG_QUARANTINE_REPORT_MAX (64 * 1024 * 1024)

struct MgQuarantineStore {
  const MgConfig *config;
  MgQuarantineIndex *index;
};

typedef struct {
  char *sha256;
  char *staged;
} MgStaged;

static void
staged_clear (MgStaged *s)
{
  if (s->staged != NULL)
    g_unlink (s->staged);
  g_clear_pointer (&s->staged, g_free);
  g_clear_pointer (&s->sha256, g_free);
}

static gboolean
commit_and_insert (MgQuarantineIndex *index, const char *dir, MgStaged *objects,
                   const MgQuarantineItem *item, GPtrArray *reasons, GError **error)
{
  g_autoptr (GPtrArray) terminated = g_ptr_array_copy (reasons, NULL, NULL);

  g_ptr_array_set_free_func (terminated, NULL); /* the copy borrows the strings */
  g_ptr_array_add (terminated, NULL);
  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  for (int i = 0; i < 2; i++) {
    if (!mg_quarantine_object_commit (dir, objects[i].staged, objects[i].sha256, error)) {
      mg_quarantine_index_rollback (index);
      return FALSE;
    }
  }
  if (!mg_quarantine_index_insert (index, item, (const char *const *) terminated->pdata,
                                   error)) {
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  return mg_quarantine_index_commit (index, error);
}

typedef MgQuarantinePut MgPutRequest;

/* The usable addresses of ENVELOPE into ITEM (no recipient: no envelope). */
static void
set_envelope (MgQuarantineItem *item, const MgEnvelope *envelope)
{
  g_autoptr (GPtrArray) to = g_ptr_array_new_with_free_func (g_free);

  if (envelope == NULL)
    return;
  for (int i = 0; envelope->recipients != NULL && envelope->recipients[i] != NULL; i++) {
    char *rcpt = mg_quarantine_envelope_address (envelope->recipients[i]);
    if (rcpt != NULL && *rcpt != '\0')
      g_ptr_array_add (to, rcpt);
    else
      g_free (rcpt);
  }
  item->envelope_from = mg_quarantine_envelope_address (envelope->sender);
  if (to->len == 0)
    return;
  g_ptr_array_add (to, NULL);
  item->envelope_to = (char **) g_ptr_array_free (g_steal_pointer (&to), FALSE);
}

static MgQuarantineItem *
item_for (const MgPutRequest *put, GPtrArray **reasons_r, GError **error)
{
  const char *id = put->id;
  MgQuarantineItem *item = mg_quarantine_item_from_report (put->report_json, reasons_r);

  if (item == NULL) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_DB,
                 "the report of %s is not a JSON object", id);
    return NULL;
  }
  g_free (item->id);
  item->id = g_strdup (id);
  item->time = g_get_real_time () / G_USEC_PER_SEC;
  item->held = put->held;
  item->size = (gint64) g_bytes_get_size (put->original);
  item->state = g_strdup (put->held ? MG_QUARANTINE_STATE_HELD : MG_QUARANTINE_STATE_KEPT);
  item->sender_address = g_strdup (put->sender_address);
  item->recipients = g_strdup (put->recipients);
  set_envelope (item, put->envelope);
  if (item->verdict == NULL)
    item->verdict = g_strdup ("withheld");
  return item;
}

/* The shared store: both objects, the index row and the audit line AUDIT in
 * one transaction. */
static gboolean
store_item_shared (const MgConfig *config, const MgPutRequest *put, JsonObject *audit,
                   GError **error)
{
  g_autoptr (GBytes) report = g_bytes_new (put->report_json, strlen (put->report_json));
  g_autoptr (GPtrArray) reasons = NULL;
  g_autoptr (MgQuarantineItem) item = item_for (put, &reasons, error);
  g_autoptr (GBytes) packed_original = NULL;
  g_autoptr (GBytes) packed_report = NULL;
  g_autoptr (MgQuarantineIndex) index = NULL;

  if (item == NULL ||
      (packed_original = mg_quarantine_object_pack (put->original, error)) == NULL ||
      (packed_report = mg_quarantine_object_pack (report, error)) == NULL ||
      (index = mg_quarantine_index_open (config, error)) == NULL)
    return FALSE;
  g_ptr_array_add (reasons, NULL);
  item->original_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, put->original);
  item->report_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, report);
  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  if (mg_quarantine_index_object_put (index, item->original_sha256, packed_original, error) &&
      mg_quarantine_index_object_put (index, item->report_sha256, packed_report, error) &&
      mg_quarantine_index_insert (index, item, (const char *const *) reasons->pdata, error) &&
      mg_quarantine_audit_append_in (index, audit, error))
    return mg_quarantine_index_commit (index, error);
  mg_quarantine_index_rollback (index);
  return FALSE;
}

/* The local store: both objects staged, then the audit line AUDIT, then the
 * index row. A writer killed in between leaves a line for an item the index
 * never got (`check` removes its staged files), never an item without its
 * line, which `check` could not tell from a removed log. */
static gboolean
store_item (const MgConfig *config, const MgPutRequest *put, JsonObject *audit, GError **error)
{
  const char *dir = config->quarantine_directory;
  g_autoptr (GBytes) report = g_bytes_new (put->report_json, strlen (put->report_json));
  g_autoptr (GPtrArray) reasons = NULL;
  g_autoptr (MgQuarantineItem) item = NULL;
  g_autoptr (MgQuarantineIndex) index = NULL;
  MgStaged objects[2] = { { 0 } };
  gboolean ok = FALSE;

  item = item_for (put, &reasons, error);
  if (item != NULL &&
      mg_quarantine_object_stage (dir, put->original, &objects[0].sha256, &objects[0].staged,
                                  error) &&
      mg_quarantine_object_stage (dir, report, &objects[1].sha256, &objects[1].staged,
                                  error) &&
      (index = mg_quarantine_index_open (config, error)) != NULL &&
      mg_quarantine_audit_append (config, audit, FALSE, error)) {
    item->original_sha256 = g_strdup (objects[0].sha256);
    item->report_sha256 = g_strdup (objects[1].sha256);
    ok = commit_and_insert (index, dir, objects, item, reasons, error);
  }
  staged_clear (&objects[0]);
  staged_clear (&objects[1]);
  return ok;
}

/* Store PUT and append its line AUDIT (taken): in the item's transaction
 * with a shared store, before the index row with the files. */
static gboolean
put_item (const MgConfig *config, const MgPutRequest *put, JsonObject *audit, GError **error)
{
  g_autoptr (JsonObject) line = audit;

  if (config->quarantine_backend == MG_QUARANTINE_BACKEND_POSTGRESQL)
    return store_item_shared (config, put, line, error);
  return store_item (config, put, line, error);
}

gboolean
mg_quarantine_store_put (const MgConfig *config, const MgQuarantinePut *put, GError **error)
{
  gboolean keep = put->held || config->quarantine_keep == MG_QUARANTINE_KEEP_ALL;
  g_autoptr (JsonObject) line = NULL;

  if (!mg_quarantine_id_valid (put->id)) { /* it comes from a worker: never trusted */
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
                 "not a quarantine id");
    return FALSE;
  }
  line = put->report != NULL
             ? mg_quarantine_audit_message_object_of (put->report, put->recipients,
                                                      put->original, put->output, keep)
             : mg_quarantine_audit_message_object (put->report_json, put->recipients,
                                                   put->original, put->output, keep);
  if (keep)
    return put_item (config, put, g_steal_pointer (&line), error);
  return mg_quarantine_audit_append (config, line, FALSE, error);
}

/* The report of a file as the index should see it: the file's name as the
 * subject, the operator as the sender, "withheld" as the verdict. */
static char *
file_item_report (const char *report_json, const char *operator_name)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *from = g_strdup_printf ("%s (mugai files)", operator_name);
  JsonNode *root;
  JsonObject *report;

  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup (report_json);
  report = json_node_get_object (root);
  if (json_object_get_member (report, MG_REPORT_SOURCE) != NULL)
    json_object_set_member (
        report, MG_REPORT_SUBJECT,
        json_node_copy (json_object_get_member (report, MG_REPORT_SOURCE)));
  json_object_set_string_member (report, MG_REPORT_FROM, from);
  json_object_set_string_member (report, MG_REPORT_VERDICT, "withheld");
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gboolean
mg_quarantine_store_put_file (const MgConfig *config, const char *id, GBytes *original,
                              GBytes *output, const char *report_json, gboolean held,
                              const char *operator_name, GError **error)
{
  gboolean keep = held && original != NULL;
  g_autofree char *item_report = keep ? file_item_report (report_json, operator_name) : NULL;
  MgPutRequest put = { id, original, output, item_report, TRUE, NULL, NULL, NULL };

  if (!mg_quarantine_id_valid (id)) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
                 "not a quarantine id");
    return FALSE;
  }
  if (keep)
    return put_item (
        config, &put,
        mg_quarantine_audit_file_object (report_json, operator_name, original, output, TRUE),
        error);
  return mg_quarantine_audit_file (config, report_json, operator_name, original, output, FALSE,
                                   error);
}

MgQuarantineStore *
mg_quarantine_store_open (const MgConfig *config, GError **error)
{
  g_autoptr (MgQuarantineStore) store = g_new0 (MgQuarantineStore, 1);

  store->config = config;
  /* The shared store keeps the directory for ppap.key (the same on every node). */
  if (config->quarantine_backend == MG_QUARANTINE_BACKEND_POSTGRESQL)
    g_mkdir_with_parents (config->quarantine_directory, 0700);
  store->index = mg_quarantine_index_open (config, error);
  if (store->index == NULL)
    return NULL;
  return g_steal_pointer (&store);
}

gboolean
mg_quarantine_store_migrate (const MgConfig *config, int *from_r, int *to_r, GError **error)
{
  g_autoptr (MgQuarantineIndex) index = NULL;

  if (config->quarantine_backend == MG_QUARANTINE_BACKEND_POSTGRESQL)
    return mg_quarantine_pg_migrate (config->quarantine_dsn, from_r, to_r, error);
  *from_r = *to_r = 0; /* SQLite: the index brings itself up to date when opened */
  index = mg_quarantine_index_open (config, error);
  return index != NULL;
}

void
mg_quarantine_store_free (MgQuarantineStore *store)
{
  if (store == NULL)
    return;
  mg_quarantine_index_close (store->index);
  g_free (store);
}

const MgConfig *
mg_quarantine_store_config (MgQuarantineStore *store)
{
  return store->config;
}

MgQuarantineIndex *
mg_quarantine_store_index (MgQuarantineStore *store)
{
  return store->index;
}

const char *
mg_quarantine_store_dir (MgQuarantineStore *store)
{
  return store->config->quarantine_directory;
}

/* 20261122T010203Z-4f2a0b1c: as mg_report_new_id makes them. */
gboolean
mg_quarantine_id_valid (const char *id)
{
  static const char pattern[] = "dddddddddddddddZ-xxxxxxxx";

  if (id == NULL || strlen (id) != sizeof pattern - 1)
    return FALSE;
  for (gsize i = 0; i < sizeof pattern - 1; i++) {
    char c = id[i], p = pattern[i];
    gboolean ok = p == 'd'   ? g_ascii_isdigit (c) || (i == 8 && c == 'T')
                  : p == 'x' ? g_ascii_isdigit (c) || (c >= 'a' && c <= 'f')
                             : c == p;
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

MgQuarantineItem *
mg_quarantine_store_get (MgQuarantineStore *store, const char *id, GError **error)
{
  if (!mg_quarantine_id_valid (id)) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
                 "not a quarantine id");
    return NULL;
  }
  return mg_quarantine_index_get (store->index, id, error);
}

GBytes *
mg_quarantine_store_object_read (MgQuarantineStore *store, const char *sha256, gsize max,
                                 GError **error)
{
  g_autoptr (GBytes) packed = NULL;

  if (!mg_quarantine_index_shared (store->index))
    return mg_quarantine_object_read (mg_quarantine_store_dir (store), sha256, max, error);
  packed = mg_quarantine_index_object_get (store->index, sha256, error);
  return packed != NULL ? mg_quarantine_object_unpack (packed, sha256, max, error) : NULL;
}

gboolean
mg_quarantine_store_object_remove (MgQuarantineStore *store, const char *sha256,
                                   GError **error)
{
  if (mg_quarantine_index_shared (store->index))
    return mg_quarantine_index_object_remove (store->index, sha256, error);
  return mg_quarantine_object_remove (mg_quarantine_store_dir (store), sha256, error);
}

GPtrArray *
mg_quarantine_store_object_list (MgQuarantineStore *store, GError **error)
{
  if (mg_quarantine_index_shared (store->index))
    return mg_quarantine_index_object_list (store->index, error);
  return mg_quarantine_object_list (mg_quarantine_store_dir (store), error);
}

static GBytes *
read_object (MgQuarantineStore *store, const char *sha256, gsize max, GError **error)
{
  if (!mg_quarantine_object_valid_name (sha256)) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_STATE,
                 "the original was deleted");
    return NULL;
  }
  return mg_quarantine_store_object_read (store, sha256, max, error);
}

char *
mg_quarantine_store_report (MgQuarantineStore *store, const MgQuarantineItem *item,
                            GError **error)
{
  g_autoptr (GBytes)
      bytes = read_object (store, item->report_sha256, MG_QUARANTINE_REPORT_MAX, error);
  gsize len;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

GBytes *
mg_quarantine_store_original (MgQuarantineStore *store, const MgQuarantineItem *item,
                              GError **error)
{
  gsize max = (gsize) store->config->limits.message_size + 1024 * 1024;

  return read_object (store, item->original_sha256, MAX (max, (gsize) item->size), error);
}

char *
mg_quarantine_store_headers (MgQuarantineStore *store, const MgQuarantineItem *item,
                             GError **error)
{
  g_autoptr (GBytes) original = mg_quarantine_store_original (store, item, error);

  if (original == NULL)
    return NULL;
  return mg_quarantine_headers_block (original, MG_QUARANTINE_HEADERS_SHOWN);
}

static const char *
outcome (const GError *failure)
{
  if (failure == NULL)
    return "ok";
  if (failure->domain == MG_QUARANTINE_ERROR &&
      (failure->code == MG_QUARANTINE_ERROR_ROLE ||
       failure->code == MG_QUARANTINE_ERROR_STATE ||
       failure->code == MG_QUARANTINE_ERROR_SAME_PERSON ||
       failure->code == MG_QUARANTINE_ERROR_POLICY ||
       failure->code == MG_QUARANTINE_ERROR_NOT_FOUND))
    return "refused";
  return "failed";
}

gboolean
mg_quarantine_store_audit (MgQuarantineStore *store, const MgQuarantineActor *actor,
                           const char *action, const char *item_id, const GError *failure,
                           const char *detail, GError **error)
{
  g_autofree char *text = NULL;

  if (failure != NULL)
    text = detail != NULL ? g_strdup_printf ("%s (%s)", failure->message, detail)
                          : g_strdup (failure->message);
  return mg_quarantine_audit_action (store->config, actor, action,
                                     mg_quarantine_id_valid (item_id) ? item_id : NULL,
                                     outcome (failure), text != NULL ? text : detail, error);
}

gboolean
mg_quarantine_store_finish (MgQuarantineStore *store, const MgQuarantineActor *actor,
                            const char *action, const char *item_id, GError *local,
                            const char *detail, GError **error)
{
  g_autoptr (GError) failure = local;

  if (!mg_quarantine_store_audit (store, actor, action, item_id, failure, detail, error))
    return FALSE;
  if (failure != NULL) {
    g_propagate_error (error, g_steal_pointer (&failure));
    return FALSE;
  }
  return TRUE;
}

MgQuarantineItem *
mg_quarantine_store_show (MgQuarantineStore *store, const char *id,
                          const MgQuarantineActor *actor, GError **error)
{
  GError *local = NULL;
  MgQuarantineItem *item = mg_quarantine_store_get (store, id, &local);

  if (!mg_quarantine_store_finish (store, actor, "show", id, local, NULL, error))
    g_clear_pointer (&item, mg_quarantine_item_free);
  return item;
}
