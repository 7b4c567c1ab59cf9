/* admin_notify.c - the approvers' mail of a pending release.
 *
 * Must never carry the original or text from it into the mail's header.
 */
#include "admin/admin_notify.h"

#include <string.h>

#include "quarantine/quarantine_users.h"
#include "quarantine/quarantine_alert.h"
#include "quarantine/quarantine_role.h"
#include "quarantine/quarantine_smtp.h"

/* Addresses of the approvers other than NAME (NULL-terminated). */
static GStrv
approver_addresses (const char *users_file, const char *name)
{
  g_autoptr (GPtrArray) users = mg_quarantine_users_load (users_file, NULL);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; users != NULL && i < users->len; i++) {
    const MgQuarantineUser *u = g_ptr_array_index (users, i);
    if (u->email != NULL && g_strcmp0 (u->role, MG_QUARANTINE_ROLE_APPROVER) == 0 &&
        g_strcmp0 (u->name, name) != 0)
      g_ptr_array_add (out, g_strdup (u->email));
  }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

static char *
body_text (const MgConfig *config, const MgQuarantineItem *item,
           const MgQuarantineActor *actor, const char *kind)
{
  gboolean original = g_strcmp0 (kind, "original") == 0;
  g_autofree char *path = g_strdup_printf ("/items/%s", item->id);
  g_autofree char *url = mg_quarantine_alert_admin_url (config, path);

  return g_strdup_printf (
      "承認を待っている解放申請があります。\n\n"
      "    隔離 ID: %s\n"
      "    申請者: %s\n"
      "    解放の種類: %s\n"
      "    判定: %s\n"
      "    理由: %s\n"
      "%s%s%s"
      "\n承認または却下は、管理画面の項目のページ、または次のコマンドで行います"
      "（申請者本人は承認できません）:\n"
      "%s%s%s"
      "    mugai quarantine approve %s\n"
      "    mugai quarantine reject %s\n\n"
      "このメールには原本を添付していません。\n-- \nmugai\n",
      item->id, actor->name, original ? "原本の転送 (original)" : "無害化して配送 (sanitised)",
      item->verdict != NULL ? item->verdict : "-", item->reasons != NULL ? item->reasons : "-",
      item->virus != NULL ? "    ウイルス名: " : "", item->virus != NULL ? item->virus : "",
      item->virus != NULL ? "\n" : "", url != NULL ? "    " : "", url != NULL ? url : "",
      url != NULL ? "\n" : "", item->id, item->id);
}

static GBytes *
compose (const MgConfig *config, const MgQuarantineItem *item, const MgQuarantineActor *actor,
         const char *kind, GStrv to)
{
  g_autofree char *body = body_text (config, item, actor, kind);
  g_autofree char *clean = g_utf8_make_valid (body, -1);
  g_autofree char *b64 = g_base64_encode ((const guchar *) clean, strlen (clean));
  g_autofree char *subject = g_strdup_printf ("【mugai】解放の承認をお願いします（%s）",
                                              item->id);
  g_autofree char *subject64 = g_base64_encode ((const guchar *) subject, strlen (subject));
  g_autofree char *recipients = g_strjoinv (">, <", to);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  GString *out = g_string_new (NULL);
  gsize len = strlen (b64);

  g_string_append_printf (
      out,
      "From: <%s>\nTo: <%s>\nSubject: =?UTF-8?B?%s?=\nDate: %s\n"
      "Message-ID: <%08x%08x.request@mugai>\nMIME-Version: 1.0\n"
      "X-Mugai-Request: %s\nContent-Type: text/plain; charset=UTF-8\n"
      "Content-Transfer-Encoding: base64\n\n",
      *config->release_sender != '\0' ? config->release_sender : "MAILER-DAEMON", recipients,
      subject64, date, g_random_int (), g_random_int (), item->id);
  for (gsize i = 0; i < len; i += 76)
    g_string_append_printf (out, "%.*s\n", (int) MIN (76, len - i), b64 + i);
  return g_string_free_to_bytes (out);
}

void
mg_admin_notify_request (MgQuarantineStore *store, const char *id,
                         const MgQuarantineActor *actor, const char *kind)
{
  const MgConfig *config = mg_quarantine_store_config (store);
  g_auto (GStrv) to = approver_addresses (config->admin_users_file, actor->name);
  g_autoptr (MgQuarantineItem) item = NULL;
  g_autoptr (GBytes) mail = NULL;
  g_autoptr (GError) error = NULL;

  if (to[0] == NULL || *config->release_smtp == '\0')
    return;
  item = mg_quarantine_store_get (store, id, &error);
  if (item != NULL) {
    mail = compose (config, item, actor, kind, to);
    if (mg_quarantine_smtp_send (config->release_smtp, config->release_sender,
                                 (const char *const *) to, mail, NULL, &error))
      return;
  }
  g_warning ("the approvers of %s were not told: %s", id, error->message);
}
