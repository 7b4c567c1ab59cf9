/* quarantine_object.c - content-addressed objects: stage, commit, read, remove.
 *
 * Must never write an object in place (always aside, then rename), nor return
 * bytes whose hash does not match their name.
 */
#include "quarantine/quarantine_object.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "util/fdio.h"

#define MG_QUARANTINE_OBJECT_LEVEL 3

static gboolean
set_errno_error (GError **error, int saved, const char *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", what,
               g_strerror (saved));
  return FALSE;
}

gboolean
mg_quarantine_object_valid_name (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static char *
object_dir (const char *dir, const char *sha256)
{
  char prefix[3] = { sha256[0], sha256[1], '\0' };

  return g_build_filename (dir, "objects", prefix, NULL);
}

static char *
object_path (const char *dir, const char *sha256)
{
  g_autofree char *sub = object_dir (dir, sha256);
  g_autofree char *name = g_strconcat (sha256, MG_QUARANTINE_OBJECT_SUFFIX, NULL);

  return g_build_filename (sub, name, NULL);
}

gboolean
mg_quarantine_object_mkdir (const char *dir, const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return TRUE;
  /* the quarantine itself, made on first use (mugai mail on a new folder) */
  if (g_str_equal (parent, dir) && g_mkdir_with_parents (dir, 0700) != 0)
    return set_errno_error (error, errno, dir);
  if (!g_str_equal (parent, dir) && !g_str_equal (parent, path) &&
      !mg_quarantine_object_mkdir (dir, parent, error))
    return FALSE;
  /* the quarantine folder itself is made as before, by whoever stores first */
  if (g_str_equal (parent, dir) && g_mkdir_with_parents (dir, 0700) != 0)
    return set_errno_error (error, errno, dir);
  if (mkdir (path, 0700) != 0 && errno != EEXIST)
    return set_errno_error (error, errno, path);
  mg_quarantine_object_adopt (dir, path);
  return TRUE;
}

static gboolean
fsync_dir (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved;

  if (fd < 0)
    return set_errno_error (error, errno, path);
  if (fsync (fd) == 0) {
    close (fd);
    return TRUE;
  }
  saved = errno;
  close (fd);
  return set_errno_error (error, saved, path);
}

GBytes *
mg_quarantine_object_pack (GBytes *data, GError **error)
{
  gsize len;
  const void *src = g_bytes_get_data (data, &len);
  gsize bound = ZSTD_compressBound (len);
  g_autofree guint8 *out = g_malloc (bound);
  size_t n = ZSTD_compress (out, bound, src, len, MG_QUARANTINE_OBJECT_LEVEL);

  if (ZSTD_isError (n)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zstd: %s", ZSTD_getErrorName (n));
    return NULL;
  }
  return g_bytes_new_take (g_realloc (g_steal_pointer (&out), MAX (n, 1)), n);
}

static gboolean
write_new_file (const char *path, GBytes *data, GError **error)
{
  gsize len;
  const void *p = g_bytes_get_data (data, &len);
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  int saved;

  if (fd < 0)
    return set_errno_error (error, errno, path);
  if (mg_fdio_write_all (fd, p, len, error) && fsync (fd) == 0 && close (fd) == 0)
    return TRUE;
  saved = errno;
  close (fd);
  g_unlink (path);
  if (error != NULL && *error == NULL)
    set_errno_error (error, saved, path);
  return FALSE;
}

gboolean
mg_quarantine_object_stage (const char *dir, GBytes *data, char **sha256_r, char **staged_r,
                            GError **error)
{
  g_autofree char *tmpdir = g_build_filename (dir, "tmp", NULL);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  g_autofree char *name = g_strdup_printf ("%.16s.%d.%08x.tmp", sha, (int) getpid (),
                                           g_random_int ());
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr (GBytes) packed = NULL;

  if (!mg_quarantine_object_mkdir (dir, tmpdir, error))
    return FALSE;
  packed = mg_quarantine_object_pack (data, error);
  if (packed == NULL || !write_new_file (path, packed, error))
    return FALSE;
  mg_quarantine_object_adopt (dir, path);
  *sha256_r = g_steal_pointer (&sha);
  *staged_r = g_steal_pointer (&path);
  return TRUE;
}

/* Names come from the index or a hash computed here; checked all the same. */
static gboolean
name_checked (const char *sha256, GError **error)
{
  if (mg_quarantine_object_valid_name (sha256))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not an object name");
  return FALSE;
}

gboolean
mg_quarantine_object_commit (const char *dir, const char *staged, const char *sha256,
                             GError **error)
{
  g_autofree char *sub = NULL;
  g_autofree char *path = NULL;

  if (!name_checked (sha256, error))
    return FALSE;
  sub = object_dir (dir, sha256);
  path = object_path (dir, sha256);
  if (!mg_quarantine_object_mkdir (dir, sub, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_unlink (staged);
    return TRUE;
  }
  if (g_rename (staged, path) != 0)
    return set_errno_error (error, errno, path);
  return fsync_dir (sub, error);
}

static GBytes *
decompress (GBytes *packed, gsize max, const char *what, GError **error)
{
  gsize len;
  const void *src = g_bytes_get_data (packed, &len);
  unsigned long long size = ZSTD_getFrameContentSize (src, len);
  g_autofree guint8 *out = NULL;
  size_t n;

  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "%s: damaged or larger than %" G_GSIZE_FORMAT " bytes", what, max);
    return NULL;
  }
  out = g_malloc (MAX (size, 1));
  n = ZSTD_decompress (out, size, src, len);
  if (ZSTD_isError (n) || n != size) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: damaged", what);
    return NULL;
  }
  return g_bytes_new_take (g_steal_pointer (&out), n);
}

