/* quarantine_query.c - WHERE clauses from filters; lists and counts.
 *
 * Must never put a filter's text into SQL: each is a bound parameter, and
 * LIKE patterns have their wildcards escaped.
 */
#include "quarantine/quarantine_query.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  GString *sql;
  GPtrArray *args; /* char *, bound in order */
} MgWhere;

static void
where_clear (MgWhere *w)
{
  g_string_free (w->sql, TRUE);
  g_ptr_array_unref (w->args);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgWhere, where_clear)

static char *
like_pattern (const char *text)
{
  GString *p = g_string_new ("%");

  for (const char *c = text; *c != '\0'; c++) {
    if (*c == '%' || *c == '_' || *c == '\\')
      g_string_append_c (p, '\\');
    g_string_append_c (p, *c);
  }
  g_string_append_c (p, '%');
  return g_string_free (p, FALSE);
}

static void
add (MgWhere *w, const char *condition, char *arg)
{
  g_string_append_printf (w->sql, " AND %s", condition);
  g_ptr_array_add (w->args, arg);
}

static void
add_like (MgWhere *w, const char *condition, const char *text, int times)
{
  g_autofree char *pattern = like_pattern (text);

  g_string_append_printf (w->sql, " AND %s", condition);
  for (int i = 0; i < times; i++)
    g_ptr_array_add (w->args, g_strdup (pattern));
}

static void
where_build (MgWhere *w, const MgQuarantineFilter *f)
{
  w->sql = g_string_new (" WHERE TRUE");
  w->args = g_ptr_array_new_with_free_func (g_free);
  if (!f->all)
    g_string_append (w->sql, " AND held = 1 AND state <> 'deleted'");
  if (f->since != 0)
    add (w, "time >= CAST (? AS BIGINT)", g_strdup_printf ("%" G_GINT64_FORMAT, f->since));
  if (f->until != 0)
    add (w, "time < CAST (? AS BIGINT)", g_strdup_printf ("%" G_GINT64_FORMAT, f->until));
  if (f->verdict != NULL)
    add (w, "verdict = ?", g_strdup (f->verdict));
  if (f->state != NULL)
    add (w, "state = ?", g_strdup (f->state));
  if (f->sender != NULL)
    add_like (w, "(sender LIKE ? ESCAPE '\\' OR sender_address LIKE ? ESCAPE '\\')", f->sender,
              2);
  if (f->recipient != NULL)
    add_like (w, "recipients LIKE ? ESCAPE '\\'", f->recipient, 1);
  if (f->reason != NULL)
    add_like (w,
              "EXISTS (SELECT 1 FROM item_reasons r WHERE r.item_id = items.id"
              " AND r.reason LIKE ? ESCAPE '\\')",
              f->reason, 1);
  if (f->text != NULL)
    add_like (w,
              "(id LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\' OR sender LIKE ?"
              " ESCAPE '\\' OR recipients LIKE ? ESCAPE '\\')",
              f->text, 4);
}

static MgQuarantineStmt *
prepare_where (MgQuarantineStore *store, const char *head, MgWhere *w, const char *tail,
               GError **error)
{
  g_autofree char *sql = g_strconcat (head, w->sql->str, tail, NULL);

  g_ptr_array_add (w->args, NULL);
  return mg_quarantine_index_prepare (mg_quarantine_store_index (store), sql,
                                      (const char *const *) w->args->pdata, error);
}

static GPtrArray *
collect (MgQuarantineStore *store, MgQuarantineStmt *stmt,
         gpointer (*row) (MgQuarantineStmt *), GDestroyNotify free_row, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (free_row);
  int rc;

  while ((rc = mg_quarantine_stmt_step (stmt)) == MG_QUARANTINE_ROW)
    g_ptr_array_add (rows, row (stmt));
  mg_quarantine_stmt_finalize (stmt);
  if (rc != MG_QUARANTINE_DONE) {
    mg_quarantine_index_error (mg_quarantine_store_index (store), "query", error);
    return NULL;
  }
  return g_steal_pointer (&rows);
}

static gpointer
item_row (MgQuarantineStmt *stmt)
{
  return mg_quarantine_index_item_from_stmt (stmt);
}

GPtrArray *
mg_quarantine_query_list (MgQuarantineStore *store, const MgQuarantineFilter *filter,
                          GError **error)
{
  g_auto (MgWhere) w = { 0 };
  g_autofree char *tail = NULL;
  MgQuarantineStmt *stmt;

  where_build (&w, filter);
  tail = g_strdup_printf (" ORDER BY time DESC, id DESC LIMIT %" G_GINT64_FORMAT " OFFSET %u",
                          filter->limit != 0 ? (gint64) filter->limit : G_MAXINT64,
                          filter->offset);
  stmt = prepare_where (store, "SELECT " MG_QUARANTINE_ITEM_COLUMNS " FROM items", &w, tail,
                        error);
  if (stmt == NULL)
    return NULL;
  return collect (store, stmt, item_row, (GDestroyNotify) mg_quarantine_item_free, error);
}

