/* content.h - the decoded bytes, name and labels of one MIME leaf.
 *
 * Transfer encodings are decoded strictly: a base64 body with junk characters
 * or '=' in the middle is not guessed at (clients would disagree), it is
 * reported as undecodable. Names are decoded through mimeword (RFC 2231,
 * RFC 2047 in quotes, raw 8-bit), never used as paths.
 */
#pragma once
#include "pipeline/job.h"

typedef enum {
  MG_CONTENT_OK,
  MG_CONTENT_UNKNOWN_ENCODING, /* not one of the legal (or uuencode) tokens */
  MG_CONTENT_INVALID,          /* base64 with junk, '=' mid-stream */
} MgContentStatus;

typedef struct {
  char *declared_type; /* lower-case type/subtype; "text/plain" when absent */
  char *charset;       /* declared charset or NULL */
  char *filename;      /* decoded name (filename, else name) or NULL */
  gboolean attachment; /* Content-Disposition: attachment */
  MgContentStatus status;
  GBytes *data; /* decoded bytes; for status != OK the best-effort decode */
} MgContent;

/* Read PART's labels and decode its content. Never NULL. */
MgContent *mg_content_read (MgJob *job, GMimePart *part);
/* PART's labels only (DATA stays NULL): nothing is decoded. */
MgContent *mg_content_read_labels (MgJob *job, GMimePart *part);
void mg_content_free (MgContent *content);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgContent, mg_content_free)

/* Bytes of any GMime object's content, decoded (used for message parts). */
GBytes *mg_content_object_bytes (GMimeObject *object);
