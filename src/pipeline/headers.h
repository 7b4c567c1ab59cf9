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
 * NULL when absent. Newly allocated. From, To, Cc and Reply-To come as
 * mg_headers_get_addresses gives them. */
char *mg_headers_get_decoded (GMimeObject *object, const char *name);

/* The addresses of header NAME for display (decoded names, real addresses),
 * read as mg_headers_write_whitelist writes them; NULL when none. */
char *mg_headers_get_addresses (GMimeObject *object, const char *name);

/* NAME, the decoded display name of ADDR (NULL for a group), as it may be
 * shown: unchanged unless it could be read as an address (it holds '@', '<',
 * '>' or a look-alike); then NULL when it is just ADDR, else 「NAME」 with
 * each '@' written "(at)" and the brackets dropped. */
char *mg_headers_safe_display_name (const char *name, const char *addr);

/* Without parsing MIME (for a message the sanitiser failed on): append From,
 * To, Cc, Subject, Date and Message-ID of the raw header block of MESSAGE,
 * unfolded, and only those whose value is short printable ASCII (encoded
 * words stay encoded); From, To and Cc only when they are plain addresses
 * (no display name that could carry a second address). */
void mg_headers_copy_raw_safe (GBytes *message, GString *out);

/* LINES (what mg_headers_write_whitelist wrote, in a worker) appended to OUT
 * when every line is printable ASCII under 998 bytes and a whitelisted
 * header or its continuation; FALSE (OUT unchanged) otherwise. */
gboolean mg_headers_append_checked (const char *lines, GString *out);

/* Append the whitelisted headers of MESSAGE to OUT as "Name: value\n" lines,
 * encoded for transport (RFC 2047; ISO-2022-JP words when ISO2022JP). */
void mg_headers_write_whitelist (GMimeMessage *message, gboolean iso2022jp, GString *out);
