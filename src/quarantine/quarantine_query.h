/* quarantine_query.h - searching the index: lists and statistics.
 *
 * Read-only views of the index for `mugai quarantine list|stats` and the web
 * UI. Filters are values bound into fixed SQL, never SQL text. Days are
 * counted in Japan Standard Time (UTC+9), as the admins read them.
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_store.h"

#define MG_QUARANTINE_JST_OFFSET (9 * 3600)

typedef struct {
  gint64 since;          /* seconds since the epoch, inclusive; 0: no bound */
  gint64 until;          /* exclusive; 0: no bound */
  const char *verdict;   /* "withheld" or "sanitised", or NULL */
  const char *sender;    /* part of From (decoded or addr-spec), or NULL */
  const char *recipient; /* part of a recipient address, or NULL */
  const char *reason;    /* part of a reason, or NULL */
  const char *text;      /* part of the id, subject, sender or recipients, or NULL */
  const char *state;     /* an item state, or NULL */
  gboolean all;          /* also items kept whole (keep = all) and deleted ones */
  guint limit;           /* 0: every row */
  guint offset;
} MgQuarantineFilter;

/* Items matching FILTER, newest first (MgQuarantineItem *). */
GPtrArray *mg_quarantine_query_list (MgQuarantineStore *store,
                                     const MgQuarantineFilter *filter, GError **error);

/* How many items match FILTER (ignoring limit and offset); -1 with ERROR. */
gint64 mg_quarantine_query_count (MgQuarantineStore *store, const MgQuarantineFilter *filter,
                                  GError **error);

typedef struct {
  char *label; /* YYYY-MM-DD (JST), or a reason */
  gint64 total;
  gint64 withheld;  /* verdict withheld */
  gint64 sanitised; /* passed with parts removed (or whole, keep = all) */
  gint64 released;
} MgQuarantineStatsRow;

void mg_quarantine_stats_row_free (MgQuarantineStatsRow *row);

/* Counts of the items matching FILTER by day, newest day first. */
GPtrArray *mg_quarantine_query_by_day (MgQuarantineStore *store,
                                       const MgQuarantineFilter *filter, GError **error);
/* Counts of the items matching FILTER by reason, most frequent first. */
GPtrArray *mg_quarantine_query_by_reason (MgQuarantineStore *store,
                                          const MgQuarantineFilter *filter, GError **error);

/* Parse a date as admins type it: YYYY-MM-DD (midnight JST) or an ISO 8601
 * time (JST when it names no zone). FALSE when TEXT is neither. */
gboolean mg_quarantine_query_parse_time (const char *text, gint64 *time_r);

/* TIME as "YYYY-MM-DD HH:MM:SS JST" (owned by the caller). */
char *mg_quarantine_query_format_jst (gint64 time);
