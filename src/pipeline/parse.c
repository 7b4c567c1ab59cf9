/* parse.c - GMime's parser with mugai's warning callback. */
#include "pipeline/parse.h"

#include "pipeline/ambiguity.h"

/* Where the first header block of DATA ends (its blank line), or LEN. */
static gint64
header_block_end (const char *data, gsize len)
{
  for (gsize i = 0; data != NULL && i + 1 < len; i++)
    if (data[i] == '\n' &&
        (data[i + 1] == '\n' || (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')))
      return (gint64) i + 1;
  return (gint64) len;
}

static void
free_view (gpointer view, GObject *stream)
{
  (void) stream;
  g_byte_array_free (view, FALSE); /* the bytes are BYTES's, not the view's */
}

/* A stream that reads BYTES where they are: GMime's mem stream over a
 * borrowed array that it never frees nor writes (the parser only reads),
 * BYTES kept alive as long as the stream, which the parsed parts reference
 * (persist stream) instead of copying their content. The message is not
 * copied a second time for the parse. */
static GMimeStream *
stream_over (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  GByteArray *view;
  GMimeStream *stream;

  /* An empty GBytes has no buffer; GMime wants one. */
  if (data == NULL || len > G_MAXUINT)
    return g_mime_stream_mem_new_with_buffer (data != NULL ? data : "",
                                              data != NULL ? len : 0);
  view = g_byte_array_new_take ((guint8 *) data, len);
  stream = g_mime_stream_mem_new_with_byte_array (view);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_weak_ref (G_OBJECT (stream), free_view, view);
  g_object_set_data_full (G_OBJECT (stream), "mg-bytes", g_bytes_ref (bytes),
                          (GDestroyNotify) g_bytes_unref);
  return stream;
}

static GMimeMessage *
parse (MgJob *job, GBytes *bytes, gboolean delivered)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GByteArray) joined = mg_ambiguity_join_orphans (data, len);
  MgParseScope scope;
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeParser) parser = NULL;
  GMimeParserOptions *options = g_mime_parser_options_new ();
  GMimeMessage *message;

  if (joined != NULL) {
    data = (const char *) joined->data;
    len = joined->len;
  }
  scope = (MgParseScope){ job, delivered ? header_block_end (data, len) : 0, data, len };
  /* a message with joined lines (rare) is parsed from a copy, as before */
  stream = joined != NULL ? g_mime_stream_mem_new_with_buffer (data, len)
                          : stream_over (bytes);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  g_mime_parser_options_set_warning_callback (options, mg_ambiguity_parser_warning, &scope);
  message = g_mime_parser_construct_message (parser, options);
  g_mime_parser_options_free (options);
  return message;
}

GMimeMessage *
mg_parse_message (MgJob *job, GBytes *bytes)
{
  return parse (job, bytes, TRUE);
}

GMimeMessage *
mg_parse_attached (MgJob *job, GBytes *bytes)
{
  return parse (job, bytes, FALSE);
}
