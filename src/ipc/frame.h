/* frame.h - typed, framed messages between the front and sanitiser workers.
 *
 * A frame is a type, a length and a list of tagged fields. The parser is
 * strict: a frame longer than the caller's bound, a field that overruns, an
 * unknown or repeated tag, or trailing bytes is an error, and a worker that
 * sends one has failed its job. Knows nothing of mail.
 */
#pragma once
#include <glib.h>

typedef enum {
  MG_IPC_HELLO = 0x4d470001,       /* worker ready: PID */
  MG_IPC_JOB_MAIL = 0x4d470002,    /* front to worker: a message to sanitise */
  MG_IPC_RESULT_MAIL = 0x4d470003, /* worker to front: the sanitised message */
  MG_IPC_FAILED = 0x4d470004,      /* worker to front: REASON (a fault of this machine) */
  MG_IPC_CONVERT = 0x4d470005,     /* worker to supervisor: run the converter */
  MG_IPC_PARTS = 0x4d470006,    /* worker to front, before its reply: PARTS, HEADERS (once) */
  MG_IPC_JOB_FILE = 0x4d470007, /* front to worker: a file to sanitise (mugai files) */
  MG_IPC_RESULT_FILE = 0x4d470008, /* worker to front: the file's outcome */
  MG_IPC_CONVERTED = 0x4d470009,   /* supervisor to worker: the converter's output */
  MG_IPC_JOB_PPAP = 0x4d47000a,    /* front to worker: open encrypted ZIPs of a message */
  MG_IPC_RESULT_PPAP = 0x4d47000b, /* worker to front: the message with them opened */
  MG_IPC_HOOK = 0x4d47000c,        /* milter to its [alert] exec helper: DETAIL, MESSAGE */
  MG_IPC_HOOK_DONE = 0x4d47000d,   /* the helper: the command ran (else FAILED: MESSAGE) */
} MgIpcType;

typedef enum {
  MG_IPC_F_PID = 1,
  MG_IPC_F_QUEUE_ID,
  MG_IPC_F_MESSAGE,
  MG_IPC_F_VERDICT,
  MG_IPC_F_VIRUS,
  MG_IPC_F_STORE,
  MG_IPC_F_ID,
  MG_IPC_F_REASON,
  MG_IPC_F_OUTPUT,
  MG_IPC_F_REPORT,
  MG_IPC_F_SOURCE,
  MG_IPC_F_TARGET,
  MG_IPC_F_NAME, /* a file job: the file's name */
  MG_IPC_F_ACTION,
  MG_IPC_F_REASON_CODE,
  MG_IPC_F_DETAIL,
  MG_IPC_F_OUTPUT_NAME,
  MG_IPC_F_PARTS,      /* the parts a message job found, listed before the risky work */
  MG_IPC_F_HEADERS,    /* with PARTS: the message's whitelisted headers, as written */
  MG_IPC_F_PASSWORD,   /* a PPAP job: the archive password */
  MG_IPC_F_COUNT,      /* a PPAP result: how many archives were opened */
  MG_IPC_F_SENDER,     /* a mail result: the From addr-spec, for the index */
  MG_IPC_F_RECIPIENTS, /* a mail result: To and Cc addr-specs, ", "-separated */
  MG_IPC_F_KIND,       /* a PPAP result: what came of it (MgPpapKind, pipeline/ppap.h) */
  MG_IPC_F_LAST,
} MgIpcTag;

typedef struct MgIpcFrame MgIpcFrame;

MgIpcFrame *mg_ipc_frame_new (MgIpcType type);
void mg_ipc_frame_free (MgIpcFrame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgIpcFrame, mg_ipc_frame_free)

MgIpcType mg_ipc_frame_type (const MgIpcFrame *frame);
void mg_ipc_frame_add (MgIpcFrame *frame, MgIpcTag tag, const void *data, gsize len);
/* VALUE itself (a reference), not a copy. */
void mg_ipc_frame_add_bytes (MgIpcFrame *frame, MgIpcTag tag, GBytes *value);
void mg_ipc_frame_add_u32 (MgIpcFrame *frame, MgIpcTag tag, guint32 value);
/* Adds nothing for a NULL string (the field is then absent). */
void mg_ipc_frame_add_str (MgIpcFrame *frame, MgIpcTag tag, const char *value);

/* The field TAG, or NULL when absent. Borrowed from FRAME; a received
 * frame's fields are slices of the one buffer it was read into. */
GBytes *mg_ipc_frame_get (const MgIpcFrame *frame, MgIpcTag tag);
gboolean mg_ipc_frame_get_u32 (const MgIpcFrame *frame, MgIpcTag tag, guint32 *value_r);
/* A copy of a string field, NULL when absent or not valid UTF-8 without NUL. */
char *mg_ipc_frame_get_str (const MgIpcFrame *frame, MgIpcTag tag);

/* Serialise FRAME (what send writes). */
GBytes *mg_ipc_frame_encode (const MgIpcFrame *frame);
/* Parse DATA strictly (the whole buffer is one frame). */
MgIpcFrame *mg_ipc_frame_decode (const void *data, gsize len, GError **error);

gboolean mg_ipc_frame_send (int fd, const MgIpcFrame *frame, GError **error);
/* Read one frame of at most MAX bytes. TIMEOUT_MS < 0 waits forever.
 * G_IO_ERROR_TIMED_OUT on the deadline, G_IO_ERROR_CLOSED at EOF. */
MgIpcFrame *mg_ipc_frame_recv (int fd, gsize max, int timeout_ms, GError **error);
