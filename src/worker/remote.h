/* remote.h - the front's side of the sandboxed workers.
 *
 * A pipeline made here runs every message, file and PPAP opening in a
 * sandboxed worker when [sandbox] enabled (the default), and in this process
 * otherwise. Every reply is decoded strictly (protocol.h) and a mail result
 * is checked against its own report (worker_check.h); a worker that dies or
 * answers anything else withholds what it was given.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "pipeline/pipeline.h"
#include "pipeline/ppap.h"

/* The pipeline for CONFIG (which must outlive it): a supervisor and its
 * workers are started when [sandbox] enabled. NULL with
 * MG_PIPELINE_ERROR_CONFIG when unusable. */
MgPipeline *mg_remote_pipeline_new (const MgConfig *config, GError **error);

/* ORIGINAL with its encrypted ZIP attachments opened with PASSWORD (see
 * pipeline/ppap.h), in one of PIPELINE's workers (or in this process when
 * the sandbox is off); *OPENED_R gets how many were, *KIND_R MG_PPAP_OK.
 * NULL with MG_QUARANTINE_ERROR_RELEASE and *KIND_R the worker's typed
 * reason when they cannot be opened (wrong password, no encrypted ZIP, a
 * limit, damage), or with MG_SANDBOX_ERROR or MG_PROTOCOL_ERROR and
 * MG_PPAP_NO_ANSWER when the worker died on them or answered garbage (the
 * message says so in Japanese and English). */
GBytes *mg_remote_ppap_open (MgPipeline *pipeline, GBytes *original, const char *password,
                             guint *opened_r, MgPpapKind *kind_r, GError **error);