GBytes *
mg_quarantine_object_unpack (GBytes *packed, const char *sha256, gsize max, GError **error)
{
  g_autoptr (GBytes) data = decompress (packed, max, sha256, error);
  g_autofree char *check = NULL;

  if (data == NULL)
    return NULL;
  check = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  if (!g_str_equal (check, sha256)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "object %s does not match its hash", sha256);
    return NULL;
  }
  return g_steal_pointer (&data);
}

GBytes *
mg_quarantine_object_read (const char *dir, const char *sha256, gsize max, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *packed = NULL;
  g_autoptr (GBytes) wrapped = NULL;
  gsize len;

  if (!name_checked (sha256, error))
    return NULL;
  path = object_path (dir, sha256);
  if (!g_file_get_contents (path, &packed, &len, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "object %s is missing", sha256);
    return NULL;
  }
  wrapped = g_bytes_new_take (g_steal_pointer (&packed), len);
  return mg_quarantine_object_unpack (wrapped, sha256, max, error);
}

gboolean
mg_quarantine_object_remove (const char *dir, const char *sha256, GError **error)
{
  g_autofree char *path = NULL;

  if (!name_checked (sha256, error))
    return FALSE;
  path = object_path (dir, sha256);
  if (g_unlink (path) == 0 || errno == ENOENT)
    return TRUE;
  return set_errno_error (error, errno, path);
}

static void
list_subdir (const char *path, GPtrArray *names)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL) {
    g_autofree char *name = NULL;
    if (!g_str_has_suffix (entry, MG_QUARANTINE_OBJECT_SUFFIX))
      continue;
    name = g_strndup (entry, strlen (entry) - strlen (MG_QUARANTINE_OBJECT_SUFFIX));
    if (mg_quarantine_object_valid_name (name))
      g_ptr_array_add (names, g_steal_pointer (&name));
  }
}

GPtrArray *
mg_quarantine_object_list (const char *dir, GError **error)
{
  g_autofree char *top = g_build_filename (dir, "objects", NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = NULL;
  const char *entry;

  if (!g_file_test (top, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&names);
  d = g_dir_open (top, 0, error);
  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)) != NULL) {
    g_autofree char *sub = g_build_filename (top, entry, NULL);
    if (strlen (entry) == 2 && g_file_test (sub, G_FILE_TEST_IS_DIR))
      list_subdir (sub, names);
  }
  return g_steal_pointer (&names);
}

guint
mg_quarantine_object_clean_staging (const char *dir, gint64 max_age)
{
  g_autofree char *tmpdir = g_build_filename (dir, "tmp", NULL);
  g_autoptr (GDir) d = g_dir_open (tmpdir, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *entry;
  guint removed = 0;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (tmpdir, entry, NULL);
    GStatBuf st;
    if (!g_str_has_suffix (entry, ".tmp") || g_lstat (path, &st) != 0 ||
        !S_ISREG (st.st_mode) || now - st.st_mtime < max_age)
      continue;
    if (g_unlink (path) == 0)
      removed++;
  }
  return removed;
}

void
mg_quarantine_object_adopt (const char *dir, const char *path)
{
  struct stat st;

  if (geteuid () == 0 && stat (dir, &st) == 0 && (st.st_uid != 0 || st.st_gid != 0) &&
      lchown (path, st.st_uid, st.st_gid) != 0)
    g_warning ("%s: cannot give it the owner of %s: %s", path, dir, g_strerror (errno));
}

int
mg_quarantine_object_open_file (const char *dir, const char *path, int flags, GError **error)
{
  int fd = open (path, flags | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0 && errno == ENOENT) {
    fd = open (path, flags | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST)
      fd = open (path, flags | O_CLOEXEC | O_NOFOLLOW);
    else if (fd >= 0)
      mg_quarantine_object_adopt (dir, path);
  }
  if (fd < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                 g_strerror (errno));
  return fd;
}
