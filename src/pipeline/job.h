/* job.h - the state of one message passing through the pipeline.
 *
 * A job collects, as the message is walked: the body text, one MgPart per
 * attachment (and per part that became text), the viruses found, and the
 * first reason to withhold the whole message. Stages add to it; only
 * pipeline.c turns it into a verdict.
 */
#pragma once
#include <glib.h>
#include "pipeline/gmime_autoptr.h"

#include "common/config.h"
#include "common/filter.h"
#include "common/verdict.h"
#include "scan/scan.h"

typedef struct {
  char *path;     /* MIME part number: "2", "2.1", "1#uu1" for a cut-out block */
  char *filename; /* decoded UTF-8 name, or NULL */
  char *declared_type;
  char *detected_type;
  char *sha256; /* of the decoded input */
  MgAction action;
  MgReason reason;
  char *detail; /* English detail for the report, or NULL */
  char *output_filename;
  char *output_type;
  GBytes *output; /* what is attached to the sanitised message, or NULL */
  char *output_sha256;
} MgPart;

typedef struct {
  const MgConfig *config;
  MgScanEngine *engine;
  const char *language;  /* notice language */
  GString *body;         /* the text the recipient reads, without the notice */
  GPtrArray *parts;      /* MgPart * */
  GPtrArray *viruses;    /* char *: signature names */
  MgReason withhold;     /* MG_REASON_NONE while the message may pass */
  char *withhold_detail; /* English, for the report and log */
  guint part_count;      /* MIME objects seen, for the parts limit */
  gboolean html_converted;
  gboolean alternative_differs;
  gboolean scan_incomplete;
  GHashTable *unparsed;       /* files the message scan did not open and no leaf
                               * scan has met yet: sha256 hex -> size */
  GHashTable *unparsed_sizes; /* their sizes -> how many: a leaf of no such
                               * size is neither hashed nor looked for */
  gboolean parts_unlisted;    /* the worker failed before it could list the parts */
  MgFilterConvert convert;    /* set in sandboxed workers (see worker.c) */
  gpointer convert_ctx;
  MgFilterBudget filter_budget; /* what the filters spent on this message */
} MgJob;

MgJob *mg_job_new (const MgConfig *config, MgScanEngine *engine);
void mg_job_free (MgJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgJob, mg_job_free)

/* Withhold the whole message; the first reason given wins, except that a
 * virus always becomes the reason (an earlier one is kept in the detail), so
 * that a virus is never read as a mere structural finding. */
void mg_job_withhold (MgJob *job, MgReason reason, const char *detail_format, ...)
    G_GNUC_PRINTF (3, 4);
gboolean mg_job_withheld (const MgJob *job);

/* Record virus NAME once. */
void mg_job_add_virus (MgJob *job, const char *name);
MgPart *mg_job_add_part (MgJob *job, const char *path);
void mg_part_set_outcome (MgPart *part, MgAction action, MgReason reason, const char *detail);
char *mg_job_sha256 (GBytes *bytes);

/* Scan LEN bytes of a leaf with every parser (mg_scan_buffer) and strike
 * them from job->unparsed. */
MgScanStatus mg_job_scan (MgJob *job, const void *data, gsize len, char **name_r);
/* Strike LEN bytes from job->unparsed without scanning them: a part removed
 * unscanned (over a limit) is never delivered. */
void mg_job_met (MgJob *job, const void *data, gsize len);
/* Index job->unparsed by size, once the message scan has filled it. */
void mg_job_index_unparsed (MgJob *job);
