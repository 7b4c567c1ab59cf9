/* milter_reply.h - the one place where a message's fate becomes an SMTP answer.
 *
 * Callers report what happened (an outcome and, for failures, the error);
 * this module alone chooses the libmilter status and the reply text. Every
 * outcome that is not a completed replacement or a virus rejection is a
 * tempfail, so Postfix keeps the mail. It must never answer SMFIS_ACCEPT or
 * SMFIS_CONTINUE at end of message for anything but a message whose
 * replacement was applied whole.
 */
#pragma once
#include <glib.h>
#include <libmilter/mfapi.h>

typedef enum {
  MG_MILTER_OUTCOME_COLLECTING, /* before end of message: keep going */
  MG_MILTER_OUTCOME_DELIVERED,  /* end of message: the output replaced the message */
  MG_MILTER_OUTCOME_VIRUS,      /* end of message: virus and [policy] on_virus = reject */
  MG_MILTER_OUTCOME_STOPPING,   /* the daemon is shutting down: no new message */
  MG_MILTER_OUTCOME_FAILED,     /* anything went wrong; ERROR says what */
} MgMilterOutcome;

/* The libmilter status for OUTCOME, after setting the SMTP reply on CTX (when
 * not NULL). ERROR (may be NULL) picks the tempfail text: busy or failed. */
sfsistat mg_milter_reply (SMFICTX *ctx, MgMilterOutcome outcome, const GError *error);
