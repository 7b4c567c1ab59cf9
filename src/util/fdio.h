/* fdio.h - whole-file and whole-descriptor I/O that retries and never
 * truncates silently. Knows nothing about mail. */
#pragma once
#include <glib.h>
#include <sys/uio.h>

/* Read all of FD up to MAX bytes. Returns NULL with ERROR on I/O failure, or
 * with G_IO_ERROR_MESSAGE_TOO_LARGE when more than MAX bytes are available. */
GBytes *mg_fdio_read_all (int fd, gsize max, GError **error);
/* Read FD to its end, keeping at most MAX bytes; *TRUNCATED_R tells whether
 * more came. NULL with ERROR on I/O failure. */
GBytes *mg_fdio_read_prefix (int fd, gsize max, gboolean *truncated_r, GError **error);
/* Write all of DATA to FD, retrying on EINTR and short writes. */
gboolean mg_fdio_write_all (int fd, const void *data, gsize len, GError **error);
/* Write every byte of IOV (N entries, changed as it goes) to FD, the same way. */
gboolean mg_fdio_writev_all (int fd, struct iovec *iov, int n, GError **error);
/* Write DATA to PATH atomically: a temp file beside it, fsync, rename. A
 * character device or FIFO (/dev/null, a pipe) is written in place, never
 * replaced; any other special file is refused (G_IO_ERROR_INVALID_ARGUMENT). */
gboolean mg_fdio_write_file_atomic (const char *path, const void *data, gsize len,
                                    GError **error);
/* The same, the new file with MODE and GROUP ((gid_t) -1: the caller's). */
gboolean mg_fdio_write_file_atomic_mode (const char *path, const void *data, gsize len,
                                         mode_t mode, gid_t group, GError **error);
/* Whether PATH can take an output: a regular file, a character device or a
 * FIFO, or a new name in an existing folder. FALSE with a one-line reason
 * otherwise (a folder, a socket, a missing parent folder). */
gboolean mg_fdio_output_usable (const char *path, GError **error);
/* Close *FD if open and set it to -1 (g_clear_fd needs GLib 2.76). */
void mg_clear_fd (int *fd);
