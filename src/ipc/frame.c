/* frame.c - encode, decode, send and receive frames. */
#include "ipc/frame.h"

#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/fdio.h"

#define MG_IPC_HEADER 8 /* type, payload length */
#define MG_IPC_FIELD 8  /* tag, length */

struct MgIpcFrame {
  MgIpcType type;
  GBytes *fields[MG_IPC_F_LAST];
};

MgIpcFrame *
mg_ipc_frame_new (MgIpcType type)
{
  MgIpcFrame *frame = g_new0 (MgIpcFrame, 1);

  frame->type = type;
  return frame;
}

void
mg_ipc_frame_free (MgIpcFrame *frame)
{
  if (frame == NULL)
    return;
  for (int i = 0; i < MG_IPC_F_LAST; i++)
    g_clear_pointer (&frame->fields[i], g_bytes_unref);
  g_free (frame);
}

MgIpcType
mg_ipc_frame_type (const MgIpcFrame *frame)
{
  return frame->type;
}

void
mg_ipc_frame_add (MgIpcFrame *frame, MgIpcTag tag, const void *data, gsize len)
{
  g_assert (tag > 0 && tag < MG_IPC_F_LAST && frame->fields[tag] == NULL);
  frame->fields[tag] = g_bytes_new (data, len);
}

void
mg_ipc_frame_add_bytes (MgIpcFrame *frame, MgIpcTag tag, GBytes *value)
{
  g_assert (tag > 0 && tag < MG_IPC_F_LAST && frame->fields[tag] == NULL);
  frame->fields[tag] = g_bytes_ref (value);
}

void
mg_ipc_frame_add_u32 (MgIpcFrame *frame, MgIpcTag tag, guint32 value)
{
  guint32 be = GUINT32_TO_BE (value);

  mg_ipc_frame_add (frame, tag, &be, sizeof be);
}

void
mg_ipc_frame_add_str (MgIpcFrame *frame, MgIpcTag tag, const char *value)
{
  if (value != NULL)
    mg_ipc_frame_add (frame, tag, value, strlen (value));
}

GBytes *
mg_ipc_frame_get (const MgIpcFrame *frame, MgIpcTag tag)
{
  g_assert (tag > 0 && tag < MG_IPC_F_LAST);
  return frame->fields[tag];
}

gboolean
mg_ipc_frame_get_u32 (const MgIpcFrame *frame, MgIpcTag tag, guint32 *value_r)
{
  GBytes *b = mg_ipc_frame_get (frame, tag);
  guint32 be;

  if (b == NULL || g_bytes_get_size (b) != sizeof be)
    return FALSE;
  memcpy (&be, g_bytes_get_data (b, NULL), sizeof be);
  *value_r = GUINT32_FROM_BE (be);
  return TRUE;
}

char *
mg_ipc_frame_get_str (const MgIpcFrame *frame, MgIpcTag tag)
{
  GBytes *b = mg_ipc_frame_get (frame, tag);
  gsize len;
  const char *p;

  if (b == NULL)
    return NULL;
  p = g_bytes_get_data (b, &len);
  if (len > 0 && (memchr (p, '\0', len) != NULL || !g_utf8_validate (p, (gssize) len, NULL)))
    return NULL;
  return g_strndup (p != NULL ? p : "", len);
}

/* Payload bytes FRAME encodes to (its fields with their headers). */
static guint64
payload_size (const MgIpcFrame *frame)
{
  guint64 size = 0;

  for (int tag = 1; tag < MG_IPC_F_LAST; tag++)
    if (frame->fields[tag] != NULL)
      size += MG_IPC_FIELD + g_bytes_get_size (frame->fields[tag]);
  return size;
}

/* The wire layout of FRAME: the header and each field's tag and length in
 * HEADS, pointing at the field values where they are; the entries of IOV. */
static int
frame_iov (const MgIpcFrame *frame, guint32 heads[2 + 2 * MG_IPC_F_LAST],
           struct iovec iov[1 + 2 * MG_IPC_F_LAST])
{
  int n = 1;

  heads[0] = GUINT32_TO_BE (frame->type);
  heads[1] = GUINT32_TO_BE ((guint32) payload_size (frame));
  iov[0] = (struct iovec){ heads, MG_IPC_HEADER };
  for (int tag = 1; tag < MG_IPC_F_LAST; tag++) {
    gsize len;
    const void *data;
    if (frame->fields[tag] == NULL)
      continue;
    data = g_bytes_get_data (frame->fields[tag], &len);
    heads[2 * tag] = GUINT32_TO_BE ((guint32) tag);
    heads[2 * tag + 1] = GUINT32_TO_BE ((guint32) len);
    iov[n++] = (struct iovec){ &heads[2 * tag], MG_IPC_FIELD };
    if (len > 0)
      iov[n++] = (struct iovec){ (void *) data, len };
  }
  return n;
}

