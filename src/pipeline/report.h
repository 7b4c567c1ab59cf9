/* report.h - the JSON report of one message (doc/report.md). */
#pragma once
#include "pipeline/job.h"

/* One JSON object on one line. MESSAGE may be NULL. */
char *mg_report_json (const MgJob *job, GMimeMessage *message, const char *id,
                      MgVerdict verdict, const char *queue_id, gint64 elapsed_ms);
/* One JSON line for a file of `mugai files`: the fields of the job's first
 * part (the file), its SOURCE and OUTPUT paths (OUTPUT NULL when nothing was
 * written), the viruses, and the other parts (members of an archive) as
 * "members". */
char *mg_report_file_json (const MgJob *job, const char *id, const char *source,
                           const char *output, gint64 elapsed_ms);
/* REPORT_JSON (a file report a worker made) with its "source" and "output"
 * set (NULL: null). A report that does not parse gives an error object. */
char *mg_report_set_paths (const char *report_json, const char *source, const char *output);
/* A new id: UTC time and random hex, "20261122T010203Z-4f2a9c01". */
char *mg_report_new_id (void);
