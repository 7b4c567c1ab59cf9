/* policy.h - what becomes of one attachment: scan, classify, filter.
 *
 * The one place that decides an attachment's fate. Fail closed: a virus
 * withholds the message; a scan that did not finish, a type without a filter,
 * or a filter that failed removes the part. Only bytes a filter produced are
 * ever attached to the sanitised message.
 */
#pragma once
#include "pipeline/job.h"

/* Scan DATA and record any virus on the job. Returns TRUE when clean;
 * otherwise sets PART's outcome (withheld for a virus, removed when the scan
 * was incomplete or failed). */
gboolean mg_policy_scan (MgJob *job, MgPart *part, GBytes *data);

/* Decide PART's fate from DATA (decoded bytes) and CHARSET (declared, may be
 * NULL): sets detected type (unless the caller already set libmagic's type of
 * DATA), hashes, outcome and output. */
void mg_policy_attachment (MgJob *job, MgPart *part, GBytes *data, const char *charset);

/* A safe output name: no path separators, controls or bidi overrides, bounded
 * length, ending in EXTENSION (may be NULL). INDEX names nameless parts. */
char *mg_policy_output_name (const char *filename, const char *extension, guint index);
