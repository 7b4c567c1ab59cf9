/* filter.h - the contract between the pipeline and one sanitiser per format.
 *
 * A filter takes the decoded bytes of one part whose type libmagic detected,
 * and returns what may pass (new bytes that the filter produced, never the
 * input passed through) or that the part is removed, with a reason. Filters
 * include only common/ and util/; they never touch MIME, the network, or paths.
 * Adding a format is one file in filters/ and one line in filters/registry.c.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "common/verdict.h"

typedef struct {
  const char *detected_type;   /* libmagic MIME type of the bytes */
  const char *charset;         /* declared charset, or NULL */
  const char *filename;        /* decoded UTF-8 name, or NULL; never a path */
  const MgConfig *config;
} MgFilterInput;

typedef struct {
  MgAction action;             /* kept, converted, removed or withheld */
  MgReason reason;
  char *detail;                /* optional English detail for the report, owned */
  GBytes *output;              /* new bytes when kept/converted, owned */
  char *output_type;           /* MIME type of the output, owned */
  char *output_extension;      /* extension the output name must carry (".txt"), owned */
} MgFilterResult;

typedef struct {
  const char *name;
  const char *const *types;    /* NULL-terminated MIME types this filter takes */
  /* Before any input is read (and before a sandbox is entered). May be NULL. */
  gboolean (*init) (const MgConfig *config, GError **error);
  /* Fill RESULT. Returning FALSE with ERROR means the filter itself failed:
   * the pipeline removes and holds the part. Bad input is a result, not an error. */
  gboolean (*sanitise) (GBytes *input, const MgFilterInput *in, MgFilterResult *result,
                        GError **error);
  void (*shutdown) (void);
} MgFilter;

void mg_filter_result_clear (MgFilterResult *result);
