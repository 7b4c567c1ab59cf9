/* quarantine_index.h - the index of the quarantine: SQLite (DIR/index.sqlite)
 * or PostgreSQL ([quarantine] backend = postgresql, quarantine_pg.h).
 *
 * One row per stored item (what list and show need without opening the
 * objects), the reasons of each item, and the release requests; also the web
 * UI's sessions and login failures (tables admin_*, used by admin_session.c
 * through these functions). The database
 * is in WAL mode with a busy timeout, so that milter workers, `mugai mail` runs,
 * the CLI and the web UI may use it at once; every change is one transaction.
 * With PostgreSQL every change is one transaction too, and writers take turns
 * as with SQLite (a transaction-level advisory lock), whichever node they run
 * on; the objects and the audit log are then in the database as well
 * (mg_quarantine_index_shared). Callers write SQLite's SQL with `?`
 * parameters: the PostgreSQL backend translates it (quarantine_pg.h).
 *
 * Used only by the quarantine module: nothing else opens index.sqlite.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

#include "quarantine/quarantine_error.h"
#include "quarantine/quarantine_item.h"

typedef struct MgQuarantineIndex MgQuarantineIndex;

/* Open the index of CONFIG: DIR/index.sqlite (created when missing), or a
 * connection to the PostgreSQL store. NULL with ERROR on failure. */
MgQuarantineIndex *mg_quarantine_index_open (const MgConfig *config, GError **error);
void mg_quarantine_index_close (MgQuarantineIndex *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgQuarantineIndex, mg_quarantine_index_close)

/* BEGIN IMMEDIATE (waits for other writers), COMMIT, ROLLBACK. */
gboolean mg_quarantine_index_begin (MgQuarantineIndex *index, GError **error);
gboolean mg_quarantine_index_commit (MgQuarantineIndex *index, GError **error);
void mg_quarantine_index_rollback (MgQuarantineIndex *index);

/* Run SQL with no result, binding the NULL-terminated text parameters ARGS. */
gboolean mg_quarantine_index_exec (MgQuarantineIndex *index, const char *sql,
                                   const char *const *args, GError **error);
/* TRUE when the objects and the audit log are in the database (PostgreSQL)
 * rather than files under the quarantine directory. */
gboolean mg_quarantine_index_shared (MgQuarantineIndex *index);

/* A statement of either backend: parameters are numbered from 1, columns
 * from 0; step returns MG_QUARANTINE_ROW, MG_QUARANTINE_DONE or another value
 * on error (then mg_quarantine_index_error says why). */
typedef struct MgQuarantineStmt MgQuarantineStmt;
#define MG_QUARANTINE_ROW 100
#define MG_QUARANTINE_DONE 101

/* A prepared statement with the NULL-terminated text parameters ARGS bound
 * (finalize it), or NULL with ERROR. */
MgQuarantineStmt *mg_quarantine_index_prepare (MgQuarantineIndex *index, const char *sql,
                                               const char *const *args, GError **error);
void mg_quarantine_stmt_bind_int64 (MgQuarantineStmt *stmt, int param, gint64 value);
/* TEXT may be NULL (SQL NULL). */
void mg_quarantine_stmt_bind_text (MgQuarantineStmt *stmt, int param, const char *text);
void mg_quarantine_stmt_bind_blob (MgQuarantineStmt *stmt, int param, GBytes *bytes);
int mg_quarantine_stmt_step (MgQuarantineStmt *stmt);
gint64 mg_quarantine_stmt_int64 (MgQuarantineStmt *stmt, int column);
/* Column COLUMN of the current row as text, NULL when SQL NULL (valid until
 * the next step). */
const char *mg_quarantine_stmt_text (MgQuarantineStmt *stmt, int column);
/* A bytea/blob column as new bytes (NULL when SQL NULL). */
GBytes *mg_quarantine_stmt_blob (MgQuarantineStmt *stmt, int column);
void mg_quarantine_stmt_finalize (MgQuarantineStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgQuarantineStmt, mg_quarantine_stmt_finalize)
/* Report the last error of INDEX's connection as MG_QUARANTINE_ERROR_DB. */
gboolean mg_quarantine_index_error (MgQuarantineIndex *index, const char *what,
                                    GError **error);
