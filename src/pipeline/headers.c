/* headers.c - whitelisted headers, decoded then encoded again. */
#include "pipeline/headers.h"

#include <string.h>

#include "mime/mimeword.h"

/* Raw header values copied when the message could not be parsed safely. */
#define MG_HEADERS_RAW_MAX 900
#define MG_HEADERS_RAW_SCAN (64 * 1024)

/* Characters of Subject kept: a longer one is cut and marked with "…". */
#define MG_HEADERS_SUBJECT_MAX 300

static const char *const address_headers[] = { "From", "To", "Cc", "Reply-To" };
static const char *const id_headers[] = { "Date", "Message-ID", "In-Reply-To", "References" };

static const char *
raw_value (GMimeObject *object, const char *name)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *h = g_mime_header_list_get_header (list, name);

  return h != NULL ? g_mime_header_get_raw_value (h) : NULL;
}

static gboolean
is_address_header (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (address_headers); i++)
    if (g_ascii_strcasecmp (name, address_headers[i]) == 0)
      return TRUE;
  return FALSE;
}

char *
mg_headers_get_decoded (GMimeObject *object, const char *name)
{
  const char *raw = raw_value (object, name);
  char *value;

  if (is_address_header (name))
    return mg_headers_get_addresses (object, name);
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
  g_auto (GStrv) lines = NULL;
  g_autofree char *unfolded = NULL;

  if (raw == NULL)
    return;
  lines = g_strsplit_set (raw, "\r\n", -1);
  unfolded = g_strjoinv (" ", lines);
  g_strstrip (unfolded);
  if (clean_ascii (unfolded, 8000) && words_short (unfolded))
    append_folded (out, name, unfolded);
}

/* ---- addresses ------------------------------------------------------------ */

/* Characters that make a display name read as an address: '@', the angle
 * brackets, and their full-width, small and typographic look-alikes. */
static gboolean
at_like (gunichar c)
{
  return c == '@' || c == 0xFF20 || c == 0xFE6B;
}

static gboolean
bracket_like (gunichar c)
{
  static const gunichar brackets[] = { '<',    '>',    0xFF1C, 0xFF1E, 0xFE64, 0xFE65,
                                       0x2039, 0x203A, 0x3008, 0x3009, 0x300A, 0x300B,
                                       0x27E8, 0x27E9, 0x2329, 0x232A, 0x226A, 0x226B };

  for (gsize i = 0; i < G_N_ELEMENTS (brackets); i++)
    if (c == brackets[i])
      return TRUE;
  return FALSE;
}

/* NAME without quotes, brackets and blanks equals ADDR: it adds nothing. */
static gboolean
name_is_address (const char *name, const char *addr)
{
  g_autoptr (GString) bare = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (!bracket_like (c) && !g_unichar_isspace (c) && c != '"' && c != '\'')
      g_string_append_unichar (bare, c);
  }
  return addr != NULL && g_ascii_strcasecmp (bare->str, addr) == 0;
}

/* A decoded name may hold encoded-words again (an encoded word whose text is
 * an encoded word): a reader decodes what is written, so the name is decoded
 * until nothing changes, a few rounds at most. */
static char *
name_as_read (const char *name)
{
  char *cur = g_strdup (name);

  for (int round = 0; round < 4 && strstr (cur, "=?") != NULL; round++) {
    char *next = mg_mimeword_decode_header (cur);
    gboolean same = strcmp (next, cur) == 0;
    g_free (cur);
    cur = next;
    if (same)
      break;
  }
  return cur;
}

/* A display name that could be read as an address (the name as a reader
 * decodes it holds '@', '<' or '>' or a look-alike, or still an encoded-word)
 * is shown visibly quoted, 「...」, with each '@' as "(at)", the brackets
 * dropped and "=?" broken, so that only the real address reads as one; a name
 * that is just the real address is dropped. Others are kept. */
