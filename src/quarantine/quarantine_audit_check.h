/* quarantine_audit_check.h - verify the hash chain of the audit log.
 *
 * For `mugai quarantine check`: every line of DIR/audit.log and of its
 * rotated files (audit.log.1, audit.log-20261122, ...; compressed ones are
 * listed, not read) must carry in "prev" the SHA-256 of the line before it,
 * the first line of each file that of the last line of the file before
 * (files are put in order by the time of their first line), and the last line
 * of all must match DIR/audit.chain. Lines written before the chain existed
 * (no "prev") are accepted only before the first chained one. Reads only.
 */
#pragma once
#include <glib.h>

typedef struct {
  guint files;         /* files read */
  guint lines;         /* lines read */
  GPtrArray *problems; /* char *: "FILE:LINE: what is wrong", first per file */
  GPtrArray *skipped;  /* char *: compressed files not read */
} MgQuarantineAuditCheck;

void mg_quarantine_audit_check_clear (MgQuarantineAuditCheck *check);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgQuarantineAuditCheck, mg_quarantine_audit_check_clear)

/* Fill CHECK for the audit log in DIR. A missing log is an empty one. */
void mg_quarantine_audit_check_run (const char *dir, MgQuarantineAuditCheck *check);

/* Fill CHECK for the lines of the shared store's audit log (LINES, oldest
 * first, NULL-terminated; named NAME in problems): the first line chained to
 * the genesis value, every other one to the line before it. */
void mg_quarantine_audit_check_lines (const char *name, char **lines,
                                      MgQuarantineAuditCheck *check);
