/* parse.c - GMime's parser with mugai's warning callback. */
#include "pipeline/parse.h"

#include "pipeline/ambiguity.h"

GMimeMessage *
mg_parse_message (MgJob *job, GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeParser) parser = NULL;
  GMimeParserOptions *options = g_mime_parser_options_new ();
  GMimeMessage *message;

  /* An empty GBytes has no buffer; GMime wants one. */
  stream = g_mime_stream_mem_new_with_buffer (data != NULL ? data : "", len);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  g_mime_parser_options_set_warning_callback (options, mg_ambiguity_parser_warning, job);
  message = g_mime_parser_construct_message (parser, options);
  g_mime_parser_options_free (options);
  return message;
}
