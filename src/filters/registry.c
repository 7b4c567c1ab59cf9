/* registry.c - the list of filters and the choice of one by detected type.
 *
 * A format is allowed exactly when a filter here lists its libmagic type;
 * adding a format is one line in the table below. The registry never guesses
 * a type from a name or from the declared Content-Type, and never falls back
 * to another filter when the exact type is not listed.
 */
#include "filters/registry.h"

#include <string.h>

#include "filters/archive_filter.h"
#include "filters/html.h"
#include "filters/image.h"
#include "filters/office_legacy.h"
#include "filters/ooxml.h"
#include "filters/pdf.h"
#include "filters/text.h"

/* Declared by html.c; html.h holds only the conversion function. */

static const MgFilter *const filters[] = {
  &mg_filter_text,  &mg_filter_html,  &mg_filter_archive,       &mg_filter_pdf,
  &mg_filter_image, &mg_filter_ooxml, &mg_filter_office_legacy,
};

/* How many filters (from the start of the table) have been initialised. */
static gsize initialised;

gboolean
mg_filter_registry_init (const MgConfig *config, GError **error)
{
  for (; initialised < G_N_ELEMENTS (filters); initialised++) {
    const MgFilter *f = filters[initialised];
    if (f->init != NULL && !f->init (config, error)) {
      g_prefix_error (error, "filter %s: ", f->name);
      mg_filter_registry_shutdown ();
      return FALSE;
    }
  }
  return TRUE;
}

void
mg_filter_registry_shutdown (void)
{
  while (initialised > 0) {
    const MgFilter *f = filters[--initialised];
    if (f->shutdown != NULL)
      f->shutdown ();
  }
}

/* TRUE when TYPE (possibly followed by "; parameters") is NAME, ignoring case. */
static gboolean
type_matches (const char *type, const char *name)
{
  gsize n = strlen (name);

  if (g_ascii_strncasecmp (type, name, n) != 0)
    return FALSE;
  return type[n] == '\0' || type[n] == ';' || type[n] == ' ';
}

const MgFilter *
mg_filter_registry_find (const char *detected_type)
{
  if (detected_type == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (filters); i++)
    for (const char *const *t = filters[i]->types; *t != NULL; t++)
      if (type_matches (detected_type, *t))
        return filters[i];
  return NULL;
}
