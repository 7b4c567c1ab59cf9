/* parse.h - bytes to a GMime tree, with the parser's warnings recorded. */
#pragma once
#include "pipeline/job.h"

/* Parse BYTES as one RFC 5322 message, the one whose header fields mugai
 * delivers. Critical parser warnings withhold the job (see ambiguity.c).
 * Returns NULL when nothing could be parsed. */
GMimeMessage *mg_parse_message (MgJob *job, GBytes *bytes);
/* The same for a message attached to it (message/rfc822 bytes,
 * text/rfc822-headers), whose header fields are not delivered. */
GMimeMessage *mg_parse_attached (MgJob *job, GBytes *bytes);
