/* classify.h - the type of a part, from its bytes only (libmagic).
 * Never from the declared type or the name (THREATS.md 23, 58). */
#pragma once
#include <glib.h>

/* Load the magic database for this thread; FALSE with ERROR when unusable. */
gboolean mg_classify_init (GError **error);
/* The MIME type of DATA ("application/pdf"), newly allocated. Empty input is
 * "application/x-empty"; anything libmagic cannot name is
 * "application/octet-stream". Where libmagic sees text or data but a reader
 * would open the bytes as a document, that type wins: "{\rt" is RTF
 * ("text/rtf") as Word reads it, and a MIME header block with a multipart or
 * HTML Content-Type (MHTML, .mht) is "message/rfc822". Thread-safe (one
 * magic handle per thread). */
char *mg_classify_bytes (const void *data, gsize len);
/* Whether mg_classify_bytes() may use the reduced database (classify_db.h)
 * for the bytes it covers; on by default. Off, every type comes from the
 * full database: what the equivalence check compares with. */
void mg_classify_use_reduced (gboolean use);
/* TRUE when this thread has the reduced database loaded (for that check). */
gboolean mg_classify_reduced_ready (void);
