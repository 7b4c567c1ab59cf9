/* parse.h - bytes to a GMime tree, with the parser's warnings recorded. */
#pragma once
#include "pipeline/job.h"

/* Parse BYTES as one RFC 5322 message. Critical parser warnings withhold the
 * job (see ambiguity.c). Returns NULL when nothing could be parsed. */
GMimeMessage *mg_parse_message (MgJob *job, GBytes *bytes);
