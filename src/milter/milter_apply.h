/* milter_apply.h - turn the message Postfix holds into the pipeline's output.
 *
 * Given the header fields the milter was shown and the pipeline's output (a
 * whole message with LF line ends), it deletes every original field, adds the
 * output's fields in order and replaces the body, through a small table of
 * operations (libmilter's in the daemon, a recorder in tests). It never
 * decides anything about the content and never leaves an original field or
 * body line in place: an output it cannot apply whole is an error.
 */
#pragma once
#include <glib.h>

/* One header field as libmilter showed it: VALUE is what follows the colon
 * (with its leading space when SMFIP_HDR_LEADSPC was negotiated). */
typedef struct {
  char *name;
  char *value;
} MgMilterHeader;

MgMilterHeader *mg_milter_header_new (const char *name, const char *value);
void mg_milter_header_free (MgMilterHeader *header);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgMilterHeader, mg_milter_header_free)

/* The modification calls, each returning TRUE on success (libmilter's
 * MI_SUCCESS). chgheader with VALUE NULL deletes field INDEX (1-based, counted
 * per name as the milter was shown them). */
typedef struct {
  gboolean (*chgheader) (gpointer ctx, const char *name, int index, const char *value);
  gboolean (*addheader) (gpointer ctx, const char *name, const char *value);
  gboolean (*replacebody) (gpointer ctx, const guint8 *data, gsize len);
} MgMilterApplyOps;

#define MG_MILTER_APPLY_CHUNK 65536

/* Make the message ORIGINAL (a GPtrArray of MgMilterHeader) into OUTPUT: all
 * header changes first, then the body in contiguous chunks of at most
 * MG_MILTER_APPLY_CHUNK bytes with CRLF line ends. LEADSPC says whether values
 * carry their leading space. Returns FALSE with ERROR when OUTPUT is not a
 * message (no header/body separator, a malformed field) or an operation
 * fails; the caller must then tempfail, as some changes may have been made. */
gboolean mg_milter_apply (const MgMilterApplyOps *ops, gpointer ctx, GPtrArray *original,
                          GBytes *output, gboolean leadspc, GError **error);

/* The output's header block split into fields (values as libmilter wants
 * them for LEADSPC), and the offset where the body starts. Exposed for tests. */
GPtrArray *mg_milter_apply_parse_headers (GBytes *output, gboolean leadspc,
                                          gsize *body_offset_r, GError **error);