GBytes *
mg_ipc_frame_encode (const MgIpcFrame *frame)
{
  guint32 heads[2 + 2 * MG_IPC_F_LAST];
  struct iovec iov[1 + 2 * MG_IPC_F_LAST];
  GByteArray *out;
  int n;

  /* lengths are 32-bit on the wire: a larger frame would be cut, and its
   * tail read as the next frame (send refuses one before this) */
  g_assert (payload_size (frame) <= G_MAXUINT32 - MG_IPC_HEADER);
  n = frame_iov (frame, heads, iov);
  out = g_byte_array_sized_new (MG_IPC_HEADER + (guint) payload_size (frame));
  for (int i = 0; i < n; i++)
    g_byte_array_append (out, iov[i].iov_base, (guint) iov[i].iov_len);
  return g_byte_array_free_to_bytes (out);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 be;

  memcpy (&be, p, sizeof be);
  return GUINT32_FROM_BE (be);
}

static gboolean
type_known (guint32 type)
{
  return type >= MG_IPC_HELLO && type <= MG_IPC_HOOK_DONE;
}

static gboolean
bad_frame (GError **error, const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "malformed frame: %s", why);
  return FALSE;
}

/* The fields of the payload at OFFSET in BUF: slices of it, not copies. */
static gboolean
decode_fields (MgIpcFrame *frame, GBytes *buf, gsize offset, GError **error)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (buf, &len);
  gsize off = 0;

  p += offset;
  len -= offset;

  while (off < len) {
    if (len - off < MG_IPC_FIELD)
      return bad_frame (error, "truncated field header");
    guint32 tag = get_u32 (p + off), flen = get_u32 (p + off + 4);
    off += MG_IPC_FIELD;
    if (tag == 0 || tag >= MG_IPC_F_LAST || frame->fields[tag] != NULL)
      return bad_frame (error, "unknown or repeated field");
    if (flen > len - off)
      return bad_frame (error, "field overruns the frame");
    frame->fields[tag] = g_bytes_new_from_bytes (buf, offset + off, flen);
    off += flen;
  }
  return TRUE;
}

/* BUF, one whole frame; its fields keep slices of it. */
static MgIpcFrame *
decode_buffer (GBytes *buf, GError **error)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (buf, &len);
  g_autoptr (MgIpcFrame) frame = NULL;

  if (len < MG_IPC_HEADER || get_u32 (p + 4) != len - MG_IPC_HEADER) {
    bad_frame (error, "length");
    return NULL;
  }
  if (!type_known (get_u32 (p))) {
    bad_frame (error, "unknown type");
    return NULL;
  }
  frame = mg_ipc_frame_new ((MgIpcType) get_u32 (p));
  if (!decode_fields (frame, buf, MG_IPC_HEADER, error))
    return NULL;
  return g_steal_pointer (&frame);
}

MgIpcFrame *
mg_ipc_frame_decode (const void *data, gsize len, GError **error)
{
  g_autoptr (GBytes) buf = g_bytes_new (data, len);

  return decode_buffer (buf, error);
}

/* The frame goes out as it is encoded (mg_ipc_frame_encode), its fields
 * written from where they are, not copied into one buffer first. */
gboolean
mg_ipc_frame_send (int fd, const MgIpcFrame *frame, GError **error)
{
  guint32 heads[2 + 2 * MG_IPC_F_LAST];
  struct iovec iov[1 + 2 * MG_IPC_F_LAST];

  if (payload_size (frame) > G_MAXUINT32 - MG_IPC_HEADER) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 "frame larger than the 32-bit wire format allows");
    return FALSE;
  }
  return mg_fdio_writev_all (fd, iov, frame_iov (frame, heads, iov), error);
}

/* Read exactly LEN bytes before DEADLINE (monotonic µs; < 0: none). */
static gboolean
read_exact (int fd, guint8 *buf, gsize len, gint64 deadline, GError **error)
{
  gsize got = 0;

  while (got < len) {
    struct pollfd pfd = { fd, POLLIN, 0 };
    int wait = deadline < 0 ? -1 : (int) MAX (0, (deadline - g_get_monotonic_time ()) / 1000);
    int r = poll (&pfd, 1, wait);
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "worker did not answer in time");
      return FALSE;
    }
    ssize_t n = read (fd, buf + got, len - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      g_set_error (error, G_IO_ERROR,
                   n == 0 ? G_IO_ERROR_CLOSED : g_io_error_from_errno (errno), "%s",
                   n == 0 ? "peer closed the channel" : g_strerror (errno));
      return FALSE;
    }
    got += (gsize) n;
  }
  return TRUE;
}

MgIpcFrame *
mg_ipc_frame_recv (int fd, gsize max, int timeout_ms, GError **error)
{
  gint64 deadline = timeout_ms < 0
                        ? -1
                        : g_get_monotonic_time () + timeout_ms * G_GINT64_CONSTANT (1000);
  guint8 header[MG_IPC_HEADER];
  guint8 *buf;
  g_autoptr (GBytes) bytes = NULL;
  guint32 len;

  if (!read_exact (fd, header, sizeof header, deadline, error))
    return NULL;
  len = get_u32 (header + 4);
  if (len > max) {
    bad_frame (error, "larger than allowed");
    return NULL;
  }
  buf = g_malloc (MG_IPC_HEADER + (gsize) len);
  bytes = g_bytes_new_take (buf, MG_IPC_HEADER + (gsize) len);
  memcpy (buf, header, sizeof header);
  if (!read_exact (fd, buf + MG_IPC_HEADER, len, deadline, error))
    return NULL;
  return decode_buffer (bytes, error);
}
