/* content.c - labels and strictly decoded bytes of a MIME leaf. */
#include "pipeline/content.h"

#include <string.h>

#include <gio/gio.h>

#include "pipeline/ambiguity.h"
#include "mime/embedded.h"
#include "mime/mimeword.h"

static GBytes *
stream_bytes (GMimeStream *stream)
{
  GByteArray *buf = g_byte_array_new ();
  char chunk[65536];
  gssize n;

  g_mime_stream_reset (stream);
  while ((n = g_mime_stream_read (stream, chunk, sizeof chunk)) > 0)
    g_byte_array_append (buf, (guint8 *) chunk, (guint) n);
  return g_byte_array_free_to_bytes (buf);
}

/* What was written to MEM, taken from it without a copy. */
static GBytes *
take_mem_bytes (GMimeStream *mem)
{
  GByteArray *array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  return g_byte_array_free_to_bytes (array);
}

static GBytes *
decoded_bytes (GMimeDataWrapper *wrapper)
{
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new ();

  g_mime_data_wrapper_write_to_stream (wrapper, mem);
  return take_mem_bytes (mem);
}

/* Strict base64: the alphabet, white space, and '=' only as final padding. */
static gboolean
base64_valid (GBytes *raw)
{
  gsize len, count = 0, pad = 0;
  const guchar *p = g_bytes_get_data (raw, &len);

  for (gsize i = 0; i < len; i++) {
    guchar c = p[i];
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
      continue;
    if (c == '=') {
      pad++;
      continue;
    }
    if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
      return FALSE;
    count++;
  }
  return pad <= 2 && (count + pad) % 4 != 1;
}

typedef enum {
  MG_CTE_IDENTITY,
  MG_CTE_BASE64,
  MG_CTE_QP,
  MG_CTE_EMBEDDED, /* uuencode, yEnc, BinHex: decoded as cut-out blocks */
  MG_CTE_GZIP64,
  MG_CTE_UNKNOWN,
} MgCte;

static MgCte
encoding_kind (const char *cte)
{
  static const struct {
    const char *token;
    MgCte kind;
  } known[] = {
    { "7bit", MG_CTE_IDENTITY },       { "8bit", MG_CTE_IDENTITY },
    { "binary", MG_CTE_IDENTITY },     { "base64", MG_CTE_BASE64 },
    { "quoted-printable", MG_CTE_QP }, { "x-uuencode", MG_CTE_EMBEDDED },
    { "uuencode", MG_CTE_EMBEDDED },   { "x-uue", MG_CTE_EMBEDDED },
    { "uue", MG_CTE_EMBEDDED },        { "x-yencode", MG_CTE_EMBEDDED },
    { "x-yenc", MG_CTE_EMBEDDED },     { "mac-binhex40", MG_CTE_EMBEDDED },
    { "x-binhex40", MG_CTE_EMBEDDED }, { "x-gzip64", MG_CTE_GZIP64 },
  };
  if (cte == NULL || *cte == '\0')
    return MG_CTE_IDENTITY;
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (cte, known[i].token))
      return known[i].kind;
  return MG_CTE_UNKNOWN;
}

/* uuencode, yEnc and BinHex bodies: the first block the embedded-block
 * reader finds is the content; none, or a corrupt one, is invalid. */
static GBytes *
decode_embedded (GBytes *raw, const char *cte)
{
  g_autoptr (GPtrArray)
      blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_embedded_block_free);
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  g_autofree char *body = g_strndup (data, len);
  gboolean bare_binhex = strstr (cte, "binhex") != NULL &&
                         strstr (body, "(This file must") == NULL;
  g_autofree char *text = g_strconcat (
      bare_binhex ? "(This file must be converted with BinHex 4.0)\n" : "", body, NULL);
  g_autofree char *rest = mg_embedded_extract (text, blocks);
  MgEmbeddedBlock *first;

  if (blocks->len == 0)
    return NULL;
  first = g_ptr_array_index (blocks, 0);
  return first->data != NULL ? g_bytes_ref (first->data) : NULL;
}

