/* quarantine_pg.h - the PostgreSQL connection of a shared quarantine.
 *
 * With [quarantine] backend = postgresql the index, the objects (zstd bytes in
 * a bytea column), the release requests, the web UI's sessions and lockouts
 * and the audit log live in one database that several relays share. This
 * module connects (connections are kept for reuse within one process),
 * applies the versioned schema (`mugai quarantine migrate`), turns the
 * index's SQL (SQLite's `?` and `?N` parameters) into PostgreSQL's `$N`, and
 * runs statements with their parameters bound, never interpolated.
 *
 * Used only by quarantine_index.c.
 */
#pragma once
#include <glib.h>
#include <libpq-fe.h>

/* The schema version this build needs (table mugai_schema). */
#define MG_QUARANTINE_PG_VERSION 1

/* Transaction-level advisory lock keys: writers of the index (one at a time,
 * as SQLite's write lock), writers of the audit log, and migrations. */
#define MG_QUARANTINE_PG_LOCK_INDEX 0x6d756761001
#define MG_QUARANTINE_PG_LOCK_AUDIT 0x6d756761002
#define MG_QUARANTINE_PG_LOCK_MIGRATE 0x6d756761003

/* A connection to DSN, reused when one is idle; NULL with ERROR
 * (MG_QUARANTINE_ERROR_UNREACHABLE) when the server cannot be reached, or
 * (MG_QUARANTINE_ERROR_DB) when the schema is not at the present version. */
PGconn *mg_quarantine_pg_connect (const char *dsn, GError **error);
/* Give CONN back for reuse (or close it when it is in a bad state). */
void mg_quarantine_pg_release (PGconn *conn);

/* Apply the schema migrations DSN's database lacks, refused while another
 * node migrates. *FROM_R and *TO_R get the versions before and after. */
gboolean mg_quarantine_pg_migrate (const char *dsn, int *from_r, int *to_r, GError **error);

/* SQL with `?` and `?N` parameters as PostgreSQL's `$N`, SQLite's LIKE (which
 * ignores ASCII case) as ILIKE; *N_PARAMS_R the highest parameter number. */
char *mg_quarantine_pg_translate (const char *sql, int *n_params_r);

/* Log, at most once a minute, that the store cannot be reached. */
void mg_quarantine_pg_report_unreachable (const char *message);
