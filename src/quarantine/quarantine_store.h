/* quarantine_store.h - the quarantine: what was held, why, and who did what.
 *
 * Under [quarantine] directory: index.sqlite (the index, quarantine_index.h),
 * objects/ (originals and reports, zstd, content-addressed,
 * quarantine_object.h), tmp/ (objects being written) and audit.log
 * (quarantine_audit.h). This module is the only one that touches that
 * directory; the pipeline, the CLI and the web UI go through these functions.
 *
 * An item appears whole or not at all: its objects are written aside and
 * fsync'd, renamed into place and indexed in one transaction. Admin actions
 * (show, delete, purge, and the release workflow in quarantine_release.h) are
 * each written to the audit log with their result, refused ones included.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "quarantine/quarantine_audit.h"
#include "quarantine/quarantine_envelope.h"
#include "quarantine/quarantine_index.h"

typedef struct MgQuarantineStore MgQuarantineStore;

/* One message the pipeline saw, as the store records it. SENDER_ADDRESS and
 * RECIPIENTS (addr-specs, ", "-separated; either may be NULL) come from the
 * sanitiser's result: the store does not read the original's header. */
typedef struct {
  const char *id;
  GBytes *original;
  GBytes *output;
  const char *report_json;
  gboolean held;
  const MgEnvelope *envelope; /* may be NULL */
  const char *sender_address;
  const char *recipients;
  JsonObject *report; /* REPORT_JSON already parsed, or NULL: it is parsed here */
} MgQuarantinePut;

/* Record PUT: store its original and report as item PUT->id when held
 * (withheld or parts removed) or when [quarantine] keep = all, and append the
 * message's audit line (with the SHA-256 of original and output) in every
 * case. The envelope is recorded with the item: it is where a release may
 * go. FALSE with ERROR when the id is not a quarantine id, or the disk or the
 * index refuses: the caller tempfails the message. */
gboolean mg_quarantine_store_put (const MgConfig *config, const MgQuarantinePut *put,
                                  GError **error);

/* Record one file `mugai files` saw: store ORIGINAL (may be NULL: nothing
 * was read) and REPORT_JSON (the file's report line) as item ID when HELD
 * (removed or withheld), with the file's name as the subject and
 * OPERATOR_NAME (the Unix user) as the sender, so that `mugai quarantine show
 * ID` finds it; and append the file's audit line in every case. */
gboolean mg_quarantine_store_put_file (const MgConfig *config, const char *id,
                                       GBytes *original, GBytes *output,
                                       const char *report_json, gboolean held,
                                       const char *operator_name, GError **error);

/* Open the store of CONFIG (which must outlive it). NULL with ERROR when the
 * index cannot be opened. */
MgQuarantineStore *mg_quarantine_store_open (const MgConfig *config, GError **error);
void mg_quarantine_store_free (MgQuarantineStore *store);

/* Bring the schema of CONFIG's store to this build's version (`mugai
 * quarantine migrate`): PostgreSQL's versioned migrations, each applied once,
 * refused while another node migrates; *FROM_R and *TO_R the versions (0 for
 * SQLite, whose index migrates itself when opened). */
gboolean mg_quarantine_store_migrate (const MgConfig *config, int *from_r, int *to_r,
                                      GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgQuarantineStore, mg_quarantine_store_free)

const MgConfig *mg_quarantine_store_config (MgQuarantineStore *store);
MgQuarantineIndex *mg_quarantine_store_index (MgQuarantineStore *store);
const char *mg_quarantine_store_dir (MgQuarantineStore *store);

/* TRUE when ID has the form of a report id (20261122T010203Z-4f2a0b1c): the
 * only ids the store accepts from a command line or a request. */
gboolean mg_quarantine_id_valid (const char *id);

/* Item ID (NULL with MG_QUARANTINE_ERROR_NOT_FOUND when there is none). */
MgQuarantineItem *mg_quarantine_store_get (MgQuarantineStore *store, const char *id,
                                           GError **error);
/* The report of ITEM (JSON text), or NULL with ERROR. */
char *mg_quarantine_store_report (MgQuarantineStore *store, const MgQuarantineItem *item,
                                  GError **error);
/* The header block of ITEM's original as printable text (see
 * mg_quarantine_headers_block), or NULL with ERROR when it was deleted. */
char *mg_quarantine_store_headers (MgQuarantineStore *store, const MgQuarantineItem *item,
                                   GError **error);
/* The original bytes of ITEM, for a release only; NULL with ERROR. */
GBytes *mg_quarantine_store_original (MgQuarantineStore *store, const MgQuarantineItem *item,
                                      GError **error);

/* The objects of the store, wherever they are (files under the directory,
 * or the shared store's table): read object SHA256 (at most MAX bytes,
 * hash checked), remove it (call inside the index's write transaction), and
 * list every name. */
GBytes *mg_quarantine_store_object_read (MgQuarantineStore *store, const char *sha256,
                                         gsize max, GError **error);
gboolean mg_quarantine_store_object_remove (MgQuarantineStore *store, const char *sha256,
                                            GError **error);
GPtrArray *mg_quarantine_store_object_list (MgQuarantineStore *store, GError **error);

/* Show item ID to ACTOR: the item, audited as "show". */
MgQuarantineItem *mg_quarantine_store_show (MgQuarantineStore *store, const char *id,
                                            const MgQuarantineActor *actor, GError **error);

/* Write ACTOR's ACTION on ITEM_ID to the audit log with the outcome: "ok" when
 * FAILURE is NULL, else "refused" (role, state, two-person rule) or "failed"
 * with FAILURE's message. FALSE with ERROR when the log cannot be written. */
gboolean mg_quarantine_store_audit (MgQuarantineStore *store, const MgQuarantineActor *actor,
                                    const char *action, const char *item_id,
                                    const GError *failure, const char *detail, GError **error);

/* Audit ACTOR's ACTION on ITEM_ID with the outcome LOCAL (NULL: ok; taken
 * over) and hand LOCAL on in ERROR. TRUE only when the action succeeded and
 * its line was written. */
gboolean mg_quarantine_store_finish (MgQuarantineStore *store, const MgQuarantineActor *actor,
                                     const char *action, const char *item_id, GError *local,
                                     const char *detail, GError **error);
