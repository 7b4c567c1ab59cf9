/* headers.c - whitelisted headers, decoded then encoded again. */
#include "pipeline/headers.h"

#include <string.h>

#include "pipeline/mimeword.h"

/* Raw header values copied when the message could not be parsed safely. */
#define MG_HEADERS_RAW_MAX 900
#define MG_HEADERS_RAW_SCAN (64 * 1024)

/* Characters of Subject kept: a longer one is cut and marked with "…". */
#define MG_HEADERS_SUBJECT_MAX 300

static const char *const address_headers[] = { "From", "To", "Cc", "Reply-To" };
static const char *const id_headers[] = { "Date", "Message-ID", "In-Reply-To",
                                          "References" };

static const char *
raw_value (GMimeObject *object, const char *name)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *h = g_mime_header_list_get_header (list, name);

  return h != NULL ? g_mime_header_get_raw_value (h) : NULL;
}

char *
mg_headers_get_decoded (GMimeObject *object, const char *name)
{
  const char *raw = raw_value (object, name);
  char *value;

  if (raw == NULL)
    return NULL;
  value = mg_mimeword_decode_header (raw);
  for (char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return g_strstrip (value);
}

/* Date and the ids are ASCII by definition: keep them only when they are. */
static gboolean
clean_ascii (const char *value, gsize max)
{
  gsize len = strlen (value);

  if (len == 0 || len > max)
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 32 || (guchar) *p > 126)
      return FALSE;
  return TRUE;
}

/* Fold at white space so that References with many ids stays under 78
 * columns a line where it can (and under 998 always). */
static void
append_folded (GString *out, const char *name, const char *value)
{
  g_auto (GStrv) words = g_strsplit_set (value, " \t", -1);
  gsize column = strlen (name) + 1;

  g_string_append_printf (out, "%s:", name);
  for (char **w = words; *w != NULL; w++) {
    if (**w == '\0')
      continue;
    if (column + 1 + strlen (*w) > 78 && column > strlen (name) + 1) {
      g_string_append (out, "\n");
      column = 0;
    }
    g_string_append_printf (out, " %s", *w);
    column += 1 + strlen (*w);
  }
  g_string_append_c (out, '\n');
}

static gboolean
words_short (const char *value)
{
  gsize run = 0;

  for (const char *p = value; *p != '\0'; p++) {
    run = (*p == ' ' || *p == '\t') ? 0 : run + 1;
    if (run > 900)
      return FALSE;
  }
  return TRUE;
}

static void
write_id_header (GMimeObject *object, const char *name, GString *out)
{
  const char *raw = raw_value (object, name);
  g_autofree char *unfolded = NULL;

  if (raw == NULL)
    return;
  unfolded = g_strjoinv (" ", g_strsplit_set (raw, "\r\n", -1));
  g_strstrip (unfolded);
  if (clean_ascii (unfolded, 8000) && words_short (unfolded))
    append_folded (out, name, unfolded);
}

static void
write_address_header (GMimeObject *object, const char *name, GString *out)
{
  g_autofree char *decoded = mg_headers_get_decoded (object, name);
  g_autoptr (InternetAddressList) list = NULL;
  g_autoptr (GMimeFormatOptions) format = NULL;
  g_autoptr (GString) line = NULL;

  if (decoded == NULL)
    return;
  list = internet_address_list_parse (NULL, decoded);
  if (list == NULL || internet_address_list_length (list) == 0)
    return;
  format = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_UNIX);
  line = g_string_new (name);
  g_string_append (line, ": ");
  internet_address_list_encode (list, format, line);
  if (line->len > 0 && line->str[line->len - 1] != '\n')
    g_string_append_c (line, '\n');
  g_string_append (out, line->str);
}

static void
write_subject (GMimeObject *object, gboolean iso2022jp, GString *out)
{
  char *decoded = mg_headers_get_decoded (object, "Subject");
  g_autofree char *encoded = NULL;

  if (decoded == NULL)
    return;
  if (g_utf8_strlen (decoded, -1) > MG_HEADERS_SUBJECT_MAX) {
    g_autofree char *cut = g_utf8_substring (decoded, 0, MG_HEADERS_SUBJECT_MAX);
    g_free (decoded);
    decoded = g_strconcat (cut, "…", NULL);
  }
  encoded = mg_mimeword_encode_header ("Subject", decoded, iso2022jp);
  g_free (decoded);
  g_string_append_printf (out, "Subject: %s\n", encoded);
}

void
mg_headers_write_whitelist (GMimeMessage *message, gboolean iso2022jp, GString *out)
{
  GMimeObject *object = GMIME_OBJECT (message);

  for (gsize i = 0; i < G_N_ELEMENTS (address_headers); i++)
    write_address_header (object, address_headers[i], out);
  write_subject (object, iso2022jp, out);
  for (gsize i = 0; i < G_N_ELEMENTS (id_headers); i++)
    write_id_header (object, id_headers[i], out);
}

/* Short printable ASCII only (RFC 2047 words stay encoded, as they came). */
static gboolean
raw_value_safe (const char *value)
{
  gsize len = strlen (value);

  if (len == 0 || len > MG_HEADERS_RAW_MAX)
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

static void
copy_raw_header (const char *line, GString *out)
{
  static const char *const names[] = { "From", "To", "Cc", "Subject", "Date", "Message-ID" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    gsize n = strlen (names[i]);
    if (g_ascii_strncasecmp (line, names[i], n) == 0 && line[n] == ':') {
      g_autofree char *value = g_strstrip (g_strdup (line + n + 1));
      if (raw_value_safe (value))
        g_string_append_printf (out, "%s: %s\n", names[i], value);
      return;
    }
  }
}

void
mg_headers_copy_raw_safe (GBytes *message, GString *out)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autofree char *head = g_strndup (data != NULL ? data : "", MIN (len, MG_HEADERS_RAW_SCAN));
  g_auto (GStrv) lines = g_strsplit (head, "\n", -1);
  g_autoptr (GString) field = g_string_new (NULL);

  for (char **l = lines; *l != NULL; l++) {
    char *line = *l;
    gsize n = strlen (line);
    if (n > 0 && line[n - 1] == '\r')
      line[--n] = '\0';
    if (n == 0)
      break;   /* the end of the header block */
    if (*line == ' ' || *line == '\t') {   /* a continuation: unfold */
      g_string_append (field, line);
      continue;
    }
    copy_raw_header (field->str, out);
    g_string_assign (field, line);
  }
  copy_raw_header (field->str, out);
}
