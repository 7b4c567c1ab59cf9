/* msg_cli.c - what `mugai` prints as errors and findings, in English and
 * Japanese (a table of the catalogue, msg.h). The code writes the English
 * form, so that the compiler checks each format; cli_text.c finds its row. */
#include "common/msg_private.h"

const MgMsg mg_msg_cli_rows[] = {
  { MG_MSG_CLI_CONFIGURATION_ERROR, "configuration error: %s", "設定エラー: %s" },
  { MG_MSG_CLI_TEMPORARY_FAILURE, "temporary failure: %s", "一時的なエラー: %s" },
  { MG_MSG_CLI_WARNING, "warning: %s", "警告: %s" },
  { MG_MSG_CLI_UNKNOWN_COMMAND, "unknown command \"%s\"", "「%s」というコマンドはありません" },
  { MG_MSG_CLI_IS_FOLDER, "%s: is a folder", "%s: フォルダです（ファイルを指定してください）" },
  { MG_MSG_CLI_NOT_FOLDER, "%s: not a folder", "%s: フォルダではありません" },
  { MG_MSG_CLI_OUTDIR_INSIDE, "%s: OUTDIR is inside it", "%s: 出力先フォルダがこの中にあります" },
  { MG_MSG_CLI_ONE_INPUT_AT_MOST, "one input at most", "入力は 1 つまでです" },
  { MG_MSG_CLI_NO_PATH_GIVEN, "no PATH given", "検査するパスを指定してください" },
  { MG_MSG_CLI_NOT_USER_NAME, "--as: not a user name", "--as: 利用者名ではありません" },
  { MG_MSG_CLI_NOT_DATE_YYYY_MM,
    "--%s: not a date (YYYY-MM-DD or ISO 8601)",
    "--%s: 日付ではありません（YYYY-MM-DD または ISO 8601）" },
  { MG_MSG_CLI_UNEXPECTED_ARGUMENT, "%s: unexpected argument", "%s: 余分な引数があります" },
  { MG_MSG_CLI_ONE_QUARANTINE_ID_EXPECTED,
    "%s: one quarantine ID expected",
    "%s: 隔離 ID を 1 つ指定してください" },
  { MG_MSG_CLI_NOT_PLAIN_ADDRESS, "--to: not a plain address", "--to: 単純なメールアドレスではありません" },
  { MG_MSG_CLI_CIPHER_AES256_ZIPCRYPT,
    "--cipher: aes256 or zipcrypt",
    "--cipher: aes256 か zipcrypt を指定してください" },
  { MG_MSG_CLI_MONTH_YYYY_MM_WITHOUT,
    "--month: YYYY-MM, without --from or --to",
    "--month: YYYY-MM の形で、--from や --to と一緒には使えません" },
  { MG_MSG_CLI_FORMAT_TEXT_CSV_JSON,
    "--format: text, csv or json",
    "--format: text、csv、json のいずれかを指定してください" },
  { MG_MSG_CLI_LANG_JA_EN, "--lang: ja or en", "--lang: ja か en を指定してください" },
  /* mugai config check */
  { MG_MSG_CLI_CONFIG_OK, "%s: OK", "%s: 問題ありません" },
  { MG_MSG_CLI_CONFIG_PROBLEM, "%s: %u problem", "%s: 問題が %u 件あります" },
  { MG_MSG_CLI_CONFIG_PROBLEMS, "%s: %u problems", "%s: 問題が %u 件あります" },
  { MG_MSG_CLI_DOES_NOT_EXIST_CHECKING,
    "%s does not exist: checking the built-in defaults",
    "%s がありません: 組み込みの既定値を検査します" },
  { MG_MSG_CLI_NO_USER_CHECKING_ACCESS,
    "no user %s: checking access as %s",
    "利用者 %s がいません: %s として検査します" },
  { MG_MSG_CLI_UNKNOWN_SECTION, "%s: unknown section [%s]", "%s: 不明なセクション [%s]" },
  { MG_MSG_CLI_UNKNOWN_KEY, "%s: unknown key [%s] %s", "%s: 不明なキー [%s] %s" },
  { MG_MSG_CLI_SANDBOX_JOB_TIMEOUT_MUST,
    "[sandbox] job_timeout (%" G_GINT64_FORMAT
    " s) must be below [milter] timeout (%" G_GINT64_FORMAT
    " s): the milter would give up on a message before its worker is stopped",
    "[sandbox] job_timeout（%" G_GINT64_FORMAT
    " 秒）は [milter] timeout（%" G_GINT64_FORMAT
    " 秒）より短くしてください。ワーカーを止める前に milter がメールをあきらめてしまいます" },
  { MG_MSG_CLI_OFFICE_LIBREOFFICE_TIMEOUT_MUST,
    "[office] libreoffice_timeout (%" G_GINT64_FORMAT
    " s) must be below [sandbox] job_timeout (%" G_GINT64_FORMAT
    " s)",
    "[office] libreoffice_timeout（%" G_GINT64_FORMAT
    " 秒）は [sandbox] job_timeout（%" G_GINT64_FORMAT
    " 秒）より短くしてください" },
  { MG_MSG_CLI_DOES_NOT_EXIST_CANNOT,
    "%s %s does not exist and %s cannot create it in %s (%s)%s",
    "%s %s がなく、%s は %s の中に作れません（%s）%s" },
  { MG_MSG_CLI_NOT_DIRECTORY, "%s %s is not a directory", "%s %s はディレクトリではありません" },
  { MG_MSG_CLI_NOT_WRITABLE, "%s %s is not writable by %s (%s)", "%s %s に %s が書き込めません（%s）" },
  { MG_MSG_CLI_VIRUS_DATABASE_CANNOT_READ,
    "virus database %s: %s cannot read it (%s): run freshclam, or set [clamav] database",
    "ウイルス定義 %s: %s が読めません（%s）。freshclam を実行するか、[clamav] database を"
    "設定してください" },
  { MG_MSG_CLI_RUN_FRESHCLAM_SET_CLAMAV,
    "%s (run freshclam, or set [clamav] database)",
    "%s（freshclam を実行するか、[clamav] database を設定してください）" },
  { MG_MSG_CLI_MILTER_USER_DOES_NOT,
    "[milter] user %s does not exist (the package's sysusers.d entry makes _mugai)",
    "[milter] user の利用者 %s がいません（パッケージの sysusers.d が _mugai を作ります）" },
  { MG_MSG_CLI_MILTER_WORKER_USER_DOES,
    "[milter] worker_user %s does not exist (the package's sysusers.d entry makes "
    "_mugai-worker)",
    "[milter] worker_user の利用者 %s がいません（パッケージの sysusers.d が _mugai-worker を"
    "作ります）" },
  { MG_MSG_CLI_MILTER_WORKER_USER_MUST,
    "[milter] worker_user must differ from [milter] user",
    "[milter] worker_user は [milter] user と別の利用者にしてください" },
  { MG_MSG_CLI_MILTER_SOCKET_OWNER_DOES,
    "[milter] socket_owner %s does not exist",
    "[milter] socket_owner の利用者 %s がいません" },
  { MG_MSG_CLI_MILTER_SOCKET_GROUP_DOES,
    "[milter] socket_group %s does not exist",
    "[milter] socket_group のグループ %s がありません" },
  { MG_MSG_CLI_MILTER_SOCKET_MODE_NOT,
    "[milter] socket_mode %s is not an octal mode",
    "[milter] socket_mode %s は 8 進数のモードではありません" },
  { MG_MSG_CLI_MILTER_SOCKET_MODE_GIVES,
    "[milter] socket_mode %s gives group %s no read and write: Postfix could not connect",
    "[milter] socket_mode %s ではグループ %s が読み書きできず、Postfix が接続できません" },
  { MG_MSG_CLI_MILTER_SOCKET_LISTENS_ON,
    "[milter] socket %s listens on every address: name one, as in inet:8890@127.0.0.1",
    "[milter] socket %s はすべてのアドレスで待ち受けます。inet:8890@127.0.0.1 のように"
    "アドレスを指定してください" },
  { MG_MSG_CLI_MILTER_SOCKET_NOT_UNIX,
    "[milter] socket %s: not unix:PATH or inet:PORT@ADDRESS",
    "[milter] socket %s: unix:パス でも inet:ポート@アドレス でもありません" },
  { MG_MSG_CLI_MILTER_SOCKET_PATH_MUST,
    "[milter] socket %s: the path must be absolute",
    "[milter] socket %s: パスは絶対パスにしてください" },
  { MG_MSG_CLI_SOCKET_DIRECTORY_CANNOT_ENTERED,
    "socket directory %s cannot be entered by %s (%s): Postfix could not connect",
    "ソケットのディレクトリ %s に %s が入れず（%s）、Postfix が接続できません" },
  { MG_MSG_CLI_POSTFIX_POSTCONF_FAILED,
    "Postfix: postconf failed: %s",
    "Postfix: postconf が失敗しました: %s" },
  { MG_MSG_CLI_POSTFIX_SMTPD_MILTERS_DOES,
    "Postfix: smtpd_milters does not name mugai-milter's socket %s (main.cf, or -o "
    "smtpd_milters= of the sanitising smtpd in master.cf): mail is not sanitised",
    "Postfix: smtpd_milters に mugai-milter のソケット %s がありません（main.cf、または "
    "master.cf で無害化する smtpd の -o smtpd_milters=）。メールが無害化されません" },
  { MG_MSG_CLI_POSTFIX_NON_SMTPD_MILTERS,
    "Postfix: non_smtpd_milters does not name %s: mail submitted on this host (sendmail, "
    "pickup) is not sanitised",
    "Postfix: non_smtpd_milters に %s がありません。このホストで投入したメール（sendmail、"
    "pickup）が無害化されません" },
  { MG_MSG_CLI_POSTFIX_MILTER_DEFAULT_ACTION,
    "Postfix: milter_default_action = %s (%s): set tempfail, so that mail waits while "
    "mugai-milter is down instead of being %s",
    "Postfix: milter_default_action = %s（%s）: tempfail にしてください。今の設定では "
    "mugai-milter が止まっている間、メールが待たされずに%s" },
  { MG_MSG_CLI_POSTFIX_MILTER_PROTOCOL_MUGAI,
    "Postfix: milter_protocol = %s (%s): mugai-milter needs 6",
    "Postfix: milter_protocol = %s（%s）: mugai-milter には 6 が必要です" },
  { MG_MSG_CLI_POSTFIX_MILTER_CONTENT_TIMEOUT,
    "Postfix: milter_content_timeout = %s (%s) must be longer than [milter] timeout (%" G_GINT64_FORMAT
    " s)",
    "Postfix: milter_content_timeout = %s（%s）は [milter] timeout（%" G_GINT64_FORMAT
    " 秒）より長くしてください" },
  { MG_MSG_CLI_POSTFIX_MESSAGE_SIZE_LIMIT,
    "Postfix: message_size_limit = %s (%s) is below [milter] max_output_size (%" G_GINT64_FORMAT
    "): a large sanitised message would be refused",
    "Postfix: message_size_limit = %s（%s）が [milter] max_output_size（%" G_GINT64_FORMAT
    "）より小さいため、無害化後の大きなメールが拒否されます" },
  { MG_MSG_CLI_POSTFIX_MASTER_CF_SERVICE,
    "Postfix: master.cf service %s runs chrooted in /var/spool/postfix and cannot reach %s: "
    "set its chroot column to n (postconf -F %s/chroot=n) or use an inet socket",
    "Postfix: master.cf のサービス %s は /var/spool/postfix に chroot して動くため %s に"
    "届きません。chroot 列を n にする（postconf -F %s/chroot=n）か、inet ソケットを"
    "使ってください" },
  { MG_MSG_CLI_NAME_ONE_CHECK_DUMP, "name one of check, dump", "check か dump を指定してください" },
  { MG_MSG_CLI_NAME_ONE_CHECK_DUMP_FLAGS,
    "name one of check, dump (-n is for dump, -P and -u for check)",
    "check か dump を指定してください（-n は dump、-P と -u は check 用です）" },
  { MG_MSG_CLI_RELEASE_DOMAINS_EMPTY_SUGGEST,
    "[release] allowed_recipient_domains is empty: every release is refused; Postfix's "
    "relay_domains and mydestination suggest: allowed_recipient_domains = %s",
    "[release] allowed_recipient_domains が空なので、解放はすべて拒否されます。Postfix の "
    "relay_domains と mydestination からの候補: allowed_recipient_domains = %s" },
  { MG_MSG_CLI_RELEASE_DOMAINS_EMPTY,
    "[release] allowed_recipient_domains is empty: every release is refused; set it to the "
    "domains of your mailboxes",
    "[release] allowed_recipient_domains が空なので、解放はすべて拒否されます。"
    "組織のメールボックスのドメインを設定してください" },
  /* mugai files: the summary (in the notice language) */
  { MG_MSG_CLI_FILES_SUMMARY, "mugai files: %u files (output: %s)\n",
    "mugai files: %u 件を処理しました（出力先: %s）\n" },
  { MG_MSG_CLI_FILES_COUNT, "  %-10s %6u\n", "  %s  %6u\n" },
  { MG_MSG_CLI_FILES_KEPT, "kept", "通過" },
  { MG_MSG_CLI_FILES_CONVERTED, "converted", "変換" },
  { MG_MSG_CLI_FILES_REMOVED, "removed", "削除" },
  { MG_MSG_CLI_FILES_WITHHELD, "withheld", "保留" },
  { MG_MSG_CLI_FILES_REFUSED, "Removed or withheld:", "削除・保留したファイル:" },
  { MG_MSG_CLI_FILES_TEMPFAIL, "There were temporary errors; run it again.",
    "一時的なエラーがありました。再実行してください。" },
  /* mugai report (in --lang or the notice language) */
  { MG_MSG_CLI_REPORT_HEADER, "mugai report (from the audit log)  period: %s to %s\n",
    "mugai 集計（監査ログから）  期間: %s 〜 %s\n" },
  /* Phrases, replaced wherever they stand in a message made elsewhere: the
   * system's error texts (glibc's English, whatever locale is compiled) and
   * mugai's own phrases. */
  { MG_MSG_CLI_PHRASE_NO_SUCH_FILE_DIRECTORY, "No such file or directory", "ファイルまたはフォルダがありません" },
  { MG_MSG_CLI_PHRASE_PERMISSION_DENIED, "Permission denied", "アクセスが許可されていません" },
  { MG_MSG_CLI_PHRASE_IS_DIRECTORY, "Is a directory", "フォルダです" },
  { MG_MSG_CLI_PHRASE_NOT_DIRECTORY, "Not a directory", "フォルダではありません" },
  { MG_MSG_CLI_PHRASE_FILE_EXISTS, "File exists", "既にあります" },
  { MG_MSG_CLI_PHRASE_NO_SPACE_LEFT_ON, "No space left on device", "ディスクに空きがありません" },
  { MG_MSG_CLI_PHRASE_READ_ONLY_FILE_SYSTEM, "Read-only file system", "読み取り専用のファイルシステムです" },
  { MG_MSG_CLI_PHRASE_OPERATION_NOT_PERMITTED, "Operation not permitted", "操作が許可されていません" },
  { MG_MSG_CLI_PHRASE_NOT_REGULAR_FILE_DEVICE,
    "not a regular file, device or pipe",
    "通常のファイル、デバイス、パイプのいずれでもありません" },
  { MG_MSG_CLI_PHRASE_NO_FOLDER, ": no folder ", ": 次のフォルダがありません: " },
  { MG_MSG_CLI_PHRASE_NOT_ONE, " is not one of ", " は次のいずれでもありません: " },
  { MG_MSG_CLI_PHRASE_ALLOWED, " (allowed ", "（許される範囲 " },
  { MG_MSG_CLI_PHRASE_DELIVERED_UNSANITISED, "delivered unsanitised", "無害化されないまま配送されます" },
  { MG_MSG_CLI_PHRASE_REFUSED_DROPPED, "refused or dropped", "拒否または破棄されます" },
  { MG_MSG_CLI_PHRASE_UNKNOWN_OPTION, "Unknown option ", "不明なオプションです: " },
  { MG_MSG_CLI_PHRASE_MISSING_ARGUMENT_FOR, "Missing argument for ", "引数がありません: " },
  { MG_MSG_CLI_PHRASE_QUARANTINE_DIRECTORY, "quarantine directory", "隔離ディレクトリ" },
  { MG_MSG_CLI_PHRASE_SOCKET_DIRECTORY, "socket directory", "ソケットのディレクトリ" },
  { MG_MSG_CLI_PHRASE_RUNTIME_DIRECTORY,
    "; the unit's RuntimeDirectory= and the package's tmpfiles.d entry create it",
    "。ユニットの RuntimeDirectory= とパッケージの tmpfiles.d が作ります" },
  /* Details of the files `mugai files` refused (in its summary; the report
   * keeps them in English), and of the errors on the way. */
  { MG_MSG_CLI_PHRASE_SYMLINK, "symbolic link, not followed",
    "シンボリックリンクのため、たどりません" },
  { MG_MSG_CLI_PHRASE_SPECIAL_FILE, "device, pipe or socket", "デバイス、パイプまたはソケットです" },
  { MG_MSG_CLI_PHRASE_DOTS_NAME, "the name is empty once cleaned (\"..\")",
    "不要な文字を除くと空になる名前です（\"..\"）" },
  { MG_MSG_CLI_PHRASE_FOLDERS_DEEP, "folders nested too deep", "フォルダの階層が深すぎます" },
  { MG_MSG_CLI_PHRASE_SOURCE_DOTS, "a source path with \"..\" is never followed",
    "\"..\" を含む入力パスはたどりません" },
  { MG_MSG_CLI_PHRASE_CANNOT_OPEN, "cannot be opened: ", "開けません: " },
  { MG_MSG_CLI_PHRASE_CANNOT_READ, "cannot be read: ", "読み込めません: " },
  { MG_MSG_CLI_PHRASE_NOT_REGULAR, "not a regular file", "通常のファイルではありません" },
  { MG_MSG_CLI_PHRASE_LARGER_THAN_MESSAGE_SIZE, "larger than [limits] message_size (",
    "[limits] message_size（" },
  { MG_MSG_CLI_PHRASE_BYTES_LIMIT, " bytes)", " バイト）を超える大きさです" },
  { MG_MSG_CLI_PHRASE_NAME_CLIMBS, "name climbs out with \"..\"",
    "\"..\" で上のフォルダへ出る名前です" },
  { MG_MSG_CLI_PHRASE_NAME_PART_EMPTY, "a part of the name is empty once cleaned",
    "名前の一部が、不要な文字を除くと空になります" },
  { MG_MSG_CLI_PHRASE_NAME_DEEP, "name nested too deep", "名前の階層が深すぎます" },
  { MG_MSG_CLI_PHRASE_NAME_NOT_UTF8, "name is not valid UTF-8", "名前が正しい UTF-8 ではありません" },
  { MG_MSG_CLI_PHRASE_NAME_TOO_LONG, "name too long", "名前が長すぎます" },
  { MG_MSG_CLI_PHRASE_EMPTY_NAME, "empty name", "名前が空です" },
  { MG_MSG_CLI_PHRASE_ABSOLUTE_PATH, "absolute path", "絶対パスです" },
  { MG_MSG_CLI_PHRASE_DRIVE_LETTER, "drive letter", "ドライブ名付きの名前です" },
  { MG_MSG_CLI_PHRASE_PDF_DAMAGED, "poppler cannot open the PDF: PDF document is damaged",
    "PDF を開けません（PDF が壊れています）" },
  { MG_MSG_CLI_PHRASE_PDF_OPEN, "poppler cannot open the PDF: ", "PDF を開けません: " },
  { MG_MSG_CLI_PHRASE_PEER_CLOSED, "peer closed the channel", "処理が途中で終了しました" },
  { MG_MSG_CLI_PHRASE_WORKER, "sanitiser worker ", "無害化ワーカー " },
};
const gsize mg_msg_cli_n_rows = G_N_ELEMENTS (mg_msg_cli_rows);
G_STATIC_ASSERT (G_N_ELEMENTS (mg_msg_cli_rows) == MG_MSG_COUNT - MG_MSG_CLI_FIRST);
