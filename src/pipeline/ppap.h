/* ppap.h - opening password-protected ZIP attachments for a release (PPAP).
 *
 * Japanese senders often mail an encrypted ZIP and its password separately
 * (PPAP). mugai withholds such a ZIP, since it cannot look inside. When the
 * recipient gives the password, a release request carries it; the encrypted
 * ZIP attachments of the original are decrypted (libarchive, ZipCrypto or
 * WinZip AES) and packed again without encryption, and that message goes
 * through the whole pipeline, where the archive filter sanitises every member
 * like any archive's. This runs in a sandboxed worker (a PPAP job); the admin
 * process only sends the original and the password (worker/remote.h).
 *
 * Only the ZIP container is read here: members are copied as bytes, never
 * interpreted, within the [archive] limits. Never writes a file.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

/* What came of opening: the archives opened, or why not. Carried by the
 * worker's PPAP result (worker/protocol.h) to the process that asked. */
typedef enum {
  MG_PPAP_OK,             /* opened */
  MG_PPAP_WRONG_PASSWORD, /* the password does not open an archive (libarchive cannot tell
                             this from a member damaged under the encryption) */
  MG_PPAP_NO_ARCHIVE,     /* no attachment is a password-protected ZIP */
  MG_PPAP_LIMIT,          /* an [archive] limit stopped the unpacking */
  MG_PPAP_DAMAGED,        /* the original or an archive cannot be read or packed again */
  MG_PPAP_NO_ANSWER,      /* the asking process's own: no worker answered (it died, answered
                             garbage, or none could start); never sent by a worker */
} MgPpapKind;

/* A copy of ORIGINAL whose encrypted ZIP attachments are decrypted with
 * PASSWORD; *OPENED_R gets how many were. NULL with MG_QUARANTINE_ERROR
 * (MG_QUARANTINE_ERROR_RELEASE) and *KIND_R saying why when the password is
 * wrong, no attachment is an encrypted ZIP, a limit is reached or something
 * is damaged; *KIND_R is MG_PPAP_OK on success. */
GBytes *mg_ppap_open (GBytes *original, const char *password, const MgArchiveLimits *limits,
                      guint *opened_r, MgPpapKind *kind_r, GError **error);

/* Before a worker's sandbox: load what mg_ppap_open needs from the disk (the
 * C.UTF-8 locale, in which it reads ZIP names). */
void mg_ppap_init (void);
