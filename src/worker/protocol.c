/* protocol.c - one strict encoder and decoder per message type (protocol.h).
 *
 * Each layout is a table of fields; check_layout applies it to a frame
 * before a decoder reads any value, so that no decoder can forget a check.
 */
#include "worker/protocol.h"

#include <string.h>

#include "quarantine/quarantine_headers.h"
#include "quarantine/quarantine_store.h"

typedef enum { MG_KIND_U32, MG_KIND_TEXT, MG_KIND_BYTES } MgFieldKind;

typedef struct {
  MgIpcTag tag;
  MgFieldKind kind;
  gboolean required;
  gsize max; /* bytes; 0: bounded only by the frame */
} MgField;

typedef struct {
  MgIpcType type;
  const char *name;
  const MgField *fields;
  gsize n_fields;
} MgLayout;

/* clang-format off */
#define LAYOUT(type, name, fields) { type, name, fields, G_N_ELEMENTS (fields) }
/* clang-format on */

static const MgField job_mail_fields[] = {
  { MG_IPC_F_QUEUE_ID, MG_KIND_TEXT, FALSE, MG_PROTOCOL_QUEUE_ID_MAX },
  { MG_IPC_F_MESSAGE, MG_KIND_BYTES, TRUE, 0 },
};
static const MgField job_file_fields[] = {
  { MG_IPC_F_NAME, MG_KIND_TEXT, TRUE, MG_PROTOCOL_NAME_MAX },
  { MG_IPC_F_MESSAGE, MG_KIND_BYTES, TRUE, 0 },
};
static const MgField result_mail_fields[] = {
  { MG_IPC_F_VERDICT, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_VIRUS, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_STORE, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_ID, MG_KIND_TEXT, TRUE, MG_PROTOCOL_ID_MAX },
  { MG_IPC_F_REPORT, MG_KIND_TEXT, TRUE, 0 },
  { MG_IPC_F_REASON, MG_KIND_TEXT, FALSE, MG_PROTOCOL_TEXT_MAX },
  { MG_IPC_F_OUTPUT, MG_KIND_BYTES, TRUE, 0 },
  { MG_IPC_F_SENDER, MG_KIND_TEXT, FALSE, MG_PROTOCOL_ADDRESS_MAX },
  { MG_IPC_F_RECIPIENTS, MG_KIND_TEXT, FALSE, MG_PROTOCOL_RECIPIENTS_TEXT_MAX },
};
static const MgField result_file_fields[] = {
  { MG_IPC_F_ACTION, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_REASON_CODE, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_VIRUS, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_DETAIL, MG_KIND_TEXT, FALSE, MG_PROTOCOL_TEXT_MAX },
  { MG_IPC_F_OUTPUT_NAME, MG_KIND_TEXT, FALSE, MG_PROTOCOL_NAME_MAX },
  { MG_IPC_F_ID, MG_KIND_TEXT, TRUE, MG_PROTOCOL_ID_MAX },
  { MG_IPC_F_REPORT, MG_KIND_TEXT, TRUE, 0 },
  { MG_IPC_F_OUTPUT, MG_KIND_BYTES, FALSE, 0 },
};
static const MgField failed_fields[] = {
  { MG_IPC_F_REASON, MG_KIND_TEXT, TRUE, MG_PROTOCOL_TEXT_MAX },
};
static const MgField convert_request_fields[] = {
  { MG_IPC_F_MESSAGE, MG_KIND_BYTES, TRUE, 0 },
  { MG_IPC_F_SOURCE, MG_KIND_TEXT, TRUE, MG_PROTOCOL_EXT_MAX },
  { MG_IPC_F_TARGET, MG_KIND_TEXT, TRUE, MG_PROTOCOL_EXT_MAX },
};
static const MgField convert_reply_fields[] = {
  { MG_IPC_F_OUTPUT, MG_KIND_BYTES, FALSE, 0 },
  { MG_IPC_F_REASON, MG_KIND_TEXT, FALSE, MG_PROTOCOL_TEXT_MAX },
};
static const MgField ppap_request_fields[] = {
  { MG_IPC_F_MESSAGE, MG_KIND_BYTES, TRUE, 0 },
  { MG_IPC_F_PASSWORD, MG_KIND_TEXT, TRUE, MG_PROTOCOL_PASSWORD_MAX },
};
static const MgField ppap_reply_fields[] = {
  { MG_IPC_F_KIND, MG_KIND_U32, TRUE, 4 },
  { MG_IPC_F_OUTPUT, MG_KIND_BYTES, FALSE, 0 },
  { MG_IPC_F_COUNT, MG_KIND_U32, FALSE, 4 },
  { MG_IPC_F_REASON, MG_KIND_TEXT, FALSE, MG_PROTOCOL_TEXT_MAX },
};
static const MgField parts_fields[] = {
  { MG_IPC_F_PARTS, MG_KIND_TEXT, FALSE, MG_PROTOCOL_PARTS_MAX },
  { MG_IPC_F_HEADERS, MG_KIND_TEXT, FALSE, MG_PROTOCOL_PARTS_MAX },
};

