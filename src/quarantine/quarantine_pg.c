/* quarantine_pg.c - connect to the shared store, migrate its schema, translate SQL.
 *
 * Must never interpolate a value into SQL: statements carry `$N` parameters.
 */
#include "quarantine/quarantine_pg.h"

#include <string.h>
#include <unistd.h>

#include "quarantine/quarantine_error.h"

#define MG_QUARANTINE_PG_IDLE_MAX 8           /* idle connections kept per process */
#define MG_QUARANTINE_PG_CONNECT_TIMEOUT "10" /* seconds, unless the dsn says */
#define MG_QUARANTINE_PG_REPORT_SECONDS 60

/* Each migration brings the schema from the version before to its own. */
static const char *const migrations[] = {
  /* 1: the tables of quarantine_index.c, the objects and the audit log. */
  "CREATE TABLE items ("
  " id text PRIMARY KEY, time bigint NOT NULL, queue_id text, message_id text,"
  " sender text, sender_address text, recipients text, subject text,"
  " verdict text NOT NULL, held integer NOT NULL, reasons text, virus text,"
  " original_sha256 text, report_sha256 text, size bigint NOT NULL,"
  " state text NOT NULL DEFAULT 'held', envelope_from text, envelope_to text);"
  "CREATE INDEX items_time ON items (time, id);"
  "CREATE INDEX items_original ON items (original_sha256);"
  "CREATE INDEX items_report ON items (report_sha256);"
  "CREATE TABLE item_reasons ("
  " item_id text NOT NULL REFERENCES items (id) ON DELETE CASCADE, reason text NOT NULL);"
  "CREATE INDEX item_reasons_item ON item_reasons (item_id);"
  "CREATE TABLE requests ("
  " rid bigserial PRIMARY KEY,"
  " item_id text NOT NULL REFERENCES items (id) ON DELETE CASCADE,"
  " kind text NOT NULL, requested_by text NOT NULL, requested_at bigint NOT NULL,"
  " note text, password text, state text NOT NULL, decided_by text,"
  " decided_at bigint, result text, requested_unix text);"
  "CREATE INDEX requests_item ON requests (item_id);"
  "CREATE TABLE admin_sessions ("
  " token_sha256 text PRIMARY KEY, name text NOT NULL, role text NOT NULL,"
  " credential text NOT NULL, created bigint NOT NULL, last_seen bigint NOT NULL,"
  " flash text, flash_error integer NOT NULL DEFAULT 0);"
  "CREATE INDEX admin_sessions_name ON admin_sessions (name);"
  "CREATE TABLE admin_logins ("
  " name text NOT NULL, address text NOT NULL, failures bigint NOT NULL,"
  " first bigint NOT NULL, locks bigint NOT NULL DEFAULT 0,"
  " locked_until bigint NOT NULL DEFAULT 0, PRIMARY KEY (name, address));"
  "CREATE TABLE objects (sha256 text PRIMARY KEY, data bytea NOT NULL);"
  "ALTER TABLE objects ALTER COLUMN data SET STORAGE EXTERNAL;" /* zstd already */
  "CREATE TABLE audit_log (seq bigserial PRIMARY KEY, line text NOT NULL);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == MG_QUARANTINE_PG_VERSION);

static GMutex idle_lock;
static GPtrArray *idle; /* PGconn *, connected and outside a transaction */
static pid_t idle_pid;  /* a forked child never uses its parent's connections */

static gboolean
pg_fail (GError **error, int code, const char *what, const char *message)
{
  g_autofree char *text = g_strchomp (g_strdup (message != NULL ? message : "?"));

  g_set_error (error, MG_QUARANTINE_ERROR, code, "PostgreSQL: %s: %s", what, text);
  return FALSE;
}

/* Run SQL (no parameters); FALSE with ERROR when it failed. */
static gboolean
simple (PGconn *conn, const char *sql, const char *what, GError **error)
{
  PGresult *res = PQexec (conn, sql);
  ExecStatusType st = PQresultStatus (res);
  gboolean ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

  if (!ok)
    pg_fail (error, MG_QUARANTINE_ERROR_DB, what, PQerrorMessage (conn));
  PQclear (res);
  return ok;
}

/* The schema version of CONN's database: 0 when it has none yet, -1 on error. */
static int
schema_version (PGconn *conn, GError **error)
{
  PGresult *res = PQexec (conn, "SELECT to_regclass ('mugai_schema') IS NOT NULL");
  int version = -1;

  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1) {
    gboolean exists = g_str_equal (PQgetvalue (res, 0, 0), "t");
    PQclear (res);
    if (!exists)
      return 0;
    res = PQexec (conn, "SELECT max (version) FROM mugai_schema");
    if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1)
      version = (int) g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  }
  if (version < 0)
    pg_fail (error, MG_QUARANTINE_ERROR_DB, "schema version", PQerrorMessage (conn));
  PQclear (res);
  return version;
}

