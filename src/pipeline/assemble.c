/* assemble.c - the output message, built from scratch. */
#include "pipeline/assemble.h"

#include <string.h>

#include "mime/charset.h"
#include "pipeline/headers.h"
#include "mime/mimeword.h"

#define MG_ASSEMBLE_7BIT_LINE_MAX 900

static void
append_base64 (GString *out, const void *data, gsize len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  gsize n = strlen (b64);

  for (gsize i = 0; i < n; i += 76) {
    g_string_append_len (out, b64 + i, MIN (76, n - i));
    g_string_append_c (out, '\n');
  }
}

static gboolean
lines_short (const char *text, gsize len)
{
  gsize run = 0;

  for (gsize i = 0; i < len; i++) {
    run = text[i] == '\n' ? 0 : run + 1;
    if (run > MG_ASSEMBLE_7BIT_LINE_MAX)
      return FALSE;
  }
  return TRUE;
}

static void
append_text_part (GString *out, const MgJob *job, const char *text)
{
  gsize jis_len = 0;
  g_autofree char *jis = NULL;

  if (job->config->output_charset == MG_OUTPUT_ISO2022JP)
    jis = mg_charset_encode_iso2022jp (text, &jis_len);
  if (jis != NULL) {
    g_string_append (out, "Content-Type: text/plain; charset=ISO-2022-JP\n");
    if (lines_short (jis, jis_len)) {
      g_string_append (out, "Content-Transfer-Encoding: 7bit\n\n");
      g_string_append_len (out, jis, (gssize) jis_len);
      if (jis_len > 0 && jis[jis_len - 1] != '\n')
        g_string_append_c (out, '\n');
      return;
    }
    g_string_append (out, "Content-Transfer-Encoding: base64\n\n");
    append_base64 (out, jis, jis_len);
    return;
  }
  g_string_append (out, "Content-Type: text/plain; charset=UTF-8\n"
                        "Content-Transfer-Encoding: base64\n\n");
  append_base64 (out, text, strlen (text));
}

static void
append_attachment (GString *out, const MgPart *part)
{
  g_autofree char *name = mg_mimeword_encode_param ("filename", part->output_filename);
  gsize len;
  const void *data = g_bytes_get_data (part->output, &len);

  if (g_str_has_prefix (part->output_type, "text/"))
    g_string_append_printf (out, "Content-Type: %s; charset=UTF-8\n", part->output_type);
  else
    g_string_append_printf (out, "Content-Type: %s\n", part->output_type);
  g_string_append_printf (out, "Content-Disposition: attachment;\n %s\n", name);
  g_string_append (out, "Content-Transfer-Encoding: base64\n\n");
  append_base64 (out, data, len);
}

static guint
count_outputs (const MgJob *job)
{
  guint n = 0;

  for (guint i = 0; i < job->parts->len; i++)
    n += ((MgPart *) g_ptr_array_index (job->parts, i))->output != NULL;
  return n;
}

static void
append_mixed (GString *out, const MgJob *job, const char *text)
{
  g_autofree char *boundary = g_strdup_printf ("=_mugai_%08x%08x", g_random_int (),
                                               g_random_int ());

  g_string_append_printf (out, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
  g_string_append_printf (out, "--%s\n", boundary);
  append_text_part (out, job, text);
  for (guint i = 0; i < job->parts->len; i++) {
    const MgPart *part = g_ptr_array_index (job->parts, i);
    if (part->output == NULL)
      continue;
    g_string_append_printf (out, "--%s\n", boundary);
    append_attachment (out, part);
  }
  g_string_append_printf (out, "--%s--\n", boundary);
}

char *
mg_assemble_headers (const MgJob *job, GMimeMessage *message)
{
  GString *out;

  if (message == NULL)
    return NULL;
  out = g_string_new (NULL);
  mg_headers_write_whitelist (message, job->config->output_charset == MG_OUTPUT_ISO2022JP,
                              out);
  return g_string_free (out, FALSE);
}

GBytes *
mg_assemble_message (const MgJob *job, const char *headers, const char *state, const char *id,
                     const char *text, gboolean with_attachments)
{
  GString *out = g_string_new (headers);

  g_string_append (out, "MIME-Version: 1.0\n");
  g_string_append_printf (out, "X-Mugai: %s; id=%s\n", state, id);
  if (with_attachments && count_outputs (job) > 0)
    append_mixed (out, job, text);
  else
    append_text_part (out, job, text);
  return g_string_free_to_bytes (out);
}
