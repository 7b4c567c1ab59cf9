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
};

const char *
mg_reason_text (MgReason reason, const char *language)
{
  g_assert ((guint) reason < G_N_ELEMENTS (reason_texts));
  if (language != NULL && g_str_equal (language, "ja"))
    return reason_texts[reason].ja;
  return reason_texts[reason].en;
}