static const MgLayout job_mail = LAYOUT (MG_IPC_JOB_MAIL, "mail job", job_mail_fields);
static const MgLayout job_file = LAYOUT (MG_IPC_JOB_FILE, "file job", job_file_fields);
static const MgLayout result_mail = LAYOUT (MG_IPC_RESULT_MAIL, "mail result",
                                            result_mail_fields);
static const MgLayout result_file = LAYOUT (MG_IPC_RESULT_FILE, "file result",
                                            result_file_fields);
static const MgLayout failed = LAYOUT (MG_IPC_FAILED, "failure", failed_fields);
static const MgLayout convert_request = LAYOUT (MG_IPC_CONVERT, "convert request",
                                                convert_request_fields);
static const MgLayout convert_reply = LAYOUT (MG_IPC_CONVERTED, "convert reply",
                                              convert_reply_fields);
static const MgLayout ppap_request = LAYOUT (MG_IPC_JOB_PPAP, "PPAP job", ppap_request_fields);
static const MgLayout ppap_reply = LAYOUT (MG_IPC_RESULT_PPAP, "PPAP result",
                                           ppap_reply_fields);
static const MgLayout parts = LAYOUT (MG_IPC_PARTS, "parts list", parts_fields);

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-protocol-error-quark, mg_protocol_error)
/* clang-format on */

static gboolean refuse (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError **error, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_propagate_error (
      error, g_error_new_valist (MG_PROTOCOL_ERROR, MG_PROTOCOL_ERROR_REFUSED, format, ap));
  va_end (ap);
  return FALSE;
}

static const MgField *
layout_field (const MgLayout *layout, MgIpcTag tag)
{
  for (gsize i = 0; i < layout->n_fields; i++)
    if (layout->fields[i].tag == tag)
      return &layout->fields[i];
  return NULL;
}

static gboolean
field_ok (const MgLayout *layout, const MgField *field, GBytes *value, GError **error)
{
  gsize len;
  const char *p = g_bytes_get_data (value, &len);

  if (field->max != 0 && len > field->max)
    return refuse (error, "%s: field %d longer than %" G_GSIZE_FORMAT " bytes", layout->name,
                   field->tag, field->max);
  if (field->kind == MG_KIND_U32 && len != 4)
    return refuse (error, "%s: field %d is not a 32-bit number", layout->name, field->tag);
  if (field->kind == MG_KIND_TEXT && len > 0 &&
      (memchr (p, '\0', len) != NULL || !g_utf8_validate (p, (gssize) len, NULL)))
    return refuse (error, "%s: field %d is not UTF-8 text", layout->name, field->tag);
  return TRUE;
}

/* FRAME has LAYOUT's type, only its fields, all required ones, each of its
 * kind and within its bound. */
static gboolean
check_layout (const MgIpcFrame *frame, const MgLayout *layout, GError **error)
{
  if (mg_ipc_frame_type (frame) != layout->type)
    return refuse (error, "%s expected, another message type came", layout->name);
  for (MgIpcTag tag = 1; tag < MG_IPC_F_LAST; tag++) {
    GBytes *value = mg_ipc_frame_get (frame, tag);
    const MgField *field = layout_field (layout, tag);
    if (value != NULL && field == NULL)
      return refuse (error, "%s: unexpected field %d", layout->name, tag);
    if (value == NULL && field != NULL && field->required)
      return refuse (error, "%s: field %d missing", layout->name, tag);
    if (value != NULL && !field_ok (layout, field, value, error))
      return FALSE;
  }
  return TRUE;
}

