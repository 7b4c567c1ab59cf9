/* mimeword_decode.c - RFC 2047 encoded-words in unstructured and structured
 * header values, decoded to UTF-8.
 *
 * Decoding is as lenient as the mail clients mugai's users run: encoded-words
 * inside quoted strings and unquoted filenames (Outlook, Becky!), characters
 * split across words, raw 8-bit Shift_JIS or UTF-8 (guessed through
 * mime/charset). It must never take more than linear time or memory on hostile
 * values, and never return decoded text holding CR, LF, NUL or other control
 * characters (they become spaces), so no decoded value can forge a header line.
 */
#include "mime/mimeword.h"
#include "mime/mimeword_private.h"

#include "mime/charset.h"

#include <string.h>

typedef struct {
  const char *charset; /* not NUL-terminated */
  gsize charset_len;   /* without an RFC 2231 "*lang" part */
  char encoding;       /* 'B' or 'Q' */
  const char *text;
  gsize text_len;
  gsize len; /* of the whole "=?...?=" */
} MgEncodedWord;

static gboolean
charset_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-_.:*!#$%&'+^`{|}~", c) != NULL);
}

/* Reads "=?charset?B|Q?text?=" at P. The text stops at the first '?' or
 * blank, so a run of false starts costs linear time. */
static gboolean
parse_encoded_word (const char *p, MgEncodedWord *w)
{
  const char *cs = p + 2, *q = cs, *lang, *t;

  if (p[0] != '=' || p[1] != '?')
    return FALSE;
  while (charset_char (*q))
    q++;
  if (q == cs || q[0] != '?' || strchr ("BbQq", q[1]) == NULL || q[1] == '\0' || q[2] != '?')
    return FALSE;
  t = q + 3;
  w->text = t;
  while (*t != '\0' && *t != '?' && !g_ascii_isspace (*t))
    t++;
  if (t[0] != '?' || t[1] != '=')
    return FALSE;
  lang = memchr (cs, '*', (gsize) (q - cs));
  w->charset = cs;
  w->charset_len = (gsize) ((lang != NULL ? lang : q) - cs);
  w->encoding = g_ascii_toupper (q[1]);
  w->text_len = (gsize) (t - w->text);
  w->len = (gsize) (t + 2 - p);
  return w->charset_len > 0;
}

/* The one hex-escape loop of RFC 2047 Q ('=' escapes, '_' a space) and
 * RFC 2231 ('%' escapes): an escape not followed by two hex digits is kept as
 * written. */
void
mg_mimeword_unescape (const char *t, gsize n, char escape, GByteArray *out)
{
  for (gsize i = 0; i < n; i++) {
    guint8 b = (guint8) t[i];
    if (escape == '=' && t[i] == '_') {
      b = ' ';
    } else if (t[i] == escape && i + 2 < n && g_ascii_isxdigit (t[i + 1]) &&
               g_ascii_isxdigit (t[i + 2])) {
      b = (guint8) (g_ascii_xdigit_value (t[i + 1]) << 4 | g_ascii_xdigit_value (t[i + 2]));
      i += 2;
    }
    g_byte_array_append (out, &b, 1);
  }
}

/* Base64 as clients read it: characters outside the alphabet are skipped,
 * missing padding is supplied, and the text ends at the first '='. */
static void
decode_b (const char *t, gsize n, GByteArray *out)
{
  g_autoptr (GString) clean = g_string_sized_new (n + 3);
  gint state = 0;
  guint save = 0;
  guint old = out->len;

  for (gsize i = 0; i < n && t[i] != '='; i++)
    if (g_ascii_isalnum (t[i]) || t[i] == '+' || t[i] == '/')
      g_string_append_c (clean, t[i]);
  while (clean->len % 4 != 0)
    g_string_append_c (clean, '=');
  g_byte_array_set_size (out, old + (guint) (clean->len / 4 * 3 + 3));
  g_byte_array_set_size (out,
                         old + (guint) g_base64_decode_step (clean->str, clean->len,
                                                             out->data + old, &state, &save));
}

/* Bytes wait here until the charset or the kind of text changes, so that
 * adjacent encoded-words of one charset are decoded as one. */
typedef struct {
  GString *out;
  GByteArray *bytes;
  char *charset;           /* of BYTES when they came from encoded-words */
  gboolean word;           /* BYTES came from encoded-words */
  gboolean any_word;       /* an encoded-word was decoded */
  const char *raw_charset; /* guessed for text outside encoded-words */
} MgWordDecoder;

static void
word_flush (MgWordDecoder *d)
{
  g_autofree char *text = NULL;

  if (d->bytes->len == 0)
    return;
  text = mg_charset_decode ((const char *) d->bytes->data, d->bytes->len,
                            d->word ? d->charset : d->raw_charset, NULL);
  g_string_append (d->out, text);
  g_byte_array_set_size (d->bytes, 0);
}

static void
word_switch (MgWordDecoder *d, gboolean word, const char *charset, gsize charset_len)
{
  if (d->word == word &&
      (!word || (strlen (d->charset) == charset_len &&
                 g_ascii_strncasecmp (d->charset, charset, charset_len) == 0)))
    return;
  word_flush (d);
  d->word = word;
  g_free (d->charset);
  d->charset = word ? g_strndup (charset, charset_len) : NULL;
}

