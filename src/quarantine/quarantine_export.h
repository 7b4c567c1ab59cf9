/* quarantine_export.h - an item's original for the CSIRT: an encrypted ZIP.
 *
 * The analysts' convention: the sample inside a ZIP encrypted with the
 * password "infected" (AES-256 by default, or traditional PKWARE encryption
 * for tools that know nothing else), so that no scanner or mail system on
 * the way opens it. The ZIP holds ID.eml (the original, byte for byte),
 * ID.report.json (the report), ID.audit.jsonl (the audit lines of the item,
 * as written) and SHA256SUMS (sha256sum -c format). Only an approver may
 * export; every attempt is audited as "sample_export".
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_store.h"

#define MG_QUARANTINE_EXPORT_PASSWORD "infected"

typedef enum {
  MG_QUARANTINE_EXPORT_AES256,
  MG_QUARANTINE_EXPORT_ZIPCRYPT,
} MgQuarantineExportCipher;

/* Parse "aes256" or "zipcrypt"; FALSE for anything else. */
gboolean mg_quarantine_export_cipher_parse (const char *text,
                                            MgQuarantineExportCipher *cipher_r);

/* Write the ZIP of item ID to FD for ACTOR (an approver), audited with the
 * original's SHA-256. FALSE with ERROR (MG_QUARANTINE_ERROR_ROLE, _NOT_FOUND,
 * _STATE for a deleted original, G_IO_ERROR) when refused or failed. */
gboolean mg_quarantine_export_sample (MgQuarantineStore *store, const char *id,
                                      const MgQuarantineActor *actor,
                                      MgQuarantineExportCipher cipher, int fd, GError **error);
