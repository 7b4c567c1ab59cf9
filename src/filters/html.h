/* html.h - HTML to readable text (libxml2's HTML parser, no network).
 *
 * Scripts, styles, comments, forms and embedded objects are dropped; block
 * elements become line breaks; links are kept as visible "text <URL>" (the real
 * target shown next to the text even when the text looks like another URL);
 * images become their alt text. Never fetches anything.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

/* Convert LEN bytes of HTML to UTF-8 text. CHARSET is the MIME label (may be
 * NULL); when NULL, a <meta charset> or http-equiv in the bytes decides, then a
 * guess. Decoding goes through mime/charset (CP932/CP5022x kept). Never NULL. */
char *mg_html_to_text (const char *data, gsize len, const char *charset);

/* The attachment filter: text/html and application/xhtml+xml become a .txt. */
extern const MgFilter mg_filter_html;
