/* milter_callbacks.c - libmilter's entry points, one small function each.
 *
 * Each callback finds its session, does one thing, and answers through
 * mg_milter_reply. A failure while collecting is answered at once with a
 * tempfail; end of message alone may deliver. They must never call the
 * pipeline outside end of message nor return ACCEPT.
 */
#include "milter/milter_callbacks.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <netinet/in.h>

#include "milter/milter_apply.h"
#include "milter/milter_log.h"

static const MgMilterSetup *setup;

#define WANTED_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY)
/* The steps answered without a reply: Postfix then writes RCPT, DATA, the
 * header fields, end of headers and the body chunks into its buffer and
 * sends them with end of message, waiting once instead of a round trip per
 * step (each waking the libmilter thread and smtpd). A failure while
 * collecting is kept (the message's error, or no message at all) and
 * answered with a tempfail at end of message; libmilter turns any other
 * answer to such a step into no reply. MAIL FROM is still answered: it
 * tempfails new messages during shutdown. */
#define QUIET_STEPS                                                                           \
  (SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
/* Also the leading-space flag. Not skipping HELO or DATA: Postfix would
 * send their macros without a command to answer, and its next write would
 * then wait out our delayed ACK (Nagle): 40 ms per message. */
#define OPTIONAL_STEPS (SMFIP_HDR_LEADSPC | QUIET_STEPS)

static MgMilterSession *
session_of (SMFICTX *ctx)
{
  MgMilterSession *session = smfi_getpriv (ctx);

  if (session == NULL) {
    session = mg_milter_session_new ();
    smfi_setpriv (ctx, session);
  }
  return session;
}

/* Keep ERROR (taken) as the message's failure, logged once. */
static gboolean
keep_failure (MgMilterSession *session, GError *error)
{
  g_warning ("%s: tempfail: %s", mg_milter_session_queue_id (session), error->message);
  mg_milter_session_fail (session, error);
  return FALSE;
}

/* A failure before end of message: log it, keep it, tempfail. */
static sfsistat
fail (SMFICTX *ctx, MgMilterSession *session, GError *error)
{
  keep_failure (session, error);
  return mg_milter_reply (ctx, MG_MILTER_OUTCOME_FAILED, NULL);
}

/* The answer to a collecting step: none when STEP is quiet (the failure, if
 * any, already kept), else continue, or a tempfail when OK is FALSE. */
static sfsistat
collected (SMFICTX *ctx, MgMilterSession *session, unsigned long step, gboolean ok)
{
  if ((session->quiet & step) != 0)
    return SMFIS_NOREPLY;
  return mg_milter_reply (ctx, ok ? MG_MILTER_OUTCOME_COLLECTING : MG_MILTER_OUTCOME_FAILED,
                          session->message != NULL ? session->message->error : NULL);
}

static sfsistat
no_message (SMFICTX *ctx, MgMilterSession *session)
{
  return fail (
      ctx, session,
      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "content without MAIL FROM"));
}

static void
read_queue_id (SMFICTX *ctx, MgMilterSession *session)
{
  const char *id;

  if (session->message == NULL || session->message->queue_id != NULL)
    return;
  id = smfi_getsymval (ctx, "i");
  if (id != NULL && *id != '\0')
    session->message->queue_id = g_strdup (id);
}

static sfsistat
cb_negotiate (SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
              unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
              unsigned long *pf3)
{
  MgMilterSession *session = session_of (ctx);

  (void) f2;
  (void) f3;
  if ((f0 & WANTED_ACTIONS) != WANTED_ACTIONS) {
    g_warning ("NOQUEUE: the MTA does not allow header and body changes: refusing");
    return SMFIS_REJECT;
  }
  *pf0 = WANTED_ACTIONS;
  *pf1 = f1 & OPTIONAL_STEPS;
  *pf2 = 0;
  *pf3 = 0;
  session->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
  session->quiet = *pf1 & QUIET_STEPS;
  return SMFIS_CONTINUE;
}

static char *
describe_client (const char *host, const struct sockaddr *addr)
{
  char text[INET6_ADDRSTRLEN] = "unknown";

  if (addr != NULL && addr->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) addr)->sin_addr, text, sizeof text);
  else if (addr != NULL && addr->sa_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) addr)->sin6_addr, text, sizeof text);
  if (host != NULL && host[0] == '[')
    return g_strdup (host);
  return g_strdup_printf ("%s[%s]", host ? host : "unknown", text);
}

static sfsistat
cb_connect (SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
  MgMilterSession *session = session_of (ctx);

  g_free (session->client);
  session->client = describe_client (host, (const struct sockaddr *) addr);
  g_debug ("NOQUEUE: connect from %s", session->client);
  return mg_milter_reply (ctx, MG_MILTER_OUTCOME_COLLECTING, NULL);
}

static sfsistat
cb_envfrom (SMFICTX *ctx, char **argv)
{
  MgMilterSession *session = session_of (ctx);

  if (!mg_milter_session_begin (session, setup->config->milter_spool_threshold)) {
    g_message ("NOQUEUE: shutting down, message from %s tempfailed",
               session->client ? session->client : "unknown");
    return mg_milter_reply (ctx, MG_MILTER_OUTCOME_STOPPING, NULL);
  }
  mg_milter_session_envfrom (session, argv != NULL ? argv[0] : NULL);
  read_queue_id (ctx, session);
  return mg_milter_reply (ctx, MG_MILTER_OUTCOME_COLLECTING, NULL);
}

/* Every RCPT TO as Postfix passes it on (after its address rewriting): the
 * recipients a release may go to. */
