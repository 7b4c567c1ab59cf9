/* fdio.c - descriptor I/O helpers. */
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
read_chunk (int fd, guint8 *chunk, gsize size, gssize *n_r, GError **error)
{
  do
    *n_r = read (fd, chunk, size);
  while (*n_r < 0 && errno == EINTR);
  if (*n_r >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "read: %s",
               g_strerror (errno));
  return FALSE;
}

GBytes *
mg_fdio_read_prefix (int fd, gsize max, gboolean *truncated_r, GError **error)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];
  gssize n;

  *truncated_r = FALSE;
  for (;;) {
    if (!read_chunk (fd, chunk, sizeof chunk, &n, error))
      return NULL;
    if (n == 0)
      break;
    if (buf->len + (gsize) n > max) {
      *truncated_r = TRUE;
      g_byte_array_append (buf, chunk, (guint) (max - buf->len));
      continue; /* drain the rest so a writer on a pipe is not blocked */
    }
    g_byte_array_append (buf, chunk, (guint) n);
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

GBytes *
mg_fdio_read_all (int fd, gsize max, GError **error)
{
  gboolean truncated;
  GBytes *bytes = mg_fdio_read_prefix (fd, max, &truncated, error);

  if (bytes != NULL && truncated) {
    g_bytes_unref (bytes);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 "input larger than %" G_GSIZE_FORMAT " bytes", max);
    return NULL;
  }
  return bytes;
}

gboolean
mg_fdio_writev_all (int fd, struct iovec *iov, int n, GError **error)
{
  while (n > 0) {
    ssize_t w = writev (fd, iov, MIN (n, IOV_MAX));
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "write: %s",
                   g_strerror (errno));
      return FALSE;
    }
    while (n > 0 && (gsize) w >= iov->iov_len) {
      w -= (ssize_t) iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *) iov->iov_base + w;
      iov->iov_len -= (gsize) w;
    }
  }
  return TRUE;
}

gboolean
mg_fdio_write_all (int fd, const void *data, gsize len, GError **error)
{
  struct iovec iov = { (void *) data, len };

  return mg_fdio_writev_all (fd, &iov, 1, error);
}

static gboolean
sync_and_close (int fd, const char *tmp, GError **error)
{
  int saved;

  if (fsync (fd) == 0 && close (fd) == 0)
    return TRUE;
  saved = errno;
  close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", tmp,
               g_strerror (saved));
  return FALSE;
}

/* Where PATH is a device or FIFO, write DATA into it; *HANDLED_R says
 * whether PATH was one. */
static gboolean
write_in_place (const char *path, const void *data, gsize len, gboolean *handled_r,
                GError **error)
{
  struct stat st;
  int fd;
  gboolean ok;

  *handled_r = FALSE;
  if (stat (path, &st) != 0 || S_ISREG (st.st_mode))
    return TRUE;
  *handled_r = TRUE;
  if (!S_ISCHR (st.st_mode) && !S_ISFIFO (st.st_mode)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: not a regular file, device or pipe", path);
    return FALSE;
  }
  fd = open (path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                 g_strerror (errno));
    return FALSE;
  }
  ok = mg_fdio_write_all (fd, data, len, error);
  close (fd);
  return ok;
}

gboolean
mg_fdio_output_usable (const char *path, GError **error)
{
  struct stat st;
  g_autofree char *parent = g_path_get_dirname (path);

  if (stat (path, &st) == 0) {
    if (S_ISREG (st.st_mode) || S_ISCHR (st.st_mode) || S_ISFIFO (st.st_mode))
      return TRUE;
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: not a regular file, device or pipe", path);
    return FALSE;
  }
  if (stat (parent, &st) != 0 || !S_ISDIR (st.st_mode)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no folder %s", path, parent);
    return FALSE;
  }
  return TRUE;
}

gboolean
mg_fdio_write_file_atomic (const char *path, const void *data, gsize len, GError **error)
{
  return mg_fdio_write_file_atomic_mode (path, data, len, 0600, (gid_t) -1, error);
}

gboolean
mg_fdio_write_file_atomic_mode (const char *path, const void *data, gsize len, mode_t mode,
                                gid_t group, GError **error)
{
  gboolean special;

  if (!write_in_place (path, data, len, &special, error))
    return FALSE;
  if (special)
    return TRUE;
  g_autofree char *tmp = g_strdup_printf ("%s.tmp.%d", path, (int) getpid ());
  int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", tmp,
                 g_strerror (errno));
    return FALSE;
  }
  if ((group != (gid_t) -1 && fchown (fd, (uid_t) -1, group) != 0) || fchmod (fd, mode) != 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", tmp,
                 g_strerror (errno));
    close (fd);
    unlink (tmp);
    return FALSE;
  }
  if (!mg_fdio_write_all (fd, data, len, error)) {
    close (fd);
    unlink (tmp);
    return FALSE;
  }
  if (!sync_and_close (fd, tmp, error) || rename (tmp, path) != 0) {
    if (error != NULL && *error == NULL)
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
    unlink (tmp);
    return FALSE;
  }
  return TRUE;
}

void
mg_clear_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}
