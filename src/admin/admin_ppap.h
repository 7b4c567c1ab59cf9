/* admin_ppap.h - opening password-protected ZIP attachments for a release (PPAP).
 *
 * Japanese senders often mail an encrypted ZIP and its password separately
 * (PPAP). mugai withholds such a ZIP, since it cannot look inside. When the
 * recipient gives the password, a release request carries it; at approval the
 * encrypted ZIP attachments of the original are decrypted (libarchive,
 * ZipCrypto or WinZip AES) and packed again without encryption, and that
 * message goes through the whole pipeline, where the archive filter sanitises
 * every member like any archive's.
 *
 * Only the ZIP container is read here: members are copied as bytes, never
 * interpreted, within the [archive] limits. Never writes a file.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "quarantine/quarantine_release.h"

/* A copy of ORIGINAL whose encrypted ZIP attachments are decrypted with
 * PASSWORD; *OPENED_R gets how many were. NULL with ERROR when the password
 * is wrong, no attachment is an encrypted ZIP, or a limit is reached. */
GBytes *mg_admin_ppap_open (GBytes *original, const char *password,
                            const MgArchiveLimits *limits, guint *opened_r, GError **error);

/* Request the release of item ID as mg_quarantine_release_request does, but
 * with a PASSWORD (may be NULL) tried first on the original: a wrong one is
 * refused at once (in Japanese and English), audited, and never stored. The
 * CLI and the web UI request through this. */
gboolean mg_admin_ppap_request (MgQuarantineStore *store, const char *id,
                                const MgQuarantineActor *actor, const char *kind,
                                const char *password, const char *note, GError **error);
