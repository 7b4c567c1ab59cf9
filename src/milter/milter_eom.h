/* milter_eom.h - end of message: sanitise, then replace, reject or fail.
 *
 * Takes the collected message, runs it through the pipeline (bounded, with
 * progress), checks the output against the size limit and the virus policy,
 * and applies it to the message Postfix holds. It reports an outcome; the
 * SMTP answer is chosen by mg_milter_reply alone. It never leaves a message
 * half-replaced without reporting a failure.
 */
#pragma once
#include <libmilter/mfapi.h>

#include "common/config.h"
#include "milter/milter_reply.h"
#include "milter/milter_session.h"
#include "milter/milter_work.h"

typedef struct {
  const MgConfig *config;
  MgMilterWork *work;
} MgMilterSetup;

/* Process SESSION's message on CTX. Returns DELIVERED, VIRUS, or FAILED with
 * ERROR set. Logs one line (and the report) with the queue id. */
MgMilterOutcome mg_milter_eom_process (SMFICTX *ctx, MgMilterSession *session,
                                       const MgMilterSetup *setup, GError **error);
