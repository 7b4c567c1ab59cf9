/* text.h - plain text and CSV: decoded to UTF-8, scripts removed, formulas defused.
 *
 * What passes is always text this module wrote: decoded through mime/charset
 * (CP932, CP5022x and EUC-JP survive), NUL bytes dropped, line ends made "\n".
 * A text whose name is a script or an executable (請求書.pdf.exe, a.bat., names
 * turned around by U+202E), or whose content libmagic calls a script, is removed:
 * Windows and Unix run such files whatever libmagic thinks of them. CSV cells
 * that a spreadsheet would read as a formula (= + - @, and their full-width
 * forms) get a leading ' so they stay text. It never keeps the input bytes as
 * they came, never looks inside the text for anything but those cells, and never
 * uses a file name as a path.
 *
 * The result's output_extension is the extension the output name must end with
 * (".txt", ".csv", or the original ".txt"/".csv"/".tsv"/".log" in lower case);
 * the pipeline builds the output name from the original name and this.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_text;

/* TRUE when Windows or a Unix desktop would run FILENAME (UTF-8, may be NULL:
 * FALSE) as a program or a script, judged by its real last extension: case
 * does not matter, trailing dots and spaces are ignored (Windows drops them),
 * invisible format characters such as U+202E are removed, full-width forms are
 * folded, and an NTFS stream suffix (":x") does not hide the extension before it. */
gboolean mg_text_name_is_script (const char *filename);

/* Decode LEN bytes of text to UTF-8 through mime/charset. A byte order mark
 * (UTF-8, UTF-16LE/BE) decides over CHARSET (the declared label, may be NULL:
 * then a guess) and is dropped; NUL bytes are dropped; CRLF and lone CR become
 * "\n". Sets *invalid_r (may be NULL) to the number of bytes shown as U+FFFD.
 * Returns newly allocated valid UTF-8; never NULL. */
char *mg_text_decode (const char *data, gsize len, const char *charset, gsize *invalid_r);
