/* milter_session.h - per-connection and per-message state of mugai-milter.
 *
 * One session per milter connection (one SMTP session), carrying any number
 * of messages one after the other; a message exists from MAIL FROM until end
 * of message, abort (RSET, client gone) or close. The module also counts the
 * messages in a transaction, so that shutdown can refuse new ones and wait
 * for those already started. It never touches message content.
 */
#pragma once
#include <glib.h>

#include "milter/milter_spool.h"

typedef struct {
  char *queue_id;       /* Postfix's macro i, NULL until it is sent (after RCPT) */
  MgMilterSpool *spool; /* the raw message */
  GPtrArray *headers;   /* MgMilterHeader, as the milter was shown them */
  GError *error;        /* the first failure while collecting, if any */
  gint64 started;       /* monotonic time of MAIL FROM */
  char *env_from;       /* MAIL FROM as the MTA gave it ("<a@b>"), or NULL */
  GPtrArray *env_rcpt;  /* char *: every RCPT TO, NULL-terminated */
} MgMilterMessage;

typedef struct {
  char *client;             /* "host[addr]" for log lines */
  gboolean leadspc;         /* SMFIP_HDR_LEADSPC negotiated */
  unsigned long quiet;      /* SMFIP_NR_* negotiated: steps answered without a reply */
  MgMilterMessage *message; /* the message in progress, or NULL */
} MgMilterSession;

MgMilterSession *mg_milter_session_new (void);
/* Ends any message in progress, then frees. */
void mg_milter_session_free (MgMilterSession *session);

/* Start a new message (ending any previous one). FALSE once shutdown began:
 * the caller must tempfail. */
gboolean mg_milter_session_begin (MgMilterSession *session, gsize spool_threshold);
/* End the message in progress, if any (end of message, abort, close). */
void mg_milter_session_end (MgMilterSession *session);

/* Record MAIL FROM / one RCPT TO of the message in progress, if any. */
void mg_milter_session_envfrom (MgMilterSession *session, const char *sender);
void mg_milter_session_envrcpt (MgMilterSession *session, const char *recipient);

/* The queue id for log lines: the message's, or "NOQUEUE". */
const char *mg_milter_session_queue_id (const MgMilterSession *session);
/* Keep the first error of the message (takes ownership of ERROR). */
void mg_milter_session_fail (MgMilterSession *session, GError *error);

/* Refuse new messages from now on. */
void mg_milter_session_stop_new (void);
/* Wait until no message is in a transaction, at most TIMEOUT seconds.
 * Returns the number still in progress (0: drained). */
guint mg_milter_session_drain (guint timeout);
