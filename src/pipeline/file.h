/* file.h - one file (not a message) through the pipeline, for `mugai files`.
 *
 * The stages of a mail attachment, decided by policy.c: virus scan, libmagic,
 * the filter for the detected type (archives member by member). The caller
 * owns every path: this module never opens one. It takes bytes and a name and
 * returns the bytes that may be written (new bytes a filter produced, never
 * the input) with their name, and the report line.
 */
#pragma once
#include <glib.h>

#include "common/verdict.h"
#include "pipeline/pipeline.h"

typedef struct MgFileResult MgFileResult;
struct MgFileResult {
  MgAction action; /* kept, converted, removed or withheld */
  MgReason reason;
  char *detail;          /* English, or NULL */
  char *output_filename; /* the name to write (its extension may change), or NULL */
  GBytes *output;        /* what to write when kept or converted, else NULL */
  gboolean virus;
  gpointer job;      /* private: the job behind the report (in process) */
  char *report_json; /* private: the report a sandboxed worker made */
  char *id;
  gint64 elapsed_ms;
};

/* A pipeline for files is any pipeline (mg_remote_pipeline_new). */

/* Sanitise DATA, the file called NAME (UTF-8 path relative to what the user
 * named; its last component is the file name). Hostile input is a result,
 * never an error; FALSE with MG_PIPELINE_ERROR_TEMPFAIL only when the
 * pipeline cannot run. *RESULT_R is owned by the caller. */
gboolean mg_pipeline_file (MgPipeline *pipeline, GBytes *data, const char *name,
                           MgFileResult **result_r, GError **error);

/* A result for a file that was not read (a link, an escaping name, too
 * large): removed with REASON and DETAIL. */
MgFileResult *mg_file_result_refused (MgPipeline *pipeline, const char *name, MgReason reason,
                                      const char *detail);

/* The report line (one JSON object, no newline): the part fields of the
 * SPEC plus SOURCE and OUTPUT (NULL: nothing written). */
char *mg_file_result_json (const MgFileResult *result, const char *source, const char *output);

void mg_file_result_free (MgFileResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgFileResult, mg_file_result_free)
