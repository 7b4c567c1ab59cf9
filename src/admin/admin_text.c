/* admin_text.c - the table of UI texts.
 *
 * Must never hold text from outside: only constants, so that formats are safe.
 */
#include "admin/admin_text.h"

#include "common/verdict.h"

static const char *const texts[MG_T_COUNT_][2] = {
  [MG_T_TITLE] = { "mugai 隔離メール管理", "mugai quarantine" },
  [MG_T_LOGIN] = { "ログイン", "Log in" },
  [MG_T_USER] = { "利用者名", "User name" },
  [MG_T_PASSWORD] = { "パスワード", "Password" },
  [MG_T_LOGOUT] = { "ログアウト", "Log out" },
  [MG_T_ITEMS] = { "隔離一覧", "Held items" },
  [MG_T_STATS] = { "統計・保存期間", "Statistics and retention" },
  [MG_T_SEARCH] = { "検索", "Search" },
  [MG_T_ID] = { "隔離ID", "ID" },
  [MG_T_TIME] = { "受信日時（JST）", "Time (JST)" },
  [MG_T_FROM] = { "差出人", "From" },
  [MG_T_TO] = { "宛先", "To" },
  [MG_T_SUBJECT] = { "件名", "Subject" },
  [MG_T_VERDICT] = { "判定", "Verdict" },
  [MG_T_REASONS] = { "理由", "Reasons" },
  [MG_T_STATE] = { "状態", "State" },
  [MG_T_SINCE] = { "開始日", "Since" },
  [MG_T_UNTIL] = { "終了日（この日を含まない）", "Until (exclusive)" },
  [MG_T_ANY] = { "（指定なし）", "(any)" },
  [MG_T_SHOW_ALL] = { "保存のみ・削除済みも表示", "Also items kept whole and deleted" },
  [MG_T_TEXT] = { "キーワード（件名・差出人・宛先・ID）", "Words (subject, from, to, ID)" },
  [MG_T_WITHHELD] = { "保留", "withheld" },
  [MG_T_SANITISED] = { "無害化（一部削除）", "sanitised (parts removed)" },
  [MG_T_HELD] = { "隔離中", "held" },
  [MG_T_KEPT] = { "保存のみ", "kept" },
  [MG_T_PENDING] = { "解放申請中", "release requested" },
  [MG_T_RELEASED] = { "解放済み", "released" },
  [MG_T_DELETED] = { "原本削除済み", "original deleted" },
  [MG_T_PARTS] = { "添付ファイルと処理内容（何をなぜ削除したか）",
                   "Parts: what was removed and why" },
  [MG_T_HEADERS] = { "原本のヘッダ", "Headers of the original" },
  [MG_T_NO_BODY] = { "原本の本文と添付ファイルは、安全のため表示しません。",
                     "The original body and attachments are never shown." },
  [MG_T_REQUESTS] = { "解放申請の履歴", "Release requests" },
  [MG_T_REQUEST] = { "解放を申請する", "Request release" },
  [MG_T_KIND_SANITISED] = { "無害化したものを受信者へ（再度無害化します）",
                            "Sanitised, to the recipients (sanitised again)" },
  [MG_T_KIND_ORIGINAL] = { "原本をインターネット系の転送先へ",
                           "The original, to the internet-zone forward address" },
  [MG_T_PPAP] = { "暗号化 ZIP のパスワード（任意）", "Password of an encrypted ZIP (optional)" },
  [MG_T_PPAP_HELP] = { "受信者が差出人から受け取ったパスワードを入力すると、"
                       "ZIP を開いて中身を無害化します（PPAP 対応）。",
                       "The password the recipient received from the sender: the ZIP is opened"
                       " and its content sanitised (PPAP)." },
  [MG_T_NOTE] = { "申請理由", "Reason" },
  [MG_T_APPROVE] = { "承認して解放する", "Approve and release" },
  [MG_T_RELEASE_TO] = { "解放先のメールアドレス", "Address to release to" },
  [MG_T_RELEASE_TO_HELP] = { "このメールには受信時の宛先（エンベロープ）の記録がありません。"
                             "届ける宛先を一つ入力してください（許可されたドメインのみ）。",
                             "This item was stored without its envelope: type the one address"
                             " to release it to (allowed domains only)." },
  [MG_T_REJECT] = { "却下する", "Reject" },
  [MG_T_DELETE] = { "原本を削除する", "Delete the original" },
  [MG_T_PURGE] = { "保存期間を過ぎたものを削除する", "Purge items past the retention period" },
  [MG_T_RETENTION] = { "保存期間：%s 日（これより古いものは削除の対象です）",
                       "Retention: %s days (older items are purged)" },
  [MG_T_OWN_REQUEST] = { "ご自身の申請は承認できません（申請者と承認者の兼務禁止）。別の承認者が承認してください。",
                         "You requested this release: another approver must approve it." },
  [MG_T_CSRF] = { "フォームの有効期限が切れたか、このサイト以外から送信されました。ページを読み込み直してください。",
                  "The form expired or was not sent from this site. Reload the page." },
  [MG_T_LOGIN_FAILED] = { "利用者名またはパスワードが違います。", "Wrong user name or password." },
  [MG_T_LOCKED] = { "ログインの失敗が続いたため、しばらくの間ログインできません。"
                    "時間をおいてからやり直してください。",
                    "Too many failed logins: try again later." },
  [MG_T_EXPIRED] = { "セッションの有効期限が切れました。もう一度ログインしてください。",
                     "Your session expired. Please log in again." },
  [MG_T_DONE_REQUEST] = { "解放を申請しました。別の承認者の承認を待っています。",
                          "Release requested: waiting for another approver." },
  [MG_T_DONE_APPROVE] = { "承認し、解放しました。", "Approved and released." },
  [MG_T_DONE_REJECT] = { "申請を却下しました。", "Request rejected." },
  [MG_T_DONE_DELETE] = { "原本を削除しました。", "Original deleted." },
  [MG_T_DONE_PURGE] = { "保存期間を過ぎた %s 件を削除しました。", "Purged %s items past retention." },
  [MG_T_NOT_DONE] = { "実行できませんでした。", "Not done." },
  [MG_T_ERR_ROLE] = { "この操作の権限がありません。", "Your role does not allow this." },
  [MG_T_ERR_STATE] = { "現在の状態ではこの操作はできません。", "Not possible in the item's present state." },
  [MG_T_ERR_POLICY] = { "設定により許可されていません。", "The configuration does not allow this." },
  [MG_T_ERR_RELEASE] = { "解放できませんでした（申請は残っています）。",
                         "The release failed (the request stays pending)." },
  [MG_T_ERR_TEMP] = { "一時的なエラーです。しばらくしてからやり直してください。",
                      "A temporary failure: try again later." },
  [MG_T_ERR_UNREACHABLE] = { "隔離ストア（PostgreSQL）に接続できません。"
                             "データベースの状態を確認し、しばらくしてからやり直してください。",
                             "The quarantine store (PostgreSQL) is unreachable: check the"
                             " database and try again later." },
  [MG_T_ROLE_OPERATOR] = { "申請者", "operator" },
  [MG_T_ROLE_APPROVER] = { "承認者", "approver" },
  [MG_T_PREV] = { "前へ", "Previous" },
  [MG_T_NEXT] = { "次へ", "Next" },
  [MG_T_COUNT] = { "%s 件", "%s items" },
  [MG_T_BY_DAY] = { "日別件数（JST）", "By day (JST)" },
  [MG_T_BY_REASON] = { "理由別件数", "By reason" },
  [MG_T_DAY] = { "日付", "Day" },
  [MG_T_TOTAL] = { "合計", "Total" },
  [MG_T_NOT_FOUND] = { "見つかりません。", "Not found." },
  [MG_T_PENDING_BY] = { "解放申請中（申請者: %s）", "Release requested by %s" },
  [MG_T_NONE] = { "なし", "none" },
  [MG_T_SIZE] = { "原本のサイズ", "Size of the original" },
  [MG_T_VIRUS] = { "ウイルス名", "Virus" },
  [MG_T_DETAIL] = { "詳細", "Detail" },
  [MG_T_FILENAME] = { "ファイル名", "File name" },
  [MG_T_TYPE] = { "実際の形式（申告された形式）", "Detected type (declared)" },
  [MG_T_ACTION] = { "処理", "Action" },
  [MG_T_REQUESTED_BY] = { "申請者", "Requested by" },
  [MG_T_DECIDED_BY] = { "承認・却下した人", "Decided by" },
  [MG_T_RESULT] = { "結果", "Result" },
  [MG_T_LANG_SWITCH] = { "English", "日本語" },
  [MG_T_BAD_REQUEST] = { "不正な要求です。", "Bad request." },
  [MG_T_ACTIONS] = { "操作", "Actions" },
  [MG_T_TZ_NOTE] = { "時刻は日本標準時（JST, UTC+9）で表示しています。監査ログは UTC です。",
                     "Times are shown in JST (UTC+9); the audit log is in UTC." },
  [MG_T_WAIT_OTHER] = { "別の承認者が承認するまでお待ちください。",
                        "Another approver must approve it." },
  [MG_T_CONFIRM_DELETE] = { "削除した原本は元に戻せません。", "A deleted original cannot be restored." },
  [MG_T_LOGGED_IN_AS] = { "%s（%s）", "%s (%s)" },
  [MG_T_ITEM] = { "隔離メールの詳細", "Held item" },
  [MG_T_W_REMOVED] = { "削除", "removed" },
  [MG_T_W_CONVERTED] = { "変換", "converted" },
  [MG_T_W_KEPT] = { "そのまま", "kept" },
  [MG_T_W_APPROVED] = { "承認・解放済み", "approved" },
  [MG_T_W_REJECTED] = { "却下", "rejected" },
  [MG_T_W_CANCELLED] = { "取消（原本削除）", "cancelled" },
  [MG_T_W_APPROVING] = { "承認処理中", "being approved" },
  [MG_T_REJECT_NOTE] = { "却下の理由", "Why" },
  [MG_T_FROM_ADDRESS] = { "差出人アドレス", "From address" },
  [MG_T_CONFIRM_DELETE_TITLE] = { "原本の削除の確認", "Delete the original?" },
  [MG_T_CONFIRM_DELETE_ASK] = { "次の隔離メールの原本を削除します。削除した原本は元に戻せず、"
                                "解放もできなくなります。よろしいですか。",
                                "The original of this held item will be deleted. It cannot"
                                " be restored or released afterwards. Go on?" },
  [MG_T_CONFIRM_PURGE_TITLE] = { "保存期間を過ぎたものの削除の確認",
                                 "Purge items past the retention period?" },
  [MG_T_CONFIRM_PURGE_ASK] = { "保存期間（%s 日）を過ぎた隔離メール %s 件を、原本・記録とも"
                               "削除します。削除したものは元に戻せません。よろしいですか。",
                               "Items past the retention period (%s days): %s. They will be"
                               " removed with their originals; this cannot be undone. Go on?" },
  [MG_T_CONFIRM_YES_DELETE] = { "削除する", "Delete" },
  [MG_T_CONFIRM_YES_PURGE] = { "削除する", "Purge" },
  [MG_T_CANCEL] = { "やめる", "Cancel" },
  [MG_T_SESSION_ENDED] = { "利用者の登録内容（削除、役割、パスワード）が変わったため、"
                           "セッションを終了しました。もう一度ログインしてください。",
                           "Your session ended: your user was deleted or its role or password"
                           " changed. Please log in again." },
  [MG_T_SIZE_VALUE] = { "%s バイト（SHA-256: %s）", "%s bytes (SHA-256 %s)" },
  [MG_T_QUEUE_ID] = { "キュー ID", "Queue ID" },
  [MG_T_W_KIND_SANITISED] = { "無害化して解放", "sanitised" },
  [MG_T_W_KIND_ORIGINAL] = { "原本を転送", "original" },
  [MG_T_NOT_CONFIRMED] = { "確認が済んでいないため、実行しませんでした。",
                           "Not done: it was not confirmed." },
};

