/* quarantine_stats.h - totals over a period, from the audit log.
 *
 * Reads DIR/audit.log and its rotated, uncompressed files (audit.log.N), and
 * the shared store's audit_log table when [quarantine] backend = postgresql, and
 * counts the lines whose time falls in [FROM, TO): messages by verdict
 * (mugai-milter and `mugai mail`), files by action (`mugai files`), parts and
 * files by detected type and action, removals by reason, viruses by name,
 * releases requested/approved/rejected, processing time (p50, p95, mean),
 * messages per envelope recipient, sender domains of withheld mail, and
 * per day (JST) messages by verdict and files. The result is one JSON object
 * (doc/quarantine.md, "mugai report"), which `mugai report` prints as JSON,
 * CSV or text.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>

#include "common/config.h"

/* Longest audit line counted; longer ones are skipped. */
#define MG_QUARANTINE_STATS_LINE_MAX (4 * 1024 * 1024)

/* The totals of CONFIG's audit log between FROM and TO (unix seconds, TO
 * exclusive; 0 and G_MAXINT64 for no bound): the files under [quarantine]
 * directory, and with a shared store (PostgreSQL) its audit_log table too.
 * NULL with ERROR when no audit log can be read. */
JsonObject *mg_quarantine_stats_collect (const MgConfig *config, gint64 from, gint64 to,
                                         GError **error);
