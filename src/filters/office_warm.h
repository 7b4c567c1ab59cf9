/* office_warm.h - one LibreOffice kept running for the next documents.
 *
 * Starting LibreOffice costs seconds of CPU; converting one more document in
 * a running one costs a fraction of that. In the supervisor's service child
 * (mg_office_warm_allow) a LibreOffice is started on the first document and
 * kept, with one empty document open so that it does not quit; each further
 * document is handed to it by a short-lived `soffice --convert-to` with the
 * same profile, which LibreOffice forwards to the running one over its
 * private pipe. Each document gets a fresh folder for its input and output,
 * removed afterwards; [office] libreoffice_timeout holds per document; the
 * instance is replaced after [office] libreoffice_reuse documents, after any
 * failure or timeout, and stops after [office] libreoffice_idle seconds
 * without work (the service child ends, see supervisor.h). It runs as the
 * service child's user, in its network namespace and process group, under
 * the same memory and file-size limits as a one-document LibreOffice.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

typedef enum {
  MG_OFFICE_WARM_OK,
  MG_OFFICE_WARM_DOCUMENT, /* the document failed it (timeout): no other attempt */
  MG_OFFICE_WARM_FAILED,   /* the warm converter failed: convert once more, cold */
} MgOfficeWarmStatus;

/* In the process that converts (the supervisor's service child, which is its
 * own process group leader): allow a warm LibreOffice. Without this call
 * every document gets a LibreOffice of its own. */
void mg_office_warm_allow (void);

/* TRUE when CONFIG and this process let documents go to a warm LibreOffice. */
gboolean mg_office_warm_usable (const MgConfig *config);

/* Convert INPUT (whose usual extension is EXT) to TARGET with the warm
 * LibreOffice PROGRAM, starting it when none runs. The converted bytes, or
 * NULL with *STATUS_R and *WHY_R (English, owned by the caller). */
GBytes *mg_office_warm_convert (const MgConfig *config, const char *program, GBytes *input,
                                const char *ext, const char *target,
                                MgOfficeWarmStatus *status_r, char **why_r);

/* Stop the warm LibreOffice, if one runs, and remove its folder. */
void mg_office_warm_stop (void);
