/* quarantine_index.c - open the index, its schema, transactions, item rows.
 *
 * Must never interpolate a value into SQL: every value is a bound parameter.
 */
#include "quarantine/quarantine_index.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quarantine/quarantine_object.h"
#include "quarantine/quarantine_pg.h"

#define MG_QUARANTINE_INDEX_BUSY_MS 30000
#define MG_QUARANTINE_INDEX_WAL_TRIES 50

struct MgQuarantineIndex {
  sqlite3 *db;       /* SQLite, or */
  PGconn *pg;        /* PostgreSQL */
  char *pg_error;    /* the last failed statement's message */
  gint64 pg_changes; /* rows the last statement changed */
};

struct MgQuarantineStmt {
  MgQuarantineIndex *index;
  sqlite3_stmt *lite;
  char *sql; /* PostgreSQL: translated, with N_PARAMS parameters */
  int n_params;
  char **values;
  int *lengths, *formats;
  GBytes **blobs;
  PGresult *res;
  int row;
};

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
static const char migrate_1[] = "ALTER TABLE items ADD COLUMN envelope_from TEXT;"
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

/* The last error of INDEX's PostgreSQL connection (UNREACHABLE when the
 * connection is gone). */
static gboolean
pg_error (MgQuarantineIndex *index, GError **error, const char *what)
{
  gboolean gone = PQstatus (index->pg) != CONNECTION_OK;
  const char *message = index->pg_error != NULL ? index->pg_error : PQerrorMessage (index->pg);
  g_autofree char *text = g_strchomp (g_strdup (message));

  g_set_error (error, MG_QUARANTINE_ERROR,
               gone ? MG_QUARANTINE_ERROR_UNREACHABLE : MG_QUARANTINE_ERROR_DB,
               "index (PostgreSQL): %s: %s", what, text);
  if (gone && error != NULL && *error != NULL)
    mg_quarantine_pg_report_unreachable ((*error)->message);
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
  if (sqlite3_exec (db,
                    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                    " PRAGMA secure_delete = ON;",
                    NULL, NULL, NULL) != SQLITE_OK)
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

static MgQuarantineIndex *
open_sqlite (const char *dir, GError **error)
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

MgQuarantineIndex *
mg_quarantine_index_open (const MgConfig *config, GError **error)
{
  MgQuarantineIndex *index;
  PGconn *pg;

  if (config->quarantine_backend != MG_QUARANTINE_BACKEND_POSTGRESQL)
    return open_sqlite (config->quarantine_directory, error);
  pg = mg_quarantine_pg_connect (config->quarantine_dsn, error);
  if (pg == NULL)
    return NULL;
  index = g_new0 (MgQuarantineIndex, 1);
  index->pg = pg;
  return index;
}

void
mg_quarantine_index_close (MgQuarantineIndex *index)
{
  if (index == NULL)
    return;
  if (index->pg != NULL)
    mg_quarantine_index_rollback (index);
  mg_quarantine_pg_release (index->pg);
  sqlite3_close_v2 (index->db);
  g_free (index->pg_error);
  g_free (index);
}

gboolean
mg_quarantine_index_shared (MgQuarantineIndex *index)
{
  return index->pg != NULL;
}

/* Run SQL without parameters on the PostgreSQL connection. */
static gboolean
pg_simple (MgQuarantineIndex *index, const char *sql, const char *what, GError **error)
{
  PGresult *res = PQexec (index->pg, sql);
  ExecStatusType st = PQresultStatus (res);

  PQclear (res);
  g_clear_pointer (&index->pg_error, g_free);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || pg_error (index, error, what);
}

/* BEGIN and the advisory lock KEY, held until the transaction ends. */
static gboolean
pg_begin (MgQuarantineIndex *index, gint64 key, GError **error)
{
  g_autofree char *lock = g_strdup_printf (
      "SELECT pg_advisory_xact_lock (%" G_GINT64_FORMAT ")", key);

  if (pg_simple (index, "BEGIN", "begin", error) && pg_simple (index, lock, "lock", error))
    return TRUE;
  mg_quarantine_index_rollback (index);
  return FALSE;
}

gboolean
mg_quarantine_index_begin (MgQuarantineIndex *index, GError **error)
{
  if (index->pg != NULL)
    return pg_begin (index, MG_QUARANTINE_PG_LOCK_INDEX, error);
  if (sqlite3_exec (index->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  return db_error (index->db, error, "begin");
}

gboolean
mg_quarantine_index_commit (MgQuarantineIndex *index, GError **error)
{
  if (index->pg != NULL) {
    if (pg_simple (index, "COMMIT", "commit", error))
      return TRUE;
    mg_quarantine_index_rollback (index);
    return FALSE;
  }
  if (sqlite3_exec (index->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  db_error (index->db, error, "commit");
  mg_quarantine_index_rollback (index);
  return FALSE;
}

void
mg_quarantine_index_rollback (MgQuarantineIndex *index)
{
  if (index->pg != NULL) {
    if (PQstatus (index->pg) == CONNECTION_OK &&
        PQtransactionStatus (index->pg) != PQTRANS_IDLE)
      PQclear (PQexec (index->pg, "ROLLBACK"));
    return;
  }
  if (!sqlite3_get_autocommit (index->db))
    sqlite3_exec (index->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
mg_quarantine_index_error (MgQuarantineIndex *index, const char *what, GError **error)
{
  if (index->pg != NULL)
    return pg_error (index, error, what);
  return db_error (index->db, error, what);
}

MgQuarantineStmt *
mg_quarantine_index_prepare (MgQuarantineIndex *index, const char *sql,
                             const char *const *args, GError **error)
{
  g_autoptr (MgQuarantineStmt) stmt = g_new0 (MgQuarantineStmt, 1);

  stmt->index = index;
  if (index->pg != NULL) {
    stmt->sql = mg_quarantine_pg_translate (sql, &stmt->n_params);
    stmt->values = g_new0 (char *, stmt->n_params + 1);
    stmt->lengths = g_new0 (int, stmt->n_params + 1);
    stmt->formats = g_new0 (int, stmt->n_params + 1);
    stmt->blobs = g_new0 (GBytes *, stmt->n_params + 1);
    stmt->row = -1;
  } else if (sqlite3_prepare_v2 (index->db, sql, -1, &stmt->lite, NULL) != SQLITE_OK) {
    db_error (index->db, error, "prepare");
    return NULL;
  }
  for (int i = 0; args != NULL && args[i] != NULL; i++)
    mg_quarantine_stmt_bind_text (stmt, i + 1, args[i]);
  return g_steal_pointer (&stmt);
}

void
mg_quarantine_stmt_finalize (MgQuarantineStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_finalize (stmt->lite);
  PQclear (stmt->res);
  for (int i = 0; i < stmt->n_params; i++) {
    g_free (stmt->values != NULL && stmt->blobs[i] == NULL ? stmt->values[i] : NULL);
    g_clear_pointer (&stmt->blobs[i], g_bytes_unref);
  }
  g_free (stmt->values);
  g_free (stmt->lengths);
  g_free (stmt->formats);
  g_free (stmt->blobs);
  g_free (stmt->sql);
  g_free (stmt);
}

/* Parameter PARAM (from 1) of a PostgreSQL statement, cleared; NULL when it
 * has no such parameter. */
static int
pg_param (MgQuarantineStmt *stmt, int param)
{
  int i = param - 1;

  if (i < 0 || i >= stmt->n_params)
    return -1;
  if (stmt->blobs[i] == NULL)
    g_free (stmt->values[i]);
  g_clear_pointer (&stmt->blobs[i], g_bytes_unref);
  stmt->values[i] = NULL;
  stmt->lengths[i] = 0;
  stmt->formats[i] = 0;
  return i;
}

void
mg_quarantine_stmt_bind_text (MgQuarantineStmt *stmt, int param, const char *text)
{
  int i;

  if (stmt->lite != NULL) {
    if (text != NULL)
      sqlite3_bind_text (stmt->lite, param, text, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null (stmt->lite, param);
  } else if ((i = pg_param (stmt, param)) >= 0) {
    stmt->values[i] = g_strdup (text);
  }
}

void
mg_quarantine_stmt_bind_int64 (MgQuarantineStmt *stmt, int param, gint64 value)
{
  int i;

  if (stmt->lite != NULL)
    sqlite3_bind_int64 (stmt->lite, param, value);
  else if ((i = pg_param (stmt, param)) >= 0)
    stmt->values[i] = g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

void
mg_quarantine_stmt_bind_blob (MgQuarantineStmt *stmt, int param, GBytes *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);
  int i;

  if (stmt->lite != NULL) {
    sqlite3_bind_blob64 (stmt->lite, param, data, len, SQLITE_TRANSIENT);
  } else if ((i = pg_param (stmt, param)) >= 0) {
    stmt->blobs[i] = g_bytes_ref (bytes);
    stmt->values[i] = (char *) data;
    stmt->lengths[i] = (int) len;
    stmt->formats[i] = 1; /* binary */
  }
}

static int
pg_run (MgQuarantineStmt *stmt)
{
  MgQuarantineIndex *index = stmt->index;
  ExecStatusType st;

  stmt->res = PQexecParams (index->pg, stmt->sql, stmt->n_params, NULL,
                            (const char *const *) stmt->values, stmt->lengths, stmt->formats,
                            0);
  st = PQresultStatus (stmt->res);
  g_clear_pointer (&index->pg_error, g_free);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    index->pg_error = g_strdup (PQerrorMessage (index->pg));
    return SQLITE_ERROR;
  }
  index->pg_changes = g_ascii_strtoll (PQcmdTuples (stmt->res), NULL, 10);
  return SQLITE_OK;
}

int
mg_quarantine_stmt_step (MgQuarantineStmt *stmt)
{
  if (stmt->lite != NULL)
    return sqlite3_step (stmt->lite);
  if (stmt->res == NULL && pg_run (stmt) != SQLITE_OK)
    return SQLITE_ERROR;
  if (PQresultStatus (stmt->res) != PGRES_TUPLES_OK)
    return MG_QUARANTINE_DONE;
  stmt->row++;
  return stmt->row < PQntuples (stmt->res) ? MG_QUARANTINE_ROW : MG_QUARANTINE_DONE;
}

const char *
mg_quarantine_stmt_text (MgQuarantineStmt *stmt, int column)
{
  if (stmt->lite != NULL)
    return (const char *) sqlite3_column_text (stmt->lite, column);
  if (stmt->res == NULL || stmt->row < 0 || stmt->row >= PQntuples (stmt->res) ||
      column >= PQnfields (stmt->res) || PQgetisnull (stmt->res, stmt->row, column))
    return NULL;
  return PQgetvalue (stmt->res, stmt->row, column);
}

gint64
mg_quarantine_stmt_int64 (MgQuarantineStmt *stmt, int column)
{
  const char *text;

  if (stmt->lite != NULL)
    return sqlite3_column_int64 (stmt->lite, column);
  text = mg_quarantine_stmt_text (stmt, column);
  if (text == NULL)
    return 0;
  if (g_str_equal (text, "t") || g_str_equal (text, "f")) /* a boolean */
    return *text == 't';
  return g_ascii_strtoll (text, NULL, 10);
}

GBytes *
mg_quarantine_stmt_blob (MgQuarantineStmt *stmt, int column)
{
  const char *text;
  unsigned char *data;
  size_t len = 0;
  GBytes *bytes;

  if (stmt->lite != NULL) {
    if (sqlite3_column_type (stmt->lite, column) == SQLITE_NULL)
      return NULL;
    data = (unsigned char *) sqlite3_column_blob (stmt->lite, column);
    return g_bytes_new (data, sqlite3_column_bytes (stmt->lite, column));
  }
  text = mg_quarantine_stmt_text (stmt, column);
  if (text == NULL || (data = PQunescapeBytea ((const unsigned char *) text, &len)) == NULL)
    return NULL;
  bytes = g_bytes_new (data, len);
  PQfreemem (data);
  return bytes;
}

static gboolean
step_done (MgQuarantineIndex *index, MgQuarantineStmt *stmt, GError **error)
{
  int rc = mg_quarantine_stmt_step (stmt);

  mg_quarantine_stmt_finalize (stmt);
  if (rc == MG_QUARANTINE_DONE || rc == MG_QUARANTINE_ROW)
    return TRUE;
  return mg_quarantine_index_error (index, "step", error);
}

gboolean
mg_quarantine_index_exec (MgQuarantineIndex *index, const char *sql, const char *const *args,
                          GError **error)
{
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);

  return stmt != NULL && step_done (index, stmt, error);
}

void
mg_quarantine_index_checkpoint (MgQuarantineIndex *index)
{
  int rc;

  if (index->pg != NULL)
    return; /* no local pages: PostgreSQL's own vacuum reclaims dead rows */
  rc = sqlite3_wal_checkpoint_v2 (index->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

  if (rc != SQLITE_OK)
    g_warning ("index: checkpoint: %s (the WAL keeps old pages until the next one)",
               sqlite3_errmsg (index->db));
}

int
mg_quarantine_index_changes (MgQuarantineIndex *index)
{
  if (index->pg != NULL)
    return (int) index->pg_changes;
  return sqlite3_changes (index->db);
}

static gboolean
insert_reasons (MgQuarantineIndex *index, const char *id, const char *const *reasons,
                GError **error)
{
  for (int i = 0; reasons != NULL && reasons[i] != NULL; i++) {
    const char *args[] = { id, reasons[i], NULL };
    if (!mg_quarantine_index_exec (index,
                                   "INSERT INTO item_reasons (item_id, reason)"
                                   " VALUES (?, ?)",
                                   args, error))
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
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, NULL, error);
  const char *texts[] = { item->id,
                          NULL,
                          item->queue_id,
                          item->message_id,
                          item->sender,
                          item->sender_address,
                          item->recipients,
                          item->subject,
                          item->verdict,
                          NULL,
                          item->reasons,
                          item->virus,
                          item->original_sha256,
                          item->report_sha256,
                          NULL,
                          item->state,
                          item->envelope_from,
                          NULL };
  g_autofree char *to = item->envelope_to != NULL ? g_strjoinv ("\n", item->envelope_to)
                                                  : NULL;

  texts[17] = to;
  if (stmt == NULL)
    return FALSE;
  for (int i = 0; i < (int) G_N_ELEMENTS (texts); i++)
    mg_quarantine_stmt_bind_text (stmt, i + 1, texts[i]);
  mg_quarantine_stmt_bind_int64 (stmt, 2, item->time);
  mg_quarantine_stmt_bind_int64 (stmt, 10, item->held ? 1 : 0);
  mg_quarantine_stmt_bind_int64 (stmt, 15, item->size);
  return step_done (index, stmt, error) && insert_reasons (index, item->id, reasons, error);
}

char *
mg_quarantine_index_column_text (MgQuarantineStmt *stmt, int column)
{
  return g_strdup (mg_quarantine_stmt_text (stmt, column));
}

MgQuarantineItem *
mg_quarantine_index_item_from_stmt (MgQuarantineStmt *stmt)
{
  MgQuarantineItem *item = g_new0 (MgQuarantineItem, 1);

  item->id = mg_quarantine_index_column_text (stmt, 0);
  item->time = mg_quarantine_stmt_int64 (stmt, 1);
  item->queue_id = mg_quarantine_index_column_text (stmt, 2);
  item->message_id = mg_quarantine_index_column_text (stmt, 3);
  item->sender = mg_quarantine_index_column_text (stmt, 4);
  item->sender_address = mg_quarantine_index_column_text (stmt, 5);
  item->recipients = mg_quarantine_index_column_text (stmt, 6);
  item->subject = mg_quarantine_index_column_text (stmt, 7);
  item->verdict = mg_quarantine_index_column_text (stmt, 8);
  item->held = mg_quarantine_stmt_int64 (stmt, 9) != 0;
  item->reasons = mg_quarantine_index_column_text (stmt, 10);
  item->virus = mg_quarantine_index_column_text (stmt, 11);
  item->original_sha256 = mg_quarantine_index_column_text (stmt, 12);
  item->report_sha256 = mg_quarantine_index_column_text (stmt, 13);
  item->size = mg_quarantine_stmt_int64 (stmt, 14);
  item->state = mg_quarantine_index_column_text (stmt, 15);
  item->envelope_from = mg_quarantine_index_column_text (stmt, 16);
  if (mg_quarantine_stmt_text (stmt, 17) != NULL)
    item->envelope_to = g_strsplit (mg_quarantine_stmt_text (stmt, 17), "\n", -1);
  return item;
}

MgQuarantineItem *
mg_quarantine_index_get (MgQuarantineIndex *index, const char *id, GError **error)
{
  const char *args[] = { id, NULL };
  static const char sql[] = "SELECT " MG_QUARANTINE_ITEM_COLUMNS " FROM items WHERE id = ?";
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);
  MgQuarantineItem *item = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = mg_quarantine_stmt_step (stmt);
  if (rc == MG_QUARANTINE_ROW)
    item = mg_quarantine_index_item_from_stmt (stmt);
  else if (rc == MG_QUARANTINE_DONE)
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
                 "no item %s in the quarantine", id);
  else
    mg_quarantine_index_error (index, "select", error);
  mg_quarantine_stmt_finalize (stmt);
  return item;
}

gboolean
mg_quarantine_index_set_state (MgQuarantineIndex *index, const char *id, const char *state,
                               GError **error)
{
  const char *args[] = { state, id, NULL };

  if (!mg_quarantine_index_exec (index, "UPDATE items SET state = ? WHERE id = ?", args,
                                 error))
    return FALSE;
  if (mg_quarantine_index_changes (index) > 0)
    return TRUE;
  g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND,
               "no item %s in the quarantine", id);
  return FALSE;
}

gint64
mg_quarantine_index_object_refs (MgQuarantineIndex *index, const char *sha256, GError **error)
{
  const char *args[] = { sha256, sha256, NULL };
  static const char sql[] = "SELECT count(*) FROM items WHERE original_sha256 = ?"
                            " OR report_sha256 = ?";
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, args, error);
  gint64 n = -1;

  if (stmt == NULL)
    return -1;
  if (mg_quarantine_stmt_step (stmt) == MG_QUARANTINE_ROW)
    n = mg_quarantine_stmt_int64 (stmt, 0);
  else
    mg_quarantine_index_error (index, "count", error);
  mg_quarantine_stmt_finalize (stmt);
  return n;
}

GHashTable *
mg_quarantine_index_referenced (MgQuarantineIndex *index, GError **error)
{
  g_autoptr (GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  static const char sql[] = "SELECT original_sha256 FROM items UNION"
                            " SELECT report_sha256 FROM items";
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (index, sql, NULL, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = mg_quarantine_stmt_step (stmt)) == MG_QUARANTINE_ROW) {
    char *name = mg_quarantine_index_column_text (stmt, 0);
    if (name != NULL)
      g_hash_table_add (set, name);
  }
  mg_quarantine_stmt_finalize (stmt);
  if (rc != MG_QUARANTINE_DONE) {
    mg_quarantine_index_error (index, "select", error);
    return NULL;
  }
  return g_steal_pointer (&set);
}

gboolean
mg_quarantine_index_object_put (MgQuarantineIndex *index, const char *sha256, GBytes *packed,
                                GError **error)
{
  const char *args[] = { sha256, NULL };
  MgQuarantineStmt *stmt = mg_quarantine_index_prepare (
      index,
      "INSERT INTO objects (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING", args,
      error);

  if (stmt == NULL)
    return FALSE;
  mg_quarantine_stmt_bind_blob (stmt, 2, packed);
  return step_done (index, stmt, error);
}

GBytes *
mg_quarantine_index_object_get (MgQuarantineIndex *index, const char *sha256, GError **error)
{
  const char *args[] = { sha256, NULL };
  g_autoptr (MgQuarantineStmt) stmt = mg_quarantine_index_prepare (
      index, "SELECT data FROM objects WHERE sha256 = ?", args, error);
  GBytes *data = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = mg_quarantine_stmt_step (stmt);
  if (rc == MG_QUARANTINE_ROW)
    data = mg_quarantine_stmt_blob (stmt, 0);
  if (rc == MG_QUARANTINE_DONE || (rc == MG_QUARANTINE_ROW && data == NULL))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "object %s is missing", sha256);
  else if (rc != MG_QUARANTINE_ROW)
    mg_quarantine_index_error (index, "object", error);
  return data;
}

gboolean
mg_quarantine_index_object_remove (MgQuarantineIndex *index, const char *sha256,
                                   GError **error)
{
  const char *args[] = { sha256, NULL };

  return mg_quarantine_index_exec (index, "DELETE FROM objects WHERE sha256 = ?", args, error);
}

/* Column 0 of every row of SQL as new strings (NULL rows skipped). */
static GPtrArray *
first_column (MgQuarantineIndex *index, const char *sql, const char *what, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (MgQuarantineStmt) stmt = mg_quarantine_index_prepare (index, sql, NULL, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = mg_quarantine_stmt_step (stmt)) == MG_QUARANTINE_ROW) {
    char *text = mg_quarantine_index_column_text (stmt, 0);
    if (text != NULL)
      g_ptr_array_add (rows, text);
  }
  if (rc != MG_QUARANTINE_DONE) {
    mg_quarantine_index_error (index, what, error);
    return NULL;
  }
  return g_steal_pointer (&rows);
}

GPtrArray *
mg_quarantine_index_object_list (MgQuarantineIndex *index, GError **error)
{
  return first_column (index, "SELECT sha256 FROM objects", "objects", error);
}

gboolean
mg_quarantine_index_audit_lock (MgQuarantineIndex *index, char **last_r, GError **error)
{
  g_autofree char *lock = g_strdup_printf ("SELECT pg_advisory_xact_lock (%" G_GINT64_FORMAT
                                           ")",
                                           (gint64) MG_QUARANTINE_PG_LOCK_AUDIT);
  g_autoptr (MgQuarantineStmt) stmt = NULL;
  int rc;

  *last_r = NULL;
  if (!pg_simple (index, lock, "audit lock", error))
    return FALSE;
  stmt = mg_quarantine_index_prepare (index,
                                      "SELECT line FROM audit_log"
                                      " ORDER BY seq DESC LIMIT 1",
                                      NULL, error);
  rc = stmt != NULL ? mg_quarantine_stmt_step (stmt) : SQLITE_ERROR;
  if (rc == MG_QUARANTINE_ROW)
    *last_r = mg_quarantine_index_column_text (stmt, 0);
  if (rc == MG_QUARANTINE_ROW || rc == MG_QUARANTINE_DONE)
    return TRUE;
  if (stmt != NULL)
    mg_quarantine_index_error (index, "audit", error);
  return FALSE;
}

gboolean
mg_quarantine_index_audit_begin (MgQuarantineIndex *index, char **last_r, GError **error)
{
  if (pg_simple (index, "BEGIN", "begin", error) &&
      mg_quarantine_index_audit_lock (index, last_r, error))
    return TRUE;
  mg_quarantine_index_rollback (index);
  return FALSE;
}

gboolean
mg_quarantine_index_audit_append (MgQuarantineIndex *index, const char *line, GError **error)
{
  const char *args[] = { line, NULL };

  return mg_quarantine_index_exec (index, "INSERT INTO audit_log (line) VALUES (?)", args,
                                   error);
}

char **
mg_quarantine_index_audit_lines (MgQuarantineIndex *index, GError **error)
{
  GPtrArray *lines = first_column (index, "SELECT line FROM audit_log ORDER BY seq", "audit",
                                   error);

  if (lines == NULL)
    return NULL;
  g_ptr_array_add (lines, NULL);
  g_ptr_array_set_free_func (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}
