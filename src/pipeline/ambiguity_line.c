/* ambiguity_line.c - header lines that are no header field.
 *
 * A line without a field name inside a header block mugai does not deliver
 * ("REDACTED" where an attached original should be; a folded Received field
 * whose continuation lost its indent): GMime and Thunderbird skip it and read
 * the fields after it, Python's email package ends the block there and reads
 * the rest as text. mugai takes the first reading, which has every part the
 * second has and more, and sanitises each; the second sees the same bytes as
 * one text part. The readings differ in what the bytes are decoded as only
 * when a MIME field comes before the line (the second decodes the fields after
 * it with that field's encoding) or the line itself may be a MIME field.
 *
 * A line that continues a field ending in ';' as "name=value" is indented
 * before parsing (mg_ambiguity_join_orphans): it is the parameter it looks
 * like, and a multipart whose boundary is left out has no parts to show.
 */
#include "pipeline/ambiguity.h"

#include <string.h>

static gboolean
starts_field (const char *line, const char *end, const char *name)
{
  gsize n = strlen (name);
  const char *p = line + n;

  if ((gsize) (end - line) < n || g_ascii_strncasecmp (line, name, n) != 0)
    return FALSE;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p < end && *p == ':';
}

static const char *
field_value (const char *line, const char *end)
{
  const char *p = memchr (line, ':', (gsize) (end - line));

  for (p = p + 1; p < end && (*p == ' ' || *p == '\t'); p++)
    ;
  return p;
}

static gboolean
value_is (const char *p, const char *end, const char *const *words)
{
  for (; *words != NULL; words++) {
    gsize n = strlen (*words);
    if ((gsize) (end - p) >= n && g_ascii_strncasecmp (p, *words, n) == 0)
      return TRUE;
  }
  return FALSE;
}

/* A MIME field (or one that may be the first of a folded MIME field). */
static gboolean
is_mime_field (const char *line, const char *end)
{
  return (end - line >= 8 && g_ascii_strncasecmp (line, "Content-", 8) == 0) ||
         starts_field (line, end, "MIME-Version");
}

/* The first line of the field before the one at LINE, or NULL at the start
 * of the block. */
static const char *
previous_field (const char *data, const char *line)
{
  const char *p = line;

  while (p > data) {
    const char *prev = p - 1; /* its '\n' */
    while (prev > data && prev[-1] != '\n')
      prev--;
    if (p - prev <= 1 || (p - prev == 2 && *prev == '\r'))
      return NULL; /* blank line: LINE opens the block */
    if (*prev != ' ' && *prev != '\t')
      return prev;
    p = prev;
  }
  return NULL;
}

gboolean
mg_ambiguity_stray_line_harmless (const char *data, gsize len, gint64 offset, const char *item)
{
  const char *end = data + len, *line, *prev;
  gsize n;

  if (data == NULL || offset < 0 || (gsize) offset >= len || item == NULL)
    return FALSE;
  line = data + offset;
  n = strlen (item);
  /* GMime names the line it found; anything else is not understood here. */
  if (n > len - (gsize) offset || memcmp (line, item, n) != 0 ||
      (line > data && line[-1] != '\n'))
    return FALSE;
  if (g_ascii_strncasecmp (line, "Content", MIN (n, 7)) == 0 ||
      g_ascii_strncasecmp (line, "MIME", MIN (n, 4)) == 0)
    return FALSE; /* "Content Type: ..." may still be read as one */
  prev = previous_field (data, line);
  return prev == NULL || !is_mime_field (prev, end);
}

/* --- lines whose indent was lost ------------------------------------------ */

/* Boundaries remembered for finding part header blocks; more are ignored. */
#define MG_JOIN_BOUNDARIES 64

typedef struct {
  GPtrArray *boundaries; /* char *, declared anywhere */
  gboolean in_block;     /* inside a header block */
  gboolean semicolon;    /* the block's last line ends with ';' */
  gboolean message;      /* the block declares an attached message or headers */
} MgJoin;

