/* ooxml_zip.c - the zip of an OOXML package, read and written in memory.
 *
 * Reading trusts no size a header claims: every entry is read in chunks
 * against the [office] limits (entries, bytes per entry, bytes in all, and
 * unpacked bytes per packed byte), so a zip bomb stops at the limit. Names
 * that OPC would not accept, or that two readers could take for different
 * parts (case twins, "..", backslashes), remove the document. A part whose
 * checksum is wrong is left out (as LibreOffice and Office do), never read;
 * the document goes only if it needs that part. Writing makes a
 * new deflated zip with fixed timestamps. Never touches the file system.
 */
#include "filters/ooxml_zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#define MiB (G_GINT64_CONSTANT (1024) * 1024)
#define CHUNK 65536

static void
part_free (MgOoxmlPart *part)
{
  g_free (part->name);
  g_free (part->key);
  g_clear_pointer (&part->data, g_bytes_unref);
  g_free (part);
}

void
mg_ooxml_package_free (MgOoxmlPackage *package)
{
  if (package == NULL)
    return;
  g_clear_pointer (&package->by_key, g_hash_table_unref);
  g_clear_pointer (&package->parts, g_ptr_array_unref);
  g_clear_pointer (&package->damaged, g_ptr_array_unref);
  g_free (package);
}

static gboolean zip_name_ok (const char *name);

char *
mg_ooxml_part_key (const char *name)
{
  g_autofree char *decoded = g_uri_unescape_string (name, "/\\");

  /* "%2e%2e" must not become a ".." that some reader would follow */
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL) || !zip_name_ok (decoded))
    return NULL;
  return g_utf8_strdown (decoded, -1);
}

static void
zip_fail (MgFilterResult *result, MgAction action, MgReason reason, char *detail)
{
  mg_filter_result_set (result, action, reason, detail);
}

/* TRUE when NAME is a part name OPC allows and that means one thing only. */
static gboolean
zip_name_ok (const char *name)
{
  if (name == NULL || *name == '\0' || *name == '/' || strchr (name, '\\') != NULL)
    return FALSE;
  if (!g_utf8_validate (name, -1, NULL) || strlen (name) > 1024)
    return FALSE;
  g_auto (GStrv) segments = g_strsplit (name, "/", -1);
  for (char **s = segments; *s != NULL; s++) {
    if (**s == '\0' || g_str_equal (*s, ".") || g_str_equal (*s, ".."))
      return FALSE;
    for (const char *p = *s; *p != '\0'; p++)
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
  }
  return TRUE;
}

typedef struct {
  const MgOoxmlLimits *limits;
  gint64 budget; /* unpacked bytes allowed in all */
  gint64 total;
} ZipRead;

/* Read the data of the current entry within the limits; NULL and RESULT
 * filled when a limit is reached or the data cannot be read, NULL and
 * *DAMAGED_R when it was read to its end but its checksum is wrong. */
static GBytes *
zip_read_data (struct archive *a, ZipRead *z, const char *name, gboolean *damaged_r,
               MgFilterResult *result)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[CHUNK];
  la_ssize_t n;

  while ((n = archive_read_data (a, chunk, sizeof chunk)) > 0) {
    z->total += n;
    if ((gint64) buf->len + n > z->limits->max_part_size) {
      zip_fail (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                g_strdup_printf ("part %s is larger than [office] max_part_size", name));
      return NULL;
    }
    if (z->total > z->budget) {
      zip_fail (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
                g_strdup ("the package unpacks to more than [office] max_unpacked_size "
                          "or max_ratio allow"));
      return NULL;
    }
    g_byte_array_append (buf, chunk, n);
  }
  *damaged_r = n == ARCHIVE_WARN; /* libarchive's "bad CRC": the entry is over */
  if (n < 0 && !*damaged_r) {
    zip_fail (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup_printf ("part %s is damaged: %s", name, archive_error_string (a)));
    return NULL;
  }
  return n < 0 ? NULL : g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* Check the entry's name and kind; FALSE and RESULT filled when it spoils
 * the package. *SKIP_R is set for directories, which are not parts. */
static gboolean
zip_entry_ok (struct archive_entry *e, const char *name, gboolean *skip_r,
              MgFilterResult *result)
{
  *skip_r = FALSE;
  if (archive_entry_is_encrypted (e)) {
    zip_fail (result, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED,
              g_strdup ("the package's zip entries are encrypted"));
    return FALSE;
  }
  if (archive_entry_filetype (e) == AE_IFDIR ||
      (name != NULL && g_str_has_suffix (name, "/"))) {
    *skip_r = TRUE;
    return TRUE;
  }
  if (archive_entry_filetype (e) != AE_IFREG || !zip_name_ok (name)) {
    zip_fail (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup ("the package has an entry that is not a valid part name"));
    return FALSE;
  }
  return TRUE;
}

/* Add the entry NAME to PKG (DATA NULL: a damaged one, left out); FALSE and
 * RESULT filled for a second part of the same name (two readers could pick
 * different ones) or too many parts. */
