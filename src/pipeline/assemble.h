/* assemble.h - write the message the LGWAN side receives, in mugai's own
 * canonical form: whitelisted headers, MIME headers of our making, one
 * X-Mugai header, a text/plain body (base64 UTF-8, or ISO-2022-JP on request)
 * and the attachments that filters produced. Nothing else of the original. */
#pragma once
#include "pipeline/job.h"

/* The whitelisted header block of MESSAGE as the output carries it, or NULL
 * when MESSAGE is NULL. Written once per message: the top-level fields are
 * not changed by the walk. */
char *mg_assemble_headers (const MgJob *job, GMimeMessage *message);
/* HEADERS (mg_assemble_headers) may be NULL (headers then absent). STATE is
 * "sanitised" or "withheld"; TEXT is the whole body text (UTF-8). Attachments
 * are those parts of JOB with an output, only when WITH_ATTACHMENTS. */
GBytes *mg_assemble_message (const MgJob *job, const char *headers, const char *state,
                             const char *id, const char *text, gboolean with_attachments);
