/* milter_spool.h - the raw message as Postfix showed it to the milter.
 *
 * Collects header fields and body chunks into one faithful RFC 5322 message:
 * in memory up to a threshold, then in an unlinked temporary file, so memory
 * stays bounded however large the message. It never interprets the content:
 * no MIME, no charset, no decision; the bytes go to the pipeline as they came.
 */
#pragma once
#include <glib.h>

typedef struct MgMilterSpool MgMilterSpool;

/* A new empty spool that keeps up to THRESHOLD bytes in memory and spools the
 * rest to an unlinked file in TMPDIR. Free with mg_milter_spool_free. */
MgMilterSpool *mg_milter_spool_new (gsize threshold);
void mg_milter_spool_free (MgMilterSpool *spool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgMilterSpool, mg_milter_spool_free)

/* Append one header field as libmilter gave it. VALUE is everything after the
 * colon when LEADSPC (SMFIP_HDR_LEADSPC negotiated), else the value without
 * its leading space; folded lines keep their breaks, and bare LF becomes CRLF
 * so the header block ends lines like the body Postfix sends. */
gboolean mg_milter_spool_add_header (MgMilterSpool *spool, const char *name, const char *value,
                                     gboolean leadspc, GError **error);
/* Append raw bytes (the blank line that ends the headers, body chunks). */
gboolean mg_milter_spool_append (MgMilterSpool *spool, const void *data, gsize len,
                                 GError **error);
gsize mg_milter_spool_size (const MgMilterSpool *spool);
/* TRUE once the message no longer fits the memory threshold. */
gboolean mg_milter_spool_on_disk (const MgMilterSpool *spool);

/* The whole message so far: the memory buffer, or a read-only mapping of the
 * spool file that stays valid after the spool is freed. Caller owns it. */
GBytes *mg_milter_spool_bytes (MgMilterSpool *spool, GError **error);
