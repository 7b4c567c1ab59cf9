/* config.c - the table of configuration keys and the GKeyFile loader. */
#include "common/config.h"

#include <errno.h>
#include <stddef.h>

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-config-error-quark, mg_config_error)
/* clang-format on */

#define OFF(field) offsetof (MgConfig, field)
#define MiB (G_GINT64_CONSTANT (1024) * 1024)

static const char *const on_virus_choices[] = { "withhold", "reject", NULL };
static const char *const html_choices[] = { "text", NULL };
static const char *const charset_choices[] = { "utf-8", "iso-2022-jp", NULL };
static const char *const language_choices[] = { "ja", "en", NULL };
static const char *const bool_choices[] = { "no", "yes", NULL };
static const char *const keep_choices[] = { "withheld", "all", NULL };
static const char *const backend_choices[] = { "sqlite", "postgresql", NULL };
static const char *const pdf_mode_choices[] = { "vector", "raster", NULL };
static const char *const pdf_annotations_choices[] = { "print", "none", NULL };
static const char *const image_reencode_choices[] = { "lossless", "pixels", NULL };

static const MgConfKey keys[] = {
  { "clamav", "database", MG_CONF_STRING, "/var/lib/clamav", 0, 0, NULL, OFF (clamav_database),
    "directory of ClamAV databases (.cvd/.cld/.cud/.ndb/.hdb/.ldb)" },
  { "clamav", "max_scan_seconds", MG_CONF_INT, "30", 1, 3600, NULL,
    OFF (clamav_max_scan_seconds),
    "seconds ClamAV may spend on one scan (the whole message, or one part)" },
  { "quarantine", "directory", MG_CONF_STRING, "/var/spool/mugai", 0, 0, NULL,
    OFF (quarantine_directory), "originals, reports and the audit log" },
  { "quarantine", "retention_days", MG_CONF_INT, "30", 1, 3650, NULL,
    OFF (quarantine_retention_days), "days held items are kept" },
  { "quarantine", "keep", MG_CONF_ENUM, "withheld", 0, 0, keep_choices, OFF (quarantine_keep),
    "withheld: originals of messages withheld or with parts removed; all: every message" },
  { "quarantine", "backend", MG_CONF_ENUM, "sqlite", 0, 0, backend_choices,
    OFF (quarantine_backend),
    "sqlite: index and objects under directory; postgresql: in the database of dsn" },
  { "quarantine", "dsn", MG_CONF_STRING, "", 0, 0, NULL, OFF (quarantine_dsn),
    "libpq connection string of the shared store (backend = postgresql)" },
  { "milter", "socket", MG_CONF_STRING, "unix:/var/spool/postfix/mugai/milter.sock", 0, 0,
    NULL, OFF (milter_socket), "libmilter socket: unix:/path or inet:PORT@127.0.0.1" },
  { "milter", "pid_file", MG_CONF_STRING, "/run/mugai/mugai-milter.pid", 0, 0, NULL,
    OFF (milter_pid_file), "pid file written when daemonised" },
  { "milter", "max_inflight", MG_CONF_INT, "16", 1, 4096, NULL, OFF (milter_max_inflight),
    "messages sanitised at once; more are tempfailed" },
  { "milter", "spool_threshold", MG_CONF_INT, "1048576", 4096, 1024 * MiB, NULL,
    OFF (milter_spool_threshold), "bytes kept in memory before spooling to a temp file" },
  { "milter", "max_output_size", MG_CONF_INT, "41943040", 65536, 4096 * MiB, NULL,
    OFF (milter_max_output_size), "largest sanitised message; keep below message_size_limit" },
  { "milter", "timeout", MG_CONF_INT, "240", 1, 3600, NULL, OFF (milter_timeout),
    "seconds one message may take before it is tempfailed" },
  { "milter", "reload_interval", MG_CONF_INT, "60", 0, 86400, NULL,
    OFF (milter_reload_interval),
    "seconds between checks of [clamav] database for new signatures (0: never)" },
  { "milter", "user", MG_CONF_STRING, "_mugai", 0, 0, NULL, OFF (milter_user),
    "user mugai-milter and its supervisor become when started as root" },
  { "milter", "worker_user", MG_CONF_STRING, "_mugai-worker", 0, 0, NULL,
    OFF (milter_worker_user),
    "user of the sandboxed workers and LibreOffice (not [milter] user)" },
  { "milter", "socket_owner", MG_CONF_STRING, "", 0, 0, NULL, OFF (milter_socket_owner),
    "owner of the unix socket (empty: [milter] user)" },
  { "milter", "socket_group", MG_CONF_STRING, "postfix", 0, 0, NULL, OFF (milter_socket_group),
    "group of the unix socket and its folder: the group Postfix's smtpd runs in" },
  { "milter", "socket_mode", MG_CONF_STRING, "0660", 0, 0, NULL, OFF (milter_socket_mode),
    "permissions of the unix socket, octal (0660: owner and group only)" },
  { "policy", "on_virus", MG_CONF_ENUM, "withhold", 0, 0, on_virus_choices, OFF (on_virus),
    "withhold (deliver the notice) or reject (550)" },
  { "policy", "html", MG_CONF_STRING, "text", 0, 0, html_choices, OFF (policy_html),
    "html bodies are always converted to text" },
  { "policy", "output_charset", MG_CONF_ENUM, "utf-8", 0, 0, charset_choices,
    OFF (output_charset), "charset of the sanitised body: utf-8 or iso-2022-jp (CP50220)" },
  { "notice", "language", MG_CONF_STRING, "ja", 0, 0, language_choices, OFF (notice_language),
    "language of notices: ja or en" },
  { "limits", "message_size", MG_CONF_INT, "52428800", 1024, 2048 * MiB, NULL,
    OFF (limits.message_size), "bytes of one message" },
  { "limits", "parts", MG_CONF_INT, "500", 1, 100000, NULL, OFF (limits.parts),
    "MIME parts of one message, all levels" },
  { "limits", "depth", MG_CONF_INT, "20", 1, 1000, NULL, OFF (limits.depth),
    "nesting of multiparts and attached messages" },
  { "limits", "header_length", MG_CONF_INT, "16384", 998, 1048576, NULL,
    OFF (limits.header_length), "bytes of one header field" },
  { "limits", "headers", MG_CONF_INT, "1000", 10, 100000, NULL, OFF (limits.headers),
    "header fields of one part" },
  { "limits", "parameters", MG_CONF_INT, "64", 4, 10000, NULL, OFF (limits.parameters),
    "parameters of one Content-Type or Content-Disposition" },
  { "limits", "text_size", MG_CONF_INT, "10485760", 4096, 1024 * MiB, NULL,
    OFF (limits.text_size), "bytes of body text kept" },
  { "admin", "listen", MG_CONF_STRING, "127.0.0.1:8025", 0, 0, NULL, OFF (admin_listen),
    "ADDRESS:PORT of the mugai admin web UI (TLS via a reverse proxy)" },
  { "admin", "users_file", MG_CONF_STRING, "/etc/mugai/users", 0, 0, NULL,
    OFF (admin_users_file), "users and roles of the admin UI, yescrypt hashes" },
  { "admin", "session_minutes", MG_CONF_INT, "30", 1, 1440, NULL, OFF (admin_session_minutes),
    "minutes an idle admin session stays valid" },
  { "admin", "session_max_lifetime", MG_CONF_INT, "480", 1, 10080, NULL,
    OFF (admin_session_max_lifetime),
    "minutes an admin session lasts at most, however busy (then log in again)" },
  { "admin", "login_failures", MG_CONF_INT, "5", 1, 1000, NULL, OFF (admin_login_failures),
    "failed logins for one user from one address before that pair is refused" },
  { "admin", "lockout_minutes", MG_CONF_INT, "15", 1, 1440, NULL, OFF (admin_lockout_minutes),
    "minutes a user/address pair is refused, doubled at each lockout up to 64 times" },
  { "admin", "trusted_proxies", MG_CONF_STRING, "", 0, 0, NULL, OFF (admin_trusted_proxies),
    "reverse proxies (addresses or prefixes) whose X-Forwarded-For is believed" },
  { "admin", "request_timeout", MG_CONF_INT, "10", 1, 600, NULL, OFF (admin_request_timeout),
    "seconds a client may take to send one whole request; slower ones are cut" },
  { "admin", "public_url", MG_CONF_STRING, "", 0, 0, NULL, OFF (admin_public_url),
    "URL staff open the admin UI at (e.g. https://mugai.city.example.lg.jp), for the links"
    " in alert and approver mails (empty: no link)" },
  { "release", "smtp", MG_CONF_STRING, "127.0.0.1:10026", 0, 0, NULL, OFF (release_smtp),
    "HOST:PORT of the Postfix listener without the milter for released mail" },
  { "release", "original_forward_address", MG_CONF_STRING, "", 0, 0, NULL,
    OFF (release_original_forward_address),
    "internet-zone mailbox that may receive originals (empty: never)" },
  { "release", "original_smtp", MG_CONF_STRING, "", 0, 0, NULL, OFF (release_original_smtp),
    "HOST:PORT or unix:PATH of the listener for forwarded originals (empty: none)" },
  { "release", "sender", MG_CONF_STRING, "", 0, 0, NULL, OFF (release_sender),
    "envelope sender of released mail, e.g. mugai-release@city.example.lg.jp (empty: <>)" },
  { "release", "allowed_recipient_domains", MG_CONF_STRING, "", 0, 0, NULL,
    OFF (release_allowed_recipient_domains),
    "domains (and their subdomains) released mail may go to, comma-separated (empty: none)" },
  { "release", "allow_virus_original", MG_CONF_ENUM, "no", 0, 0, bool_choices,
    OFF (release_allow_virus_original),
    "yes: the original of a mail withheld for a virus may be forwarded too" },
  { "alert", "address", MG_CONF_STRING, "", 0, 0, NULL, OFF (alert_address),
    "mailbox (the CSIRT) told in Japanese of viruses and failures, through [release] smtp"
    " (empty: none)" },
  { "alert", "interval", MG_CONF_INT, "60", 0, 86400, NULL, OFF (alert_interval),
    "seconds between two alerts at least; events in between go out together" },
  { "alert", "exec", MG_CONF_STRING, "", 0, 0, NULL, OFF (alert_exec),
    "command run for each alert (absolute path and arguments, no shell), the facts in"
    " MUGAI_ALERT_* variables and on stdin (empty: none)" },
  { "alert", "exec_timeout", MG_CONF_INT, "30", 1, 600, NULL, OFF (alert_exec_timeout),
    "seconds the alert command may run before it is killed" },
  { "sandbox", "enabled", MG_CONF_ENUM, "yes", 0, 0, bool_choices, OFF (sandbox.enabled),
    "sanitise in sandboxed worker processes (no: debugging only)" },
  { "sandbox", "workers", MG_CONF_INT, "0", 0, 256, NULL, OFF (sandbox.workers),
    "worker processes of the milter (0: one per core)" },
  { "sandbox", "max_jobs", MG_CONF_INT, "100", 1, 1000000, NULL, OFF (sandbox.max_jobs),
    "jobs a worker runs before it is replaced" },
  { "sandbox", "job_timeout", MG_CONF_INT, "120", 1, 3600, NULL, OFF (sandbox.job_timeout),
    "seconds one message may take in a worker before it is killed" },
  { "sandbox", "max_memory_mb", MG_CONF_INT, "4096", 256, 1048576, NULL,
    OFF (sandbox.max_memory_mb),
    "address space of a worker in MiB (the virus engine included)" },
  { "sandbox", "tmp_directory", MG_CONF_STRING, "", 0, 0, NULL, OFF (sandbox.tmp_directory),
    "folder in which each worker makes its private temporary folder for ClamAV's unpacked"
    " files (empty: $TMPDIR, else /tmp); a tmpfs such as /dev/shm saves file system work"
    " per message" },
  { "archive", "max_members", MG_CONF_INT, "1000", 1, 1000000, NULL, OFF (archive.max_members),
    "entries of one archive, nested archives included" },
  { "archive", "max_total_size", MG_CONF_INT, "268435456", MiB, 16384 * MiB, NULL,
    OFF (archive.max_total_size),
    "bytes unpacked from one archive, nested archives included" },
  { "archive", "max_ratio", MG_CONF_INT, "100", 2, 1000000, NULL, OFF (archive.max_ratio),
    "bytes unpacked per byte of the archive, checked once 16 MiB are unpacked" },
  { "archive", "max_member_size", MG_CONF_INT, "104857600", 1024, 4096 * MiB, NULL,
    OFF (archive.max_member_size), "bytes of one file inside an archive" },
  { "archive", "max_seconds", MG_CONF_INT, "60", 1, 3600, NULL, OFF (archive.max_seconds),
    "seconds to unpack and sanitise one archive" },
  { "pdf", "mode", MG_CONF_ENUM, "vector", 0, 0, pdf_mode_choices, OFF (pdf.mode),
    "vector: pages redrawn with selectable text; raster: pages redrawn as images" },
  { "pdf", "raster_dpi", MG_CONF_INT, "150", 50, 600, NULL, OFF (pdf.raster_dpi),
    "resolution of raster mode; a page over [image] max_pixels is drawn coarser" },
  { "pdf", "scan_dpi", MG_CONF_INT, "200", 0, 600, NULL, OFF (pdf.scan_dpi),
    "vector mode: resolution of pages that are only a scanned image (0: kept as vectors)" },
  { "pdf", "annotations", MG_CONF_ENUM, "print", 0, 0, pdf_annotations_choices,
    OFF (pdf.annotations),
    "print: what a printout shows (form values, stamps) is drawn; none: no annotation" },
  { "pdf", "max_pages", MG_CONF_INT, "1000", 1, 100000, NULL, OFF (pdf.max_pages),
    "pages of one PDF" },
  { "pdf", "max_page_area", MG_CONF_INT, "16000000", 10000, 207360000, NULL,
    OFF (pdf.max_page_area), "area of one page in square points (A0 is 8 million)" },
  { "pdf", "max_seconds", MG_CONF_INT, "60", 1, 3600, NULL, OFF (pdf.max_seconds),
    "seconds to redraw one PDF, enforced inside a page" },
  { "pdf", "max_output_size", MG_CONF_INT, "31457280", 16384, 4096 * MiB, NULL,
    OFF (pdf.max_output_size), "bytes of one rebuilt PDF" },
  { "pdf", "max_memory", MG_CONF_INT, "1024", 64, 65536, NULL, OFF (pdf.max_memory),
    "MiB of memory the redrawing of one PDF may take" },
  { "image", "max_pixels", MG_CONF_INT, "67108864", 4096, 1073741824, NULL,
    OFF (image.max_pixels), "pixels (width x height) of one image, checked before decoding" },
  { "image", "max_dimension", MG_CONF_INT, "32767", 16, 65535, NULL, OFF (image.max_dimension),
    "width or height of one image in pixels" },
  { "image", "max_message_pixels", MG_CONF_INT, "268435456", 4096, G_GINT64_CONSTANT (1) << 40,
    NULL, OFF (image.max_message_pixels),
    "pixels of all the images of one message, checked before each is scanned or decoded" },
  { "image", "max_seconds", MG_CONF_INT, "20", 1, 3600, NULL, OFF (image.max_seconds),
    "seconds to decode and encode one image, checked between rows" },
  { "image", "reencode", MG_CONF_ENUM, "lossless", 0, 0, image_reencode_choices,
    OFF (image.reencode),
    "JPEG: lossless (DCT coefficients written again) or pixels (decoded and encoded anew)" },
  { "office", "max_parts", MG_CONF_INT, "3000", 10, 1000000, NULL, OFF (office.max_parts),
    "zip entries of one Word/Excel/PowerPoint package" },
  { "office", "max_part_size", MG_CONF_INT, "104857600", 65536, 2048 * MiB, NULL,
    OFF (office.max_part_size), "bytes of one part of an Office package, unpacked" },
  { "office", "max_unpacked_size", MG_CONF_INT, "314572800", 65536, 4096 * MiB, NULL,
    OFF (office.max_unpacked_size), "bytes of all parts of an Office package, unpacked" },
  { "office", "max_ratio", MG_CONF_INT, "200", 2, 100000, NULL, OFF (office.max_ratio),
    "unpacked bytes per packed byte of an Office package (beyond 1 MiB)" },
  { "office", "libreoffice", MG_CONF_STRING, "soffice", 0, 0, NULL, OFF (office.libreoffice),
    "LibreOffice program for doc/xls/ppt/RTF/ODF/xlsb (name or path)" },
  { "office", "libreoffice_timeout", MG_CONF_INT, "60", 5, 3600, NULL,
    OFF (office.libreoffice_timeout), "seconds one LibreOffice conversion may take" },
  { "office", "libreoffice_memory", MG_CONF_INT, "4096", 512, 65536, NULL,
    OFF (office.libreoffice_memory), "MiB of address space LibreOffice may use" },
  { "office", "max_metafiles", MG_CONF_INT, "200", 0, 10000, NULL, OFF (office.max_metafiles),
    "EMF/WMF pictures of one Office document drawn to PNG (one LibreOffice run)" },
  { "office", "libreoffice_reuse", MG_CONF_INT, "20", 1, 1000, NULL,
    OFF (office.libreoffice_reuse),
    "documents one running LibreOffice converts before it is replaced (1: one per document)" },
  { "office", "libreoffice_idle", MG_CONF_INT, "60", 1, 3600, NULL,
    OFF (office.libreoffice_idle),
    "seconds a running LibreOffice waits for the next document" },
  { NULL },
};

