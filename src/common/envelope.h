/* envelope.h - the SMTP envelope of a message, as the MTA gave it.
 *
 * MAIL FROM and every RCPT TO, as the milter sees them (after Postfix's
 * rewriting) or as `mugai mail --sender/--recipient` names them. The envelope,
 * never the message's own From/To/Cc header, is where a released message may
 * go. Borrowed pointers: whoever fills one keeps the strings alive.
 */
#pragma once

typedef struct {
  const char *sender;            /* addr-spec without <>, "" for the null sender */
  const char *const *recipients; /* addr-specs without <>, NULL-terminated */
} MgEnvelope;
