/* milter_spool.c - the raw message in bounded memory, then an unlinked file.
 *
 * Must never alter the message beyond the line ends of folded header fields
 * (libmilter hands those over with LF) and the space after the colon that
 * libmilter strips unless SMFIP_HDR_LEADSPC was negotiated. It never keeps
 * more than the threshold in memory and never leaves a named file behind.
 */
#include "milter/milter_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#include "util/fdio.h"

struct MgMilterSpool {
  gsize threshold;
  gsize size;
  GByteArray *memory; /* NULL once spooled to the file or frozen */
  GBytes *frozen;     /* the memory buffer handed out by mg_milter_spool_bytes */
  int fd;             /* unlinked spool file, -1 while in memory */
};

MgMilterSpool *
mg_milter_spool_new (gsize threshold)
{
  MgMilterSpool *spool = g_new0 (MgMilterSpool, 1);

  spool->threshold = threshold;
  spool->memory = g_byte_array_new ();
  spool->fd = -1;
  return spool;
}

void
mg_milter_spool_free (MgMilterSpool *spool)
{
  if (spool == NULL)
    return;
  g_clear_pointer (&spool->memory, g_byte_array_unref);
  g_clear_pointer (&spool->frozen, g_bytes_unref);
  mg_clear_fd (&spool->fd);
  g_free (spool);
}

/* An anonymous file in TMPDIR: O_TMPFILE where the file system has it, else a
 * named file unlinked at once. */
static int
open_unlinked (GError **error)
{
  const char *dir = g_get_tmp_dir ();
  int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  g_autofree char *path = NULL;

  if (fd >= 0)
    return fd;
  fd = g_file_open_tmp ("mugai-milter-XXXXXX", &path, error);
  if (fd < 0)
    return -1;
  if (unlink (path) < 0) {
    int saved = errno;
    close (fd);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "unlink %s: %s", path,
                 g_strerror (saved));
    return -1;
  }
  return fd;
}

static gboolean
move_to_file (MgMilterSpool *spool, GError **error)
{
  spool->fd = open_unlinked (error);
  if (spool->fd < 0) {
    g_prefix_error (error, "spool file: ");
    return FALSE;
  }
  if (!mg_fdio_write_all (spool->fd, spool->memory->data, spool->memory->len, error))
    return FALSE;
  g_clear_pointer (&spool->memory, g_byte_array_unref);
  return TRUE;
}

gboolean
mg_milter_spool_append (MgMilterSpool *spool, const void *data, gsize len, GError **error)
{
  if (spool->frozen != NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "spool already handed out");
    return FALSE;
  }
  if (spool->fd < 0 && spool->size + len > spool->threshold && !move_to_file (spool, error))
    return FALSE;
  if (spool->fd < 0)
    g_byte_array_append (spool->memory, data, len);
  else if (!mg_fdio_write_all (spool->fd, data, len, error))
    return FALSE;
  spool->size += len;
  return TRUE;
}

gboolean
mg_milter_spool_add_header (MgMilterSpool *spool, const char *name, const char *value,
                            gboolean leadspc, GError **error)
{
  g_autoptr (GString) field = g_string_new (name);

  g_string_append_c (field, ':');
  if (!leadspc)
    g_string_append_c (field, ' ');
  for (const char *p = value; *p != '\0'; p++) {
    if (*p == '\n' && (p == value || p[-1] != '\r'))
      g_string_append_c (field, '\r');
    g_string_append_c (field, *p);
  }
  g_string_append (field, "\r\n");
  return mg_milter_spool_append (spool, field->str, field->len, error);
}

gsize
mg_milter_spool_size (const MgMilterSpool *spool)
{
  return spool->size;
}

gboolean
mg_milter_spool_on_disk (const MgMilterSpool *spool)
{
  return spool->fd >= 0;
}

GBytes *
mg_milter_spool_bytes (MgMilterSpool *spool, GError **error)
{
  g_autoptr (GMappedFile) map = NULL;

  if (spool->fd < 0) {
    if (spool->frozen == NULL)
      spool->frozen = g_byte_array_free_to_bytes (g_steal_pointer (&spool->memory));
    return g_bytes_ref (spool->frozen);
  }
  if (spool->size == 0)
    return g_bytes_new (NULL, 0);
  map = g_mapped_file_new_from_fd (spool->fd, FALSE, error);
  if (map == NULL) {
    g_prefix_error (error, "map spool file: ");
    return NULL;
  }
  return g_mapped_file_get_bytes (map);
}