static PGconn *
open_new (const char *dsn, GError **error)
{
  const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
  const char *values[] = { MG_QUARANTINE_PG_CONNECT_TIMEOUT, "mugai", dsn, NULL };
  PGconn *conn = PQconnectdbParams (keys, values, 1);

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK) {
    pg_fail (error, MG_QUARANTINE_ERROR_UNREACHABLE, "connect",
             conn != NULL ? PQerrorMessage (conn) : "out of memory");
    mg_quarantine_pg_report_unreachable ((*error)->message);
    PQfinish (conn);
    return NULL;
  }
  return conn;
}

static PGconn *
take_idle (void)
{
  PGconn *conn = NULL;

  g_mutex_lock (&idle_lock);
  if (idle != NULL && idle_pid != getpid ())
    g_ptr_array_set_size (idle, 0); /* the parent's: never touched, never closed */
  if (idle != NULL && idle->len > 0)
    conn = g_ptr_array_steal_index (idle, idle->len - 1);
  g_mutex_unlock (&idle_lock);
  return conn;
}

PGconn *
mg_quarantine_pg_connect (const char *dsn, GError **error)
{
  PGconn *conn = take_idle ();
  int version;

  if (conn != NULL && PQstatus (conn) == CONNECTION_OK)
    return conn;
  PQfinish (conn);
  if (dsn == NULL || *dsn == '\0') {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_DB,
                 "[quarantine] backend = postgresql needs [quarantine] dsn");
    return NULL;
  }
  conn = open_new (dsn, error);
  if (conn == NULL)
    return NULL;
  version = schema_version (conn, error);
  if (version >= 0 && version != MG_QUARANTINE_PG_VERSION)
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_DB,
                 "PostgreSQL: the schema is at version %d, this mugai needs %d:"
                 " run `mugai quarantine migrate`",
                 version, MG_QUARANTINE_PG_VERSION);
  if (version != MG_QUARANTINE_PG_VERSION) {
    PQfinish (conn);
    return NULL;
  }
  return conn;
}

void
mg_quarantine_pg_release (PGconn *conn)
{
  if (conn == NULL)
    return;
  if (PQstatus (conn) != CONNECTION_OK || PQtransactionStatus (conn) != PQTRANS_IDLE) {
    PQfinish (conn);
    return;
  }
  g_mutex_lock (&idle_lock);
  if (idle == NULL || idle_pid != getpid ()) {
    idle = idle != NULL ? idle : g_ptr_array_new ();
    g_ptr_array_set_size (idle, 0);
    idle_pid = getpid ();
  }
  if (idle->len < MG_QUARANTINE_PG_IDLE_MAX) {
    g_ptr_array_add (idle, conn);
    conn = NULL;
  }
  g_mutex_unlock (&idle_lock);
  PQfinish (conn);
}

/* Apply the migrations after FROM, each in the transaction that holds the
 * migration lock, and record the version reached. */
