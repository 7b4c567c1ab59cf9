/* classify_zip.c - an Office or OpenDocument package recognised as its
 * readers recognise it: from the zip's central directory, wherever the
 * entries lie (folder entries, docProps/ first, streamed entries with data
 * descriptors, padding or a prefix before the first entry), by the main
 * part's content type in [Content_Types].xml (OOXML) or by the "mimetype"
 * entry (ODF). libmagic looks only at the first entries' local headers. */
#include "pipeline/classify_zip.h"

#include <gio/gio.h>
#include <string.h>

#define EOCD_SIZE 22
#define EOCD_SEARCH (EOCD_SIZE + 0xffff) /* the comment is at most 64 KiB */
#define CDH_SIZE 46
#define LFH_SIZE 30
#define MAX_ENTRIES 200000              /* central directory entries looked at */
#define MAX_TYPES_XML (4 * 1024 * 1024) /* unpacked [Content_Types].xml */
#define MAX_MIMETYPE 200

typedef struct {
  const guint8 *data;
  gsize len;
  gsize cd; /* where the central directory starts */
  gsize cd_end;
  guint entries;
  gint64 shift; /* bytes before the offsets the directory records */
} Zip;

typedef struct {
  guint method;
  gsize packed;
  gsize unpacked;
  gsize local; /* offset of the local header */
} Entry;

/* The main part's content type -> the package's type, as registered. */
static const char *const main_types[][2] = {
  { "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
  { "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template" },
  { "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.document.macroEnabled.12" },
  { "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-word.template.macroEnabled.12" },
  { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
  { "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template" },
  { "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.12" },
  { "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.12" },
  { "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.12" },
  { "application/vnd.ms-excel.sheet.binary.macroEnabled.main",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.12" },
  { "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
  { "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow" },
  { "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.template" },
  { "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.12" },
  { "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.12" },
  { "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.template.macroEnabled.12" },
};

static guint
le16 (const guint8 *p)
{
  return (guint) p[0] | (guint) p[1] << 8;
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* The end of central directory record, searched from the end. */
static gboolean
zip_open (Zip *z, const guint8 *data, gsize len)
{
  gsize lowest = len > EOCD_SEARCH ? len - EOCD_SEARCH : 0;

  z->data = data;
  z->len = len;
  if (len < EOCD_SIZE)
    return FALSE;
  for (gsize pos = len - EOCD_SIZE + 1; pos-- > lowest;) {
    const guint8 *p = data + pos;
    if (memcmp (p, "PK\5\6", 4) != 0)
      continue;
    gsize size = le32 (p + 12), offset = le32 (p + 16);
    if (size > pos)
      continue;
    z->cd = pos - size;
    z->cd_end = pos;
    z->entries = MIN (le16 (p + 10), MAX_ENTRIES);
    z->shift = (gint64) z->cd - (gint64) offset;
    return z->shift >= 0;
  }
  return FALSE;
}

/* The central directory entry named NAME (case-insensitive, as OPC compares). */
static gboolean
zip_find (const Zip *z, const char *name, Entry *e)
{
  gsize pos = z->cd, want = strlen (name);

  for (guint i = 0; i < z->entries && pos + CDH_SIZE <= z->cd_end; i++) {
    const guint8 *p = z->data + pos;
    if (memcmp (p, "PK\1\2", 4) != 0)
      return FALSE;
    gsize nlen = le16 (p + 28), next = pos + CDH_SIZE + nlen + le16 (p + 30) + le16 (p + 32);
    if (next > z->cd_end)
      return FALSE;
    if (nlen == want && g_ascii_strncasecmp ((const char *) p + CDH_SIZE, name, want) == 0) {
      e->method = le16 (p + 10);
      e->packed = le32 (p + 20);
      e->unpacked = le32 (p + 24);
      e->local = (gsize) (le32 (p + 42) + z->shift);
      return le16 (p + 8) % 2 == 0; /* not encrypted */
    }
    pos = next;
  }
  return FALSE;
}

/* Raw deflate of PACKED into at most MAX bytes, or NULL. */
static GBytes *
inflate (const guint8 *packed, gsize len, gsize max)
{
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  g_autofree guint8 *out = g_malloc (max);
  gsize in_done = 0, out_done = 0, read, written;
  GConverterResult r = G_CONVERTER_CONVERTED;

  while (r == G_CONVERTER_CONVERTED && out_done < max) {
    r = g_converter_convert (G_CONVERTER (z), packed + in_done, len - in_done, out + out_done,
                             max - out_done, G_CONVERTER_INPUT_AT_END, &read, &written, NULL);
    if (r == G_CONVERTER_ERROR || (read == 0 && written == 0 && r != G_CONVERTER_FINISHED))
      return NULL;
    in_done += read;
    out_done += written;
  }
  if (r != G_CONVERTER_FINISHED)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&out), out_done);
}

/* The unpacked bytes of entry NAME (at most MAX), or NULL. */
static GBytes *
zip_read (const Zip *z, const char *name, gsize max)
{
  Entry e;
  gsize start;

  if (!zip_find (z, name, &e) || e.unpacked > max || e.local + LFH_SIZE > z->len)
    return NULL;
  const guint8 *lfh = z->data + e.local;
  if (memcmp (lfh, "PK\3\4", 4) != 0)
    return NULL;
  start = e.local + LFH_SIZE + le16 (lfh + 26) + le16 (lfh + 28);
  if (start > z->len || e.packed > z->len - start)
    return NULL;
  if (e.method == 0)
    return e.packed == e.unpacked ? g_bytes_new (z->data + start, e.packed) : NULL;
  if (e.method == 8)
    return inflate (z->data + start, e.packed, MAX (e.unpacked, 1));
  return NULL;
}

/* The package type of the main part's content type named in the types XML. */
static const char *
ooxml_type (const char *xml)
{
  for (guint i = 0; i < G_N_ELEMENTS (main_types); i++) {
    g_autofree char *quoted = g_strdup_printf ("\"%s\"", main_types[i][0]);
    g_autofree char *single = g_strdup_printf ("'%s'", main_types[i][0]);
    if (strstr (xml, quoted) != NULL || strstr (xml, single) != NULL)
      return main_types[i][1];
  }
  return NULL;
}

static char *
odf_type (GBytes *mimetype)
{
  gsize len;
  const char *p = g_bytes_get_data (mimetype, &len);
  g_autofree char *type = g_strstrip (g_strndup (p, len));

  if (!g_str_has_prefix (type, "application/vnd.oasis.opendocument."))
    return NULL;
  for (const char *c = type; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("./-+", *c) == NULL)
      return NULL;
  return g_steal_pointer (&type);
}

char *
mg_classify_zip_package (const void *data, gsize len)
{
  Zip z;
  g_autoptr (GBytes) types = NULL;
  g_autoptr (GBytes) mimetype = NULL;

  if (len < 4 || memcmp (data, "PK", 2) != 0 || !zip_open (&z, data, len))
    return NULL;
  types = zip_read (&z, "[Content_Types].xml", MAX_TYPES_XML);
  if (types != NULL) {
    gsize n;
    const char *p = g_bytes_get_data (types, &n);
    g_autofree char *xml = g_strndup (p, n);
    const char *type = ooxml_type (xml);
    return type != NULL ? g_strdup (type) : NULL;
  }
  mimetype = zip_read (&z, "mimetype", MAX_MIMETYPE);
  return mimetype != NULL ? odf_type (mimetype) : NULL;
}
