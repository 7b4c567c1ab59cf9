/* admin_http.h - one HTTP request and its reply, over libmicrohttpd.
 *
 * A request collects its POST body (x-www-form-urlencoded, at most
 * MG_ADMIN_HTTP_BODY_MAX bytes) and gives its form fields, query parameters
 * and cookies as valid UTF-8 without control characters. A reply always
 * carries the security headers (Content-Security-Policy without scripts,
 * frame-ancestors 'none', nosniff, no-referrer, no-store).
 *
 * Never builds a file path from request data; serves no file from disk.
 */
#pragma once
#include <glib.h>
#include <microhttpd.h>

#define MG_ADMIN_HTTP_BODY_MAX (64 * 1024)

/* The reverse proxies of [admin] trusted_proxies (GInetAddressMask *), or
 * NULL with ERROR naming what does not parse. An empty TEXT: none. */
GPtrArray *mg_admin_http_proxies (const char *text, GError **error);

typedef struct {
  struct MHD_Connection *connection;
  char *method;
  char *path;
  char *address;   /* the client: PEER, or whom a trusted proxy names */
  char *peer;      /* the address that connected */
  char *forwarded; /* X-Forwarded-For as sent, or NULL */
  gboolean https;  /* X-Forwarded-Proto: https (a TLS proxy in front) */
  GByteArray *body;
  gboolean body_too_large;
  GHashTable *form; /* POST fields, after mg_admin_request_parse_form */
} MgAdminRequest;

/* A request on CONNECTION. When the peer is one of PROXIES (may be NULL), the
 * client is the address X-Forwarded-For names last before a trusted proxy;
 * otherwise X-Forwarded-For is not believed. */
MgAdminRequest *mg_admin_request_new (struct MHD_Connection *connection, const char *method,
                                      const char *url, GPtrArray *proxies);
void mg_admin_request_free (MgAdminRequest *request);

/* Add a piece of the body; beyond the limit the rest is dropped and the
 * request is answered 413. */
void mg_admin_request_append (MgAdminRequest *request, const char *data, gsize size);
/* Parse the body as a form. FALSE when it is not x-www-form-urlencoded. */
gboolean mg_admin_request_parse_form (MgAdminRequest *request);

/* A form field, query parameter or cookie as clean text (owned by the
 * caller), or NULL when absent. */
char *mg_admin_request_form (MgAdminRequest *request, const char *name);
char *mg_admin_request_query (MgAdminRequest *request, const char *name);
char *mg_admin_request_cookie (MgAdminRequest *request, const char *name);
/* A form field exactly as sent (a password: not cleaned, at most 4096 bytes),
 * or NULL. */
char *mg_admin_request_form_raw (MgAdminRequest *request, const char *name);

/* For the audit log (owned): "ADDRESS", "CLIENT (via proxy PEER)" or, when
 * the header was not believed, "ADDRESS (X-Forwarded-For: ...)". */
char *mg_admin_request_who (MgAdminRequest *request);

typedef struct {
  guint status;
  const char *content_type;
  GString *body;
  char *location;     /* for redirects */
  char *disposition;  /* Content-Disposition of a download, or NULL */
  GPtrArray *cookies; /* Set-Cookie values */
} MgAdminReply;

MgAdminReply *mg_admin_reply_new (guint status);
void mg_admin_reply_free (MgAdminReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgAdminReply, mg_admin_reply_free)

/* A 303 to LOCATION (a path of this site). */
MgAdminReply *mg_admin_reply_redirect (const char *location);
/* Add a cookie NAME=VALUE (Path=/, HttpOnly, SameSite=Strict; Secure when
 * SECURE; expired at once when VALUE is NULL). */
void mg_admin_reply_cookie (MgAdminReply *reply, const char *name, const char *value,
                            gboolean secure);
/* Queue REPLY on CONNECTION. */
enum MHD_Result mg_admin_reply_send (MgAdminReply *reply, struct MHD_Connection *connection);
