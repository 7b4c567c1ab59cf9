/* notice.h - what the recipient reads about what mugai did, in the notice
 * language: the banner at the top of a sanitised body, and the body of the
 * notice that replaces a withheld message. Never quotes original content
 * beyond the names of attachments (cleaned of control and bidi characters). */
#pragma once
#include "pipeline/job.h"

char *mg_notice_banner (const MgJob *job, const char *id);
/* SUBJECT and FROM are decoded header values (may be NULL). */
char *mg_notice_withheld (const MgJob *job, const char *id, const char *from,
                          const char *subject);