/* Checked by check_layout: present text, or NULL. */
static char *
text (const MgIpcFrame *frame, MgIpcTag tag)
{
  return mg_ipc_frame_get_str (frame, tag);
}

static GBytes *
bytes (const MgIpcFrame *frame, MgIpcTag tag)
{
  GBytes *b = mg_ipc_frame_get (frame, tag);

  return b != NULL ? g_bytes_ref (b) : NULL;
}

static guint32
u32 (const MgIpcFrame *frame, MgIpcTag tag)
{
  guint32 value = 0;

  mg_ipc_frame_get_u32 (frame, tag, &value);
  return value;
}

static void
add_bytes (MgIpcFrame *frame, MgIpcTag tag, GBytes *value)
{
  if (value != NULL)
    mg_ipc_frame_add_bytes (frame, tag, value);
}

/* ------------------------------------------------------------------ clears */

void
mg_job_mail_clear (MgJobMail *job)
{
  g_clear_pointer (&job->queue_id, g_free);
  g_clear_pointer (&job->message, g_bytes_unref);
}

void
mg_job_file_clear (MgJobFile *job)
{
  g_clear_pointer (&job->name, g_free);
  g_clear_pointer (&job->data, g_bytes_unref);
}

void
mg_convert_request_clear (MgConvertRequest *request)
{
  g_clear_pointer (&request->input, g_bytes_unref);
  g_clear_pointer (&request->source, g_free);
  g_clear_pointer (&request->target, g_free);
}

void
mg_convert_reply_clear (MgConvertReply *reply)
{
  g_clear_pointer (&reply->output, g_bytes_unref);
  g_clear_pointer (&reply->reason, g_free);
}

void
mg_ppap_request_clear (MgPpapRequest *request)
{
  g_clear_pointer (&request->message, g_bytes_unref);
  if (request->password != NULL)
    memset (request->password, 0, strlen (request->password));
  g_clear_pointer (&request->password, g_free);
}

void
mg_ppap_reply_clear (MgPpapReply *reply)
{
  g_clear_pointer (&reply->output, g_bytes_unref);
  g_clear_pointer (&reply->reason, g_free);
}

/* ---------------------------------------------------------- mail/file job */

/* A job frame: one text field (TEXT_TAG) and the bytes (MG_IPC_F_MESSAGE). */
static MgIpcFrame *
job_encode (MgIpcType type, MgIpcTag text_tag, const char *value, GBytes *data)
{
  MgIpcFrame *frame = mg_ipc_frame_new (type);

  mg_ipc_frame_add_str (frame, text_tag, value);
  add_bytes (frame, MG_IPC_F_MESSAGE, data);
  return frame;
}

/* The inverse of job_encode for LAYOUT, whose first field is the text. */
static gboolean
job_decode (const MgIpcFrame *frame, const MgLayout *layout, char **value_r, GBytes **data_r,
            GError **error)
{
  if (!check_layout (frame, layout, error))
    return FALSE;
  *value_r = text (frame, layout->fields[0].tag);
  *data_r = bytes (frame, MG_IPC_F_MESSAGE);
  return TRUE;
}

MgIpcFrame *
mg_protocol_job_mail_encode (const MgJobMail *job)
{
  return job_encode (MG_IPC_JOB_MAIL, MG_IPC_F_QUEUE_ID, job->queue_id, job->message);
}

gboolean
mg_protocol_job_mail_decode (const MgIpcFrame *frame, MgJobMail *job, GError **error)
{
  return job_decode (frame, &job_mail, &job->queue_id, &job->message, error);
}

MgIpcFrame *
mg_protocol_job_file_encode (const MgJobFile *job)
{
  return job_encode (MG_IPC_JOB_FILE, MG_IPC_F_NAME, job->name, job->data);
}

gboolean
mg_protocol_job_file_decode (const MgIpcFrame *frame, MgJobFile *job, GError **error)
{
  return job_decode (frame, &job_file, &job->name, &job->data, error);
}

