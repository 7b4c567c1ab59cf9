/* charset.h - decode Japanese (and other) text to UTF-8 without losing a character.
 *
 * glibc's iconv turns what real Japanese senders write into '?' or drops it:
 * ISO-2022-JP carrying CP932 extensions (CP50220/50221), Shift_JIS that is
 * really CP932. This module decodes those as Microsoft's software meant them,
 * EUC-JP including half-width kana and JIS X 0212, UTF-8 including non-BMP, and
 * anything else iconv knows. It never writes '?' silently: bytes that no
 * reading explains become U+FFFD and are counted.
 *
 * It knows nothing of MIME: callers pass bytes and a charset label.
 */
#pragma once
#include <glib.h>

/* Decode LEN bytes labelled CHARSET (may be NULL or unknown) to UTF-8.
 * A wrong label is corrected when the bytes plainly say otherwise (an
 * ISO-2022-JP label on Shift_JIS or UTF-8 bytes). Returns a newly allocated
 * NUL-terminated valid UTF-8 string (NUL bytes of the input are dropped); sets
 * *invalid_r (if not NULL) to the number of U+FFFD substitutions. Never fails. */
char *mg_charset_decode (const char *data, gsize len, const char *charset, gsize *invalid_r);

/* Guess the charset of unlabelled bytes: "us-ascii", "utf-8", "iso-2022-jp",
 * "cp932", "euc-jp", or "windows-1252" as a last resort. Static string. */
const char *mg_charset_guess (const char *data, gsize len);

/* Encode UTF-8 into ISO-2022-JP in Microsoft's CP50220 form (so that ① ㈱ 髙
 * survive, half-width kana become full-width). Returns NULL when a character has
 * no JIS/CP932 code; the caller then keeps UTF-8. */
char *mg_charset_encode_iso2022jp (const char *utf8, gsize *len_r);
