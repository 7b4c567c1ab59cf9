/* mimeword_encode.c - UTF-8 header values and parameters written for
 * output: RFC 2047 B-words folded under 78 columns (UTF-8 or ISO-2022-JP),
 * RFC 2231 parameters with continuations.
 *
 * It must never split a character across words, never write a line over the
 * RFC 5322 limit for the text it folds, and never let a control character of
 * the value reach the output (they become spaces).
 */
#include "mime/mimeword.h"
#include "mime/mimeword_private.h"

#include "mime/charset.h"

#include <string.h>

#define MG_MIMEWORD_LINE_MAX 78      /* RFC 5322 2.1.1 */
#define MG_MIMEWORD_WORD_LINE_MAX 76 /* a line holding encoded-words, RFC 2047 2 */
#define MG_MIMEWORD_WORD_MAX 75      /* RFC 2047 2 */
#define MG_MIMEWORD_SECTION_DIGITS 4

typedef struct {
  GString *out;
  gsize col;              /* of the end of the current line, "Name: " included */
  gboolean line_has_word; /* the current line holds an encoded-word */
  gboolean iso2022jp;
} MgHeaderWriter;

static gboolean
needs_encoding (const char *word, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) word[i] >= 0x80 || (word[i] == '=' && i + 1 < len && word[i + 1] == '?'))
      return TRUE;
  return FALSE;
}

/* The end of the character at P, a half-width kana keeping its voiced mark
 * (CP50220 joins them). */
static const char *
next_unit (const char *p)
{
  gunichar c = g_utf8_get_char (p);
  const char *next = g_utf8_next_char (p);
  gunichar mark = *next != '\0' ? g_utf8_get_char (next) : 0;

  if (c >= 0xff61 && c <= 0xff9d && (mark == 0xff9e || mark == 0xff9f))
    return g_utf8_next_char (next);
  return next;
}

/* The length of a UTF-8 B-word holding BYTES bytes: "=?UTF-8?B?" + "?=". */
static gsize
utf8_word_len (gsize bytes)
{
  return 10 + (bytes + 2) / 3 * 4 + 2;
}

/* The encoded-word for the LEN bytes of TEXT. */
static char *
make_word (const char *text, gsize len, gboolean iso2022jp)
{
  g_autofree char *chunk = g_strndup (text, len);
  g_autofree char *jis = NULL, *b64 = NULL;
  gsize jis_len = 0;

  if (!iso2022jp) {
    b64 = g_base64_encode ((const guchar *) chunk, len);
    return g_strconcat ("=?UTF-8?B?", b64, "?=", NULL);
  }
  jis = mg_charset_encode_iso2022jp (chunk, &jis_len);
  if (jis == NULL) /* only a split the caller avoids: keep the text */
    return make_word (text, len, FALSE);
  b64 = g_base64_encode ((const guchar *) jis, jis_len);
  return g_strconcat ("=?ISO-2022-JP?B?", b64, "?=", NULL);
}

/* How many bytes of TEXT (whole characters) fit in one word of MAX chars. */
static gsize
fit_word (const char *text, gsize len, gsize max, gboolean iso2022jp)
{
  gsize fit = 0;

  for (const char *p = text; p < text + len;) {
    const char *next = next_unit (p);
    gsize n = (gsize) (next - text), word_len;
    if (iso2022jp) {
      g_autofree char *word = make_word (text, n, TRUE);
      word_len = strlen (word);
    } else {
      word_len = utf8_word_len (n);
    }
    if (word_len > max)
      break;
    fit = n;
    p = next;
  }
  return fit;
}

static void
writer_fold (MgHeaderWriter *w)
{
  g_string_append_c (w->out, '\n');
  w->col = 0;
  w->line_has_word = FALSE;
}

static void
write_plain (MgHeaderWriter *w, const char *ws, gsize ws_len, const char *word, gsize len)
{
  gsize max = w->line_has_word ? MG_MIMEWORD_WORD_LINE_MAX : MG_MIMEWORD_LINE_MAX;

  if (ws_len > 0 && w->col + ws_len + len > max)
    writer_fold (w);
  g_string_append_len (w->out, ws, (gssize) ws_len);
  g_string_append_len (w->out, word, (gssize) len);
  w->col += ws_len + len;
}

/* Writes TEXT as encoded-words after the blanks WS, folding between words. */
static void
write_encoded (MgHeaderWriter *w, const char *ws, gsize ws_len, const char *text, gsize len)
{
  const char *end = text + len;

  for (const char *p = text; p < end;) {
    /* the blanks before the run, a space between words, nothing at the start */
    const char *sep = ws_len > 0 ? ws : w->out->len > 0 ? " " : "";
    gsize sep_len = ws_len > 0 ? ws_len : strlen (sep);
    gsize room = MG_MIMEWORD_WORD_LINE_MAX - MIN (MG_MIMEWORD_WORD_LINE_MAX, w->col + sep_len);
    gsize n = fit_word (p, (gsize) (end - p), MIN (room, MG_MIMEWORD_WORD_MAX), w->iso2022jp);
    g_autofree char *word = NULL;

    if (n == 0 && w->col > sep_len) {
      writer_fold (w);
      continue;
    }
    if (n == 0) /* cannot happen: a word of 75 holds any character */
      n = (gsize) (next_unit (p) - p);
    word = make_word (p, n, w->iso2022jp);
    g_string_append_len (w->out, sep, (gssize) sep_len);
    g_string_append (w->out, word);
    w->col += sep_len + strlen (word);
    w->line_has_word = TRUE;
    p += n;
    ws = " ";
    ws_len = 1;
  }
}