const char *
mg_admin_text (MgAdminLang lang, MgAdminText id)
{
  g_return_val_if_fail (id < MG_T_COUNT_, "");
  return texts[id][lang == MG_ADMIN_LANG_EN ? 1 : 0];
}

const char *
mg_admin_text_word (MgAdminLang lang, const char *name)
{
  static const struct {
    const char *name;
    MgAdminText text;
  } words[] = {
    { "withheld", MG_T_WITHHELD }, { "sanitised", MG_T_SANITISED }, { "held", MG_T_HELD },
    { "kept", MG_T_KEPT }, { "pending", MG_T_PENDING }, { "released", MG_T_RELEASED },
    { "deleted", MG_T_DELETED }, { "operator", MG_T_ROLE_OPERATOR },
    { "approver", MG_T_ROLE_APPROVER }, { "approved", MG_T_W_APPROVED },
    { "rejected", MG_T_W_REJECTED }, { "cancelled", MG_T_W_CANCELLED },
    { "approving", MG_T_W_APPROVING },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (name, words[i].name) == 0)
      return mg_admin_text (lang, words[i].text);
  return name != NULL ? name : "";
}

const char *
mg_admin_text_action (MgAdminLang lang, const char *action)
{
  if (g_strcmp0 (action, "kept") == 0)
    return mg_admin_text (lang, MG_T_W_KEPT);
  if (g_strcmp0 (action, "converted") == 0)
    return mg_admin_text (lang, MG_T_W_CONVERTED);
  if (g_strcmp0 (action, "removed") == 0)
    return mg_admin_text (lang, MG_T_W_REMOVED);
  return mg_admin_text_word (lang, action);
}

