/* msg_report.c - the labels of the audit totals (`mugai report`, the web UI's
 * statistics and their CSV), in English and Japanese (a table of the
 * catalogue, msg.h). */
#include "common/msg_private.h"

const MgMsg mg_msg_report_rows[] = {
  { MG_MSG_REPORT_MESSAGES, "Messages", "メール" },
  { MG_MSG_REPORT_FILES, "Files (mugai files)", "ファイル（mugai files）" },
  { MG_MSG_REPORT_ATTACHMENTS, "Attachments and files by type and action",
    "添付・ファイルの種類と処理" },
  { MG_MSG_REPORT_REMOVALS, "Removed or withheld, by reason", "削除・保留の理由" },
  { MG_MSG_REPORT_VIRUSES, "Viruses", "ウイルス名" },
  { MG_MSG_REPORT_RELEASES, "Releases", "解放" },
  { MG_MSG_REPORT_PPAP, "Password-protected ZIP (PPAP)", "パスワード付き ZIP（PPAP）" },
  { MG_MSG_REPORT_ELAPSED_MS, "Processing time (ms)", "処理時間（ミリ秒）" },
  { MG_MSG_REPORT_RECIPIENTS, "Messages per recipient", "宛先ごとのメール" },
  { MG_MSG_REPORT_WITHHELD_SENDER_DOMAINS, "Sender domains of withheld mail",
    "保留したメールの差出人ドメイン" },
  { MG_MSG_REPORT_DAYS, "Per day (JST)", "日別（JST）" },
  { MG_MSG_REPORT_MONTHS, "Per month (JST)", "月別（JST）" },
  { MG_MSG_REPORT_TOTAL, "total", "合計" },
  { MG_MSG_REPORT_SANITISED, "sanitised", "無害化" },
  { MG_MSG_REPORT_WITHHELD, "withheld", "保留" },
  { MG_MSG_REPORT_KEPT, "kept", "通過" },
  { MG_MSG_REPORT_CONVERTED, "converted", "変換" },
  { MG_MSG_REPORT_REMOVED, "removed", "削除" },
  { MG_MSG_REPORT_REQUESTED, "requested", "申請" },
  { MG_MSG_REPORT_APPROVED, "approved", "承認" },
  { MG_MSG_REPORT_REJECTED, "rejected", "却下" },
  { MG_MSG_REPORT_RECEIVED, "received and withheld", "受信して保留" },
  { MG_MSG_REPORT_PASSWORD_GIVEN, "release requested with the password",
    "パスワードを添えた解放申請" },
  { MG_MSG_REPORT_PASSWORD_WRONG, "password did not open it", "パスワードが合わず申請できず" },
  { MG_MSG_REPORT_DETECTIONS, "virus detections", "ウイルス検出" },
  { MG_MSG_REPORT_COUNT, "count", "件数" },
  { MG_MSG_REPORT_MEAN, "mean", "平均" },
  { MG_MSG_REPORT_CSV_GROUP, "group", "区分" },
  { MG_MSG_REPORT_CSV_SUBGROUP, "subgroup", "小区分" },
  { MG_MSG_REPORT_CSV_ITEM, "item", "項目" },
  { MG_MSG_REPORT_CSV_COUNT, "count", "件数" },
};
const gsize mg_msg_report_n_rows = G_N_ELEMENTS (mg_msg_report_rows);
G_STATIC_ASSERT (G_N_ELEMENTS (mg_msg_report_rows) == MG_MSG_CLI_FIRST - MG_MSG_REPORT_FIRST);
