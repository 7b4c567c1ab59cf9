/* ppap.c - decrypt encrypted ZIP attachments and pack them again.
 *
 * Runs in a sandboxed worker (a PPAP job, worker/worker.c): the original is
 * hostile, and both the MIME parser and libarchive's ZIP reader run on it.
 * Must never pass a member it could not read whole, never exceed the
 * [archive] limits, and never keep the password beyond the call.
 */
#include "pipeline/ppap.h"

#include <archive.h>
#include <locale.h>
#include <archive_entry.h>
#include <gmime/gmime.h>
#include <string.h>

#include "quarantine/quarantine_index.h"

/* libarchive gives a member's UTF-8 name only when the locale can hold it,
 * and a worker runs in "C": the ZIP is read in C.UTF-8 (this thread only). */
static locale_t
utf8_locale (void)
{
  static gsize once;
  static locale_t loc;

  if (g_once_init_enter (&once)) {
    loc = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
    g_once_init_leave (&once, 1);
  }
  return loc;
}

void
mg_ppap_init (void)
{
  utf8_locale ();
}

typedef struct {
  const MgArchiveLimits *limits;
  gint64 members;
  gint64 total;
  MgPpapKind kind; /* why it failed, once it has */
} MgPpapBudget;

static gboolean fail (MgPpapBudget *budget, MgPpapKind kind, GError **error,
                      const char *format, ...) G_GNUC_PRINTF (4, 5);

/* Set ERROR from FORMAT and the budget's failure KIND; FALSE. */
static gboolean
fail (MgPpapBudget *budget, MgPpapKind kind, GError **error, const char *format, ...)
{
  va_list ap;

  budget->kind = kind;
  va_start (ap, format);
  g_propagate_error (error, g_error_new_valist (MG_QUARANTINE_ERROR,
                                                MG_QUARANTINE_ERROR_RELEASE, format, ap));
  va_end (ap);
  return FALSE;
}

/* The member's name in UTF-8: as libarchive converted it, else its raw bytes
 * when they are UTF-8 (a worker runs in the "C" locale, where libarchive
 * cannot convert a flagged UTF-8 name), else a placeholder; the archive
 * filter names the member again when the message is sanitised. */
static const char *
name_of (struct archive_entry *entry)
{
  const char *utf8 = archive_entry_pathname_utf8 (entry);
  const char *raw = archive_entry_pathname (entry);

  if (utf8 != NULL && g_utf8_validate (utf8, -1, NULL))
    return utf8;
  if (raw != NULL && g_utf8_validate (raw, -1, NULL))
    return raw;
  return "a member";
}

static la_ssize_t
append_cb (struct archive *a, void *data, const void *buf, size_t len)
{
  (void) a;
  g_byte_array_append (data, buf, (guint) len);
  return (la_ssize_t) len;
}