static void
word_add (MgWordDecoder *d, const MgEncodedWord *w)
{
  word_switch (d, TRUE, w->charset, w->charset_len);
  if (w->encoding == 'B')
    decode_b (w->text, w->text_len, d->bytes);
  else
    mg_mimeword_unescape (w->text, w->text_len, '=', d->bytes);
  d->any_word = TRUE;
}

/* Control characters (CR and LF included) become spaces. */
void
mg_mimeword_neutralise_controls (char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || *s == 0x7f)
      *s = ' ';
}

/* Decodes LEN bytes of S: encoded-words anywhere (the blanks between two of
 * them dropped), other bytes in the charset guessed for the whole text. */
char *
mg_mimeword_decode_words (const char *s, gsize len, gboolean *any_word_r)
{
  MgWordDecoder d = { g_string_sized_new (len), g_byte_array_new (), NULL, FALSE, FALSE,
                      mg_charset_guess (s, len) };
  const char *end = s + len;
  MgEncodedWord w, next;

  for (const char *p = s; p < end;) {
    if (parse_encoded_word (p, &w) && p + w.len <= end) {
      const char *q = p + w.len;
      word_add (&d, &w);
      p = q;
      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      if (q > p && q < end && parse_encoded_word (q, &next))
        p = q;
      continue;
    }
    word_switch (&d, FALSE, NULL, 0);
    g_byte_array_append (d.bytes, (const guint8 *) p++, 1);
  }
  word_flush (&d);
  g_byte_array_unref (d.bytes);
  g_free (d.charset);
  if (any_word_r != NULL)
    *any_word_r = d.any_word;
  mg_mimeword_neutralise_controls (d.out->str);
  return g_string_free (d.out, FALSE);
}

/* RFC 5322 unfolding; a CR or LF that folds nothing is dropped as well. */
char *
mg_mimeword_unfold (const char *raw)
{
  GString *s = g_string_sized_new (strlen (raw));

  for (const char *p = raw; *p != '\0'; p++)
    if (*p != '\r' && *p != '\n')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

char *
mg_mimeword_decode_header (const char *raw)
{
  g_autofree char *unfolded = NULL;

  if (raw == NULL)
    return g_strdup ("");
  unfolded = mg_mimeword_unfold (raw);
  return g_strstrip (mg_mimeword_decode_words (unfolded, strlen (unfolded), NULL));
}

/* ---- structured headers (addresses) -------------------------------------- */

/* The end of the run of encoded-words starting at P (blanks between them
 * belong to the run), or P when none starts there. */
static const char *
word_run_end (const char *p, const char *end)
{
  MgEncodedWord w;
  const char *run_end = p;

  while (run_end < end && parse_encoded_word (run_end, &w) && run_end + w.len <= end) {
    const char *q = run_end + w.len;
    run_end = q;
    while (q < end && (*q == ' ' || *q == '\t'))
      q++;
    if (q == end || !parse_encoded_word (q, &w))
      break;
    run_end = q;
  }
  return run_end;
}

char *
mg_mimeword_protect_words (const char *raw, const char *tag, GPtrArray *decoded)
{
  g_autofree char *unfolded = mg_mimeword_unfold (raw != NULL ? raw : "");
  gsize len = strlen (unfolded);
  const char *end = unfolded + len;
  g_autoptr (GString) bytes = g_string_sized_new (len);
  char *text;

  for (const char *p = unfolded; p < end;) {
    const char *run_end = word_run_end (p, end);
    if (run_end == p) {
      g_string_append_c (bytes, *p++);
      continue;
    }
    g_ptr_array_add (decoded,
                     g_strstrip (mg_mimeword_decode_words (p, (gsize) (run_end - p), NULL)));
    g_string_append_printf (bytes, "%s%u%s", tag, decoded->len - 1, tag);
    p = run_end;
  }
  text = mg_charset_decode (bytes->str, bytes->len, mg_charset_guess (unfolded, len), NULL);
  mg_mimeword_neutralise_controls (text);
  return text;
}

char *
mg_mimeword_restore_words (const char *text, const char *tag, GPtrArray *decoded)
{
  GString *out = g_string_new (NULL);
  gsize tag_len = strlen (tag);
  const char *p = text;
  const char *hit;

  while ((hit = strstr (p, tag)) != NULL) {
    char *digits_end = NULL;
    guint64 index = g_ascii_strtoull (hit + tag_len, &digits_end, 10);
    g_string_append_len (out, p, hit - p);
    if (digits_end == hit + tag_len || index >= decoded->len ||
        strncmp (digits_end, tag, tag_len) != 0) {
      g_string_append_len (out, hit, (gssize) tag_len); /* not a placeholder */
      p = hit + tag_len;
      continue;
    }
    g_string_append (out, g_ptr_array_index (decoded, index));
    p = digits_end + tag_len;
  }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

gboolean
mg_mimeword_holds_encoded_word (const char *s)
{
  MgEncodedWord w;

  for (const char *p = strstr (s, "=?"); p != NULL; p = strstr (p + 2, "=?"))
    if (parse_encoded_word (p, &w))
      return TRUE;
  return FALSE;
}

gboolean
mg_mimeword_starts_word (const char *p)
{
  MgEncodedWord w;

  return parse_encoded_word (p, &w);
}
