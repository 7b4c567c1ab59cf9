/* filter.h - the contract between the pipeline and one sanitiser per format.
 *
 * A filter takes the decoded bytes of one part whose type libmagic detected,
 * and returns what may pass (new bytes that the filter produced, never the
 * input passed through) or that the part is removed, with a reason. Filters
 * include only common/ and util/; they never touch MIME, the network, or paths.
 * Adding a format is one file in src/filters/ and one line in src/filters/registry.c.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "common/verdict.h"

typedef struct MgFilterResult MgFilterResult;

/* Sanitise one file nested in a container (an archive member, an image inside
 * an Office package) by the whole policy: virus scan, classification by bytes,
 * the filter for its type. A virus withholds the whole message. Fills RESULT
 * as a filter would; *DETECTED_TYPE_R (owned by the caller) gets the type.
 * Containers call it instead of choosing filters themselves. */
typedef void (*MgFilterRecurse) (gpointer ctx, GBytes *data, const char *name,
                                 MgFilterResult *result, char **detected_type_r);

/* Run an external converter (LibreOffice) on INPUT outside the worker sandbox,
 * in its own process: SOURCE_EXT is the input's usual extension ("doc"),
 * TARGET the format to make ("docx"). The converted bytes, or NULL with *WHY_R
 * (English, owned by the caller). */
typedef GBytes *(*MgFilterConvert) (gpointer ctx, GBytes *input, const char *source_ext,
                                    const char *target, char **why_r);

/* What the filters run for one message spend together (owned by its job,
 * zero at the start). */
typedef struct {
  gint64 image_pixels; /* pixels of the images taken so far ([image] max_message_pixels) */
  gint64 deadline;     /* g_get_monotonic_time () by which long work must stop, so
                          that the part is removed before the job timeout withholds
                          the whole message; 0: none */
} MgFilterBudget;

typedef struct {
  const char *detected_type; /* libmagic MIME type of the bytes */
  const char *charset;       /* declared charset, or NULL */
  const char *filename;      /* decoded UTF-8 name, or NULL; never a path */
  const MgConfig *config;
  MgFilterRecurse recurse; /* for containers; never NULL */
  gpointer recurse_ctx;
  guint depth;             /* containers around this input (0 at the top) */
  MgFilterConvert convert; /* in a sandboxed worker: the supervisor runs converters;
                              NULL: the filter may start them itself */
  gpointer convert_ctx;
  MgFilterBudget *budget; /* the message's, or NULL: no message-wide limits */
} MgFilterInput;

/* What a container did with one member, for the report. */
typedef struct {
  char *name; /* member path inside the container, UTF-8, owned */
  char *detected_type;
  MgAction action;
  MgReason reason;
  char *detail;
  char *sha256;        /* of the member as it came */
  char *output_sha256; /* of what was packed again, or NULL */
} MgFilterMember;

struct MgFilterResult {
  MgAction action; /* kept, converted, removed or withheld */
  MgReason reason;
  char *detail;           /* optional English detail for the report, owned */
  GBytes *output;         /* new bytes when kept/converted, owned */
  char *output_type;      /* MIME type of the output, owned */
  char *output_extension; /* extension the output name must carry (".txt"), owned */
  GPtrArray *members;     /* MgFilterMember *, or NULL; see mg_filter_result_add_member */
};

typedef struct {
  const char *name;
  const char *const *types; /* NULL-terminated MIME types this filter takes */
  /* Before any input is read (and before a sandbox is entered). May be NULL. */
  gboolean (*init) (const MgConfig *config, GError **error);
  /* Fill RESULT. Returning FALSE with ERROR means the filter itself failed:
   * the pipeline removes and holds the part. Bad input is a result, not an error. */
  gboolean (*sanitise) (GBytes *input, const MgFilterInput *in, MgFilterResult *result,
                        GError **error);
  void (*shutdown) (void);
  /* May be NULL. Before the virus scan: a cheap look at limits (an archive's
   * entry count in its headers, an image's size) so that a part the filter
   * would refuse anyway costs no scan (ClamAV's zip reader is quadratic in
   * the entries). FALSE with RESULT filled (removed, reason limit): the part
   * goes without being scanned or sanitised. */
  gboolean (*precheck) (GBytes *input, const MgFilterInput *in, MgFilterResult *result);
} MgFilter;

void mg_filter_result_clear (MgFilterResult *result);
/* Set RESULT's outcome: ACTION, REASON and DETAIL (taken; the one before is
 * freed). Output fields are left alone. */
void mg_filter_result_set (MgFilterResult *result, MgAction action, MgReason reason,
                           char *detail);
/* Record what became of one member (copies every string). */
void mg_filter_result_add_member (MgFilterResult *result, const char *name,
                                  const char *detected_type, const MgFilterResult *member,
                                  const char *sha256);
/* Record the MEMBERS (MgFilterMember *, may be NULL) that a container found
 * inside this one, at PREFIX, reported: as members of RESULT named
 * "PREFIX/name" (copies every string). */
void mg_filter_result_add_nested (MgFilterResult *result, const char *prefix,
                                  const GPtrArray *members);
