/* quarantine_object.h - content-addressed, zstd-compressed files of the store.
 *
 * An object is the bytes of an original message or of a report, named by the
 * SHA-256 of those bytes: DIR/objects/ab/abcd....zst. Objects are staged in
 * DIR/tmp (compressed, fsync'd), then renamed into place while the caller holds
 * the index's write lock, so that a crash leaves either a whole object or an
 * unreferenced file that purge removes — never half an item.
 *
 * Never builds a path from anything but a validated SHA-256 hex string.
 */
#pragma once
#include <glib.h>

#define MG_QUARANTINE_OBJECT_SUFFIX ".zst"

/* TRUE when TEXT is 64 lower-case hex digits (and so safe in a path). */
gboolean mg_quarantine_object_valid_name (const char *text);

/* Compress DATA and write it to a new file under DIR/tmp, fsync'd. Returns the
 * SHA-256 (hex, of DATA uncompressed) in *SHA256_R and the staged path in
 * *STAGED_R, both owned by the caller. FALSE with ERROR when the disk refuses. */
gboolean mg_quarantine_object_stage (const char *dir, GBytes *data, char **sha256_r,
                                     char **staged_r, GError **error);

/* Move STAGED into place as object SHA256 and fsync its directory. An object
 * with that name already holds the same bytes: STAGED is then removed. */
gboolean mg_quarantine_object_commit (const char *dir, const char *staged, const char *sha256,
                                      GError **error);

/* Decompress object SHA256, refusing more than MAX bytes, and check its hash.
 * Returns new bytes, or NULL with ERROR (G_IO_ERROR_NOT_FOUND when absent,
 * G_IO_ERROR_INVALID_DATA when damaged). */
GBytes *mg_quarantine_object_read (const char *dir, const char *sha256, gsize max,
                                   GError **error);

/* DATA compressed as objects are (zstd). */
GBytes *mg_quarantine_object_pack (GBytes *data, GError **error);
/* PACKED decompressed, refusing more than MAX bytes, and checked against its
 * name SHA256 (G_IO_ERROR_INVALID_DATA when damaged). */
GBytes *mg_quarantine_object_unpack (GBytes *packed, const char *sha256, gsize max,
                                     GError **error);

/* Remove object SHA256; an absent object is not an error. */
gboolean mg_quarantine_object_remove (const char *dir, const char *sha256, GError **error);

/* The names (SHA-256 hex) of every object on disk, for garbage collection. */
GPtrArray *mg_quarantine_object_list (const char *dir, GError **error);

/* Open (creating it 0600 when missing) the store file PATH with FLAGS. A
 * file root creates is given the owner and group of DIR, so that the mugai
 * user that runs the milter can still write it. -1 with ERROR on failure. */
int mg_quarantine_object_open_file (const char *dir, const char *path, int flags,
                                    GError **error);

/* Make the folder PATH under the quarantine DIR, and the missing ones between
 * them, each given DIR's owner (mg_quarantine_object_adopt). */
gboolean mg_quarantine_object_mkdir (const char *dir, const char *path, GError **error);

/* Give PATH (just created) the owner and group of DIR when running as root. */
void mg_quarantine_object_adopt (const char *dir, const char *path);

/* Remove files under DIR/tmp older than MAX_AGE seconds (left by a crash).
 * Returns how many were removed. */
guint mg_quarantine_object_clean_staging (const char *dir, gint64 max_age);