const char *
mg_admin_text_kind (MgAdminLang lang, const char *kind)
{
  if (g_strcmp0 (kind, "sanitised") == 0)
    return mg_admin_text (lang, MG_T_W_KIND_SANITISED);
  if (g_strcmp0 (kind, "original") == 0)
    return mg_admin_text (lang, MG_T_W_KIND_ORIGINAL);
  return kind != NULL ? kind : "";
}

/* The last reason verdict.h had when this was written: the reasons after it
 * are shown in English until verdict.h can say how many there are. */
#define MG_ADMIN_LAST_REASON MG_REASON_XML_DOCTYPE

static const char *
reason_in (MgAdminLang lang, const char *english)
{
  if (lang == MG_ADMIN_LANG_EN)
    return english;
  for (int r = MG_REASON_NONE + 1; r <= MG_ADMIN_LAST_REASON; r++)
    if (g_str_equal (mg_reason_text ((MgReason) r, "en"), english))
      return mg_reason_text ((MgReason) r, "ja");
  return english;
}

char *
mg_admin_text_reasons (MgAdminLang lang, const char *reasons)
{
  g_auto (GStrv) parts = g_strsplit (reasons != NULL ? reasons : "", "; ", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new ();

  for (char **p = parts; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add (out, (gpointer) reason_in (lang, *p));
  g_ptr_array_add (out, NULL);
  return g_strjoinv (lang == MG_ADMIN_LANG_EN ? "; " : "、", (char **) out->pdata);
}