char *
mg_headers_safe_display_name (const char *name, const char *addr)
{
  g_autofree char *trimmed = name != NULL ? g_strstrip (g_strdup (name)) : NULL;
  g_autofree char *read = NULL;
  GString *out;
  gboolean suspicious = FALSE;

  if (trimmed == NULL || *trimmed == '\0')
    return NULL;
  read = name_as_read (name);
  suspicious = strstr (read, "=?") != NULL;
  for (const char *p = read; *p != '\0'; p = g_utf8_next_char (p))
    suspicious |= at_like (g_utf8_get_char (p)) || bracket_like (g_utf8_get_char (p));
  if (!suspicious)
    return g_strdup (read);
  if (name_is_address (read, addr))
    return NULL;
  out = g_string_new ("「");
  for (const char *p = read; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (at_like (c))
      g_string_append (out, "(at)");
    else if (c == '?' && p > read && p[-1] == '=')
      g_string_append (out, "？");
    else if (!bracket_like (c))
      g_string_append_unichar (out, c);
  }
  g_string_append (out, "」");
  return g_string_free (out, FALSE);
}

typedef struct {
  char tag[24];       /* placeholder of the encoded-words (mimeword.h) */
  GPtrArray *decoded; /* their decoded text */
} MgAddrWords;

static char *
decoded_name (MgAddrWords *w, InternetAddress *address)
{
  const char *name = internet_address_get_name (address);

  if (name == NULL)
    return NULL;
  return g_strstrip (mg_mimeword_restore_words (name, w->tag, w->decoded));
}

/* An addr-spec as written: ASCII, one '@' with text on both sides, no blank,
 * quote or bracket, and no encoded-word (TAG) in it. */
static gboolean
addr_valid (const char *addr, const char *tag)
{
  const char *at = addr != NULL ? strchr (addr, '@') : NULL;

  if (at == NULL || at == addr || at[1] == '\0' || strchr (at + 1, '@') != NULL ||
      strstr (addr, tag) != NULL || strlen (addr) > 320)
    return FALSE;
  for (const char *p = addr; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr ("<>()[]\\,;:\"", *p) != NULL)
      return FALSE;
  return TRUE;
}

static void clean_list (MgAddrWords *w, InternetAddressList *in, InternetAddressList *out);

static InternetAddress *
clean_address (MgAddrWords *w, InternetAddress *address)
{
  g_autofree char *name = decoded_name (w, address);

  if (INTERNET_ADDRESS_IS_GROUP (address)) {
    InternetAddressList *members = internet_address_group_get_members (
        INTERNET_ADDRESS_GROUP (address));
    g_autofree char *safe = mg_headers_safe_display_name (name, NULL);
    InternetAddress *group = internet_address_group_new (safe != NULL ? safe : "group");
    clean_list (w, members,
                internet_address_group_get_members (INTERNET_ADDRESS_GROUP (group)));
    return group;
  }
  const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
  if (!addr_valid (addr, w->tag))
    return NULL;
  g_autofree char *safe = mg_headers_safe_display_name (name, addr);
  return internet_address_mailbox_new (safe, addr);
}

static void
clean_list (MgAddrWords *w, InternetAddressList *in, InternetAddressList *out)
{
  for (int i = 0; in != NULL && i < internet_address_list_length (in); i++) {
    InternetAddress *a = clean_address (w, internet_address_list_get_address (in, i));
    if (a != NULL) {
      internet_address_list_add (out, a);
      g_object_unref (a);
    }
  }
}

/* The addresses of header NAME, structure read from the raw value, names
 * decoded and made safe; NULL when absent or when no address is left. */
static InternetAddressList *
safe_addresses (GMimeObject *object, const char *name)
{
  const char *raw = raw_value (object, name);
  g_autoptr (GPtrArray) decoded = g_ptr_array_new_with_free_func (g_free);
  MgAddrWords w = { "", decoded };
  g_autofree char *text = NULL;
  g_autoptr (InternetAddressList) parsed = NULL;
  InternetAddressList *out;

  if (raw == NULL)
    return NULL;
  g_snprintf (w.tag, sizeof w.tag, "mgew%08xq", g_random_int ());
  text = mg_mimeword_protect_words (raw, w.tag, decoded);
  parsed = internet_address_list_parse (NULL, text);
  out = internet_address_list_new ();
  clean_list (&w, parsed, out);
  if (internet_address_list_length (out) == 0)
    g_clear_object (&out);
  return out;
}

