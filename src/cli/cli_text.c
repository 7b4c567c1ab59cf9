/* cli_text.c - Japanese forms of the messages of `mugai` (see cli_text.h).
 *
 * Must never change a message's conversions: a format's Japanese form has the
 * same ones, in the same order (checked by the compiler at each call in
 * English only, so by test_cli_paths' exact messages in Japanese).
 */
#include "cli/cli_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *en;
  const char *ja;
} MgCliText;

/* Whole formats, as the code writes them. */
static const MgCliText formats[] = {
  { "configuration error: %s", "設定エラー: %s" },
  { "temporary failure: %s", "一時的なエラー: %s" },
  { "warning: %s", "警告: %s" },
  { "unknown command \"%s\"", "「%s」というコマンドはありません" },
  { "%s: is a folder", "%s: フォルダです（ファイルを指定してください）" },
  { "%s: not a folder", "%s: フォルダではありません" },
  { "%s: OUTDIR is inside it", "%s: 出力先フォルダがこの中にあります" },
  { "one input at most", "入力は 1 つまでです" },
  { "no PATH given", "検査するパスを指定してください" },
  { "--as: not a user name", "--as: 利用者名ではありません" },
  { "--%s: not a date (YYYY-MM-DD or ISO 8601)",
    "--%s: 日付ではありません（YYYY-MM-DD または ISO 8601）" },
  { "%s: unexpected argument", "%s: 余分な引数があります" },
  { "%s: one quarantine ID expected", "%s: 隔離 ID を 1 つ指定してください" },
  { "--to: not a plain address", "--to: 単純なメールアドレスではありません" },
  { "--cipher: aes256 or zipcrypt", "--cipher: aes256 か zipcrypt を指定してください" },
  { "--month: YYYY-MM, without --from or --to",
    "--month: YYYY-MM の形で、--from や --to と一緒には使えません" },
  { "--format: text, csv or json", "--format: text、csv、json のいずれかを指定してください" },
  { "--lang: ja or en", "--lang: ja か en を指定してください" },
  /* mugai config check */
  { "%s: OK", "%s: 問題ありません" },
  { "%s: %u problem", "%s: 問題が %u 件あります" },
  { "%s: %u problems", "%s: 問題が %u 件あります" },
  { "%s does not exist: checking the built-in defaults",
    "%s がありません: 組み込みの既定値を検査します" },
  { "no user %s: checking access as %s", "利用者 %s がいません: %s として検査します" },
  { "%s: unknown section [%s]", "%s: 不明なセクション [%s]" },
  { "%s: unknown key [%s] %s", "%s: 不明なキー [%s] %s" },
  { "[sandbox] job_timeout (%" G_GINT64_FORMAT " s) must be below [milter] timeout (%"
    G_GINT64_FORMAT " s): the milter would give up on a message before its worker is stopped",
    "[sandbox] job_timeout（%" G_GINT64_FORMAT " 秒）は [milter] timeout（%" G_GINT64_FORMAT
    " 秒）より短くしてください。ワーカーを止める前に milter がメールをあきらめてしまいます" },
  { "[office] libreoffice_timeout (%" G_GINT64_FORMAT " s) must be below [sandbox] job_timeout (%"
    G_GINT64_FORMAT " s)",
    "[office] libreoffice_timeout（%" G_GINT64_FORMAT " 秒）は [sandbox] job_timeout（%"
    G_GINT64_FORMAT " 秒）より短くしてください" },
  { "%s %s does not exist and %s cannot create it in %s (%s)%s",
    "%s %s がなく、%s は %s の中に作れません（%s）%s" },
  { "%s %s is not a directory", "%s %s はディレクトリではありません" },
  { "%s %s is not writable by %s (%s)", "%s %s に %s が書き込めません（%s）" },
  { "virus database %s: %s cannot read it (%s): run freshclam, or set [clamav] database",
    "ウイルス定義 %s: %s が読めません（%s）。freshclam を実行するか、[clamav] database を"
    "設定してください" },
  { "%s (run freshclam, or set [clamav] database)",
    "%s（freshclam を実行するか、[clamav] database を設定してください）" },
  { "[milter] user %s does not exist (the package's sysusers.d entry makes _mugai)",
    "[milter] user の利用者 %s がいません（パッケージの sysusers.d が _mugai を作ります）" },
  { "[milter] worker_user %s does not exist (the package's sysusers.d entry makes "
    "_mugai-worker)",
    "[milter] worker_user の利用者 %s がいません（パッケージの sysusers.d が _mugai-worker を"
    "作ります）" },
  { "[milter] worker_user must differ from [milter] user",
    "[milter] worker_user は [milter] user と別の利用者にしてください" },
  { "[milter] socket_owner %s does not exist", "[milter] socket_owner の利用者 %s がいません" },
  { "[milter] socket_group %s does not exist", "[milter] socket_group のグループ %s がありません" },
  { "[milter] socket_mode %s is not an octal mode",
    "[milter] socket_mode %s は 8 進数のモードではありません" },
  { "[milter] socket_mode %s gives group %s no read and write: Postfix could not connect",
    "[milter] socket_mode %s ではグループ %s が読み書きできず、Postfix が接続できません" },
  { "[milter] socket %s listens on every address: name one, as in inet:8890@127.0.0.1",
    "[milter] socket %s はすべてのアドレスで待ち受けます。inet:8890@127.0.0.1 のように"
    "アドレスを指定してください" },
  { "[milter] socket %s: not unix:PATH or inet:PORT@ADDRESS",
    "[milter] socket %s: unix:パス でも inet:ポート@アドレス でもありません" },
  { "[milter] socket %s: the path must be absolute",
    "[milter] socket %s: パスは絶対パスにしてください" },
  { "socket directory %s cannot be entered by %s (%s): Postfix could not connect",
    "ソケットのディレクトリ %s に %s が入れず（%s）、Postfix が接続できません" },
  { "Postfix: postconf failed: %s", "Postfix: postconf が失敗しました: %s" },
  { "Postfix: smtpd_milters does not name mugai-milter's socket %s (main.cf, or -o "
    "smtpd_milters= of the sanitising smtpd in master.cf): mail is not sanitised",
    "Postfix: smtpd_milters に mugai-milter のソケット %s がありません（main.cf、または "
    "master.cf で無害化する smtpd の -o smtpd_milters=）。メールが無害化されません" },
  { "Postfix: non_smtpd_milters does not name %s: mail submitted on this host (sendmail, "
    "pickup) is not sanitised",
    "Postfix: non_smtpd_milters に %s がありません。このホストで投入したメール（sendmail、"
    "pickup）が無害化されません" },
  { "Postfix: milter_default_action = %s (%s): set tempfail, so that mail waits while "
    "mugai-milter is down instead of being %s",
    "Postfix: milter_default_action = %s（%s）: tempfail にしてください。今の設定では "
    "mugai-milter が止まっている間、メールが待たされずに%s" },
  { "Postfix: milter_protocol = %s (%s): mugai-milter needs 6",
    "Postfix: milter_protocol = %s（%s）: mugai-milter には 6 が必要です" },
  { "Postfix: milter_content_timeout = %s (%s) must be longer than [milter] timeout (%"
    G_GINT64_FORMAT " s)",
    "Postfix: milter_content_timeout = %s（%s）は [milter] timeout（%" G_GINT64_FORMAT
    " 秒）より長くしてください" },
  { "Postfix: message_size_limit = %s (%s) is below [milter] max_output_size (%"
    G_GINT64_FORMAT "): a large sanitised message would be refused",
    "Postfix: message_size_limit = %s（%s）が [milter] max_output_size（%" G_GINT64_FORMAT
    "）より小さいため、無害化後の大きなメールが拒否されます" },
  { "Postfix: master.cf service %s runs chrooted in /var/spool/postfix and cannot reach %s: "
    "set its chroot column to n (postconf -F %s/chroot=n) or use an inet socket",
    "Postfix: master.cf のサービス %s は /var/spool/postfix に chroot して動くため %s に"
    "届きません。chroot 列を n にする（postconf -F %s/chroot=n）か、inet ソケットを"
    "使ってください" },
  { "name one of check, dump", "check か dump を指定してください" },
  { "name one of check, dump (-n is for dump, -P and -u for check)",
    "check か dump を指定してください（-n は dump、-P と -u は check 用です）" },
  { "[release] allowed_recipient_domains is empty: every release is refused; Postfix's "
    "relay_domains and mydestination suggest: allowed_recipient_domains = %s",
    "[release] allowed_recipient_domains が空なので、解放はすべて拒否されます。Postfix の "
    "relay_domains と mydestination からの候補: allowed_recipient_domains = %s" },
  { "[release] allowed_recipient_domains is empty: every release is refused; set it to the "
    "domains of your mailboxes",
    "[release] allowed_recipient_domains が空なので、解放はすべて拒否されます。"
    "組織のメールボックスのドメインを設定してください" },
};

