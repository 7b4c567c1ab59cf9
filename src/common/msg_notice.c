/* msg_notice.c - the words of the notices in a sanitised or withheld mail, in English and
 * Japanese (a table of the catalogue, msg.h). */
#include "common/msg_private.h"

const MgMsg mg_msg_notice_rows[] = {
  { MG_MSG_NOTICE_ITEM, "  - %s (%s): %s", "  ・%s（%s）: %s" },
  { MG_MSG_NOTICE_ARROW, " -> ", " → " },
  { MG_MSG_NOTICE_BANNER,
    "[Sanitisation notice] This message came from the internet zone and was sanitised by mugai (ID: %s).\n",
    "【無害化通知】このメールはインターネット側から受信したため、mugai が無害化しました（ID: %s）。\n" },
  { MG_MSG_NOTICE_NO_PARTS, "No attachments.\n", "添付ファイルはありません。\n" },
  { MG_MSG_NOTICE_PARTS_UNLISTED,
    "The sanitiser failed and could not list the attachments; whether there are any is "
    "unknown.\n",
    "無害化処理が途中で失敗したため、添付ファイルの有無と一覧を確認できませんでした。\n" },
  { MG_MSG_NOTICE_PARTS_LIST, "Attachments and what became of them:\n",
    "添付ファイルと処理結果:\n" },
  { MG_MSG_NOTICE_KEPT, "passed", "通過" },
  { MG_MSG_NOTICE_CONVERTED, "converted", "変換" },
  { MG_MSG_NOTICE_REMOVED, "removed", "削除" },
  { MG_MSG_NOTICE_WITHHELD, "withheld", "保留" },
  { MG_MSG_NOTICE_NO_NAME, "(no name)", "（名前なし）" },
  { MG_MSG_NOTICE_HTML_CONVERTED,
    "The HTML body was converted to text. Links are shown as <URL>.\n",
    "HTML 形式の本文はテキストに変換しました。リンク先は <URL> の形で表示しています。\n" },
  { MG_MSG_NOTICE_ALTERNATIVE_DIFFERS,
    "The text and HTML versions differ; the HTML version (what mail clients display) is shown.\n",
    "テキスト版と HTML 版の内容が異なるため、HTML 版（メールソフトが表示する側）を表示しています。\n" },
  { MG_MSG_NOTICE_RULE, "----------------------------------------\n",
    "────────────────────────────────────────\n" },
  { MG_MSG_NOTICE_WITHHELD_INTRO,
    "This message could not be sanitised safely and was withheld from the LGWAN side.\n"
    "Its body and attachments are held in quarantine.\n",
    "このメールは安全に無害化できなかったため、LGWAN 側への配送を保留しました。\n"
    "本文と添付ファイルは隔離されています。\n" },
  { MG_MSG_NOTICE_REASON, "Reason", "理由" },
  { MG_MSG_NOTICE_QUARANTINE_ID, "Quarantine ID", "隔離 ID" },
  { MG_MSG_NOTICE_FROM, "From", "差出人" },
  { MG_MSG_NOTICE_SUBJECT, "Subject", "件名" },
  { MG_MSG_NOTICE_ASK_ADMIN,
    "If you need it, contact your IT administrators with this quarantine ID.\n",
    "必要な場合は、この隔離 ID を添えて情報システム担当者へお問い合わせください。\n" },
  { MG_MSG_NOTICE_ENCRYPTED,
    "Encrypted files (such as password-protected ZIPs) cannot be inspected, so the message "
    "was held. If you need it, ask your IT administrators to release it, quoting this "
    "quarantine ID, and ask the sender for the password.\n",
    "暗号化されたファイル（パスワード付き ZIP など）は中身を検査できないため保留しました。"
    "受け取る必要がある場合は、この隔離 ID を添えて情報システム担当者に保留の解除を依頼し、"
    "パスワードは送信者に確認してください。\n" },
  { MG_MSG_NOTICE_ATTACHED_MESSAGE, "---------- Attached message ----------\n",
    "---------- 添付されたメール ----------\n" },
  { MG_MSG_NOTICE_DATE, "Date", "日時" },
};
const gsize mg_msg_notice_n_rows = G_N_ELEMENTS (mg_msg_notice_rows);
G_STATIC_ASSERT (G_N_ELEMENTS (mg_msg_notice_rows) == MG_MSG_UI_FIRST - MG_MSG_NOTICE_FIRST);
