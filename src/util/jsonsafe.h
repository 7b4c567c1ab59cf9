/* jsonsafe.h - JSON text that a terminal or viewer shows as it is.
 *
 * A JSON generator writes characters such as U+202E (right-to-left override)
 * or U+200B (zero-width space) raw, so that an audit line or a --json listing
 * with a hostile filename reads reversed or hides text in `less` or an editor.
 * These are written as \uXXXX escapes instead: the same JSON value, visible.
 */
#pragma once
#include <glib.h>

/* JSON (generator output: such characters can only be inside strings) with
 * every format character (Unicode category Cf: bidi controls, zero-width
 * characters, BOM, tags), line and paragraph separators and other control
 * characters written as \uXXXX (surrogate pairs above U+FFFF). Takes JSON,
 * returns a new string (JSON itself when nothing was changed). */
char *mg_jsonsafe_escape (char *json);
