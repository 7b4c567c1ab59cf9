/* inventory.h - the list of a message's parts, made before the risky work.
 *
 * A sandboxed worker lists the parts of the message it has just parsed (MIME
 * path, decoded name, declared type, decoded size) and sends the list to the
 * front before it scans, decodes embedded blocks or converts anything. If
 * the worker then dies or is killed, the front's notice and report still name
 * every part instead of saying there were none. Inline text bodies are not
 * listed (they are not attachments). The list is text, one part per line,
 * four tab-separated fields; the front reads it strictly and parses nothing
 * else of the message.
 */
#pragma once
#include "pipeline/job.h"

/* In the worker: the list for MESSAGE (within the parts and depth limits). */
char *mg_inventory_list (MgJob *job, GMimeMessage *message);

/* In the front: one withheld part in JOB per line of LIST. FALSE (and JOB
 * unchanged) when LIST is malformed or longer than the parts limit. */
gboolean mg_inventory_add_parts (MgJob *job, const char *list);
