/* quarantine_index.c - open the index, its schema, transactions, item rows.
 *
 * Must never interpolate a value into SQL: every value is a bound parameter.
 */
#include "quarantine/quarantine_index.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quarantine/quarantine_object.h"

#define MG_QUARANTINE_INDEX_BUSY_MS 30000
#define MG_QUARANTINE_INDEX_WAL_TRIES 50

struct MgQuarantineIndex {
  sqlite3 *db;
};

G_DEFINE_QUARK (mg-quarantine-error-quark, mg_quarantine_error)

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS items ("
  " id TEXT PRIMARY KEY, time INTEGER NOT NULL, queue_id TEXT, message_id TEXT,"
  " sender TEXT, sender_address TEXT, recipients TEXT, subject TEXT,"
  " verdict TEXT NOT NULL, held INTEGER NOT NULL, reasons TEXT, virus TEXT,"
  " original_sha256 TEXT, report_sha256 TEXT, size INTEGER NOT NULL,"
  " state TEXT NOT NULL DEFAULT 'held', envelope_from TEXT, envelope_to TEXT);"
  "CREATE INDEX IF NOT EXISTS items_time ON items (time);"
  "CREATE TABLE IF NOT EXISTS item_reasons ("
  " item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE, reason TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS item_reasons_item ON item_reasons (item_id);"
  "CREATE TABLE IF NOT EXISTS requests ("
  " rid INTEGER PRIMARY KEY AUTOINCREMENT,"
  " item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,"
  " kind TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at INTEGER NOT NULL,"
  " note TEXT, password TEXT, state TEXT NOT NULL, decided_by TEXT,"
  " decided_at INTEGER, result TEXT, requested_unix TEXT);"
  "CREATE INDEX IF NOT EXISTS requests_item ON requests (item_id);"
  /* The web UI's sessions (by the SHA-256 of their token) and login failures
   * per user and address: admin_session.c. */
  "CREATE TABLE IF NOT EXISTS admin_sessions ("
  " token_sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
  " credential TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
  " flash TEXT, flash_error INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX IF NOT EXISTS admin_sessions_name ON admin_sessions (name);"
  "CREATE TABLE IF NOT EXISTS admin_logins ("
  " name TEXT NOT NULL, address TEXT NOT NULL, failures INTEGER NOT NULL,"
  " first INTEGER NOT NULL, locks INTEGER NOT NULL DEFAULT 0,"
  " locked_until INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (name, address));";

/* Version 1 stores had no envelope (their items can be released only to an
 * address the approver gives) and no Unix user of a requester. */
static const char migrate_1[] =
  "ALTER TABLE items ADD COLUMN envelope_from TEXT;"
  "ALTER TABLE items ADD COLUMN envelope_to TEXT;";
static const char migrate_2[] = "ALTER TABLE requests ADD COLUMN requested_unix TEXT;";
#define MG_QUARANTINE_INDEX_VERSION 3

static gboolean
db_error (sqlite3 *db, GError **error, const char *what)
{
  g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_DB, "index: %s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

/* journal_mode = WAL needs a moment alone with the file; several processes
 * opening a new store at once take turns. */
static gboolean
enable_wal (sqlite3 *db, GError **error)
{
  for (int i = 0; i < MG_QUARANTINE_INDEX_WAL_TRIES; i++) {
    int rc = sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
      return TRUE;
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
      break;
    g_usleep (20000 + g_random_int_range (0, 20000));
  }
  return db_error (db, error, "journal_mode = WAL");
}

static int
user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* A new index has user_version 0 and the present schema; an old one is
 * brought up to it. */
static gboolean
migrate (sqlite3 *db)
{
  int version = user_version (db);
  g_autofree char *set = g_strdup_printf ("PRAGMA user_version = %d",
                                          MG_QUARANTINE_INDEX_VERSION);

  if (version < 0)
    return FALSE;
  if (version == 1 && sqlite3_exec (db, migrate_1, NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;
  if ((version == 1 || version == 2) &&
      sqlite3_exec (db, migrate_2, NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;
  return version >= MG_QUARANTINE_INDEX_VERSION ||
         sqlite3_exec (db, set, NULL, NULL, NULL) == SQLITE_OK;
}

static gboolean
setup (MgQuarantineIndex *index, GError **error)
{
  sqlite3 *db = index->db;

  sqlite3_busy_timeout (db, MG_QUARANTINE_INDEX_BUSY_MS);
  sqlite3_extended_result_codes (db, 1);
  if (!enable_wal (db, error))
    return FALSE;
  /* secure_delete: a wiped archive password leaves no bytes in a free page. */
  if (sqlite3_exec (db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                    " PRAGMA secure_delete = ON;", NULL, NULL, NULL) != SQLITE_OK)
    return db_error (db, error, "pragma");
  if (!mg_quarantine_index_begin (index, error))
    return FALSE;
  if (sqlite3_exec (db, schema, NULL, NULL, NULL) != SQLITE_OK || !migrate (db)) {
    db_error (db, error, "schema");
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  return mg_quarantine_index_commit (index, error);
}

/* index.sqlite and its -wal and -shm: MG_QUARANTINE_INDEX_MODE (SQLite gives
 * the -wal and -shm files the mode and owner of the database), whatever an
 * earlier version or the umask made of them. */
static void
restrict_modes (const char *dir, const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", NULL };
  int fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                 MG_QUARANTINE_INDEX_MODE);

  if (fd >= 0) {
    close (fd);
    mg_quarantine_object_adopt (dir, path);
  }
  for (int i = 0; suffixes[i] != NULL; i++) {
    g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
    struct stat st;
    if (lstat (file, &st) == 0 && S_ISREG (st.st_mode) &&
        (st.st_mode & 07777) != MG_QUARANTINE_INDEX_MODE)
      chmod (file, MG_QUARANTINE_INDEX_MODE);
  }
}

MgQuarantineIndex *
mg_quarantine_index_open (const char *dir, GError **error)
{
  g_autoptr (MgQuarantineIndex) index = g_new0 (MgQuarantineIndex, 1);
  g_autofree char *path = g_build_filename (dir, "index.sqlite", NULL);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

  if (g_mkdir_with_parents (dir, 0700) != 0) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_DB, "%s: %s", dir,
                 g_strerror (errno));
    return NULL;
  }
  restrict_modes (dir, path);
  if (sqlite3_open_v2 (path, &index->db, flags, NULL) != SQLITE_OK) {
    db_error (index->db, error, path);
    return NULL;
  }
  if (!setup (index, error))
    return NULL;
  return g_steal_pointer (&index);
}

void
mg_quarantine_index_close (MgQuarantineIndex *index)
{
  if (index == NULL)
    return;
  sqlite3_close_v2 (index->db);
  g_free (index);
}

gboolean
mg_quarantine_index_begin (MgQuarantineIndex *index, GError **error)
{
  if (sqlite3_exec (index->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  return db_error (index->db, error, "begin");
}

gboolean
mg_quarantine_index_commit (MgQuarantineIndex *index, GError **error)
{
  if (sqlite3_exec (index->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  db_error (index->db, error, "commit");
  mg_quarantine_index_rollback (index);
  return FALSE;
}

void
mg_quarantine_index_rollback (MgQuarantineIndex *index)
{
  if (!sqlite3_get_autocommit (index->db))
    sqlite3_exec (index->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
mg_quarantine_index_error (MgQuarantineIndex *index, const char *what, GError **error)
{
  return db_error (index->db, error, what);
}

sqlite3_stmt *
mg_quarantine_index_prepare (MgQuarantineIndex *index, const char *sql,
                             const char *const *args, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (index->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    db_error (index->db, error, "prepare");
    return NULL;
  }
  for (int i = 0; args != NULL && args[i] != NULL; i++)
    sqlite3_bind_text (stmt, i + 1, args[i], -1, SQLITE_TRANSIENT);
  return stmt;
}

static gboolean
step_done (MgQuarantineIndex *index, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
    sqlite3_finalize (stmt);
    return TRUE;
  }
  db_error (index->db, error, "step");
  sqlite3_finalize (stmt);
  return FALSE;
}

gboolean
mg_quarantine_index_exec (MgQuarantineIndex *index, const char *sql,
                          const char *const *args, GError **error)
{
  sqlite3_stmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);

  return stmt != NULL && step_done (index, stmt, error);
}

void
mg_quarantine_index_checkpoint (MgQuarantineIndex *index)
{
  int rc = sqlite3_wal_checkpoint_v2 (index->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                                      NULL);

  if (rc != SQLITE_OK)
    g_warning ("index: checkpoint: %s (the WAL keeps old pages until the next one)",
               sqlite3_errmsg (index->db));
}

int
mg_quarantine_index_changes (MgQuarantineIndex *index)
{
  return sqlite3_changes (index->db);
}

static void
bind_text (sqlite3_stmt *stmt, int column, const char *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, column, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

static gboolean
insert_reasons (MgQuarantineIndex *index, const char *id, const char *const *reasons,
                GError **error)
{
  for (int i = 0; reasons != NULL && reasons[i] != NULL; i++) {
    const char *args[] = { id, reasons[i], NULL };
    if (!mg_quarantine_index_exec (index, "INSERT INTO item_reasons (item_id, reason)"
                                   " VALUES (?, ?)", args, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
mg_quarantine_index_insert (MgQuarantineIndex *index, const MgQuarantineItem *item,
                            const char *const *reasons, GError **error)
{
  static const char sql[] = "INSERT INTO items (" MG_QUARANTINE_ITEM_COLUMNS
                            ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  sqlite3_stmt *stmt = mg_quarantine_index_prepare (index, sql, NULL, error);
  const char *texts[] = { item->id, NULL, item->queue_id, item->message_id, item->sender,
                          item->sender_address, item->recipients, item->subject,
                          item->verdict, NULL, item->reasons, item->virus,
                          item->original_sha256, item->report_sha256, NULL, item->state,
                          item->envelope_from, NULL };
  g_autofree char *to = item->envelope_to != NULL ? g_strjoinv ("\n", item->envelope_to)
                                                  : NULL;

  texts[17] = to;
  if (stmt == NULL)
    return FALSE;
  for (int i = 0; i < (int) G_N_ELEMENTS (texts); i++)
    bind_text (stmt, i + 1, texts[i]);
  sqlite3_bind_int64 (stmt, 2, item->time);
  sqlite3_bind_int (stmt, 10, item->held ? 1 : 0);
  sqlite3_bind_int64 (stmt, 15, item->size);
  return step_done (index, stmt, error) && insert_reasons (index, item->id, reasons, error);
}

char *
mg_quarantine_index_column_text (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

MgQuarantineItem *
mg_quarantine_index_item_from_stmt (sqlite3_stmt *stmt)
{
  MgQuarantineItem *item = g_new0 (MgQuarantineItem, 1);

  item->id = mg_quarantine_index_column_text (stmt, 0);
  item->time = sqlite3_column_int64 (stmt, 1);
  item->queue_id = mg_quarantine_index_column_text (stmt, 2);
  item->message_id = mg_quarantine_index_column_text (stmt, 3);
  item->sender = mg_quarantine_index_column_text (stmt, 4);
  item->sender_address = mg_quarantine_index_column_text (stmt, 5);
  item->recipients = mg_quarantine_index_column_text (stmt, 6);
  item->subject = mg_quarantine_index_column_text (stmt, 7);
  item->verdict = mg_quarantine_index_column_text (stmt, 8);
  item->held = sqlite3_column_int (stmt, 9) != 0;
  item->reasons = mg_quarantine_index_column_text (stmt, 10);
  item->virus = mg_quarantine_index_column_text (stmt, 11);
  item->original_sha256 = mg_quarantine_index_column_text (stmt, 12);
  item->report_sha256 = mg_quarantine_index_column_text (stmt, 13);
  item->size = sqlite3_column_int64 (stmt, 14);
  item->state = mg_quarantine_index_column_text (stmt, 15);
  item->envelope_from = mg_quarantine_index_column_text (stmt, 16);
  if (sqlite3_column_type (stmt, 17) != SQLITE_NULL)
    item->envelope_to = g_strsplit ((const char *) sqlite3_column_text (stmt, 17), "\n", -1);
  return item;
}

MgQuarantineItem *
mg_quarantine_index_get (MgQuarantineIndex *index, const char *id, GError **error)
{
  const char *args[] = { id, NULL };
  static const char sql[] = "SELECT " MG_QUARANTINE_ITEM_COLUMNS " FROM items WHERE id = ?";
  sqlite3_stmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);
  MgQuarantineItem *item = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    item = mg_quarantine_index_item_from_stmt (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
                 "no item %s in the quarantine", id);
  else
    db_error (index->db, error, "select");
  sqlite3_finalize (stmt);
  return item;
}

gboolean
mg_quarantine_index_set_state (MgQuarantineIndex *index, const char *id,
                               const char *state, GError **error)
{
  const char *args[] = { state, id, NULL };

  if (!mg_quarantine_index_exec (index, "UPDATE items SET state = ? WHERE id = ?", args,
                                 error))
    return FALSE;
  if (sqlite3_changes (index->db) > 0)
    return TRUE;
  g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
               "no item %s in the quarantine", id);
  return FALSE;
}

gint64
mg_quarantine_index_object_refs (MgQuarantineIndex *index, const char *sha256,
                                 GError **error)
{
  const char *args[] = { sha256, sha256, NULL };
  static const char sql[] = "SELECT count(*) FROM items WHERE original_sha256 = ?"
                            " OR report_sha256 = ?";
  sqlite3_stmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);
  gint64 n = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    db_error (index->db, error, "count");
  sqlite3_finalize (stmt);
  return n;
}

GHashTable *
mg_quarantine_index_referenced (MgQuarantineIndex *index, GError **error)
{
  g_autoptr (GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  static const char sql[] = "SELECT original_sha256 FROM items UNION"
                            " SELECT report_sha256 FROM items";
  sqlite3_stmt *stmt = mg_quarantine_index_prepare (index, sql, NULL, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    char *name = mg_quarantine_index_column_text (stmt, 0);
    if (name != NULL)
      g_hash_table_add (set, name);
  }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    db_error (index->db, error, "select");
    return NULL;
  }
  return g_steal_pointer (&set);
}
