/* quarantine_headers.h - what the quarantine reads from an original's header.
 *
 * The header block (for `show`, as text safe for a terminal or, once escaped,
 * HTML) and the addresses (for the index and for the envelope of a release).
 * The original is hostile: addresses are kept only when they are plain ASCII
 * addr-specs that can go into an SMTP command as they are.
 *
 * Never reads or returns anything of the body.
 */
#pragma once
#include <glib.h>

/* The header block of ORIGINAL (up to the first empty line, at most MAX
 * bytes), as valid UTF-8 without control characters other than newline and
 * tab (others become U+FFFD). Owned by the caller. */
char *mg_quarantine_headers_block (GBytes *original, gsize max);

/* TEXT as valid UTF-8 with control characters (but newline and tab when
 * KEEP_NEWLINES, else none) replaced by U+FFFD. Owned by the caller. */
char *mg_quarantine_headers_printable (const char *text, gboolean keep_newlines);

/* The most addresses kept of one header (To and Cc together). */
#define MG_QUARANTINE_HEADERS_ADDRESSES_MAX 1000

/* The addr-spec of From in *SENDER_R and those of To and Cc, ", "-separated,
 * in *RECIPIENTS_R (the first MG_QUARANTINE_HEADERS_ADDRESSES_MAX distinct
 * ones); NULL when none is usable. Both owned by the caller. Parses the
 * header block with GMime: called in a sanitiser worker, whose result
 * carries the addresses to the store. */
void mg_quarantine_headers_addresses (GBytes *original, char **sender_r, char **recipients_r);

/* TRUE when ADDRESS is a plain ASCII addr-spec safe in MAIL FROM / RCPT TO. */
gboolean mg_quarantine_headers_address_valid (const char *address);