static gboolean
apply (PGconn *conn, int from, GError **error)
{
  for (int v = from; v < MG_QUARANTINE_PG_VERSION; v++) {
    g_autofree char *record = g_strdup_printf ("INSERT INTO mugai_schema (version, applied)"
                                               " VALUES (%d, now ())",
                                               v + 1);
    if (!simple (conn, migrations[v], "migrate", error) ||
        !simple (conn, record, "migrate", error))
      return FALSE;
  }
  return TRUE;
}

gboolean
mg_quarantine_pg_migrate (const char *dsn, int *from_r, int *to_r, GError **error)
{
  g_autofree char *lock = g_strdup_printf (
      "SELECT pg_try_advisory_xact_lock (%" G_GINT64_FORMAT ")",
      (gint64) MG_QUARANTINE_PG_LOCK_MIGRATE);
  PGconn *conn = open_new (dsn, error);
  PGresult *res;
  gboolean locked, ok;

  if (conn == NULL)
    return FALSE;
  ok = simple (conn, "BEGIN", "migrate", error);
  res = ok ? PQexec (conn, lock) : NULL;
  locked = PQresultStatus (res) == PGRES_TUPLES_OK &&
           g_str_equal (PQgetvalue (res, 0, 0), "t");
  PQclear (res);
  if (ok && !locked)
    g_set_error (
        error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_STATE,
        "PostgreSQL: another node is migrating the schema; try again when it is done");
  ok = ok && locked &&
       simple (conn,
               "CREATE TABLE IF NOT EXISTS mugai_schema (version integer PRIMARY KEY,"
               " applied timestamptz NOT NULL)",
               "migrate", error) &&
       (*from_r = schema_version (conn, error)) >= 0;
  if (ok && *from_r > MG_QUARANTINE_PG_VERSION) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_STATE,
                 "PostgreSQL: the schema is at version %d, newer than this mugai (%d)",
                 *from_r, MG_QUARANTINE_PG_VERSION);
    ok = FALSE;
  }
  ok = ok && apply (conn, *from_r, error) && simple (conn, "COMMIT", "migrate", error);
  *to_r = ok ? MG_QUARANTINE_PG_VERSION : *from_r;
  PQfinish (conn); /* a failed migration's transaction is rolled back */
  return ok;
}

/* The number after `?` at *P (SQLite's ?N), advancing *P; 0 when none. */
static int
param_number (const char **p)
{
  int n = 0;

  while (g_ascii_isdigit (**p)) {
    n = n * 10 + (**p - '0');
    (*p)++;
  }
  return n;
}

static gboolean
word_at (const char *p, const char *start, const char *word)
{
  gsize len = strlen (word);

  return g_ascii_strncasecmp (p, word, len) == 0 && (p == start || !g_ascii_isalnum (p[-1])) &&
         !g_ascii_isalnum (p[len]) && p[len] != '_';
}

char *
mg_quarantine_pg_translate (const char *sql, int *n_params_r)
{
  GString *out = g_string_new (NULL);
  gboolean quoted = FALSE;
  int highest = 0;

  for (const char *p = sql; *p != '\0';) {
    if (*p == '\'')
      quoted = !quoted;
    if (!quoted && *p == '?') {
      int n;
      p++;
      n = param_number (&p);
      n = n > 0 ? n : highest + 1;
      highest = MAX (highest, n);
      g_string_append_printf (out, "$%d", n);
      continue;
    }
    if (!quoted && word_at (p, sql, "LIKE"))
      g_string_append_c (out, 'I');
    g_string_append_c (out, *p++);
  }
  *n_params_r = highest;
  return g_string_free (out, FALSE);
}

void
mg_quarantine_pg_report_unreachable (const char *message)
{
  static GMutex lock;
  static gint64 last;
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  gboolean report;

  g_mutex_lock (&lock);
  report = last == 0 || now - last >= MG_QUARANTINE_PG_REPORT_SECONDS;
  if (report)
    last = now;
  g_mutex_unlock (&lock);
  if (report)
    g_warning ("quarantine: the PostgreSQL store is unreachable (%s); mail that would be"
               " held is tempfailed until it is back (logged once a minute)",
               message);
}
