/* admin_http.c - request fields and replies with security headers.
 *
 * Must never hand on request text that is not valid UTF-8 or holds control
 * characters, nor send a reply without the security headers.
 */
#include "admin/admin_http.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "quarantine/quarantine_headers.h"

#define MG_ADMIN_HTTP_FIELD_MAX 4096

static char *
client_address (struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info (
      connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char text[INET6_ADDRSTRLEN] = "unknown";
  const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

  if (sa != NULL && sa->sa_family == AF_INET)
    inet_ntop (AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, text, sizeof text);
  else if (sa != NULL && sa->sa_family == AF_INET6)
    inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, text, sizeof text);
  return g_strdup (text);
}

GPtrArray *
mg_admin_http_proxies (const char *text, GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) parts = g_strsplit_set (text != NULL ? text : "", ", \t", -1);

  for (char **p = parts; *p != NULL; p++) {
    GInetAddressMask *mask;
    if (**p == '\0')
      continue;
    mask = g_inet_address_mask_new_from_string (*p, NULL);
    if (mask == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "[admin] trusted_proxies: %s is not an address or prefix", *p);
      return NULL;
    }
    g_ptr_array_add (list, mask);
  }
  return g_steal_pointer (&list);
}

static gboolean
trusted (GPtrArray *proxies, const char *address)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);

  for (guint i = 0; inet != NULL && proxies != NULL && i < proxies->len; i++)
    if (g_inet_address_mask_matches (g_ptr_array_index (proxies, i), inet))
      return TRUE;
  return FALSE;
}

/* Walk X-Forwarded-For from the right while the hop that added an entry is a
 * trusted proxy: the last address so named is the client. */
static char *
forwarded_client (GPtrArray *proxies, const char *peer, const char *forwarded)
{
  g_auto (GStrv) hops = g_strsplit (forwarded != NULL ? forwarded : "", ",", -1);
  g_autofree char *client = g_strdup (peer);

  for (guint i = g_strv_length (hops); i > 0 && trusted (proxies, client); i--) {
    g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (g_strstrip (hops[i - 1]));
    if (inet == NULL)
      break;
    g_free (client);
    client = g_inet_address_to_string (inet);
  }
  return g_steal_pointer (&client);
}

static char *
clean (const char *text)
{
  if (text == NULL)
    return NULL;
  if (strlen (text) > MG_ADMIN_HTTP_FIELD_MAX)
    return g_strdup ("");
  return mg_quarantine_headers_printable (text, FALSE);
}

static char *
header (struct MHD_Connection *connection, const char *name)
{
  return clean (MHD_lookup_connection_value (connection, MHD_HEADER_KIND, name));
}

static enum MHD_Result
join_forwarded (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  GString *all = cls;

  (void) kind;
  if (key != NULL && value != NULL && g_ascii_strcasecmp (key, "X-Forwarded-For") == 0) {
    if (all->len > 0)
      g_string_append_c (all, ',');
    g_string_append (all, value);
  }
  return MHD_YES;
}

/* Every X-Forwarded-For header, in order, as one list: a proxy that adds its
 * own header line (HAProxy) puts the client after one the client sent. */
static char *
forwarded_header (struct MHD_Connection *connection)
{
  g_autoptr (GString) all = g_string_new (NULL);

  MHD_get_connection_values (connection, MHD_HEADER_KIND, join_forwarded, all);
  return all->len > 0 ? clean (all->str) : NULL;
}

MgAdminRequest *
mg_admin_request_new (struct MHD_Connection *connection, const char *method, const char *url,
                      GPtrArray *proxies)
{
  MgAdminRequest *r = g_new0 (MgAdminRequest, 1);
  g_autofree char *proto = header (connection, "X-Forwarded-Proto");

  r->connection = connection;
  r->method = g_strdup (method);
  r->path = clean (url);
  r->peer = client_address (connection);
  r->forwarded = forwarded_header (connection);
  r->address = forwarded_client (proxies, r->peer, r->forwarded);
  r->https = g_strcmp0 (proto, "https") == 0;
  r->body = g_byte_array_new ();
  return r;
}

void
mg_admin_request_free (MgAdminRequest *r)
{
  if (r == NULL)
    return;
  g_free (r->method);
  g_free (r->path);
  g_free (r->address);
  g_free (r->peer);
  g_free (r->forwarded);
  g_byte_array_unref (r->body);
  g_clear_pointer (&r->form, g_hash_table_unref);
  g_free (r);
}