static gboolean
ends_with_semicolon (const char *line, const char *eol)
{
  while (eol > line && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
    eol--;
  return eol > line && eol[-1] == ';';
}

/* "name=value" (an RFC 2045 token, RFC 2231 '*' included, then '='), with
 * no ':' before the '='. */
static gboolean
is_param_line (const char *line, const char *eol)
{
  const char *p = line;

  while (p < eol && (g_ascii_isalnum (*p) || strchr ("!#$%&'*+.^_`|~-", *p) != NULL))
    p++;
  if (p == line)
    return FALSE;
  while (p < eol && (*p == ' ' || *p == '\t'))
    p++;
  return p < eol && *p == '=';
}

static const char *
find_ci (const char *s, const char *end, const char *word)
{
  gsize n = strlen (word);

  for (const char *p = s; p + n <= end; p++)
    if (g_ascii_strncasecmp (p, word, n) == 0)
      return p;
  return NULL;
}

static void
remember_boundary (MgJoin *j, const char *line, const char *eol)
{
  const char *p = find_ci (line, eol, "boundary=");
  const char *q;

  if (p == NULL || j->boundaries->len >= MG_JOIN_BOUNDARIES)
    return;
  p += strlen ("boundary=");
  if (p < eol && *p == '"') {
    p++;
    q = memchr (p, '"', (gsize) (eol - p));
  } else {
    for (q = p; q < eol && *q != ';' && *q != ' ' && *q != '\t' && *q != '\r'; q++)
      ;
  }
  if (q != NULL && q > p)
    g_ptr_array_add (j->boundaries, g_strndup (p, (gsize) (q - p)));
}

/* A delimiter line (not the closing one) of a declared boundary. */
static gboolean
opens_part (MgJoin *j, const char *line, const char *eol)
{
  while (eol > line && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
    eol--;
  if (eol - line < 3 || line[0] != '-' || line[1] != '-')
    return FALSE;
  for (guint i = 0; i < j->boundaries->len; i++) {
    const char *b = g_ptr_array_index (j->boundaries, i);
    gsize n = strlen (b);
    if ((gsize) (eol - line) == n + 2 && memcmp (line + 2, b, n) == 0)
      return TRUE;
  }
  return FALSE;
}

/* One line of a header block; TRUE when it must be indented. */
static gboolean
block_line (MgJoin *j, const char *line, const char *eol)
{
  gboolean orphan = FALSE;

  if (eol == line || (eol - line == 1 && *line == '\r')) {
    /* An attached message's own header block follows its part's. */
    j->in_block = j->message;
    j->message = FALSE;
    j->semicolon = FALSE;
    return FALSE;
  }
  if (*line != ' ' && *line != '\t') {
    orphan = j->semicolon && is_param_line (line, eol);
    if (!orphan && starts_field (line, eol, "Content-Type")) {
      const char *v = field_value (line, eol);
      static const char *const message[] = { "message/rfc822", "text/rfc822-headers",
                                             "message/global", NULL };
      j->message = value_is (v, eol, message);
    }
  }
  j->semicolon = ends_with_semicolon (line, eol);
  remember_boundary (j, line, eol);
  return orphan;
}

GByteArray *
mg_ambiguity_join_orphans (const char *data, gsize len)
{
  g_autoptr (GPtrArray) boundaries = g_ptr_array_new_with_free_func (g_free);
  MgJoin j = { boundaries, TRUE, FALSE, FALSE };
  const char *end = data + len;
  GByteArray *out = NULL; /* made at the first orphan: most mail has none */

  for (const char *line = data; data != NULL && line < end;) {
    const char *nl = memchr (line, '\n', (gsize) (end - line));
    const char *eol = nl != NULL ? nl : end;
    gsize n = (gsize) (eol - line) + (nl != NULL);
    if (j.in_block && block_line (&j, line, eol)) {
      if (out == NULL) {
        out = g_byte_array_sized_new ((guint) len + 16);
        g_byte_array_append (out, (const guint8 *) data, (guint) (line - data));
      }
      g_byte_array_append (out, (const guint8 *) "\t", 1);
    } else if (!j.in_block && opens_part (&j, line, eol)) {
      j.in_block = TRUE;
      j.semicolon = FALSE;
    }
    if (out != NULL)
      g_byte_array_append (out, (const guint8 *) line, (guint) n);
    line += n;
  }
  return out;
}