/* Pieces of messages made elsewhere: the system's error texts (glibc's
 * English, whatever locale is compiled) and mugai's own phrases. */
static const MgCliText phrases[] = {
  { "No such file or directory", "ファイルまたはフォルダがありません" },
  { "Permission denied", "アクセスが許可されていません" },
  { "Is a directory", "フォルダです" },
  { "Not a directory", "フォルダではありません" },
  { "File exists", "既にあります" },
  { "No space left on device", "ディスクに空きがありません" },
  { "Read-only file system", "読み取り専用のファイルシステムです" },
  { "Operation not permitted", "操作が許可されていません" },
  { "not a regular file, device or pipe", "通常のファイル、デバイス、パイプのいずれでもありません" },
  { ": no folder ", ": 次のフォルダがありません: " },
  { " is not one of ", " は次のいずれでもありません: " },
  { " (allowed ", "（許される範囲 " },
  { "delivered unsanitised", "無害化されないまま配送されます" },
  { "refused or dropped", "拒否または破棄されます" },
  { "Unknown option ", "不明なオプションです: " },
  { "Missing argument for ", "引数がありません: " },
  { "quarantine directory", "隔離ディレクトリ" },
  { "socket directory", "ソケットのディレクトリ" },
  { "; the unit's RuntimeDirectory= and the package's tmpfiles.d entry create it",
    "。ユニットの RuntimeDirectory= とパッケージの tmpfiles.d が作ります" },
};

