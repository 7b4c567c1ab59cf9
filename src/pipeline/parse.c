/* parse.c - GMime's parser with mugai's warning callback. */
#include "pipeline/parse.h"

#include "pipeline/ambiguity.h"

/* Where the first header block of DATA ends (its blank line), or LEN. */
static gint64
header_block_end (const char *data, gsize len)
{
  for (gsize i = 0; data != NULL && i + 1 < len; i++)
    if (data[i] == '\n' && (data[i + 1] == '\n' ||
                            (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')))
      return (gint64) i + 1;
  return (gint64) len;
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
  scope = (MgParseScope) { job, delivered ? header_block_end (data, len) : 0, data, len };
  /* An empty GBytes has no buffer; GMime wants one. */
  stream = g_mime_stream_mem_new_with_buffer (data != NULL ? data : "", len);
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
