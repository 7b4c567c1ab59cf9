/* office_legacy.c - the legacy Office, RTF and ODF filter (see office_legacy.h).
 *
 * The detected type (and, for a bare OLE compound file, the names of its
 * streams) decides what LibreOffice is told the input is; it makes .docx of
 * text documents, .xlsx of spreadsheets, .pptx of presentations
 * (libreoffice.c), and the OOXML filter rebuilds that (mg_ooxml_converted).
 * This module never runs LibreOffice itself and never passes what it wrote.
 */
#include "filters/office_legacy.h"

#include "filters/office_cfb.h"
#include "filters/ooxml.h"

typedef struct {
  const char *type; /* libmagic type */
  const char *ext;  /* what LibreOffice is told the input is */
} Conversion;

static const Conversion conversions[] = {
  { "application/msword", "doc" },
  { "application/vnd.ms-word", "doc" },
  { "application/vnd.ms-excel", "xls" },
  { "application/vnd.ms-powerpoint", "ppt" },
  { "text/rtf", "rtf" },
  { "application/rtf", "rtf" },
  { "application/vnd.oasis.opendocument.text", "odt" },
  { "application/vnd.oasis.opendocument.text-template", "ott" },
  { "application/vnd.oasis.opendocument.text-master", "odm" },
  { "application/vnd.oasis.opendocument.spreadsheet", "ods" },
  { "application/vnd.oasis.opendocument.spreadsheet-template", "ots" },
  { "application/vnd.oasis.opendocument.presentation", "odp" },
  { "application/vnd.oasis.opendocument.presentation-template", "otp" },
};

/* Types named only by their OLE compound file streams. */
static const char *const compound_types[] = {
  "application/x-ole-storage",
  "application/CDFV2",
  "application/vnd.ms-office",
  NULL,
};

static const char *const ichitaro_types[] = {
  "application/x-ichitaro4",
  "application/x-ichitaro5",
  "application/x-ichitaro6",
  NULL,
};

/* Ichitaro's extensions: used only to remove with a clearer reason. */
static const char *const ichitaro_extensions[] = {
  ".jtd", ".jtdc", ".jtt", ".jttc", ".jtdx", ".jbw",
  ".juw", ".jfw",  ".jvw", ".jaw",  ".jxw",  NULL,
};

static void
remove_part (MgFilterResult *result, MgAction action, MgReason reason, char *detail)
{
  mg_filter_result_clear (result);
  mg_filter_result_set (result, action, reason, detail);
}

/* --- OLE compound files ------------------------------------------------ */

/* The conversion a bare compound file needs, by its streams, or NULL. */
static const Conversion *
cfb_conversion (GBytes *input)
{
  if (mg_office_cfb_has (input, "WordDocument"))
    return &conversions[0];
  if (mg_office_cfb_has (input, "Workbook") || mg_office_cfb_has (input, "Book"))
    return &conversions[2];
  if (mg_office_cfb_has (input, "PowerPoint Document"))
    return &conversions[3];
  return NULL;
}

static const Conversion *
conversion_for_type (const char *type)
{
  for (gsize i = 0; type != NULL && i < G_N_ELEMENTS (conversions); i++)
    if (g_ascii_strcasecmp (conversions[i].type, type) == 0)
      return &conversions[i];
  return NULL;
}

static gboolean
type_in (const char *type, const char *const *list)
{
  for (guint i = 0; type != NULL && list[i] != NULL; i++)
    if (g_ascii_strcasecmp (type, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
name_is_ichitaro (const char *filename)
{
  g_autofree char *low = filename != NULL ? g_utf8_strdown (filename, -1) : NULL;

  for (guint i = 0; low != NULL && ichitaro_extensions[i] != NULL; i++)
    if (g_str_has_suffix (low, ichitaro_extensions[i]))
      return TRUE;
  return FALSE;
}

/* --- the filter -------------------------------------------------------- */

static gboolean
legacy_sanitise (GBytes *input, const MgFilterInput *in, MgFilterResult *result,
                 GError **error)
{
  const char *type = in->detected_type;
  const Conversion *c = conversion_for_type (type);
  (void) error;

  if (type_in (type, ichitaro_types) || name_is_ichitaro (in->filename)) {
    remove_part (result, MG_ACTION_REMOVED, MG_REASON_NO_CONVERTER,
                 g_strdup ("Ichitaro documents cannot be converted: no open converter "
                           "exists (ask the sender for PDF or .docx)"));
    return TRUE;
  }
  if (g_ascii_strcasecmp (type, "application/encrypted") == 0 ||
      mg_office_cfb_encrypted (input)) {
    remove_part (result, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED,
                 g_strdup ("the Office document is encrypted with a password"));
    return TRUE;
  }
  if (c == NULL && type_in (type, compound_types))
    c = cfb_conversion (input);
  if (c == NULL) {
    remove_part (result, MG_ACTION_REMOVED, MG_REASON_TYPE_NOT_ALLOWED,
                 g_strdup ("an OLE compound file that is not a Word, Excel or PowerPoint "
                           "document"));
    return TRUE;
  }
  mg_ooxml_converted (input, in, c->ext, result);
  return TRUE;
}

static const char *const legacy_types[] = {
  "application/msword",
  "application/vnd.ms-word",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "text/rtf",
  "application/rtf",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.text-template",
  "application/vnd.oasis.opendocument.text-master",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.spreadsheet-template",
  "application/vnd.oasis.opendocument.presentation",
  "application/vnd.oasis.opendocument.presentation-template",
  "application/x-ole-storage",
  "application/CDFV2",
  "application/vnd.ms-office",
  "application/encrypted",
  "application/x-ichitaro4",
  "application/x-ichitaro5",
  "application/x-ichitaro6",
  NULL,
};

const MgFilter mg_filter_office_legacy = {
  .name = "office_legacy",
  .types = legacy_types,
  .sanitise = legacy_sanitise, /* LibreOffice is found at each use: it may come and go */
};