const MgConfKey *
mg_config_keys (void)
{
  return keys;
}

static gboolean
parse_int (const MgConfKey *k, const char *text, gint64 *value_r, GError **error)
{
  gint64 v;
  g_autoptr (GError) local = NULL;

  if (!g_ascii_string_to_signed (text, 10, k->min, k->max, &v, &local)) {
    g_set_error (error, MG_CONFIG_ERROR, 0,
                 "[%s] %s: %s (allowed %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")", k->group,
                 k->key, local->message, k->min, k->max);
    return FALSE;
  }
  *value_r = v;
  return TRUE;
}

static gboolean
parse_choice (const MgConfKey *k, const char *text, int *index_r, GError **error)
{
  for (int i = 0; k->choices[i] != NULL; i++) {
    if (g_ascii_strcasecmp (text, k->choices[i]) == 0) {
      *index_r = i;
      return TRUE;
    }
  }
  g_autofree char *allowed = g_strjoinv (" | ", (char **) k->choices);
  g_set_error (error, MG_CONFIG_ERROR, 0, "[%s] %s: \"%s\" is not one of %s", k->group, k->key,
               text, allowed);
  return FALSE;
}

/* Values may carry an inline comment after whitespace ("x = 1   ; why"), as
 * doc/configuration.md writes them; GKeyFile alone would keep it as part of the value. */
