/* pipeline.h - one message in, the message to deliver on the LGWAN side out.
 *
 * This is the whole sanitiser as the milter and the CLI see it: parse with
 * limits, check for ambiguity, scan every part, classify by bytes, filter,
 * assemble a text/plain message with a notice, write the report, and keep the
 * original of anything withheld in the quarantine. The milter and the CLI hold
 * no sanitising logic of their own.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "common/envelope.h"
#include "common/verdict.h"

typedef struct MgPipeline MgPipeline;
typedef struct _JsonObject JsonObject; /* json-glib's, for those who have it */

typedef struct {
  MgVerdict verdict;    /* sanitised or withheld; tempfail is a FALSE return */
  gboolean virus;       /* withheld because of a virus (for on_virus = reject) */
  char *id;             /* report id, also the quarantine id */
  GBytes *output;       /* the whole message to deliver (CRLF-free, LF lines) */
  char *report_json;    /* the report, one JSON object on one line */
  char *reason;         /* English one-line reason when withheld, else NULL */
  gboolean held;        /* the original is kept in the quarantine */
  char *sender_address; /* the From addr-spec, for the index, or NULL */
  char *recipients;     /* To and Cc addr-specs, ", "-separated, or NULL */
  JsonObject *report;   /* report_json parsed, when the caller had it so, or NULL */
} MgMailResult;

#define MG_PIPELINE_ERROR (mg_pipeline_error_quark ())
GQuark mg_pipeline_error_quark (void);
typedef enum {
  MG_PIPELINE_ERROR_CONFIG,   /* no usable virus database, bad setup: exit 78 */
  MG_PIPELINE_ERROR_TEMPFAIL, /* this machine's fault (disk, memory): exit 75 */
} MgPipelineError;

/* Load the virus engine, magic database and filters in this process.
 * CONFIG must outlive the pipeline. Returns NULL with
 * MG_PIPELINE_ERROR_CONFIG when unusable. A caller that should honour
 * [sandbox] enabled uses mg_remote_pipeline_new (worker/remote.h). */
MgPipeline *mg_pipeline_new_local (const MgConfig *config, GError **error);
void mg_pipeline_free (MgPipeline *pipeline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgPipeline, mg_pipeline_free)

/* Sanitise MESSAGE. Hostile or broken input is never an error: it yields a
 * result (sanitised with parts removed, or withheld). Returns FALSE with
 * MG_PIPELINE_ERROR_TEMPFAIL only for faults a retry may cure. The result is
 * owned by the caller (mg_mail_result_free). QUEUE_ID may be NULL. */
gboolean mg_pipeline_mail (MgPipeline *pipeline, GBytes *message, const char *queue_id,
                           MgMailResult **result_r, GError **error);

/* mg_pipeline_mail with the message's ENVELOPE (may be NULL: none known),
 * which the report ("envelope") and the quarantine item record. */
gboolean mg_pipeline_mail_envelope (MgPipeline *pipeline, GBytes *message,
                                    const char *queue_id, const MgEnvelope *envelope,
                                    MgMailResult **result_r, GError **error);

void mg_mail_result_free (MgMailResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgMailResult, mg_mail_result_free)