void
mg_admin_request_append (MgAdminRequest *r, const char *data, gsize size)
{
  if (r->body_too_large || r->body->len + size > MG_ADMIN_HTTP_BODY_MAX) {
    r->body_too_large = TRUE;
    return;
  }
  g_byte_array_append (r->body, (const guint8 *) data, (guint) size);
}

gboolean
mg_admin_request_parse_form (MgAdminRequest *r)
{
  g_autofree char *type = header (r->connection, "Content-Type");
  g_autofree char *text = g_strndup ((const char *) r->body->data, r->body->len);

  if (type == NULL || !g_str_has_prefix (type, "application/x-www-form-urlencoded"))
    return FALSE;
  r->form = g_uri_parse_params (text, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  return r->form != NULL;
}

char *
mg_admin_request_form (MgAdminRequest *r, const char *name)
{
  return r->form != NULL ? clean (g_hash_table_lookup (r->form, name)) : NULL;
}

char *
mg_admin_request_form_raw (MgAdminRequest *r, const char *name)
{
  const char *value = r->form != NULL ? g_hash_table_lookup (r->form, name) : NULL;

  if (value == NULL || strlen (value) > MG_ADMIN_HTTP_FIELD_MAX)
    return NULL;
  return g_strdup (value);
}

char *
mg_admin_request_query (MgAdminRequest *r, const char *name)
{
  return clean (MHD_lookup_connection_value (r->connection, MHD_GET_ARGUMENT_KIND, name));
}

char *
mg_admin_request_cookie (MgAdminRequest *r, const char *name)
{
  return clean (MHD_lookup_connection_value (r->connection, MHD_COOKIE_KIND, name));
}

char *
mg_admin_request_who (MgAdminRequest *r)
{
  if (!g_str_equal (r->address, r->peer))
    return g_strdup_printf ("%s (via proxy %s)", r->address, r->peer);
  if (r->forwarded == NULL)
    return g_strdup (r->address);
  return g_strdup_printf ("%s (X-Forwarded-For: %.200s)", r->address, r->forwarded);
}

MgAdminReply *
mg_admin_reply_new (guint status)
{
  MgAdminReply *reply = g_new0 (MgAdminReply, 1);

  reply->status = status;
  reply->content_type = "text/html; charset=utf-8";
  reply->body = g_string_new (NULL);
  reply->cookies = g_ptr_array_new_with_free_func (g_free);
  return reply;
}

void
mg_admin_reply_free (MgAdminReply *reply)
{
  if (reply == NULL)
    return;
  g_string_free (reply->body, TRUE);
  g_free (reply->location);
  g_free (reply->disposition);
  g_ptr_array_unref (reply->cookies);
  g_free (reply);
}

MgAdminReply *
mg_admin_reply_redirect (const char *location)
{
  MgAdminReply *reply = mg_admin_reply_new (MHD_HTTP_SEE_OTHER);

  g_assert (location[0] == '/' && location[1] != '/');
  reply->location = g_strdup (location);
  return reply;
}

void
mg_admin_reply_cookie (MgAdminReply *reply, const char *name, const char *value,
                       gboolean secure)
{
  g_ptr_array_add (reply->cookies,
                   g_strdup_printf ("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name,
                                    value != NULL ? value : "",
                                    value == NULL ? "; Max-Age=0" : "",
                                    secure ? "; Secure" : ""));
}

static void
add_security_headers (struct MHD_Response *response)
{
  MHD_add_response_header (response, "Content-Security-Policy",
                           "default-src 'none'; style-src 'self'; img-src 'self';"
                           " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header (response, "X-Frame-Options", "DENY");
  MHD_add_response_header (response, "Referrer-Policy", "no-referrer");
  MHD_add_response_header (response, "Cache-Control", "no-store");
}

enum MHD_Result
mg_admin_reply_send (MgAdminReply *reply, struct MHD_Connection *connection)
{
  struct MHD_Response *response = MHD_create_response_from_buffer (
      reply->body->len, reply->body->str, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret;

  if (response == NULL)
    return MHD_NO;
  add_security_headers (response);
  MHD_add_response_header (response, "Content-Type", reply->content_type);
  if (reply->location != NULL)
    MHD_add_response_header (response, "Location", reply->location);
  if (reply->disposition != NULL)
    MHD_add_response_header (response, "Content-Disposition", reply->disposition);
  for (guint i = 0; i < reply->cookies->len; i++)
    MHD_add_response_header (response, "Set-Cookie", g_ptr_array_index (reply->cookies, i));
  ret = MHD_queue_response (connection, reply->status, response);
  MHD_destroy_response (response);
  return ret;
}
