/* scan.h - the libclamav engine: load a database directory once, scan buffers.
 *
 * No usable database is an error, never a silent pass. A scan that hit an
 * engine limit says so (MG_SCAN_INCOMPLETE) instead of calling the rest clean:
 * the caller must not deliver what was not scanned whole.
 */
#pragma once
#include <glib.h>

typedef struct MgScanEngine MgScanEngine;

typedef enum {
  MG_SCAN_CLEAN,
  MG_SCAN_VIRUS,      /* *name_r holds the signature name */
  MG_SCAN_INCOMPLETE, /* an engine limit was reached before the end */
  MG_SCAN_ERROR,      /* libclamav failed on this buffer */
} MgScanStatus;

/* Load every database in DIR and compile the engine. MAX_SIZE bounds the
 * bytes scanned per buffer (and per file unpacked from it), MAX_SECONDS the
 * time of one scan ([clamav] max_scan_seconds: a scan stopped there is
 * MG_SCAN_INCOMPLETE). NULL with ERROR when DIR holds no signature.
 * Thread-safe to use once returned. */
MgScanEngine *mg_scan_engine_load (const char *dir, gint64 max_size, gint64 max_seconds,
                                   GError **error);
guint mg_scan_engine_signatures (const MgScanEngine *engine);
/* The database the engine loaded, as mg_scan_database_describe said just
 * before loading it. Owned by the engine. */
const char *mg_scan_engine_version (const MgScanEngine *engine);
/* What DIR holds, for logs and reports, read from the files without loading
 * an engine: "daily 27845, main 62, bytecode 335" from the official
 * databases' headers, and "custom N signatures (sha256 0123456789ab)" for
 * other signature files (their count, and a digest of their names and
 * bytes); "no signature files" when there is none. Newly allocated. */
char *mg_scan_database_describe (const char *dir);
void mg_scan_engine_free (MgScanEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgScanEngine, mg_scan_engine_free)

/* Scan LEN bytes. On MG_SCAN_VIRUS sets *NAME_R (owned by caller). */
MgScanStatus mg_scan_buffer (MgScanEngine *engine, const void *data, gsize len, char **name_r);

/* Scan a whole message as mail: ClamAV decodes its parts but opens no
 * archive, document, image or executable among them (each leaf is scanned on
 * its own with mg_scan_buffer, which opens it). Every file it met that a
 * leaf scan would open further is added to UNPARSED (sha256 hex of its bytes
 * -> its size), so that the caller can tell whether each was scanned as a
 * leaf. */
MgScanStatus mg_scan_message (MgScanEngine *engine, const void *data, gsize len,
                              GHashTable *unparsed, char **name_r);