gint64
mg_quarantine_query_count (MgQuarantineStore *store, const MgQuarantineFilter *filter,
                           GError **error)
{
  g_auto (MgWhere) w = { 0 };
  MgQuarantineStmt *stmt;
  gint64 n = -1;

  where_build (&w, filter);
  stmt = prepare_where (store, "SELECT count(*) FROM items", &w, "", error);
  if (stmt == NULL)
    return -1;
  if (mg_quarantine_stmt_step (stmt) == MG_QUARANTINE_ROW)
    n = mg_quarantine_stmt_int64 (stmt, 0);
  else
    mg_quarantine_index_error (mg_quarantine_store_index (store), "count", error);
  mg_quarantine_stmt_finalize (stmt);
  return n;
}

void
mg_quarantine_stats_row_free (MgQuarantineStatsRow *row)
{
  if (row == NULL)
    return;
  g_free (row->label);
  g_free (row);
}

static gpointer
stats_row (MgQuarantineStmt *stmt)
{
  MgQuarantineStatsRow *row = g_new0 (MgQuarantineStatsRow, 1);
  const char *label = mg_quarantine_stmt_text (stmt, 0);

  row->label = g_strdup (label != NULL ? label : "");
  row->total = mg_quarantine_stmt_int64 (stmt, 1);
  row->withheld = mg_quarantine_stmt_int64 (stmt, 2);
  row->sanitised = mg_quarantine_stmt_int64 (stmt, 3);
  row->released = mg_quarantine_stmt_int64 (stmt, 4);
  return row;
}

/* Counts both backends compute alike (PostgreSQL sums no booleans). */
#define STATS_COUNTS                                                                          \
  ", count(*), count(*) FILTER (WHERE verdict = 'withheld'),"                                 \
  " count(*) FILTER (WHERE verdict <> 'withheld'), count(*) FILTER (WHERE state = 'released')"

static GPtrArray *
stats (MgQuarantineStore *store, const MgQuarantineFilter *filter, const char *head,
       const char *tail, GError **error)
{
  g_auto (MgWhere) w = { 0 };
  MgQuarantineStmt *stmt;

  where_build (&w, filter);
  stmt = prepare_where (store, head, &w, tail, error);
  if (stmt == NULL)
    return NULL;
  return collect (store, stmt, stats_row, (GDestroyNotify) mg_quarantine_stats_row_free,
                  error);
}

GPtrArray *
mg_quarantine_query_by_day (MgQuarantineStore *store, const MgQuarantineFilter *filter,
                            GError **error)
{
  const char *sqlite = "SELECT date (time + 32400, 'unixepoch') AS day" STATS_COUNTS
                       " FROM items";
  const char *pg = "SELECT to_char (to_timestamp (time + 32400) AT TIME ZONE 'UTC',"
                   " 'YYYY-MM-DD') AS day" STATS_COUNTS " FROM items";

  return stats (store, filter,
                mg_quarantine_index_shared (mg_quarantine_store_index (store)) ? pg : sqlite,
                " GROUP BY day ORDER BY day DESC", error);
}

GPtrArray *
mg_quarantine_query_by_reason (MgQuarantineStore *store, const MgQuarantineFilter *filter,
                               GError **error)
{
  return stats (store, filter,
                "SELECT r.reason" STATS_COUNTS
                " FROM items JOIN item_reasons r ON r.item_id = items.id",
                " GROUP BY r.reason ORDER BY count(*) DESC, r.reason", error);
}

gboolean
mg_quarantine_query_parse_time (const char *text, gint64 *time_r)
{
  g_autoptr (GTimeZone) jst = g_time_zone_new_offset (MG_QUARANTINE_JST_OFFSET);
  g_autoptr (GDateTime) dt = NULL;
  int y, m, d;
  char end;

  if (text == NULL)
    return FALSE;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 && strlen (text) == 10)
    dt = g_date_time_new (jst, y, m, d, 0, 0, 0);
  else
    dt = g_date_time_new_from_iso8601 (text, jst);
  if (dt == NULL)
    return FALSE;
  *time_r = g_date_time_to_unix (dt);
  return TRUE;
}

char *
mg_quarantine_query_format_jst (gint64 time)
{
  g_autoptr (GTimeZone) jst = g_time_zone_new_offset (MG_QUARANTINE_JST_OFFSET);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, jst);

  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S JST");
}
