/* content.c - labels and strictly decoded bytes of a MIME leaf. */
#include "pipeline/content.h"

#include <string.h>

#include "pipeline/ambiguity.h"
#include "pipeline/mimeword.h"

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

static GBytes *
decoded_bytes (GMimeDataWrapper *wrapper)
{
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new ();

  g_mime_data_wrapper_write_to_stream (wrapper, mem);
  return stream_bytes (mem);
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

static MgContentStatus
encoding_status (const char *cte)
{
  static const char *const known[] = { "7bit", "8bit", "binary", "base64",
                                       "quoted-printable", "x-uuencode", "uuencode",
                                       "x-uue", "uue" };
  if (cte == NULL || *cte == '\0')
    return MG_CONTENT_OK;
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (cte, known[i]))
      return MG_CONTENT_OK;
  return MG_CONTENT_UNKNOWN_ENCODING;
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

  content->declared_type = g_ascii_strdown (g_mime_content_type_get_mime_type (ct), -1);
  content->charset = charset != NULL ? g_strdup (charset) : NULL;
  content->filename = decoded_param (object, "Content-Disposition", "filename", max,
                                     &content->attachment);
  if (content->filename == NULL)
    content->filename = decoded_param (object, "Content-Type", "name", max, NULL);
}

MgContent *
mg_content_read (MgJob *job, GMimePart *part)
{
  MgContent *content = g_new0 (MgContent, 1);
  g_autofree char *cte = mg_ambiguity_transfer_encoding (GMIME_OBJECT (part));
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);

  read_labels (job, part, content);
  content->status = encoding_status (cte);
  if (wrapper == NULL) {
    content->data = g_bytes_new (NULL, 0);
    return content;
  }
  if (content->status == MG_CONTENT_UNKNOWN_ENCODING) {
    content->data = stream_bytes (g_mime_data_wrapper_get_stream (wrapper));
    return content;
  }
  if (cte != NULL && g_str_equal (cte, "base64")) {
    g_autoptr (GBytes) raw = stream_bytes (g_mime_data_wrapper_get_stream (wrapper));
    if (!base64_valid (raw))
      content->status = MG_CONTENT_INVALID;
  }
  content->data = decoded_bytes (wrapper);
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
  return stream_bytes (mem);
}