static char *
strip_inline_comment (const char *raw)
{
  char *text = g_strdup (raw);

  for (char *p = text; *p != '\0'; p++) {
    if ((*p == ';' || *p == '#') && p > text && g_ascii_isspace (p[-1])) {
      *p = '\0';
      break;
    }
  }
  return g_strstrip (text);
}

gboolean
mg_config_set (MgConfig *config, const MgConfKey *k, const char *raw, GError **error)
{
  g_autofree char *text = strip_inline_comment (raw);
  char *base = (char *) config;
  int index;

  switch (k->type) {
  case MG_CONF_INT:
    return parse_int (k, text, (gint64 *) (base + k->offset), error);
  case MG_CONF_ENUM:
    if (!parse_choice (k, text, &index, error))
      return FALSE;
    *(int *) (base + k->offset) = index;
    return TRUE;
  case MG_CONF_STRING:
    if (k->choices != NULL && !parse_choice (k, text, &index, error))
      return FALSE;
    if (k->choices != NULL) { /* the choice as the table writes it */
      g_free (text);
      text = g_strdup (k->choices[index]);
    }
    g_free (*(char **) (base + k->offset));
    *(char **) (base + k->offset) = g_steal_pointer (&text);
    return TRUE;
  }
  g_assert_not_reached ();
}

