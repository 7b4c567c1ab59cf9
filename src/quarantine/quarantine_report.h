/* quarantine_report.h - the totals of quarantine_stats.h as labelled rows.
 *
 * One walk over the groups of the totals (messages, files, attachments,
 * removals, viruses, releases, ppap, elapsed_ms, recipients, sender domains,
 * days, months), with Japanese and English labels, shared by `mugai report`
 * and the admin dashboard so that both give the same figures; and the CSV
 * they both write for Excel: UTF-8 with a BOM, every cell quoted, a cell a
 * spreadsheet would evaluate (=, +, -, @) prefixed with a quote.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>

/* The label of a group or key NAME (a name it does not know is itself). */
const char *mg_quarantine_report_label (const char *name, gboolean ja);

/* Called for every count: group, sub-group (or NULL), key, value. */
typedef void (*MgQuarantineReportVisit) (const char *group, const char *sub, const char *key,
                                         gint64 value, gpointer data);

void mg_quarantine_report_visit (JsonObject *stats, MgQuarantineReportVisit fn, gpointer data);

/* One CSV row of N cells (cleaned of control characters), CRLF-ended. */
void mg_quarantine_report_csv_row (GString *out, const char *const *cells, gsize n);

/* STATS as CSV (BOM, a header row, one row per count), labels in Japanese
 * when JA. */
char *mg_quarantine_report_csv (JsonObject *stats, gboolean ja);