/* Mode of index.sqlite and its -wal and -shm files: the owner (the mugai
 * user) writes, the group of the quarantine directory reads (backups). */
#define MG_QUARANTINE_INDEX_MODE 0640

/* Copy the WAL into the database and truncate it to nothing, so that pages
 * with a wiped archive password are gone from the disk too (with
 * secure_delete, which the index sets). Logged when readers prevent it. */
void mg_quarantine_index_checkpoint (MgQuarantineIndex *index);

/* Rows changed by the last statement. */
int mg_quarantine_index_changes (MgQuarantineIndex *index);

/* Insert ITEM and its REASONS (NULL-terminated, may be NULL). */
gboolean mg_quarantine_index_insert (MgQuarantineIndex *index, const MgQuarantineItem *item,
                                     const char *const *reasons, GError **error);

/* The item ID, or NULL with MG_QUARANTINE_ERROR_NOT_FOUND / _DB. */
MgQuarantineItem *mg_quarantine_index_get (MgQuarantineIndex *index, const char *id,
                                           GError **error);

/* Set the state of item ID; FALSE with _NOT_FOUND when no row matched. */
gboolean mg_quarantine_index_set_state (MgQuarantineIndex *index, const char *id,
                                        const char *state, GError **error);

/* Rows of items referring to object SHA256 (original or report). */
gint64 mg_quarantine_index_object_refs (MgQuarantineIndex *index, const char *sha256,
                                        GError **error);
/* Every object name referred to, as a set (keys owned by the table). */
GHashTable *mg_quarantine_index_referenced (MgQuarantineIndex *index, GError **error);

/* Column COLUMN of STMT's current row as a new string, or NULL. */
char *mg_quarantine_index_column_text (MgQuarantineStmt *stmt, int column);

/* A new item from the current row of STMT, selected with these columns. */
MgQuarantineItem *mg_quarantine_index_item_from_stmt (MgQuarantineStmt *stmt);

/* The shared store's objects (zstd-compressed PACKED bytes named by the
 * SHA256 of what they hold), inside the caller's transaction: put (an object
 * of that name already holds the same bytes), get (NULL with
 * G_IO_ERROR_NOT_FOUND when absent), remove, and every name (for purge). */
gboolean mg_quarantine_index_object_put (MgQuarantineIndex *index, const char *sha256,
                                         GBytes *packed, GError **error);
GBytes *mg_quarantine_index_object_get (MgQuarantineIndex *index, const char *sha256,
                                        GError **error);
gboolean mg_quarantine_index_object_remove (MgQuarantineIndex *index, const char *sha256,
                                            GError **error);
GPtrArray *mg_quarantine_index_object_list (MgQuarantineIndex *index, GError **error);

/* The shared store's audit log: begin a transaction that holds the audit
 * writers' lock, and return the last line written (NULL when none, "" on
 * error with ERROR set); append LINE. Commit with mg_quarantine_index_commit. */
gboolean mg_quarantine_index_audit_begin (MgQuarantineIndex *index, char **last_r,
                                          GError **error);
/* The same inside a transaction already begun (a held item's). */
gboolean mg_quarantine_index_audit_lock (MgQuarantineIndex *index, char **last_r,
                                         GError **error);
/* Every line of the shared store's audit log, oldest first (NULL-terminated). */
char **mg_quarantine_index_audit_lines (MgQuarantineIndex *index, GError **error);
gboolean mg_quarantine_index_audit_append (MgQuarantineIndex *index, const char *line,
                                           GError **error);
#define MG_QUARANTINE_ITEM_COLUMNS                                                            \
  "id, time, queue_id, message_id, sender, sender_address, recipients, subject, "             \
  "verdict, held, reasons, virus, original_sha256, report_sha256, size, state, "              \
  "envelope_from, envelope_to"
