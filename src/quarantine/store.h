/* store.h - the quarantine store: originals and reports of what was held.
 *
 * The only module that writes under [quarantine] directory. Items appear whole
 * or not at all (written aside, fsync'd, renamed). This is the simple store of
 * the foundation; the quarantine issue adds the index, retention and audit log.
 */
#pragma once
#include <glib.h>

/* Store ORIGINAL and REPORT_JSON as item ID under DIR (created 0700 when
 * missing). FALSE with ERROR when the disk refuses: the caller tempfails. */
gboolean mg_quarantine_store_put (const char *dir, const char *id, GBytes *original,
                                  const char *report_json, GError **error);
