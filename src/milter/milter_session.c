/* milter_session.c - session and message lifetimes, and the shutdown drain.
 *
 * Every message begun is ended exactly once (end of message, abort, a new
 * MAIL FROM, or close), which keeps the count of active messages right; a
 * miscount would either hang shutdown or cut a message short.
 */
#include "milter/milter_session.h"

#include "milter/milter_apply.h"

static GMutex drain_lock;
static GCond drain_cond;
static guint active_messages;
static gboolean refusing_new;

MgMilterSession *
mg_milter_session_new (void)
{
  return g_new0 (MgMilterSession, 1);
}

void
mg_milter_session_free (MgMilterSession *session)
{
  if (session == NULL)
    return;
  mg_milter_session_end (session);
  g_free (session->client);
  g_free (session);
}

gboolean
mg_milter_session_begin (MgMilterSession *session, gsize spool_threshold)
{
  MgMilterMessage *message;

  mg_milter_session_end (session);
  g_mutex_lock (&drain_lock);
  if (refusing_new) {
    g_mutex_unlock (&drain_lock);
    return FALSE;
  }
  active_messages++;
  g_mutex_unlock (&drain_lock);
  message = g_new0 (MgMilterMessage, 1);
  message->spool = mg_milter_spool_new (spool_threshold);
  message->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_milter_header_free);
  message->started = g_get_monotonic_time ();
  message->env_rcpt = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (message->env_rcpt, NULL);
  session->message = message;
  return TRUE;
}

void
mg_milter_session_end (MgMilterSession *session)
{
  MgMilterMessage *message = g_steal_pointer (&session->message);

  if (message == NULL)
    return;
  g_free (message->queue_id);
  mg_milter_spool_free (message->spool);
  g_ptr_array_unref (message->headers);
  g_clear_error (&message->error);
  g_free (message->env_from);
  g_ptr_array_unref (message->env_rcpt);
  g_free (message);
  g_mutex_lock (&drain_lock);
  active_messages--;
  g_cond_broadcast (&drain_cond);
  g_mutex_unlock (&drain_lock);
}

void
mg_milter_session_envfrom (MgMilterSession *session, const char *sender)
{
  if (session->message == NULL)
    return;
  g_free (session->message->env_from);
  session->message->env_from = g_strdup (sender != NULL ? sender : "");
}

/* The array stays NULL-terminated, for MgEnvelope. */
void
mg_milter_session_envrcpt (MgMilterSession *session, const char *recipient)
{
  GPtrArray *rcpt = session->message != NULL ? session->message->env_rcpt : NULL;

  if (rcpt == NULL || recipient == NULL)
    return;
  rcpt->pdata[rcpt->len - 1] = g_strdup (recipient);
  g_ptr_array_add (rcpt, NULL);
}

const char *
mg_milter_session_queue_id (const MgMilterSession *session)
{
  if (session == NULL || session->message == NULL || session->message->queue_id == NULL)
    return "NOQUEUE";
  return session->message->queue_id;
}

void
mg_milter_session_fail (MgMilterSession *session, GError *error)
{
  if (session->message != NULL && session->message->error == NULL)
    session->message->error = error;
  else
    g_error_free (error);
}

void
mg_milter_session_stop_new (void)
{
  g_mutex_lock (&drain_lock);
  refusing_new = TRUE;
  g_mutex_unlock (&drain_lock);
}

guint
mg_milter_session_drain (guint timeout)
{
  gint64 deadline = g_get_monotonic_time () + timeout * G_TIME_SPAN_SECOND;
  guint left;

  g_mutex_lock (&drain_lock);
  while (active_messages > 0 && g_cond_wait_until (&drain_cond, &drain_lock, deadline))
    ;
  left = active_messages;
  g_mutex_unlock (&drain_lock);
  return left;
}