/* x-gzip64: base64 of a gzip stream, inflated within the message size limit. */
static GBytes *
decode_gzip64 (GBytes *raw, gint64 max)
{
  gsize len = g_bytes_get_size (raw), glen;
  g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), len);
  g_autofree guchar *gz = g_base64_decode (text, &glen);
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guchar buf[65536];
  gsize in_off = 0;

  for (;;) {
    gsize read = 0, written = 0;
    GConverterResult r = g_converter_convert (G_CONVERTER (z), gz + in_off, glen - in_off, buf,
                                              sizeof buf, G_CONVERTER_INPUT_AT_END, &read,
                                              &written, NULL);
    in_off += read;
    g_byte_array_append (out, buf, (guint) written);
    if (r == G_CONVERTER_ERROR || (gint64) out->len > max)
      return NULL;
    if (r == G_CONVERTER_FINISHED)
      break;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Quoted-printable per RFC 2045: trailing white space on a line is transport
 * padding and is deleted first, so "=  " is still a soft line break. */
static GBytes *
decode_qp (GBytes *raw)
{
  gsize len;
  const guchar *p = g_bytes_get_data (raw, &len);
  GByteArray *clean = g_byte_array_sized_new ((guint) len);
  g_autofree guchar *out = NULL;
  int state = 0;
  guint32 save = 0;
  gsize n;

  if (len == 0) {
    g_byte_array_free (clean, TRUE);
    return g_bytes_new (NULL, 0);
  }
  for (gsize i = 0, start = 0; i <= len; i++) {
    if (i < len && p[i] != '\n')
      continue;
    gsize end = i;
    while (end > start && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\r'))
      end--;
    g_byte_array_append (clean, p + start, (guint) (end - start));
    if (i < len)
      g_byte_array_append (clean, (const guint8 *) "\n", 1);
    start = i + 1;
  }
  out = g_malloc (clean->len + 4);
  n = g_mime_encoding_quoted_decode_step (clean->data, clean->len, out, &state, &save);
  g_byte_array_free (clean, TRUE);
  return g_bytes_new (out, n);
}

static char *
decoded_param (GMimeObject *object, const char *header, const char *param, guint max,
               gboolean *attachment_r)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *h = g_mime_header_list_get_header (list, header);
  g_autoptr (MgMimeField) field = NULL;
  const MgMimeParam *p;

  if (h == NULL || g_mime_header_get_raw_value (h) == NULL)
    return NULL;
  field = mg_mimeword_parse_field (g_mime_header_get_raw_value (h), max);
  if (attachment_r != NULL)
    *attachment_r = g_strcmp0 (field->type, "attachment") == 0;
  p = mg_mimeword_field_param (field, param);
  return p != NULL && p->value != NULL && *p->value != '\0' ? g_strdup (p->value) : NULL;
}

static void
read_labels (MgJob *job, GMimePart *part, MgContent *content)
{
  GMimeObject *object = GMIME_OBJECT (part);
  GMimeContentType *ct = g_mime_object_get_content_type (object);
  const char *charset = g_mime_content_type_get_parameter (ct, "charset");
  guint max = (guint) job->config->limits.parameters;
  g_autofree char *mime_type = g_mime_content_type_get_mime_type (ct); /* allocated */

  content->declared_type = g_ascii_strdown (mime_type, -1);
  content->charset = charset != NULL ? g_strdup (charset) : NULL;
  content->filename = decoded_param (object, "Content-Disposition", "filename", max,
                                     &content->attachment);
  if (content->filename == NULL)
    content->filename = decoded_param (object, "Content-Type", "name", max, NULL);
}

/* The encoded bytes are read for the decoders that need them, and let go
 * before GMime decodes base64, so that a part is held once encoded or
 * once decoded, not both (plus a copy of either). */
static void
decode (MgJob *job, MgContent *content, GMimeDataWrapper *wrapper, const char *cte)
{
  MgCte kind = encoding_kind (cte);
  g_autoptr (GBytes) raw = NULL;
  GBytes *data = NULL;

  if (kind == MG_CTE_IDENTITY) {
    content->data = decoded_bytes (wrapper);
    return;
  }
  raw = stream_bytes (g_mime_data_wrapper_get_stream (wrapper));
  switch (kind) {
  case MG_CTE_UNKNOWN:
    content->status = MG_CONTENT_UNKNOWN_ENCODING;
    data = g_bytes_ref (raw);
    break;
  case MG_CTE_EMBEDDED:
    data = decode_embedded (raw, cte);
    break;
  case MG_CTE_GZIP64:
    data = decode_gzip64 (raw, job->config->limits.message_size);
    break;
  case MG_CTE_QP:
    data = decode_qp (raw);
    break;
  case MG_CTE_BASE64:
    if (!base64_valid (raw))
      content->status = MG_CONTENT_INVALID;
    g_clear_pointer (&raw, g_bytes_unref);
    data = decoded_bytes (wrapper); /* still scanned when invalid */
    break;
  case MG_CTE_IDENTITY:
    break;
  }
  if (data == NULL) {
    content->status = MG_CONTENT_INVALID;
    data = g_bytes_ref (raw);
  }
  content->data = data;
}

MgContent *
mg_content_read_labels (MgJob *job, GMimePart *part)
{
  MgContent *content = g_new0 (MgContent, 1);

  read_labels (job, part, content);
  return content;
}

MgContent *
mg_content_read (MgJob *job, GMimePart *part)
{
  MgContent *content = mg_content_read_labels (job, part);
  g_autofree char *cte = mg_ambiguity_transfer_encoding (GMIME_OBJECT (part));
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);

  if (wrapper == NULL) {
    content->data = g_bytes_new (NULL, 0);
    return content;
  }
  decode (job, content, wrapper, cte);
  return content;
}

void
mg_content_free (MgContent *content)
{
  if (content == NULL)
    return;
  g_free (content->declared_type);
  g_free (content->charset);
  g_free (content->filename);
  g_clear_pointer (&content->data, g_bytes_unref);
  g_free (content);
}

GBytes *
mg_content_object_bytes (GMimeObject *object)
{
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new ();

  g_mime_object_write_to_stream (object, NULL, mem);
  return take_mem_bytes (mem);
}
