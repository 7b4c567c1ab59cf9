/* admin_original.c - check and wrap an original for the analyst's mailbox.
 *
 * Must never put a byte of the original anywhere but inside the base64
 * attachment, nor let a header of it (hostile text) into the new header.
 */
#include "admin/admin_original.h"

#include "quarantine/quarantine_index.h"

static const char original_notice[] =
    "このメールには、無害化していない原本がそのまま添付されています。\n"
    "ウイルスや不正なファイルを含むおそれがあります。分析用の端末でのみ開いてください。\n"
    "LGWAN 接続系へは転送しないでください。\n"
    "\n"
    "This message carries the UNSANITISED original as an attachment. Open it only\n"
    "on an analysis machine. Do not forward it to the LGWAN side.\n";

static gboolean refuse (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError **error, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_propagate_error (
      error, g_error_new_valist (MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY, format, ap));
  va_end (ap);
  return FALSE;
}

gboolean
mg_admin_original_allowed (const MgConfig *config, const MgQuarantineItem *item,
                           gboolean to_file, GError **error)
{
  if (to_file)
    return refuse (error, "原本はファイルに書き出せません / an original is never written"
                          " to a file");
  if (*config->release_original_forward_address == '\0' ||
      *config->release_original_smtp == '\0')
    return refuse (error, "原本の転送は設定されていません / originals may not be forwarded:"
                          " [release] original_forward_address or original_smtp is empty");
  if (item->virus != NULL && *item->virus != '\0' && !config->release_allow_virus_original)
    return refuse (error,
                   "ウイルス（%s）を検出したメールの原本は転送できません / the"
                   " original of a mail withheld for a virus (%s) is not forwarded"
                   " ([release] allow_virus_original = no)",
                   item->virus, item->virus);
  return TRUE;
}

static void
append_base64 (GString *out, GBytes *data)
{
  gsize len;
  const guchar *p = g_bytes_get_data (data, &len);
  g_autofree char *b64 = g_base64_encode (p, len);
  gsize n = strlen (b64);

  for (gsize i = 0; i < n; i += 76) {
    g_string_append_len (out, b64 + i, MIN (76, n - i));
    g_string_append_c (out, '\n');
  }
}

GBytes *
mg_admin_original_wrap (const MgConfig *config, const MgQuarantineItem *item, GBytes *original)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  g_autofree char *subject = g_base64_encode ((const guchar *) "【無害化していない原本】",
                                              strlen ("【無害化していない原本】"));
  g_autofree char *boundary = g_strdup_printf ("mugai-original-%08x%08x", g_random_int (),
                                               g_random_int ());
  g_autoptr (GBytes) notice = g_bytes_new_static (original_notice, strlen (original_notice));
  const char *from = *config->release_sender != '\0' ? config->release_sender
                                                     : "MAILER-DAEMON";
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
                          "From: <%s>\nTo: <%s>\nSubject: =?UTF-8?B?%s?= %s\n"
                          "Date: %s\nMessage-ID: <%s.original@mugai>\nMIME-Version: 1.0\n"
                          "X-Mugai-Original: unsanitised; id=%s\n"
                          "Content-Type: multipart/mixed; boundary=\"%s\"\n\n",
                          from, config->release_original_forward_address, subject, item->id,
                          date, item->id, item->id, boundary);
  g_string_append_printf (out,
                          "--%s\nContent-Type: text/plain; charset=UTF-8\n"
                          "Content-Transfer-Encoding: base64\n\n",
                          boundary);
  append_base64 (out, notice);
  g_string_append_printf (
      out,
      "--%s\nContent-Type: application/octet-stream;"
      " name=\"original-%s.eml\"\nContent-Disposition: attachment;"
      " filename=\"original-%s.eml\"\nContent-Transfer-Encoding: base64\n\n",
      boundary, item->id, item->id);
  append_base64 (out, original);
  g_string_append_printf (out, "--%s--\n", boundary);
  return g_string_free_to_bytes (out);
}
