/* quarantine_smtp.h - inject a released message into the internet-zone Postfix.
 *
 * A minimal SMTP client (EHLO, MAIL, RCPT, DATA, QUIT) for the listener that
 * [release] smtp names: a Postfix smtpd on loopback without the milter
 * (conf/postfix/release.master.cf), which relays to the LGWAN side.
 *
 * Never sends an address that is not a plain addr-spec, and sends the message
 * with CRLF line ends and dot-stuffing, so that no input can end DATA early.
 */
#pragma once
#include <glib.h>

/* Send MESSAGE from SENDER (NULL or "": the null sender <>) to RECIPIENTS
 * (NULL-terminated) through TARGET ("host:port" or "unix:/path"). *REPLY_R (may be NULL) gets
 * the server's answer to the end of DATA ("250 2.0.0 Ok: queued as ..."). FALSE
 * with ERROR on a refusal or a network failure. */
gboolean mg_quarantine_smtp_send (const char *target, const char *sender,
                                  const char *const *recipients, GBytes *message,
                                  char **reply_r, GError **error);
