/* protocol.h - the typed messages between the front and sanitiser workers.
 *
 * Every message a front, a worker or the supervisor's converter sends is one
 * frame (ipc/frame.h) of one type, and each type has exactly one layout: a
 * fixed set of fields, each required or optional, each of one kind (a 32-bit
 * number, UTF-8 text without NUL, or bytes) and each bounded. A decoder
 * refuses a frame of another type, a field the layout does not have, a
 * missing required field, a field of the wrong kind or over its bound (a
 * repeated or unknown tag is already refused by the frame parser), and then
 * checks the values (an id in the quarantine's form, a verdict in range).
 * The layouts are listed in doc/architecture.md.
 */
#pragma once
#include <glib.h>

#include "ipc/frame.h"
#include "pipeline/file.h"
#include "pipeline/pipeline.h"
#include "pipeline/ppap.h"
#include "quarantine/quarantine_headers.h"

#define MG_PROTOCOL_ERROR (mg_protocol_error_quark ())
GQuark mg_protocol_error_quark (void);
typedef enum {
  MG_PROTOCOL_ERROR_REFUSED, /* not a well-formed message of the expected type */
} MgProtocolError;

/* Bounds of the text fields (bytes). Byte fields (a message, an output, a
 * report) are bounded by the frame size the receiver accepts. */
#define MG_PROTOCOL_ID_MAX 64
#define MG_PROTOCOL_QUEUE_ID_MAX 256
#define MG_PROTOCOL_NAME_MAX 4096
#define MG_PROTOCOL_TEXT_MAX 4096 /* a reason, a detail */
#define MG_PROTOCOL_EXT_MAX 16    /* a converter's source or target */
#define MG_PROTOCOL_PASSWORD_MAX 1024
#define MG_PROTOCOL_ADDRESS_MAX 254                                    /* one addr-spec */
#define MG_PROTOCOL_RECIPIENTS_MAX MG_QUARANTINE_HEADERS_ADDRESSES_MAX /* in one result */
/* the recipients field: that many addresses joined by ", " */
#define MG_PROTOCOL_RECIPIENTS_TEXT_MAX                                                       \
  (MG_PROTOCOL_RECIPIENTS_MAX * (MG_PROTOCOL_ADDRESS_MAX + 2))
#define MG_PROTOCOL_PARTS_MAX (8 * 1024 * 1024)

typedef struct {
  char *queue_id; /* may be NULL */
  GBytes *message;
} MgJobMail;

typedef struct {
  char *name;
  GBytes *data;
} MgJobFile;

typedef struct {
  GBytes *input;
  char *source; /* extension of the input */
  char *target; /* what to convert to */
} MgConvertRequest;

typedef struct {
  GBytes *output; /* exactly one of OUTPUT and REASON */
  char *reason;
} MgConvertReply;

typedef struct {
  GBytes *message;
  char *password;
} MgPpapRequest;

typedef struct {
  GBytes *output;  /* the message with its encrypted ZIPs opened, or NULL */
  guint opened;    /* how many were, when OUTPUT */
  char *reason;    /* why not, when no OUTPUT */
  MgPpapKind kind; /* MG_PPAP_OK with OUTPUT, else why not (never MG_PPAP_NO_ANSWER) */
} MgPpapReply;

void mg_job_mail_clear (MgJobMail *job);
void mg_job_file_clear (MgJobFile *job);
void mg_convert_request_clear (MgConvertRequest *request);
void mg_convert_reply_clear (MgConvertReply *reply);
void mg_ppap_request_clear (MgPpapRequest *request);
void mg_ppap_reply_clear (MgPpapReply *reply);

/* Encoders: the frame for a message (owned by the caller). */
MgIpcFrame *mg_protocol_job_mail_encode (const MgJobMail *job);
MgIpcFrame *mg_protocol_job_file_encode (const MgJobFile *job);
MgIpcFrame *mg_protocol_result_mail_encode (const MgMailResult *result);
MgIpcFrame *mg_protocol_result_file_encode (const MgFileResult *result);
MgIpcFrame *mg_protocol_failed_encode (const char *reason);
MgIpcFrame *mg_protocol_convert_request_encode (const MgConvertRequest *request);
MgIpcFrame *mg_protocol_convert_reply_encode (const MgConvertReply *reply);
MgIpcFrame *mg_protocol_ppap_request_encode (const MgPpapRequest *request);
MgIpcFrame *mg_protocol_ppap_reply_encode (const MgPpapReply *reply);
MgIpcFrame *mg_protocol_parts_encode (const char *parts, const char *headers);

/* Decoders: FALSE with MG_PROTOCOL_ERROR_REFUSED saying what is off; the
 * output struct is filled only on success (clear it afterwards). */
gboolean mg_protocol_job_mail_decode (const MgIpcFrame *frame, MgJobMail *job, GError **error);
gboolean mg_protocol_job_file_decode (const MgIpcFrame *frame, MgJobFile *job, GError **error);
/* A mail result's fields (not yet checked against its report: worker_check.h). */
MgMailResult *mg_protocol_result_mail_decode (const MgIpcFrame *frame, GError **error);
MgFileResult *mg_protocol_result_file_decode (const MgIpcFrame *frame, GError **error);
/* A FAILED frame: its reason. */
char *mg_protocol_failed_decode (const MgIpcFrame *frame, GError **error);
gboolean mg_protocol_convert_request_decode (const MgIpcFrame *frame,
                                             MgConvertRequest *request, GError **error);
gboolean mg_protocol_convert_reply_decode (const MgIpcFrame *frame, MgConvertReply *reply,
                                           GError **error);
gboolean mg_protocol_ppap_request_decode (const MgIpcFrame *frame, MgPpapRequest *request,
                                          GError **error);
gboolean mg_protocol_ppap_reply_decode (const MgIpcFrame *frame, MgPpapReply *reply,
                                        GError **error);
/* A PARTS frame: the parts list and headers (either may be NULL). */
gboolean mg_protocol_parts_decode (const MgIpcFrame *frame, char **parts_r, char **headers_r,
                                   GError **error);
