/* admin_ppap.h - release requests for password-protected ZIPs (PPAP).
 *
 * Japanese senders often mail an encrypted ZIP and its password separately
 * (PPAP). mugai withholds such a ZIP, since it cannot look inside. When the
 * recipient gives the password, a release request carries it; it is tried at
 * once, and at approval the encrypted ZIPs are opened and the message goes
 * through the whole pipeline (pipeline/ppap.h). Both happen in a sandboxed
 * worker: this process sends the original and the password and gets back
 * the opened message or an error.
 */
#pragma once
#include <glib.h>

#include "admin/admin_release.h"
#include "quarantine/quarantine_release.h"

/* Request the release of item ID as mg_quarantine_release_request does, but
 * with a PASSWORD (may be NULL) tried first on the original, in one of
 * RELEASE's workers: a wrong one is refused at once (in Japanese and
 * English), audited, and never stored. The CLI and the web UI request
 * through this. */
gboolean mg_admin_ppap_request (MgQuarantineStore *store, MgAdminRelease *release,
                                const char *id, const MgQuarantineActor *actor,
                                const char *kind, const char *password, const char *note,
                                GError **error);
