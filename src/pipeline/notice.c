/* notice.c - the texts of notices, in Japanese or English. */
#include "pipeline/notice.h"

#include "pipeline/policy.h"

typedef struct {
  const char *item, *arrow;
  const char *banner, *none, *unlisted, *list, *kept, *converted, *removed, *withheld, *noname,
    *html, *differs, *rule, *held_intro, *reason, *qid, *from, *subject, *ask, *encrypted;
} MgNoticeText;

static const MgNoticeText ja = {
  "  ・%s（%s）: %s", " → ",
  "【無害化通知】このメールはインターネット側から受信したため、mugai が無害化しました（ID: %s）。\n",
  "添付ファイルはありません。\n",
  "無害化処理が途中で失敗したため、添付ファイルの有無と一覧を確認できませんでした。\n",
  "添付ファイルと処理結果:\n",
  "通過", "変換", "削除", "保留", "（名前なし）",
  "HTML 形式の本文はテキストに変換しました。リンク先は <URL> の形で表示しています。\n",
  "テキスト版と HTML 版の内容が異なるため、HTML 版（メールソフトが表示する側）を表示しています。\n",
  "────────────────────────────────────────\n",
  "このメールは安全に無害化できなかったため、LGWAN 側への配送を保留しました。\n"
  "本文と添付ファイルは隔離されています。\n",
  "理由", "隔離 ID", "差出人", "件名",
  "必要な場合は、この隔離 ID を添えて情報システム担当者へお問い合わせください。\n",
  "暗号化されたファイル（パスワード付き ZIP など）は中身を検査できないため保留しました。"
  "受け取る必要がある場合は、この隔離 ID を添えて情報システム担当者に保留の解除を依頼し、"
  "パスワードは送信者に確認してください。\n",
};

static const MgNoticeText en = {
  "  - %s (%s): %s", " -> ",
  "[Sanitisation notice] This message came from the internet zone and was sanitised by mugai (ID: %s).\n",
  "No attachments.\n",
  "The sanitiser failed and could not list the attachments; whether there are any is "
  "unknown.\n",
  "Attachments and what became of them:\n",
  "passed", "converted", "removed", "withheld", "(no name)",
  "The HTML body was converted to text. Links are shown as <URL>.\n",
  "The text and HTML versions differ; the HTML version (what mail clients display) is shown.\n",
  "----------------------------------------\n",
  "This message could not be sanitised safely and was withheld from the LGWAN side.\n"
  "Its body and attachments are held in quarantine.\n",
  "Reason", "Quarantine ID", "From", "Subject",
  "If you need it, contact your IT administrators with this quarantine ID.\n",
  "Encrypted files (such as password-protected ZIPs) cannot be inspected, so the message "
  "was held. If you need it, ask your IT administrators to release it, quoting this "
  "quarantine ID, and ask the sender for the password.\n",
};

static const MgNoticeText *
texts (const MgJob *job)
{
  return g_str_equal (job->language, "ja") ? &ja : &en;
}

static const char *
action_word (const MgNoticeText *t, MgAction action)
{
  switch (action) {
  case MG_ACTION_KEPT:
    return t->kept;
  case MG_ACTION_CONVERTED:
    return t->converted;
  case MG_ACTION_REMOVED:
    return t->removed;
  case MG_ACTION_WITHHELD:
    return t->withheld;
  }
  g_assert_not_reached ();
}

static void
append_part_line (GString *out, const MgJob *job, const MgPart *part)
{
  const MgNoticeText *t = texts (job);
  g_autofree char *name = part->filename ? mg_policy_output_name (part->filename, NULL, 0)
                                         : g_strdup (t->noname);
  const char *type = part->detected_type ? part->detected_type : part->declared_type;

  g_string_append_printf (out, t->item, name, type ? type : "?",
                          action_word (t, part->action));
  if (part->output_filename != NULL && g_strcmp0 (part->output_filename, name) != 0)
    g_string_append_printf (out, "%s%s", t->arrow, part->output_filename);
  if (part->reason != MG_REASON_NONE)
    g_string_append_printf (out, " — %s", mg_reason_text (part->reason, job->language));
  if (part->reason == MG_REASON_VIRUS && part->detail != NULL)
    g_string_append_printf (out, " (%s)", part->detail);
  g_string_append_c (out, '\n');
}

static void
append_parts (GString *out, const MgJob *job)
{
  const MgNoticeText *t = texts (job);

  if (job->parts->len == 0) {
    g_string_append (out, job->parts_unlisted ? t->unlisted : t->none);
    return;
  }
  g_string_append (out, t->list);
  for (guint i = 0; i < job->parts->len; i++)
    append_part_line (out, job, g_ptr_array_index (job->parts, i));
}

char *
mg_notice_banner (const MgJob *job, const char *id)
{
  const MgNoticeText *t = texts (job);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, t->banner, id);
  append_parts (out, job);
  if (job->html_converted)
    g_string_append (out, t->html);
  if (job->alternative_differs)
    g_string_append (out, t->differs);
  g_string_append (out, t->rule);
  return g_string_free (out, FALSE);
}

char *
mg_notice_withheld (const MgJob *job, const char *id, const char *from,
                    const char *subject)
{
  const MgNoticeText *t = texts (job);
  GString *out = g_string_new (NULL);

  g_string_append (out, t->held_intro);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s: %s", t->reason,
                          mg_reason_text (job->withhold, job->language));
  if (job->viruses->len > 0)
    g_string_append_printf (out, " (%s)", (char *) g_ptr_array_index (job->viruses, 0));
  g_string_append_printf (out, "\n%s: %s\n", t->qid, id);
  if (from != NULL)
    g_string_append_printf (out, "%s: %s\n", t->from, from);
  if (subject != NULL)
    g_string_append_printf (out, "%s: %s\n", t->subject, subject);
  g_string_append_c (out, '\n');
  append_parts (out, job);
  g_string_append_c (out, '\n');
  g_string_append (out, job->withhold == MG_REASON_ENCRYPTED ? t->encrypted : t->ask);
  return g_string_free (out, FALSE);
}
