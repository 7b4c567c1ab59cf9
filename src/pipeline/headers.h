/* headers.h - the headers the LGWAN side may receive, decoded and re-encoded.
 *
 * Only this whitelist passes: From, To, Cc, Reply-To, Subject, Date,
 * Message-ID, In-Reply-To, References. Each is decoded to UTF-8 (Japanese kept)
 * and written again in mugai's own clean form; a value that cannot be written
 * cleanly is dropped, never passed as it came.
 */
#pragma once
#include <glib.h>
#include "pipeline/gmime_autoptr.h"

/* The first header NAME of OBJECT decoded to UTF-8 (RFC 2047, raw 8-bit), or
 * NULL when absent. Newly allocated. */
char *mg_headers_get_decoded (GMimeObject *object, const char *name);

/* Without parsing MIME (for a message the sanitiser failed on): append From,
 * To, Cc, Subject, Date and Message-ID of the raw header block of MESSAGE,
 * unfolded, and only those whose value is short printable ASCII (encoded
 * words stay encoded). */
void mg_headers_copy_raw_safe (GBytes *message, GString *out);

/* Append the whitelisted headers of MESSAGE to OUT as "Name: value\n" lines,
 * encoded for transport (RFC 2047; ISO-2022-JP words when ISO2022JP). */
void mg_headers_write_whitelist (GMimeMessage *message, gboolean iso2022jp, GString *out);