static sfsistat
cb_envrcpt (SMFICTX *ctx, char **argv)
{
  MgMilterSession *session = session_of (ctx);

  if (session->message == NULL)
    return (session->quiet & SMFIP_NR_RCPT) != 0 ? SMFIS_NOREPLY : no_message (ctx, session);
  mg_milter_session_envrcpt (session, argv != NULL ? argv[0] : NULL);
  read_queue_id (ctx, session);
  return collected (ctx, session, SMFIP_NR_RCPT, TRUE);
}

/* DATA: nothing to do, but a callback, so that a quiet DATA gets no reply. */
static sfsistat
cb_data (SMFICTX *ctx)
{
  return collected (ctx, session_of (ctx), SMFIP_NR_DATA, TRUE);
}

/* One header field; its failure is kept for a later step to answer. */
static gboolean
collect_header (MgMilterSession *session, const char *name, const char *value)
{
  GError *error = NULL;

  if (session->message == NULL || session->message->error != NULL)
    return FALSE;
  if (!mg_milter_spool_add_header (session->message->spool, name, value, session->leadspc,
                                   &error))
    return keep_failure (session, error);
  g_ptr_array_add (session->message->headers, mg_milter_header_new (name, value));
  return TRUE;
}

/* Append DATA to the spool of the message in progress, unless it failed. */
static gboolean
collect_bytes (MgMilterSession *session, const void *data, gsize len)
{
  GError *error = NULL;

  if (session->message == NULL || session->message->error != NULL)
    return FALSE;
  if (!mg_milter_spool_append (session->message->spool, data, len, &error))
    return keep_failure (session, error);
  return TRUE;
}

static sfsistat
cb_header (SMFICTX *ctx, char *name, char *value)
{
  MgMilterSession *session = session_of (ctx);
  gboolean ok = collect_header (session, name, value);

  if (session->message == NULL && (session->quiet & SMFIP_NR_HDR) == 0)
    return no_message (ctx, session);
  return collected (ctx, session, SMFIP_NR_HDR, ok);
}

static sfsistat
cb_eoh (SMFICTX *ctx)
{
  MgMilterSession *session = session_of (ctx);
  gboolean ok;

  if (session->message != NULL)
    read_queue_id (ctx, session);
  ok = collect_bytes (session, "\r\n", 2);
  if (session->message == NULL && (session->quiet & SMFIP_NR_EOH) == 0)
    return no_message (ctx, session);
  return collected (ctx, session, SMFIP_NR_EOH, ok);
}

static sfsistat
cb_body (SMFICTX *ctx, unsigned char *chunk, size_t len)
{
  MgMilterSession *session = session_of (ctx);
  gboolean ok = collect_bytes (session, chunk, len);

  if (session->message == NULL && (session->quiet & SMFIP_NR_BODY) == 0)
    return no_message (ctx, session);
  return collected (ctx, session, SMFIP_NR_BODY, ok);
}

/* [alert] address is told of a message that could not be sanitised. */
static void
alert_failure (MgMilterSession *session, const GError *error)
{
  MgMilterMessage *message = session->message;
  MgEnvelope envelope = { message->env_from, (const char *const *) message->env_rcpt->pdata };

  mg_milter_log_alert_failure (setup->config, mg_milter_session_queue_id (session),
                               message->env_from != NULL ? &envelope : NULL,
                               error ? error->message : "unknown error");
}

static sfsistat
cb_eom (SMFICTX *ctx)
{
  MgMilterSession *session = session_of (ctx);
  g_autoptr (GError) error = NULL;
  MgMilterOutcome outcome;
  sfsistat status;

  if (session->message == NULL)
    return no_message (ctx, session);
  read_queue_id (ctx, session);
  outcome = mg_milter_eom_process (ctx, session, setup, &error);
  if (outcome == MG_MILTER_OUTCOME_FAILED) {
    g_warning ("%s: tempfail: %s", mg_milter_session_queue_id (session),
               error ? error->message : "unknown error");
    alert_failure (session, error);
  }
  status = mg_milter_reply (ctx, outcome, error);
  mg_milter_session_end (session);
  return status;
}

static sfsistat
cb_abort (SMFICTX *ctx)
{
  MgMilterSession *session = session_of (ctx);

  if (session->message != NULL)
    g_debug ("%s: aborted by the MTA", mg_milter_session_queue_id (session));
  mg_milter_session_end (session);
  return mg_milter_reply (ctx, MG_MILTER_OUTCOME_COLLECTING, NULL);
}

static sfsistat
cb_close (SMFICTX *ctx)
{
  mg_milter_session_free (smfi_getpriv (ctx));
  smfi_setpriv (ctx, NULL);
  return mg_milter_reply (ctx, MG_MILTER_OUTCOME_COLLECTING, NULL);
}

struct smfiDesc
mg_milter_callbacks_desc (const MgMilterSetup *milter_setup)
{
  struct smfiDesc desc = {
    .xxfi_name = "mugai-milter",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = WANTED_ACTIONS,
    .xxfi_connect = cb_connect,
    .xxfi_envfrom = cb_envfrom,
    .xxfi_envrcpt = cb_envrcpt,
    .xxfi_data = cb_data,
    .xxfi_header = cb_header,
    .xxfi_eoh = cb_eoh,
    .xxfi_body = cb_body,
    .xxfi_eom = cb_eom,
    .xxfi_abort = cb_abort,
    .xxfi_close = cb_close,
    .xxfi_negotiate = cb_negotiate,
  };

  setup = milter_setup;
  return desc;
}