static GBytes *
read_member (struct archive *in, struct archive_entry *entry, MgPpapBudget *budget,
             GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  char chunk[65536];
  la_ssize_t n;

  while ((n = archive_read_data (in, chunk, sizeof chunk)) > 0) {
    budget->total += n;
    if ((gint64) data->len + n > budget->limits->max_member_size ||
        budget->total > budget->limits->max_total_size) {
      fail (budget, MG_PPAP_LIMIT, error, "%s: over the [archive] size limits",
            name_of (entry));
      return NULL;
    }
    g_byte_array_append (data, (const guint8 *) chunk, (guint) n);
  }
  if (n < 0) {
    fail (budget, MG_PPAP_WRONG_PASSWORD, error,
          "the archive password is wrong, or the archive is damaged (%s)",
          archive_error_string (in));
    return NULL;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* A new entry with the member's UTF-8 NAME and time only (nothing else of
 * the hostile header is copied; a name the locale cannot hold stays UTF-8). */
static gboolean
write_member (struct archive *out, const char *name, time_t mtime, const void *p, gsize len,
              MgPpapBudget *budget, GError **error)
{
  struct archive_entry *entry = archive_entry_new ();
  gboolean ok;

  archive_entry_set_pathname_utf8 (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_mtime (entry, mtime, 0);
  archive_entry_set_size (entry, (la_int64_t) len);
  ok = archive_write_header (out, entry) == ARCHIVE_OK &&
       archive_write_data (out, p, len) == (la_ssize_t) len;
  archive_entry_free (entry);
  if (!ok)
    return fail (budget, MG_PPAP_DAMAGED, error, "cannot pack the decrypted archive: %s",
                 archive_error_string (out));
  return TRUE;
}

static gboolean
copy_member (struct archive *in, struct archive *out, struct archive_entry *entry,
             MgPpapBudget *budget, GError **error)
{
  g_autoptr (GBytes) data = NULL;
  gsize len;
  const void *p;

  if (++budget->members > budget->limits->max_members)
    return fail (budget, MG_PPAP_LIMIT, error, "more members than [archive] max_members");
  if (archive_entry_filetype (entry) != AE_IFREG)
    return TRUE; /* directories, links: the archive filter would drop them anyway */
  data = read_member (in, entry, budget, error);
  if (data == NULL)
    return FALSE;
  p = g_bytes_get_data (data, &len);
  return write_member (out, name_of (entry), archive_entry_mtime (entry), p, len, budget,
                       error);
}

static gboolean
transcode (struct archive *in, struct archive *out, MgPpapBudget *budget, GError **error)
{
  struct archive_entry *entry;
  int rc;

  /* a warning is a name libarchive cannot give in this process's locale (a
   * worker runs in "C"): the UTF-8 name is still there */
  while ((rc = archive_read_next_header (in, &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN)
    if (!copy_member (in, out, entry, budget, error))
      return FALSE;
  if (rc != ARCHIVE_EOF)
    return fail (budget, MG_PPAP_WRONG_PASSWORD, error,
                 "the archive is damaged or the password is wrong (%s)",
                 archive_error_string (in));
  return TRUE;
}

/* ZIP bytes DATA decrypted and packed again, or NULL with ERROR. */
static GBytes *
decrypt_zip (GBytes *data, const char *password, MgPpapBudget *budget, GError **error)
{
  struct archive *in = archive_read_new ();
  struct archive *out = archive_write_new ();
  g_autoptr (GByteArray) packed = g_byte_array_new ();
  gsize len;
  const void *p = g_bytes_get_data (data, &len);
  gboolean ok;

  archive_read_support_format_zip (in);
  archive_read_add_passphrase (in, password);
  archive_write_set_format_zip (out);
  archive_write_set_options (out, "zip:hdrcharset=UTF-8");
  archive_write_set_bytes_in_last_block (out, 1);
  ok = archive_read_open_memory (in, p, len) == ARCHIVE_OK &&
       archive_write_open2 (out, packed, NULL, append_cb, NULL, NULL) == ARCHIVE_OK;
  if (!ok)
    fail (budget, MG_PPAP_DAMAGED, error, "cannot open the archive: %s",
          archive_error_string (in));
  else if ((ok = transcode (in, out, budget, error)) &&
           archive_write_close (out) != ARCHIVE_OK)
    ok = fail (budget, MG_PPAP_DAMAGED, error, "cannot pack the decrypted archive: %s",
               archive_error_string (out));
  archive_read_free (in);
  archive_write_free (out);
  return ok ? g_byte_array_free_to_bytes (g_steal_pointer (&packed)) : NULL;
}

static gboolean
zip_is_encrypted (GBytes *data)
{
  struct archive *in = archive_read_new ();
  struct archive_entry *entry;
  gsize len;
  const void *p = g_bytes_get_data (data, &len);
  gboolean encrypted = FALSE;

  archive_read_support_format_zip (in);
  if (len >= 4 && memcmp (p, "PK\x03\x04", 4) == 0 &&
      archive_read_open_memory (in, p, len) == ARCHIVE_OK) {
    int rc;
    while (!encrypted &&
           ((rc = archive_read_next_header (in, &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN))
      encrypted = archive_entry_is_encrypted (entry) != 0;
  }
  archive_read_free (in);
  return encrypted;
}

static GBytes *
part_bytes (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GByteArray *buf = g_byte_array_new ();
  GMimeStream *stream = g_mime_stream_mem_new_with_byte_array (buf);
  GBytes *bytes;

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  if (content != NULL)
    g_mime_data_wrapper_write_to_stream (content, stream);
  g_object_unref (stream);
  bytes = g_bytes_new (buf->data, buf->len);
  g_byte_array_unref (buf);
  return bytes;
}

static void
replace_content (GMimePart *part, GBytes *data)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (data, NULL),
                                                           g_bytes_get_size (data));
  GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream (
      stream, GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  g_object_unref (wrapper);
  g_object_unref (stream);
}

/* Decrypt every encrypted ZIP leaf of MESSAGE; -1 on error. */
static int
open_parts (GMimeMessage *message, const char *password, MgPpapBudget *budget, GError **error)
{
  GMimePartIter *iter = g_mime_part_iter_new (GMIME_OBJECT (message));
  int opened = 0;

  do {
    GMimeObject *current = g_mime_part_iter_get_current (iter);
    g_autoptr (GBytes) data = NULL;
    g_autoptr (GBytes) plain = NULL;
    if (current == NULL || !GMIME_IS_PART (current))
      continue;
    data = part_bytes (GMIME_PART (current));
    if (!zip_is_encrypted (data))
      continue;
    plain = decrypt_zip (data, password, budget, error);
    if (plain == NULL) {
      opened = -1;
      break;
    }
    replace_content (GMIME_PART (current), plain);
    opened++;
  } while (g_mime_part_iter_next (iter));
  g_mime_part_iter_free (iter);
  return opened;
}

static GMimeMessage *
parse_message (GBytes *original)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;

  g_mime_init (); /* counted: a no-op once the pipeline did it */
  stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (original, NULL),
                                              g_bytes_get_size (original));
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  return message;
}

static GBytes *
open_message (GBytes *original, const char *password, const MgArchiveLimits *limits,
              guint *opened_r, MgPpapKind *kind_r, GError **error)
{
  GMimeMessage *message = parse_message (original);
  MgPpapBudget budget = { limits, 0, 0, MG_PPAP_OK };
  g_autofree char *text = NULL;
  int opened = -1;

  if (message == NULL)
    fail (&budget, MG_PPAP_DAMAGED, error, "the original cannot be parsed");
  else if ((opened = open_parts (message, password, &budget, error)) == 0)
    fail (&budget, MG_PPAP_NO_ARCHIVE, error, "no attachment is a password-protected ZIP");
  *kind_r = budget.kind;
  if (opened > 0)
    text = g_mime_object_to_string (GMIME_OBJECT (message), NULL);
  g_clear_object (&message);
  if (text == NULL)
    return NULL;
  *opened_r = (guint) opened;
  return g_bytes_new_take (g_steal_pointer (&text), strlen (text));
}

GBytes *
mg_ppap_open (GBytes *original, const char *password, const MgArchiveLimits *limits,
              guint *opened_r, MgPpapKind *kind_r, GError **error)
{
  locale_t utf8 = utf8_locale ();
  locale_t before = utf8 != (locale_t) 0 ? uselocale (utf8) : (locale_t) 0;
  GBytes *out = open_message (original, password, limits, opened_r, kind_r, error);

  if (before != (locale_t) 0)
    uselocale (before);
  return out;
}