/* ------------------------------------------------------------- mail result */

MgIpcFrame *
mg_protocol_result_mail_encode (const MgMailResult *r)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_RESULT_MAIL);

  mg_ipc_frame_add_u32 (frame, MG_IPC_F_VERDICT, r->verdict);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_VIRUS, r->virus);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_STORE, r->held);
  mg_ipc_frame_add_str (frame, MG_IPC_F_ID, r->id);
  mg_ipc_frame_add_str (frame, MG_IPC_F_REPORT, r->report_json);
  mg_ipc_frame_add_str (frame, MG_IPC_F_REASON, r->reason);
  add_bytes (frame, MG_IPC_F_OUTPUT, r->output);
  mg_ipc_frame_add_str (frame, MG_IPC_F_SENDER, r->sender_address);
  mg_ipc_frame_add_str (frame, MG_IPC_F_RECIPIENTS, r->recipients);
  return frame;
}

/* RECIPIENTS: addr-specs safe in RCPT TO, ", "-separated, no more than the
 * bound, none twice. */
static gboolean
recipients_ok (const char *recipients)
{
  g_auto (GStrv) list = NULL;
  g_autoptr (GHashTable) seen = NULL;

  if (recipients == NULL)
    return TRUE;
  list = g_strsplit (recipients, ", ", MG_PROTOCOL_RECIPIENTS_MAX + 1);
  if (g_strv_length (list) > MG_PROTOCOL_RECIPIENTS_MAX)
    return FALSE;
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (char **p = list; *p != NULL; p++)
    if (!mg_quarantine_headers_address_valid (*p) || !g_hash_table_add (seen, *p))
      return FALSE;
  return TRUE;
}

static gboolean
result_mail_values (const MgMailResult *r, GError **error)
{
  if (r->verdict != MG_VERDICT_SANITISED && r->verdict != MG_VERDICT_WITHHELD)
    return refuse (error, "mail result: verdict out of range");
  if (!mg_quarantine_id_valid (r->id))
    return refuse (error, "mail result: no valid id");
  if (r->sender_address != NULL && !mg_quarantine_headers_address_valid (r->sender_address))
    return refuse (error, "mail result: the sender is not a plain addr-spec");
  if (!recipients_ok (r->recipients))
    return refuse (error, "mail result: the recipients are not plain addr-specs");
  return TRUE;
}

MgMailResult *
mg_protocol_result_mail_decode (const MgIpcFrame *frame, GError **error)
{
  g_autoptr (MgMailResult) r = NULL;
  guint32 virus, held;

  if (!check_layout (frame, &result_mail, error))
    return NULL;
  r = g_new0 (MgMailResult, 1);
  r->verdict = (MgVerdict) u32 (frame, MG_IPC_F_VERDICT);
  virus = u32 (frame, MG_IPC_F_VIRUS);
  held = u32 (frame, MG_IPC_F_STORE);
  r->virus = virus != 0;
  r->held = held != 0;
  r->id = text (frame, MG_IPC_F_ID);
  r->report_json = text (frame, MG_IPC_F_REPORT);
  r->reason = text (frame, MG_IPC_F_REASON);
  r->output = bytes (frame, MG_IPC_F_OUTPUT);
  r->sender_address = text (frame, MG_IPC_F_SENDER);
  r->recipients = text (frame, MG_IPC_F_RECIPIENTS);
  if (virus > 1 || held > 1)
    return refuse (error, "mail result: a flag out of range"), NULL;
  if (!result_mail_values (r, error))
    return NULL;
  return g_steal_pointer (&r);
}

/* ------------------------------------------------------------- file result */

MgIpcFrame *
mg_protocol_result_file_encode (const MgFileResult *r)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_RESULT_FILE);

  mg_ipc_frame_add_u32 (frame, MG_IPC_F_ACTION, r->action);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_REASON_CODE, r->reason);
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_VIRUS, r->virus);
  mg_ipc_frame_add_str (frame, MG_IPC_F_DETAIL, r->detail);
  mg_ipc_frame_add_str (frame, MG_IPC_F_OUTPUT_NAME, r->output_filename);
  mg_ipc_frame_add_str (frame, MG_IPC_F_ID, r->id);
  mg_ipc_frame_add_str (frame, MG_IPC_F_REPORT, r->report_json);
  add_bytes (frame, MG_IPC_F_OUTPUT, r->output);
  return frame;
}