char *
mg_headers_get_addresses (GMimeObject *object, const char *name)
{
  g_autoptr (InternetAddressList) list = safe_addresses (object, name);

  return list != NULL ? internet_address_list_to_string (list, NULL, FALSE) : NULL;
}

static void
write_address_header (GMimeObject *object, const char *name, GString *out)
{
  g_autoptr (InternetAddressList) list = safe_addresses (object, name);
  g_autoptr (GMimeFormatOptions) format = NULL;
  g_autoptr (GString) line = NULL;

  if (list == NULL)
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

/* An address header copied raw must hold nothing but addresses: no quotes,
 * comments, encoded-words or lists, and its one '@' inside the brackets when
 * there are brackets ("a@b.jp" or "Name <a@b.jp>"). */
static gboolean
raw_address_plain (const char *value)
{
  const char *at = strchr (value, '@');
  const char *lt = strchr (value, '<');
  const char *gt = strchr (value, '>');

  if (strpbrk (value, "\"(),;:\\") != NULL || strstr (value, "=?") != NULL || at == NULL ||
      strchr (at + 1, '@') != NULL)
    return FALSE;
  if (lt == NULL && gt == NULL)
    return strchr (value, ' ') == NULL;
  return lt != NULL && gt != NULL && strchr (lt + 1, '<') == NULL && gt[1] == '\0' &&
         lt < at && at < gt;
}

static void
copy_raw_header (const char *line, GString *out)
{
  static const char *const names[] = { "From", "To", "Cc", "Subject", "Date", "Message-ID" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    gsize n = strlen (names[i]);
    if (g_ascii_strncasecmp (line, names[i], n) == 0 && line[n] == ':') {
      g_autofree char *value = g_strstrip (g_strdup (line + n + 1));
      if (raw_value_safe (value) &&
          (!is_address_header (names[i]) || raw_address_plain (value)))
        g_string_append_printf (out, "%s: %s\n", names[i], value);
      return;
    }
  }
}

/* "Name:" of a whitelisted header at the start of LINE. */
static gboolean
whitelisted_line (const char *line)
{
  static const char *const names[] = { "From",       "To",          "Cc",
                                       "Reply-To",   "Subject",     "Date",
                                       "Message-ID", "In-Reply-To", "References" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    gsize n = strlen (names[i]);
    if (strncmp (line, names[i], n) == 0 && line[n] == ':')
      return TRUE;
  }
  return FALSE;
}

gboolean
mg_headers_append_checked (const char *lines, GString *out)
{
  g_auto (GStrv) split = NULL;

  if (lines == NULL || strlen (lines) > MG_HEADERS_RAW_SCAN ||
      (*lines != '\0' && !g_str_has_suffix (lines, "\n")))
    return FALSE;
  split = g_strsplit (lines, "\n", -1);
  for (char **l = split; *l != NULL && l[1] != NULL; l++) {
    gboolean continued = **l == ' ' || **l == '\t';
    if (strlen (*l) > 998 || (continued ? l == split : !whitelisted_line (*l)))
      return FALSE;
    for (const char *p = *l; *p != '\0'; p++)
      if (((guchar) *p < 0x20 && *p != '\t') || (guchar) *p > 0x7e)
        return FALSE;
  }
  g_string_append (out, lines);
  return TRUE;
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
      break;                             /* the end of the header block */
    if (*line == ' ' || *line == '\t') { /* a continuation: unfold */
      g_string_append (field, line);
      continue;
    }
    copy_raw_header (field->str, out);
    g_string_assign (field, line);
  }
  copy_raw_header (field->str, out);
}