MgConfig *
mg_config_new_default (void)
{
  MgConfig *config = g_new0 (MgConfig, 1);

  for (const MgConfKey *k = keys; k->group != NULL; k++) {
    gboolean ok = mg_config_set (config, k, k->default_value, NULL);
    g_assert (ok);
  }
  return config;
}

const MgConfKey *
mg_config_find_key (const char *group, const char *key)
{
  for (const MgConfKey *k = keys; k->group != NULL; k++)
    if (g_str_equal (k->group, group) && g_str_equal (k->key, key))
      return k;
  return NULL;
}

static gboolean
apply_file (MgConfig *config, GKeyFile *kf, const char *path, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (char **g = groups; *g != NULL; g++) {
    g_auto (GStrv) names = g_key_file_get_keys (kf, *g, NULL, NULL);
    for (char **n = names; n != NULL && *n != NULL; n++) {
      const MgConfKey *k = mg_config_find_key (*g, *n);
      g_autofree char *value = g_key_file_get_value (kf, *g, *n, NULL);
      if (k == NULL) {
        g_set_error (error, MG_CONFIG_ERROR, 0, "%s: unknown key [%s] %s", path, *g, *n);
        return FALSE;
      }
      if (!mg_config_set (config, k, value, error)) {
        g_prefix_error (error, "%s: ", path);
        return FALSE;
      }
    }
  }
  return TRUE;
}

