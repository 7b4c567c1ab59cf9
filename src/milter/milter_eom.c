/* milter_eom.c - the end-of-message work, in small steps.
 *
 * Must never hand Postfix an output it has not checked (verdict, presence,
 * size) and never apply part of one without reporting FAILED.
 */
#include "milter/milter_eom.h"

#include <gio/gio.h>

#include "milter/milter_apply.h"
#include "milter/milter_log.h"

static gboolean
op_chgheader (gpointer ctx, const char *name, int index, const char *value)
{
  return smfi_chgheader (ctx, (char *) name, index, (char *) value) == MI_SUCCESS;
}

static gboolean
op_addheader (gpointer ctx, const char *name, const char *value)
{
  return smfi_addheader (ctx, (char *) name, (char *) value) == MI_SUCCESS;
}

static gboolean
op_replacebody (gpointer ctx, const guint8 *data, gsize len)
{
  return smfi_replacebody (ctx, (unsigned char *) data, (int) len) == MI_SUCCESS;
}

static const MgMilterApplyOps libmilter_ops = {
  op_chgheader,
  op_addheader,
  op_replacebody,
};

static void
progress (gpointer ctx)
{
  smfi_progress (ctx);
}

/* The summary line (milter_log.h); the whole report on a line of its own
 * only at debug level (MUGAI_DEBUG): the audit log keeps it. */
static void
log_done (const char *queue_id, const MgMilterMessage *message, const MgEnvelope *envelope,
          const MgMailResult *result, const char *what, gsize in_size)
{
  gint64 ms = (g_get_monotonic_time () - message->started) / 1000;
  g_autofree char *line = mg_milter_log_summary (queue_id, what, envelope, result, in_size,
                                                 ms);

  g_message ("%s", line);
  if (result->report_json != NULL)
    g_debug ("%s: report %s", queue_id, result->report_json);
}

/* The pipeline's answer is usable: a verdict we know and a message. */
static gboolean
check_result (const MgMailResult *result, gint64 max_output, GError **error)
{
  if (result->output == NULL ||
      (result->verdict != MG_VERDICT_SANITISED && result->verdict != MG_VERDICT_WITHHELD)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pipeline returned no message");
    return FALSE;
  }
  if ((gint64) g_bytes_get_size (result->output) > max_output) {
    g_set_error (
        error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
        "sanitised message of %zu bytes exceeds [milter] max_output_size %" G_GINT64_FORMAT,
        g_bytes_get_size (result->output), max_output);
    return FALSE;
  }
  return TRUE;
}

MgMilterOutcome
mg_milter_eom_process (SMFICTX *ctx, MgMilterSession *session, const MgMilterSetup *setup,
                       GError **error)
{
  MgMilterMessage *message = session->message;
  const char *queue_id = mg_milter_session_queue_id (session);
  g_autoptr (GBytes) input = NULL;
  g_autoptr (MgMailResult) result = NULL;
  MgEnvelope envelope = { message->env_from, (const char *const *) message->env_rcpt->pdata };

  if (message->error != NULL) {
    g_propagate_error (error, g_steal_pointer (&message->error));
    return MG_MILTER_OUTCOME_FAILED;
  }
  input = mg_milter_spool_bytes (message->spool, error);
  if (input == NULL ||
      !mg_milter_work_run (setup->work, input, message->queue_id, &envelope, progress, ctx,
                           &result, error) ||
      !check_result (result, setup->config->milter_max_output_size, error))
    return MG_MILTER_OUTCOME_FAILED;
  if (result->virus && result->verdict == MG_VERDICT_WITHHELD &&
      setup->config->on_virus == MG_ON_VIRUS_REJECT) {
    log_done (queue_id, message, &envelope, result, "rejected", g_bytes_get_size (input));
    mg_milter_log_alert (setup->config, result, "rejected", &envelope);
    return MG_MILTER_OUTCOME_VIRUS;
  }
  if (!mg_milter_apply (&libmilter_ops, ctx, message->headers, result->output,
                        session->leadspc, error))
    return MG_MILTER_OUTCOME_FAILED;
  log_done (queue_id, message, &envelope, result, mg_verdict_name (result->verdict),
            g_bytes_get_size (input));
  mg_milter_log_alert (setup->config, result, mg_verdict_name (result->verdict), &envelope);
  return MG_MILTER_OUTCOME_DELIVERED;
}