gboolean
mg_cli_text_ja (void)
{
  static gsize once = 0;
  static gboolean ja = FALSE;

  if (g_once_init_enter (&once)) {
    static const char *const names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
      const char *value = g_getenv (names[i]);
      if (value != NULL && *value != '\0') {
        ja = g_str_has_prefix (value, "ja");
        break;
      }
    }
    g_once_init_leave (&once, 1);
  }
  return ja;
}

const char *
mg_cli_text (const char *format)
{
  if (!mg_cli_text_ja ())
    return format;
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (formats[i].en, format))
      return formats[i].ja;
  return format;
}

char *
mg_cli_text_message (const char *message)
{
  GString *text = g_string_new (message);

  for (gsize i = 0; mg_cli_text_ja () && i < G_N_ELEMENTS (phrases); i++)
    g_string_replace (text, phrases[i].en, phrases[i].ja, 0);
  return g_string_free (text, FALSE);
}

static char *
vformat (const char *format, va_list args)
{
  g_autofree char *message = g_strdup_vprintf (mg_cli_text (format), args);

  return mg_cli_text_message (message);
}

void
mg_cli_error (const char *who, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = vformat (format, args);
  va_end (args);
  fprintf (stderr, "%s: %s\n", who, text);
}

void
mg_cli_vprint (const char *format, va_list args)
{
  g_autofree char *text = vformat (format, args);

  puts (text);
}

void
mg_cli_print (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  mg_cli_vprint (format, args);
  va_end (args);
}
