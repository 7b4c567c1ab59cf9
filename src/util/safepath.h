/* safepath.h - names from untrusted places (archive members, attachment
 * names, directory entries) turned into relative paths that stay where they
 * are put, on Unix and on Windows.
 *
 * Knows nothing about mail or archives. Never touches the file system: it
 * works on strings only, and refuses (rather than repairs) a name that tries
 * to leave its directory, so that the caller can report it.
 */
#pragma once
#include <glib.h>

/* Longest component these functions return, in bytes (room left for a
 * ".tmp.PID" suffix within NAME_MAX). */
#define MG_SAFEPATH_COMPONENT_MAX 150

/* One path component (UTF-8) made safe: controls, bidi overrides, path
 * separators and characters Windows reserves (": * ? \" < > |") become '_';
 * leading dots and trailing dots and spaces are dropped; Windows device names
 * (CON, NUL, COM1...) get a leading '_'; cut at MAX bytes on a character
 * boundary. Returns NULL when nothing is left or NAME is not valid UTF-8. */
char *mg_safepath_component (const char *name, gsize max);

/* NAME (UTF-8, '/' or '\\' separated, as an archive stores it) as a clean
 * relative path: empty and "." components dropped, each component cleaned by
 * mg_safepath_component. Returns NULL and sets *WHY_R (static English text)
 * when the name is absolute, has a drive letter or UNC prefix, climbs with
 * "..", is empty, or is absurdly long or deep. */
char *mg_safepath_relative (const char *name, const char **why_r);

/* NAME with its extension replaced by EXTENSION (".zip"; NULL keeps NAME).
 * A compound ".tar.gz" (".tgz", ".tar.xz"...) counts as one extension; other
 * extensions longer than five characters are kept as part of the name. */
char *mg_safepath_with_extension (const char *name, const char *extension);

/* The last component of the relative PATH (a pointer into PATH). */
const char *mg_safepath_basename (const char *path);