MgFileResult *
mg_protocol_result_file_decode (const MgIpcFrame *frame, GError **error)
{
  g_autoptr (MgFileResult) r = NULL;
  guint32 action, reason, virus;
  gboolean passes;

  if (!check_layout (frame, &result_file, error))
    return NULL;
  action = u32 (frame, MG_IPC_F_ACTION);
  reason = u32 (frame, MG_IPC_F_REASON_CODE);
  virus = u32 (frame, MG_IPC_F_VIRUS);
  if (action > MG_ACTION_WITHHELD || reason >= MG_REASON_COUNT || virus > 1)
    return refuse (error, "file result: a value out of range"), NULL;
  r = g_new0 (MgFileResult, 1);
  r->action = (MgAction) action;
  r->reason = (MgReason) reason;
  r->virus = virus != 0;
  r->detail = text (frame, MG_IPC_F_DETAIL);
  r->output_filename = text (frame, MG_IPC_F_OUTPUT_NAME);
  r->id = text (frame, MG_IPC_F_ID);
  r->report_json = text (frame, MG_IPC_F_REPORT);
  r->output = bytes (frame, MG_IPC_F_OUTPUT);
  passes = action == MG_ACTION_KEPT || action == MG_ACTION_CONVERTED;
  if (!mg_quarantine_id_valid (r->id))
    return refuse (error, "file result: no valid id"), NULL;
  if (passes != (r->output != NULL) || (passes && r->output_filename == NULL))
    return refuse (error, "file result: output and outcome disagree"), NULL;
  return g_steal_pointer (&r);
}

/* ------------------------------------------------------------------ failed */

MgIpcFrame *
mg_protocol_failed_encode (const char *reason)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_FAILED);
  g_autofree char *cut = g_utf8_make_valid (reason,
                                            MIN (strlen (reason), MG_PROTOCOL_TEXT_MAX / 4));

  mg_ipc_frame_add_str (frame, MG_IPC_F_REASON, cut);
  return frame;
}

char *
mg_protocol_failed_decode (const MgIpcFrame *frame, GError **error)
{
  if (!check_layout (frame, &failed, error))
    return NULL;
  return text (frame, MG_IPC_F_REASON);
}

/* ------------------------------------------------------------ the converter */

MgIpcFrame *
mg_protocol_convert_request_encode (const MgConvertRequest *request)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_CONVERT);

  add_bytes (frame, MG_IPC_F_MESSAGE, request->input);
  mg_ipc_frame_add_str (frame, MG_IPC_F_SOURCE, request->source);
  mg_ipc_frame_add_str (frame, MG_IPC_F_TARGET, request->target);
  return frame;
}

gboolean
mg_protocol_convert_request_decode (const MgIpcFrame *frame, MgConvertRequest *request,
                                    GError **error)
{
  if (!check_layout (frame, &convert_request, error))
    return FALSE;
  request->input = bytes (frame, MG_IPC_F_MESSAGE);
  request->source = text (frame, MG_IPC_F_SOURCE);
  request->target = text (frame, MG_IPC_F_TARGET);
  return TRUE;
}

MgIpcFrame *
mg_protocol_convert_reply_encode (const MgConvertReply *reply)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_CONVERTED);

  if (reply->output != NULL)
    add_bytes (frame, MG_IPC_F_OUTPUT, reply->output);
  else
    mg_ipc_frame_add_str (frame, MG_IPC_F_REASON,
                          reply->reason != NULL ? reply->reason : "the converter failed");
  return frame;
}

gboolean
mg_protocol_convert_reply_decode (const MgIpcFrame *frame, MgConvertReply *reply,
                                  GError **error)
{
  gboolean has_output = mg_ipc_frame_get (frame, MG_IPC_F_OUTPUT) != NULL;

  if (!check_layout (frame, &convert_reply, error))
    return FALSE;
  if (has_output == (mg_ipc_frame_get (frame, MG_IPC_F_REASON) != NULL))
    return refuse (error, "convert reply: not exactly one of an output and a reason");
  reply->output = bytes (frame, MG_IPC_F_OUTPUT);
  reply->reason = text (frame, MG_IPC_F_REASON);
  return TRUE;
}

