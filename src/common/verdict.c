/* verdict.c - names and texts of verdicts, actions and reasons. */
#include "common/verdict.h"

const char *
mg_verdict_name (MgVerdict verdict)
{
  static const char *const names[] = { "sanitised", "withheld", "tempfail" };
  g_assert ((guint) verdict < G_N_ELEMENTS (names));
  return names[verdict];
}

const char *
mg_action_name (MgAction action)
{
  static const char *const names[] = { "kept", "converted", "removed", "withheld" };
  g_assert ((guint) action < G_N_ELEMENTS (names));
  return names[action];
}

static const struct {
  const char *en;
  const char *ja;
} reason_texts[] = {
  [MG_REASON_NONE] = { "", "" },
  [MG_REASON_TEXT_REENCODED] = { "text re-encoded to UTF-8", "テキストを UTF-8 に変換しました" },
  [MG_REASON_HTML_TO_TEXT] = { "HTML converted to text", "HTML をテキストに変換しました" },
  [MG_REASON_TYPE_NOT_ALLOWED] = { "file type not allowed",
                                   "この種類のファイルは通過できません" },
  [MG_REASON_NO_CONVERTER] = { "no sanitiser for this file type",
                               "この種類のファイルを無害化する変換器がありません" },
  [MG_REASON_SCRIPT_NAME] = { "script or executable file name",
                              "スクリプトまたは実行ファイルの名前です" },
  [MG_REASON_VIRUS] = { "virus found", "ウイルスが検出されました" },
  [MG_REASON_AMBIGUOUS] = { "ambiguous MIME structure",
                            "メールの構造が曖昧で、安全に解釈できません" },
  [MG_REASON_LIMIT] = { "limit exceeded", "処理の上限を超えました" },
  [MG_REASON_BAD_ENCODING] = { "invalid transfer encoding",
                               "転送エンコーディングが不正です" },
  [MG_REASON_ENCRYPTED] = { "encrypted content cannot be inspected",
                            "暗号化されているため検査できません" },
  [MG_REASON_PARTIAL] = { "message/partial is not accepted",
                          "分割されたメール (message/partial) は受け付けません" },
  [MG_REASON_EXTERNAL_BODY] = { "external body reference removed",
                                "外部参照 (message/external-body) を削除しました" },
  [MG_REASON_CONVERT_FAILED] = { "conversion failed", "変換に失敗しました" },
  [MG_REASON_EMBEDDED_ENCODED] = { "encoded block cut out of the text",
                                   "本文中の符号化ブロックを切り出しました" },
  [MG_REASON_FLATTENED] = { "attached message flattened into the body",
                            "添付メールを本文に展開しました" },
  [MG_REASON_SIGNATURE_DROPPED] = { "signature dropped", "電子署名を削除しました" },
  [MG_REASON_ARCHIVE_REPACKED] = { "archive members sanitised and repacked as ZIP",
                                   "書庫の中身を無害化し、ZIP 形式に作り直しました" },
  [MG_REASON_ARCHIVE_EMPTY] = { "no file in the archive could pass",
                                "書庫の中に通過できるファイルがありません" },
  [MG_REASON_UNSAFE_NAME] = { "name points outside its folder (../, absolute path, drive letter)",
                              "保存先の外を指す名前です（../、絶対パス、ドライブ名）" },
  [MG_REASON_NOT_REGULAR] = { "link or special file, never followed",
                              "リンクや特殊ファイルのため、たどらずに除外しました" },
  [MG_REASON_PDF_REBUILT] = { "PDF rebuilt from its pages",
                              "PDF をページの描画から作り直しました" },
  [MG_REASON_IMAGE_REENCODED] = { "image re-encoded from its pixels",
                                  "画像を画素から作り直しました" },
  [MG_REASON_MACROS_REMOVED] = { "macros removed", "マクロを削除しました" },
  [MG_REASON_OFFICE_ACTIVE] = { "embedded objects, external links or fields removed",
                                "埋め込みオブジェクト・外部リンク・フィールドを削除しました" },
  [MG_REASON_OFFICE_REBUILT] = { "Office document rebuilt from its safe parts",
                                 "Office 文書を安全な部分だけで作り直しました" },
  [MG_REASON_OFFICE_CONVERTED] = { "converted to the current Office format and rebuilt",
                                   "現行の Office 形式に変換し、安全な部分だけで作り直しました" },
  [MG_REASON_XML_DOCTYPE] = { "XML with a DOCTYPE (entity attack) is not accepted",
                              "DOCTYPE 宣言を含む XML（エンティティ攻撃）は受け付けません" },
  [MG_REASON_PAGES_DROPPED] = { "image of several pages: only its first page was kept",
                                "複数ページの画像のため、1 ページ目だけを残しました" },
  [MG_REASON_PICTURES_DROPPED] = {
    "Office document rebuilt; pictures it could not convert (EMF/WMF drawings) were left out",
    "Office 文書を作り直しました。変換できない図（EMF/WMF の図など）は除きました" },
};

const char *
mg_reason_text (MgReason reason, const char *language)
{
  g_assert ((guint) reason < G_N_ELEMENTS (reason_texts));
  if (language != NULL && g_str_equal (language, "ja"))
    return reason_texts[reason].ja;
  return reason_texts[reason].en;
}
