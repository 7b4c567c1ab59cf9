/* admin_release.h - what an approved release does (the MgQuarantineDeliver of
 * the CLI and of the web UI).
 *
 * Kind "sanitised": the original goes through the same pipeline again
 * (mg_pipeline_mail; an encrypted ZIP is first opened with the password the
 * recipient gave, see admin_ppap.h) and only the sanitised result leaves:
 * injected over SMTP into [release] smtp for the recorded envelope recipients
 * (never the addresses of the original's header), or written to a file. Every
 * recipient must be in [release] allowed_recipient_domains; the envelope
 * sender is [release] sender. A message the pipeline still withholds is not
 * released. The pipeline is loaded at the first release and again whenever the
 * [clamav] database changed since (as the milter reloads), so a release is
 * scanned with the signatures of the moment. Kind "original": the original,
 * wrapped in a message that says in Japanese that it is not sanitised
 * (admin_original.h), is forwarded over [release] original_smtp to [release]
 * original_forward_address only, never written to a file.
 *
 * The re-run is not recorded as a new quarantine item: its report goes into
 * the approval's audit line. Never delivers bytes the pipeline did not produce,
 * except the original to the one configured internet-zone mailbox.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "pipeline/ppap.h"
#include "quarantine/quarantine_release.h"

typedef struct MgAdminRelease MgAdminRelease;

/* A release runner for CONFIG (which must outlive it). OUTPUT (may be NULL):
 * write the sanitised message to that file instead of sending it. */
MgAdminRelease *mg_admin_release_new (const MgConfig *config, const char *output);
/* For an item stored without an envelope: release to TO (the approver's
 * address, checked against the allowed domains). Refused for other items. */
void mg_admin_release_set_to (MgAdminRelease *release, const char *to);
void mg_admin_release_free (MgAdminRelease *release);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgAdminRelease, mg_admin_release_free)

/* ORIGINAL with its encrypted ZIP attachments opened with PASSWORD, in one
 * of the release pipeline's sandboxed workers (mg_remote_ppap_open); NULL
 * with ERROR and *KIND_R saying why when they cannot be (MG_PPAP_NO_ANSWER
 * when the worker died on them or none could start). */
GBytes *mg_admin_release_ppap_open (MgAdminRelease *release, GBytes *original,
                                    const char *password, guint *opened_r, MgPpapKind *kind_r,
                                    GError **error);

/* An MgQuarantineDeliver: CTX is an MgAdminRelease. */
gboolean mg_admin_release_deliver (gpointer ctx, const MgQuarantineItem *item,
                                   const MgQuarantineRequest *request, GBytes *original,
                                   char **result_r, GError **error);
