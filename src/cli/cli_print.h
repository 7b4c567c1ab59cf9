/* cli_print.h - the quarantine on a terminal: list, show and stats output.
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
  MG_CLI_PRINT_TEXT,
  MG_CLI_PRINT_CSV,
  MG_CLI_PRINT_JSON,
} MgCliPrintFormat;

/* One CSV row of N CELLS (CRLF-terminated, formula cells quoted with '). */
void mg_cli_print_csv_row (FILE *out, const char *const *cells, gsize n);

/* ITEMS (MgQuarantineItem *) to OUT in FORMAT. */
void mg_cli_print_list (FILE *out, GPtrArray *items, MgCliPrintFormat format);

/* ITEM as a JSON object (new reference). */
JsonNode *mg_cli_print_item_json (const MgQuarantineItem *item);

/* One item: its fields, what became of each part (from REPORT_JSON), its
 * release requests (REQUESTS, may be NULL) and the HEADERS of the original
 * (may be NULL once deleted). */
void mg_cli_print_show (FILE *out, const MgQuarantineItem *item, const char *report_json,
                        GPtrArray *requests, const char *headers, gboolean json);

/* Counts by day and by reason. */
void mg_cli_print_stats (FILE *out, GPtrArray *by_day, GPtrArray *by_reason,
                         gint64 retention_days, gboolean json);

/* TEXT without control characters, for a terminal (owned by the caller). */
char *mg_cli_print_clean (const char *text);
