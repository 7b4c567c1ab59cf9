/* classify.c - libmagic, one handle per thread (magic_t is not thread-safe). */
#include "pipeline/classify.h"

#include <gio/gio.h>
#include <magic.h>

static void
close_magic (gpointer handle)
{
  magic_close (handle);
}

static GPrivate magic_key = G_PRIVATE_INIT (close_magic);

static magic_t
thread_magic (GError **error)
{
  magic_t m = g_private_get (&magic_key);

  if (m != NULL)
    return m;
  m = magic_open (MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
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

gboolean
mg_classify_init (GError **error)
{
  return thread_magic (error) != NULL;
}

char *
mg_classify_bytes (const void *data, gsize len)
{
  magic_t m = thread_magic (NULL);
  const char *type;

  if (len == 0)
    return g_strdup ("application/x-empty");
  if (m == NULL)
    return g_strdup ("application/octet-stream");
  type = magic_buffer (m, data, len);
  return g_strdup (type != NULL ? type : "application/octet-stream");
}