MgConfig *
mg_config_load (const char *path, GError **error)
{
  g_autoptr (MgConfig) config = mg_config_new_default ();
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;

  if (path == NULL) {
    if (!g_file_test (MG_CONFIG_DEFAULT_PATH, G_FILE_TEST_EXISTS))
      return g_steal_pointer (&config);
    path = MG_CONFIG_DEFAULT_PATH;
  }
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
    g_set_error (error, MG_CONFIG_ERROR, 0, "%s: %s", path, local->message);
    return NULL;
  }
  if (!apply_file (config, kf, path, error))
    return NULL;
  config->path = g_strdup (path);
  return g_steal_pointer (&config);
}

char *
mg_config_format (const MgConfig *config, const MgConfKey *k)
{
  const char *base = (const char *) config;

  switch (k->type) {
  case MG_CONF_INT:
    return g_strdup_printf ("%" G_GINT64_FORMAT, *(const gint64 *) (base + k->offset));
  case MG_CONF_ENUM:
    return g_strdup (k->choices[*(const int *) (base + k->offset)]);
  case MG_CONF_STRING:
    return g_strdup (*(char *const *) (base + k->offset));
  }
  g_assert_not_reached ();
}

void
mg_config_free (MgConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  for (const MgConfKey *k = keys; k->group != NULL; k++)
    if (k->type == MG_CONF_STRING)
      g_free (*(char **) ((char *) config + k->offset));
  g_free (config);
}
