/* admin_print.h - the quarantine on a terminal: list, show and stats output.
 *
 * Text (tab-separated columns), CSV (UTF-8 with a BOM for Excel, cells that a
 * spreadsheet would run as a formula quoted with a leading apostrophe) and
 * JSON. Every string that came from a message is hostile: control characters
 * (terminal escapes) are replaced before anything is printed. Times are shown
 * in JST; JSON carries UTC as well.
 *
 * Never prints anything of an original's body.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_release.h"

typedef enum {
  MG_ADMIN_PRINT_TEXT,
  MG_ADMIN_PRINT_CSV,
  MG_ADMIN_PRINT_JSON,
} MgAdminPrintFormat;

/* One CSV row of N CELLS (CRLF-terminated, formula cells quoted with '). */
void mg_admin_print_csv_row (FILE *out, const char *const *cells, gsize n);

/* ITEMS (MgQuarantineItem *) to OUT in FORMAT. */
void mg_admin_print_list (FILE *out, GPtrArray *items, MgAdminPrintFormat format);

/* ITEM as a JSON object (new reference). */
JsonNode *mg_admin_print_item_json (const MgQuarantineItem *item);

/* One item: its fields, what became of each part (from REPORT_JSON), its
 * release requests (REQUESTS, may be NULL) and the HEADERS of the original
 * (may be NULL once deleted). */
void mg_admin_print_show (FILE *out, const MgQuarantineItem *item, const char *report_json,
                          GPtrArray *requests, const char *headers, gboolean json);

/* Counts by day and by reason. */
void mg_admin_print_stats (FILE *out, GPtrArray *by_day, GPtrArray *by_reason,
                           gint64 retention_days, gboolean json);

/* The report REPORT_JSON parsed by PARSER (which owns the result), or NULL. */
JsonObject *mg_admin_print_report (JsonParser *parser, const char *report_json);
/* The string member NAME of OBJECT (may be NULL), or NULL. */
const char *mg_admin_print_member (JsonObject *object, const char *name);
/* TEXT, or "-" when it is NULL or empty. */
const char *mg_admin_print_or_dash (const char *text);
/* The string member NAME of OBJECT, or "-". */
const char *mg_admin_print_field (JsonObject *object, const char *name);

/* TEXT without control characters, for a terminal (owned by the caller). */
char *mg_admin_print_clean (const char *text);
