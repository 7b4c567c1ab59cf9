/* quarantine_smtp.c - the SMTP dialogue, over GIO sockets.
 *
 * Must never write a command built from unchecked text, nor wait forever on
 * the server (a socket timeout bounds every read and write).
 */
#include "quarantine/quarantine_smtp.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <stdlib.h>
#include <string.h>

#include "quarantine/quarantine_headers.h"

#define MG_QUARANTINE_SMTP_TIMEOUT 120 /* seconds per read or write */
#define MG_QUARANTINE_SMTP_LINE_MAX 4096

typedef struct {
  GSocketConnection *connection;
  GDataInputStream *in;
  GOutputStream *out;
} MgSmtp;

static void
smtp_clear (MgSmtp *s)
{
  g_clear_object (&s->in);
  g_clear_object (&s->connection);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgSmtp, smtp_clear)

/* Read one reply (all its lines); TRUE when its code is in [LOW, HIGH]. */
static gboolean
expect (MgSmtp *s, int low, int high, char **reply_r, GError **error)
{
  g_autoptr (GString) reply = g_string_new (NULL);

  for (;;) {
    gsize len;
    g_autofree char *line = g_data_input_stream_read_line (s->in, &len, NULL, error);
    if (line == NULL) {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the SMTP server closed");
      return FALSE;
    }
    g_strchomp (line);
    g_string_append_printf (reply, "%s%.*s", reply->len ? " | " : "",
                            MG_QUARANTINE_SMTP_LINE_MAX, line);
    if (len < 4 || line[3] != '-')
      break;
  }
  if (reply_r != NULL)
    *reply_r = g_strdup (reply->str);
  if (reply->len >= 3 && atoi (reply->str) >= low && atoi (reply->str) <= high)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SMTP server refused: %s", reply->str);
  return FALSE;
}

static gboolean
command (MgSmtp *s, const char *line, int low, int high, GError **error)
{
  g_autofree char *text = g_strconcat (line, "\r\n", NULL);

  return g_output_stream_write_all (s->out, text, strlen (text), NULL, NULL, error) &&
         expect (s, low, high, NULL, error);
}

static GBytes *
dot_stuffed (GBytes *message)
{
  gsize len;
  const char *p = g_bytes_get_data (message, &len);
  const char *end = p + len;
  GString *out = g_string_sized_new (len + len / 32 + 8);

  while (p < end) {
    const char *nl = memchr (p, '\n', end - p);
    const char *stop = nl != NULL ? nl : end;
    gsize n = stop - p;
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n > 0 && p[0] == '.')
      g_string_append_c (out, '.');
    g_string_append_len (out, p, n);
    g_string_append (out, "\r\n");
    p = nl != NULL ? nl + 1 : end;
  }
  g_string_append (out, ".\r\n");
  return g_string_free_to_bytes (out);
}

static gboolean
smtp_open (MgSmtp *s, const char *target, GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_timeout (client, MG_QUARANTINE_SMTP_TIMEOUT);
  if (g_str_has_prefix (target, "unix:")) {
    g_autoptr (GSocketAddress) path = g_unix_socket_address_new (target + 5);
    s->connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (path), NULL, error);
  } else {
    s->connection = g_socket_client_connect_to_host (client, target, 25, NULL, error);
  }
  if (s->connection == NULL)
    return FALSE;
  s->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (s->connection)));
  g_data_input_stream_set_newline_type (s->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  s->out = g_io_stream_get_output_stream (G_IO_STREAM (s->connection));
  return expect (s, 220, 220, NULL, error);
}

static gboolean
envelope (MgSmtp *s, const char *sender, const char *const *recipients, GError **error)
{
  g_autofree char *ehlo = g_strdup_printf ("EHLO %s", g_get_host_name ());
  g_autofree char *mail = g_strdup_printf ("MAIL FROM:<%s>", sender != NULL ? sender : "");

  if (!command (s, ehlo, 250, 250, error) || !command (s, mail, 250, 250, error))
    return FALSE;
  for (int i = 0; recipients[i] != NULL; i++) {
    g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>", recipients[i]);
    if (!command (s, rcpt, 250, 251, error))
      return FALSE;
  }
  return command (s, "DATA", 354, 354, error);
}

static gboolean
check_addresses (const char *sender, const char *const *recipients, GError **error)
{
  if (recipients == NULL || recipients[0] == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no recipient");
    return FALSE;
  }
  if (sender != NULL && *sender != '\0' && !mg_quarantine_headers_address_valid (sender)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unusable sender address");
    return FALSE;
  }
  for (int i = 0; recipients[i] != NULL; i++) {
    if (!mg_quarantine_headers_address_valid (recipients[i])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "unusable recipient address");
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
mg_quarantine_smtp_send (const char *target, const char *sender, const char *const *recipients,
                         GBytes *message, char **reply_r, GError **error)
{
  g_auto (MgSmtp) s = { 0 };
  g_autoptr (GBytes) data = NULL;

  if (!check_addresses (sender, recipients, error) || !smtp_open (&s, target, error) ||
      !envelope (&s, sender, recipients, error))
    return FALSE;
  data = dot_stuffed (message);
  if (!g_output_stream_write_all (s.out, g_bytes_get_data (data, NULL),
                                  g_bytes_get_size (data), NULL, NULL, error) ||
      !expect (&s, 250, 250, reply_r, error))
    return FALSE;
  command (&s, "QUIT", 221, 221, NULL);
  return TRUE;
}
