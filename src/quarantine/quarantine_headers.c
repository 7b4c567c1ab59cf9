/* quarantine_headers.c - header block and addresses of an original.
 *
 * Must never parse more than the header block, nor let a control character,
 * invalid UTF-8 or an address with SMTP syntax in it pass through.
 */
#include "quarantine/quarantine_headers.h"

#include <gmime/gmime.h>
#include <string.h>

#define MG_QUARANTINE_HEADERS_MAX (256 * 1024)
#define MG_QUARANTINE_ADDRESS_MAX 254

static gsize
header_length (const char *data, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++) {
    if (data[i] != '\n')
      continue;
    if (data[i + 1] == '\n')
      return i + 1;
    if (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')
      return i + 1;
  }
  return len;
}

static gboolean
allowed_char (gunichar c, gboolean keep_newlines)
{
  if (c == '\n' || c == '\t')
    return keep_newlines;
  return !g_unichar_iscntrl (c) && c != 0x2028 && c != 0x2029 && c != 0xFEFF &&
         !(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069);
}

char *
mg_quarantine_headers_printable (const char *text, gboolean keep_newlines)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (text == NULL)
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (c == '\r')
      continue;
    if (allowed_char (c, keep_newlines))
      g_string_append_unichar (out, c);
    else
      g_string_append_unichar (out, keep_newlines || c != '\n' ? 0xFFFD : ' ');
  }
  return g_string_free (out, FALSE);
}

char *
mg_quarantine_headers_block (GBytes *original, gsize max)
{
  gsize len;
  const char *data = g_bytes_get_data (original, &len);
  g_autofree char *block = NULL;

  len = MIN (header_length (data, len), max);
  block = g_strndup (data, len); /* a NUL inside ends the block */
  return mg_quarantine_headers_printable (block, TRUE);
}

gboolean
mg_quarantine_headers_address_valid (const char *address)
{
  const char *at;

  if (address == NULL || *address == '\0' || strlen (address) > MG_QUARANTINE_ADDRESS_MAX)
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (*p <= ' ' || *p >= 0x7f || strchr ("<>()[]\\,;:\"", *p) != NULL)
      return FALSE;
  at = strchr (address, '@');
  return at != NULL && at != address && at[1] != '\0' && strchr (at + 1, '@') == NULL;
}

static void
collect (InternetAddressList *list, GPtrArray *out)
{
  for (int i = 0; list != NULL && i < internet_address_list_length (list) &&
                  out->len < MG_QUARANTINE_HEADERS_ADDRESSES_MAX;
       i++) {
    InternetAddress *a = internet_address_list_get_address (list, i);
    if (INTERNET_ADDRESS_IS_GROUP (a)) {
      collect (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (a)), out);
      continue;
    }
    {
      const char *addr = internet_address_mailbox_get_idn_addr (INTERNET_ADDRESS_MAILBOX (a));
      if (mg_quarantine_headers_address_valid (addr) &&
          !g_ptr_array_find_with_equal_func (out, addr, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (addr));
    }
  }
}

static void
init_gmime_once (void)
{
  static gsize done;

  if (g_once_init_enter (&done)) {
    g_mime_init ();
    g_once_init_leave (&done, 1);
  }
}

static GMimeMessage *
parse_head (GBytes *original)
{
  gsize len;
  const char *data = g_bytes_get_data (original, &len);
  gsize head = MIN (header_length (data, len), MG_QUARANTINE_HEADERS_MAX);
  GByteArray *buf = g_byte_array_sized_new (head + 2);
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;

  init_gmime_once ();
  g_byte_array_append (buf, (const guint8 *) data, head);
  g_byte_array_append (buf, (const guint8 *) "\n\n", 2);
  stream = g_mime_stream_mem_new_with_byte_array (buf);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  return message;
}

static char *
join_or_null (GPtrArray *addresses)
{
  if (addresses->len == 0)
    return NULL;
  g_ptr_array_add (addresses, NULL);
  return g_strjoinv (", ", (char **) addresses->pdata);
}

void
mg_quarantine_headers_addresses (GBytes *original, char **sender_r, char **recipients_r)
{
  g_autoptr (GPtrArray) from = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) to = g_ptr_array_new_with_free_func (g_free);
  GMimeMessage *message = parse_head (original);

  *sender_r = NULL;
  *recipients_r = NULL;
  if (message == NULL)
    return;
  collect (g_mime_message_get_from (message), from);
  collect (g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_TO), to);
  collect (g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_CC), to);
  g_object_unref (message);
  *sender_r = from->len > 0 ? g_strdup (g_ptr_array_index (from, 0)) : NULL;
  *recipients_r = join_or_null (to);
}