/* -------------------------------------------------------------------- PPAP */

MgIpcFrame *
mg_protocol_ppap_request_encode (const MgPpapRequest *request)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_JOB_PPAP);

  add_bytes (frame, MG_IPC_F_MESSAGE, request->message);
  mg_ipc_frame_add_str (frame, MG_IPC_F_PASSWORD, request->password);
  return frame;
}

gboolean
mg_protocol_ppap_request_decode (const MgIpcFrame *frame, MgPpapRequest *request,
                                 GError **error)
{
  if (!check_layout (frame, &ppap_request, error))
    return FALSE;
  request->message = bytes (frame, MG_IPC_F_MESSAGE);
  request->password = text (frame, MG_IPC_F_PASSWORD);
  return TRUE;
}

MgIpcFrame *
mg_protocol_ppap_reply_encode (const MgPpapReply *reply)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_RESULT_PPAP);
  gboolean failed = reply->kind != MG_PPAP_OK && reply->kind != MG_PPAP_NO_ANSWER;

  /* a failure without its kind is told as damaged: never as opened */
  mg_ipc_frame_add_u32 (frame, MG_IPC_F_KIND,
                        reply->output != NULL ? MG_PPAP_OK
                        : failed              ? reply->kind
                                              : MG_PPAP_DAMAGED);
  if (reply->output != NULL) {
    add_bytes (frame, MG_IPC_F_OUTPUT, reply->output);
    mg_ipc_frame_add_u32 (frame, MG_IPC_F_COUNT, reply->opened);
  } else {
    mg_ipc_frame_add_str (frame, MG_IPC_F_REASON,
                          reply->reason != NULL ? reply->reason : "cannot open the archives");
  }
  return frame;
}

gboolean
mg_protocol_ppap_reply_decode (const MgIpcFrame *frame, MgPpapReply *reply, GError **error)
{
  gboolean has_output = mg_ipc_frame_get (frame, MG_IPC_F_OUTPUT) != NULL;
  gboolean has_count = mg_ipc_frame_get (frame, MG_IPC_F_COUNT) != NULL;
  gboolean has_reason = mg_ipc_frame_get (frame, MG_IPC_F_REASON) != NULL;
  guint32 kind;

  if (!check_layout (frame, &ppap_reply, error))
    return FALSE;
  if (has_output != has_count || has_output == has_reason)
    return refuse (error, "PPAP result: not either an output with its count or a reason");
  if (has_count && u32 (frame, MG_IPC_F_COUNT) == 0)
    return refuse (error, "PPAP result: an output with no archive opened");
  kind = u32 (frame, MG_IPC_F_KIND);
  if (kind >= MG_PPAP_NO_ANSWER)
    return refuse (error, "PPAP result: kind out of range");
  if ((kind == MG_PPAP_OK) != has_output)
    return refuse (error, "PPAP result: the kind and the output disagree");
  reply->kind = (MgPpapKind) kind;
  reply->output = bytes (frame, MG_IPC_F_OUTPUT);
  reply->opened = u32 (frame, MG_IPC_F_COUNT);
  reply->reason = text (frame, MG_IPC_F_REASON);
  return TRUE;
}

/* -------------------------------------------------------------- parts list */

MgIpcFrame *
mg_protocol_parts_encode (const char *list, const char *headers)
{
  MgIpcFrame *frame = mg_ipc_frame_new (MG_IPC_PARTS);

  mg_ipc_frame_add_str (frame, MG_IPC_F_PARTS, list);
  mg_ipc_frame_add_str (frame, MG_IPC_F_HEADERS, headers);
  return frame;
}

gboolean
mg_protocol_parts_decode (const MgIpcFrame *frame, char **parts_r, char **headers_r,
                          GError **error)
{
  if (!check_layout (frame, &parts, error))
    return FALSE;
  *parts_r = text (frame, MG_IPC_F_PARTS);
  *headers_r = text (frame, MG_IPC_F_HEADERS);
  return TRUE;
}