static gsize
span_blank (const char *p, const char *end)
{
  const char *q = p;

  while (q < end && (*q == ' ' || *q == '\t'))
    q++;
  return (gsize) (q - p);
}

static gsize
span_word (const char *p, const char *end)
{
  const char *q = p;

  while (q < end && *q != ' ' && *q != '\t')
    q++;
  return (gsize) (q - p);
}

/* Writes TEXT word by word; runs of words that need encoding (and the blanks
 * inside the run) become encoded-words, the rest stays as it is. */
static void
write_words (MgHeaderWriter *w, const char *text)
{
  const char *end = text + strlen (text), *p = text;

  while (p < end) {
    gsize ws = span_blank (p, end), len = span_word (p + ws, end);
    const char *word = p + ws, *run_end = word + len;

    if (len == 0) { /* trailing blanks */
      g_string_append_len (w->out, p, (gssize) ws);
      break;
    }
    if (!needs_encoding (word, len)) {
      write_plain (w, p, ws, word, len);
      p = run_end;
      continue;
    }
    for (;;) { /* extend the run over following words that need encoding */
      gsize ws2 = span_blank (run_end, end), len2 = span_word (run_end + ws2, end);
      if (len2 == 0 || !needs_encoding (run_end + ws2, len2))
        break;
      run_end += ws2 + len2;
    }
    write_encoded (w, p, ws, word, (gsize) (run_end - word));
    p = run_end;
  }
}

char *
mg_mimeword_encode_header (const char *name, const char *utf8, gboolean iso2022jp)
{
  g_autofree char *text = NULL, *jis = NULL;
  MgHeaderWriter w = { NULL, 0, FALSE, FALSE };

  g_return_val_if_fail (name != NULL && utf8 != NULL, NULL);
  w.out = g_string_new (NULL);
  w.col = strlen (name) + 2;
  text = g_utf8_make_valid (utf8, -1);
  mg_mimeword_neutralise_controls (text);
  if (iso2022jp && needs_encoding (text, strlen (text)))
    w.iso2022jp = (jis = mg_charset_encode_iso2022jp (text, NULL)) != NULL;
  write_words (&w, text);
  return g_string_free (w.out, FALSE);
}

/* ---- encoding parameters ------------------------------------------------- */

#define MG_MIMEWORD_SEGMENT_MAX 76 /* " name*N*=...;" within a line */

static gboolean
attribute_char (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$&+-.^_`|~", c) != NULL);
}

/* RFC 2231 percent-encoding of one character. */
static void
percent_encode (const char *p, const char *end, GString *out)
{
  for (; p < end; p++) {
    if (attribute_char ((guchar) *p))
      g_string_append_c (out, *p);
    else
      g_string_append_printf (out, "%%%02X", (guchar) *p);
  }
}

static gboolean
quotable (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || (guchar) *s >= 0x7f)
      return FALSE;
  return TRUE;
}

static char *
encode_quoted (const char *name, const char *s)
{
  GString *out = g_string_new (name);

  g_string_append (out, "=\"");
  for (; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *s);
  }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* NAME*0*=UTF-8''.., NAME*1*=.. with whole characters in each segment. */
static char *
encode_sections (const char *name, const char *text)
{
  GString *out = g_string_new (NULL), *seg = g_string_new (NULL);
  guint section = 0;

  for (const char *p = text; *p != '\0';) {
    const char *next = g_utf8_next_char (p);
    GString *enc = g_string_new (NULL);
    percent_encode (p, next, enc);
    if (seg->len > 0 && seg->len + enc->len > MG_MIMEWORD_SEGMENT_MAX) {
      g_string_append_printf (out, "%s%s", out->len > 0 ? ";\n " : "", seg->str);
      g_string_printf (seg, "%s*%u*=", name, ++section);
    } else if (seg->len == 0) {
      g_string_printf (seg, "%s*0*=UTF-8''", name);
    }
    g_string_append_len (seg, enc->str, (gssize) enc->len);
    g_string_free (enc, TRUE);
    p = next;
  }
  g_string_append_printf (out, "%s%s", out->len > 0 ? ";\n " : "", seg->str);
  g_string_free (seg, TRUE);
  return g_string_free (out, FALSE);
}

char *
mg_mimeword_encode_param (const char *name, const char *utf8)
{
  g_autofree char *text = NULL;
  g_autoptr (GString) enc = NULL;

  g_return_val_if_fail (name != NULL && utf8 != NULL, NULL);
  text = g_utf8_make_valid (utf8, -1);
  enc = g_string_new (NULL);
  if (quotable (text))
    return encode_quoted (name, text);
  percent_encode (text, text + strlen (text), enc);
  if (strlen (name) + strlen ("*=UTF-8''") + enc->len <= MG_MIMEWORD_SEGMENT_MAX)
    return g_strdup_printf ("%s*=UTF-8''%s", name, enc->str);
  return encode_sections (name, text);
}