static gboolean
zip_add (MgOoxmlPackage *pkg, const ZipRead *z, const char *name, GBytes *data,
         MgFilterResult *result)
{
  char *key = mg_ooxml_part_key (name);
  MgOoxmlPart *part;

  if (key == NULL || g_hash_table_contains (pkg->by_key, key)) {
    zip_fail (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup_printf ("the package has two parts named %s, or a name that does "
                               "not decode",
                               name));
    g_free (key);
    return FALSE;
  }
  if ((gint64) (pkg->parts->len + pkg->damaged->len) >= z->limits->max_parts) {
    zip_fail (result, MG_ACTION_REMOVED, MG_REASON_LIMIT,
              g_strdup ("the package has more parts than [office] max_parts"));
    g_free (key);
    return FALSE;
  }
  if (data == NULL) { /* damaged: its name stays taken, mapped to no part */
    g_ptr_array_add (pkg->damaged, key);
    g_hash_table_insert (pkg->by_key, key, NULL);
    return TRUE;
  }
  part = g_new0 (MgOoxmlPart, 1);
  part->name = g_strdup (name);
  part->key = key;
  part->data = g_bytes_ref (data);
  g_ptr_array_add (pkg->parts, part);
  g_hash_table_insert (pkg->by_key, part->key, part);
  return TRUE;
}

static const char *
entry_name (struct archive_entry *e)
{
  const char *name = archive_entry_pathname_utf8 (e);

  return name != NULL ? name : archive_entry_pathname (e);
}

/* Every entry of A into PKG; FALSE with RESULT filled on the first problem. */
static gboolean
zip_read_entries (struct archive *a, MgOoxmlPackage *pkg, ZipRead *z, MgFilterResult *result)
{
  struct archive_entry *e;
  int r;

  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK) {
    const char *name = entry_name (e);
    gboolean skip;
    if (!zip_entry_ok (e, name, &skip, result))
      return FALSE;
    if (skip)
      continue;
    gboolean damaged = FALSE;
    g_autoptr (GBytes) data = zip_read_data (a, z, name, &damaged, result);
    if ((data == NULL && !damaged) || !zip_add (pkg, z, name, data, result))
      return FALSE;
  }
  if (r != ARCHIVE_EOF) {
    zip_fail (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup_printf ("not a readable zip package: %s", archive_error_string (a)));
    return FALSE;
  }
  return TRUE;
}

MgOoxmlPackage *
mg_ooxml_zip_read (GBytes *input, const MgOoxmlLimits *limits, MgFilterResult *result)
{
  gsize len;
  const void *data = g_bytes_get_data (input, &len);
  g_autoptr (MgOoxmlPackage) pkg = g_new0 (MgOoxmlPackage, 1);
  ZipRead z = { limits, 0, 0 };
  struct archive *a = archive_read_new ();
  gboolean ok;

  /* a bomb is bounded by the ratio, but small packages may expand freely */
  z.budget = MIN (limits->max_unpacked_size, MAX ((gint64) len * limits->max_ratio, MiB));
  pkg->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  pkg->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  pkg->damaged = g_ptr_array_new_with_free_func (g_free);
  archive_read_support_format_zip (a);
  ok = archive_read_open_memory (a, data, len) == ARCHIVE_OK;
  if (!ok)
    zip_fail (result, MG_ACTION_REMOVED, MG_REASON_CONVERT_FAILED,
              g_strdup_printf ("not a readable zip package: %s", archive_error_string (a)));
  else
    ok = zip_read_entries (a, pkg, &z, result);
  archive_read_free (a);
  return ok ? g_steal_pointer (&pkg) : NULL;
}

/* --- writing ----------------------------------------------------------- */

static la_ssize_t
zip_write_cb (struct archive *a, void *ctx, const void *buf, size_t len)
{
  GByteArray *out = ctx;

  if ((gsize) out->len + len > G_MAXUINT) {
    archive_set_error (a, EFBIG, "the zip is larger than a buffer holds");
    return -1;
  }
  g_byte_array_append (out, buf, (guint) len);
  return (la_ssize_t) len;
}

static gboolean
zip_write_entry (struct archive *a, const char *name, GBytes *data)
{
  struct archive_entry *e = archive_entry_new ();
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);
  gboolean ok;

  archive_entry_set_pathname_utf8 (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, len);
  archive_entry_set_mtime (e, 946684800, 0); /* 2000-01-01: reproducible output */
  ok = archive_write_header (a, e) == ARCHIVE_OK &&
       (len == 0 || archive_write_data (a, bytes, len) == (la_ssize_t) len);
  archive_entry_free (e);
  return ok;
}

GBytes *
mg_ooxml_zip_write (GPtrArray *names, GPtrArray *data, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  struct archive *a = archive_write_new ();
  gboolean ok;

  archive_write_set_format_zip (a);
  archive_write_zip_set_compression_deflate (a);
  archive_write_set_bytes_in_last_block (a, 1);
  ok = archive_write_open (a, out, NULL, zip_write_cb, NULL) == ARCHIVE_OK;
  for (guint i = 0; ok && i < names->len; i++)
    ok = zip_write_entry (a, g_ptr_array_index (names, i), g_ptr_array_index (data, i));
  ok = archive_write_close (a) == ARCHIVE_OK && ok;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "writing the zip: %s",
                 archive_error_string (a) ? archive_error_string (a) : "failed");
  archive_write_free (a);
  return ok ? g_byte_array_free_to_bytes (g_steal_pointer (&out)) : NULL;
}
