/* classify.c - libmagic, one handle per thread (magic_t is not thread-safe),
 * and what readers do where libmagic is stricter than they are. */
#include "pipeline/classify.h"
#include "pipeline/classify_db.h"
#include "pipeline/classify_zip.h"

#include <gio/gio.h>
#include <magic.h>
#include <string.h>

#define MG_CLASSIFY_HEADER_MAX (16 * 1024) /* bytes of a leading header block */

static void
close_magic (gpointer handle)
{
  magic_close (handle);
}

static GPrivate magic_key = G_PRIVATE_INIT (close_magic);
static GPrivate reduced_key = G_PRIVATE_INIT (close_magic);
static gint reduced_off; /* mg_classify_use_reduced (FALSE) */

#define MG_CLASSIFY_FLAGS (MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS)

static magic_t
thread_magic (GError **error)
{
  magic_t m = g_private_get (&magic_key);

  if (m != NULL)
    return m;
  m = magic_open (MG_CLASSIFY_FLAGS);
  if (m == NULL || magic_load (m, NULL) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libmagic: %s",
                 m != NULL ? magic_error (m) : "cannot open");
    if (m != NULL)
      magic_close (m);
    return NULL;
  }
  g_private_set (&magic_key, m);
  return m;
}

/* This thread's handle on the reduced database (classify_db.h), or NULL. */
static magic_t
thread_reduced (void)
{
  magic_t m = g_private_get (&reduced_key);
  GBytes *db = mg_classify_db_reduced ();
  void *buf;
  size_t size;

  if (m != NULL || db == NULL)
    return m;
  buf = (void *) g_bytes_get_data (db, &size);
  m = magic_open (MG_CLASSIFY_FLAGS);
  if (m != NULL && magic_load_buffers (m, &buf, &size, 1) != 0) {
    g_debug ("classify: reduced magic database: %s", magic_error (m));
    magic_close (m);
    m = NULL;
  }
  g_private_set (&reduced_key, m);
  return m;
}

gboolean
mg_classify_init (GError **error)
{
  mg_classify_db_reduced ();
  return thread_magic (error) != NULL;
}

void
mg_classify_use_reduced (gboolean use)
{
  g_atomic_int_set (&reduced_off, !use);
}

gboolean
mg_classify_reduced_ready (void)
{
  return thread_reduced () != NULL;
}

/* The handle that names DATA as the full database does, most cheaply. */
static magic_t
magic_for (const void *data, gsize len)
{
  magic_t m = NULL;

  if (!g_atomic_int_get (&reduced_off) && mg_classify_db_covers (data, len))
    m = thread_reduced ();
  return m != NULL ? m : thread_magic (NULL);
}

/* A header field name at P ("Name:"), as RFC 5322 writes it. */
static gboolean
header_line (const char *p, gsize len)
{
  gsize i = 0;

  while (i < len && p[i] > ' ' && p[i] < 0x7f && p[i] != ':')
    i++;
  return i > 0 && i < len && p[i] == ':';
}

/* The value of a Content-Type line starts a type a reader renders as a web
 * page (multipart/related, text/html) or as a message (multipart/...). */
static gboolean
page_content_type (const char *p, gsize len)
{
  static const char name[] = "content-type:";
  g_autofree char *value = NULL;

  if (len < sizeof name || g_ascii_strncasecmp (p, name, sizeof name - 1) != 0)
    return FALSE;
  value = g_strstrip (g_ascii_strdown (p + sizeof name - 1, (gssize) (len - sizeof name + 1)));
  return g_str_has_prefix (value, "multipart/") || g_str_has_prefix (value, "text/html");
}

/* MHTML (.mht, "web archive"): a MIME header block, up to its blank line,
 * with a multipart or HTML Content-Type. Browsers and Word open it as a web
 * page; mugai reads it as the message it is. */
static gboolean
looks_mhtml (const char *data, gsize len)
{
  gsize end = MIN (len, MG_CLASSIFY_HEADER_MAX);
  gboolean page = FALSE;

  for (gsize pos = 0; pos < end;) {
    const char *nl = memchr (data + pos, '\n', end - pos);
    gsize n = (nl != NULL ? (gsize) (nl - data) : end) - pos;
    if (n > 0 && data[pos + n - 1] == '\r')
      n--;
    if (n == 0)
      return page && pos > 0; /* the end of the header block */
    if (data[pos] != ' ' && data[pos] != '\t' && !header_line (data + pos, n))
      return FALSE;
    page |= page_content_type (data + pos, n);
    if (nl == NULL)
      break;
    pos = (gsize) (nl - data) + 1;
  }
  return FALSE;
}

/* RTF as Word and WordPad take it: "{\rt" is enough ("{\rt1", no "f"),
 * after a byte order mark or blank lines and spaces (read as RTF, whatever a
 * reader makes of them, so that a file that may open as RTF is handled as
 * RTF, never delivered as text). */
static gboolean
looks_rtf (const char *data, gsize len)
{
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) {
    data += 3;
    len -= 3;
  }
  while (len > 0 && (*data == ' ' || *data == '\t' || *data == '\r' || *data == '\n')) {
    data++;
    len--;
  }
  return len >= 4 && memcmp (data, "{\\rt", 4) == 0;
}

/* A zip libmagic names a plain archive (or data), or an Office package it
 * guessed from the first entries: the package's own type, or NULL. */
static char *
package_type (const char *magic_type, const char *data, gsize len)
{
  if (!g_str_equal (magic_type, "application/zip") &&
      !g_str_equal (magic_type, "application/octet-stream") &&
      !g_str_has_prefix (magic_type, "application/vnd.openxmlformats-officedocument.") &&
      !g_str_has_prefix (magic_type, "application/vnd.ms-"))
    return NULL;
  return mg_classify_zip_package (data, len);
}

/* Where libmagic calls the bytes text or data, what a reader would open
 * them as, or NULL. */
static const char *
reader_type (const char *magic_type, const char *data, gsize len)
{
  if (!g_str_has_prefix (magic_type, "text/") &&
      !g_str_equal (magic_type, "application/octet-stream"))
    return NULL;
  if (looks_rtf (data, len))
    return "text/rtf";
  if (looks_mhtml (data, len))
    return "message/rfc822";
  return NULL;
}

char *
mg_classify_bytes (const void *data, gsize len)
{
  magic_t m = magic_for (data, len);
  const char *type;
  const char *reader;
  char *package;

  if (len == 0)
    return g_strdup ("application/x-empty");
  if (m == NULL)
    return g_strdup ("application/octet-stream");
  type = magic_buffer (m, data, len);
  if (type == NULL)
    type = "application/octet-stream";
  package = package_type (type, data, len);
  if (package != NULL)
    return package;
  reader = reader_type (type, data, len);
  return g_strdup (reader != NULL ? reader : type);
}
