/* jsonsafe.c - \uXXXX for the invisible characters in generated JSON.
 *
 * Must keep the JSON value the same (only characters inside strings are
 * rewritten, as escapes that decode to them) and never read past the text.
 */
#include "util/jsonsafe.h"

static gboolean
jsonsafe_hidden (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR ||
         type == G_UNICODE_PARAGRAPH_SEPARATOR || (type == G_UNICODE_CONTROL && c >= 0x7f);
}

static void
jsonsafe_append (GString *out, gunichar c)
{
  if (c > 0xffff) {
    c -= 0x10000;
    g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
  } else {
    g_string_append_printf (out, "\\u%04x", c);
  }
}

char *
mg_jsonsafe_escape (char *json)
{
  GString *out = NULL;
  const char *p = json, *done = json;

  if (json == NULL || !g_utf8_validate (json, -1, NULL))
    return json;
  for (; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c;
    if ((guchar) *p < 0x80)
      continue;
    c = g_utf8_get_char (p);
    if (!jsonsafe_hidden (c))
      continue;
    if (out == NULL)
      out = g_string_new (NULL);
    g_string_append_len (out, done, p - done);
    jsonsafe_append (out, c);
    done = g_utf8_next_char (p);
  }
  if (out == NULL)
    return json;
  g_string_append (out, done);
  g_free (json);
  return g_string_free (out, FALSE);
}
